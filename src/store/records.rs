//! The records an agreement holds in lists: access scopes, applications with
//! their PoC, SPTJM/NDA statements, certificates, semester reports and
//! renewal requests. Each is created, changed and removed on its own through
//! the [`Record`] trait; the whole agreement is checked before any write.

use diesel::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::schema::{
    access_scopes, applications, certificates, people, renewals, reports, scope_elements,
    statements,
};
use super::{decode, decode_opt, encode, people as people_store, DbConnection, StoreError};
use crate::domain::agreement::{
    AgreementDoc, Application, Certificate, Letter, Poc, Renewal, Report, Scope, Statement,
};

pub trait Record: Serialize + DeserializeOwned + Clone + Sized {
    /// The key of the list in the import format and the URL segment.
    const COLLECTION: &'static str;
    /// What a user calls one of these, for messages.
    const LABEL: &'static str;
    /// The URL segment under `/agreements/{id}/`.
    const PATH: &'static str = Self::COLLECTION;
    fn list(doc: &mut AgreementDoc) -> &mut Vec<Self>;
    fn id(&self) -> Option<i64>;
    fn set_id(&mut self, id: Option<i64>);
    fn load_all(conn: &mut DbConnection, agreement_id: i64) -> Result<Vec<Self>, StoreError>;
    fn insert(&self, conn: &mut DbConnection, agreement_id: i64) -> Result<i64, StoreError>;
    fn update(&self, conn: &mut DbConnection, id: i64) -> Result<(), StoreError>;
    fn delete(conn: &mut DbConnection, id: i64) -> Result<(), StoreError>;
}

fn letter(
    number: Option<String>,
    date: Option<chrono::NaiveDate>,
) -> Result<Option<Letter>, StoreError> {
    Ok(match number {
        Some(n) => Some(Letter {
            number: decode(n)?,
            date,
            subject: None,
        }),
        None => None,
    })
}

// ---- access scopes -------------------------------------------------------

fn insert_elements(
    conn: &mut DbConnection,
    scope_id: i64,
    scope: &Scope,
) -> Result<(), StoreError> {
    for (i, el) in scope.elements.iter().enumerate() {
        diesel::insert_into(scope_elements::table)
            .values((
                scope_elements::scope_id.eq(scope_id),
                scope_elements::element_code.eq(el.as_str()),
                scope_elements::position.eq(i as i32),
            ))
            .execute(conn)?;
    }
    Ok(())
}

