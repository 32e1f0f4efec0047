//! Drafting (DESIGN.md §11): drafts started from an earlier agreement (a
//! renewal PKS, an adendum), saves of a draft (each a version), its stages
//! draf → ditinjau → disetujui → signed, and the comparison of two versions.

use serde::Serialize;
use serde_json::{json, Value};

use super::audit::{self, Entry};
use super::policy::{self, Action};
use super::{Actor, AppError};
use crate::documents::{DrawOptions, Kind, Renderer};
use crate::domain::agreement::{AgreementDoc, FieldError, InstitutionDoc, Party, SchemaTag, Terms};
use crate::domain::calendar::Calendar;
use crate::domain::catalog::{AgreementKind, InstitutionKind, Side};
use crate::domain::check::Severity;
use crate::domain::diff::{self, DocDiff};
use crate::domain::drafting::{self, Mover, Stage};
use crate::store::agreements::{self as store, AgreementRow, AgreementView, Stored};
use crate::store::db::{lock, Locked};
use crate::store::versions::{self, VersionInfo};
use crate::store::{write_tx, DbConnection, StoreError};

/// The note a save carries when its door gave none: what the write was.
pub(crate) fn note_of(e: &Entry) -> String {
    let verb = match e.action {
        "create" => "Tambah",
        "delete" => "Hapus",
        _ => "Ubah",
    };
    let what = match e.entity {
        "agreement" => "isi perjanjian",
        "scopes" => "lingkup akses",
        "applications" => "aplikasi",
        "statements" => "SPTJM/NDA",
        "certificates" => "sertifikat",
        "reports" => "laporan semester",
        "renewals" => "permohonan perpanjangan",
        other => other,
    };
    format!("{verb} {what}")
}

/// Inside a write's transaction, after it: a write to a draft (`before`
/// unsigned, or a new agreement without a signing date) is a version of
/// it. A change to an approved draft sends it back to review (the stage it
/// moved to is returned); recording its signing needs the approval and
/// both letter numbers.
pub(crate) fn saved(
    c: &mut DbConnection,
    actor: &Actor,
    before: Option<&Stored>,
    (row, doc): &Stored,
    note: &str,
) -> Result<Option<Stage>, StoreError> {
    let mut moved = None;
    match before {
        None if doc.signed_on.is_some() => return Ok(None),
        None => {}
        Some((b, _)) if b.signed_on.is_some() => return Ok(None),
        Some((_, bdoc)) if bdoc == doc => return Ok(None),
        Some((b, _)) => {
            if doc.signed_on.is_some() {
                signing(b, doc)?;
            } else if b.stage() == Some(Stage::Disetujui) {
                moved = Some(Stage::Ditinjau);
                staged(
                    c,
                    actor,
                    row.id,
                    Stage::Disetujui,
                    Stage::Ditinjau,
                    "diubah setelah disetujui; perlu ditinjau lagi",
                )?;
            }
        }
    }
    versions::append(c, row.id, &actor.name, note, doc)?;
    Ok(moved)
}

/// Recording the signing of a draft: it was approved, and both parties'
/// letter numbers are there.
fn signing(before: &AgreementRow, doc: &AgreementDoc) -> Result<(), StoreError> {
    if let Some(stage) = before.stage().filter(|s| *s != Stage::Disetujui) {
        return Err(StoreError::invalid(
            "/signed_on",
            format!(
                "draf harus disetujui sebelum penandatanganannya dicatat (tahap sekarang: {})",
                stage.label()
            ),
        ));
    }
    let missing: Vec<FieldError> = doc
        .parties
        .iter()
        .enumerate()
        .filter(|(_, p)| p.number.is_none())
        .map(|(i, p)| {
            FieldError::new(
                format!("/parties/{i}/number"),
                format!(
                    "nomor surat {} wajib diisi saat penandatanganan dicatat",
                    p.side.label()
                ),
            )
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(missing))
    }
}

/// Moves agreement `id` between stages and records who did and why.
fn staged(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    from: Stage,
    to: Stage,
    note: &str,
) -> Result<(), StoreError> {
    store::set_stage(c, id, to)?;
    let e = Entry {
        action: "stage",
        entity: "agreement",
        entity_id: Some(id),
        agreement_id: Some(id),
    };
    audit::record(
        c,
        actor,
        e,
        Some(&json!({"stage": from.code()})),
        Some(&json!({"stage": to.code(), "note": note})),
    )
}

