//! The holiday table behind every working-day count: shipped for the years
//! in use, editable through the API and the CLI.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{holiday_years, holidays};
use super::{decode, encode, DbConnection, StoreError};
use crate::domain::calendar::{parse_holidays_csv, Calendar, Holiday, SHIPPED_HOLIDAYS_CSV};

/// Where a year's decree came from.
pub const ORIGIN_SHIPPED: &str = "shipped";
pub const ORIGIN_IMPORT: &str = "import";

/// A year whose joint decree is loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(description = "Tahun yang keputusan bersama (SKB) hari liburnya sudah dimuat.")]
pub struct DecreeYear {
    pub year: i32,
    /// Keputusan bersama yang dimuat (kolom `source`), bila tercatat.
    pub decree: Option<String>,
    /// `shipped` dari tabel bawaan, `import` dari berkas CSV kantor, `existing` sudah ada
    /// sebelum pencatatan tahun.
    pub origin: String,
    /// Jumlah hari libur dan cuti bersama tahun itu dalam tabel.
    pub days: i64,
}

/// What a sync added: per year the number of rows taken from the shipped table.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub years: Vec<(i32, usize)>,
}

/// Brings in every year of the shipped table that this database has never
/// been given: its rows are added (a date already present is left as the
/// office has it) and the year recorded, so that a year is filled once and
/// a row deleted on purpose later stays deleted. One audited transaction,
/// and none at all when every shipped year is known.
pub fn sync(conn: &mut DbConnection, actor: &str) -> Result<SyncReport, StoreError> {
    let rows = parse_holidays_csv(SHIPPED_HOLIDAYS_CSV).map_err(StoreError::Unavailable)?;
    let known = |conn: &mut DbConnection| -> Result<BTreeSet<i32>, StoreError> {
        Ok(holiday_years::table
            .select(holiday_years::year)
            .load::<i32>(conn)?
            .into_iter()
            .collect())
    };
    let shipped_years: BTreeSet<i32> = rows.iter().map(|h| h.date.year()).collect();
    if shipped_years.is_subset(&known(conn)?) {
        return Ok(SyncReport::default());
    }
    super::write_tx(conn, |conn| {
        let known = known(conn)?;
        let mut report = SyncReport::default();
        for year in shipped_years.difference(&known) {
            let days: Vec<&Holiday> = rows.iter().filter(|h| h.date.year() == *year).collect();
            let mut added = 0;
            for h in &days {
                let exists: i64 = holidays::table
                    .filter(holidays::date.eq(h.date))
                    .count()
                    .get_result(conn)?;
                if exists == 0 {
                    upsert(conn, h)?;
                    added += 1;
                }
            }
            let decree = days.iter().find_map(|h| h.source.clone());
            record_year(conn, *year, decree.as_deref(), ORIGIN_SHIPPED)?;
            report.years.push((*year, added));
        }
        let years: Vec<i32> = report.years.iter().map(|(y, _)| *y).collect();
        let added: usize = report.years.iter().map(|(_, n)| n).sum();
        super::audit::record(
            conn,
            &super::audit::Entry {
                actor,
                action: "sync",
                entity: "holiday",
                entity_id: None,
                agreement_id: None,
                changes: &serde_json::json!({"years": {"after": years}, "rows": {"after": added}}),
            },
        )?;
        Ok(report)
    })
}

/// Records that a year's decree is loaded (or refreshes where it came from).
pub fn record_year(
    conn: &mut DbConnection,
    year: i32,
    decree: Option<&str>,
    origin: &str,
) -> Result<(), StoreError> {
    let now = chrono::Utc::now().naive_utc();
    let values = (
        holiday_years::decree.eq(decree),
        holiday_years::origin.eq(origin),
        holiday_years::loaded_at.eq(now),
    );
    let updated = diesel::update(holiday_years::table.find(year))
        .set(values)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(holiday_years::table)
            .values((holiday_years::year.eq(year), values))
            .execute(conn)?;
    }
    Ok(())
}

