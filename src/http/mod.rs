//! The HTTP API: thin handlers over the store, JSON in and out, errors as
//! problem+json.

mod agreements;
mod audit;
pub mod auth;
pub mod bodies;
mod documents;
pub mod extract;
mod feed;
mod input;
mod obligations;
pub mod openapi;
mod parties;
pub mod problem;
mod users;

use std::net::TcpListener;
use std::sync::{Arc, Mutex, RwLock};

use actix_web::dev::Server;
use actix_web::http::{header, StatusCode};
use actix_web::{get, web, App, HttpRequest, HttpResponse, HttpServer};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

use crate::domain::calendar::Calendar;
use crate::store::{Pool, PooledConn, StoreError};
pub use extract::ValidJson;
use problem::ApiError;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    /// One permit per pooled connection: requests queue here, first come
    /// first served, instead of as a crowd of blocking threads on the pool.
    db_slots: Arc<tokio::sync::Semaphore>,
    pub max_body: usize,
    calendar: Arc<RwLock<Arc<Calendar>>>,
    /// Per view (what a reader sees): (as of, registry version, body) of its last dashboard.
    pub(crate) dashboards: Arc<tokio::sync::Mutex<DashboardViews>>,
    /// Matching agreement ids per list filter, with the registry version they were read at.
    pub(crate) matches: Arc<
        Mutex<
            std::collections::HashMap<crate::store::agreements::ListFilter, (i64, Arc<Vec<i64>>)>,
        >,
    >,
    pub documents: Arc<crate::documents::Renderer>,
    /// Signs and checks bearer tokens.
    pub keys: Arc<crate::auth::Keys>,
    pub(crate) throttle: Arc<auth::Throttle>,
    pub(crate) sessions: Arc<auth::Sessions>,
    /// Browser origins allowed to call the API (CORS); empty: none.
    pub cors_origins: Arc<Vec<String>>,
    /// Longest term the consistency check accepts, in months.
    pub max_term_months: u32,
    /// `SEPAKAT_PUBLIC_URL` without a trailing slash; `None`: links are
    /// written with the scheme and host of the request.
    pub public_url: Option<Arc<str>>,
    /// The reminder scheduler this server runs, if it runs one.
    pub scheduler: Option<Arc<crate::reminders::SchedulerHealth>>,
}

pub(crate) type DashboardCache = (chrono::NaiveDate, i64, Arc<obligations::Dashboard>);
pub(crate) type DashboardViews =
    std::collections::HashMap<crate::store::access::Visibility, DashboardCache>;

impl AppState {
    /// Reads the holiday table once; [`AppState::reload_calendar`] after edits.
    pub fn new(pool: Pool, max_body: usize) -> Result<Self, StoreError> {
        let cal = crate::store::holidays::calendar(&mut *pool.get()?)?;
        Ok(AppState {
            db_slots: Arc::new(tokio::sync::Semaphore::new(pool.max_size() as usize)),
            pool,
            max_body,
            calendar: Arc::new(RwLock::new(Arc::new(cal))),
            dashboards: Arc::default(),
            matches: Arc::default(),
            documents: Arc::new(
                crate::documents::Renderer::new(None)
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?,
            ),
            max_term_months: crate::config::DEFAULT_MAX_TERM_MONTHS,
            keys: Arc::new(crate::auth::Keys::ephemeral()),
            throttle: Arc::default(),
            sessions: Arc::default(),
            cors_origins: Arc::default(),
            public_url: None,
            scheduler: None,
        })
    }

    /// The public address links (the calendar subscription) are written
    /// with; it must be an http(s) URL.
    pub fn with_public_url(mut self, url: Option<&str>) -> Result<Self, String> {
        self.public_url = match url.map(|u| u.trim().trim_end_matches('/')) {
            None | Some("") => None,
            Some(u)
                if (u.starts_with("http://") || u.starts_with("https://"))
                    && u.split_once("://").is_some_and(|(_, host)| !host.is_empty())
                    && !u.chars().any(|c| c.is_whitespace() || c == '?' || c == '#') =>
            {
                Some(Arc::from(u))
            }
            Some(u) => {
                return Err(format!(
                    "SEPAKAT_PUBLIC_URL '{u}' tidak valid: tulis alamat lengkap dengan http:// atau https://, mis. https://sepakat.dukcapil.example.go.id"
                ))
            }
        };
        Ok(self)
    }

    pub fn with_cors(mut self, origins: Vec<String>) -> Self {
        self.cors_origins = Arc::new(origins);
        self
    }

    pub fn with_scheduler(mut self, health: Option<Arc<crate::reminders::SchedulerHealth>>) -> Self {
        self.scheduler = health;
        self
    }

    pub fn with_keys(mut self, keys: crate::auth::Keys) -> Self {
        self.keys = Arc::new(keys);
        self
    }

    /// Document templates from `templates_dir/documents/` over the built-in ones.
    pub fn with_documents(
        mut self,
        templates_dir: Option<&std::path::Path>,
        max_term_months: u32,
    ) -> Result<Self, String> {
        self.documents =
            Arc::new(crate::documents::Renderer::new(templates_dir).map_err(|e| e.to_string())?);
        self.max_term_months = max_term_months;
        Ok(self)
    }

