//! The HTTP API: thin handlers over the store, JSON in and out, errors as
//! problem+json.

pub(crate) mod agreements;
mod audit;
pub mod auth;
pub mod bodies;
pub(crate) mod documents;
mod drafts;
mod evidence;
pub mod extract;
pub(crate) mod feed;
mod input;
pub(crate) mod obligations;
pub mod openapi;
mod parties;
pub mod problem;
pub(crate) mod upload;
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
use crate::store::{DbConnection, Pool, PooledConn, StoreError};
pub use extract::ValidJson;
use problem::ApiError;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    /// One permit per pooled connection: requests queue here, first come
    /// first served, instead of as a crowd of blocking threads on the pool.
    db_slots: Arc<tokio::sync::Semaphore>,
    pub max_body: usize,
    /// The working-day calendar, followed across instances by its change stamp.
    calendar: SharedCalendar,
    /// Per view (what a reader sees): (as of, registry version, body) of its last dashboard.
    pub(crate) dashboards: Arc<tokio::sync::Mutex<DashboardViews>>,
    /// Matching agreement ids per list filter, with the registry version they were read at.
    pub(crate) matches: Arc<
        Mutex<
            std::collections::HashMap<crate::store::agreements::ListFilter, (i64, Arc<Vec<i64>>)>,
        >,
    >,
    /// Rendered page bodies that hold nothing of the session (the lists),
    /// per view, address and day, with the registry version they show.
    pub(crate) page_bodies: Arc<Mutex<std::collections::HashMap<PageKey, (i64, Arc<str>)>>>,
    pub documents: Arc<crate::documents::Renderer>,
    /// Signs and checks bearer tokens.
    pub keys: Arc<crate::auth::Keys>,
    pub(crate) throttle: Arc<auth::Throttle>,
    pub(crate) sessions: Arc<auth::Sessions>,
    /// The pages' sessions, as read at the sessions change stamp.
    pub(crate) visits: Arc<crate::web::Visits>,
    /// Browser origins allowed to call the API (CORS); empty: none.
    pub cors_origins: Arc<Vec<String>>,
    /// Longest term the consistency check accepts, in months.
    pub max_term_months: u32,
    /// `SEPAKAT_PUBLIC_URL` without a trailing slash; `None`: links are
    /// written with the scheme and host of the request.
    pub public_url: Option<Arc<str>>,
    /// The reminder scheduler this server runs, if it runs one.
    pub scheduler: Option<Arc<crate::reminders::SchedulerHealth>>,
    /// E-mail templates and the address their links start with, for the
    /// use cases that write an e-mail (invitations, returned uploads).
    pub letters: Arc<crate::reminders::Letters>,
    /// Sends what the outbox holds at once after such a use case (else the
    /// scheduler's next tick does); `None`: left to the scheduler.
    pub postman: Option<Arc<crate::reminders::Reminders>>,
    /// Where evidence files are kept.
    pub files: Arc<crate::files::FileStore>,
    /// The largest evidence file taken, in bytes.
    pub max_upload: u64,
    /// The reads of the change stamps that requests share ([`followed`]).
    follower: Arc<Follower>,
}

/// The change stamps as read for the requests in flight. Every signed-in
/// request needs stamps read after it arrived (so that what another
/// instance or the CLI committed before it is seen), and a read serves
/// every request that arrived before its query began: a request joins the
/// read that is on its way and has not begun its query yet, or starts one.
/// Under load one read serves a batch of requests, instead of each request
/// going through the database queue for the same two rows; reads overlap,
/// so none waits for another to end.
#[derive(Default)]
pub(crate) struct Follower {
    /// The read requests arriving now join (its number and its answer to
    /// come), until its query begins.
    open: Mutex<Option<(u64, StampsRead)>>,
    reads: std::sync::atomic::AtomicU64,
}

type StampsRead = tokio::sync::watch::Receiver<Option<Result<crate::store::db::Stamps, String>>>;

impl Follower {
    /// Read `n` begins its query: requests arriving from now on need another.
    fn close(&self, n: u64) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.as_ref().is_some_and(|(m, _)| *m == n) {
            *open = None;
        }
    }
}

/// The change stamps as read after this call began, with the calendar
/// brought up to them ([`AppState::follow`]); the read is shared with the
/// requests that arrive at the same time ([`Follower`]).
pub(crate) async fn followed(
    state: &web::Data<AppState>,
) -> Result<crate::store::db::Stamps, ApiError> {
    let follower = &state.follower;
    let mut read = {
        let mut open = follower.open.lock().unwrap_or_else(|p| p.into_inner());
        match &*open {
            Some((_, read)) => read.clone(),
            None => {
                let n = follower
                    .reads
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (tx, read) = tokio::sync::watch::channel(None);
                *open = Some((n, read.clone()));
                // Its own task: it ends and answers the others even when
                // the request that started it is dropped (its client left).
                // It takes a connection without queueing for a slot
                // (`db_slots`): the slots' line is made of the handlers of
                // the very requests that wait for it.
                let st = state.clone();
                actix_web::rt::spawn(async move {
                    let (f, pool) = (st.clone(), st.pool.clone());
                    let found = web::block(move || {
                        let mut conn = pool.get()?;
                        f.follower.close(n);
                        f.follow(&mut conn)
                    })
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.map_err(|e| e.to_string()));
                    st.follower.close(n);
                    let _ = tx.send(Some(found));
                });
                read
            }
        }
    };
    let found = read
        .wait_for(Option::is_some)
        .await
        .map_err(|_| StoreError::Unavailable("pembacaan penanda perubahan terputus".into()))?
        .clone();
    found
        .unwrap_or_else(|| Err("penanda perubahan tidak terbaca".into()))
        .map_err(|e| StoreError::Unavailable(e).into())
}

