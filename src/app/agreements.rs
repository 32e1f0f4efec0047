//! Agreements and the records under them (scopes, applications, statements,
//! certificates, reports, renewals).

use serde_json::Value;

use super::audit::{self, Entry};
use super::policy::{self, Action};
use super::{Actor, AppError};
use crate::domain::agreement::AgreementDoc;
use crate::domain::calendar::Calendar;
use crate::store::agreements::{self as store, AgreementView, Stored};
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
    check_read(c, &doc, as_of, max_term_months)
}

/// The consistency check of an agreement the caller has just read through
/// a use case that checked the actor may see it (its page).
pub fn check_read(
    c: &mut DbConnection,
    doc: &AgreementDoc,
    as_of: chrono::NaiveDate,
    max_term_months: u32,
) -> Result<Vec<crate::domain::check::Finding>, AppError> {
    Ok(findings(c, doc, as_of, max_term_months)?)
}

/// The consistency check of `doc`, inside a use case's transaction.
pub(crate) fn findings(
    c: &mut DbConnection,
    doc: &AgreementDoc,
    as_of: chrono::NaiveDate,
    max_term_months: u32,
) -> Result<Vec<crate::domain::check::Finding>, StoreError> {
    let current_heads = crate::store::documents::current_heads(c, doc)?;
    let ctx = crate::domain::check::CheckContext {
        as_of,
        max_term_months,
        current_heads,
    };
    Ok(crate::domain::check::check(doc, &ctx))
}

/// Everything one agreement's page shows, read on one snapshot.
pub struct Whole {
    pub view: AgreementView,
    pub findings: Vec<crate::domain::check::Finding>,
    /// How many audit rows there are, and the newest of them.
    pub history: (i64, Vec<crate::store::audit::HistoryItem>),
    pub submissions: Vec<crate::store::submissions::Listed>,
}

/// The agreement with its obligations as of `as_of`, its consistency
/// findings, its last `history` audit rows and the evidence handed in for
/// it, if the actor may see it: read on one snapshot, so that a write
/// committed meanwhile shows in all of them or in none.
pub fn whole(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    as_of: chrono::NaiveDate,
    cal: &Calendar,
    max_term_months: u32,
    history: i64,
) -> Result<Whole, AppError> {
    crate::store::db::read_tx(c, |c| {
        // `get` checks the actor may see the agreement and that it exists.
        let view = get(c, actor, id, as_of, cal)?;
        let findings = check_read(c, &view.doc, as_of, max_term_months)?;
        let history = crate::store::audit::history(c, id, history, 0)?;
        let submissions = crate::store::submissions::of_agreement(c, id)?;
        Ok(Whole {
            view,
            findings,
            history,
            submissions,
        })
    })
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

/// The agreement as the API shows it, obligations included, with its JSON:
/// the audit snapshot of a write that changes only what obligations are
/// computed from (a waiver, the SAM return).
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
    let today = crate::today_jakarta();
    Ok(write_tx(c, |c| {
        let after = inserted(c, actor, doc, "Draf dibuat", |_, _| Ok(()))?;
        store::view(c, after, today, cal)
    })?)
}

/// Inside a write transaction: `doc` as a new agreement of the actor's
/// offices, `then` run on its id before it is read back, its audit row and,
/// for a draft, its first version saying `note`. The agreement as stored.
pub(crate) fn inserted(
    c: &mut DbConnection,
    actor: &Actor,
    doc: &AgreementDoc,
    note: &str,
    then: impl FnOnce(&mut DbConnection, i64) -> Result<(), StoreError>,
) -> Result<Stored, StoreError> {
    let id = store::insert(c, doc)?;
    then(c, id)?;
    policy::still_yours(c, actor, id)?;
    let after = store::load_doc(c, id)?;
    let e = Entry {
        action: "create",
        entity: "agreement",
        entity_id: Some(id),
        agreement_id: Some(id),
    };
    audit::record(c, actor, e, None, Some(&audit::json(&after.1)?))?;
    super::drafts::saved(c, actor, None, &after, note)?;
    Ok(after)
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
    let today = crate::today_jakarta();
    Ok(write_tx(c, |c| {
        let e = |_: &()| Entry {
            action: "update",
            entity: "agreement",
            entity_id: Some(id),
            agreement_id: Some(id),
        };
        let ((), after) = documented(c, actor, id, e, |c, before| {
            store::patch_stored(c, id, before, patch)?;
            policy::still_yours(c, actor, id)
        })?;
        // The answer is the agreement this write left, computed from what
        // was just read: only the waivers and the SAM return are read again.
        store::view(c, after, today, cal)
    })?)
}

