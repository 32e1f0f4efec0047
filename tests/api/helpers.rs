//! Test harness: the real server on a random port over a fresh database,
//! SQLite (a temp file) or PostgreSQL (a new database per test); the
//! `sepakat` binary run on such a database; and the helpers the test
//! modules share.
//!
//! Every test of this binary runs in the same process, on threads of its
//! own: nothing here sets an environment variable, and the one state shared
//! between tests is the counter that names PostgreSQL databases. What a
//! server or a command needs is passed to it (the app state, the child's
//! own environment).

use std::ffi::OsStr;
use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use diesel::connection::SimpleConnection;
use diesel::Connection;
use serde_json::{json, Value};

use sepakat::domain::{account::Username, catalog::Role};
use sepakat::http::{self, AppState};
use sepakat::store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs each named test case once on SQLite and once on PostgreSQL, as
/// two tests `case::sqlite` and `case::postgres`.
///
/// `on_both!(a, b)`: each case is `async fn(TestApp)`, given a server over
/// a fresh database. `on_both!(by_kind: a, b)`: each case is `fn(Db)` and
/// makes what it needs itself (a [`TestDb`], the `sepakat` binary).
/// `on_both!(spawns: a, b)`: each case is `async fn(Db)` and spawns its
/// server itself ([`TestApp::spawn_with`], for a server configured apart).
/// Without a reachable PostgreSQL outside CI the PostgreSQL variant passes
/// without running ([`TestDb::new`]).
macro_rules! on_both {
    (spawns: $($case:ident),+ $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$case($crate::helpers::Db::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$case($crate::helpers::Db::Postgres).await
            }
        }
    )+};
    (by_kind: $($case:ident),+ $(,)?) => {$(
        mod $case {
            #[test]
            fn sqlite() {
                super::$case($crate::helpers::Db::Sqlite)
            }
            #[test]
            fn postgres() {
                super::$case($crate::helpers::Db::Postgres)
            }
        }
    )+};
    ($($case:ident),+ $(,)?) => {$(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::helpers::TestApp::spawn($crate::helpers::Db::Sqlite)
                    .await
                    .unwrap();
                super::$case(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::helpers::TestApp::spawn($crate::helpers::Db::Postgres).await
                {
                    super::$case(app).await;
                }
            }
        }
    )+};
}
pub(crate) use on_both;

// ---- databases ------------------------------------------------------------------

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn pg_base() -> String {
    std::env::var("SEPAKAT_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// A fresh PostgreSQL database (url, name), or None when PostgreSQL is not
/// reachable outside CI (under CI=true that is a failure).
fn fresh_pg_database() -> Option<(String, String)> {
    let admin = format!("{}/postgres", pg_base());
    let mut conn = match diesel::PgConnection::establish(&admin) {
        Ok(c) => c,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("PostgreSQL is required under CI=true but is not reachable at {admin}: {e}");
            }
            eprintln!("skipping PostgreSQL variant: {e}");
            return None;
        }
    };
    // Unique within this process (the counter) and across processes.
    let name = format!(
        "sepakat_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    conn.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create test database");
    Some((format!("{}/{name}", pg_base()), name))
}

/// A fresh, empty database for one test, with a temporary folder of its
/// own (the SQLite file, and whatever else the test writes: outboxes,
/// imported files, rendered documents). Dropped, the folder is removed and
/// the PostgreSQL database dropped with its connections.
pub struct TestDb {
    pub url: String,
    dir: tempfile::TempDir,
    pg_name: Option<String>,
}

