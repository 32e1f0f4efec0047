//! Working days (hari kerja): Monday to Friday that are neither a national
//! holiday nor cuti bersama in the holiday table.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(description = "`libur_nasional` hari libur nasional, `cuti_bersama` cuti bersama.")]
pub enum HolidayKind {
    LiburNasional,
    CutiBersama,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(description = "Hari libur atau cuti bersama: bukan hari kerja.")]
pub struct Holiday {
    pub date: NaiveDate,
    pub kind: HolidayKind,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The holiday table shipped with the program (SKB 3 Menteri, final amended lists).
pub const SHIPPED_HOLIDAYS_CSV: &str = include_str!("../../data/hari-libur.csv");

/// Reads `date,kind,name,source` rows with a header (the format of
/// `data/hari-libur.csv`); an error names the line.
pub fn parse_holidays_csv(text: &str) -> Result<Vec<Holiday>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = vec![];
    for (i, record) in reader.records().enumerate() {
        let n = i + 2;
        let r = record.map_err(|e| format!("baris {n}: {e}"))?;
        let field = |k: usize| r.get(k).unwrap_or("").trim();
        let date = NaiveDate::parse_from_str(field(0), "%Y-%m-%d")
            .map_err(|_| format!("baris {n}: tanggal '{}' tidak valid (YYYY-MM-DD)", field(0)))?;
        let kind = match field(1) {
            "libur_nasional" => HolidayKind::LiburNasional,
            "cuti_bersama" => HolidayKind::CutiBersama,
            other => {
                return Err(format!(
                    "baris {n}: jenis '{other}' harus libur_nasional atau cuti_bersama"
                ))
            }
        };
        if field(2).is_empty() {
            return Err(format!("baris {n}: nama hari libur wajib diisi"));
        }
        out.push(Holiday {
            date,
            kind,
            name: field(2).to_string(),
            source: Some(field(3).to_string()).filter(|s| !s.is_empty()),
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    holidays: BTreeSet<NaiveDate>,
    /// Every working day from 1945 to 2101 in order, so that counting n
    /// working days is a binary search, not a walk: the engine counts a
    /// report deadline for ~900,000 semesters over 100,000 agreements.
    working: Vec<NaiveDate>,
}

impl Calendar {
    pub fn new(days: impl IntoIterator<Item = NaiveDate>) -> Self {
        let holidays: BTreeSet<NaiveDate> = days.into_iter().collect();
        let mut working = Vec::with_capacity(41_000);
        let (mut d, last) = (
            NaiveDate::from_ymd_opt(1945, 1, 1).expect("1945"),
            NaiveDate::from_ymd_opt(2101, 12, 31).expect("2101"),
        );
        while d <= last {
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&d) {
                working.push(d);
            }
            d = d + Days::new(1);
        }
        Calendar { holidays, working }
    }

    pub fn shipped() -> Self {
        Calendar::new(
            parse_holidays_csv(SHIPPED_HOLIDAYS_CSV)
                .unwrap_or_default()
                .into_iter()
                .map(|h| h.date),
        )
    }

    pub fn is_holiday(&self, d: NaiveDate) -> bool {
        self.holidays.contains(&d)
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_holiday(d)
    }

    /// The `n`-th working day after `after`; the count starts the next day.
    pub fn add_working_days(&self, after: NaiveDate, n: u32) -> NaiveDate {
        if n > 0 {
            let i = self.working.partition_point(|d| *d <= after) + n as usize - 1;
            if i < self.working.len() && self.working.first().is_some_and(|f| *f <= after) {
                return self.working[i];
            }
        }
        let mut d = after;
        let mut left = n;
        while left > 0 {
            d = d + Days::new(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The `n`-th working day before `before`.
    pub fn sub_working_days(&self, before: NaiveDate, n: u32) -> NaiveDate {
        let i = self.working.partition_point(|d| *d < before);
        if n > 0 && i >= n as usize && self.working.last().is_some_and(|l| *l >= before) {
            return self.working[i - n as usize];
        }
        let mut d = before;
        let mut left = n;
        while left > 0 {
            d = d - Days::new(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The first working day on or after `d`.
    pub fn working_day_on_or_after(&self, d: NaiveDate) -> NaiveDate {
        let mut d = d;
        while !self.is_working_day(d) {
            d = d + Days::new(1);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn shipped_table_reads_whole() {
        let all = parse_holidays_csv(SHIPPED_HOLIDAYS_CSV).unwrap();
        assert_eq!(all.len(), 184);
        assert!(all
            .iter()
            .any(|h| h.date == d(2021, 5, 13) && h.name.contains("; ")));
        assert_eq!(
            all.iter()
                .filter(|h| h.date.year() == 2026 && h.kind == HolidayKind::CutiBersama)
                .count(),
            8
        );
    }

    #[test]
    fn report_window_counts_working_days_from_the_next_day() {
        let cal = Calendar::shipped();
        // S1 2025: 1-4, 7-11, 14 July.
        assert_eq!(cal.add_working_days(d(2025, 6, 30), 10), d(2025, 7, 14));
        // S2 2025: 1 January 2026 is a holiday, so the tenth working day is the 15th, not the 14th.
        assert_eq!(cal.add_working_days(d(2025, 12, 31), 10), d(2026, 1, 15));
        assert_eq!(
            Calendar::default().add_working_days(d(2025, 12, 31), 10),
            d(2026, 1, 14)
        );
        // Idul Fitri 2024: 8-15 April off.
        assert_eq!(cal.add_working_days(d(2024, 4, 5), 1), d(2024, 4, 16));
    }

    #[test]
    fn counting_back_and_forward() {
        let cal = Calendar::shipped();
        assert_eq!(cal.sub_working_days(d(2026, 1, 15), 3), d(2026, 1, 12));
        assert_eq!(cal.working_day_on_or_after(d(2026, 3, 18)), d(2026, 3, 25));
        assert!(!cal.is_working_day(d(2026, 3, 21)));
    }

    #[test]
    fn lookup_agrees_with_walking_day_by_day() {
        let cal = Calendar::shipped();
        let walk = |after: NaiveDate, n: u32| {
            let (mut d, mut left) = (after, n);
            while left > 0 {
                d = d + Days::new(1);
                if cal.is_working_day(d) {
                    left -= 1;
                }
            }
            d
        };
        let mut day = d(2018, 12, 20);
        while day < d(2027, 2, 1) {
            for n in [1, 3, 10, 25] {
                assert_eq!(cal.add_working_days(day, n), walk(day, n), "{day} + {n}");
            }
            day = day + Days::new(3);
        }
        assert_eq!(cal.sub_working_days(d(2026, 1, 15), 3), d(2026, 1, 12));
        assert_eq!(cal.add_working_days(d(2026, 1, 2), 0), d(2026, 1, 2));
    }

    #[test]
    fn bad_rows_are_named() {
        let err = parse_holidays_csv("date,kind,name\n2026-02-30,libur_nasional,X\n").unwrap_err();
        assert!(err.contains("baris 2"), "{err}");
        let err = parse_holidays_csv("date,kind,name\n2026-02-01,libur,X\n").unwrap_err();
        assert!(err.contains("libur_nasional"), "{err}");
    }
}