    pub fn calendar(&self) -> Arc<Calendar> {
        self.calendar.read().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn reload_calendar(&self) -> Result<(), StoreError> {
        let cal = crate::store::holidays::calendar(&mut *self.pool.get()?)?;
        if let Ok(mut slot) = self.calendar.write() {
            *slot = Arc::new(cal);
        }
        Ok(())
    }
}

/// Runs blocking store work on the thread pool with a pooled connection.
pub async fn db<T, F>(state: &web::Data<AppState>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut PooledConn) -> Result<T, StoreError> + Send + 'static,
{
    blocking(state, f).await
}

/// Runs a use case of the core on a pooled connection, off the async workers.
pub async fn run<T, F>(state: &web::Data<AppState>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut PooledConn) -> Result<T, crate::app::AppError> + Send + 'static,
{
    blocking(state, f).await
}

async fn blocking<T, E, F>(state: &web::Data<AppState>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    E: From<StoreError> + Into<ApiError> + Send + 'static,
    F: FnOnce(&mut PooledConn) -> Result<T, E> + Send + 'static,
{
    let pool = state.pool.clone();
    // The semaphore is never closed, so acquiring cannot fail.
    let _slot = state.db_slots.acquire().await.ok();
    let r = web::block(move || {
        let mut conn = pool.get().map_err(StoreError::from)?;
        f(&mut conn)
    })
    .await?;
    r.map_err(Into::into)
}

pub(crate) fn page(limit: Option<i64>, offset: Option<i64>) -> Result<(i64, i64), ApiError> {
    let limit = limit.unwrap_or(50);
    let offset = offset.unwrap_or(0);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_request("limit harus antara 1 dan 500"));
    }
    if !(0..=10_000_000).contains(&offset) {
        return Err(ApiError::bad_request("offset harus antara 0 dan 10000000"));
    }
    Ok((limit, offset))
}

/// Server dan basis data menjawab.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
    /// Penjadwal pengingat, bila server ini menjalankannya (`serve` tanpa `--no-remind`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduler: Option<crate::reminders::SchedulerStatus>,
}

#[utoipa::path(
    tag = "system", operation_id = "healthz",
    summary = "Kesehatan layanan",
    description = "200 bila basis data menjawab. Tidak memerlukan token.",
    responses(
        (status = 200, description = "Layanan dan basis data menjawab", body = Health,
            example = json!({"status": "ok"})),
        (status = 503, response = openapi::Unavailable),
    )
)]
#[get("/healthz")]
async fn healthz(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    db(&state, |conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("SELECT 1").map_err(StoreError::from)
    })
    .await?;
    Ok(web::Json(Health {
        status: "ok",
        scheduler: state.scheduler.as_ref().map(|h| h.status()),
    }))
}

/// An address no route takes: 405 with `Allow` when the document serves
/// the path with other methods, else 404.
pub(crate) async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let methods = openapi::methods_at(req.path());
    if methods.is_empty() || methods.contains(&req.method().as_str()) {
        return Err(ApiError::not_found(
            "alamat API ini tidak ada; lihat README untuk daftar endpoint",
        ));
    }
    let allow = methods.join(", ");
    let e = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Metode tidak diizinkan",
        format!(
            "metode {} tidak tersedia untuk alamat ini; yang tersedia: {allow}",
            req.method()
        ),
    );
    let mut r = actix_web::ResponseError::error_response(&e);
    if let Ok(v) = header::HeaderValue::from_str(&allow) {
        r.headers_mut().insert(header::ALLOW, v);
    }
    Ok(r)
}

/// Every route, each registered once with its OpenAPI operation: the
/// server and the document (`openapi::document`) are both built from here.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.app_data(web::QueryConfig::default().error_handler(|e, _| {
        ApiError::bad_request(format!("parameter query tidak valid: {e}")).into()
    }))
    .app_data(web::PathConfig::default().error_handler(|_, _| {
        ApiError::not_found("alamat tidak ditemukan: id harus berupa angka").into()
    }))
    .service(healthz)
    .service(openapi::docs_page)
    .configure(feed::configure_public)
    .service(
        scope::scope("/api/v1")
            .wrap(actix_web::middleware::from_fn(auth::authenticate))
            .configure(auth::configure)
            .configure(audit::configure)
            .configure(feed::configure_api)
            .configure(users::configure)
            .configure(parties::configure)
            .configure(agreements::configure)
            .configure(documents::configure)
            .configure(obligations::configure)
            .configure(openapi::configure),
    );
}

/// Starts the server on an already bound listener (tests bind port 0).
pub fn serve(listener: TcpListener, state: AppState, workers: usize) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        // Off unless origins are configured: no CORS header at all then.
        let origins = data.cors_origins.clone();
        let cors = origins
            .iter()
            .fold(actix_cors::Cors::default(), |c, o| c.allowed_origin(o))
            .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
            .allowed_headers([actix_web::http::header::AUTHORIZATION, actix_web::http::header::CONTENT_TYPE])
            .max_age(3600);
        App::new()
            .wrap(actix_web::middleware::Condition::new(!origins.is_empty(), cors))
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "no-referrer"))
                    .add(("Cache-Control", "no-store"))
                    .add((
                        "Content-Security-Policy",
                        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
                    )),
            )
            .wrap(actix_web::middleware::from_fn(input::query_text))
            .app_data(data.clone())
            .into_utoipa_app()
            .configure(configure)
            .into_app()
            .default_service(web::to(not_found))
    })
    .workers(workers)
    .listen(listener)?
    .run();
    Ok(server)
}