/// The years whose decree is loaded, with how many days each holds.
pub fn decree_years(conn: &mut DbConnection) -> Result<Vec<DecreeYear>, StoreError> {
    let rows: Vec<(i32, Option<String>, String)> = holiday_years::table
        .order(holiday_years::year)
        .select((
            holiday_years::year,
            holiday_years::decree,
            holiday_years::origin,
        ))
        .load(conn)?;
    let dates: Vec<NaiveDate> = holidays::table.select(holidays::date).load(conn)?;
    let mut per_year: BTreeMap<i32, i64> = BTreeMap::new();
    for d in dates {
        *per_year.entry(d.year()).or_default() += 1;
    }
    Ok(rows
        .into_iter()
        .map(|(year, decree, origin)| DecreeYear {
            year,
            decree,
            origin,
            days: per_year.get(&year).copied().unwrap_or(0),
        })
        .collect())
}

/// Imports an office's table (a decree as CSV): every row is written, and
/// each year the file covers counts as decided from then on.
pub fn import(conn: &mut DbConnection, days: &[Holiday]) -> Result<Vec<i32>, StoreError> {
    let mut years: BTreeMap<i32, Option<String>> = BTreeMap::new();
    for h in days {
        upsert(conn, h)?;
        let decree = years.entry(h.date.year()).or_default();
        if decree.is_none() {
            decree.clone_from(&h.source);
        }
    }
    for (year, decree) in &years {
        record_year(conn, *year, decree.as_deref(), ORIGIN_IMPORT)?;
    }
    Ok(years.into_keys().collect())
}

pub fn upsert(conn: &mut DbConnection, h: &Holiday) -> Result<(), StoreError> {
    let exists: i64 = holidays::table
        .filter(holidays::date.eq(h.date))
        .count()
        .get_result(conn)?;
    let values = (
        holidays::kind.eq(encode(&h.kind)),
        holidays::name.eq(h.name.trim()),
        holidays::source.eq(h.source.as_deref()),
    );
    if exists > 0 {
        diesel::update(holidays::table.find(h.date))
            .set(values)
            .execute(conn)?;
    } else {
        diesel::insert_into(holidays::table)
            .values((holidays::date.eq(h.date), values))
            .execute(conn)?;
    }
    Ok(())
}

pub fn delete(conn: &mut DbConnection, date: NaiveDate) -> Result<(), StoreError> {
    match diesel::delete(holidays::table.find(date)).execute(conn)? {
        0 => Err(StoreError::NotFound(format!("hari libur {date}"))),
        _ => Ok(()),
    }
}

pub fn list(conn: &mut DbConnection, year: Option<i32>) -> Result<Vec<Holiday>, StoreError> {
    let mut q = holidays::table.order(holidays::date).into_boxed();
    if let Some(y) = year {
        let (from, to) = (
            NaiveDate::from_ymd_opt(y, 1, 1),
            NaiveDate::from_ymd_opt(y, 12, 31),
        );
        if let (Some(from), Some(to)) = (from, to) {
            q = q.filter(holidays::date.ge(from).and(holidays::date.le(to)));
        }
    }
    let rows: Vec<(NaiveDate, String, String, Option<String>)> = q
        .select((
            holidays::date,
            holidays::kind,
            holidays::name,
            holidays::source,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(date, kind, name, source)| {
            Ok(Holiday {
                date,
                kind: decode(kind)?,
                name,
                source,
            })
        })
        .collect()
}

/// The working-day calendar: the table's days, and for a year without its
/// decree only the holidays fixed by law or by Easter (dates counted through
/// it are provisional).
pub fn calendar(conn: &mut DbConnection) -> Result<Calendar, StoreError> {
    let dates: Vec<NaiveDate> = holidays::table.select(holidays::date).load(conn)?;
    let years: Vec<i32> = holiday_years::table
        .select(holiday_years::year)
        .load(conn)?;
    Ok(Calendar::with_decrees(dates, years))
}
