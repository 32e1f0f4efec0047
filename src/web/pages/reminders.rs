//! Pengingat (`/pengingat`): the reminder outbox of the agreements the
//! visitor sees, what went wrong first (failed, no address), then what is
//! still to go, then what went; a failed message sent again through the
//! core; and the visitor's own calendar subscription, whose secret address
//! is shown once, when it is made.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app;
use crate::domain::obligations::ObligationKind;
use crate::http::obligations::outbox_of;
use crate::http::problem::ApiError;
use crate::http::{feed, run};
use crate::store::outbox;
use crate::web::form::Posted;
use crate::web::render;
use crate::web::session::{state, Visitor};
use crate::web::PageError;

const PER_PAGE: i64 = 50;

/// A message's state in words (never by colour alone).
fn state_label(code: &str) -> &'static str {
    match code {
        outbox::QUEUED => "Menunggu dikirim",
        outbox::SENDING => "Sedang dikirim",
        outbox::SENT => "Terkirim",
        outbox::FAILED => "Gagal",
        outbox::CANCELLED => "Dibatalkan",
        outbox::UNDELIVERABLE => "Tanpa alamat penerima",
        _ => "Tidak dikenal",
    }
}

/// The obligation a message is about, in words, from its key
/// (`report:2026:1`, `nda:NAME`, `renewal_request`…).
fn obligation_label(key: Option<&str>) -> &'static str {
    let Some(key) = key else {
        return "Ringkasan kantor";
    };
    let head = key.split(':').next().unwrap_or(key);
    let kind = match head {
        "report" => Some(ObligationKind::SemesterReport),
        other => ObligationKind::from_code(other),
    };
    kind.map(ObligationKind::label).unwrap_or("Kewajiban lain")
}

/// The filter as the address carries it: `state=failed,undeliverable`, or
/// the same state named more than once (a form's checkboxes); and the page.
struct Filter {
    states: Vec<String>,
    page: i64,
}

impl Filter {
    fn of(req: &HttpRequest) -> Result<Filter, PageError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
            .map_err(|_| ApiError::bad_request("alamat halaman tidak terbaca"))?;
        let mut states = vec![];
        let mut page = 1;
        for (k, v) in pairs {
            match k.as_str() {
                "state" => {
                    for s in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        if !outbox::STATES.contains(&s) {
                            return Err(ApiError::bad_request(format!(
                                "keadaan '{s}' tidak dikenal; pilihan: {}",
                                outbox::STATES.join(", ")
                            ))
                            .into());
                        }
                        if !states.iter().any(|x| x == s) {
                            states.push(s.to_string());
                        }
                    }
                }
                "halaman" => {
                    page = v
                        .parse::<i64>()
                        .ok()
                        .filter(|p| (1..=100_000).contains(p))
                        .ok_or_else(|| ApiError::bad_request("halaman harus antara 1 dan 100000"))?
                }
                _ => {}
            }
        }
        Ok(Filter { states, page })
    }

    /// This view's address at another page.
    fn at_page(&self, page: i64) -> String {
        let mut parts = vec![];
        if !self.states.is_empty() {
            // Known state codes only (checked in `of`): nothing to escape.
            parts.push(format!("state={}", self.states.join(",")));
        }
        if page > 1 {
            parts.push(format!("halaman={page}"));
        }
        if parts.is_empty() {
            "/pengingat".into()
        } else {
            format!("/pengingat?{}", parts.join("&"))
        }
    }
}

/// The calendar subscription just made, shown once.
struct NewFeed {
    url: String,
    webcal: String,
}

