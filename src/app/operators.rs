//! The operators of an agency's applications: the Juknis contacts of PIHAK
//! KEDUA. The agency adds or removes them itself; a new operator owes an
//! NDA at once (the obligation engine reads the contacts).

use serde_json::json;

use super::audit::Entry;
use super::policy::{self, Action};
use super::{Actor, AppError};
use crate::domain::catalog::Side;
use crate::domain::obligations::person_key;
use crate::domain::text::check_text;
use crate::store::agreements as store;
use crate::store::{write_tx, DbConnection, StoreError};

const NO_JUKNIS: &str =
    "Juknis perjanjian ini belum tercatat; operator dicatat bersama Juknis oleh Dinas";

/// Adds an operator (PIHAK KEDUA's contact in the Juknis).
pub fn add(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    name: &str,
    position: Option<&str>,
) -> Result<(), AppError> {
    policy::allow(actor, Action::ManageOperators)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("/name", "nama operator wajib diisi"));
    }
    check_text(name, 300).map_err(|m| AppError::invalid("/name", m))?;
    let position = position.map(str::trim).filter(|p| !p.is_empty());
    if let Some(p) = position {
        check_text(p, 300).map_err(|m| AppError::invalid("/position", m))?;
    }
    change(c, actor, id, "create", |contacts| {
        if contacts
            .iter()
            .any(|p| p["side"] == "second" && same_person(p, name))
        {
            return Err(StoreError::Conflict(format!(
                "operator {name} sudah tercatat"
            )));
        }
        let mut person = json!({"side": Side::Second, "name": name});
        if let Some(p) = position {
            person["position"] = json!(p);
        }
        contacts.push(person);
        Ok(())
    })
}

/// Removes an operator; an NDA already signed stays on record.
pub fn remove(c: &mut DbConnection, actor: &Actor, id: i64, name: &str) -> Result<(), AppError> {
    policy::allow(actor, Action::ManageOperators)?;
    change(c, actor, id, "delete", |contacts| {
        let before = contacts.len();
        contacts.retain(|p| !(p["side"] == "second" && same_person(p, name)));
        if contacts.len() == before {
            return Err(StoreError::NotFound(format!("operator {name}")));
        }
        Ok(())
    })
}

fn same_person(p: &serde_json::Value, name: &str) -> bool {
    p["name"]
        .as_str()
        .is_some_and(|n| person_key(n) == person_key(name))
}

/// Changes the Juknis contacts of agreement `id` in one audited write.
fn change(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    action: &str,
    edit: impl Fn(&mut Vec<serde_json::Value>) -> Result<(), StoreError>,
) -> Result<(), AppError> {
    Ok(write_tx(c, |c| {
        let entry = |_: &()| Entry {
            action,
            entity: "operator",
            entity_id: None,
            agreement_id: Some(id),
        };
        super::agreements::documented(c, actor, id, entry, |c, before| {
            let Some(juknis) = &before.1.juknis else {
                return Err(StoreError::Conflict(NO_JUKNIS.into()));
            };
            let mut juknis =
                serde_json::to_value(juknis).map_err(|e| StoreError::Internal(e.to_string()))?;
            let mut contacts: Vec<serde_json::Value> =
                juknis["contacts"].as_array().cloned().unwrap_or_default();
            edit(&mut contacts)?;
            juknis["contacts"] = json!(contacts);
            store::patch_stored(c, id, before, &json!({ "juknis": juknis }))
        })?;
        Ok(())
    })?)
}
