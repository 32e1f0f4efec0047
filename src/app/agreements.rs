//! Agreements and the records under them (scopes, applications, statements,
//! certificates, reports, renewals).

use serde_json::Value;

use super::audit::{self, Entry};
use super::policy::{self, Action};
use super::{Actor, AppError};
use crate::domain::agreement::AgreementDoc;
use crate::domain::calendar::Calendar;
use crate::store::agreements::{self as store, AgreementView};
use crate::store::db::{lock, Locked};
use crate::store::records::Record;
use crate::store::{write_tx, DbConnection, StoreError};

/// The whole agreement as of a date, if the actor may see it.
pub fn get(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    as_of: chrono::NaiveDate,
    cal: &Calendar,
) -> Result<AgreementView, AppError> {
    policy::sees(c, actor, id)?;
    Ok(store::get(c, id, as_of, cal)?)
}

/// The agreement's document (the import shape), if the actor may see it.
pub fn doc(c: &mut DbConnection, actor: &Actor, id: i64) -> Result<AgreementDoc, AppError> {
    policy::sees(c, actor, id)?;
    Ok(store::load_doc(c, id)?.1)
}

/// The consistency check's findings, if the actor may see the agreement.
pub fn check(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    as_of: chrono::NaiveDate,
    max_term_months: u32,
) -> Result<Vec<crate::domain::check::Finding>, AppError> {
    let doc = doc(c, actor, id)?;
    let current_heads = crate::store::documents::current_heads(c, &doc)?;
    let ctx = crate::domain::check::CheckContext {
        as_of,
        max_term_months,
        current_heads,
    };
    Ok(crate::domain::check::check(&doc, &ctx))
}

/// The agreement's audit trail, newest first, if the actor may see it.
pub fn history(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<crate::store::audit::HistoryItem>), AppError> {
    policy::sees(c, actor, id)?;
    // A reader who sees every agreement is not asked about this one by
    // `sees`; one lookup by key tells that it exists.
    if actor.visible.is_all() && !store::exists(c, id)? {
        return Err(StoreError::NotFound(format!("perjanjian {id}")).into());
    }
    Ok(crate::store::audit::history(c, id, limit, offset)?)
}

fn snapshot(
    c: &mut DbConnection,
    id: i64,
    cal: &Calendar,
) -> Result<(AgreementView, Value), StoreError> {
    let view = store::get(c, id, crate::today_jakarta(), cal)?;
    let json = audit::json(&view)?;
    Ok((view, json))
}

pub fn create(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    doc: &AgreementDoc,
) -> Result<AgreementView, AppError> {
    policy::allow(actor, Action::CreateAgreement)?;
    Ok(write_tx(c, |c| {
        let id = store::insert(c, doc)?;
        policy::still_yours(c, actor, id)?;
        let (view, after) = snapshot(c, id, cal)?;
        let e = Entry {
            action: "create",
            entity: "agreement",
            entity_id: Some(id),
            agreement_id: Some(id),
        };
        audit::record(c, actor, e, None, Some(&after))?;
        Ok(view)
    })?)
}

/// A JSON merge patch of the agreement's top-level fields (terminating it
/// is one).
pub fn patch(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    patch: &Value,
) -> Result<AgreementView, AppError> {
    policy::allow(actor, Action::EditAgreement)?;
    changed(c, actor, cal, id, "update", "agreement", None, |c| {
        store::patch(c, id, patch)?;
        policy::still_yours(c, actor, id)
    })
}

/// Deletes a draft; a signed agreement is terminated instead.
pub fn delete(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
) -> Result<(), AppError> {
    policy::allow(actor, Action::DeleteAgreement)?;
    Ok(write_tx(c, |c| {
        policy::sees(c, actor, id)?;
        lock(c, Locked::Agreement, id)?;
        let (_, before) = snapshot(c, id, cal)?;
        store::delete(c, id)?;
        let e = Entry {
            action: "delete",
            entity: "agreement",
            entity_id: Some(id),
            agreement_id: Some(id),
        };
        audit::record(c, actor, e, Some(&before), None)
    })?)
}

/// Runs `write` on agreement `id` in one transaction between two snapshots
/// of the agreement, and records the difference under `entity`. The
/// agreement after the write is returned.
#[allow(clippy::too_many_arguments)]
pub(crate) fn changed<T>(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    mut write: impl FnMut(&mut DbConnection) -> Result<T, StoreError>,
) -> Result<AgreementView, AppError> {
    Ok(write_tx(c, |c| {
        policy::sees(c, actor, id)?;
        lock(c, Locked::Agreement, id)?;
        let (_, before) = snapshot(c, id, cal)?;
        write(c)?;
        let (view, after) = snapshot(c, id, cal)?;
        let e = Entry {
            action,
            entity,
            entity_id: entity_id.or(Some(id)),
            agreement_id: Some(id),
        };
        audit::record(c, actor, e, Some(&before), Some(&after))?;
        Ok(view)
    })?)
}

// ---- the records under an agreement ------------------------------------------

pub fn list_records<R: Record>(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
) -> Result<Vec<R>, AppError> {
    let mut d = doc(c, actor, id)?;
    Ok(std::mem::take(R::list(&mut d)))
}

pub fn get_record<R: Record>(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    rid: i64,
) -> Result<R, AppError> {
    policy::sees(c, actor, id)?;
    Ok(store::get_record::<R>(c, id, rid)?)
}

pub fn create_record<R: Record>(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    body: Value,
) -> Result<R, AppError> {
    policy::allow(
        actor,
        Action::WriteRecord {
            collection: R::PATH,
        },
    )?;
    record_write(c, actor, cal, id, "create", |c| {
        store::create_record::<R>(c, id, body.clone())
    })
}

pub fn patch_record<R: Record>(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    rid: i64,
    patch: &Value,
) -> Result<R, AppError> {
    policy::allow(
        actor,
        Action::WriteRecord {
            collection: R::PATH,
        },
    )?;
    record_write(c, actor, cal, id, "update", |c| {
        store::update_record::<R>(c, id, rid, patch)
    })
}

pub fn delete_record<R: Record>(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    rid: i64,
) -> Result<(), AppError> {
    policy::allow(
        actor,
        Action::DeleteRecord {
            collection: R::PATH,
        },
    )?;
    changed(c, actor, cal, id, "delete", R::PATH, Some(rid), |c| {
        store::delete_record::<R>(c, id, rid)
    })?;
    Ok(())
}

/// A record written in one audited transaction; the audit row names the record.
fn record_write<R: Record>(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    action: &str,
    mut write: impl FnMut(&mut DbConnection) -> Result<R, StoreError>,
) -> Result<R, AppError> {
    Ok(write_tx(c, |c| {
        policy::sees(c, actor, id)?;
        lock(c, Locked::Agreement, id)?;
        let (_, before) = snapshot(c, id, cal)?;
        let record = write(c)?;
        let (_, after) = snapshot(c, id, cal)?;
        let e = Entry {
            action,
            entity: R::PATH,
            entity_id: record.id(),
            agreement_id: Some(id),
        };
        audit::record(c, actor, e, Some(&before), Some(&after))?;
        Ok(record)
    })?)
}
