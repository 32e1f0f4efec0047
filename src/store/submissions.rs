//! Evidence files (one row per distinct content, kept in the object store
//! under its SHA-256) and the submissions that hand one in against an
//! obligation, with Dukcapil's decision.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::access::Visibility;
use super::db::on_backend;
use super::schema::{agreements, evidence_files, submissions};
use super::{now, DbConnection, StoreError};

pub const SUBMITTED: &str = "submitted";
pub const ACCEPTED: &str = "accepted";
pub const RETURNED: &str = "returned";

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = submissions)]
#[schema(
    description = "Berkas bukti yang diunggah instansi pengguna untuk satu kewajiban, \
    dengan keputusan Dinas atasnya."
)]
pub struct Submission {
    pub id: i64,
    pub agreement_id: i64,
    /// Kunci kewajiban yang dipenuhi, mis. `report:2026:1`.
    pub obligation_key: String,
    /// SHA-256 isi berkas (heksadesimal); unduh di `/api/v1/files/{sha256}`.
    pub sha256: String,
    /// Nama berkas sebagaimana diunggah.
    pub file_name: String,
    /// Keterangan yang menyertai berkas (JSON): nomor dan masa berlaku sertifikat, jumlah
    /// akses NIK laporan, tanggal tanda tangan pernyataan.
    #[serde(serialize_with = "as_json")]
    #[schema(value_type = Object)]
    pub details: String,
    /// Pengunggah.
    pub submitted_by: String,
    #[serde(serialize_with = "crate::json::utc")]
    pub submitted_at: NaiveDateTime,
    /// `submitted` menunggu pemeriksaan, `accepted` diterima, `returned` dikembalikan.
    pub state: String,
    pub decided_by: Option<String>,
    #[serde(serialize_with = "crate::json::utc_opt")]
    pub decided_at: Option<NaiveDateTime>,
    /// Catatan evaluasi (diterima) atau alasan pengembalian.
    pub decision_note: Option<String>,
}

fn as_json<S: serde::Serializer>(s: &str, ser: S) -> Result<S::Ok, S::Error> {
    let v: serde_json::Value = serde_json::from_str(s).unwrap_or(serde_json::Value::Null);
    v.serialize(ser)
}

/// A submission with the file's size and type.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "Kiriman bukti dengan ukuran dan jenis berkasnya.")]
pub struct Listed {
    #[serde(flatten)]
    pub submission: Submission,
    /// Ukuran berkas dalam bait.
    pub size: i64,
    /// `application/pdf`, `image/jpeg` atau `image/png`.
    pub media_type: String,
}

impl Submission {
    pub fn details(&self) -> serde_json::Value {
        serde_json::from_str(&self.details).unwrap_or_default()
    }

    /// The day the agency handed it in, in Jakarta.
    pub fn uploaded_on(&self) -> NaiveDate {
        crate::jakarta_date(self.submitted_at)
    }
}

/// The file's row, unless one with the same content is already there.
pub fn keep_file(
    c: &mut DbConnection,
    sha256: &str,
    size: i64,
    media_type: &str,
) -> Result<(), StoreError> {
    let known: i64 = evidence_files::table
        .filter(evidence_files::sha256.eq(sha256))
        .count()
        .get_result(c)?;
    if known == 0 {
        diesel::insert_into(evidence_files::table)
            .values((
                evidence_files::sha256.eq(sha256),
                evidence_files::size.eq(size),
                evidence_files::media_type.eq(media_type),
                evidence_files::created_at.eq(now()),
            ))
            .execute(c)?;
    }
    Ok(())
}

pub struct NewSubmission<'a> {
    pub agreement_id: i64,
    pub obligation_key: &'a str,
    pub sha256: &'a str,
    pub file_name: &'a str,
    pub details: &'a serde_json::Value,
    pub submitted_by: &'a str,
}

pub fn insert(c: &mut DbConnection, s: &NewSubmission) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(submissions::table)
        .values((
            submissions::agreement_id.eq(s.agreement_id),
            submissions::obligation_key.eq(s.obligation_key),
            submissions::sha256.eq(s.sha256),
            submissions::file_name.eq(s.file_name),
            submissions::details.eq(s.details.to_string()),
            submissions::submitted_by.eq(s.submitted_by),
            submissions::submitted_at.eq(now()),
            submissions::state.eq(SUBMITTED),
        ))
        .returning(submissions::id)
        .get_result(c)?)
}

