//! Nomor Induk Pegawai (civil-servant number): 18 digits = birth YYYYMMDD,
//! appointment YYYYMM, sex 1|2, serial 3. Written in documents as
//! `19671007 199303 1 005`.

use chrono::NaiveDate;

super::string_newtype!(
    Nip,
    schema(
        description = "NIP 18 digit: tanggal lahir (YYYYMMDD), TMT CPNS (YYYYMM), jenis kelamin, \
            nomor urut.",
        pattern = "^[0-9]{18}$",
        example = "196710071993031005",
    )
);

impl Nip {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if s.len() != 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err("NIP harus terdiri dari 18 digit angka".into());
        }
        let n = |a: usize, b: usize| s[a..b].parse::<u32>().unwrap_or(0);
        let birth = NaiveDate::from_ymd_opt(n(0, 4) as i32, n(4, 6), n(6, 8))
            .filter(|d| (1900..=2100).contains(&chrono::Datelike::year(d)));
        let Some(birth) = birth else {
            return Err("NIP: tanggal lahir (digit 1-8, YYYYMMDD) tidak valid".into());
        };
        let (ay, am) = (n(8, 12) as i32, n(12, 14));
        if !(1..=12).contains(&am) || ay < chrono::Datelike::year(&birth) + 14 || ay > 2100 {
            return Err("NIP: TMT pengangkatan (digit 9-14, YYYYMM) tidak valid".into());
        }
        if !matches!(&s[14..15], "1" | "2") {
            return Err("NIP: kode jenis kelamin (digit 15) harus 1 atau 2".into());
        }
        if n(15, 18) == 0 {
            return Err("NIP: nomor urut (digit 16-18) tidak boleh 000".into());
        }
        Ok(Nip(s))
    }

    /// The form printed under a signature: `19671007 199303 1 005`.
    pub fn display_form(&self) -> String {
        let s = &self.0;
        format!("{} {} {} {}", &s[..8], &s[8..14], &s[14..15], &s[15..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_document_form() {
        let nip = Nip::parse("19671007 199303 1 005").unwrap();
        assert_eq!(nip.as_str(), "196710071993031005");
        assert_eq!(nip.display_form(), "19671007 199303 1 005");
    }

    #[test]
    fn rejects_bad_parts() {
        for bad in [
            "19671007199303100",   // 17 digits
            "19671307199303100 5", // month 13
            "196702301993031005",  // 30 Feb
            "196710071993131005",  // appointment month 13
            "196710071970031005",  // appointed at 3
            "196710071993033005",  // sex 3
            "196710071993031000",  // serial 000
            "1967100719930310x5",
        ] {
            assert!(Nip::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