/// Saves a change to a draft (a JSON merge patch of the import shape, as
/// `PATCH /agreements/{id}` takes) as one version with its note. A signed
/// agreement is changed by an adendum instead.
pub fn save(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    patch: &Value,
    note: &str,
) -> Result<AgreementView, AppError> {
    policy::allow(actor, Action::EditAgreement)?;
    let today = crate::today_jakarta();
    let note = match note.trim() {
        "" => "Ubah isi perjanjian",
        n => n,
    };
    Ok(write_tx(c, |c| {
        let e = |_: &()| Entry {
            action: "update",
            entity: "agreement",
            entity_id: Some(id),
            agreement_id: Some(id),
        };
        let ((), after) = super::agreements::noted(c, actor, id, Some(note), e, |c, before| {
            if before.0.signed_on.is_some() {
                return Err(StoreError::Conflict(
                    "perjanjian ini sudah ditandatangani; perubahannya dibuat melalui adendum"
                        .into(),
                ));
            }
            // Applications are records of their own in the API; a draft's
            // form saves its list whole, in the same transaction.
            let mut patch = patch.clone();
            let apps = patch.as_object_mut().and_then(|o| o.remove("applications"));
            if patch.as_object().is_some_and(|o| !o.is_empty()) {
                store::patch_stored(c, id, before, &patch)?;
            }
            if let Some(apps) = apps {
                store::replace_applications(c, id, apps)?;
            }
            policy::still_yours(c, actor, id)
        })?;
        store::view(c, after, today, cal)
    })?)
}

/// What a draft is started from an earlier agreement as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// A new PKS that renews it.
    Renewal,
    /// An adendum that amends it.
    Adendum,
}

/// A new draft started from the signed agreement `id`: a renewal PKS or an
/// adendum, pre-filled from it (DESIGN.md §11).
pub fn start_from(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    start: Start,
) -> Result<AgreementView, AppError> {
    policy::allow(actor, Action::CreateAgreement)?;
    let today = crate::today_jakarta();
    Ok(write_tx(c, |c| {
        policy::sees(c, actor, id)?;
        let (_, old) = store::load_doc(c, id)?;
        if old.signed_on.is_none() {
            return Err(StoreError::Conflict(
                "perjanjian ini masih draf; ubah drafnya secara langsung".into(),
            ));
        }
        let heads = crate::store::documents::current_heads(c, &old)?;
        let number = old
            .parties
            .iter()
            .find_map(|p| p.number.as_ref())
            .map(|n| n.to_string())
            .unwrap_or_else(|| format!("#{id}"));
        let (doc, note) = match start {
            Start::Renewal => (
                drafting::renewal_of(&old, &heads),
                format!("Draf perpanjangan dari PKS {number}"),
            ),
            Start::Adendum => (
                drafting::adendum_of(&old, id, &heads).map_err(StoreError::Conflict)?,
                format!("Draf adendum PKS {number}"),
            ),
        };
        let after = super::agreements::inserted(c, actor, &doc, &note, |c, new_id| match start {
            Start::Renewal => store::set_renews(c, new_id, id),
            Start::Adendum => Ok(()),
        })?;
        store::view(c, after, today, cal)
    })?)
}

/// What a draft started from nothing is given: a title, the office that
/// drafts it (PIHAK KESATU) and the agency (PIHAK KEDUA), by name.
pub struct Blank {
    pub title: String,
    pub office_id: i64,
    pub agency: String,
    pub agency_kind: InstitutionKind,
    pub purpose: Option<String>,
}