pub fn get(c: &mut DbConnection, agreement_id: i64, id: i64) -> Result<Submission, StoreError> {
    submissions::table
        .filter(submissions::id.eq(id))
        .filter(submissions::agreement_id.eq(agreement_id))
        .select(Submission::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("kiriman {id} pada perjanjian {agreement_id}")))
}

/// Records the decision on a waiting submission; `false` when it was no
/// longer waiting.
pub fn decide(
    c: &mut DbConnection,
    id: i64,
    state: &str,
    by: &str,
    note: Option<&str>,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        submissions::table
            .filter(submissions::id.eq(id))
            .filter(submissions::state.eq(SUBMITTED)),
    )
    .set((
        submissions::state.eq(state),
        submissions::decided_by.eq(by),
        submissions::decided_at.eq(now()),
        submissions::decision_note.eq(note),
    ))
    .execute(c)?;
    Ok(n == 1)
}

/// Whether an upload for this obligation is waiting for review.
pub fn waiting(c: &mut DbConnection, agreement_id: i64, key: &str) -> Result<bool, StoreError> {
    let n: i64 = submissions::table
        .filter(submissions::agreement_id.eq(agreement_id))
        .filter(submissions::obligation_key.eq(key))
        .filter(submissions::state.eq(SUBMITTED))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

/// The waiting submissions' keys and upload times of agreements `ids`
/// (all when `None`), for the obligation engine.
pub fn waiting_of(
    c: &mut DbConnection,
    ids: Option<&[i64]>,
) -> Result<Vec<(i64, String, NaiveDateTime)>, StoreError> {
    let waiting = submissions::table
        .filter(submissions::state.eq(SUBMITTED))
        .select((
            submissions::agreement_id,
            submissions::obligation_key,
            submissions::submitted_at,
        ));
    if let Some(&[id]) = ids {
        // One agreement (its page, its API read): a statement kept prepared.
        return Ok(on_backend!(c, |c| waiting
            .filter(submissions::agreement_id.eq(id))
            .load(c))?);
    }
    let mut q = waiting.into_boxed();
    if let Some(ids) = ids {
        q = q.filter(submissions::agreement_id.eq_any(ids.to_vec()));
    }
    Ok(q.load(c)?)
}

/// Every submission of an agreement, newest first, with its file's facts.
pub fn of_agreement(c: &mut DbConnection, agreement_id: i64) -> Result<Vec<Listed>, StoreError> {
    let rows: Vec<(Submission, (i64, String))> = on_backend!(c, |c| submissions::table
        .inner_join(evidence_files::table)
        .filter(submissions::agreement_id.eq(agreement_id))
        .order(submissions::id.desc())
        .select((
            Submission::as_select(),
            (evidence_files::size, evidence_files::media_type),
        ))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(submission, (size, media_type))| Listed {
            submission,
            size,
            media_type,
        })
        .collect())
}

/// The agreements a reader sees, by id; `None`: all of them.
fn visible_ids(c: &mut DbConnection, visible: &Visibility) -> Result<Option<Vec<i64>>, StoreError> {
    if visible.is_all() {
        return Ok(None);
    }
    Ok(Some(
        visible
            .apply(agreements::table.into_boxed())
            .select(agreements::id)
            .load(c)?,
    ))
}

/// The file, and a name to download it by, if one of the agreements the
/// reader sees holds a submission of it.
pub fn file_for(
    c: &mut DbConnection,
    visible: &Visibility,
    sha256: &str,
) -> Result<Option<(String, i64, String)>, StoreError> {
    let mut q = submissions::table
        .inner_join(evidence_files::table)
        .filter(submissions::sha256.eq(sha256))
        .order(submissions::id.desc())
        .select((
            submissions::file_name,
            evidence_files::size,
            evidence_files::media_type,
        ))
        .into_boxed();
    if let Some(ids) = visible_ids(c, visible)? {
        q = q.filter(submissions::agreement_id.eq_any(ids));
    }
    Ok(q.first(c).optional()?)
}
