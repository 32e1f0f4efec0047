//! One agreement (`/perjanjian/{id}`): everything about it on one page,
//! its documents, and the forms that record what arrived (a semester
//! report) or what the office decided (a waiver) — each through the core.

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app;
use crate::domain::obligations::{ObligationKind, ObligationState};
use crate::http::problem::ApiError;
use crate::http::{documents, run};
use crate::store::records::Record;
use crate::web::form::Posted;
use crate::web::render;
use crate::web::session::{state, Visitor};
use crate::web::PageError;

#[derive(Deserialize)]
struct AsOf {
    per: Option<String>,
}

/// What a form sent back with its errors, to show beside its fields.
#[derive(Default)]
struct Refill {
    form: &'static str,
    values: Value,
    errors: BTreeMap<String, String>,
}

async fn show(
    req: HttpRequest,
    visitor: Visitor,
    id: web::Path<i64>,
    q: web::Query<AsOf>,
) -> Result<HttpResponse, PageError> {
    let as_of = super::date_param("per", &q.per)?;
    render_page(&req, &visitor, id.into_inner(), as_of, Refill::default()).await
}

async fn render_page(
    req: &HttpRequest,
    visitor: &Visitor,
    id: i64,
    as_of: Option<NaiveDate>,
    refill: Refill,
) -> Result<HttpResponse, PageError> {
    let state = state(req)?;
    let today = crate::today_jakarta();
    let date = as_of.unwrap_or(today);
    let cal = state.calendar();
    let actor = visitor.actor.clone();
    let max_term = state.max_term_months;
    let (view, findings, (history_total, history)) = run(&state, move |c| {
        let view = app::agreements::get(c, &actor, id, date, &cal)?;
        let findings = app::agreements::check(c, &actor, id, date, max_term)?;
        let history = app::agreements::history(c, &actor, id, 20, 0)?;
        Ok((view, findings, history))
    })
    .await?;
    let mut a = serde_json::to_value(&view).map_err(|_| ApiError::internal())?;
    if let Some(entitled) = visitor.actor.entitled() {
        crate::domain::privacy::mask(&mut a, entitled);
    }
    let open_reports: Vec<Value> = view
        .obligations
        .iter()
        .filter(|o| o.kind == ObligationKind::SemesterReport)
        .filter(|o| {
            !matches!(
                o.state,
                ObligationState::Fulfilled | ObligationState::Waived
            )
        })
        .map(|o| {
            let period = o.key.trim_start_matches("report:").replacen(':', "-", 1);
            let selected =
                refill.values.get("periode").and_then(Value::as_str) == Some(period.as_str());
            json!({"value": period, "label": o.subject, "selected": selected})
        })
        .collect();
    let can_write = app::policy::allow(
        &visitor.actor,
        app::policy::Action::WriteRecord {
            collection: crate::domain::agreement::Report::COLLECTION,
        },
    )
    .is_ok();
    let can_waive =
        app::policy::allow(&visitor.actor, app::policy::Action::WaiveObligation).is_ok();
    let documents: Vec<Value> = DOCUMENTS
        .iter()
        .map(|(kind, label)| json!({"kind": kind, "label": label}))
        .collect();
    let title = view.doc.title.clone();
    let ctx = json!({
        "id": id,
        "a": a,
        "as_of": date,
        "historic": as_of.is_some_and(|d| d != today),
        "today": today,
        "findings": findings,
        "history": history,
        "history_total": history_total,
        "open_reports": open_reports,
        "can_write": can_write,
        "can_waive": can_waive,
        "documents": documents,
        "form": refill.form,
        "values": refill.values,
        "errors": refill.errors,
    });
    let mut r = render::page(req, visitor, "perjanjian_satu", &title, "perjanjian", ctx);
    if !refill.errors_empty() {
        *r.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

impl Refill {
    fn errors_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

const DOCUMENTS: &[(&str, &str)] = &[
    ("pks", "PKS"),
    ("juknis", "Juknis"),
    ("sptjm", "SPTJM"),
    ("nda", "NDA"),
    ("renewal-letter", "Surat permohonan perpanjangan"),
    ("adendum", "Adendum"),
];

#[derive(Deserialize)]
struct DocOptions {
    set: Option<String>,
    kertas: Option<String>,
}

async fn document(
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(i64, String)>,
    q: web::Query<DocOptions>,
) -> Result<HttpResponse, PageError> {
    let (id, file) = path.into_inner();
    let state = state(&req)?;
    let q = q.into_inner();
    Ok(documents::draw(&state, visitor.actor, id, &file, q.set, q.kertas, None).await?)
}

/// A semester report as the form sends it.
#[derive(Deserialize, serde::Serialize)]
struct ReportForm {
    #[serde(default)]
    periode: String,
    #[serde(default)]
    diserahkan: String,
    #[serde(default)]
    saluran: String,
    #[serde(default)]
    akses_nik: String,
}

/// Where each of the core's JSON pointers is shown on the report form.
const REPORT_FIELDS: &[(&str, &str)] = &[
    ("/year", "periode"),
    ("/semester", "periode"),
    ("/submitted_on", "diserahkan"),
    ("/channel", "saluran"),
    ("/nik_hits", "akses_nik"),
];

impl ReportForm {
    /// The report for the core, or each field's error.
    fn to_json(&self) -> Result<Value, BTreeMap<String, String>> {
        let mut errors = BTreeMap::new();
        let period = self
            .periode
            .split_once('-')
            .and_then(|(y, s)| Some((y.parse::<i32>().ok()?, s.parse::<u8>().ok()?)));
        if period.is_none() {
            errors.insert("periode".into(), "pilih semester yang dilaporkan".into());
        }
        let submitted = NaiveDate::parse_from_str(self.diserahkan.trim(), "%Y-%m-%d").ok();
        if submitted.is_none() {
            errors.insert(
                "diserahkan".into(),
                "isi tanggal laporan diterima (hari, bulan, tahun)".into(),
            );
        }
        let hits = match self.akses_nik.trim().replace('.', "") {
            s if s.is_empty() => None,
            s => match s.parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.insert(
                        "akses_nik".into(),
                        "jumlah akses NIK harus bilangan bulat, mis. 1.250".into(),
                    );
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let (year, semester) = period.unwrap_or_default();
        let mut report = json!({
            "year": year,
            "semester": semester,
            "submitted_on": submitted,
        });
        if !self.saluran.is_empty() {
            report["channel"] = json!(self.saluran);
        }
        if let Some(n) = hits {
            report["nik_hits"] = json!(n);
        }
        Ok(report)
    }
}

/// The core's field errors placed beside the form's fields (the rest under
/// the form's own heading).
fn placed(e: &ApiError, fields: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for fe in &e.errors {
        let field = fields
            .iter()
            .find(|(p, _)| fe.pointer.starts_with(p))
            .map(|(_, f)| *f)
            .unwrap_or("_form");
        out.entry(field.to_string())
            .or_insert_with(|| fe.message.clone());
    }
    if out.is_empty() {
        out.insert("_form".into(), e.detail.clone());
    }
    out
}

async fn record_report(
    req: HttpRequest,
    id: web::Path<i64>,
    form: Posted<ReportForm>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, f) = form;
    let id = id.into_inner();
    let refill = |errors| Refill {
        form: "laporan",
        values: serde_json::to_value(&f).unwrap_or_default(),
        errors,
    };
    let report = match f.to_json() {
        Ok(r) => r,
        Err(errors) => return render_page(&req, &visitor, id, None, refill(errors)).await,
    };
    let state = state(&req)?;
    let cal = state.calendar();
    let actor = visitor.actor.clone();
    let saved = run(&state, move |c| {
        app::agreements::create_record::<crate::domain::agreement::Report>(
            c, &actor, &cal, id, report,
        )
    })
    .await;
    match saved {
        Ok(r) => Ok(render::see_other(
            &format!("/perjanjian/{id}#kewajiban"),
            &format!(
                "Laporan semester {} tahun {} tercatat; kewajibannya terpenuhi.",
                r.semester, r.year
            ),
        )),
        Err(e) if e.status.as_u16() == 422 || e.status.as_u16() == 409 => {
            let errors = placed(&e, REPORT_FIELDS);
            render_page(&req, &visitor, id, None, refill(errors)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, serde::Serialize)]
struct WaiverForm {
    #[serde(default)]
    alasan: String,
}

async fn waive(
    req: HttpRequest,
    path: web::Path<(i64, String)>,
    form: Posted<WaiverForm>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, f) = form;
    let (id, key) = path.into_inner();
    let state = state(&req)?;
    let cal = state.calendar();
    let actor = visitor.actor.clone();
    let (k, reason) = (key.clone(), f.alasan.clone());
    let done = run(&state, move |c| {
        app::obligations::waive(c, &actor, &cal, id, &k, &reason, None)
    })
    .await;
    match done {
        Ok(_) => Ok(render::see_other(
            &format!("/perjanjian/{id}#kewajiban"),
            "Kewajiban dikecualikan; alasannya tercatat.",
        )),
        Err(e) if e.status.as_u16() == 422 => {
            let mut errors = BTreeMap::new();
            errors.insert(
                format!("alasan:{key}"),
                "tulis alasan pengecualian".to_string(),
            );
            let refill = Refill {
                form: "pengecualian",
                values: json!({"key": key}),
                errors,
            };
            render_page(&req, &visitor, id, None, refill).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/perjanjian/{id}", web::get().to(show))
        .route("/perjanjian/{id}/dokumen/{file}", web::get().to(document))
        .route("/perjanjian/{id}/laporan", web::post().to(record_report))
        .route(
            "/perjanjian/{id}/kewajiban/{key}/pengecualian",
            web::post().to(waive),
        );
}
