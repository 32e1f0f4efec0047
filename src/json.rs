//! JSON input: decoding with the failing field named as a JSON pointer, and
//! RFC 7396 merge patches.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::domain::agreement::FieldError;

#[derive(Debug)]
pub enum JsonError {
    /// Not JSON at all (HTTP 400).
    Malformed(String),
    /// JSON, but a value breaks a rule (HTTP 422).
    Invalid(Vec<FieldError>),
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push_str(&format!("/{}", key.replace('~', "~0").replace('/', "~1")))
            }
            Segment::Enum { variant } => out.push_str(&format!("/{variant}")),
            Segment::Unknown => {}
        }
    }
    out
}

/// serde's own wording, made readable for an Indonesian user where it is generic.
fn message(e: &serde_json::Error) -> String {
    let raw = e.to_string();
    let raw = match raw.find(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw,
    };
    if let Some(rest) = raw.strip_prefix("missing field ") {
        return format!("kolom wajib {rest} tidak ada");
    }
    if let Some(rest) = raw.strip_prefix("unknown field ") {
        let field = rest.split(',').next().unwrap_or(rest);
        return format!("kolom {field} tidak dikenal dalam format ini");
    }
    if let Some(rest) = raw.strip_prefix("unknown variant ") {
        return format!("nilai {rest}");
    }
    const CHRONO: &[&str] = &[
        "input contains invalid characters",
        "premature end of input",
        "input is out of range",
        "input is not enough",
        "trailing input",
        "no possible date and time",
    ];
    if CHRONO.iter().any(|p| raw.starts_with(p)) {
        return format!("tanggal tidak valid (format YYYY-MM-DD): {raw}");
    }
    if raw.starts_with("invalid type") || raw.starts_with("invalid value") {
        return format!("tipe nilai tidak sesuai: {raw}");
    }
    raw
}

fn classify(err: serde_path_to_error::Error<serde_json::Error>, base: &str) -> JsonError {
    let pointer = format!("{base}{}", pointer_of(err.path()));
    let inner = err.inner();
    match inner.classify() {
        serde_json::error::Category::Syntax
        | serde_json::error::Category::Eof
        | serde_json::error::Category::Io => {
            JsonError::Malformed(format!("JSON tidak valid: {inner}"))
        }
        serde_json::error::Category::Data => {
            let pointer = if pointer.is_empty() {
                "/".to_string()
            } else {
                pointer
            };
            JsonError::Invalid(vec![FieldError::new(pointer, message(inner))])
        }
    }
}

/// Decodes a request body: first as JSON at all (else `Malformed`), then
/// as `T` (else `Invalid`, naming the field).
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| JsonError::Malformed(format!("JSON tidak valid: {e}")))?;
    from_value_at(value, "")
}

/// Decodes a value that sits at `base` (a JSON pointer) in a larger
/// document. Its text is cleaned and checked first (`domain::text`): a
/// control character or an over-long value is refused, naming the field.
pub fn from_value_at<T: DeserializeOwned>(mut value: Value, base: &str) -> Result<T, JsonError> {
    let errors = crate::domain::text::clean_json(&mut value, base);
    if !errors.is_empty() {
        return Err(JsonError::Invalid(
            errors
                .into_iter()
                .map(|(pointer, message)| FieldError::new(pointer, message))
                .collect(),
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| classify(e, base))
}

/// RFC 7396: objects merge key by key, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            let t = target.as_object_mut().expect("object");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc7396() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
    }

    #[test]
    fn errors_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct P {
            items: Vec<Q>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Q {
            nik: crate::domain::Nik,
        }
        match from_slice::<P>(br#"{"items":[{"nik":"3303051909670007"},{"nik":"123"}]}"#) {
            Err(JsonError::Invalid(e)) => {
                assert_eq!(e[0].pointer, "/items/1/nik");
                assert!(e[0].message.contains("16 digit"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            from_slice::<P>(b"{\"items\": ["),
            Err(JsonError::Malformed(_))
        ));
    }
}

/// Timestamps are stored as UTC without an offset; the API writes them as
/// RFC 3339 with `Z`, as its OpenAPI `date-time` format requires.
pub fn utc<S: serde::Serializer>(t: &chrono::NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(
        &t.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    )
}

pub fn utc_opt<S: serde::Serializer>(
    t: &Option<chrono::NaiveDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => utc(t, s),
        None => s.serialize_none(),
    }
}
