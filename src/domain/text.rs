//! Small validated text values: e-mail addresses, phone numbers, IP addresses.

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

/// Hides all but the last four digits: `0812******0001`.
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