impl Record for Scope {
    const COLLECTION: &'static str = "access";
    const PATH: &'static str = "scopes";
    const LABEL: &'static str = "lingkup akses";
    fn list(doc: &mut AgreementDoc) -> &mut Vec<Self> {
        &mut doc.access
    }
    fn id(&self) -> Option<i64> {
        self.id
    }
    fn set_id(&mut self, id: Option<i64>) {
        self.id = id;
    }
    fn load_all(conn: &mut DbConnection, agreement_id: i64) -> Result<Vec<Self>, StoreError> {
        let rows: Vec<(i64, String, Option<i32>, bool)> = access_scopes::table
            .filter(access_scopes::agreement_id.eq(agreement_id))
            .order(access_scopes::id)
            .select((
                access_scopes::id,
                access_scopes::method,
                access_scopes::daily_quota,
                access_scopes::unlimited_after_poc,
            ))
            .load(conn)?;
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let els: Vec<(i64, String)> = scope_elements::table
            .filter(scope_elements::scope_id.eq_any(&ids))
            .order((scope_elements::scope_id, scope_elements::position))
            .select((scope_elements::scope_id, scope_elements::element_code))
            .load(conn)?;
        rows.into_iter()
            .map(|(id, method, quota, unlimited)| {
                Ok(Scope {
                    id: Some(id),
                    method: decode(method)?,
                    elements: els
                        .iter()
                        .filter(|(sid, _)| *sid == id)
                        .map(|(_, code)| decode(code.clone()))
                        .collect::<Result<_, _>>()?,
                    daily_quota: quota.map(|q| q as u32),
                    unlimited_after_poc: unlimited,
                })
            })
            .collect()
    }
    fn insert(&self, conn: &mut DbConnection, agreement_id: i64) -> Result<i64, StoreError> {
        let id: i64 = diesel::insert_into(access_scopes::table)
            .values((
                access_scopes::agreement_id.eq(agreement_id),
                access_scopes::method.eq(self.method.code()),
                access_scopes::daily_quota.eq(self.daily_quota.map(|q| q as i32)),
                access_scopes::unlimited_after_poc.eq(self.unlimited_after_poc),
            ))
            .returning(access_scopes::id)
            .get_result(conn)?;
        insert_elements(conn, id, self)?;
        Ok(id)
    }
    fn update(&self, conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        diesel::update(access_scopes::table.find(id))
            .set((
                access_scopes::method.eq(self.method.code()),
                access_scopes::daily_quota.eq(self.daily_quota.map(|q| q as i32)),
                access_scopes::unlimited_after_poc.eq(self.unlimited_after_poc),
            ))
            .execute(conn)?;
        diesel::delete(scope_elements::table.filter(scope_elements::scope_id.eq(id)))
            .execute(conn)?;
        insert_elements(conn, id, self)
    }
    fn delete(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        diesel::delete(scope_elements::table.filter(scope_elements::scope_id.eq(id)))
            .execute(conn)?;
        diesel::delete(access_scopes::table.find(id)).execute(conn)?;
        Ok(())
    }
}

// ---- applications and PoC ------------------------------------------------

type AppRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<chrono::NaiveDate>,
    Option<chrono::NaiveDate>,
    Option<String>,
    Option<chrono::NaiveDate>,
);

impl Record for Application {
    const COLLECTION: &'static str = "applications";
    const LABEL: &'static str = "aplikasi";
    fn list(doc: &mut AgreementDoc) -> &mut Vec<Self> {
        &mut doc.applications
    }
    fn id(&self) -> Option<i64> {
        self.id
    }
    fn set_id(&mut self, id: Option<i64>) {
        self.id = id;
    }
    fn load_all(conn: &mut DbConnection, agreement_id: i64) -> Result<Vec<Self>, StoreError> {
        let rows: Vec<AppRow> = applications::table
            .filter(applications::agreement_id.eq(agreement_id))
            .order(applications::id)
            .select((
                applications::id,
                applications::name,
                applications::method,
                applications::poc_status,
                applications::poc_request_number,
                applications::poc_request_date,
                applications::poc_scheduled_on,
                applications::poc_result_number,
                applications::poc_result_date,
            ))
            .load(conn)?;
        rows.into_iter()
            .map(|r| {
                Ok(Application {
                    id: Some(r.0),
                    name: r.1,
                    method: decode(r.2)?,
                    poc: Poc {
                        status: decode(r.3)?,
                        request_letter: letter(r.4, r.5)?,
                        scheduled_on: r.6,
                        result_letter: letter(r.7, r.8)?,
                    },
                })
            })
            .collect()
    }
    fn insert(&self, conn: &mut DbConnection, agreement_id: i64) -> Result<i64, StoreError> {
        let p = &self.poc;
        Ok(diesel::insert_into(applications::table)
            .values((
                applications::agreement_id.eq(agreement_id),
                applications::name.eq(self.name.trim()),
                applications::method.eq(self.method.code()),
                applications::poc_status.eq(p.status.code()),
                applications::poc_request_number
                    .eq(p.request_letter.as_ref().map(|l| l.number.to_string())),
                applications::poc_request_date.eq(p.request_letter.as_ref().and_then(|l| l.date)),
                applications::poc_scheduled_on.eq(p.scheduled_on),
                applications::poc_result_number
                    .eq(p.result_letter.as_ref().map(|l| l.number.to_string())),
                applications::poc_result_date.eq(p.result_letter.as_ref().and_then(|l| l.date)),
            ))
            .returning(applications::id)
            .get_result(conn)?)
    }
    fn update(&self, conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        let p = &self.poc;
        diesel::update(applications::table.find(id))
            .set((
                applications::name.eq(self.name.trim()),
                applications::method.eq(self.method.code()),
                applications::poc_status.eq(p.status.code()),
                applications::poc_request_number
                    .eq(p.request_letter.as_ref().map(|l| l.number.to_string())),
                applications::poc_request_date.eq(p.request_letter.as_ref().and_then(|l| l.date)),
                applications::poc_scheduled_on.eq(p.scheduled_on),
                applications::poc_result_number
                    .eq(p.result_letter.as_ref().map(|l| l.number.to_string())),
                applications::poc_result_date.eq(p.result_letter.as_ref().and_then(|l| l.date)),
            ))
            .execute(conn)?;
        Ok(())
    }
    fn delete(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        diesel::delete(applications::table.find(id)).execute(conn)?;
        Ok(())
    }
}