impl TestDb {
    /// None only for PostgreSQL when it is not reachable outside CI.
    pub fn new(kind: Db) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("tempdir");
        let (url, pg_name) = match kind {
            Db::Sqlite => (dir.path().join("sepakat.db").display().to_string(), None),
            Db::Postgres => {
                let (url, name) = fresh_pg_database()?;
                (url, Some(name))
            }
        };
        Some(TestDb { url, dir, pg_name })
    }

    /// The test's own temporary folder.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A pool of one connection, for what a test reads or writes directly.
    pub fn pool(&self) -> store::Pool {
        store::connect(&self.url, 1).expect("connect")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = &self.pg_name else { return };
        if let Ok(mut conn) = diesel::PgConnection::establish(&format!("{}/postgres", pg_base())) {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Runs SQL statements as they are, on either backend.
pub fn execute_sql(pool: &store::Pool, sql: &str) {
    let mut conn = pool.get().expect("connection");
    match &mut *conn {
        store::DbConnection::Sqlite(c) => c.batch_execute(sql),
        store::DbConnection::Postgres(c) => c.batch_execute(sql),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

// ---- the server -----------------------------------------------------------------

pub const ADMIN_PASSWORD: &str = "sandi-admin-uji-123";

/// A server of its own on a random port, over a fresh database with one
/// account, `admin`, whose client [`TestApp::client`] is.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub pool: store::Pool,
    /// The app's database (last: dropped after the pool).
    pub db: TestDb,
}

impl TestApp {
    pub async fn spawn(db: Db) -> Option<TestApp> {
        Self::spawn_with(db, |s| s).await
    }

    /// Spawns with the application state adjusted first (CORS, keys…).
    pub async fn spawn_with(db: Db, adjust: impl FnOnce(AppState) -> AppState) -> Option<TestApp> {
        let db = TestDb::new(db)?;
        let pool = store::connect(&db.url, 4).expect("connect");
        {
            let mut conn = pool.get().expect("conn");
            store::migrate(&mut conn).expect("migrate");
        }
        {
            let mut conn = pool.get().expect("conn");
            let hash = sepakat::auth::password::hash(ADMIN_PASSWORD).unwrap();
            let name = Username::parse("admin").unwrap();
            store::users::create(&mut conn, &name, &hash, Role::Admin, None).expect("admin");
        }
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        let base = format!("http://127.0.0.1:{port}");
        let files = sepakat::files::FileStore::open(&db.dir().join("berkas").to_string_lossy())
            .expect("the evidence folder");
        let state = AppState::new(pool.clone(), 256 * 1024)
            .expect("state")
            .with_links_to(&base)
            .with_files(files, sepakat::config::DEFAULT_MAX_UPLOAD);
        let state = adjust(state);
        let server = http::serve(listener, state, 2).expect("serve");
        tokio::spawn(server);
        let token = login(&base, "admin", ADMIN_PASSWORD)
            .await
            .expect("admin signs in");
        Some(TestApp {
            base,
            client: client_with(&token),
            pool,
            db,
        })
    }

    /// A client that signs its requests with `token`.
    pub fn client_for(&self, token: &str) -> reqwest::Client {
        client_with(token)
    }

    /// Adds an account straight to the database (no API call), with the
    /// password [`password_of`] gives it; its id.
    pub fn add_user(&self, name: &str, role: Role, institution: Option<i64>) -> i64 {
        let mut conn = self.pool.get().unwrap();
        let hash = sepakat::auth::password::hash(&password_of(name)).unwrap();
        store::users::create(
            &mut conn,
            &Username::parse(name).unwrap(),
            &hash,
            role,
            institution,
        )
        .unwrap()
    }

    /// The token of an account [`TestApp::add_user`] added.
    pub async fn token_of(&self, name: &str) -> String {
        login(&self.base, name, &password_of(name))
            .await
            .unwrap_or_else(|| panic!("{name} signs in"))
    }

    /// A client signed in as an account [`TestApp::add_user`] added.
    pub async fn client_of(&self, name: &str) -> reqwest::Client {
        client_with(&self.token_of(name).await)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        get_with(&self.client, self.url(path)).await
    }

    /// A page (or an export) as a browser signed in with `cookie` gets it:
    /// its status and its text.
    pub async fn page(&self, cookie: &str, path: &str) -> (u16, String) {
        let r = reqwest::Client::new()
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> (u16, Value) {
        send_with(&self.client, method, self.url(path), body).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, path, body).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::PATCH, path, body).await
    }

    pub async fn delete(&self, path: &str) -> u16 {
        self.client
            .delete(self.url(path))
            .send()
            .await
            .expect("request")
            .status()
            .as_u16()
    }

    /// GET as the admin, the body as it is.
    pub async fn fetch(&self, path: &str) -> Fetched {
        fetch_with(&self.client, self.url(path)).await
    }

    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> (u16, String, Value) {
        let r = self
            .client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request");
        let ct = header_of(&r, "content-type");
        let (status, v) = read(r).await;
        (status, ct, v)
    }

    /// How many rows the main tables hold, to prove a refusal wrote nothing.
    pub async fn counts(&self) -> (i64, i64, i64) {
        let (_, a) = self.get("/api/v1/agreements?limit=1").await;
        let (_, i) = self.get("/api/v1/institutions?limit=1").await;
        let (_, p) = self.get("/api/v1/people?limit=1").await;
        (
            a["total"].as_i64().unwrap(),
            i["total"].as_i64().unwrap(),
            p["total"].as_i64().unwrap(),
        )
    }
}

// ---- HTTP -----------------------------------------------------------------------

/// The password [`TestApp::add_user`] gives an account.
pub fn password_of(name: &str) -> String {
    format!("{name}-sandi-123")
}

/// The answer to a sign-in, as it comes (no token). The request is made
/// at once, so the future borrows nothing (closures may return it).
pub fn login_response(
    base: &str,
    username: &str,
    password: &str,
) -> impl Future<Output = reqwest::Response> {
    let pending = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send();
    async move { pending.await.expect("request") }
}

/// Signs in; the bearer token, or `None` when refused.
pub async fn login(base: &str, username: &str, password: &str) -> Option<String> {
    let r = login_response(base, username, password).await;
    if !r.status().is_success() {
        return None;
    }
    let v: Value = r.json().await.ok()?;
    v["token"].as_str().map(str::to_string)
}

/// A client that signs its requests with `token`.
pub fn client_with(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

/// GET with `client`: (status, the body as JSON, as a string when it is
/// not JSON, null when empty). The request is made at once, so the future
/// borrows nothing (closures may return it).
pub fn get_with(client: &reqwest::Client, url: String) -> impl Future<Output = (u16, Value)> {
    let pending = client.get(url).send();
    async move { read(pending.await.expect("request")).await }
}

/// A request with a JSON body: (status, the body as [`get_with`] reads it).
pub fn send_with(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: &Value,
) -> impl Future<Output = (u16, Value)> {
    let pending = client.request(method, url).json(body).send();
    async move { read(pending.await.expect("request")).await }
}

async fn read(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, v)
}

/// A response read whole, for bodies that are not JSON (documents,
/// calendars).
pub struct Fetched {
    pub status: u16,
    pub content_type: String,
    pub disposition: String,
    pub body: Vec<u8>,
}

impl Fetched {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// GET `url` with `client` (a plain `reqwest::Client::new()` for a request
/// without a token).
pub async fn fetch_with(client: &reqwest::Client, url: String) -> Fetched {
    let r = client.get(url).send().await.expect("request");
    Fetched {
        status: r.status().as_u16(),
        content_type: header_of(&r, "content-type"),
        disposition: header_of(&r, "content-disposition"),
        body: r.bytes().await.expect("body").to_vec(),
    }
}

fn header_of(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// The seconds a refusal (429) asks to wait: its Retry-After.
pub fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers()["retry-after"]
        .to_str()
        .expect("Retry-After is text")
        .parse()
        .expect("Retry-After is whole seconds")
}

/// The number of agreements a dashboard counts, over every status.
pub fn dashboard_total(dash: &Value) -> u64 {
    dash["agreements"]
        .as_object()
        .map(|m| m.values().filter_map(Value::as_u64).sum())
        .unwrap_or_default()
}

/// A port nothing listens on now, for a server started as a process.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

// ---- the command line -----------------------------------------------------------

/// The variables `sepakat` reads its settings from (src/config.rs, the
/// clap `env` of src/cli): a child gets none of them from whoever runs the
/// tests, only those its test gives it.
const SETTINGS: &[&str] = &[
    "DATABASE_URL",
    "SEPAKAT_BIND",
    "SEPAKAT_SEEDS",
    "SEPAKAT_POOL_SIZE",
    "SEPAKAT_MAX_BODY",
    "SMTP_URL",
    "SEPAKAT_OUTBOX",
    "SEPAKAT_MAIL_FROM",
    "SEPAKAT_REMIND_HOUR",
    "SEPAKAT_TEMPLATES",
    "SEPAKAT_MAX_TERM_MONTHS",
    "SEPAKAT_ADMIN_PASSWORD",
    "SEPAKAT_JWT_SECRET",
    "SEPAKAT_CORS_ORIGINS",
    "SEPAKAT_PUBLIC_URL",
    "SEPAKAT_SECRET_FILE",
    "SEPAKAT_FILES",
    "SEPAKAT_MAX_UPLOAD",
    // What the S3 client of an `s3://` SEPAKAT_FILES reads.
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT",
    "AWS_ENDPOINT_URL",
    "AWS_ALLOW_HTTP",
];

/// The `sepakat` binary Cargo built for these tests, on `database`, with
/// errors-only logging and no other setting than those the caller adds.
pub fn sepakat(database: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sepakat"));
    for var in SETTINGS {
        cmd.env_remove(var);
    }
    // A small pool: r2d2 opens every connection at start, and eight
    // parallel imports at the PostgreSQL default (12 each) beside the other
    // tests would pass the server's 100 connections. A test may set more.
    cmd.env("DATABASE_URL", database)
        .env("RUST_LOG", "error")
        .env("SEPAKAT_POOL_SIZE", "2");
    cmd
}

/// Runs `sepakat args` on `database` to its end.
pub fn run(database: impl AsRef<OsStr>, args: &[&str]) -> Output {
    sepakat(database).args(args).output().expect("run sepakat")
}

/// Asserts that a command succeeded, showing its stderr if not; its stdout.
#[track_caller]
pub fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

// ---- files ----------------------------------------------------------------------

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
}

/// The seed agreement files (`seeds/*.json`), in order.
pub fn seed_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("seeds"))
        .expect("seeds")
        .map(|e| e.expect("seed file").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// One seed agreement, by its file name.
pub fn seed(file: &str) -> Value {
    read_json(&root().join("seeds").join(file))
}

/// The shared example as it is published (kept in the fixtures): as its
/// paper reads, without the e-mail addresses the seed copy adds.
pub fn published_example() -> Value {
    read_json(&root().join("tests/fixtures/pks-purbalingga-dinkopukm-2025.json"))
}

/// Every agreement file the project ships or is given: `seeds/` and the
/// shared examples, PKS before adenda.
pub fn agreement_files() -> Vec<PathBuf> {
    let mut files = vec![];
    // The seeds, and the shared example as it is published (kept in the fixtures).
    for dir in [root().join("seeds"), root().join("tests/fixtures")] {
        if let Ok(rd) = std::fs::read_dir(&dir) {
            files.extend(
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .filter(|p| {
                        p.file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with("pks-"))
                    }),
            );
        }
    }
    files.sort();
    files
}

pub fn example() -> Value {
    seed("pks-purbalingga-dinkopukm-2025.json")
}

/// The example with other numbers: another agreement between the same
/// two offices.
pub fn example_numbered(first: &str, second: &str) -> Value {
    let mut doc = example();
    doc["parties"][0]["number"] = json!(first);
    doc["parties"][1]["number"] = json!(second);
    doc
}

/// `expected` is contained in `actual`: every key with an equal value,
/// arrays element by element; `actual` may hold more keys (ids, status).
pub fn assert_contains(actual: &Value, expected: &Value, at: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                let inner = a.get(k).unwrap_or_else(|| panic!("missing {at}/{k}"));
                assert_contains(inner, v, &format!("{at}/{k}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "length of {at}");
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                assert_contains(av, ev, &format!("{at}/{i}"));
            }
        }
        (e, a) => assert_eq!(a, e, "value at {at}"),
    }
}
