//! Kewajiban (`/kewajiban`): obligations across the agreements the visitor
//! may see, by due date, with filters in the address (the Beranda's counts
//! link here), a page of 25 with the total, and the view as CSV or XLSX
//! (`/kewajiban.csv`, `/kewajiban.xlsx`, every matching row). The rows come
//! from the API's own read (`crate::http::obligations::list_of`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::exports::{csv_bytes, download, Cell, Sheet, CSV_TYPE, XLSX_TYPE};
use crate::domain::obligations::{ObligationKind, ObligationState};
use crate::domain::words;
use crate::http::obligations::{list_of, ObligationItem, ObligationQuery};
use crate::http::problem::ApiError;
use crate::web::form::encode;
use crate::web::render;
use crate::web::session::{state, Visitor};
use crate::web::PageError;

const PER_PAGE: i64 = 25;
/// The farthest horizon `dalam` may ask for (ten years).
const MAX_DAYS: u64 = 3660;

/// The view's filters, as the address carries them (read as text, so that a
/// wrong value is answered in words rather than by the parser).
#[derive(Deserialize, Default, Clone)]
struct Filters {
    /// Keadaan, kode dipisah koma (`overdue,due_soon`).
    state: Option<String>,
    /// Jenis kewajiban, kode dipisah koma (`semester_report`).
    kind: Option<String>,
    /// Belum dipenuhi dan jatuh tempo dalam sekian hari.
    dalam: Option<String>,
    /// Id instansi (PIHAK KESATU atau PIHAK KEDUA).
    instansi: Option<String>,
    halaman: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Filters {
    fn page(&self) -> Result<i64, PageError> {
        match given(&self.halaman) {
            None => Ok(1),
            Some(s) => s
                .parse::<i64>()
                .ok()
                .filter(|p| (1..=100_000).contains(p))
                .ok_or_else(|| {
                    ApiError::bad_request("halaman harus bilangan bulat antara 1 dan 100000").into()
                }),
        }
    }

    /// The shared read's query for `limit` rows after `offset`, or what is
    /// wrong with the address, in words.
    fn to_query(&self, limit: i64, offset: i64) -> Result<ObligationQuery, PageError> {
        let due_within_days = match given(&self.dalam) {
            None => None,
            Some(s) => Some(
                s.parse::<u64>()
                    .ok()
                    .filter(|n| *n <= MAX_DAYS)
                    .ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "'dalam' ({s}) harus jumlah hari berupa bilangan bulat dari 0 \
                             sampai {MAX_DAYS}"
                        ))
                    })?,
            ),
        };
        let institution = match given(&self.instansi) {
            None => None,
            Some(s) => Some(s.parse::<i64>().map_err(|_| {
                ApiError::bad_request(format!("'instansi' ({s}) harus id instansi berupa angka"))
            })?),
        };
        // Checked here too, so that the page names the choices in words.
        check_codes(
            &self.state,
            "Keadaan",
            "state",
            |c| ObligationState::from_code(c).is_some(),
            &state_choices(),
        )?;
        check_codes(
            &self.kind,
            "Jenis kewajiban",
            "kind",
            |c| ObligationKind::from_code(c).is_some(),
            &kind_choices(),
        )?;
        Ok(ObligationQuery {
            as_of: crate::today_jakarta(),
            state: given(&self.state).map(str::to_string),
            kind: given(&self.kind).map(str::to_string),
            due_within_days,
            institution,
            limit,
            offset,
        })
    }

    /// This view's query string without the page (for links and exports).
    fn query(&self) -> String {
        [
            ("state", &self.state),
            ("kind", &self.kind),
            ("dalam", &self.dalam),
            ("instansi", &self.instansi),
        ]
        .into_iter()
        .filter_map(|(k, v)| given(v).map(|v| format!("{k}={}", encode(v))))
        .collect::<Vec<_>>()
        .join("&")
    }

    fn at_page(&self, page: i64) -> String {
        let q = self.query();
        if q.is_empty() {
            format!("/kewajiban?halaman={page}")
        } else {
            format!("/kewajiban?{q}&halaman={page}")
        }
    }
}