// ---- SPTJM and NDA statements ---------------------------------------------

impl Record for Statement {
    const COLLECTION: &'static str = "statements";
    const LABEL: &'static str = "surat pernyataan";
    fn list(doc: &mut AgreementDoc) -> &mut Vec<Self> {
        &mut doc.statements
    }
    fn id(&self) -> Option<i64> {
        self.id
    }
    fn set_id(&mut self, id: Option<i64>) {
        self.id = id;
    }
    fn load_all(conn: &mut DbConnection, agreement_id: i64) -> Result<Vec<Self>, StoreError> {
        let rows: Vec<(
            (i64, String, Option<chrono::NaiveDate>, bool, bool),
            people_store::PersonRow,
        )> = statements::table
            .inner_join(people::table)
            .filter(statements::agreement_id.eq(agreement_id))
            .order(statements::id)
            .select((
                (
                    statements::id,
                    statements::kind,
                    statements::signed_on,
                    statements::meterai,
                    statements::covers_renewal,
                ),
                people_store::PersonRow::as_select(),
            ))
            .load(conn)?;
        rows.into_iter()
            .map(|((id, kind, signed_on, meterai, covers), person)| {
                Ok(Statement {
                    id: Some(id),
                    kind: decode(kind)?,
                    signer: person.to_doc()?,
                    signed_on,
                    meterai,
                    covers_renewal: covers,
                })
            })
            .collect()
    }
    fn insert(&self, conn: &mut DbConnection, agreement_id: i64) -> Result<i64, StoreError> {
        let signer = people_store::resolve(conn, &self.signer)?;
        Ok(diesel::insert_into(statements::table)
            .values((
                statements::agreement_id.eq(agreement_id),
                statements::kind.eq(self.kind.code()),
                statements::signer_id.eq(signer),
                statements::signed_on.eq(self.signed_on),
                statements::meterai.eq(self.meterai),
                statements::covers_renewal.eq(self.covers_renewal),
            ))
            .returning(statements::id)
            .get_result(conn)?)
    }
    fn update(&self, conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        let signer = people_store::resolve(conn, &self.signer)?;
        diesel::update(statements::table.find(id))
            .set((
                statements::kind.eq(self.kind.code()),
                statements::signer_id.eq(signer),
                statements::signed_on.eq(self.signed_on),
                statements::meterai.eq(self.meterai),
                statements::covers_renewal.eq(self.covers_renewal),
            ))
            .execute(conn)?;
        Ok(())
    }
    fn delete(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        diesel::delete(statements::table.find(id)).execute(conn)?;
        Ok(())
    }
}

// ---- certificates ----------------------------------------------------------

type CertRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<chrono::NaiveDate>,
    Option<chrono::NaiveDate>,
    Option<chrono::NaiveDate>,
);

