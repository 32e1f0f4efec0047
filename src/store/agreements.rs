//! Agreements: the whole aggregate in and out, the filtered list, and the
//! lifecycle dates the status is derived from.

use super::db::{insert_rows, on_backend};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::records::{insert_all, Record};
use super::schema::{
    access_scopes, agreement_parties, agreements, applications, institutions, juknis,
    juknis_people, legal_bases, people, return_data_items, scope_elements,
};
use super::{
    decode, decode_opt, institutions as inst_store, now, people as people_store, DbConnection,
    StoreError,
};
use crate::domain::agreement::{
    AgreementDoc, AmendsRef, Application, Certificate, Juknis, JuknisPerson, Letter, Network,
    Party, Renewal, Report, SchemaTag, Scope, Services, Statement, Termination, Terms,
};
use crate::domain::calendar::Calendar;
use crate::domain::catalog::{AgreementKind, Side};
use crate::domain::drafting::Stage;
use crate::domain::obligations::{at_risk, obligations, Obligation, Rules};
use crate::domain::status::{
    renewal_deadline, renewal_window_start, status_as_of, AgreementStatus, Lifecycle,
};
use crate::json::{from_value_at, merge_patch, JsonError};

type Db = <DbConnection as diesel::Connection>::Backend;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agreements)]
pub struct AgreementRow {
    pub id: i64,
    pub kind: String,
    pub amends_id: Option<i64>,
    pub amends_number: Option<String>,
    pub title: String,
    pub purpose: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub signed_place: Option<String>,
    pub expires_on: Option<NaiveDate>,
    pub terminated_on: Option<NaiveDate>,
    pub termination_reason: Option<String>,
    pub termination_note: Option<String>,
    pub approval_number: Option<String>,
    pub approval_date: Option<NaiveDate>,
    pub approval_subject: Option<String>,
    pub iso27001_months: i32,
    pub iso27001_due_on: Option<NaiveDate>,
    pub report_months: String,
    pub report_deadline_working_days: i32,
    pub renewal_notice_months: i32,
    pub card_reader: bool,
    pub first_institution_id: i64,
    pub second_institution_id: i64,
    pub renewal_window_starts_on: Option<NaiveDate>,
    pub renewed_on: Option<NaiveDate>,
    pub search_text: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub stage: String,
    pub renews_id: Option<i64>,
}

impl AgreementRow {
    /// Where a draft stands; `None` once signed.
    pub fn stage(&self) -> Option<Stage> {
        match self.signed_on {
            Some(_) => None,
            None => Some(Stage::from_code(&self.stage).unwrap_or(Stage::Draf)),
        }
    }

    pub fn lifecycle(&self) -> Lifecycle {
        Lifecycle {
            signed_on: self.signed_on,
            expires_on: self.expires_on,
            terminated_on: self.terminated_on,
            renewed_on: self.renewed_on,
            renewal_window_starts_on: self.renewal_window_starts_on,
        }
    }
}

/// The columns written from a document (everything but ids, derived
/// `renewed_on` and timestamps).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = agreements, treat_none_as_null = true)]
struct AgreementFields {
    kind: String,
    amends_id: Option<i64>,
    amends_number: Option<String>,
    title: String,
    purpose: Option<String>,
    signed_on: Option<NaiveDate>,
    signed_place: Option<String>,
    expires_on: Option<NaiveDate>,
    terminated_on: Option<NaiveDate>,
    termination_reason: Option<String>,
    termination_note: Option<String>,
    approval_number: Option<String>,
    approval_date: Option<NaiveDate>,
    approval_subject: Option<String>,
    iso27001_months: i32,
    iso27001_due_on: Option<NaiveDate>,
    report_months: String,
    report_deadline_working_days: i32,
    renewal_notice_months: i32,
    card_reader: bool,
    first_institution_id: i64,
    second_institution_id: i64,
    renewal_window_starts_on: Option<NaiveDate>,
    search_text: String,
}

/// An agreement as the API returns it: the import shape plus ids, the
/// derived status and the dates it was computed from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "Perjanjian seperti yang dikembalikan API: format impor ditambah id, \
    status turunan, tanggal-tanggal perhitungannya dan kewajiban."
)]
pub struct AgreementView {
    pub id: i64,
    #[serde(flatten)]
    pub doc: AgreementDoc,
    pub status: AgreementStatus,
    pub as_of: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewal_deadline: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewed_on: Option<NaiveDate>,
    // A semester report is more than three months late.
    /// Ada laporan semester yang terlambat lebih dari tiga bulan.
    pub at_risk: bool,
    /// Tahap draf; tidak ada setelah ditandatangani.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// PKS yang diperpanjang oleh PKS ini.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renews_id: Option<i64>,
    pub obligations: Vec<Obligation>,
    #[serde(serialize_with = "crate::json::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::json::utc")]
    pub updated_at: NaiveDateTime,
}

/// A `LIKE` pattern matching `text` anywhere, case-insensitively against
/// lower-cased columns, with the wildcards in `text` taken literally.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn search_text_of(doc: &AgreementDoc) -> String {
    let mut parts: Vec<&str> = vec![&doc.title];
    if let Some(a) = &doc.amends {
        parts.push(a.number.as_str());
    }
    for p in &doc.parties {
        parts.push(&p.institution.name);
        if let Some(s) = &p.institution.short_name {
            parts.push(s);
        }
        if let Some(n) = &p.number {
            parts.push(n.as_str());
        }
    }
    if let Some(n) = doc.juknis.as_ref().and_then(|j| j.number.as_ref()) {
        parts.push(n.as_str());
    }
    parts.join(" | ").to_lowercase()
}

