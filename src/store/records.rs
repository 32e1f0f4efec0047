//! The records an agreement holds in lists: access scopes, applications with
//! their PoC, SPTJM/NDA statements, certificates, semester reports and
//! renewal requests. Each is created, changed and removed on its own through
//! the [`Record`] trait; the whole agreement is checked before any write.

use super::db::{insert_rows, on_backend};
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

/// insert/update/delete for a record kind whose columns all come from its
/// `*_fields` function.
macro_rules! plain_writes {
    ($table:ident, $fields:ident) => {
        fn insert(&self, conn: &mut DbConnection, agreement_id: i64) -> Result<i64, StoreError> {
            Ok(diesel::insert_into($table::table)
                .values(($fields(self), $table::agreement_id.eq(agreement_id)))
                .returning($table::id)
                .get_result(conn)?)
        }
        fn update(&self, conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
            diesel::update($table::table.find(id))
                .set($fields(self))
                .execute(conn)?;
            Ok(())
        }
        fn delete(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
            diesel::delete($table::table.find(id)).execute(conn)?;
            Ok(())
        }
    };
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
    let rows: Vec<_> = scope
        .elements
        .iter()
        .enumerate()
        .map(|(i, el)| {
            (
                scope_elements::scope_id.eq(scope_id),
                scope_elements::element_code.eq(el.as_str()),
                scope_elements::position.eq(i as i32),
            )
        })
        .collect();
    insert_rows!(conn, scope_elements::table, rows)?;
    Ok(())
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = access_scopes, treat_none_as_null = true)]
struct ScopeFields {
    method: &'static str,
    daily_quota: Option<i32>,
    unlimited_after_poc: bool,
}

fn scope_fields(s: &Scope) -> ScopeFields {
    ScopeFields {
        method: s.method.code(),
        daily_quota: s.daily_quota.map(|q| q as i32),
        unlimited_after_poc: s.unlimited_after_poc,
    }
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
        // Scopes with their elements in one query: a row per element, in order.
        let rows: Vec<(i64, String, Option<i32>, bool, Option<String>)> =
            on_backend!(conn, |c| access_scopes::table
                .left_join(scope_elements::table)
                .filter(access_scopes::agreement_id.eq(agreement_id))
                .order((access_scopes::id, scope_elements::position))
                .select((
                    access_scopes::id,
                    access_scopes::method,
                    access_scopes::daily_quota,
                    access_scopes::unlimited_after_poc,
                    scope_elements::element_code.nullable(),
                ))
                .load(c))?;
        let mut scopes: Vec<Scope> = vec![];
        for (id, method, quota, unlimited, code) in rows {
            if scopes.last().and_then(|s| s.id) != Some(id) {
                scopes.push(Scope {
                    id: Some(id),
                    method: decode(method)?,
                    elements: vec![],
                    daily_quota: quota.map(|q| q as u32),
                    unlimited_after_poc: unlimited,
                });
            }
            if let (Some(code), Some(scope)) = (code, scopes.last_mut()) {
                scope.elements.push(decode(code)?);
            }
        }
        Ok(scopes)
    }
    fn insert(&self, conn: &mut DbConnection, agreement_id: i64) -> Result<i64, StoreError> {
        let id: i64 = diesel::insert_into(access_scopes::table)
            .values((
                scope_fields(self),
                access_scopes::agreement_id.eq(agreement_id),
            ))
            .returning(access_scopes::id)
            .get_result(conn)?;
        insert_elements(conn, id, self)?;
        Ok(id)
    }
    fn update(&self, conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        diesel::update(access_scopes::table.find(id))
            .set(scope_fields(self))
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

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = applications, treat_none_as_null = true)]
struct ApplicationFields {
    name: String,
    method: &'static str,
    poc_status: &'static str,
    poc_request_number: Option<String>,
    poc_request_date: Option<chrono::NaiveDate>,
    poc_scheduled_on: Option<chrono::NaiveDate>,
    poc_result_number: Option<String>,
    poc_result_date: Option<chrono::NaiveDate>,
}

