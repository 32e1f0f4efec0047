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

/// Holidays that hold whatever a year's joint decree says: fixed by law
/// (1 January, 1 May, 1 June, 17 August, 25 December) and those that follow
/// from Easter (Wafat Yesus Kristus, Kenaikan Yesus Kristus). Lunar dates
/// are never guessed.
pub fn holidays_fixed_by_law(year: i32) -> Vec<NaiveDate> {
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let mut out: Vec<NaiveDate> = [(1, 1), (5, 1), (6, 1), (8, 17), (12, 25)]
        .into_iter()
        .filter_map(|(m, d)| ymd(m, d))
        .collect();
    if let Some(easter) = easter_sunday(year) {
        out.push(easter - Days::new(2));
        out.push(easter + Days::new(39));
    }
    out.sort_unstable();
    out
}

/// Easter Sunday of the Gregorian calendar (the anonymous algorithm of
/// Meeus, Jones and Butcher).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

const FIRST_YEAR: i32 = 1945;
const LAST_YEAR: i32 = 2101;

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    holidays: BTreeSet<NaiveDate>,
    /// The years whose joint decree is loaded; `None`: every year is taken
    /// as decided (a calendar given its holidays outright, as in tests).
    decrees: Option<BTreeSet<i32>>,
    /// Every working day from 1945 to 2101 in order, so that counting n
    /// working days is a binary search, not a walk: the engine counts a
    /// report deadline for ~900,000 semesters over 100,000 agreements.
    working: Vec<NaiveDate>,
}

impl Calendar {
    /// A calendar with exactly these holidays, every year taken as decided.
    pub fn new(days: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self::build(days.into_iter().collect(), None)
    }

    /// The registry's calendar: `days` from the holiday table, `decree_years`
    /// the years whose decree is loaded. Any other year counts only the
    /// holidays fixed by law or by Easter, and a date counted through it is
    /// provisional.
    pub fn with_decrees(
        days: impl IntoIterator<Item = NaiveDate>,
        decree_years: impl IntoIterator<Item = i32>,
    ) -> Self {
        let decrees: BTreeSet<i32> = decree_years.into_iter().collect();
        let mut holidays: BTreeSet<NaiveDate> = days.into_iter().collect();
        for year in FIRST_YEAR..=LAST_YEAR {
            if !decrees.contains(&year) {
                holidays.extend(holidays_fixed_by_law(year));
            }
        }
        Self::build(holidays, Some(decrees))
    }

