//! Who is visiting: the session cookie names a session held in the
//! database (any instance serves it); the session names an account, which
//! becomes the core's [`Actor`] through the same loader as a bearer token.
//! A session whose account changed its password or was disabled since it
//! was opened is over.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::PageError;
use crate::app::{self, Actor};
use crate::http::{auth, db, AppState};

pub const SESSION_COOKIE: &str = "sepakat_sesi";

/// A signed-in visitor of the pages.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub actor: Actor,
    /// The token every form of this session carries.
    pub csrf: String,
    /// The cookie's token (to end the session).
    pub token: String,
}

impl FromRequest for Visitor {
    type Error = PageError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some(v) = req.extensions().get::<Visitor>() {
                return Ok(v.clone());
            }
            let v = load(&req).await?.ok_or_else(|| PageError::SignIn {
                back: back_address(&req),
            })?;
            req.extensions_mut().insert(v.clone());
            Ok(v)
        })
    }
}

/// Where to come back to after signing in: this page, if it was a GET.
fn back_address(req: &HttpRequest) -> String {
    if req.method() == actix_web::http::Method::GET {
        req.uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into())
    } else {
        "/".into()
    }
}

/// The visitor the request's session cookie names, if it is live.
pub async fn load(req: &HttpRequest) -> Result<Option<Visitor>, PageError> {
    let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()) else {
        return Ok(None);
    };
    let state = state(req)?;
    let t = token.clone();
    let Some(session) = db(&state, move |c| app::sessions::find(c, &t)).await? else {
        return Ok(None);
    };
    let actor = auth::known(&state, session.user_id)
        .await?
        .filter(|k| k.token_version() == session.token_version)
        .and_then(auth::Known::enabled);
    Ok(actor.map(|actor| Visitor {
        actor,
        csrf: session.csrf,
        token,
    }))
}

pub fn state(req: &HttpRequest) -> Result<web::Data<AppState>, PageError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| PageError::Api(crate::http::problem::ApiError::internal()))
}

/// The session cookie: never readable by script, sent on links from other
/// sites (so a bookmarked or e-mailed link opens signed in) but not on their
/// forms; `Secure` when the server is reached over TLS.
pub fn cookie(req: &HttpRequest, token: String) -> Cookie<'static> {
    let secure = req.connection_info().scheme() == "https"
        || state(req)
            .ok()
            .and_then(|s| s.public_url.clone())
            .is_some_and(|u| u.starts_with("https://"));
    Cookie::build(SESSION_COOKIE, token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(actix_web::cookie::time::Duration::seconds(
            app::sessions::LIFETIME.num_seconds(),
        ))
        .finish()
}

/// The cookie that removes the session cookie.
pub fn removal() -> Cookie<'static> {
    let mut c = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    c.make_removal();
    c
}