fn application_fields(a: &Application) -> ApplicationFields {
    let p = &a.poc;
    ApplicationFields {
        name: a.name.trim().to_string(),
        method: a.method.code(),
        poc_status: p.status.code(),
        poc_request_number: p.request_letter.as_ref().map(|l| l.number.to_string()),
        poc_request_date: p.request_letter.as_ref().and_then(|l| l.date),
        poc_scheduled_on: p.scheduled_on,
        poc_result_number: p.result_letter.as_ref().map(|l| l.number.to_string()),
        poc_result_date: p.result_letter.as_ref().and_then(|l| l.date),
    }
}

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
        let rows: Vec<AppRow> = on_backend!(conn, |c| applications::table
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
            .load(c))?;
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
    plain_writes!(applications, application_fields);
}

// ---- SPTJM and NDA statements ---------------------------------------------

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = statements, treat_none_as_null = true)]
struct StatementFields {
    kind: &'static str,
    signer_id: i64,
    signed_on: Option<chrono::NaiveDate>,
    meterai: bool,
    covers_renewal: bool,
}

fn statement_fields(conn: &mut DbConnection, s: &Statement) -> Result<StatementFields, StoreError> {
    Ok(StatementFields {
        kind: s.kind.code(),
        signer_id: people_store::resolve(conn, &s.signer)?,
        signed_on: s.signed_on,
        meterai: s.meterai,
        covers_renewal: s.covers_renewal,
    })
}

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
        )> = on_backend!(conn, |c| statements::table
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
            .load(c))?;
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
        let fields = statement_fields(conn, self)?;
        Ok(diesel::insert_into(statements::table)
            .values((fields, statements::agreement_id.eq(agreement_id)))
            .returning(statements::id)
            .get_result(conn)?)
    }
    fn update(&self, conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
        let fields = statement_fields(conn, self)?;
        diesel::update(statements::table.find(id))
            .set(fields)
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

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = certificates, treat_none_as_null = true)]
struct CertificateFields<'a> {
    kind: &'static str,
    number: Option<&'a str>,
    issuer: Option<&'a str>,
    issued_on: Option<chrono::NaiveDate>,
    valid_until: Option<chrono::NaiveDate>,
    submitted_on: Option<chrono::NaiveDate>,
}

fn certificate_fields(c: &Certificate) -> CertificateFields<'_> {
    CertificateFields {
        kind: c.kind.code(),
        number: c.number.as_deref(),
        issuer: c.issuer.as_deref(),
        issued_on: c.issued_on,
        valid_until: c.valid_until,
        submitted_on: c.submitted_on,
    }
}

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
        let rows: Vec<CertRow> = on_backend!(conn, |c| certificates::table
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
            .load(c))?;
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
    plain_writes!(certificates, certificate_fields);
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

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = reports, treat_none_as_null = true)]
struct ReportFields<'a> {
    year: i32,
    semester: i32,
    submitted_on: Option<chrono::NaiveDate>,
    channel: Option<String>,
    nik_hits: Option<i64>,
    return_data_rows: Option<i64>,
    evaluated_on: Option<chrono::NaiveDate>,
    evaluation: Option<&'a str>,
}

fn report_fields(r: &Report) -> ReportFields<'_> {
    ReportFields {
        year: r.year,
        semester: r.semester as i32,
        submitted_on: r.submitted_on,
        channel: r.channel.as_ref().map(encode),
        nik_hits: r.nik_hits.map(|v| v as i64),
        return_data_rows: r.return_data_rows.map(|v| v as i64),
        evaluated_on: r.evaluated_on,
        evaluation: r.evaluation.as_deref(),
    }
}

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
        let rows: Vec<ReportRow> = on_backend!(conn, |c| reports::table
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
            .load(c))?;
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
    plain_writes!(reports, report_fields);
}

// ---- renewal requests ----------------------------------------------------------

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = renewals, treat_none_as_null = true)]
struct RenewalFields {
    requested_on: chrono::NaiveDate,
    request_number: Option<String>,
    request_date: Option<chrono::NaiveDate>,
}

fn renewal_fields(r: &Renewal) -> RenewalFields {
    RenewalFields {
        requested_on: r.requested_on,
        request_number: r.request_letter.as_ref().map(|l| l.number.to_string()),
        request_date: r.request_letter.as_ref().and_then(|l| l.date),
    }
}

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
        )> = on_backend!(conn, |c| renewals::table
            .filter(renewals::agreement_id.eq(agreement_id))
            .order(renewals::id)
            .select((
                renewals::id,
                renewals::requested_on,
                renewals::request_number,
                renewals::request_date,
            ))
            .load(c))?;
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
    plain_writes!(renewals, renewal_fields);
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
