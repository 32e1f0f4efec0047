//! `/masuk` and `/keluar`: signing in with the API's own check and throttle,
//! into a session held in the database; signing out ends it.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::app;
use crate::domain::catalog::Role;
use crate::http::auth::{check_password, Refused};
use crate::http::run;
use crate::web::form::{self, Posted};
use crate::web::render;
use crate::web::session::{self, state};
use crate::web::PageError;

/// Before there is a session, the sign-in form's CSRF token is this
/// cookie's value (double submit): another site cannot read it to post it.
const PRE_COOKIE: &str = "sepakat_pra";

#[derive(Deserialize)]
struct Back {
    lanjut: Option<String>,
}

/// Only an address on this server (`/…`, never `//host`) is gone back to.
fn local(back: Option<&str>) -> Option<&str> {
    back.filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
}

fn form_page(
    token: &str,
    back: Option<&str>,
    username: &str,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let ctx = json!({
        "title": "Masuk",
        "csrf": token,
        "lanjut": local(back),
        "username": username,
        "error": error,
    });
    let mut r = render::bare("masuk", &ctx, status);
    let _ = r.add_cookie(&pre_cookie(token, "/masuk"));
    r
}

/// The double-submit cookie of a form shown before there is a session,
/// scoped to the form's own address.
pub(super) fn pre_cookie(token: &str, path: &str) -> Cookie<'static> {
    Cookie::build(PRE_COOKIE, token.to_string())
        .path(path.to_string())
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish()
}

/// The token a pre-session form carries: the one its cookie already holds,
/// else a new one.
pub(super) fn pre_token(req: &HttpRequest) -> String {
    req.cookie(PRE_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|t| crate::auth::secret::well_formed(t))
        .unwrap_or_else(|| crate::auth::secret::generate().0)
}

/// A pre-session form's token checked against its cookie: the token, or
/// the CSRF refusal.
pub(super) fn pre_checked(req: &HttpRequest, body: &[u8]) -> Result<String, PageError> {
    let fields = form::fields(body)?;
    let sent = fields
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str());
    let expected = req.cookie(PRE_COOKIE).map(|c| c.value().to_string());
    match (sent, expected) {
        (Some(s), Some(e)) if form::same(s, &e) => Ok(e),
        _ => Err(PageError::Csrf),
    }
}

async fn show(req: HttpRequest, q: web::Query<Back>) -> Result<HttpResponse, PageError> {
    if let Some(v) = session::load(&req).await? {
        let home = home_of(Some(v.actor.role));
        let to = local(q.lanjut.as_deref()).unwrap_or(home);
        return Ok(HttpResponse::SeeOther()
            .insert_header(("location", to))
            .finish());
    }
    let token = pre_token(&req);
    Ok(form_page(
        &token,
        q.lanjut.as_deref(),
        "",
        None,
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
struct Credentials {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    lanjut: Option<String>,
}

async fn submit(req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let token = pre_checked(&req, &body)?;
    let f: Credentials = form::parse(&body)?;
    let back = f.lanjut.clone();
    let again = |message: String, status| {
        Ok(form_page(
            &token,
            back.as_deref(),
            &f.username,
            Some(message),
            status,
        ))
    };
    if f.username.trim().is_empty() || f.password.is_empty() {
        return again(
            "Isi nama pengguna dan kata sandi.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let state = state(&req)?;
    let user = match check_password(&state, &req, f.username.clone(), f.password.clone()).await? {
        Ok(user) => user,
        Err(Refused::Throttled(wait)) => {
            return again(
                format!(
                    "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {} menit.",
                    wait.div_ceil(60)
                ),
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
        Err(Refused::Wrong) => {
            return again(
                "Nama pengguna atau kata sandi salah, atau akun dinonaktifkan.".into(),
                StatusCode::UNAUTHORIZED,
            )
        }
    };
    let (id, version) = (user.id, user.token_version);
    let opened = run(&state, move |c| app::sessions::open(c, id, version)).await?;
    let home = home_of(user.role().ok());
    let to = local(f.lanjut.as_deref()).unwrap_or(home);
    Ok(signed_in(&req, to, opened.token, "/masuk"))
}

/// Into a new session: its cookie set, the pre-session cookie of the form
/// at `form_path` gone.
pub(super) fn signed_in(
    req: &HttpRequest,
    to: &str,
    token: String,
    form_path: &str,
) -> HttpResponse {
    let mut gone = Cookie::build(PRE_COOKIE, "")
        .path(form_path.to_string())
        .finish();
    gone.make_removal();
    HttpResponse::SeeOther()
        .insert_header(("location", to))
        .cookie(session::cookie(req, token))
        .cookie(gone)
        .finish()
}

/// Where a user lands after signing in: the portal for an agency.
pub(super) fn home_of(role: Option<Role>) -> &'static str {
    if role == Some(Role::Opd) {
        "/portal"
    } else {
        "/"
    }
}

#[derive(Deserialize)]
struct Nothing {}

async fn sign_out(req: HttpRequest, form: Posted<Nothing>) -> Result<HttpResponse, PageError> {
    let Posted(visitor, _) = form;
    let state = state(&req)?;
    run(&state, move |c| app::sessions::close(c, &visitor.token)).await?;
    let mut r = render::see_other("/masuk", "Anda telah keluar.");
    let _ = r.add_cookie(&session::removal());
    Ok(r)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/masuk")
            .route(web::get().to(show))
            .route(web::post().to(submit)),
    )
    .service(web::resource("/keluar").route(web::post().to(sign_out)));
}
