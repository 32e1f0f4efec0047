//! The holiday table behind every working-day count: shipped for the years
//! in use, editable through the API and the CLI.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::schema::holidays;
use super::{decode, encode, DbConnection, StoreError};
use crate::domain::calendar::{parse_holidays_csv, Calendar, Holiday, SHIPPED_HOLIDAYS_CSV};

/// Loads the shipped table into an empty holiday table.
pub fn seed(conn: &mut DbConnection) -> Result<usize, StoreError> {
    let present: i64 = holidays::table.count().get_result(conn)?;
    if present > 0 {
        return Ok(0);
    }
    let rows = parse_holidays_csv(SHIPPED_HOLIDAYS_CSV).map_err(StoreError::Unavailable)?;
    for h in &rows {
        upsert(conn, h)?;
    }
    Ok(rows.len())
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

pub fn calendar(conn: &mut DbConnection) -> Result<Calendar, StoreError> {
    let dates: Vec<NaiveDate> = holidays::table.select(holidays::date).load(conn)?;
    Ok(Calendar::new(dates))
}

/// The years the table covers, for a warning when a date falls outside them.
pub fn years(conn: &mut DbConnection) -> Result<Vec<i32>, StoreError> {
    let dates: Vec<NaiveDate> = holidays::table.select(holidays::date).load(conn)?;
    let mut years: Vec<i32> = dates.iter().map(|d| d.year()).collect();
    years.dedup();
    Ok(years)
}
