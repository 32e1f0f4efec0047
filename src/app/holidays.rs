//! The working-day calendar's table: a day set or removed, an office's
//! decree imported, the shipped years synced.

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use super::audit::{self, Entry};
use super::policy::{self, Action};
use super::{Actor, AppError};
use crate::domain::calendar::Holiday;
use crate::store::holidays as store;
use crate::store::{write_tx, DbConnection, StoreError};

fn existing(c: &mut DbConnection, date: NaiveDate) -> Result<Option<Holiday>, StoreError> {
    Ok(store::list(c, Some(date.year()))?
        .into_iter()
        .find(|h| h.date == date))
}

fn entry(action: &str) -> Entry<'_> {
    Entry {
        action,
        entity: "holiday",
        entity_id: None,
        agreement_id: None,
    }
}

pub fn put(c: &mut DbConnection, actor: &Actor, h: &Holiday) -> Result<Holiday, AppError> {
    policy::allow(actor, Action::WriteHolidays)?;
    if h.name.trim().is_empty() {
        return Err(AppError::invalid("/name", "nama hari libur wajib diisi"));
    }
    Ok(write_tx(c, |c| {
        let before = existing(c, h.date)?.map(|h| audit::json(&h)).transpose()?;
        store::upsert(c, h)?;
        let saved = existing(c, h.date)?.ok_or_else(|| {
            StoreError::Internal("hari libur tidak terbaca setelah disimpan".into())
        })?;
        audit::record(
            c,
            actor,
            entry("put"),
            before.as_ref(),
            Some(&audit::json(&saved)?),
        )?;
        Ok(saved)
    })?)
}

pub fn delete(c: &mut DbConnection, actor: &Actor, date: NaiveDate) -> Result<(), AppError> {
    policy::allow(actor, Action::WriteHolidays)?;
    Ok(write_tx(c, |c| {
        let before = existing(c, date)?.map(|h| audit::json(&h)).transpose()?;
        store::delete(c, date)?;
        audit::record(c, actor, entry("delete"), before.as_ref(), None)
    })?)
}

/// An office's table (a decree as CSV): every row written, and each year it
/// covers counted as decided from then on. Returns those years.
pub fn import(
    c: &mut DbConnection,
    actor: &Actor,
    days: &[Holiday],
    source: &str,
) -> Result<Vec<i32>, AppError> {
    policy::allow(actor, Action::WriteHolidays)?;
    Ok(write_tx(c, |c| {
        let years = store::import(c, days)?;
        let dates: Vec<_> = days.iter().map(|d| d.date).collect();
        let after = json!({"dates": dates, "years": years, "source": source});
        audit::record(c, actor, entry("import"), None, Some(&after))?;
        Ok(years)
    })?)
}

/// The shipped years this database was never given (also done at every start).
pub fn sync(c: &mut DbConnection, actor: &Actor) -> Result<store::SyncReport, AppError> {
    policy::allow(actor, Action::WriteHolidays)?;
    Ok(store::sync(c, &actor.name)?)
}
