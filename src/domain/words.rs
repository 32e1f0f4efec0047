//! Indonesian words for numbers and dates, as legal documents and letters
//! write them: "8 (delapan)", "Selasa tanggal Enam belas bulan September
//! tahun Dua ribu dua puluh lima", Roman months in letter numbers.

use chrono::{Datelike, NaiveDate, Weekday};

const ONES: [&str; 12] = [
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    "sepuluh", "sebelas",
];

/// A whole number in words, lower case: 2025 → "dua ribu dua puluh lima".
pub fn number_words(n: u64) -> String {
    fn below_thousand(n: u64) -> String {
        match n {
            0..=11 => ONES[n as usize].to_string(),
            12..=19 => format!("{} belas", ONES[(n - 10) as usize]),
            20..=99 => {
                let rest = n % 10;
                let tens = format!("{} puluh", ONES[(n / 10) as usize]);
                if rest == 0 {
                    tens
                } else {
                    format!("{tens} {}", ONES[rest as usize])
                }
            }
            _ => {
                let hundreds = if n / 100 == 1 {
                    "seratus".to_string()
                } else {
                    format!("{} ratus", ONES[(n / 100) as usize])
                };
                match n % 100 {
                    0 => hundreds,
                    rest => format!("{hundreds} {}", below_thousand(rest)),
                }
            }
        }
    }
    if n < 1000 {
        return below_thousand(n);
    }
    const SCALES: [(u64, &str); 4] = [
        (1_000_000_000_000, "triliun"),
        (1_000_000_000, "miliar"),
        (1_000_000, "juta"),
        (1_000, "ribu"),
    ];
    let mut parts = vec![];
    let mut rest = n;
    for (size, name) in SCALES {
        let count = rest / size;
        if count > 0 {
            if size == 1_000 && count == 1 {
                parts.push("seribu".to_string());
            } else {
                parts.push(format!("{} {name}", number_words(count)));
            }
            rest %= size;
        }
    }
    if rest > 0 {
        parts.push(below_thousand(rest));
    }
    parts.join(" ")
}

/// "Dua ribu dua puluh lima": the first letter capitalised, as in a date written out.
pub fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A file's size in words: "820 KB", "1,4 MB" (decimal comma).
pub fn file_size(bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    if b < 1024.0 * 1024.0 {
        format!("{} KB", (b / 1024.0).ceil() as u64)
    } else {
        format!("{:.1} MB", b / (1024.0 * 1024.0)).replace('.', ",")
    }
}

/// A count as a PKS states it: "8 (delapan)".
pub fn count(n: u64) -> String {
    format!("{n} ({})", number_words(n))
}

pub fn month_name(month: u32) -> &'static str {
    const MONTHS: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    MONTHS[(month.clamp(1, 12) - 1) as usize]
}

pub fn day_name(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "Senin",
        Weekday::Tue => "Selasa",
        Weekday::Wed => "Rabu",
        Weekday::Thu => "Kamis",
        Weekday::Fri => "Jumat",
        Weekday::Sat => "Sabtu",
        Weekday::Sun => "Minggu",
    }
}

/// "16 September 2025".
pub fn date_short(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), month_name(d.month()), d.year())
}

/// "Selasa, 16 September 2025".
pub fn date_long(d: NaiveDate) -> String {
    format!("{}, {}", day_name(d), date_short(d))
}

/// The signing day of a PKS: "Selasa tanggal Enam belas bulan September tahun
/// Dua ribu dua puluh lima".
pub fn date_in_words(d: NaiveDate) -> String {
    format!(
        "{} tanggal {} bulan {} tahun {}",
        day_name(d),
        capitalized(&number_words(d.day() as u64)),
        month_name(d.month()),
        capitalized(&number_words(d.year() as u64))
    )
}

/// Roman month for letter numbers: 11 → "XI".
pub fn roman_month(month: u32) -> &'static str {
    const ROMAN: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    ROMAN[(month.clamp(1, 12) - 1) as usize]
}

/// A number with Indonesian digit grouping, as a quota is written: 200 →
/// "200", 10000 → "10.000".
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Roman numerals for numbered rows and chapters: 4 → "IV". Zero is "0".
pub fn roman(n: u32) -> String {
    const PARTS: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    if n == 0 {
        return "0".into();
    }
    let mut rest = n;
    let mut out = String::new();
    for (value, numeral) in PARTS {
        while rest >= value {
            out.push_str(numeral);
            rest -= value;
        }
    }
    out
}

/// "a, b, dan c".
pub fn join_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} dan {b}"),
        [init @ .., last] => format!("{}, dan {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        let cases = [
            (0, "nol"),
            (8, "delapan"),
            (11, "sebelas"),
            (12, "dua belas"),
            (16, "enam belas"),
            (20, "dua puluh"),
            (100, "seratus"),
            (110, "seratus sepuluh"),
            (200, "dua ratus"),
            (1000, "seribu"),
            (1019, "seribu sembilan belas"),
            (2025, "dua ribu dua puluh lima"),
            (11_000, "sebelas ribu"),
            (100_000, "seratus ribu"),
            (1_000_000, "satu juta"),
            (2_500_000_000, "dua miliar lima ratus juta"),
            (3_000_000_000_001, "tiga triliun satu"),
        ];
        for (n, words) in cases {
            assert_eq!(number_words(n), words, "{n}");
        }
        assert_eq!(count(8), "8 (delapan)");
        assert_eq!(count(2), "2 (dua)");
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2025, 9, 16).unwrap();
        assert_eq!(
            date_in_words(d),
            "Selasa tanggal Enam belas bulan September tahun Dua ribu dua puluh lima"
        );
        let bkn = NaiveDate::from_ymd_opt(2019, 9, 20).unwrap();
        assert_eq!(
            date_in_words(bkn),
            "Jumat tanggal Dua puluh bulan September tahun Dua ribu sembilan belas"
        );
        assert_eq!(
            date_long(NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()),
            "Kamis, 15 Januari 2026"
        );
        assert_eq!(roman_month(11), "XI");
        assert_eq!(roman_month(9), "IX");
    }

    #[test]
    fn lists() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_list(&v(&["NIK"])), "NIK");
        assert_eq!(join_list(&v(&["NIK", "Nama"])), "NIK dan Nama");
        assert_eq!(join_list(&v(&["a", "b", "c"])), "a, b, dan c");
    }

    #[test]
    fn grouped_numbers_and_roman_numerals() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(200), "200");
        assert_eq!(grouped(1000), "1.000");
        assert_eq!(grouped(1_234_567), "1.234.567");
        assert_eq!(roman(1), "I");
        assert_eq!(roman(4), "IV");
        assert_eq!(roman(6), "VI");
        assert_eq!(roman(14), "XIV");
        assert_eq!(roman(2025), "MMXXV");
        assert_eq!(roman(0), "0");
    }
}