/// A new PKS draft from nothing: its two parties, signed by their current
/// heads where the registry knows them; the rest is filled in the form.
pub fn start_blank(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    b: &Blank,
) -> Result<AgreementView, AppError> {
    policy::allow(actor, Action::CreateAgreement)?;
    let mut errors = vec![];
    if b.title.trim().is_empty() {
        errors.push(FieldError::new("/title", "judul perjanjian wajib diisi"));
    }
    if b.agency.trim().is_empty() {
        errors.push(FieldError::new(
            "/parties/1/institution/name",
            "nama instansi PIHAK KEDUA wajib diisi",
        ));
    }
    if b.agency_kind.is_dukcapil() {
        errors.push(FieldError::new(
            "/parties/1/institution/kind",
            "PIHAK KEDUA adalah instansi pengguna, bukan kantor Dukcapil",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::field_errors(errors));
    }
    policy::sees_institution(c, actor, b.office_id)
        .map_err(|_| AppError::invalid("/parties/0/institution", "pilih kantor Anda"))?;
    let office = crate::store::institutions::get(c, b.office_id)?.doc;
    if !office.kind.is_dukcapil() {
        return Err(AppError::invalid(
            "/parties/0/institution",
            "PIHAK KESATU harus kantor Dukcapil",
        ));
    }
    let agency = InstitutionDoc {
        id: None,
        name: b.agency.trim().to_string(),
        short_name: None,
        kind: b.agency_kind,
        region_code: None,
        address: None,
        phone: None,
        email: None,
        parent: None,
        document_set: None,
    };
    let party = |side, institution| Party {
        side,
        number: None,
        institution,
        recital: None,
        signatory: None,
    };
    let doc = AgreementDoc {
        schema: SchemaTag,
        kind: AgreementKind::Pks,
        amends: None,
        title: b.title.trim().to_string(),
        purpose: b.purpose.clone().filter(|p| !p.trim().is_empty()),
        signed_on: None,
        signed_place: None,
        expires_on: None,
        terminated: None,
        parties: vec![
            party(
                Side::First,
                InstitutionDoc {
                    id: Some(b.office_id),
                    ..office
                },
            ),
            party(Side::Second, agency),
        ],
        legal_bases: vec![],
        approval_letter: None,
        access: vec![],
        return_data: vec![],
        terms: Terms::default(),
        juknis: None,
        statements: vec![],
        applications: vec![],
        certificates: vec![],
        reports: vec![],
        renewals: vec![],
    };
    let heads = crate::store::documents::current_heads(c, &doc)?;
    let doc = drafting::with_heads(doc, &heads);
    super::agreements::create(c, actor, cal, &doc)
}

/// The agreement a person means by `text`: its id, or one of its letter
/// numbers; only one the actor may see.
pub fn find(c: &mut DbConnection, actor: &Actor, text: &str) -> Result<i64, AppError> {
    let text = text.trim();
    let id = match text.parse::<i64>() {
        Ok(id) => Some(id),
        Err(_) => store::find_by_number(c, text, None)?,
    };
    let missing = || {
        AppError::invalid(
            "/dari",
            format!("tidak ada perjanjian bernomor atau ber-id \"{text}\" yang dapat Anda lihat"),
        )
    };
    let id = id.ok_or_else(missing)?;
    policy::sees(c, actor, id).map_err(|_| missing())?;
    if actor.visible.is_all() && !store::exists(c, id)? {
        return Err(missing());
    }
    Ok(id)
}

/// Moves a draft to another stage. Submitting for review is the author's
/// (legal staff); approving or sending back is the approver's, and an
/// error in the consistency check blocks approval.
#[allow(clippy::too_many_arguments)]
pub fn move_stage(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    to: Stage,
    note: &str,
    max_term_months: u32,
) -> Result<AgreementView, AppError> {
    policy::allow(actor, Action::EditAgreement)?;
    policy::sees(c, actor, id)?;
    let (row, _) = store::load_doc(c, id)?;
    let from = row.stage().ok_or_else(|| {
        StoreError::Conflict(
            "perjanjian ini sudah ditandatangani; tahap draf tidak berlaku lagi".into(),
        )
    })?;
    let mover = drafting::transition(from, to).map_err(StoreError::Conflict)?;
    if mover == Mover::Approver {
        policy::approves(c, actor)?;
    }
    let note = note.trim();
    if drafting::needs_note(from, to) && note.is_empty() {
        return Err(AppError::invalid(
            "/note",
            "tuliskan alasan draf dikembalikan, agar penyusunnya tahu apa yang diperbaiki",
        ));
    }
    let today = crate::today_jakarta();
    // The stage and the findings are read again under the agreement's lock:
    // what is approved is what was checked.
    Ok(write_tx(c, |c| {
        lock(c, Locked::Agreement, id)?;
        let (row, doc) = store::load_doc(c, id)?;
        if row.stage() != Some(from) {
            return Err(StoreError::Conflict(
                "tahap draf ini baru saja diubah; muat ulang halamannya".into(),
            ));
        }
        if to == Stage::Disetujui {
            let errors: Vec<FieldError> =
                super::agreements::findings(c, &doc, today, max_term_months)?
                    .into_iter()
                    .filter(|f| f.severity == Severity::Error)
                    .map(|f| FieldError::new(f.pointer, f.message))
                    .collect();
            if !errors.is_empty() {
                return Err(StoreError::Invalid(errors));
            }
        }
        staged(c, actor, id, from, to, note)?;
        let row = AgreementRow {
            stage: to.code().to_string(),
            ..row
        };
        store::view(c, (row, doc), today, cal)
    })?)
}

/// An agreement as its drafting pages read it: its stage (`None` once
/// signed), the PKS it renews, and its document; no obligations computed.
pub struct Draft {
    pub stage: Option<Stage>,
    pub renews_id: Option<i64>,
    pub doc: AgreementDoc,
}

pub fn draft(c: &mut DbConnection, actor: &Actor, id: i64) -> Result<Draft, AppError> {
    policy::sees(c, actor, id)?;
    let (row, doc) = store::load_doc(c, id)?;
    Ok(Draft {
        stage: row.stage(),
        renews_id: row.renews_id,
        doc,
    })
}

/// The last move of a draft between stages: who, when, from and to, and
/// the note (why it was sent back).
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    #[serde(serialize_with = "crate::json::utc")]
    pub at: chrono::NaiveDateTime,
    pub actor: String,
    pub from: Option<Stage>,
    pub to: Option<Stage>,
    pub note: Option<String>,
}