fn fields(doc: &AgreementDoc, first: i64, second: i64, amends_id: Option<i64>) -> AgreementFields {
    let t = &doc.terms;
    AgreementFields {
        kind: doc.kind.code().to_string(),
        amends_id,
        amends_number: doc.amends.as_ref().map(|a| a.number.to_string()),
        title: doc.title.trim().to_string(),
        purpose: doc.purpose.clone(),
        signed_on: doc.signed_on,
        signed_place: doc.signed_place.clone(),
        expires_on: doc.expires_on,
        terminated_on: doc.terminated.as_ref().map(|t| t.on),
        termination_reason: doc.terminated.as_ref().map(|t| t.reason.code().to_string()),
        termination_note: doc.terminated.as_ref().and_then(|t| t.note.clone()),
        approval_number: doc.approval_letter.as_ref().map(|l| l.number.to_string()),
        approval_date: doc.approval_letter.as_ref().and_then(|l| l.date),
        approval_subject: doc.approval_letter.as_ref().and_then(|l| l.subject.clone()),
        iso27001_months: t.iso27001_months as i32,
        iso27001_due_on: t.iso27001_due_on,
        report_months: t
            .report_months
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(","),
        report_deadline_working_days: t.report_deadline_working_days as i32,
        renewal_notice_months: t.renewal_notice_months as i32,
        card_reader: t.card_reader,
        first_institution_id: first,
        second_institution_id: second,
        renewal_window_starts_on: doc
            .expires_on
            .map(|e| renewal_window_start(e, t.renewal_notice_months)),
        search_text: search_text_of(doc),
    }
}

fn invalid_if_any(errs: Vec<crate::domain::agreement::FieldError>) -> Result<(), StoreError> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errs))
    }
}

impl From<JsonError> for StoreError {
    fn from(e: JsonError) -> Self {
        match e {
            JsonError::Invalid(errs) => StoreError::Invalid(errs),
            JsonError::Malformed(m) => StoreError::invalid("/", m),
        }
    }
}

/// The agreement whose PIHAK KESATU or KEDUA letter number is `number`.
pub fn find_by_number(
    conn: &mut DbConnection,
    number: &str,
    except: Option<i64>,
) -> Result<Option<i64>, StoreError> {
    // Take the latest in Rust: an ORDER BY here lets SQLite walk the
    // (agreement_id, side) index instead of the number index.
    let ids: Vec<i64> = agreement_parties::table
        .filter(agreement_parties::number.eq(number))
        .select(agreement_parties::agreement_id)
        .load(conn)?;
    Ok(ids.into_iter().filter(|id| Some(*id) != except).max())
}

/// An agreement already registered under both of the document's letter numbers.
fn find_duplicate(conn: &mut DbConnection, doc: &AgreementDoc) -> Result<Option<i64>, StoreError> {
    let number = |side| {
        doc.party(side)
            .and_then(|p| p.number.as_ref())
            .map(|n| n.to_string())
    };
    let (Some(first), Some(second)) = (number(Side::First), number(Side::Second)) else {
        return Ok(None);
    };
    let candidates: Vec<i64> = agreement_parties::table
        .filter(
            agreement_parties::side
                .eq(Side::First.code())
                .and(agreement_parties::number.eq(first)),
        )
        .select(agreement_parties::agreement_id)
        .load(conn)?;
    if candidates.is_empty() {
        return Ok(None);
    }
    Ok(agreement_parties::table
        .filter(agreement_parties::agreement_id.eq_any(candidates))
        .filter(
            agreement_parties::side
                .eq(Side::Second.code())
                .and(agreement_parties::number.eq(second)),
        )
        .select(agreement_parties::agreement_id)
        .first(conn)
        .optional()?)
}

fn resolve_amends(
    conn: &mut DbConnection,
    doc: &AgreementDoc,
    except: Option<i64>,
) -> Result<Option<i64>, StoreError> {
    match &doc.amends {
        None => Ok(None),
        Some(a) => find_by_number(conn, a.number.as_str(), except)?
            .map(Some)
            .ok_or_else(|| {
                StoreError::invalid(
                    "/amends/number",
                    format!(
                        "PKS bernomor {} yang diubah oleh adendum ini belum terdaftar",
                        a.number
                    ),
                )
            }),
    }
}

/// Moves a draft to `stage`.
pub fn set_stage(conn: &mut DbConnection, id: i64, stage: Stage) -> Result<(), StoreError> {
    diesel::update(agreements::table.find(id))
        .set(agreements::stage.eq(stage.code()))
        .execute(conn)?;
    Ok(())
}

/// Records that the PKS `id` renews the PKS `old`.
pub fn set_renews(conn: &mut DbConnection, id: i64, old: i64) -> Result<(), StoreError> {
    diesel::update(agreements::table.find(id))
        .set(agreements::renews_id.eq(old))
        .execute(conn)?;
    refresh_renewed_on(conn, old)
}

/// The signing date of the first signed successor of `id`.
fn refresh_renewed_on(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
    let first: Option<NaiveDate> = agreements::table
        .filter(
            agreements::amends_id
                .eq(id)
                .or(agreements::renews_id.eq(id)),
        )
        .select(diesel::dsl::min(agreements::signed_on))
        .first(conn)?;
    diesel::update(agreements::table.find(id))
        .set(agreements::renewed_on.eq(first))
        .execute(conn)?;
    Ok(())
}

pub fn refresh_search_text(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
    let (_, doc) = load_doc(conn, id)?;
    diesel::update(agreements::table.find(id))
        .set(agreements::search_text.eq(search_text_of(&doc)))
        .execute(conn)?;
    Ok(())
}