/// The working-day calendar as this instance last read it, with the change
/// stamp (`store::db::Stamps::calendar`) it was read at. Every request with
/// a user brings it up to the stamp first ([`AppState::follow`]), so a
/// holiday changed through another instance or the CLI counts from the
/// next request on.
#[derive(Clone, Default)]
pub(crate) struct SharedCalendar(Arc<RwLock<(Option<i64>, Arc<Calendar>)>>);

impl SharedCalendar {
    /// The calendar as of `stamp`: the one kept if it was read at that
    /// stamp, else read now over `c` and kept.
    pub(crate) fn at(&self, c: &mut DbConnection, stamp: i64) -> Result<Arc<Calendar>, StoreError> {
        if let Ok(slot) = self.0.read() {
            if slot.0 == Some(stamp) {
                return Ok(slot.1.clone());
            }
        }
        // Read after the stamp: what is kept is never older than its stamp.
        let cal = Arc::new(crate::store::holidays::calendar(c)?);
        if let Ok(mut slot) = self.0.write() {
            *slot = (Some(stamp), cal.clone());
        }
        Ok(cal)
    }

    /// The calendar as the database holds it now.
    pub(crate) fn current(&self, c: &mut DbConnection) -> Result<Arc<Calendar>, StoreError> {
        let stamp = crate::store::db::stamps(c)?.calendar;
        self.at(c, stamp)
    }

    fn latest(&self) -> Arc<Calendar> {
        self.0.read().map(|c| c.1.clone()).unwrap_or_default()
    }
}

/// A kept page body's key: what the reader sees, the page's address (path
/// and query) and the day it was computed for.
pub(crate) type PageKey = (crate::store::access::Visibility, String, chrono::NaiveDate);

pub(crate) type DashboardCache = (chrono::NaiveDate, i64, Arc<obligations::Dashboard>);
pub(crate) type DashboardViews =
    std::collections::HashMap<crate::store::access::Visibility, DashboardCache>;

