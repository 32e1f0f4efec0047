//! Sign-in, bearer tokens on every API call, and what each role may write.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{post, web, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

use super::problem::ApiError;
use super::{db, AppState, ValidJson};
use crate::auth::password;
use crate::domain::catalog::Role;
use crate::store::{login_failures, users, DbConnection, StoreError};

/// The signed-in user of a request, put there by [`authenticate`]: the
/// core's actor.
pub type Principal = crate::app::Actor;

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(
            req.extensions()
                .get::<Principal>()
                .cloned()
                .ok_or_else(unauthorized),
        )
    }
}

fn unauthorized() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "Belum masuk",
        "sertakan token yang masih berlaku: Authorization: Bearer <token> dari POST /api/v1/auth/login",
    )
}

// ---- who is signed in -----------------------------------------------------------

/// A user as the gate last read it.
#[derive(Debug, Clone)]
pub struct Known {
    principal: Principal,
    token_version: i32,
    disabled: bool,
}

/// The gate's memory of users, so a request does not read the users table
/// and work out the user's visibility every time. An entry holds while the
/// accounts change stamp it was read at (`store::db::Stamps::accounts`,
/// raised by the database on any write to the users table, from any
/// instance or the CLI) has not moved, and for one second at most: a
/// password change or a disable ends old tokens on every instance with the
/// next request, and a change in the office hierarchy reaches what a user
/// may see within that second.
#[derive(Default)]
pub struct Sessions {
    known: Mutex<HashMap<i64, Remembered>>,
}

/// A user as read at a time and an accounts stamp (`None`: known absent).
struct Remembered {
    at: Instant,
    stamp: i64,
    known: Option<Known>,
}

impl Remembered {
    fn holds(&self, stamp: i64) -> bool {
        self.at.elapsed() < SESSION_TTL && self.stamp == stamp
    }
}

const SESSION_TTL: Duration = Duration::from_secs(1);

impl Sessions {
    /// The user as read less than a second ago at this accounts stamp
    /// (`Some(None)`: known absent).
    fn fresh(&self, id: i64, stamp: i64) -> Option<Option<Known>> {
        let map = self.known.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&id)
            .filter(|r| r.holds(stamp))
            .map(|r| r.known.clone())
    }

    fn remember(&self, id: i64, stamp: i64, known: Option<Known>) {
        let mut map = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, r| r.holds(stamp));
        }
        map.insert(
            id,
            Remembered {
                at: Instant::now(),
                stamp,
                known,
            },
        );
    }

    /// Forgets a user at once (after a change made through this server).
    pub fn forget(&self, id: i64) {
        self.known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }
}

impl Known {
    /// The version of the account's sign-ins: a password change or a
    /// disable moves it, ending every token and session opened before.
    pub(crate) fn token_version(&self) -> i32 {
        self.token_version
    }

    /// The principal, unless the account is disabled.
    pub(crate) fn enabled(self) -> Option<Principal> {
        (!self.disabled).then_some(self.principal)
    }
}

/// The one place an account becomes a [`Principal`]: its role, institution
/// and the agreements it may see (and so whose personal data it may read).
/// Every door that acts for a user, the bearer token and the secret
/// calendar address alike, goes through here.
fn load_known(c: &mut DbConnection, id: i64) -> Result<Option<Known>, StoreError> {
    let u = match users::get(c, id) {
        Ok(u) => u,
        Err(StoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let role = u.role()?;
    let visible = crate::store::access::Visibility::of(c, role, u.institution_id)?;
    Ok(Some(Known {
        principal: Principal {
            user: Some(u.id),
            name: u.username.clone(),
            role,
            institution_id: u.institution_id,
            visible,
        },
        token_version: u.token_version,
        disabled: u.disabled,
    }))
}

/// User `id` as remembered, if no account changed since and less than a
/// second ago, else read now. Each call first brings the instance up to the
/// database's change stamps as read after the call began
/// ([`super::followed`], a read shared by the requests arriving together),
/// so the request it gates sees what other instances changed; a user
/// remembered at the stamps is answered from memory, with no query of its own.
pub(crate) async fn known(state: &web::Data<AppState>, id: i64) -> Result<Option<Known>, ApiError> {
    let accounts = super::followed(state).await?.accounts;
    known_at(state, id, accounts).await
}

/// [`known`] for a caller that has followed the stamps already: `accounts`
/// is the accounts stamp as read after its request began.
pub(crate) async fn known_at(
    state: &web::Data<AppState>,
    id: i64,
    accounts: i64,
) -> Result<Option<Known>, ApiError> {
    if let Some(known) = state.sessions.fresh(id, accounts) {
        return Ok(known);
    }
    let st = state.clone();
    db(state, move |c| {
        // Read after the stamp: what is remembered is never older than it.
        let known = load_known(c, id)?;
        st.sessions.remember(id, accounts, known.clone());
        Ok(known)
    })
    .await
}

/// The enabled user `id` as the API would see them signed in: for the
/// calendar feed, which carries no bearer token.
pub(super) async fn principal_of(
    state: &web::Data<AppState>,
    id: i64,
) -> Result<Option<Principal>, ApiError> {
    Ok(known(state, id).await?.and_then(Known::enabled))
}

// ---- throttling --------------------------------------------------------------

/// Failed sign-ins per user name and per client address within a window;
/// beyond the limit the caller waits (429 with Retry-After). The failures
/// live in the database (`store::login_failures`), so every instance serving
/// it counts the same ones.
pub struct Throttle {
    window: Duration,
    per_user: i64,
    per_address: i64,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            window: Duration::from_secs(15 * 60),
            per_user: 5,
            per_address: 20,
        }
    }
}

