//! Account values: a user name that can be typed and logged safely, and a
//! password that meets the minimum before it is ever hashed.

string_newtype!(
    /// 3–64 characters of a–z, 0–9, `.`, `_`, `-` (and `@`, `+` for an
    /// invited person, whose user name is their e-mail address); stored
    /// lower case.
    Username,
    schema(
        description = "Nama pengguna: 3-64 karakter huruf a-z, angka, titik, garis bawah atau \
            tanda hubung (atau alamat e-mail bagi pengguna yang diundang); disimpan dalam huruf \
            kecil.",
        pattern = "^[A-Za-z0-9._@+-]{3,64}$",
        example = "hukum.purbalingga",
    )
);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim().to_lowercase();
        if !(3..=64).contains(&s.chars().count()) {
            return Err("nama pengguna harus 3 sampai 64 karakter".into());
        }
        if !s.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-' | '@' | '+')
        }) {
            return Err("nama pengguna hanya boleh berisi huruf a-z, angka, titik, garis bawah, tanda hubung, @ dan +".into());
        }
        Ok(Username(s))
    }
}

/// A new password: at least 10 characters, at most 128 (argon2 hashes any
/// length, the bound keeps a request from costing more than a login).
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let n = raw.chars().count();
        if n < 10 {
            return Err("kata sandi minimal 10 karakter".into());
        }
        if n > 128 {
            return Err("kata sandi paling banyak 128 karakter".into());
        }
        if raw.trim().is_empty() {
            return Err("kata sandi tidak boleh hanya spasi".into());
        }
        Ok(NewPassword(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for NewPassword {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        NewPassword::parse(&value)
    }
}

/// Never printed: a password in a log line is a leak.
impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_case_and_plain() {
        assert_eq!(
            Username::parse(" Admin.Purbalingga ").unwrap().as_str(),
            "admin.purbalingga"
        );
        assert_eq!(
            Username::parse("Kadis.Kominfo@Contoh.go.id")
                .unwrap()
                .as_str(),
            "kadis.kominfo@contoh.go.id"
        );
        for bad in [
            "ab",
            "nama dengan spasi",
            "x'; drop",
            "ñandu",
            &"a".repeat(65),
        ] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_have_a_minimum_and_are_not_printed() {
        assert!(NewPassword::parse("pendek").is_err());
        assert!(NewPassword::parse("          ").is_err());
        assert!(NewPassword::parse(&"x".repeat(129)).is_err());
        let p = NewPassword::parse("rahasia-sekali-123").unwrap();
        assert_eq!(format!("{p:?}"), "NewPassword(***)");
    }
}
