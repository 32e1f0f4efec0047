//! Evidence handed in against an obligation (DESIGN.md §10): the agency
//! uploads (the obligation becomes `submitted`, its reminders pause);
//! Dukcapil staff accept it (the record that fulfils the obligation is
//! created from it, its waiting reminders are cancelled) or return it with
//! a reason (the agency is told by e-mail and the task is open again).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::audit::{self, Entry};
use super::policy::{self, Action};
use super::{Actor, AppError};
use crate::domain::agreement::{AgreementDoc, Certificate, Renewal, Report, Statement};
use crate::domain::calendar::Calendar;
use crate::domain::catalog::Side;
use crate::domain::evidence;
use crate::domain::obligations::{Obligation, ObligationState};
use crate::domain::reminders::{recipients, Recipients};
use crate::reminders::Letters;
use crate::store::agreements as registry;
use crate::store::db::{lock, Locked};
use crate::store::submissions::{self as store, Listed, NewSubmission, Submission};
use crate::store::{outbox, write_tx, DbConnection, StoreError};

/// The obligation `key` of agreement `id` as of `today`, if evidence may
/// be handed in for it now.
fn open_for_upload(
    c: &mut DbConnection,
    cal: &Calendar,
    id: i64,
    key: &str,
    today: NaiveDate,
) -> Result<Obligation, StoreError> {
    let view = registry::get(c, id, today, cal)?;
    let o = view
        .obligations
        .into_iter()
        .find(|o| o.key == key)
        .ok_or_else(|| StoreError::NotFound(format!("kewajiban '{key}' pada perjanjian {id}")))?;
    match o.state {
        ObligationState::Fulfilled => Err(StoreError::Conflict(
            "kewajiban ini sudah terpenuhi; tidak ada yang perlu diunggah lagi".into(),
        )),
        ObligationState::Waived => Err(StoreError::Conflict(
            "kewajiban ini dikecualikan; tidak ada yang perlu diunggah".into(),
        )),
        ObligationState::Submitted => Err(StoreError::Conflict(
            "bukti kewajiban ini sudah diunggah dan menunggu pemeriksaan Dinas".into(),
        )),
        _ if evidence::detail_fields(o.kind).is_none() => {
            Err(StoreError::invalid("/file", evidence::NOT_UPLOADABLE))
        }
        _ => Ok(o),
    }
}

/// Before any file is read: whether the actor may hand in evidence for
/// this obligation now, and which obligation it is.
pub fn may_submit(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    key: &str,
) -> Result<Obligation, AppError> {
    policy::allow(actor, Action::SubmitEvidence)?;
    policy::sees(c, actor, id)?;
    Ok(open_for_upload(c, cal, id, key, crate::today_jakarta())?)
}

/// A checked file, already in the object store.
pub struct Upload<'a> {
    pub sha256: &'a str,
    pub size: i64,
    pub media_type: &'a str,
    pub file_name: &'a str,
    /// The metadata fields sent with it, by name.
    pub details: &'a BTreeMap<String, String>,
}

/// The metadata sent with an upload, checked for the obligation's kind
/// (before the file is stored, so that a form error stores nothing).
pub fn check_details(o: &Obligation, sent: &BTreeMap<String, String>) -> Result<Value, AppError> {
    Ok(details_of(o, sent)?)
}

fn details_of(o: &Obligation, sent: &BTreeMap<String, String>) -> Result<Value, StoreError> {
    evidence::details(o.kind, sent, crate::today_jakarta()).map_err(|errors| {
        StoreError::Invalid(
            errors
                .into_iter()
                .map(|(name, message)| crate::domain::agreement::FieldError {
                    pointer: format!("/{name}"),
                    message,
                })
                .collect(),
        )
    })
}

