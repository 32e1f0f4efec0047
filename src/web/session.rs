//! Who is visiting: the session cookie names a session held in the
//! database (any instance serves it); the session names an account, which
//! becomes the core's [`Actor`] through the same loader as a bearer token.
//! A session whose account changed its password or was disabled since it
//! was opened is over.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use std::collections::HashMap;

use super::PageError;
use crate::app::{self, Actor};
use crate::auth::secret;
use crate::http::{auth, db, AppState};
use crate::store::web_sessions::Session;

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
    // Read after the request began: a session ended anywhere before it is
    // not served from memory.
    let stamps = crate::http::followed(&state).await?;
    let session = match state.visits.fresh(&token, stamps.sessions) {
        Some(session) => session,
        None => {
            let t = token.clone();
            let Some(session) = db(&state, move |c| app::sessions::find(c, &t)).await? else {
                return Ok(None);
            };
            state.visits.remember(&token, stamps.sessions, &session);
            session
        }
    };
    let actor = auth::known_at(&state, session.user_id, stamps.accounts)
        .await?
        .filter(|k| k.token_version() == session.token_version)
        .and_then(auth::Known::enabled);
    Ok(actor.map(|actor| Visitor {
        actor,
        csrf: session.csrf,
        token,
    }))
}

/// The sessions this server has read, so that a page does not read its
/// session again on every request. An entry holds while the sessions
/// change stamp it was read at has not moved (the database raises it
/// whenever a session ends, on any instance) and until the session
/// expires; whose session it is and whether that account may still sign in
/// is checked on every request as for a bearer token.
#[derive(Default)]
pub struct Visits {
    read: std::sync::Mutex<HashMap<String, (i64, Session)>>,
}

impl Visits {
    /// Most sessions kept; beyond, those read at an older stamp go first.
    const MOST: usize = 10_000;

    /// The session of cookie token `token` as read at stamp `stamp`, if it
    /// has not expired since.
    fn fresh(&self, token: &str, stamp: i64) -> Option<Session> {
        let key = secret::hash(token);
        let read = self.read.lock().unwrap_or_else(|p| p.into_inner());
        read.get(&key)
            .filter(|(at, s)| *at == stamp && s.expires_at > crate::store::now())
            .map(|(_, s)| s.clone())
    }

    /// Keeps `session`, read after stamp `stamp` was.
    fn remember(&self, token: &str, stamp: i64, session: &Session) {
        let key = secret::hash(token);
        let mut read = self.read.lock().unwrap_or_else(|p| p.into_inner());
        if read.len() >= Self::MOST {
            read.retain(|_, (at, _)| *at == stamp);
            if read.len() >= Self::MOST {
                read.clear();
            }
        }
        read.insert(key, (stamp, session.clone()));
    }
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