    fn build(holidays: BTreeSet<NaiveDate>, decrees: Option<BTreeSet<i32>>) -> Self {
        let mut working = Vec::with_capacity(41_000);
        let (mut d, last) = (
            NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).expect("1945"),
            NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).expect("2101"),
        );
        while d <= last {
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&d) {
                working.push(d);
            }
            d = d + Days::new(1);
        }
        Calendar {
            holidays,
            decrees,
            working,
        }
    }

    /// The shipped table, with its years as the decided ones.
    pub fn shipped() -> Self {
        let rows = parse_holidays_csv(SHIPPED_HOLIDAYS_CSV).unwrap_or_default();
        let years: BTreeSet<i32> = rows.iter().map(|h| h.date.year()).collect();
        Calendar::with_decrees(rows.into_iter().map(|h| h.date), years)
    }

    /// Whether the year's joint decree is loaded (always, for a calendar
    /// given its holidays outright).
    pub fn is_decided(&self, year: i32) -> bool {
        self.decrees.as_ref().is_none_or(|d| d.contains(&year))
    }

    /// Whether a date counted over the days `from..=to` is an estimate: a
    /// year among them has no decree loaded.
    pub fn is_estimate(&self, from: NaiveDate, to: NaiveDate) -> bool {
        from <= to && (from.year()..=to.year()).any(|y| !self.is_decided(y))
    }

    /// The `n`-th working day after `after`, and whether it is provisional
    /// (counted through a year without its decree).
    pub fn add_working_days_marked(&self, after: NaiveDate, n: u32) -> (NaiveDate, bool) {
        let due = self.add_working_days(after, n);
        (due, self.is_estimate(after + Days::new(1), due))
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
        assert_eq!(all.len(), 210);
        assert_eq!(all.iter().filter(|h| h.date.year() == 2027).count(), 26);
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
    #[test]
    fn easter_and_the_holidays_it_fixes() {
        for (y, m, day) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2038, 4, 25),
        ] {
            assert_eq!(easter_sunday(y), Some(d(y, m, day)));
        }
        // 2027's decree names Wafat Yesus Kristus on 26 March and Kenaikan on 6 May.
        let fixed = holidays_fixed_by_law(2027);
        assert!(fixed.contains(&d(2027, 3, 26)) && fixed.contains(&d(2027, 5, 6)));
        assert_eq!(holidays_fixed_by_law(2028).len(), 7);
        let shipped = parse_holidays_csv(SHIPPED_HOLIDAYS_CSV).unwrap();
        for year in 2019..=2027 {
            for day in holidays_fixed_by_law(year) {
                // Every decree of 2019–2027 lists them (Kenaikan 2021 shares its
                // row with Idul Fitri).
                assert!(shipped.iter().any(|h| h.date == day), "{day}");
            }
        }
    }

    #[test]
    fn semester_two_2026_is_due_on_18_january_2027() {
        // 1 January (Tahun Baru) and 5 January (Isra Mikraj) 2027 are holidays.
        let cal = Calendar::shipped();
        assert_eq!(
            cal.add_working_days_marked(d(2026, 12, 31), 10),
            (d(2027, 1, 18), false)
        );
        // No decree for 2028 yet: 1 January is still a holiday by law, and the date is an estimate.
        assert_eq!(
            cal.add_working_days_marked(d(2027, 12, 31), 10),
            (d(2028, 1, 14), true)
        );
        assert!(!cal.is_decided(2028) && cal.is_decided(2027));
        // A calendar given outright has no estimates.
        assert!(
            !Calendar::new([])
                .add_working_days_marked(d(2040, 6, 30), 10)
                .1
        );
    }

    #[test]
    fn holiday_years_each_list_what_is_shipped() {
        let cal = Calendar::shipped();
        assert!((2019..=2027).all(|y| cal.is_decided(y)));
        assert!(!cal.is_decided(2018));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// The shipped calendar, and for each shipped year the same without that
    /// year's rows and decree (built once: each takes a while unoptimised).
    fn calendars() -> &'static (Calendar, Vec<(i32, Calendar)>) {
        static CALENDARS: std::sync::OnceLock<(Calendar, Vec<(i32, Calendar)>)> =
            std::sync::OnceLock::new();
        CALENDARS.get_or_init(|| {
            let rows = parse_holidays_csv(SHIPPED_HOLIDAYS_CSV).unwrap();
            let without = |year: i32| {
                Calendar::with_decrees(
                    rows.iter()
                        .filter(|h| h.date.year() != year)
                        .map(|h| h.date),
                    (2019..=2027).filter(|y| *y != year),
                )
            };
            (
                Calendar::shipped(),
                (2019..=2027).map(|y| (y, without(y))).collect(),
            )
        })
    }

    fn day_in(range: std::ops::Range<i32>) -> impl Strategy<Value = NaiveDate> {
        let first = NaiveDate::from_ymd_opt(range.start, 1, 1).unwrap();
        let days = (NaiveDate::from_ymd_opt(range.end, 1, 1).unwrap() - first).num_days();
        (0..days).prop_map(move |n| first + Days::new(n as u64))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Counting only through years whose decree is loaded never gives a
        /// provisional date, and counting into one without does.
        #[test]
        fn provisional_exactly_when_a_year_lacks_its_decree(after in day_in(2018..2029), n in 0u32..40) {
            let (cal, _) = calendars();
            let (due, provisional) = cal.add_working_days_marked(after, n);
            let crosses_undecided = n > 0 && ((after + Days::new(1)).year()..=due.year()).any(|y| !(2019..=2027).contains(&y));
            prop_assert_eq!(provisional, crosses_undecided);
        }

        /// Taking one year's rows (and its decree) out makes exactly the dates
        /// counted through that year provisional; every other date stays as it was.
        #[test]
        fn removing_a_year_marks_exactly_the_dates_that_cross_it(year in 2019i32..=2027, after in day_in(2019..2027), n in 1u32..30) {
            let (full, without) = calendars();
            let (due_full, prov_full) = full.add_working_days_marked(after, n);
            prop_assume!(!prov_full);
            let reduced = &without.iter().find(|(y, _)| *y == year).unwrap().1;
            let (due, provisional) = reduced.add_working_days_marked(after, n);
            let crosses = ((after + Days::new(1)).year()..=due.year()).contains(&year);
            prop_assert_eq!(provisional, crosses);
            if !crosses {
                prop_assert_eq!(due, due_full);
            }
        }
    }
}