pub fn last_move(c: &mut DbConnection, actor: &Actor, id: i64) -> Result<Option<Moved>, AppError> {
    policy::sees(c, actor, id)?;
    let Some(item) = crate::store::audit::latest(c, id, "stage")? else {
        return Ok(None);
    };
    let stage = |side: &str| {
        item.changes["stage"][side]
            .as_str()
            .and_then(Stage::from_code)
    };
    let note = item.changes["note"]["after"]
        .as_str()
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    Ok(Some(Moved {
        at: item.at,
        actor: item.actor.clone(),
        from: stage("before"),
        to: stage("after"),
        note,
    }))
}

/// The saved versions of a draft, newest first.
pub fn versions(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
) -> Result<Vec<VersionInfo>, AppError> {
    policy::sees(c, actor, id)?;
    if actor.visible.is_all() && !store::exists(c, id)? {
        return Err(AppError::not_found(format!("perjanjian {id}")));
    }
    Ok(versions::list(c, id)?)
}

/// One side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionRef {
    /// A saved version, by its number.
    Number(i32),
    /// The agreement as it is now.
    Now,
    /// What the draft was started from, as it is now: the PKS an adendum
    /// amends or a renewal renews.
    Source,
}

impl VersionRef {
    /// `3`, `kini` (now) or `asal` (what it was started from).
    pub fn parse(s: &str) -> Option<VersionRef> {
        match s {
            "kini" => Some(VersionRef::Now),
            "asal" => Some(VersionRef::Source),
            n => n
                .parse::<i32>()
                .ok()
                .filter(|n| *n > 0)
                .map(VersionRef::Number),
        }
    }
}

/// Two versions compared: what each is, and their differences.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "Perbandingan dua versi: medan, lingkup akses per metode, dan teks PKS.")]
pub struct Comparison {
    /// Versi pertama dalam kata-kata, mis. "versi 2".
    pub a: String,
    /// Versi kedua dalam kata-kata.
    pub b: String,
    #[serde(flatten)]
    pub diff: DocDiff,
}

/// Compares two versions of agreement `id` (or a version with what the
/// draft was started from): fields, scope per access method, and the PKS
/// text each prints as.
pub fn compare(
    c: &mut DbConnection,
    actor: &Actor,
    renderer: &Renderer,
    id: i64,
    a: VersionRef,
    b: VersionRef,
) -> Result<Comparison, AppError> {
    policy::sees(c, actor, id)?;
    let (row, now) = store::load_doc(c, id)?;
    let mut at = |r: VersionRef| -> Result<(String, AgreementDoc), AppError> {
        Ok(match r {
            VersionRef::Number(n) => (format!("versi {n}"), versions::get(c, id, n)?.1),
            VersionRef::Now => ("sekarang".into(), now.clone()),
            VersionRef::Source => {
                let src = row.amends_id.or(row.renews_id).ok_or_else(|| {
                    AppError::not_found(
                        "perjanjian asal: draf ini tidak dibuat dari perjanjian lain",
                    )
                })?;
                policy::sees(c, actor, src)?;
                let (_, doc) = store::load_doc(c, src)?;
                let what = if row.amends_id.is_some() {
                    "PKS yang diubah"
                } else {
                    "PKS yang diperpanjang"
                };
                (format!("{what} (#{src})"), doc)
            }
        })
    };
    let (a_label, a_doc) = at(a)?;
    let (b_label, b_doc) = at(b)?;
    let text = |doc: &AgreementDoc| {
        let mut o = DrawOptions::new(crate::today_jakarta());
        o.draft = true;
        o.privacy = actor.entitled();
        renderer.plain_text(doc, Kind::Pks, &o).unwrap_or_default()
    };
    let mut diff = diff::compare(&a_doc, &b_doc, &text(&a_doc), &text(&b_doc));
    if actor.entitled().is_some() {
        for f in &mut diff.fields {
            if f.field.ends_with("/nik") || f.field.ends_with("/phone") {
                let mask = |v: &mut Option<String>| {
                    if let Some(s) = v {
                        *s = crate::domain::privacy::mask_nik(s);
                    }
                };
                mask(&mut f.before);
                mask(&mut f.after);
            }
        }
    }
    Ok(Comparison {
        a: a_label,
        b: b_label,
        diff,
    })
}
