//! Official letter numbers (nomor surat): segments separated by `/`, such as
//! `400.12/2432/2025`, `32/1/KS/IX/2019`, `470/2566.12/XI/2020` or
//! `400.8.1.2/8765/Dukcapil`. OCR'd documents put spaces around the slashes
//! (`119 / 7138 /DUKCAPIL`); they are normalised away.

super::string_newtype!(
    LetterNumber,
    schema(
        description = "Nomor surat: bagian-bagian berisi huruf, angka, titik, garis bawah atau \
            tanda hubung, dipisah '/', memuat angka, paling panjang 100 karakter.",
        pattern = "^[A-Za-z0-9._-]+( */ *[A-Za-z0-9._-]+)+$",
        example = "400.12/2432/2025",
    )
);

impl LetterNumber {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let segments: Vec<&str> = raw.split('/').map(str::trim).collect();
        if segments.len() < 2 {
            return Err(
                "nomor surat harus terdiri dari beberapa bagian dipisah '/', contoh 400.12/2432/2025"
                    .into(),
            );
        }
        if segments.iter().any(|s| s.is_empty()) {
            return Err("nomor surat tidak boleh memuat bagian kosong di antara '/'".into());
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
        if let Some(seg) = segments.iter().find(|s| !s.chars().all(allowed)) {
            return Err(format!(
                "nomor surat: bagian '{seg}' hanya boleh memuat huruf, angka, titik atau tanda hubung"
            ));
        }
        if !segments
            .iter()
            .any(|s| s.chars().any(|c| c.is_ascii_digit()))
        {
            return Err("nomor surat harus memuat angka".into());
        }
        let s = segments.join("/");
        if s.len() > 100 {
            return Err("nomor surat terlalu panjang (maksimum 100 karakter)".into());
        }
        Ok(LetterNumber(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_formats() {
        for ok in [
            "400.12/2432/2025",
            "518/4180/IX/2025",
            "470/2566.12/XI/2020",
            "32/1/KS/IX/2019",
            "400.8.1.2/8765/Dukcapil",
        ] {
            assert_eq!(LetterNumber::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(
            LetterNumber::parse("119 / 7138 /DUKCAPIL")
                .unwrap()
                .as_str(),
            "119/7138/DUKCAPIL"
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "2025",
            "400//2025",
            "abc/def",
            "400/2432/20 25",
            "400/<b>/2025",
        ] {
            assert!(
                LetterNumber::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }
}
