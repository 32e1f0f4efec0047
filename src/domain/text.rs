//! Text that enters the core: every string of every document (a request
//! body, an import file, a query parameter) holds no control character but
//! newline and tab and stays within its field's length; names are trimmed.
//! And small validated text values: e-mail addresses, phone numbers, IP
//! addresses.

use validator::{ValidateEmail, ValidateIp};

macro_rules! text_newtype {
    ($name:ident, schema($($schema:tt)*), $check:expr) => {
        super::string_newtype!($name, schema($($schema)*));

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, String> {
                let check: fn(&str) -> Result<String, String> = $check;
                check(raw.trim()).map($name)
            }
        }
    };
}

text_newtype!(
    Email,
    schema(
        description = "Alamat e-mail.",
        format = Email,
        example = "dinpendukcapil@purbalinggakab.go.id",
    ),
    |s| {
        if s.validate_email() {
            Ok(s.to_string())
        } else {
            Err(format!("alamat e-mail '{s}' tidak valid"))
        }
    }
);

text_newtype!(
    IpAddress,
    schema(
        description = "Alamat IP (IPv4 atau IPv6).",
        example = "10.10.0.72",
    ),
    |s| {
        if s.validate_ip() {
            Ok(s.to_string())
        } else {
            Err(format!("alamat IP '{s}' tidak valid"))
        }
    }
);

text_newtype!(
    Phone,
    schema(
        description =
            "Nomor telepon: 6-16 angka, boleh diawali '+' dan memuat spasi, '-', '(' atau ')'. \
            Disamarkan (0812****0001) bagi pembaca yang tidak berhak melihatnya.",
        example = "087715480689",
    ),
    |s| {
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let shape_ok = s.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (i == 0 && c == '+')
        });
        if shape_ok && (6..=16).contains(&digits) {
            Ok(s.to_string())
        } else {
            Err("nomor telepon hanya boleh berisi 6-16 angka (boleh diawali '+')".into())
        }
    }
);

/// The longest text a field holds, in characters, by its name in the
/// documents: generous for what people write, finite for what an index or a
/// page must hold.
pub fn max_chars(field: &str) -> usize {
    match field {
        "number" | "region_code" | "bandwidth" | "username" | "kind" | "status" | "channel"
        | "method" | "side" | "nip" | "nik" | "phone" | "code" | "semester" => 100,
        "name" | "short_name" | "position" | "place" | "issuer" | "signed_place" | "parent"
        | "document_set" | "subject" | "email" | "report_email" => 300,
        "address"
        | "estimated_connection"
        | "return_data_url"
        | "sam_activation_url"
        | "web_portal_ip"
        | "ip_lan"
        | "source" => 1_000,
        "title" => 2_000,
        _ => 10_000,
    }
}

/// Fields whose value is a name: surrounding spaces are dropped.
const TRIMMED: &[&str] = &["name", "short_name", "title", "position", "parent"];

/// Checks one text value: no control characters but newline and tab, at
/// most `max` characters. The message is Indonesian and says which rule.
pub fn check_text(s: &str, max: usize) -> Result<(), String> {
    if let Some(c) = s
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(format!(
            "teks memuat karakter kendali U+{:04X} yang tidak diperbolehkan",
            c as u32
        ));
    }
    let n = s.chars().count();
    if n > max {
        return Err(format!(
            "teks terlalu panjang: {n} karakter, paling banyak {max}"
        ));
    }
    Ok(())
}

/// Cleans every string in a JSON document in place (Windows line ends become
/// newlines, names are trimmed) and returns `(JSON pointer, message)` for
/// each string that breaks [`check_text`]. `base` is the document's own
/// pointer in a larger one.
pub fn clean_json(value: &mut serde_json::Value, base: &str) -> Vec<(String, String)> {
    let mut errors = vec![];
    walk(value, base, "", &mut errors);
    errors
}

fn walk(v: &mut serde_json::Value, at: &str, field: &str, errors: &mut Vec<(String, String)>) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            if s.contains('\r') {
                *s = s.replace("\r\n", "\n");
            }
            if TRIMMED.contains(&field) && s.trim().len() != s.len() {
                *s = s.trim().to_string();
            }
            if let Err(m) = check_text(s, max_chars(field)) {
                errors.push((if at.is_empty() { "/".into() } else { at.into() }, m));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk(item, &format!("{at}/{i}"), field, errors);
            }
        }
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                let key = k.replace('~', "~0").replace('/', "~1");
                walk(item, &format!("{at}/{key}"), k, errors);
            }
        }
        _ => {}
    }
}

/// Hides all but the last four digits: `0812******0001`.
/// `s` as one segment of a path: every byte but the unreserved ones
/// percent-encoded (a space is `%20` there, not `+`).
pub fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn mask_phone(phone: &str) -> String {
    let n = phone.chars().count();
    phone
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i >= 4 && i + 4 < n && c.is_ascii_digit() {
                '*'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_clean_and_finite() {
        let mut doc = serde_json::json!({
            "title": "  Perjanjian  ",
            "parties": [{"institution": {"name": "Dinas\u{0}X"}}],
            "purpose": "baris satu\r\nbaris dua\tkolom",
            "legal_bases": ["a".repeat(10_001)],
        });
        let errors = clean_json(&mut doc, "");
        assert_eq!(doc["title"], "Perjanjian");
        assert_eq!(doc["purpose"], "baris satu\nbaris dua\tkolom");
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].0, "/legal_bases/0");
        assert!(errors[0].1.contains("10001 karakter"));
        assert_eq!(errors[1].0, "/parties/0/institution/name");
        assert!(errors[1].1.contains("U+0000"));
        assert!(check_text(&"n".repeat(301), max_chars("name")).is_err());
        assert!(check_text("a\u{7}b", 10).is_err());
    }

    #[test]
    fn email_ip_phone() {
        assert!(Email::parse("dinpendukcapil@purbalinggakab.go.id").is_ok());
        assert!(Email::parse("bukan-email").is_err());
        assert!(IpAddress::parse("10.10.0.72").is_ok());
        assert!(IpAddress::parse("10.10.0.256").is_err());
        assert!(Phone::parse("087715480689").is_ok());
        assert!(Phone::parse("+62 812-0000-0001").is_ok());
        assert!(Phone::parse("0812abc").is_err());
        assert_eq!(mask_phone("081200000001"), "0812****0001");
    }
}
