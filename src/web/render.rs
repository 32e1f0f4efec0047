//! Pages from the Handlebars templates in `templates/pages/`, built into
//! the binary: one layout around each page's body, the helpers pages need
//! to write dates and numbers the Indonesian way, and the headers every
//! page carries (a Content-Security-Policy that lets nothing in from
//! another host and no inline script).

use std::sync::LazyLock;

use actix_web::cookie::{time::Duration as CookieAge, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use handlebars::{handlebars_helper, Handlebars};
use serde_json::{json, Value};

use super::session::Visitor;
use crate::domain::catalog::Role;
use crate::domain::words;

/// The pages' policy: scripts and styles from this server only.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; \
    base-uri 'none'";

const FLASH_COOKIE: &str = "sepakat_pesan";

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/pages/", $name, ".hbs")))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates![
    "layout",
    "galat",
    "masuk",
    "beranda",
    "perjanjian",
    "perjanjian_satu",
    "kewajiban",
    "pengingat",
    "admin",
    "admin_pengguna",
    "admin_hari_libur",
    "portal",
    "portal_tugas",
    "undangan",
    "lupa_sandi",
    "draf_baru",
    "draf_ubah",
    "draf_banding",
];

static PAGES: LazyLock<Handlebars<'static>> = LazyLock::new(|| {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(false);
    hb.register_helper("tanggal", Box::new(h_tanggal));
    hb.register_helper("waktu", Box::new(h_waktu));
    hb.register_helper("angka", Box::new(h_angka));
    hb.register_helper("nama_status", Box::new(h_status));
    hb.register_helper("nama_keadaan", Box::new(h_keadaan));
    hb.register_helper("nama_kewajiban", Box::new(h_kewajiban));
    hb.register_helper("segmen", Box::new(h_segmen));
    hb.register_helper("kata", Box::new(h_label));
    hb.register_helper("nip_baca", Box::new(h_nip));
    for (name, text) in TEMPLATES {
        // The templates are part of the binary; a broken one is a build defect
        // that the page tests catch on their first request.
        if let Err(e) = hb.register_template_string(name, *text) {
            tracing::error!(template = name, error = %e, "page template does not parse");
        }
    }
    hb
});

handlebars_helper!(h_tanggal: |d: Json| d.as_str()
    .and_then(|s| s.parse::<NaiveDate>().ok())
    .map(words::date_short)
    .unwrap_or_default());

handlebars_helper!(h_waktu: |d: Json| d.as_str()
    .and_then(|s| s.trim_end_matches('Z').parse::<NaiveDateTime>().ok())
    .map(|t| {
        let local = t + chrono::TimeDelta::hours(7);
        format!("{} {} WIB", words::date_long(local.date()), local.format("%H.%M"))
    })
    .unwrap_or_default());

handlebars_helper!(h_angka: |n: Json| n.as_u64().map(words::grouped)
    .or_else(|| n.as_i64().map(|n| if n < 0 { format!("-{}", words::grouped(n.unsigned_abs())) } else { words::grouped(n as u64) }))
    .unwrap_or_default());

handlebars_helper!(h_status: |code: str| crate::domain::status::AgreementStatus::from_code(code)
    .map(|s| s.label()).unwrap_or(code).to_string());

handlebars_helper!(h_keadaan: |code: str| crate::domain::obligations::ObligationState::from_code(code)
    .map(|s| s.label()).unwrap_or(code).to_string());

handlebars_helper!(h_kewajiban: |code: str| crate::domain::obligations::ObligationKind::from_code(code)
    .map(|s| words::capitalized(s.label())).unwrap_or_else(|| code.to_string()));

handlebars_helper!(h_segmen: |s: str| super::form::segment(s));

handlebars_helper!(h_nip: |s: str| crate::domain::nip::Nip::parse(s)
    .map(|n| n.display_form()).unwrap_or_else(|_| s.to_string()));

handlebars_helper!(h_label: |vocabulary: str, code: str| vocabulary_label(vocabulary, code)
    .unwrap_or(code).to_string());

/// A code of one of the domain's closed vocabularies in words.
fn vocabulary_label(vocabulary: &str, code: &str) -> Option<&'static str> {
    use crate::domain::catalog::*;
    match vocabulary {
        "metode" => AccessMethod::from_code(code).map(AccessMethod::label),
        "elemen" => element(code).map(|e| e.label),
        "poc" => PocStatus::from_code(code).map(PocStatus::label),
        "pernyataan" => StatementKind::from_code(code).map(StatementKind::label),
        "saluran" => ReportChannel::from_code(code).map(ReportChannel::label),
        "pihak" => Side::from_code(code).map(Side::label),
        "jenis" => AgreementKind::from_code(code).map(AgreementKind::label),
        "instansi" => InstitutionKind::from_code(code).map(InstitutionKind::label),
        "pengakhiran" => TerminationReason::from_code(code).map(TerminationReason::label),
        _ => None,
    }
}

/// What a role is called on the pages.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Admin",
        Role::Legal => "Staf hukum",
        Role::Viewer => "Pemantau",
        Role::Opd => "OPD",
    }
}