fn party_ids(
    conn: &mut DbConnection,
    doc: &AgreementDoc,
) -> Result<Vec<(i64, Option<i64>)>, StoreError> {
    doc.parties
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let inst =
                inst_store::upsert(conn, &p.institution, &format!("/parties/{i}/institution"))?;
            let signatory = p
                .signatory
                .as_ref()
                .map(|s| people_store::resolve(conn, s))
                .transpose()?;
            Ok((inst, signatory))
        })
        .collect()
}

fn insert_parties(
    conn: &mut DbConnection,
    id: i64,
    doc: &AgreementDoc,
    ids: &[(i64, Option<i64>)],
) -> Result<(), StoreError> {
    let rows: Vec<_> = doc
        .parties
        .iter()
        .zip(ids)
        .map(|(p, (inst, signatory))| {
            (
                agreement_parties::agreement_id.eq(id),
                agreement_parties::side.eq(p.side.code()),
                agreement_parties::institution_id.eq(*inst),
                agreement_parties::number.eq(p.number.as_ref().map(|n| n.to_string())),
                agreement_parties::recital.eq(p.recital.as_deref()),
                agreement_parties::signatory_id.eq(*signatory),
            )
        })
        .collect();
    insert_rows!(conn, agreement_parties::table, rows)?;
    Ok(())
}

fn insert_texts(conn: &mut DbConnection, id: i64, doc: &AgreementDoc) -> Result<(), StoreError> {
    let bases: Vec<_> = doc
        .legal_bases
        .iter()
        .enumerate()
        .map(|(i, text)| {
            (
                legal_bases::agreement_id.eq(id),
                legal_bases::position.eq(i as i32),
                legal_bases::text.eq(text.as_str()),
            )
        })
        .collect();
    insert_rows!(conn, legal_bases::table, bases)?;
    let items: Vec<_> = doc
        .return_data
        .iter()
        .enumerate()
        .map(|(i, item)| {
            (
                return_data_items::agreement_id.eq(id),
                return_data_items::position.eq(i as i32),
                return_data_items::item.eq(item.as_str()),
            )
        })
        .collect();
    insert_rows!(conn, return_data_items::table, items)?;
    Ok(())
}

fn insert_juknis(conn: &mut DbConnection, id: i64, j: &Juknis) -> Result<(), StoreError> {
    let net = j.network.as_ref();
    let svc = j.services.as_ref();
    let jid: i64 = diesel::insert_into(juknis::table)
        .values((
            juknis::agreement_id.eq(id),
            juknis::number.eq(j.number.as_ref().map(|n| n.as_str())),
            juknis::date.eq(j.date),
            juknis::place.eq(&j.place),
            juknis::ip_lan.eq(net.and_then(|n| n.ip_lan.as_ref()).map(|v| v.to_string())),
            juknis::bandwidth.eq(net.and_then(|n| n.bandwidth.clone())),
            juknis::cost_bearer.eq(net.and_then(|n| n.cost_bearer).map(|s| s.code())),
            juknis::estimated_connection.eq(net.and_then(|n| n.estimated_connection.clone())),
            juknis::web_portal_ip.eq(svc
                .and_then(|s| s.web_portal_ip.as_ref())
                .map(|v| v.to_string())),
            juknis::return_data_url.eq(svc.and_then(|s| s.return_data_url.clone())),
            juknis::sam_activation_url.eq(svc.and_then(|s| s.sam_activation_url.clone())),
            juknis::report_email.eq(j.report_email.as_ref().map(|e| e.to_string())),
        ))
        .returning(juknis::id)
        .get_result(conn)?;
    let rows: Vec<_> = [
        ("contact", &j.contacts),
        ("acknowledger", &j.acknowledged_by),
    ]
    .into_iter()
    .flat_map(|(role, list)| list.iter().enumerate().map(move |(i, p)| (role, i, p)))
    .map(|(role, i, p)| {
        (
            juknis_people::juknis_id.eq(jid),
            juknis_people::role.eq(role),
            juknis_people::position_in_list.eq(i as i32),
            juknis_people::side.eq(p.side.code()),
            juknis_people::name.eq(p.name.trim()),
            juknis_people::position.eq(p.position.as_deref()),
            juknis_people::nip.eq(p.nip.as_ref().map(|v| v.to_string())),
            juknis_people::nik.eq(p.nik.as_ref().map(|v| v.to_string())),
            juknis_people::phone.eq(p.phone.as_ref().map(|v| v.to_string())),
            juknis_people::email.eq(p.email.as_ref().map(|v| v.to_string())),
        )
    })
    .collect();
    insert_rows!(conn, juknis_people::table, rows)?;
    Ok(())
}

fn side_ids(doc: &AgreementDoc, ids: &[(i64, Option<i64>)]) -> (i64, i64) {
    let find = |side: Side| {
        doc.parties
            .iter()
            .zip(ids)
            .find(|(p, _)| p.side == side)
            .map(|(_, (i, _))| *i)
    };
    (
        find(Side::First).unwrap_or_default(),
        find(Side::Second).unwrap_or_default(),
    )
}