/// Deletes a draft; a signed agreement is terminated instead.
pub fn delete(
    c: &mut DbConnection,
    actor: &Actor,
    _cal: &Calendar,
    id: i64,
) -> Result<(), AppError> {
    policy::allow(actor, Action::DeleteAgreement)?;
    Ok(write_tx(c, |c| {
        policy::sees(c, actor, id)?;
        lock(c, Locked::Agreement, id)?;
        let (_, before) = store::load_doc(c, id)?;
        store::delete(c, id)?;
        let e = Entry {
            action: "delete",
            entity: "agreement",
            entity_id: Some(id),
            agreement_id: Some(id),
        };
        audit::record(c, actor, e, Some(&audit::json(&before)?), None)
    })?)
}

/// Inside a write transaction: runs `write` on agreement `id` and records
/// its audit row (`entry`, given what `write` returned), the agreement's
/// document read before and after it. Both are read after the agreement's
/// lock, and only the document (the agreement's fields and the records
/// under it, as stored): what a write of them can change, without the
/// obligations computed from it, so that the write lock is not held over
/// the rules. `write` is given the document as read before, which it
/// therefore need not read again. Returns what `write` returned and the
/// agreement as read after it.
///
/// A write to a draft is also a saved version of it ([`super::drafts::saved`]).
pub(crate) fn documented<'e, T>(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    entry: impl FnOnce(&T) -> Entry<'e>,
    write: impl FnOnce(&mut DbConnection, &Stored) -> Result<T, StoreError>,
) -> Result<(T, Stored), StoreError> {
    noted(c, actor, id, None, entry, write)
}

/// [`documented`], the version of a draft it saves carrying `note` (else a
/// note said from what the write was).
pub(crate) fn noted<'e, T>(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    note: Option<&str>,
    entry: impl FnOnce(&T) -> Entry<'e>,
    write: impl FnOnce(&mut DbConnection, &Stored) -> Result<T, StoreError>,
) -> Result<(T, Stored), StoreError> {
    policy::sees(c, actor, id)?;
    lock(c, Locked::Agreement, id)?;
    let before = store::load_doc(c, id)?;
    let value = write(c, &before)?;
    let after = store::load_doc(c, id)?;
    let e = entry(&value);
    let said = super::drafts::note_of(&e);
    audit::record(
        c,
        actor,
        e,
        Some(&audit::json(&before.1)?),
        Some(&audit::json(&after.1)?),
    )?;
    let mut after = after;
    if let Some(stage) =
        super::drafts::saved(c, actor, Some(&before), &after, note.unwrap_or(&said))?
    {
        after.0.stage = stage.code().to_string();
    }
    Ok((value, after))
}

/// Runs `write` on agreement `id` in one transaction between two snapshots
/// of the agreement as the API shows it, obligations included, and records
/// the difference under `entity`: for writes that change only what the
/// obligations are computed from (waivers, the SAM return), whose audit row
/// shows the obligations they changed. The agreement after the write is
/// returned.
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
    _cal: &Calendar,
    id: i64,
    body: Value,
) -> Result<R, AppError> {
    policy::allow(
        actor,
        Action::WriteRecord {
            collection: R::PATH,
        },
    )?;
    record_write(c, actor, id, "create", |c, doc| {
        store::create_record_in::<R>(c, id, doc.clone(), body.clone())
    })
}

pub fn patch_record<R: Record>(
    c: &mut DbConnection,
    actor: &Actor,
    _cal: &Calendar,
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
    record_write(c, actor, id, "update", |c, doc| {
        store::update_record_in::<R>(c, id, doc.clone(), rid, patch)
    })
}

pub fn delete_record<R: Record>(
    c: &mut DbConnection,
    actor: &Actor,
    _cal: &Calendar,
    id: i64,
    rid: i64,
) -> Result<(), AppError> {
    policy::allow(
        actor,
        Action::DeleteRecord {
            collection: R::PATH,
        },
    )?;
    Ok(write_tx(c, |c| {
        let e = |_: &()| Entry {
            action: "delete",
            entity: R::PATH,
            entity_id: Some(rid),
            agreement_id: Some(id),
        };
        documented(c, actor, id, e, |c, (_, doc)| {
            store::delete_record_in::<R>(c, id, doc.clone(), rid)
        })
        .map(drop)
    })?)
}

/// A record written in one audited transaction; the audit row names the record.
fn record_write<R: Record>(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    action: &str,
    mut write: impl FnMut(&mut DbConnection, &AgreementDoc) -> Result<R, StoreError>,
) -> Result<R, AppError> {
    Ok(write_tx(c, |c| {
        let e = |record: &R| Entry {
            action,
            entity: R::PATH,
            entity_id: record.id(),
            agreement_id: Some(id),
        };
        let (record, _) = documented(c, actor, id, e, |c, (_, doc)| write(c, doc))?;
        Ok(record)
    })?)
}
