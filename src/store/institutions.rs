//! Institutions: Dukcapil offices and user agencies.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{agreements, institutions};
use super::{decode, decode_opt, encode, now, DbConnection, StoreError};
use crate::domain::agreement::InstitutionDoc;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = institutions)]
pub struct InstitutionRow {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub region_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub parent_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub document_set: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstitutionView {
    #[serde(flatten)]
    pub doc: InstitutionDoc,
    pub parent_id: Option<i64>,
    #[serde(serialize_with = "crate::json::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::json::utc")]
    pub updated_at: NaiveDateTime,
}

impl InstitutionRow {
    pub fn to_doc(&self, parent: Option<String>) -> Result<InstitutionDoc, StoreError> {
        Ok(InstitutionDoc {
            id: Some(self.id),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            kind: decode(self.kind.clone())?,
            region_code: self.region_code.clone(),
            address: self.address.clone(),
            phone: decode_opt(self.phone.clone())?,
            email: decode_opt(self.email.clone())?,
            parent,
            document_set: self.document_set.clone(),
        })
    }
}

pub fn get(conn: &mut DbConnection, id: i64) -> Result<InstitutionView, StoreError> {
    let row: InstitutionRow = institutions::table
        .find(id)
        .select(InstitutionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("instansi {id}")))?;
    view(conn, row)
}

fn parent_name(
    conn: &mut DbConnection,
    parent_id: Option<i64>,
) -> Result<Option<String>, StoreError> {
    match parent_id {
        None => Ok(None),
        Some(pid) => Ok(institutions::table
            .find(pid)
            .select(institutions::name)
            .first(conn)
            .optional()?),
    }
}