/// Writes a new agreement with everything it holds. The caller runs it in a
/// transaction; nothing is written when any rule fails.
pub fn insert(conn: &mut DbConnection, doc: &AgreementDoc) -> Result<i64, StoreError> {
    invalid_if_any(doc.check())?;
    if let Some(existing) = find_duplicate(conn, doc)? {
        return Err(StoreError::Conflict(format!(
            "perjanjian dengan nomor PIHAK KESATU dan PIHAK KEDUA yang sama sudah terdaftar (id {existing})"
        )));
    }
    let amends_id = resolve_amends(conn, doc, None)?;
    let ids = party_ids(conn, doc)?;
    let (first, second) = side_ids(doc, &ids);
    let ts = now();
    let id: i64 = diesel::insert_into(agreements::table)
        .values((
            fields(doc, first, second, amends_id),
            agreements::created_at.eq(ts),
            agreements::updated_at.eq(ts),
        ))
        .returning(agreements::id)
        .get_result(conn)?;
    insert_parties(conn, id, doc, &ids)?;
    insert_texts(conn, id, doc)?;
    if let Some(j) = &doc.juknis {
        insert_juknis(conn, id, j)?;
    }
    insert_all(conn, id, &doc.access)?;
    insert_all(conn, id, &doc.applications)?;
    insert_all(conn, id, &doc.statements)?;
    insert_all(conn, id, &doc.certificates)?;
    insert_all(conn, id, &doc.reports)?;
    insert_all(conn, id, &doc.renewals)?;
    if let Some(target) = amends_id {
        refresh_renewed_on(conn, target)?;
    }
    Ok(id)
}