impl Record for Certificate {
    const COLLECTION: &'static str = "certificates";
    const LABEL: &'static str = "sertifikat";
    fn list(doc: &mut AgreementDoc) -> &mut Vec<Self> {
        &mut doc.certificates
    }
    fn id(&self) -> Option<i64> {
        self.id
    }
    fn set_id(&mut self, id: Option<i64>) {
        self.id = id;
    }
    fn load_all(conn: &mut DbConnection, agreement_id: i64) -> Result<Vec<Self>, StoreError> {
        let rows: Vec<CertRow> = certificates::table
            .filter(certificates::agreement_id.eq(agreement_id))
            .order(certificates::id)
            .select((
                certificates::id,
                certificates::kind,
                certificates::number,
                certificates::issuer,
                certificates::issued_on,
                certificates::valid_until,
                certificates::submitted_on,
            ))
            .load(conn)?;
        rows.into_iter()
            .map(|r| {
                Ok(Certificate {
                    id: Some(r.0),
                    kind: decode(r.1)?,
                    number: r.2,
                    issuer: r.3,
                    issued_on: r.4,
                    valid_until: r.5,
                    submitted_on: r.6,
                })
            })
            .collect()
    }
    fn insert(&self, conn: &mut DbConnection, agreement_id: i64) -> Result<i64, StoreError> {
        Ok(diesel::insert_into(certificates::table)
            .values((
                certificates::agreement_id.eq(agreement_id),
                certificates::kind.eq(self.kind.code()),
                certificates::number.eq(&self.number),
                certificates::issuer.eq(&self.issuer),
                certificates::issued_on.eq(self.issued_on),
                certificates::valid_until.eq(self.valid_until),
                certificates::submitted_on.eq(self.submitted_on),
            ))
            .returning(certificates::id)
            .get_result(conn)?)
    }
    fn update(&self, conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        diesel::update(certificates::table.find(id))
            .set((
                certificates::kind.eq(self.kind.code()),
                certificates::number.eq(&self.number),
                certificates::issuer.eq(&self.issuer),
                certificates::issued_on.eq(self.issued_on),
                certificates::valid_until.eq(self.valid_until),
                certificates::submitted_on.eq(self.submitted_on),
            ))
            .execute(conn)?;
        Ok(())
    }
    fn delete(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        diesel::delete(certificates::table.find(id)).execute(conn)?;
        Ok(())
    }
}

// ---- semester reports --------------------------------------------------------

type ReportRow = (
    i64,
    i32,
    i32,
    Option<chrono::NaiveDate>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<chrono::NaiveDate>,
    Option<String>,
);

impl Record for Report {
    const COLLECTION: &'static str = "reports";
    const LABEL: &'static str = "laporan semester";
    fn list(doc: &mut AgreementDoc) -> &mut Vec<Self> {
        &mut doc.reports
    }
    fn id(&self) -> Option<i64> {
        self.id
    }
    fn set_id(&mut self, id: Option<i64>) {
        self.id = id;
    }
    fn load_all(conn: &mut DbConnection, agreement_id: i64) -> Result<Vec<Self>, StoreError> {
        let rows: Vec<ReportRow> = reports::table
            .filter(reports::agreement_id.eq(agreement_id))
            .order((reports::year, reports::semester))
            .select((
                reports::id,
                reports::year,
                reports::semester,
                reports::submitted_on,
                reports::channel,
                reports::nik_hits,
                reports::return_data_rows,
                reports::evaluated_on,
                reports::evaluation,
            ))
            .load(conn)?;
        rows.into_iter()
            .map(|r| {
                Ok(Report {
                    id: Some(r.0),
                    year: r.1,
                    semester: r.2 as u8,
                    submitted_on: r.3,
                    channel: decode_opt(r.4)?,
                    nik_hits: r.5.map(|v| v as u64),
                    return_data_rows: r.6.map(|v| v as u64),
                    evaluated_on: r.7,
                    evaluation: r.8,
                })
            })
            .collect()
    }
    fn insert(&self, conn: &mut DbConnection, agreement_id: i64) -> Result<i64, StoreError> {
        Ok(diesel::insert_into(reports::table)
            .values((
                reports::agreement_id.eq(agreement_id),
                reports::year.eq(self.year),
                reports::semester.eq(self.semester as i32),
                reports::submitted_on.eq(self.submitted_on),
                reports::channel.eq(self.channel.as_ref().map(encode)),
                reports::nik_hits.eq(self.nik_hits.map(|v| v as i64)),
                reports::return_data_rows.eq(self.return_data_rows.map(|v| v as i64)),
                reports::evaluated_on.eq(self.evaluated_on),
                reports::evaluation.eq(&self.evaluation),
            ))
            .returning(reports::id)
            .get_result(conn)?)
    }
    fn update(&self, conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        diesel::update(reports::table.find(id))
            .set((
                reports::year.eq(self.year),
                reports::semester.eq(self.semester as i32),
                reports::submitted_on.eq(self.submitted_on),
                reports::channel.eq(self.channel.as_ref().map(encode)),
                reports::nik_hits.eq(self.nik_hits.map(|v| v as i64)),
                reports::return_data_rows.eq(self.return_data_rows.map(|v| v as i64)),
                reports::evaluated_on.eq(self.evaluated_on),
                reports::evaluation.eq(&self.evaluation),
            ))
            .execute(conn)?;
        Ok(())
    }
    fn delete(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        diesel::delete(reports::table.find(id)).execute(conn)?;
        Ok(())
    }
}