/// The keys one sign-in attempt counts against, each with its limit.
type ThrottleKeys = Vec<(login_failures::Key, i64)>;

impl Throttle {
    fn keys(&self, username: &str, address: &str) -> ThrottleKeys {
        vec![
            (login_failures::Key::user(username), self.per_user),
            (login_failures::Key::address(address), self.per_address),
        ]
    }

    fn window(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::from_std(self.window).unwrap_or(chrono::TimeDelta::MAX)
    }

    /// Seconds to wait before another attempt, if any key is over its limit.
    fn retry_after(
        &self,
        c: &mut DbConnection,
        keys: &ThrottleKeys,
    ) -> Result<Option<u64>, StoreError> {
        let now = chrono::Utc::now().naive_utc();
        let mut wait = None;
        for (key, limit) in keys {
            let (failures, oldest) = login_failures::since(c, key, now - self.window())?;
            if let (true, Some(oldest)) = (failures >= *limit, oldest) {
                let left = self
                    .window
                    .saturating_sub((now - oldest).to_std().unwrap_or_default())
                    .as_secs()
                    .max(1);
                wait = wait.max(Some(left));
            }
        }
        Ok(wait)
    }

    fn fail(&self, c: &mut DbConnection, keys: &ThrottleKeys) -> Result<(), StoreError> {
        let now = chrono::Utc::now().naive_utc();
        let keys: Vec<_> = keys.iter().map(|(k, _)| k.clone()).collect();
        login_failures::record(c, &keys, now, now - self.window())
    }

    fn succeed(&self, c: &mut DbConnection, keys: &ThrottleKeys) -> Result<(), StoreError> {
        match keys.first() {
            Some((user, _)) => login_failures::clear(c, user),
            None => Ok(()),
        }
    }
}

/// Why a sign-in was refused.
pub(crate) enum Refused {
    /// Too many failures: seconds to wait.
    Throttled(u64),
    /// Wrong name or password, or a disabled account: never which.
    Wrong,
}

/// The one check of a user name and password, for the API's token and the
/// sign-in page's session alike: the throttle first, then the password
/// (hashed off the async workers; an unknown name costs the same time),
/// every failure counted against the name and the client's address.
pub(crate) async fn check_password(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    username: String,
    password: String,
) -> Result<Result<users::UserRow, Refused>, ApiError> {
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let keys = state.throttle.keys(&username, &address);
    let (throttle, k) = (state.throttle.clone(), keys.clone());
    if let Some(wait) = db(state, move |c| throttle.retry_after(c, &k)).await? {
        return Ok(Err(Refused::Throttled(wait)));
    }
    let user = db(state, move |c| users::by_name(c, &username)).await?;
    let verified = web::block(move || match user {
        Some(u) if password::verify(&u.password_hash, &password) && !u.disabled => Some(u),
        Some(_) => None,
        None => {
            password::burn(&password);
            None
        }
    })
    .await?;
    let Some(user) = verified else {
        let throttle = state.throttle.clone();
        db(state, move |c| throttle.fail(c, &keys)).await?;
        tracing::info!(address = %address, "failed sign-in");
        return Ok(Err(Refused::Wrong));
    };
    let throttle = state.throttle.clone();
    if let Err(e) = db(state, move |c| throttle.succeed(c, &keys)).await {
        tracing::warn!(error = %e, "failed sign-ins not cleared");
    }
    Ok(Ok(user))
}

// ---- login -------------------------------------------------------------------