/// Records an upload: the obligation is checked again under the
/// agreement's lock (two uploads at once, one wins), with its metadata.
pub fn submit(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    key: &str,
    up: &Upload,
) -> Result<Listed, AppError> {
    policy::allow(actor, Action::SubmitEvidence)?;
    let file_name = clean_name(up.file_name);
    Ok(write_tx(c, |c| {
        policy::sees(c, actor, id)?;
        lock(c, Locked::Agreement, id)?;
        let o = open_for_upload(c, cal, id, key, crate::today_jakarta())?;
        let details = details_of(&o, up.details)?;
        store::keep_file(c, up.sha256, up.size, up.media_type)?;
        let sid = store::insert(
            c,
            &NewSubmission {
                agreement_id: id,
                obligation_key: key,
                sha256: up.sha256,
                file_name: &file_name,
                details: &details,
                submitted_by: &actor.name,
            },
        )?;
        let s = store::get(c, id, sid)?;
        let e = Entry {
            action: "submit",
            entity: "submission",
            entity_id: Some(sid),
            agreement_id: Some(id),
        };
        audit::record(c, actor, e, None, Some(&audit::json(&s)?))?;
        Ok(Listed {
            submission: s,
            size: up.size,
            media_type: up.media_type.to_string(),
        })
    })?)
}

/// A file name as shown and downloaded: its last path part, without
/// control characters or quotes, never empty.
fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(150)
        .collect();
    match cleaned.trim() {
        "" => "berkas".to_string(),
        t => t.to_string(),
    }
}

pub fn list(c: &mut DbConnection, actor: &Actor, id: i64) -> Result<Vec<Listed>, AppError> {
    policy::sees(c, actor, id)?;
    Ok(store::of_agreement(c, id)?)
}

/// Accepts a waiting upload: the record it stands for is created (so the
/// obligation is fulfilled as of the day it was uploaded), the reminders
/// still waiting about it are cancelled.
pub fn accept(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    sid: i64,
    note: Option<&str>,
) -> Result<Submission, AppError> {
    policy::allow(actor, Action::ReviewSubmission)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = note {
        crate::domain::text::check_text(n, 2000).map_err(|m| AppError::invalid("/note", m))?;
    }
    let today = crate::today_jakarta();
    Ok(write_tx(c, |c| {
        policy::sees(c, actor, id)?;
        let s = waiting(c, id, sid)?;
        let o = registry::get(c, id, today, cal)?
            .obligations
            .into_iter()
            .find(|o| o.key == s.obligation_key)
            .ok_or_else(|| {
                StoreError::Conflict(
                    "kewajiban kiriman ini tidak ada lagi pada perjanjian; kembalikan kirimannya"
                        .into(),
                )
            })?;
        let entry = |collection: &&'static str| Entry {
            action: "create",
            entity: collection,
            entity_id: None,
            agreement_id: Some(id),
        };
        super::agreements::documented(c, actor, id, entry, |c, (_, doc)| {
            let signatory = doc
                .party(Side::Second)
                .and_then(|p| p.signatory.as_ref())
                .map(|p| p.name.clone());
            let (collection, body) = evidence::record_of(
                &o,
                &s.details(),
                s.uploaded_on(),
                today,
                note,
                signatory.as_deref(),
            )
            .map_err(StoreError::Conflict)?;
            create(c, id, doc, collection, body)?;
            Ok(collection)
        })?;
        decide(c, actor, &s, store::ACCEPTED, note)?;
        outbox::cancel_for(
            c,
            id,
            &s.obligation_key,
            "kewajiban terpenuhi: bukti diterima",
        )?;
        store::get(c, id, sid)
    })?)
}

fn create(
    c: &mut DbConnection,
    id: i64,
    doc: &AgreementDoc,
    collection: &str,
    body: Value,
) -> Result<(), StoreError> {
    let doc = doc.clone();
    match collection {
        "reports" => registry::create_record_in::<Report>(c, id, doc, body).map(|_| ()),
        "certificates" => registry::create_record_in::<Certificate>(c, id, doc, body).map(|_| ()),
        "statements" => registry::create_record_in::<Statement>(c, id, doc, body).map(|_| ()),
        "renewals" => registry::create_record_in::<Renewal>(c, id, doc, body).map(|_| ()),
        other => Err(StoreError::Internal(format!(
            "daftar catatan tidak dikenal: {other}"
        ))),
    }
}