/// A template rendered, or the failure logged (a defect of ours, never of
/// the reader's input: every value is escaped).
fn render(name: &str, ctx: &Value) -> Result<String, ()> {
    render_owned(name, ctx.clone())
}

/// The same from a context the caller gives up: handlebars reads it as it
/// is, instead of serialising a copy (on a list of 25 rows, a copy of every
/// row was most of a page's time).
fn render_owned(name: &str, ctx: Value) -> Result<String, ()> {
    PAGES
        .render_with_context(name, &handlebars::Context::from(ctx))
        .map_err(|e| {
            tracing::error!(template = name, error = %e, "page does not render");
        })
}

fn failed() -> HttpResponse {
    HttpResponse::InternalServerError()
        .content_type("text/plain; charset=utf-8")
        .body(
            "Terjadi kesalahan di server saat menyusun halaman ini; coba lagi atau hubungi admin.",
        )
}

fn html(status: StatusCode) -> actix_web::HttpResponseBuilder {
    let mut r = HttpResponse::build(status);
    r.insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP));
    r
}

/// A page with nobody signed in (sign-in, errors): the layout without the
/// navigation.
pub fn bare(name: &str, ctx: &Value, status: StatusCode) -> HttpResponse {
    let Ok(body) = render(name, ctx) else {
        return failed();
    };
    let mut all = ctx.clone();
    all["body"] = Value::String(body);
    match render_owned("layout", all) {
        Ok(page) => html(status).body(page),
        Err(()) => failed(),
    }
}

/// A page for a signed-in visitor whose body was rendered before (kept
/// because it holds nothing of the session): the layout around it.
pub fn page_around(
    req: &HttpRequest,
    visitor: &Visitor,
    title: &str,
    nav: &str,
    body: &str,
) -> HttpResponse {
    let (frame, flash) = frame(req, visitor, title, nav);
    wrap(req, frame, flash.is_some(), body.to_string())
}

/// The layout around a body, or the body alone for htmx's partial request.
/// A request that replaces the whole of `main` (`#isi`, a form that saves
/// and shows the page again with its message) gets the page.
fn wrap(req: &HttpRequest, mut frame: Value, had_flash: bool, body: String) -> HttpResponse {
    let h = req.headers();
    let whole = h.get("hx-target").is_some_and(|t| t == "isi");
    let partial = h.contains_key("hx-request") && !h.contains_key("hx-boosted") && !whole;
    let out = if partial {
        body
    } else {
        frame["body"] = Value::String(body);
        match render_owned("layout", frame) {
            Ok(page) => page,
            Err(()) => return failed(),
        }
    };
    respond(req, out, had_flash)
}

/// A page's body alone, from its context (for a page that keeps it).
pub fn body(name: &str, ctx: Value) -> Option<String> {
    render_owned(name, ctx).ok()
}

/// What the layout needs (who is signed in, the form token, the message
/// the last action left), and whether there was such a message.
fn frame(req: &HttpRequest, visitor: &Visitor, title: &str, nav: &str) -> (Value, Option<String>) {
    let flash = req
        .cookie(FLASH_COOKIE)
        .map(|c| super::form::decode(c.value()))
        .filter(|m| !m.is_empty());
    let actor = &visitor.actor;
    let staff = matches!(actor.role, Role::Admin | Role::Legal);
    let frame = json!({
        "title": title,
        "nav": { nav: true },
        "me": {
            "name": actor.name,
            "role": role_label(actor.role),
            "staff": staff,
            "admin": actor.role == Role::Admin,
            "opd": actor.role == Role::Opd,
        },
        "csrf": visitor.csrf,
        "flash": flash,
    });
    (frame, flash)
}

fn respond(req: &HttpRequest, out: String, had_flash: bool) -> HttpResponse {
    let mut r = html(StatusCode::OK);
    if had_flash {
        let mut gone = Cookie::build(FLASH_COOKIE, "").path("/").finish();
        gone.make_removal();
        r.cookie(gone);
    }
    if super::gzip::accepted(req) {
        if let Some(packed) = super::gzip::gzip(out.as_bytes()) {
            r.insert_header((header::CONTENT_ENCODING, "gzip"))
                .insert_header((header::VARY, "accept-encoding"));
            return r.body(packed);
        }
    }
    r.body(out)
}

/// A page for a signed-in visitor: `ctx` plus who they are, their form
/// token and the message the last action left. A request made by htmx for
/// a part of the page gets the body alone.
pub fn page(
    req: &HttpRequest,
    visitor: &Visitor,
    name: &str,
    title: &str,
    nav: &str,
    mut ctx: Value,
) -> HttpResponse {
    let (frame, flash) = frame(req, visitor, title, nav);
    for key in ["title", "nav", "me", "csrf", "flash"] {
        ctx[key] = frame[key].clone();
    }
    let Ok(body) = render_owned(name, ctx) else {
        return failed();
    };
    wrap(req, frame, flash.is_some(), body)
}

/// After a form: back to `to` (POST, redirect, GET), with a message for
/// the next page.
pub fn see_other(to: &str, message: &str) -> HttpResponse {
    let flash = Cookie::build(FLASH_COOKIE, super::form::encode(message))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(CookieAge::seconds(120))
        .finish();
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .cookie(flash)
        .finish()
}
