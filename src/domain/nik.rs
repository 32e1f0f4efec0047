//! Nomor Induk Kependudukan: 16 digits = province(2) regency(2) district(2)
//! DDMMYY (day + 40 for women) serial(4).

use chrono::NaiveDate;

super::string_newtype!(
    Nik,
    schema(
        description = "NIK 16 digit: kode wilayah (6), tanggal lahir DDMMYY (tanggal + 40 untuk \
            perempuan), nomor urut (4). Disamarkan (3303********0007) bagi pembaca yang tidak \
            berhak melihatnya.",
        pattern = "^[0-9]{4}[0-9*]{8}[0-9]{4}$",
        example = "3303051909670007",
    )
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl Nik {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if s.len() != 16 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err("NIK harus terdiri dari 16 digit angka".into());
        }
        let n = |a: usize, b: usize| s[a..b].parse::<u32>().unwrap_or(0);
        let province = n(0, 2);
        if !(11..=99).contains(&province) {
            return Err("NIK: kode provinsi (digit 1-2) tidak valid".into());
        }
        if n(2, 4) == 0 || n(4, 6) == 0 {
            return Err(
                "NIK: kode kabupaten/kota atau kecamatan (digit 3-6) tidak boleh 00".into(),
            );
        }
        let (day, month, yy) = (n(6, 8), n(8, 10), n(10, 12));
        let day = if day > 40 { day - 40 } else { day };
        // The century is not encoded: a date is valid if it exists in 19YY or 20YY.
        let exists = [1900, 2000]
            .iter()
            .any(|c| NaiveDate::from_ymd_opt((c + yy) as i32, month, day).is_some());
        if !exists {
            return Err(
                "NIK: tanggal lahir (digit 7-12, DDMMYY, tanggal + 40 untuk perempuan) tidak valid"
                    .into(),
            );
        }
        if n(12, 16) == 0 {
            return Err("NIK: nomor urut (digit 13-16) tidak boleh 0000".into());
        }
        Ok(Nik(s))
    }

    pub fn sex(&self) -> Sex {
        if self.0[6..8].parse::<u32>().unwrap_or(0) > 40 {
            Sex::Female
        } else {
            Sex::Male
        }
    }

    /// `3303********0008`: region code and serial visible, birth data hidden.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..4], &self.0[12..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_synthetic_male_and_female() {
        assert_eq!(Nik::parse("3303051909670007").unwrap().sex(), Sex::Male);
        let f = Nik::parse("3303055909679001").unwrap();
        assert_eq!(f.sex(), Sex::Female);
        assert_eq!(f.masked(), "3303********9001");
    }

    #[test]
    fn strips_spaces() {
        assert_eq!(
            Nik::parse("3303 0519 0967 0007").unwrap().as_str(),
            "3303051909670007"
        );
    }

    #[test]
    fn rejects_bad_shapes() {
        for bad in [
            "",
            "330305190967000",
            "33030519096700071",
            "33030519096700a7",
            "0003051909670007", // province 00
            "3300051909670007", // regency 00
            "3303053209670007", // day 32
            "3303057209670007", // day 72 (32 + 40)
            "3303051913670007", // month 13
            "3303053002670007", // 30 February
            "3303051909670000", // serial 0000
        ] {
            assert!(Nik::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn leap_day_needs_a_leap_year() {
        assert!(Nik::parse("3303052902000001").is_ok());
        assert!(Nik::parse("3303056902040001").is_ok());
        assert!(Nik::parse("3303052902010001").is_err());
    }
}