async fn show(req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, PageError> {
    render_page(&req, &visitor, None).await
}

async fn render_page(
    req: &HttpRequest,
    visitor: &Visitor,
    new_feed: Option<NewFeed>,
) -> Result<HttpResponse, PageError> {
    let state = state(req)?;
    let f = Filter::of(req)?;
    let (total, rows) = outbox_of(
        &state,
        f.states.clone(),
        visitor.actor.visible.clone(),
        true,
        PER_PAGE,
        (f.page - 1) * PER_PAGE,
    )
    .await?;
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.agreement_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let actor = visitor.actor.clone();
    let (labels, issued) = run(&state, move |c| {
        let labels = crate::store::obligations::labels(c, &ids)?;
        let issued = if actor.user.is_some() {
            app::users::feed_token_issued(c, &actor)?
        } else {
            None
        };
        Ok((labels, issued))
    })
    .await?;
    let can_retry = app::policy::allow(&visitor.actor, app::policy::Action::RetryReminder).is_ok();
    let back = f.at_page(f.page);
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            let (title, institution) = r
                .agreement_id
                .and_then(|id| labels.get(&id).cloned())
                .unwrap_or_default();
            v["title"] = json!(title);
            v["institution"] = json!(institution);
            v["kind_label"] = json!(crate::domain::words::capitalized(obligation_label(
                r.obligation_key.as_deref()
            )));
            v["state_label"] = json!(state_label(&r.state));
            v["retry"] = json!(can_retry && r.state == outbox::FAILED);
            v["problem"] = json!(matches!(
                r.state.as_str(),
                outbox::FAILED | outbox::UNDELIVERABLE
            ));
            v
        })
        .collect();
    let views = [
        ("Semua", ""),
        ("Gagal atau tanpa alamat", "failed,undeliverable"),
        ("Menunggu dikirim", "queued"),
        ("Terkirim", "sent"),
    ];
    let current = f.states.join(",");
    let views: Vec<Value> = views
        .iter()
        .map(|(label, q)| {
            let href = if q.is_empty() {
                "/pengingat".to_string()
            } else {
                format!("/pengingat?state={q}")
            };
            json!({"label": label, "href": href, "current": *q == current})
        })
        .collect();
    let states: Vec<Value> = outbox::STATES
        .iter()
        .map(|s| json!({"code": s, "label": state_label(s), "checked": f.states.iter().any(|x| x == s)}))
        .collect();
    let mut ctx = json!({
        "items": items,
        "total": total,
        "views": views,
        "states": states,
        "filtered": !f.states.is_empty(),
        "back": back,
        "can_retry": can_retry,
        "feed": {
            "own": visitor.actor.user.is_some(),
            "issued_at": issued.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
            "new": new_feed.as_ref().map(|n| json!({"url": n.url, "webcal": n.webcal})),
        },
    });
    super::paging(&mut ctx, f.page, total, PER_PAGE, |p| f.at_page(p));
    Ok(render::page(
        req,
        visitor,
        "pengingat",
        "Pengingat",
        "pengingat",
        ctx,
    ))
}

#[derive(Deserialize)]
struct RetryForm {
    #[serde(default)]
    kembali: String,
}

/// Where a form on this page comes back to: this page (with its filter),
/// never another site.
fn back_to(kembali: &str) -> String {
    if kembali.starts_with("/pengingat") && !kembali.contains("//") {
        kembali.to_string()
    } else {
        "/pengingat".into()
    }
}

async fn retry(
    req: HttpRequest,
    id: web::Path<i64>,
    form: Posted<RetryForm>,
) -> Result<HttpResponse, PageError> {
    let Posted(visitor, f) = form;
    let id = id.into_inner();
    let state = state(&req)?;
    let actor = visitor.actor.clone();
    let back = back_to(&f.kembali);
    match run(&state, move |c| app::reminders::retry(c, &actor, id)).await {
        Ok(row) => Ok(render::see_other(
            &back,
            &format!(
                "Pengingat kepada {} dijadwalkan ulang: dikirim pada putaran pengiriman berikutnya.",
                row.recipient
            ),
        )),
        Err(e) if e.status.as_u16() == 409 => Ok(render::see_other(&back, &e.detail)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Nothing {}

async fn create_feed(req: HttpRequest, form: Posted<Nothing>) -> Result<HttpResponse, PageError> {
    let Posted(visitor, _) = form;
    let state = state(&req)?;
    let (secret, hash) = crate::auth::secret::generate();
    let actor = visitor.actor.clone();
    run(&state, move |c| {
        app::users::replace_feed_token(c, &actor, &hash)
    })
    .await?;
    let s = feed::subscription(&state, &req, &secret);
    let new = NewFeed {
        url: s.url,
        webcal: s.webcal,
    };
    let mut r = render_page(&req, &visitor, Some(new)).await?;
    // The secret is on this answer alone: never kept by a cache.
    r.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

async fn revoke_feed(req: HttpRequest, form: Posted<Nothing>) -> Result<HttpResponse, PageError> {
    let Posted(visitor, _) = form;
    let state = state(&req)?;
    let actor = visitor.actor.clone();
    run(&state, move |c| app::users::revoke_feed_token(c, &actor)).await?;
    Ok(render::see_other(
        "/pengingat#kalender",
        "Alamat langganan kalender dicabut; aplikasi kalender tidak lagi dapat membacanya.",
    ))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/pengingat", web::get().to(show))
        .route("/pengingat/kalender", web::post().to(create_feed))
        .route("/pengingat/kalender/cabut", web::post().to(revoke_feed))
        .route("/pengingat/{id}/kirim-ulang", web::post().to(retry));
}