/// Nama pengguna dan kata sandi.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Login {
    #[schema(example = "hukum.purbalingga")]
    username: String,
    #[schema(format = Password, example = "kata-sandi-rahasia")]
    password: String,
}

/// Token akses untuk `Authorization: Bearer <token>`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// JWT (HS256).
    token: String,
    #[schema(example = "Bearer")]
    token_type: &'static str,
    /// Masa berlaku token dalam detik.
    #[schema(example = 28800)]
    expires_in: u64,
    role: Role,
    /// Instansi pengguna (OPD) atau kantornya (legal, viewer).
    institution_id: Option<i64>,
}

#[utoipa::path(
    tag = "auth", operation_id = "login",
    summary = "Masuk",
    description = "Menukar nama pengguna dan kata sandi dengan token (JWT, berlaku 8 jam). Setiap \
        kegagalan dijawab dengan pesan yang sama; setelah 5 kegagalan per nama (20 per alamat) \
        dalam 15 menit, 429 dengan `Retry-After`. Tidak memerlukan token.",
    request_body = Login,
    responses(
        (status = 200, description = "Token untuk `Authorization: Bearer <token>`",
            body = LoginResponse,
            example = json!({"token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIn0.c2lnbmF0dXJl",
                "token_type": "Bearer", "expires_in": 28800, "role": "legal", "institution_id": 1})),
        (status = 400, response = super::openapi::BadRequest),
        (status = 401, description = "Nama pengguna atau kata sandi salah, atau akun dinonaktifkan",
            body = super::problem::Problem, content_type = "application/problem+json",
            example = json!({"type": "about:blank", "title": "Gagal masuk", "status": 401,
                "detail": "nama pengguna atau kata sandi salah, atau akun dinonaktifkan"})),
        (status = 413, response = super::openapi::PayloadTooLarge),
        (status = 422, response = super::openapi::Unprocessable),
        (status = 429, response = super::openapi::TooManyRequests),
    )
)]
#[post("/auth/login")]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<Login>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let user = match check_password(&state, &req, body.username, body.password).await? {
        Ok(user) => user,
        Err(Refused::Throttled(wait)) => {
            let e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Terlalu banyak percobaan",
                format!("terlalu banyak percobaan masuk yang gagal; coba lagi dalam {wait} detik"),
            );
            let mut r = e.error_response();
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(wait));
            return Ok(r);
        }
        // One message for every failure: it must not tell which part was wrong.
        Err(Refused::Wrong) => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "Gagal masuk",
                "nama pengguna atau kata sandi salah, atau akun dinonaktifkan",
            ))
        }
    };
    let role = user.role()?;
    let token = state.keys.issue(
        user.id,
        &user.username,
        role,
        user.institution_id,
        user.token_version,
    );
    Ok(HttpResponse::Ok().json(LoginResponse {
        token,
        token_type: "Bearer",
        expires_in: crate::auth::token::LIFETIME_SECONDS.unsigned_abs(),
        role,
        institution_id: user.institution_id,
    }))
}

// ---- the gate ------------------------------------------------------------------

fn bearer(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

pub(crate) const PUBLIC: &[&str] = &["/api/v1/auth/login", "/api/v1/openapi.json"];

/// Every `/api/v1` call but sign-in carries a valid token of an enabled user
/// whose token version still matches. Who may do what is the core's to
/// decide (`app::policy`); the gate only says who is asking.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if PUBLIC.contains(&req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(ApiError::internal)?;
    let claims = bearer(&req)
        .and_then(|t| state.keys.verify(&t))
        .ok_or_else(unauthorized)?;
    let id: i64 = claims.sub.parse().map_err(|_| unauthorized())?;
    let principal = known(&state, id)
        .await?
        .filter(|k| k.token_version == claims.ver)
        .and_then(Known::enabled)
        .ok_or_else(unauthorized)?;
    req.extensions_mut().insert(principal.clone());
    let res = next.call(req).await?.map_into_boxed_body();
    match principal.entitled() {
        Some(entitled) => masked(res, entitled).await,
        None => Ok(res),
    }
}

/// The JSON body with the personal data the reader is not entitled to masked.
async fn masked(
    res: ServiceResponse<BoxBody>,
    entitled: crate::domain::privacy::Entitled,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !is_json {
        return Ok(res);
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| ApiError::internal())?;
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut v) => {
            crate::domain::privacy::mask(&mut v, entitled);
            serde_json::to_vec(&v).unwrap_or_default()
        }
        Err(_) => bytes.to_vec(),
    };
    let mut res = head.set_body(BoxBody::new(body));
    res.headers_mut().remove(header::CONTENT_LENGTH);
    Ok(ServiceResponse::new(req, res))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login);
}
