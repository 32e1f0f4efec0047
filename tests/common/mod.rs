//! Test harness: the real server on a random port over a fresh database,
//! SQLite (a temp file) or PostgreSQL (a new database per test).

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use diesel::connection::SimpleConnection;
use diesel::Connection;
use serde_json::Value;

use sepakat::http::{self, AppState};
use sepakat::store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub database_url: String,
    pub client: reqwest::Client,
    pub pool: store::Pool,
    _tmp: Option<tempfile::TempDir>,
    pg_db: Option<String>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub mod routes;
pub mod smtp;

pub fn pg_base() -> String {
    std::env::var("SEPAKAT_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// A fresh PostgreSQL database, or None when PostgreSQL is not reachable
/// outside CI (under CI=true that is a failure).
pub fn fresh_pg_database() -> Option<(String, String)> {
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

pub const ADMIN_PASSWORD: &str = "sandi-admin-uji-123";

/// Signs in; the bearer token, or `None` when refused.
pub async fn login(base: &str, username: &str, password: &str) -> Option<String> {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .ok()?;
    if !r.status().is_success() {
        return None;
    }
    let v: Value = r.json().await.ok()?;
    v["token"].as_str().map(str::to_string)
}

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

impl TestApp {
    pub async fn spawn(db: Db) -> Option<TestApp> {
        Self::spawn_with(db, |s| s).await
    }

    /// Spawns with the application state adjusted first (CORS, keys…).
    pub async fn spawn_with(db: Db, adjust: impl FnOnce(AppState) -> AppState) -> Option<TestApp> {
        let (url, tmp, pg_db) = match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = dir.path().join("sepakat.db").display().to_string();
                (url, Some(dir), None)
            }
            Db::Postgres => {
                let (url, name) = fresh_pg_database()?;
                (url, None, Some(name))
            }
        };
        let pool = store::connect(&url, 4).expect("connect");
        {
            let mut conn = pool.get().expect("conn");
            store::migrate(&mut conn).expect("migrate");
        }
        {
            let mut conn = pool.get().expect("conn");
            let hash = sepakat::auth::password::hash(ADMIN_PASSWORD).unwrap();
            let name = sepakat::domain::account::Username::parse("admin").unwrap();
            store::users::create(
                &mut conn,
                &name,
                &hash,
                sepakat::domain::catalog::Role::Admin,
                None,
            )
            .expect("admin");
        }
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        let state = adjust(AppState::new(pool.clone(), 256 * 1024).expect("state"));
        let server = http::serve(listener, state, 2).expect("serve");
        tokio::spawn(server);
        let base = format!("http://127.0.0.1:{port}");
        let token = login(&base, "admin", ADMIN_PASSWORD)
            .await
            .expect("admin signs in");
        Some(TestApp {
            base,
            database_url: url,
            client: client_with(&token),
            pool,
            _tmp: tmp,
            pg_db,
        })
    }

    /// A client that signs its requests with `token`.
    pub fn client_for(&self, token: &str) -> reqwest::Client {
        client_with(token)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        read(r).await
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .client
            .request(method, self.url(path))
            .json(body)
            .send()
            .await
            .expect("request");
        read(r).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, body).await
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

    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> (u16, String, Value) {
        let r = self
            .client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request");
        let ct = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or("").to_string())
            .unwrap_or_default();
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

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_db {
            if let Ok(mut conn) =
                diesel::PgConnection::establish(&format!("{}/postgres", pg_base()))
            {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
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

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
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
    read_json(&root().join("seeds/pks-purbalingga-dinkopukm-2025.json"))
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

/// Runs an async test case once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($($case:ident),+ $(,)?) => {
        $(
            mod $case {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::common::TestApp::spawn($crate::common::Db::Sqlite).await.unwrap();
                    super::$case(app).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = $crate::common::TestApp::spawn($crate::common::Db::Postgres).await {
                        super::$case(app).await;
                    }
                }
            }
        )+
    };
}