/// Whether agreement `id` exists: one lookup by key, for a caller that
/// needs nothing of it.
pub fn exists(conn: &mut DbConnection, id: i64) -> Result<bool, StoreError> {
    Ok(agreements::table
        .find(id)
        .select(agreements::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

fn row(conn: &mut DbConnection, id: i64) -> Result<AgreementRow, StoreError> {
    on_backend!(conn, |c| agreements::table
        .find(id)
        .select(AgreementRow::as_select())
        .first(c))
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("perjanjian {id}")))
}

fn load_parties(conn: &mut DbConnection, id: i64) -> Result<Vec<Party>, StoreError> {
    let parent = diesel::alias!(institutions as parent);
    let rows: Vec<(
        (String, Option<String>, Option<String>),
        inst_store::InstitutionRow,
        Option<String>,
        Option<people_store::PersonRow>,
    )> = on_backend!(conn, |c| agreement_parties::table
        .inner_join(institutions::table)
        .left_join(parent.on(institutions::parent_id.eq(parent.field(institutions::id).nullable())))
        .left_join(people::table)
        .filter(agreement_parties::agreement_id.eq(id))
        .order(agreement_parties::id)
        .select((
            (
                agreement_parties::side,
                agreement_parties::number,
                agreement_parties::recital,
            ),
            inst_store::InstitutionRow::as_select(),
            parent.field(institutions::name).nullable(),
            Option::<people_store::PersonRow>::as_select(),
        ))
        .load(c))?;
    rows.into_iter()
        .map(|((side, number, recital), inst, parent, person)| {
            Ok(Party {
                side: decode(side)?,
                number: decode_opt(number)?,
                institution: inst.to_doc(parent)?,
                recital,
                signatory: person.map(|p| p.to_doc()).transpose()?,
            })
        })
        .collect()
}

type JuknisRow = (
    Option<String>,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);
type JuknisPersonRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn load_juknis(conn: &mut DbConnection, id: i64) -> Result<Option<Juknis>, StoreError> {
    // The Juknis with its contacts and acknowledgers in one query: a row per
    // person (one row without a person when it has none), each list in order.
    let rows: Vec<(JuknisRow, Option<JuknisPersonRow>)> = on_backend!(conn, |c| juknis::table
        .left_join(juknis_people::table)
        .filter(juknis::agreement_id.eq(id))
        .order((juknis_people::role, juknis_people::position_in_list))
        .select((
            (
                juknis::number,
                juknis::date,
                juknis::place,
                juknis::ip_lan,
                juknis::bandwidth,
                juknis::cost_bearer,
                juknis::estimated_connection,
                juknis::web_portal_ip,
                juknis::return_data_url,
                juknis::sam_activation_url,
                juknis::report_email,
            ),
            (
                juknis_people::role,
                juknis_people::side,
                juknis_people::name,
                juknis_people::position,
                juknis_people::nip,
                juknis_people::nik,
                juknis_people::phone,
                juknis_people::email,
            )
                .nullable(),
        ))
        .load(c))?;
    let mut rows = rows.into_iter();
    let Some((r, first)) = rows.next() else {
        return Ok(None);
    };
    let (mut contacts, mut acks) = (vec![], vec![]);
    for (role, side, name, position, nip, nik, phone, email) in
        first.into_iter().chain(rows.filter_map(|(_, p)| p))
    {
        let p = JuknisPerson {
            side: decode(side)?,
            name,
            position,
            nip: decode_opt(nip)?,
            nik: decode_opt(nik)?,
            phone: decode_opt(phone)?,
            email: decode_opt(email)?,
        };
        if role == "contact" {
            contacts.push(p)
        } else {
            acks.push(p)
        }
    }
    let network = Network {
        ip_lan: decode_opt(r.3)?,
        bandwidth: r.4,
        cost_bearer: decode_opt(r.5)?,
        estimated_connection: r.6,
    };
    let services = Services {
        web_portal_ip: decode_opt(r.7)?,
        return_data_url: r.8,
        sam_activation_url: r.9,
    };
    Ok(Some(Juknis {
        number: decode_opt(r.0)?,
        date: r.1,
        place: r.2,
        network: (network
            != Network {
                ip_lan: None,
                bandwidth: None,
                cost_bearer: None,
                estimated_connection: None,
            })
        .then_some(network),
        services: (services
            != Services {
                web_portal_ip: None,
                return_data_url: None,
                sam_activation_url: None,
            })
        .then_some(services),
        report_email: decode_opt(r.10)?,
        contacts,
        acknowledged_by: acks,
    }))
}

/// The stored row and the whole agreement in the import shape.
pub fn load_doc(
    conn: &mut DbConnection,
    id: i64,
) -> Result<(AgreementRow, AgreementDoc), StoreError> {
    let r = row(conn, id)?;
    let texts = |conn: &mut DbConnection| -> Result<(Vec<String>, Vec<String>), StoreError> {
        let lb = on_backend!(conn, |c| legal_bases::table
            .filter(legal_bases::agreement_id.eq(id))
            .order(legal_bases::position)
            .select(legal_bases::text)
            .load(c))?;
        let rd = on_backend!(conn, |c| return_data_items::table
            .filter(return_data_items::agreement_id.eq(id))
            .order(return_data_items::position)
            .select(return_data_items::item)
            .load(c))?;
        Ok((lb, rd))
    };
    let (legal, return_data) = texts(conn)?;
    let doc = AgreementDoc {
        schema: SchemaTag,
        kind: decode(r.kind.clone())?,
        amends: match &r.amends_number {
            Some(n) => Some(AmendsRef {
                id: r.amends_id,
                number: decode(n.clone())?,
            }),
            None => None,
        },
        title: r.title.clone(),
        purpose: r.purpose.clone(),
        signed_on: r.signed_on,
        signed_place: r.signed_place.clone(),
        expires_on: r.expires_on,
        terminated: match (r.terminated_on, &r.termination_reason) {
            (Some(on), Some(reason)) => Some(Termination {
                on,
                reason: decode(reason.clone())?,
                note: r.termination_note.clone(),
            }),
            _ => None,
        },
        parties: load_parties(conn, id)?,
        legal_bases: legal,
        approval_letter: match &r.approval_number {
            Some(n) => Some(Letter {
                number: decode(n.clone())?,
                date: r.approval_date,
                subject: r.approval_subject.clone(),
            }),
            None => None,
        },
        access: Scope::load_all(conn, id)?,
        return_data,
        terms: Terms {
            iso27001_months: r.iso27001_months as u32,
            iso27001_due_on: r.iso27001_due_on,
            report_months: r
                .report_months
                .split(',')
                .filter_map(|m| m.parse().ok())
                .collect(),
            report_deadline_working_days: r.report_deadline_working_days as u32,
            renewal_notice_months: r.renewal_notice_months as u32,
            card_reader: r.card_reader,
        },
        juknis: load_juknis(conn, id)?,
        statements: Statement::load_all(conn, id)?,
        applications: Application::load_all(conn, id)?,
        certificates: Certificate::load_all(conn, id)?,
        reports: Report::load_all(conn, id)?,
        renewals: Renewal::load_all(conn, id)?,
    };
    Ok((r, doc))
}

/// An agreement as stored: its row and its document, as [`load_doc`] reads them.
pub type Stored = (AgreementRow, AgreementDoc);

/// The whole agreement with its status and obligations as of a date.
pub fn get(
    conn: &mut DbConnection,
    id: i64,
    as_of: NaiveDate,
    cal: &Calendar,
) -> Result<AgreementView, StoreError> {
    let stored = load_doc(conn, id)?;
    view(conn, stored, as_of, cal)
}

/// An agreement already read ([`load_doc`]) with its status and obligations
/// as of a date: reads only the waivers and the SAM return.
pub fn view(
    conn: &mut DbConnection,
    (r, doc): Stored,
    as_of: NaiveDate,
    cal: &Calendar,
) -> Result<AgreementView, StoreError> {
    let facts = super::obligations::facts_for(conn, &r, &doc)?;
    let obligations = obligations(&facts, cal, as_of, Rules::default());
    Ok(AgreementView {
        id: r.id,
        status: status_as_of(&r.lifecycle(), as_of),
        as_of,
        renewal_deadline: r
            .expires_on
            .map(|e| renewal_deadline(e, r.renewal_notice_months as u32)),
        renewed_on: r.renewed_on,
        at_risk: at_risk(status_as_of(&r.lifecycle(), as_of), &obligations),
        stage: r.stage(),
        renews_id: r.renews_id,
        obligations,
        created_at: r.created_at,
        updated_at: r.updated_at,
        doc,
    })
}

// ---- list ------------------------------------------------------------------

pub fn list(
    conn: &mut DbConnection,
    f: &ListFilter,
) -> Result<(i64, Vec<AgreementSummary>), StoreError> {
    let ids = matching_ids(conn, f)?;
    page_of(conn, f, &ids)
}

/// The order of a list: by id (the order of entry, the default), newest
/// first, soonest expiry first, or by title.
#[derive(Debug, Clone, Copy, Default, Hash, PartialEq, Eq)]
pub enum ListSort {
    #[default]
    Id,
    Newest,
    Expiry,
    Title,
}

impl ListSort {
    pub const ALL: &'static [(ListSort, &'static str, &'static str)] = &[
        (ListSort::Id, "urutan", "urutan pencatatan"),
        (ListSort::Newest, "terbaru", "terbaru dahulu"),
        (ListSort::Expiry, "berakhir", "berakhir paling dekat"),
        (ListSort::Title, "judul", "judul (A–Z)"),
    ];

    pub fn from_code(code: &str) -> Option<ListSort> {
        Self::ALL
            .iter()
            .find(|(_, c, _)| *c == code)
            .map(|(s, _, _)| *s)
    }
}