// ---- renewal requests ----------------------------------------------------------

impl Record for Renewal {
    const COLLECTION: &'static str = "renewals";
    const LABEL: &'static str = "permohonan perpanjangan";
    fn list(doc: &mut AgreementDoc) -> &mut Vec<Self> {
        &mut doc.renewals
    }
    fn id(&self) -> Option<i64> {
        self.id
    }
    fn set_id(&mut self, id: Option<i64>) {
        self.id = id;
    }
    fn load_all(conn: &mut DbConnection, agreement_id: i64) -> Result<Vec<Self>, StoreError> {
        let rows: Vec<(
            i64,
            chrono::NaiveDate,
            Option<String>,
            Option<chrono::NaiveDate>,
        )> = renewals::table
            .filter(renewals::agreement_id.eq(agreement_id))
            .order(renewals::id)
            .select((
                renewals::id,
                renewals::requested_on,
                renewals::request_number,
                renewals::request_date,
            ))
            .load(conn)?;
        rows.into_iter()
            .map(|r| {
                Ok(Renewal {
                    id: Some(r.0),
                    requested_on: r.1,
                    request_letter: letter(r.2, r.3)?,
                })
            })
            .collect()
    }
    fn insert(&self, conn: &mut DbConnection, agreement_id: i64) -> Result<i64, StoreError> {
        Ok(diesel::insert_into(renewals::table)
            .values((
                renewals::agreement_id.eq(agreement_id),
                renewals::requested_on.eq(self.requested_on),
                renewals::request_number
                    .eq(self.request_letter.as_ref().map(|l| l.number.to_string())),
                renewals::request_date.eq(self.request_letter.as_ref().and_then(|l| l.date)),
            ))
            .returning(renewals::id)
            .get_result(conn)?)
    }
    fn update(&self, conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        diesel::update(renewals::table.find(id))
            .set((
                renewals::requested_on.eq(self.requested_on),
                renewals::request_number
                    .eq(self.request_letter.as_ref().map(|l| l.number.to_string())),
                renewals::request_date.eq(self.request_letter.as_ref().and_then(|l| l.date)),
            ))
            .execute(conn)?;
        Ok(())
    }
    fn delete(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        diesel::delete(renewals::table.find(id)).execute(conn)?;
        Ok(())
    }
}

/// Inserts every record of a list, in order.
pub fn insert_all<R: Record>(
    conn: &mut DbConnection,
    agreement_id: i64,
    items: &[R],
) -> Result<(), StoreError> {
    for item in items {
        item.insert(conn, agreement_id)?;
    }
    Ok(())
}
