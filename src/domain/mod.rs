//! Pure domain: validated values, the element catalog, the agreement
//! aggregate and the rules computed from it. No I/O here.

/// A string that can only hold a valid value: serde goes through the
/// type's own `parse(&str) -> Result<Self, String>`, whose message is the
/// user's error.
///
/// In the OpenAPI document the type is a `string` schema of its own name,
/// with the description (Indonesian, read by API users), pattern, format
/// and example given in `schema(...)`.
macro_rules! string_newtype {
    ($(#[$m:meta])* $name:ident, schema(
        description = $desc:expr
        $(, pattern = $pat:literal)?
        $(, format = $fmt:ident)?
        , example = $ex:literal $(,)?
    )) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                $name::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some($desc))
                    $(.pattern(Some($pat)))?
                    $(.format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::$fmt,
                    ))))?
                    .examples([$ex])
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}
pub(crate) use string_newtype;

pub mod account;
pub mod agreement;
pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod check;
pub mod diff;
pub mod drafting;
pub mod evidence;
pub mod ics;
pub mod letter_number;
pub mod nik;
pub mod nip;
pub mod obligations;
pub mod privacy;
pub mod reminders;
pub mod status;
pub mod text;
pub mod words;

pub use letter_number::LetterNumber;
pub use nik::Nik;
pub use nip::Nip;

/// The example PKS of the seeds, for the unit tests.
#[cfg(test)]
pub(crate) fn example() -> agreement::AgreementDoc {
    serde_json::from_str(include_str!(
        "../../seeds/pks-purbalingga-dinkopukm-2025.json"
    ))
    .expect("the seed parses")
}