impl AppState {
    /// Reads the holiday table once; each request follows its changes.
    pub fn new(pool: Pool, max_body: usize) -> Result<Self, StoreError> {
        let calendar = SharedCalendar::default();
        calendar.current(&mut *pool.get()?)?;
        Ok(AppState {
            db_slots: Arc::new(tokio::sync::Semaphore::new(pool.max_size() as usize)),
            pool,
            max_body,
            calendar,
            dashboards: Arc::default(),
            matches: Arc::default(),
            page_bodies: Arc::default(),
            documents: Arc::new(
                crate::documents::Renderer::new(None)
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?,
            ),
            max_term_months: crate::config::DEFAULT_MAX_TERM_MONTHS,
            keys: Arc::new(crate::auth::Keys::ephemeral()),
            throttle: Arc::default(),
            sessions: Arc::default(),
            visits: Arc::default(),
            cors_origins: Arc::default(),
            public_url: None,
            scheduler: None,
            letters: Arc::new(crate::reminders::Letters::built_in()),
            postman: None,
            files: Arc::new(
                crate::files::FileStore::open(
                    &std::env::temp_dir()
                        .join("sepakat-berkas")
                        .to_string_lossy(),
                )
                .map_err(StoreError::Unavailable)?,
            ),
            max_upload: crate::config::DEFAULT_MAX_UPLOAD,
            follower: Arc::default(),
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

    /// E-mail: the templates and link address of the use cases that write
    /// one, and the sender that delivers at once.
    pub fn with_mail(
        mut self,
        letters: crate::reminders::Letters,
        postman: Option<Arc<crate::reminders::Reminders>>,
    ) -> Self {
        self.letters = Arc::new(letters);
        self.postman = postman;
        self
    }

    /// The sender that delivers queued e-mail at once (tests give one that
    /// writes to their SMTP server).
    pub fn with_postman(mut self, postman: crate::reminders::Reminders) -> Self {
        self.postman = Some(Arc::new(postman));
        self
    }

    /// The built-in e-mail templates, with links to `public_url`.
    pub fn with_links_to(mut self, public_url: &str) -> Self {
        self.letters = Arc::new(crate::reminders::Letters {
            public_url: public_url.trim_end_matches('/').to_string(),
            ..crate::reminders::Letters::built_in()
        });
        self
    }

    pub fn with_upload_limit(mut self, max_upload: u64) -> Self {
        self.max_upload = max_upload;
        self
    }

    pub fn with_files(mut self, files: crate::files::FileStore, max_upload: u64) -> Self {
        self.files = Arc::new(files);
        self.max_upload = max_upload;
        self
    }

    /// Sends what the outbox holds now, off the request (after a use case
    /// queued an e-mail); a failure is left to the scheduler's retries.
    pub fn deliver(&self) {
        let Some(postman) = self.postman.clone() else {
            return;
        };
        let pool = self.pool.clone();
        let cal = self.calendar();
        actix_web::rt::spawn(async move {
            let sent = web::block(move || -> Result<(), StoreError> {
                // A busy database (another writer's turn) is tried again
                // shortly; what still fails is the scheduler's to retry.
                let mut last = Ok(());
                for attempt in 0..3 {
                    if attempt > 0 {
                        std::thread::sleep(std::time::Duration::from_millis(250));
                    }
                    let mut conn = pool.get()?;
                    last = postman
                        .send_due(&mut conn, crate::today_jakarta(), &cal)
                        .map(drop);
                    if last.is_ok() {
                        break;
                    }
                }
                last
            })
            .await;
            if let Ok(Err(e)) = sent {
                tracing::warn!(error = %e, "immediate delivery failed; the scheduler retries");
            }
        });
    }

    pub fn with_cors(mut self, origins: Vec<String>) -> Self {
        self.cors_origins = Arc::new(origins);
        self
    }

    pub fn with_scheduler(
        mut self,
        health: Option<Arc<crate::reminders::SchedulerHealth>>,
    ) -> Self {
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

    /// The calendar as of this request: followed when its user was
    /// authenticated ([`AppState::follow`]).
    pub fn calendar(&self) -> Arc<Calendar> {
        self.calendar.latest()
    }

    /// The calendar, for work that keeps what it computes under the registry
    /// version it read (the dashboards): followed over `c` after that read.
    pub(crate) fn calendars(&self) -> SharedCalendar {
        self.calendar.clone()
    }

    /// Follows the holiday table at once (after this instance's own edit).
    pub fn reload_calendar(&self) -> Result<(), StoreError> {
        self.calendar.current(&mut *self.pool.get()?).map(drop)
    }

    /// Brings what this instance keeps in memory up to the database's change
    /// stamps, which another instance or the CLI may have moved: the
    /// calendar is read again if it changed. The stamps are returned for the
    /// caller's own keeping (the gate's memory of users).
    pub(crate) fn follow(
        &self,
        c: &mut DbConnection,
    ) -> Result<crate::store::db::Stamps, StoreError> {
        let stamps = crate::store::db::stamps(c)?;
        self.calendar.at(c, stamps.calendar)?;
        Ok(stamps)
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

/// `limit`/`offset` of a list that is short enough to answer whole (the
/// accounts, the holiday table): checked like every list's when given, and
/// `None` when neither is.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Paging {
    /// Jumlah per halaman, 1-500 (bawaan: semua).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Lewati sekian yang pertama (bawaan 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

impl Paging {
    /// The items of the page asked for, or all of them.
    pub(crate) fn apply<T>(&self, items: Vec<T>) -> Result<Vec<T>, ApiError> {
        if self.limit.is_none() && self.offset.is_none() {
            return Ok(items);
        }
        let (limit, offset) = page(self.limit.or(Some(500)), self.offset)?;
        Ok(items
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect())
    }
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
pub(crate) async fn not_found(req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    if crate::web::is_page(req.path()) {
        return Err(crate::web::PageError::Api(ApiError::not_found(
            "Halaman ini tidak ada. Periksa alamatnya, atau kembali ke Beranda.",
        ))
        .into());
    }
    let methods = openapi::methods_at(req.path());
    if methods.is_empty() || methods.contains(&req.method().as_str()) {
        return Err(ApiError::not_found(
            "alamat API ini tidak ada; lihat README untuk daftar endpoint",
        )
        .into());
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
    // The pages share these extractors: there the same words come as a page.
    let answer = |e: ApiError, req: &HttpRequest| -> actix_web::Error {
        if crate::web::is_page(req.path()) {
            crate::web::PageError::Api(e).into()
        } else {
            e.into()
        }
    };
    cfg.app_data(web::QueryConfig::default().error_handler(move |e, req| {
        answer(
            ApiError::bad_request(format!("parameter query tidak valid: {e}")),
            req,
        )
    }))
    .app_data(web::PathConfig::default().error_handler(move |_, req| {
        answer(
            ApiError::not_found("alamat tidak ditemukan: id harus berupa angka"),
            req,
        )
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
            .configure(drafts::configure)
            .configure(obligations::configure)
            .configure(evidence::configure)
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
            .configure(crate::web::configure)
            .wrap(actix_web::middleware::Compress::default())
            .default_service(web::to(not_found))
    })
    .workers(workers)
    // Pages are written in several parts (headers, compressed chunks):
    // without this, Nagle's algorithm holds each next part until the client
    // acknowledges the last, which it delays up to 40 ms.
    .tcp_nodelay(true)
    .listen(listener)?
    .run();
    Ok(server)
}
