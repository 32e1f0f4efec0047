//! Perjanjian (`/perjanjian`): search and filters that live in the address
//! (a view can be bookmarked and sent), a page of 25 with the total.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::domain::catalog::{AccessMethod, ELEMENTS};
use crate::domain::status::AgreementStatus;
use crate::http::agreements::page_of;
use crate::http::db;
use crate::http::problem::ApiError;
use crate::store::agreements::{ListFilter, ListSort};
use crate::store::institutions;
use crate::web::form::encode;
use crate::web::render;
use crate::web::session::{state, Visitor};
use crate::web::PageError;

pub(super) const PER_PAGE: i64 = 25;

/// The list's filters, as the address carries them.
#[derive(Deserialize, Default, Clone)]
pub(super) struct Filters {
    pub q: Option<String>,
    pub status: Option<String>,
    /// Berakhir sebelum (YYYY-MM-DD).
    pub berakhir: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::optional_number")]
    pub instansi: Option<i64>,
    /// The Dukcapil office (PIHAK KESATU).
    #[serde(default, deserialize_with = "crate::web::form::optional_number")]
    pub kantor: Option<i64>,
    pub metode: Option<String>,
    pub elemen: Option<String>,
    pub urut: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::optional_number")]
    pub halaman: Option<i64>,
}

impl Filters {
    /// The store's filter for `visitor`, or what is wrong with the address.
    pub fn to_filter(&self, visitor: &Visitor) -> Result<ListFilter, PageError> {
        let status = match self.status.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                AgreementStatus::from_code(s)
                    .ok_or_else(|| ApiError::bad_request(format!("status '{s}' tidak dikenal")))?,
            ),
        };
        let page = self.halaman.unwrap_or(1);
        if !(1..=100_000).contains(&page) {
            return Err(ApiError::bad_request("halaman harus antara 1 dan 100000").into());
        }
        Ok(ListFilter {
            status,
            institution: self.instansi,
            q: self.q.clone().filter(|s| !s.trim().is_empty()),
            expires_before: super::date_param("berakhir", &self.berakhir)?,
            office: self.kantor,
            method: crate::http::agreements::method_param(&self.metode)?,
            element: crate::http::agreements::element_param(&self.elemen)?,
            sort: crate::http::agreements::sort_param(&self.urut)?,
            as_of: crate::today_jakarta(),
            limit: PER_PAGE,
            offset: (page - 1) * PER_PAGE,
            visible: visitor.actor.visible.clone(),
        })
    }

    /// The address of this view at another page.
    fn at_page(&self, page: i64) -> String {
        let mut parts = vec![];
        for (k, v) in [
            ("q", self.q.clone()),
            ("status", self.status.clone()),
            ("berakhir", self.berakhir.clone()),
            ("instansi", self.instansi.map(|i| i.to_string())),
            ("kantor", self.kantor.map(|i| i.to_string())),
            ("metode", self.metode.clone()),
            ("elemen", self.elemen.clone()),
            ("urut", self.urut.clone()),
        ] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", encode(&v)));
            }
        }
        parts.push(format!("halaman={page}"));
        format!("/perjanjian?{}", parts.join("&"))
    }

    /// The query string of this view without the page (for the exports).
    fn query(&self) -> String {
        self.at_page(1)
            .trim_start_matches("/perjanjian?")
            .trim_end_matches("halaman=1")
            .trim_end_matches('&')
            .to_string()
    }
}

async fn list(
    req: HttpRequest,
    visitor: Visitor,
    q: web::Query<Filters>,
) -> Result<HttpResponse, PageError> {
    let state = state(&req)?;
    let f = q.to_filter(&visitor)?;
    let page = q.halaman.unwrap_or(1);
    let visible = visitor.actor.visible.clone();
    // The list's body holds nothing of the session: kept per view, address
    // and day until the registry changes.
    let key: crate::http::PageKey = (visible.clone(), req.query_string().to_string(), f.as_of);
    let version = db(&state, |c| crate::store::db::registry_version(c)).await?;
    let kept = state.page_bodies.lock().ok().and_then(|m| {
        m.get(&key)
            .filter(|(v, _)| *v == version)
            .map(|(_, b)| b.clone())
    });
    if let Some(body) = kept {
        return Ok(render::page_around(
            &req,
            &visitor,
            "Perjanjian",
            "perjanjian",
            &body,
        ));
    }
    let offices = db(&state, move |c| {
        let only = visible.institutions(c)?;
        institutions::offices(c, only.as_deref())
    })
    .await?;
    let (total, items) = page_of(&state, f).await?;
    let statuses: Vec<_> = AgreementStatus::ALL
        .iter()
        .map(|s| json!({"code": s.code(), "label": s.label(), "selected": q.status.as_deref() == Some(s.code())}))
        .collect();
    let chosen = |sel: Option<&str>, code: &str| sel == Some(code);
    // Ditjen chooses among hundreds of offices: their options are written
    // here, escaped, rather than each one through the template.
    let office_options: String = offices
        .iter()
        .map(|(id, name)| {
            let selected = if q.kantor == Some(*id) {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{id}\"{selected}>{}</option>",
                handlebars::html_escape(name)
            )
        })
        .collect();
    let methods: Vec<_> = AccessMethod::ALL
        .iter()
        .map(|m| json!({"code": m.code(), "label": m.label(), "selected": chosen(q.metode.as_deref(), m.code())}))
        .collect();
    let elements: Vec<_> = ELEMENTS
        .iter()
        .filter(|e| !e.protected)
        .map(|e| json!({"code": e.code, "label": e.label, "selected": chosen(q.elemen.as_deref(), e.code)}))
        .collect();
    let sorts: Vec<_> = ListSort::ALL
        .iter()
        .map(|(_, code, label)| json!({"code": code, "label": label, "selected": chosen(q.urut.as_deref(), code)}))
        .collect();
    let mut ctx = json!({
        "filters": {"q": q.q, "berakhir": q.berakhir, "instansi": q.instansi},
        "office_options": office_options,
        "methods": methods,
        "elements": elements,
        "sorts": sorts,
        "statuses": statuses,
        "total": total,
        "items": items,
        "export_query": q.query(),
    });
    super::paging(&mut ctx, page, total, PER_PAGE, |p| q.at_page(p));
    let Some(body) = render::body("perjanjian", ctx) else {
        return Err(crate::http::problem::ApiError::internal().into());
    };
    let body: std::sync::Arc<str> = body.into();
    if let Ok(mut m) = state.page_bodies.lock() {
        // Bounded: a crawl through every page and filter starts it over.
        if m.len() >= 2_000 {
            m.clear();
        }
        m.insert(key, (version, body.clone()));
    }
    Ok(render::page_around(
        &req,
        &visitor,
        "Perjanjian",
        "perjanjian",
        &body,
    ))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/perjanjian", web::get().to(list));
}