/// The submission, while it waits for a decision.
fn waiting(c: &mut DbConnection, id: i64, sid: i64) -> Result<Submission, StoreError> {
    lock(c, Locked::Agreement, id)?;
    let s = store::get(c, id, sid)?;
    if s.state != store::SUBMITTED {
        return Err(StoreError::Conflict(
            "kiriman ini sudah diputuskan sebelumnya".into(),
        ));
    }
    Ok(s)
}

fn decide(
    c: &mut DbConnection,
    actor: &Actor,
    s: &Submission,
    state: &str,
    note: Option<&str>,
) -> Result<(), StoreError> {
    if !store::decide(c, s.id, state, &actor.name, note)? {
        return Err(StoreError::Conflict(
            "kiriman ini sudah diputuskan sebelumnya".into(),
        ));
    }
    let e = Entry {
        action: if state == store::ACCEPTED {
            "accept"
        } else {
            "return"
        },
        entity: "submission",
        entity_id: Some(s.id),
        agreement_id: Some(s.agreement_id),
    };
    audit::record(
        c,
        actor,
        e,
        Some(&json!({"state": s.state})),
        Some(&json!({"state": state, "decision_note": note})),
    )
}

/// What returning an upload did.
pub struct Returned {
    pub submission: Submission,
    /// Whom the agency's e-mail went to (empty: no address on record).
    pub told: Vec<String>,
}

/// Returns a waiting upload with a reason: the obligation is open again
/// and the uploader (else the agency's addresses) is told by e-mail.
pub fn send_back(
    c: &mut DbConnection,
    actor: &Actor,
    letters: &Letters,
    cal: &Calendar,
    id: i64,
    sid: i64,
    reason: &str,
) -> Result<Returned, AppError> {
    policy::allow(actor, Action::ReviewSubmission)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("/reason", "tulis alasan pengembalian"));
    }
    crate::domain::text::check_text(reason, 2000).map_err(|m| AppError::invalid("/reason", m))?;
    let today = crate::today_jakarta();
    Ok(write_tx(c, |c| {
        policy::sees(c, actor, id)?;
        let s = waiting(c, id, sid)?;
        decide(c, actor, &s, store::RETURNED, Some(reason))?;
        let view = registry::get(c, id, today, cal)?;
        let o = view.obligations.iter().find(|o| o.key == s.obligation_key);
        let doc = &view.doc;
        let to: Vec<(String, String)> = match crate::domain::text::Email::parse(&s.submitted_by) {
            Ok(e) => vec![(s.submitted_by.clone(), e.to_string())],
            Err(_) => match recipients(doc) {
                Recipients::Agency { to, .. } => to,
                _ => vec![],
            },
        };
        let office = doc
            .party(Side::First)
            .map(|p| p.institution.name.clone())
            .unwrap_or_default();
        let agency = doc
            .party(Side::Second)
            .map(|p| p.institution.name.clone())
            .unwrap_or_default();
        for (name, email) in &to {
            let data = json!({
                "name": name,
                "office": office,
                "agency": agency,
                "file_name": s.file_name,
                "obligation": o.map(|o| o.kind.label()).unwrap_or("kewajiban"),
                "reason": reason,
                "title": doc.title,
                "numbers": crate::reminders::numbers(doc),
                "due": o.and_then(|o| o.due_on).map(crate::domain::words::date_long),
                "link": format!("{}{}", letters.public_url, evidence::task_path(id, &s.obligation_key)),
            });
            let m = letters.message(
                "returned",
                format!("returned|{}|{}", s.id, email.to_lowercase()),
                name,
                email,
                &data,
            )?;
            outbox::insert_new(c, &m)?;
        }
        Ok(Returned {
            submission: store::get(c, id, sid)?,
            told: to.into_iter().map(|(_, e)| e).collect(),
        })
    })?)
}

/// The file a reader may download: its name, size and type, if one of the
/// agreements they see holds it.
pub fn file(
    c: &mut DbConnection,
    actor: &Actor,
    sha256: &str,
) -> Result<(String, i64, String), AppError> {
    store::file_for(c, &actor.visible, sha256)?
        .ok_or_else(|| AppError::not_found(format!("berkas {sha256}")))
}
