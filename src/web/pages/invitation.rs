//! `/undangan/{token}`: a person opens the link from their invitation (or
//! "forgot password") e-mail and chooses their password; the link works
//! once and for seven days, and says in words when it no longer does.
//! `/lupa-sandi`: asks for such a link, answered the same whether the
//! account exists or not.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::sign_in::{home_of, pre_checked, pre_cookie, pre_token, signed_in};
use crate::app::invitations::{self as app, Link};
use crate::domain::account::NewPassword;
use crate::http::problem::ApiError;
use crate::http::{db, run};
use crate::web::form;
use crate::web::render;
use crate::web::session::state;
use crate::web::PageError;

fn link_page(
    token: &str,
    csrf: &str,
    link: &Link,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let (open, username, name, reset, gone) = match link {
        Link::Open {
            username,
            name,
            reset,
        } => (true, Some(username.clone()), name.clone(), *reset, None),
        Link::Used => (false, None, None, false, Some(app::LINK_USED)),
        Link::Expired => (false, None, None, false, Some(app::LINK_EXPIRED)),
        Link::Unknown => (false, None, None, false, Some(app::LINK_UNKNOWN)),
    };
    let ctx = json!({
        "title": if reset { "Atur ulang kata sandi" } else { "Undangan Sepakat" },
        "csrf": csrf,
        "token": token,
        "open": open,
        "username": username,
        "name": name,
        "reset": reset,
        "gone": gone.map(words_first_capital),
        "error": error,
    });
    let mut r = render::bare("undangan", &ctx, status);
    let _ = r.add_cookie(&pre_cookie(csrf, &format!("/undangan/{token}")));
    r
}

fn words_first_capital(s: &str) -> String {
    crate::domain::words::capitalized(s) + "."
}

async fn show(req: HttpRequest, token: web::Path<String>) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let state = state(&req)?;
    let t = token.clone();
    let link = db(&state, move |c| app::look(c, &t)).await?;
    let status = match link {
        Link::Open { .. } => StatusCode::OK,
        Link::Unknown => StatusCode::NOT_FOUND,
        _ => StatusCode::GONE,
    };
    Ok(link_page(&token, &pre_token(&req), &link, None, status))
}

#[derive(Deserialize)]
struct Chosen {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

async fn choose(
    req: HttpRequest,
    token: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let csrf = pre_checked(&req, &body)?;
    let f: Chosen = form::parse(&body)?;
    let state = state(&req)?;
    let t = token.clone();
    let link = db(&state, move |c| app::look(c, &t)).await?;
    let again = |message: String, link: &Link| {
        Ok(link_page(
            &token,
            &csrf,
            link,
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    };
    if !matches!(link, Link::Open { .. }) {
        return Ok(link_page(&token, &csrf, &link, None, StatusCode::GONE));
    }
    let password = match NewPassword::parse(&f.password) {
        Ok(p) => p,
        Err(m) => return again(words_first_capital(&m), &link),
    };
    if f.password != f.password2 {
        return again("Kedua kata sandi tidak sama.".into(), &link);
    }
    let hash = web::block(move || crate::auth::password::hash(password.expose()))
        .await
        .map_err(ApiError::from)?
        .map_err(|_| ApiError::internal())?;
    let t = token.clone();
    let chosen = run(&state, move |c| {
        let user = app::choose_password(c, &t, &hash)?;
        let opened = crate::app::sessions::open(c, user.id, user.token_version)?;
        Ok((user, opened))
    })
    .await;
    match chosen {
        Ok((user, opened)) => {
            // The gate forgets what it knew of the account (its token version).
            state.sessions.forget(user.id);
            Ok(signed_in(
                &req,
                home_of(user.role().ok()),
                opened.token,
                &format!("/undangan/{token}"),
            ))
        }
        Err(e) if e.status == StatusCode::CONFLICT => {
            let t = token.clone();
            let link = db(&state, move |c| app::look(c, &t)).await?;
            Ok(link_page(&token, &csrf, &link, None, StatusCode::GONE))
        }
        Err(e) => Err(e.into()),
    }
}

fn forgot_page(csrf: &str, sent: bool, status: StatusCode) -> HttpResponse {
    let ctx = json!({"title": "Lupa kata sandi", "csrf": csrf, "sent": sent});
    let mut r = render::bare("lupa_sandi", &ctx, status);
    let _ = r.add_cookie(&pre_cookie(csrf, "/lupa-sandi"));
    r
}

async fn forgot(req: HttpRequest) -> HttpResponse {
    forgot_page(&pre_token(&req), false, StatusCode::OK)
}

#[derive(Deserialize)]
struct Who {
    #[serde(default)]
    username: String,
}

async fn ask(req: HttpRequest, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let csrf = pre_checked(&req, &body)?;
    let f: Who = form::parse(&body)?;
    let state = state(&req)?;
    let letters = state.letters.clone();
    let who = f.username.clone();
    run(&state, move |c| app::request_reset(c, &letters, &who)).await?;
    state.deliver();
    Ok(forgot_page(&csrf, true, StatusCode::OK))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/undangan/{token}")
            .route(web::get().to(show))
            .route(web::post().to(choose)),
    )
    .service(
        web::resource("/lupa-sandi")
            .route(web::get().to(forgot))
            .route(web::post().to(ask)),
    );
}