pub fn view(conn: &mut DbConnection, row: InstitutionRow) -> Result<InstitutionView, StoreError> {
    let parent = parent_name(conn, row.parent_id)?;
    Ok(InstitutionView {
        doc: row.to_doc(parent)?,
        parent_id: row.parent_id,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub struct ListFilter {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub limit: i64,
    pub offset: i64,
    /// Only these institutions (the reader's visibility); `None`: all.
    pub only: Option<Vec<i64>>,
    /// Agencies only: no Dukcapil office of any level.
    pub agencies_only: bool,
}

pub fn list(
    conn: &mut DbConnection,
    f: &ListFilter,
) -> Result<(i64, Vec<InstitutionView>), StoreError> {
    let filtered = || {
        let mut q = institutions::table.into_boxed();
        if let Some(text) = &f.q {
            let pattern = super::agreements::like_pattern(text);
            q = q.filter(
                super::lower(institutions::name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(super::lower_opt(institutions::short_name)
                        .like(pattern)
                        .escape('\\')),
            );
        }
        if let Some(kind) = &f.kind {
            q = q.filter(institutions::kind.eq(kind.clone()));
        }
        if let Some(ids) = &f.only {
            q = q.filter(institutions::id.eq_any(ids.clone()));
        }
        if f.agencies_only {
            let offices = crate::domain::catalog::InstitutionKind::ALL
                .iter()
                .filter(|k| k.is_dukcapil())
                .map(|k| k.code());
            q = q.filter(institutions::kind.ne_all(offices));
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows: Vec<InstitutionRow> = filtered()
        .order(institutions::id)
        .limit(f.limit)
        .offset(f.offset)
        .select(InstitutionRow::as_select())
        .load(conn)?;
    let views = rows
        .into_iter()
        .map(|r| view(conn, r))
        .collect::<Result<_, _>>()?;
    Ok((total, views))
}

fn resolve_parent(
    conn: &mut DbConnection,
    doc: &InstitutionDoc,
    pointer: &str,
) -> Result<Option<i64>, StoreError> {
    let Some(parent) = &doc.parent else {
        return Ok(None);
    };
    institutions::table
        .filter(institutions::name.eq(parent))
        .select(institutions::id)
        .first(conn)
        .optional()?
        .map(Some)
        .ok_or_else(|| {
            StoreError::invalid(
                &format!("{pointer}/parent"),
                format!("instansi induk '{parent}' belum terdaftar; daftarkan instansi induk terlebih dahulu"),
            )
        })
}

/// Finds the institution of that name, bringing its stored fields up to
/// date with what the document states, or creates it. `pointer` locates the
/// institution in the request for error messages.
pub fn upsert(
    conn: &mut DbConnection,
    doc: &InstitutionDoc,
    pointer: &str,
) -> Result<i64, StoreError> {
    let name = doc.name.trim();
    let parent_id = resolve_parent(conn, doc, pointer)?;
    let existing: Option<InstitutionRow> = institutions::table
        .filter(institutions::name.eq(name))
        .select(InstitutionRow::as_select())
        .first(conn)
        .optional()?;
    let ts = now();
    match existing {
        Some(row) => {
            let merged = (
                institutions::short_name.eq(doc.short_name.clone().or(row.short_name.clone())),
                institutions::kind.eq(encode(&doc.kind)),
                institutions::region_code.eq(doc.region_code.clone().or(row.region_code.clone())),
                institutions::address.eq(doc.address.clone().or(row.address.clone())),
                institutions::phone.eq(doc
                    .phone
                    .as_ref()
                    .map(|p| p.to_string())
                    .or(row.phone.clone())),
                institutions::email.eq(doc
                    .email
                    .as_ref()
                    .map(|e| e.to_string())
                    .or(row.email.clone())),
                institutions::parent_id.eq(parent_id.or(row.parent_id)),
                institutions::document_set
                    .eq(doc.document_set.clone().or(row.document_set.clone())),
            );
            let changed = doc
                .short_name
                .as_ref()
                .is_some_and(|v| Some(v) != row.short_name.as_ref())
                || encode(&doc.kind) != row.kind
                || doc
                    .region_code
                    .as_ref()
                    .is_some_and(|v| Some(v) != row.region_code.as_ref())
                || doc
                    .address
                    .as_ref()
                    .is_some_and(|v| Some(v) != row.address.as_ref())
                || doc
                    .phone
                    .as_ref()
                    .is_some_and(|v| Some(v.as_str()) != row.phone.as_deref())
                || doc
                    .email
                    .as_ref()
                    .is_some_and(|v| Some(v.as_str()) != row.email.as_deref())
                || parent_id.is_some_and(|v| Some(v) != row.parent_id)
                || doc
                    .document_set
                    .as_ref()
                    .is_some_and(|v| Some(v) != row.document_set.as_ref());
            if changed {
                diesel::update(institutions::table.find(row.id))
                    .set((merged, institutions::updated_at.eq(ts)))
                    .execute(conn)?;
            }
            Ok(row.id)
        }
        None => Ok(diesel::insert_into(institutions::table)
            .values((
                institutions::name.eq(name),
                institutions::short_name.eq(&doc.short_name),
                institutions::kind.eq(encode(&doc.kind)),
                institutions::region_code.eq(&doc.region_code),
                institutions::address.eq(&doc.address),
                institutions::phone.eq(doc.phone.as_ref().map(|p| p.to_string())),
                institutions::email.eq(doc.email.as_ref().map(|e| e.to_string())),
                institutions::parent_id.eq(parent_id),
                institutions::document_set.eq(&doc.document_set),
                institutions::created_at.eq(ts),
                institutions::updated_at.eq(ts),
            ))
            .returning(institutions::id)
            .get_result(conn)?),
    }
}

pub fn create(conn: &mut DbConnection, doc: &InstitutionDoc) -> Result<i64, StoreError> {
    let taken: i64 = institutions::table
        .filter(institutions::name.eq(doc.name.trim()))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(StoreError::Conflict(format!(
            "instansi '{}' sudah terdaftar",
            doc.name.trim()
        )));
    }
    upsert(conn, doc, "")
}

/// Replaces every field with the document's (PATCH after merging).
pub fn replace(conn: &mut DbConnection, id: i64, doc: &InstitutionDoc) -> Result<(), StoreError> {
    let name = doc.name.trim();
    let clash: i64 = institutions::table
        .filter(institutions::name.eq(name).and(institutions::id.ne(id)))
        .count()
        .get_result(conn)?;
    if clash > 0 {
        return Err(StoreError::Conflict(format!(
            "instansi '{name}' sudah terdaftar"
        )));
    }
    let parent_id = resolve_parent(conn, doc, "")?;
    if parent_id == Some(id) {
        return Err(StoreError::invalid(
            "/parent",
            "instansi tidak dapat menjadi induk dirinya sendiri",
        ));
    }
    diesel::update(institutions::table.find(id))
        .set((
            institutions::name.eq(name),
            institutions::short_name.eq(&doc.short_name),
            institutions::kind.eq(encode(&doc.kind)),
            institutions::region_code.eq(&doc.region_code),
            institutions::address.eq(&doc.address),
            institutions::phone.eq(doc.phone.as_ref().map(|p| p.to_string())),
            institutions::email.eq(doc.email.as_ref().map(|e| e.to_string())),
            institutions::parent_id.eq(parent_id),
            institutions::document_set.eq(&doc.document_set),
            institutions::updated_at.eq(now()),
        ))
        .execute(conn)?;
    let ids: Vec<i64> = agreements::table
        .filter(
            agreements::first_institution_id
                .eq(id)
                .or(agreements::second_institution_id.eq(id)),
        )
        .select(agreements::id)
        .load(conn)?;
    for aid in ids {
        super::agreements::refresh_search_text(conn, aid)?;
    }
    Ok(())
}

pub fn delete(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
    let used: i64 = agreements::table
        .filter(
            agreements::first_institution_id
                .eq(id)
                .or(agreements::second_institution_id.eq(id)),
        )
        .count()
        .get_result(conn)?;
    let children: i64 = institutions::table
        .filter(institutions::parent_id.eq(id))
        .count()
        .get_result(conn)?;
    if used > 0 || children > 0 {
        return Err(StoreError::Conflict(
            "instansi masih menjadi pihak dalam perjanjian atau induk instansi lain dan tidak dapat dihapus".into(),
        ));
    }
    let n = diesel::delete(institutions::table.find(id)).execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("instansi {id}")));
    }
    Ok(())
}

/// The Dukcapil offices (Ditjen, provinces, regencies and cities) by name,
/// `(id, name)`, of those in `only` (`None`: all): the choices of an office
/// filter. One indexed read, without the rest of each row.
pub fn offices(
    conn: &mut DbConnection,
    only: Option<&[i64]>,
) -> Result<Vec<(i64, String)>, StoreError> {
    let mut q = institutions::table
        .filter(institutions::kind.eq_any([
            "dukcapil_pusat",
            "dukcapil_provinsi",
            "dukcapil_kabupaten_kota",
        ]))
        .select((institutions::id, institutions::name))
        .order(institutions::name)
        .into_boxed();
    if let Some(ids) = only {
        q = q.filter(institutions::id.eq_any(ids.to_vec()));
    }
    Ok(q.load(conn)?)
}