#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub struct ListFilter {
    pub status: Option<AgreementStatus>,
    pub institution: Option<i64>,
    pub q: Option<String>,
    pub expires_before: Option<NaiveDate>,
    /// The Dukcapil office that is PIHAK KESATU.
    pub office: Option<i64>,
    /// Grants this access method.
    pub method: Option<crate::domain::catalog::AccessMethod>,
    /// Grants this data element (under any method).
    pub element: Option<String>,
    pub sort: ListSort,
    pub as_of: NaiveDate,
    pub limit: i64,
    pub offset: i64,
    /// What the reader may see (enforced here, in the query).
    pub visible: super::access::Visibility,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = agreements)]
struct SummaryRow {
    id: i64,
    kind: String,
    amends_id: Option<i64>,
    title: String,
    signed_on: Option<NaiveDate>,
    expires_on: Option<NaiveDate>,
    terminated_on: Option<NaiveDate>,
    renewed_on: Option<NaiveDate>,
    renewal_window_starts_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartySummary {
    pub side: Side,
    pub institution_id: i64,
    pub institution: String,
    pub number: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "Ringkasan perjanjian dalam daftar.")]
pub struct AgreementSummary {
    pub id: i64,
    pub kind: AgreementKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amends_id: Option<i64>,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub status: AgreementStatus,
    pub parties: Vec<PartySummary>,
}

fn filtered<'a>(f: &'a ListFilter) -> agreements::BoxedQuery<'a, Db> {
    use agreements::dsl as a;
    let d = f.as_of;
    let mut q = f.visible.apply(agreements::table.into_boxed::<Db>());
    if let Some(inst) = f.institution {
        q = q.filter(
            a::first_institution_id
                .eq(inst)
                .or(a::second_institution_id.eq(inst)),
        );
    }
    if let Some(text) = &f.q {
        q = q.filter(a::search_text.like(like_pattern(text)).escape('\\'));
    }
    if let Some(before) = f.expires_before {
        q = q.filter(a::expires_on.lt(before));
    }
    if let Some(office) = f.office {
        q = q.filter(a::first_institution_id.eq(office));
    }
    if let Some(method) = f.method {
        q = q.filter(
            a::id.eq_any(
                access_scopes::table
                    .filter(access_scopes::method.eq(method.code()))
                    .select(access_scopes::agreement_id),
            ),
        );
    }
    if let Some(element) = &f.element {
        q = q.filter(
            a::id.eq_any(
                access_scopes::table
                    .inner_join(scope_elements::table)
                    .filter(scope_elements::element_code.eq(element.as_str()))
                    .select(access_scopes::agreement_id),
            ),
        );
    }
    if let Some(status) = f.status {
        // The same comparisons as domain::status::status_as_of, in SQL.
        if status == AgreementStatus::Draft {
            return q.filter(a::signed_on.is_null().or(a::signed_on.gt(d)));
        }
        q = q.filter(a::signed_on.le(d));
        if status == AgreementStatus::Terminated {
            return q.filter(a::terminated_on.le(d));
        }
        q = q.filter(a::terminated_on.is_null().or(a::terminated_on.gt(d)));
        if status == AgreementStatus::Renewed {
            return q.filter(a::renewed_on.le(d));
        }
        q = q.filter(a::renewed_on.is_null().or(a::renewed_on.gt(d)));
        if status == AgreementStatus::Expired {
            return q.filter(a::expires_on.lt(d));
        }
        q = q.filter(a::expires_on.is_null().or(a::expires_on.ge(d)));
        q = match status {
            AgreementStatus::RenewalDue => q.filter(a::renewal_window_starts_on.le(d)),
            _ => q.filter(
                a::renewal_window_starts_on
                    .is_null()
                    .or(a::renewal_window_starts_on.gt(d)),
            ),
        };
    }
    q
}

/// How many agreements match the filter.
pub fn count(conn: &mut DbConnection, f: &ListFilter) -> Result<i64, StoreError> {
    Ok(filtered(f).count().get_result(conn)?)
}

/// Every agreement id the filter matches, in id order. Paging over this list
/// (cached per filter by the HTTP layer until the registry changes) costs the
/// same at offset 2,000 as at 0, and the total is its length.
/// The ids a filter matches, in the filter's order.
pub fn matching_ids(conn: &mut DbConnection, f: &ListFilter) -> Result<Vec<i64>, StoreError> {
    use agreements::dsl as a;
    let q = filtered(f);
    let ids: Vec<i64> = match f.sort {
        ListSort::Id => q.order(a::id).select(a::id).load(conn)?,
        ListSort::Newest => q
            .order((a::signed_on.is_null(), a::signed_on.desc(), a::id.desc()))
            .select(a::id)
            .load(conn)?,
        // Undated last, on both backends.
        ListSort::Expiry => q
            .order((a::expires_on.is_null(), a::expires_on, a::id))
            .select(a::id)
            .load(conn)?,
        ListSort::Title => q.order((a::title, a::id)).select(a::id).load(conn)?,
    };
    Ok(ids)
}