fn state_choices() -> String {
    ObligationState::ALL
        .iter()
        .map(|s| format!("{} ({})", s.code(), s.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn kind_choices() -> String {
    ObligationKind::ALL
        .iter()
        .map(|k| format!("{} ({})", k.code(), k.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every comma-separated code of `v` known, or a 400 naming the choices.
fn check_codes(
    v: &Option<String>,
    what: &str,
    param: &str,
    known: impl Fn(&str) -> bool,
    choices: &str,
) -> Result<(), PageError> {
    if let Some(s) = given(v) {
        if let Some(bad) = s.split(',').map(str::trim).find(|c| !known(c)) {
            return Err(ApiError::bad_request(format!(
                "{what} '{bad}' (parameter '{param}') tidak dikenal; pilihan: {choices}"
            ))
            .into());
        }
    }
    Ok(())
}

/// The codes of a comma-separated list, each in words, joined.
fn in_words(v: &Option<String>, label: impl Fn(&str) -> Option<&'static str>) -> Option<String> {
    given(v).map(|s| {
        s.split(',')
            .map(|c| {
                label(c.trim())
                    .map(words::capitalized)
                    .unwrap_or_else(|| c.to_string())
            })
            .collect::<Vec<_>>()
            .join(" atau ")
    })
}

fn item_json(i: &ObligationItem) -> serde_json::Value {
    let o = &i.obligation;
    json!({
        "agreement_id": i.agreement_id,
        "title": i.title,
        "institution": i.institution,
        "due_on": o.due_on,
        "due": o.due_on.map(words::date_short),
        "provisional": o.provisional,
        "kind": words::capitalized(o.kind.label()),
        "subject": o.subject,
        "state": o.state.code(),
        "state_label": o.state.label(),
        "fulfilled": o.fulfilled_on.map(words::date_short),
        "at_risk": o.at_risk,
    })
}

async fn list(
    req: HttpRequest,
    visitor: Visitor,
    q: web::Query<Filters>,
) -> Result<HttpResponse, PageError> {
    let state = state(&req)?;
    let page = q.page()?;
    let query = q.to_query(PER_PAGE, (page - 1) * PER_PAGE)?;
    let as_of = query.as_of;
    let found = list_of(&state, visitor.actor.visible.clone(), query).await?;
    let total = found.total as i64;
    let current_state = given(&q.state).unwrap_or("");
    let mut states: Vec<_> = ObligationState::ALL
        .iter()
        .map(|s| json!({"code": s.code(), "label": s.label(), "selected": current_state == s.code()}))
        .collect();
    if current_state.contains(',') {
        // A combination (from a link): kept selectable as it is.
        states.push(json!({"code": current_state, "selected": true,
            "label": in_words(&q.state, |c| ObligationState::from_code(c).map(|s| s.label()))}));
    }
    let current_kind = given(&q.kind).unwrap_or("");
    let mut kinds: Vec<_> = ObligationKind::ALL
        .iter()
        .map(|k| json!({"code": k.code(), "label": words::capitalized(k.label()), "selected": current_kind == k.code()}))
        .collect();
    if current_kind.contains(',') {
        kinds.push(json!({"code": current_kind, "selected": true,
            "label": in_words(&q.kind, |c| ObligationKind::from_code(c).map(|k| k.label()))}));
    }
    let mut narrowed = vec![];
    if let Some(s) = in_words(&q.state, |c| {
        ObligationState::from_code(c).map(|s| s.label())
    }) {
        narrowed.push(format!("keadaan {s}"));
    }
    if let Some(k) = in_words(&q.kind, |c| ObligationKind::from_code(c).map(|k| k.label())) {
        narrowed.push(format!("jenis {k}"));
    }
    if let Some(d) = given(&q.dalam) {
        narrowed.push(format!("belum dipenuhi dan jatuh tempo dalam {d} hari"));
    }
    if let Some(i) = given(&q.instansi) {
        narrowed.push(format!("instansi nomor {i}"));
    }
    let mut ctx = json!({
        "as_of": words::date_short(as_of),
        "filters": {"dalam": q.dalam, "instansi": given(&q.instansi)},
        "states": states,
        "kinds": kinds,
        "narrowed": (!narrowed.is_empty()).then(|| narrowed.join("; ")),
        "total": total,
        "items": found.items.iter().map(item_json).collect::<Vec<_>>(),
        "export_query": q.query(),
    });
    super::paging(&mut ctx, page, total, PER_PAGE, |p| q.at_page(p));
    Ok(render::page(
        &req,
        &visitor,
        "kewajiban",
        "Kewajiban",
        "kewajiban",
        ctx,
    ))
}

const COLUMNS: [&str; 9] = [
    "Tenggat",
    "Tenggat perkiraan",
    "Kewajiban",
    "Hal",
    "Perjanjian",
    "PIHAK KEDUA",
    "Keadaan",
    "Dipenuhi",
    "Id perjanjian",
];
const WIDTHS: [f64; 9] = [14.0, 10.0, 32.0, 30.0, 60.0, 45.0, 20.0, 14.0, 12.0];

fn row(i: &ObligationItem) -> Vec<Cell> {
    let o = &i.obligation;
    vec![
        Cell::Date(o.due_on),
        Cell::Text(if o.provisional { "ya" } else { "" }.into()),
        Cell::Text(words::capitalized(o.kind.label())),
        Cell::Text(o.subject.clone().unwrap_or_default()),
        Cell::Text(i.title.clone()),
        Cell::Text(i.institution.clone()),
        Cell::Text(o.state.label().to_string()),
        Cell::Date(o.fulfilled_on),
        Cell::Text(i.agreement_id.to_string()),
    ]
}

/// Every row of the view, in the list's order.
async fn all_rows(
    req: &HttpRequest,
    visitor: &Visitor,
    q: &Filters,
) -> Result<Vec<Vec<Cell>>, PageError> {
    let state = state(req)?;
    let query = q.to_query(i64::MAX, 0)?;
    let found = list_of(&state, visitor.actor.visible.clone(), query).await?;
    Ok(found.items.iter().map(row).collect())
}

async fn export_csv(
    req: HttpRequest,
    visitor: Visitor,
    q: web::Query<Filters>,
) -> Result<HttpResponse, PageError> {
    let rows = all_rows(&req, &visitor, &q).await?;
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend(csv_bytes(Some(&COLUMNS[..]), &rows)?);
    Ok(download(CSV_TYPE, "kewajiban", "csv").body(body))
}

async fn export_xlsx(
    req: HttpRequest,
    visitor: Visitor,
    q: web::Query<Filters>,
) -> Result<HttpResponse, PageError> {
    let rows = all_rows(&req, &visitor, &q).await?;
    let mut sheet = Sheet::new("Kewajiban", &COLUMNS, &WIDTHS)?;
    sheet.rows(&rows)?;
    Ok(download(XLSX_TYPE, "kewajiban", "xlsx").body(sheet.finish().await?))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/kewajiban", web::get().to(list))
        .route("/kewajiban.csv", web::get().to(export_csv))
        .route("/kewajiban.xlsx", web::get().to(export_xlsx));
}
