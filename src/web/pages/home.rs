//! Beranda (`/`): what needs action today in the reader's view, each count
//! a link to the list it counts, and the next deadlines.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::domain::catalog::Role;
use crate::http::obligations::dashboard_of;
use crate::web::render;
use crate::web::session::{state, Visitor};
use crate::web::PageError;

fn count(v: &Value, path: &[&str]) -> u64 {
    path.iter()
        .fold(Some(v), |v, k| v.and_then(|v| v.get(*k)))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

/// Offices shown in the roll-up unless all are asked for (`?kantor=semua`):
/// Ditjen sees hundreds, and the Beranda is for what needs action.
const OFFICES_SHOWN: usize = 20;

#[derive(serde::Deserialize)]
struct Options {
    kantor: Option<String>,
}

async fn show(
    req: HttpRequest,
    visitor: Visitor,
    q: web::Query<Options>,
) -> Result<HttpResponse, PageError> {
    if visitor.actor.role == Role::Opd {
        return Ok(HttpResponse::SeeOther()
            .insert_header(("location", "/portal"))
            .finish());
    }
    let state = state(&req)?;
    let today = crate::today_jakarta();
    let d = dashboard_of(&state, visitor.actor.visible.clone(), today).await?;
    let all_offices = q.kantor.as_deref() == Some("semua");
    let (d, offices_total) = d.for_page((!all_offices).then_some(OFFICES_SHOWN));
    let reminders_bad =
        count(&d, &["reminders", "failed"]) + count(&d, &["reminders", "undeliverable"]);
    let actions = json!([
        {"label": "Kewajiban terlambat", "count": count(&d, &["obligations", "by_state", "overdue"]),
         "href": "/kewajiban?state=overdue", "tone": "merah"},
        {"label": "Jatuh tempo dalam 30 hari", "count": count(&d, &["obligations", "by_state", "due_soon"]),
         "href": "/kewajiban?state=due_soon", "tone": "kuning"},
        {"label": "Perjanjian dalam masa perpanjangan", "count": count(&d, &["agreements", "renewal_due"]),
         "href": "/perjanjian?status=renewal_due", "tone": "kuning"},
        {"label": "Berisiko dicabut (laporan terlambat > 3 bulan)", "count": count(&d, &["at_risk", "total"]),
         "href": "/kewajiban?state=overdue&kind=semester_report", "tone": "merah"},
        {"label": "Bukti menunggu pemeriksaan", "count": count(&d, &["obligations", "by_state", "submitted"]),
         "href": "/kewajiban?state=submitted", "tone": "kuning"},
        {"label": "Pengingat gagal atau tanpa alamat", "count": reminders_bad,
         "href": "/pengingat?state=failed,undeliverable", "tone": "merah"},
    ]);
    let mut ctx = json!({
        "today": today,
        "offices_total": offices_total,
        "offices_trimmed": !all_offices && offices_total > OFFICES_SHOWN,
        "offices_shown": OFFICES_SHOWN,
    });
    // Moved in: `json!` would serialise a copy of each.
    ctx["actions"] = actions;
    ctx["dashboard"] = d;
    Ok(render::page(
        &req, &visitor, "beranda", "Beranda", "beranda", ctx,
    ))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(show));
}