/// One page of `ids` (the filter's matches) as summaries, with the total.
pub fn page_of(
    conn: &mut DbConnection,
    f: &ListFilter,
    ids: &[i64],
) -> Result<(i64, Vec<AgreementSummary>), StoreError> {
    let total = ids.len() as i64;
    let page: Vec<i64> = ids
        .iter()
        .skip(f.offset as usize)
        .take(f.limit as usize)
        .copied()
        .collect();
    let rows: Vec<SummaryRow> = if page.is_empty() {
        vec![]
    } else {
        let mut rows: Vec<SummaryRow> = agreements::table
            .filter(agreements::id.eq_any(&page))
            .select(SummaryRow::as_select())
            .load(conn)?;
        // In the filter's order, which is the order of `ids`.
        rows.sort_by_key(|r| page.iter().position(|id| *id == r.id));
        rows
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let parties: Vec<(i64, String, i64, String, Option<String>)> = if ids.is_empty() {
        vec![]
    } else {
        agreement_parties::table
            .inner_join(institutions::table)
            .filter(agreement_parties::agreement_id.eq_any(&ids))
            .order((agreement_parties::agreement_id, agreement_parties::side))
            .select((
                agreement_parties::agreement_id,
                agreement_parties::side,
                institutions::id,
                institutions::name,
                agreement_parties::number,
            ))
            .load(conn)?
    };
    let items = rows
        .into_iter()
        .map(|r| {
            let lifecycle = Lifecycle {
                signed_on: r.signed_on,
                expires_on: r.expires_on,
                terminated_on: r.terminated_on,
                renewed_on: r.renewed_on,
                renewal_window_starts_on: r.renewal_window_starts_on,
            };
            Ok(AgreementSummary {
                id: r.id,
                kind: decode(r.kind)?,
                amends_id: r.amends_id,
                title: r.title,
                signed_on: r.signed_on,
                expires_on: r.expires_on,
                status: status_as_of(&lifecycle, f.as_of),
                parties: parties
                    .iter()
                    .filter(|p| p.0 == r.id)
                    .map(|p| {
                        Ok(PartySummary {
                            side: decode(p.1.clone())?,
                            institution_id: p.2,
                            institution: p.3.clone(),
                            number: p.4.clone(),
                        })
                    })
                    .collect::<Result<_, StoreError>>()?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((total, items))
}

// ---- changes ---------------------------------------------------------------

/// Keys of the import shape that PATCH may change; the record lists have
/// their own endpoints so that their ids stay stable.
const PATCHABLE: &[&str] = &[
    "kind",
    "amends",
    "title",
    "purpose",
    "signed_on",
    "signed_place",
    "expires_on",
    "terminated",
    "parties",
    "legal_bases",
    "approval_letter",
    "access",
    "return_data",
    "terms",
    "juknis",
];

/// Applies a JSON merge patch to the agreement; the result must satisfy
/// every rule a new agreement must.
pub fn patch(conn: &mut DbConnection, id: i64, patch: &Value) -> Result<(), StoreError> {
    check_patch(id, patch)?;
    let old = load_doc(conn, id)?;
    patch_stored(conn, id, &old, patch)
}

/// Whether `patch` can be a merge patch of an agreement at all (an object
/// of fields that can be changed).
fn check_patch(id: i64, patch: &Value) -> Result<(), StoreError> {
    let Some(obj) = patch.as_object() else {
        return Err(StoreError::invalid(
            "/",
            "isi PATCH harus berupa objek JSON",
        ));
    };
    for key in obj.keys() {
        if !PATCHABLE.contains(&key.as_str()) {
            let hint = if [
                "statements",
                "applications",
                "certificates",
                "reports",
                "renewals",
            ]
            .contains(&key.as_str())
            {
                format!("ubah melalui /api/v1/agreements/{id}/{key}")
            } else {
                "kolom ini tidak dapat diubah".to_string()
            };
            return Err(StoreError::invalid(&format!("/{key}"), hint));
        }
    }
    Ok(())
}

/// [`patch`] of an agreement already read in this transaction (`old`, as
/// [`load_doc`] read it after the agreement's lock), so that it is not read again.
pub fn patch_stored(
    conn: &mut DbConnection,
    id: i64,
    (old_row, old): &Stored,
    patch: &Value,
) -> Result<(), StoreError> {
    check_patch(id, patch)?;
    let Some(obj) = patch.as_object() else {
        return Ok(());
    };
    let mut value =
        serde_json::to_value(old).map_err(|e| StoreError::Unavailable(e.to_string()))?;
    merge_patch(&mut value, patch);
    let doc: AgreementDoc = from_value_at(value, "")?;
    invalid_if_any(doc.check())?;
    let amends_id = resolve_amends(conn, &doc, Some(id))?;
    if amends_id == Some(id) {
        return Err(StoreError::invalid(
            "/amends/number",
            "perjanjian tidak dapat mengubah dirinya sendiri",
        ));
    }
    let ids = party_ids(conn, &doc)?;
    let (first, second) = side_ids(&doc, &ids);
    diesel::update(agreements::table.find(id))
        .set((
            fields(&doc, first, second, amends_id),
            agreements::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if obj.contains_key("parties") {
        diesel::delete(agreement_parties::table.filter(agreement_parties::agreement_id.eq(id)))
            .execute(conn)?;
        insert_parties(conn, id, &doc, &ids)?;
    }
    if obj.contains_key("legal_bases") || obj.contains_key("return_data") {
        diesel::delete(legal_bases::table.filter(legal_bases::agreement_id.eq(id)))
            .execute(conn)?;
        diesel::delete(return_data_items::table.filter(return_data_items::agreement_id.eq(id)))
            .execute(conn)?;
        insert_texts(conn, id, &doc)?;
    }
    if obj.contains_key("access") {
        diesel::delete(access_scopes::table.filter(access_scopes::agreement_id.eq(id)))
            .execute(conn)?;
        insert_all(conn, id, &doc.access)?;
    }
    if obj.contains_key("juknis") {
        diesel::delete(juknis::table.filter(juknis::agreement_id.eq(id))).execute(conn)?;
        if let Some(j) = &doc.juknis {
            insert_juknis(conn, id, j)?;
        }
    }
    for target in [old_row.amends_id, amends_id, old_row.renews_id]
        .into_iter()
        .flatten()
    {
        refresh_renewed_on(conn, target)?;
    }
    Ok(())
}

/// Replaces the applications of a draft with `list` (the import shape),
/// after checking the whole agreement with them.
pub fn replace_applications(
    conn: &mut DbConnection,
    id: i64,
    list: Value,
) -> Result<(), StoreError> {
    let apps: Vec<Application> = from_value_at(list, "/applications")?;
    let (_, mut doc) = load_doc(conn, id)?;
    doc.applications = apps;
    invalid_if_any(doc.check())?;
    diesel::delete(applications::table.filter(applications::agreement_id.eq(id))).execute(conn)?;
    insert_all(conn, id, &doc.applications)?;
    touch(conn, id)
}

/// Only a draft can be deleted: a signed agreement is terminated instead.
pub fn delete(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
    let r = row(conn, id)?;
    if r.signed_on.is_some() {
        return Err(StoreError::Conflict(
            "perjanjian yang sudah ditandatangani tidak dapat dihapus; catat pengakhirannya (terminated) sebagai gantinya"
                .into(),
        ));
    }
    let successors: i64 = agreements::table
        .filter(agreements::amends_id.eq(id))
        .count()
        .get_result(conn)?;
    if successors > 0 {
        return Err(StoreError::Conflict(
            "perjanjian ini sudah diubah oleh adendum dan tidak dapat dihapus".into(),
        ));
    }
    diesel::delete(agreements::table.find(id)).execute(conn)?;
    for target in [r.amends_id, r.renews_id].into_iter().flatten() {
        refresh_renewed_on(conn, target)?;
    }
    Ok(())
}

fn touch(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
    diesel::update(agreements::table.find(id))
        .set(agreements::updated_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// Adds one record to an agreement's list after checking the whole agreement with it.
pub fn create_record<R: Record>(
    conn: &mut DbConnection,
    agreement_id: i64,
    body: Value,
) -> Result<R, StoreError> {
    let (_, doc) = load_doc(conn, agreement_id)?;
    create_record_in(conn, agreement_id, doc, body)
}

/// [`create_record`] on the agreement's document as already read in this transaction.
pub fn create_record_in<R: Record>(
    conn: &mut DbConnection,
    agreement_id: i64,
    mut doc: AgreementDoc,
    body: Value,
) -> Result<R, StoreError> {
    let index = R::list(&mut doc).len();
    let mut record: R = from_value_at(body, &format!("/{}/{index}", R::COLLECTION))?;
    record.set_id(None);
    R::list(&mut doc).push(record.clone());
    invalid_if_any(doc.check())?;
    let id = record.insert(conn, agreement_id)?;
    touch(conn, agreement_id)?;
    record.set_id(Some(id));
    Ok(record)
}

fn position<R: Record>(
    doc: &mut AgreementDoc,
    agreement_id: i64,
    record_id: i64,
) -> Result<usize, StoreError> {
    R::list(doc)
        .iter()
        .position(|r| r.id() == Some(record_id))
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "{} {record_id} pada perjanjian {agreement_id}",
                R::LABEL
            ))
        })
}

pub fn get_record<R: Record>(
    conn: &mut DbConnection,
    agreement_id: i64,
    record_id: i64,
) -> Result<R, StoreError> {
    let (_, mut doc) = load_doc(conn, agreement_id)?;
    let i = position::<R>(&mut doc, agreement_id, record_id)?;
    Ok(R::list(&mut doc)[i].clone())
}

/// Changes one record by a JSON merge patch.
pub fn update_record<R: Record>(
    conn: &mut DbConnection,
    agreement_id: i64,
    record_id: i64,
    patch: &Value,
) -> Result<R, StoreError> {
    let (_, doc) = load_doc(conn, agreement_id)?;
    update_record_in(conn, agreement_id, doc, record_id, patch)
}

/// [`update_record`] on the agreement's document as already read in this transaction.
pub fn update_record_in<R: Record>(
    conn: &mut DbConnection,
    agreement_id: i64,
    mut doc: AgreementDoc,
    record_id: i64,
    patch: &Value,
) -> Result<R, StoreError> {
    let i = position::<R>(&mut doc, agreement_id, record_id)?;
    let mut value = serde_json::to_value(&R::list(&mut doc)[i])
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    merge_patch(&mut value, patch);
    let mut record: R = from_value_at(value, &format!("/{}/{i}", R::COLLECTION))?;
    record.set_id(Some(record_id));
    R::list(&mut doc)[i] = record.clone();
    invalid_if_any(doc.check())?;
    record.update(conn, record_id)?;
    touch(conn, agreement_id)?;
    Ok(record)
}

pub fn delete_record<R: Record>(
    conn: &mut DbConnection,
    agreement_id: i64,
    record_id: i64,
) -> Result<(), StoreError> {
    let (_, doc) = load_doc(conn, agreement_id)?;
    delete_record_in::<R>(conn, agreement_id, doc, record_id)
}

/// [`delete_record`] on the agreement's document as already read in this transaction.
pub fn delete_record_in<R: Record>(
    conn: &mut DbConnection,
    agreement_id: i64,
    mut doc: AgreementDoc,
    record_id: i64,
) -> Result<(), StoreError> {
    let i = position::<R>(&mut doc, agreement_id, record_id)?;
    R::list(&mut doc).remove(i);
    invalid_if_any(doc.check())?;
    R::delete(conn, record_id)?;
    touch(conn, agreement_id)
}
