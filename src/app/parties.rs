//! Institutions and people: the parties of agreements and their officials.

use serde::Serialize;
use serde_json::Value;

use super::audit::{self, Entry};
use super::policy::{self, Action};
use super::{Actor, AppError};
use crate::domain::agreement::{InstitutionDoc, PersonDoc};
use crate::json::{from_value_at, merge_patch};
use crate::store::db::{lock, Locked};
use crate::store::institutions::{self, InstitutionView};
use crate::store::people::{self, PersonView};
use crate::store::{write_tx, DbConnection, StoreError};

/// Checks a document template set name (the renderer knows which exist).
pub type SetCheck<'a> = &'a dyn Fn(Option<&str>) -> Result<(), String>;

/// One write to an institution or a person, audited in its transaction:
/// `load` reads it (`None` once deleted), `write` changes it and names it.
#[allow(clippy::too_many_arguments)]
fn audited<V: Serialize>(
    c: &mut DbConnection,
    actor: &Actor,
    action: &str,
    entity: &str,
    locked: Locked,
    existing: Option<i64>,
    load: impl Fn(&mut DbConnection, i64) -> Result<V, StoreError>,
    mut write: impl FnMut(&mut DbConnection) -> Result<Option<i64>, StoreError>,
) -> Result<Option<V>, AppError> {
    Ok(write_tx(c, |c| {
        let before = match existing {
            Some(id) => {
                lock(c, locked, id)?;
                Some(audit::json(&load(c, id)?)?)
            }
            None => None,
        };
        let id = write(c)?;
        let after = id.map(|id| load(c, id)).transpose()?;
        let after_json = after.as_ref().map(audit::json).transpose()?;
        let e = Entry {
            action,
            entity,
            entity_id: existing.or(id),
            agreement_id: None,
        };
        audit::record(c, actor, e, before.as_ref(), after_json.as_ref())?;
        Ok(after)
    })?)
}

fn written<V>(v: Option<V>) -> Result<V, AppError> {
    v.ok_or_else(|| {
        AppError::Store(StoreError::Internal(
            "tidak terbaca setelah disimpan".into(),
        ))
    })
}

/// The agencies (not Dukcapil offices) whose name or short name holds
/// `text`, among those the actor may see: names to pick from while typing.
pub fn agencies_named(
    c: &mut DbConnection,
    actor: &Actor,
    text: &str,
) -> Result<Vec<String>, AppError> {
    if text.trim().chars().count() < 2 {
        return Ok(vec![]);
    }
    // The offices are left out by the query: a name typed as agencies are
    // named ("Dinas …") matches hundreds of Dukcapil offices first.
    let f = institutions::ListFilter {
        q: Some(text.to_string()),
        kind: None,
        limit: 15,
        offset: 0,
        only: actor.visible.institutions(c)?,
        agencies_only: true,
    };
    let (_, found) = institutions::list(c, &f)?;
    Ok(found.into_iter().map(|i| i.doc.name).collect())
}

pub fn get_institution(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
) -> Result<InstitutionView, AppError> {
    policy::sees_institution(c, actor, id)?;
    Ok(institutions::get(c, id)?)
}

pub fn create_institution(
    c: &mut DbConnection,
    actor: &Actor,
    sets: SetCheck,
    doc: &InstitutionDoc,
) -> Result<InstitutionView, AppError> {
    policy::allow(actor, Action::WriteInstitution)?;
    sets(doc.document_set.as_deref()).map_err(|m| AppError::invalid("/document_set", m))?;
    written(audited(
        c,
        actor,
        "create",
        "institution",
        Locked::Institution,
        None,
        institutions::get,
        |c| institutions::create(c, doc).map(Some),
    )?)
}

pub fn patch_institution(
    c: &mut DbConnection,
    actor: &Actor,
    sets: SetCheck,
    id: i64,
    patch: &Value,
) -> Result<InstitutionView, AppError> {
    policy::allow(actor, Action::WriteInstitution)?;
    policy::sees_institution(c, actor, id)?;
    written(audited(
        c,
        actor,
        "update",
        "institution",
        Locked::Institution,
        Some(id),
        institutions::get,
        |c| {
            let mut value = audit::json(&institutions::get(c, id)?.doc)?;
            merge_patch(&mut value, patch);
            let doc: InstitutionDoc = from_value_at(value, "")?;
            sets(doc.document_set.as_deref())
                .map_err(|m| StoreError::invalid("/document_set", m))?;
            institutions::replace(c, id, &doc).map(|_| Some(id))
        },
    )?)
}

pub fn delete_institution(c: &mut DbConnection, actor: &Actor, id: i64) -> Result<(), AppError> {
    policy::allow(actor, Action::WriteInstitution)?;
    policy::sees_institution(c, actor, id)?;
    audited(
        c,
        actor,
        "delete",
        "institution",
        Locked::Institution,
        Some(id),
        institutions::get,
        |c| institutions::delete(c, id).map(|_| None),
    )?;
    Ok(())
}

pub fn get_person(c: &mut DbConnection, actor: &Actor, id: i64) -> Result<PersonView, AppError> {
    policy::sees_person(c, actor, id)?;
    Ok(people::get(c, id)?)
}

fn named(doc: &PersonDoc) -> Result<(), StoreError> {
    if doc.name.trim().is_empty() {
        return Err(StoreError::invalid("/name", "nama wajib diisi"));
    }
    Ok(())
}

pub fn create_person(
    c: &mut DbConnection,
    actor: &Actor,
    doc: &PersonDoc,
) -> Result<PersonView, AppError> {
    policy::allow(actor, Action::WritePerson)?;
    named(doc)?;
    written(audited(
        c,
        actor,
        "create",
        "person",
        Locked::Person,
        None,
        people::get,
        |c| people::insert(c, doc).map(Some),
    )?)
}

pub fn patch_person(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    patch: &Value,
) -> Result<PersonView, AppError> {
    policy::allow(actor, Action::WritePerson)?;
    policy::sees_person(c, actor, id)?;
    written(audited(
        c,
        actor,
        "update",
        "person",
        Locked::Person,
        Some(id),
        people::get,
        |c| {
            let mut value = audit::json(&people::get(c, id)?.doc)?;
            merge_patch(&mut value, patch);
            let doc: PersonDoc = from_value_at(value, "")?;
            named(&doc)?;
            people::replace(c, id, &doc).map(|_| Some(id))
        },
    )?)
}

pub fn delete_person(c: &mut DbConnection, actor: &Actor, id: i64) -> Result<(), AppError> {
    policy::allow(actor, Action::WritePerson)?;
    policy::sees_person(c, actor, id)?;
    audited(
        c,
        actor,
        "delete",
        "person",
        Locked::Person,
        Some(id),
        people::get,
        |c| people::delete(c, id).map(|_| None),
    )?;
    Ok(())
}
