//! The saved versions of a draft: the whole agreement (import shape) at each
//! save, numbered from 1 per agreement.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::agreement_versions as v;
use super::{DbConnection, StoreError};
use crate::domain::agreement::AgreementDoc;

/// One save of a draft, without its content.
#[derive(Debug, Clone, Serialize, Queryable, utoipa::ToSchema)]
#[schema(description = "Satu simpanan draf: nomor versi, kapan, oleh siapa dan catatannya.")]
pub struct VersionInfo {
    /// Nomor versi, mulai 1.
    pub number: i32,
    #[serde(serialize_with = "crate::json::utc")]
    pub saved_at: NaiveDateTime,
    /// Yang menyimpan.
    pub actor: String,
    /// Catatan singkat simpanan ini.
    pub note: String,
}

/// Appends a version of agreement `id` holding `doc`; returns its number.
pub fn append(
    conn: &mut DbConnection,
    id: i64,
    actor: &str,
    note: &str,
    doc: &AgreementDoc,
) -> Result<i32, StoreError> {
    let last: Option<i32> = v::table
        .filter(v::agreement_id.eq(id))
        .select(diesel::dsl::max(v::number))
        .first(conn)?;
    let number = last.unwrap_or(0) + 1;
    let json = serde_json::to_string(doc).map_err(|e| StoreError::Unavailable(e.to_string()))?;
    diesel::insert_into(v::table)
        .values((
            v::agreement_id.eq(id),
            v::number.eq(number),
            v::saved_at.eq(super::now()),
            v::actor.eq(actor),
            v::note.eq(note),
            v::doc.eq(json),
        ))
        .execute(conn)?;
    Ok(number)
}

/// The versions of agreement `id`, newest first.
pub fn list(conn: &mut DbConnection, id: i64) -> Result<Vec<VersionInfo>, StoreError> {
    Ok(v::table
        .filter(v::agreement_id.eq(id))
        .order(v::number.desc())
        .select((v::number, v::saved_at, v::actor, v::note))
        .load(conn)?)
}

/// Version `number` of agreement `id`: what was saved, and the document.
pub fn get(
    conn: &mut DbConnection,
    id: i64,
    number: i32,
) -> Result<(VersionInfo, AgreementDoc), StoreError> {
    let (info, json): (VersionInfo, String) = v::table
        .filter(v::agreement_id.eq(id).and(v::number.eq(number)))
        .select(((v::number, v::saved_at, v::actor, v::note), v::doc))
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("versi {number} perjanjian {id}")))?;
    let doc = serde_json::from_str(&json)
        .map_err(|e| StoreError::Unavailable(format!("versi {number} tidak terbaca: {e}")))?;
    Ok((info, doc))
}
