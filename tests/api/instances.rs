//! Several `serve` processes on one PostgreSQL database (issue 11, item 9),
//! and on one SQLite file:
//! started at the same moment on a new, unmigrated database they both come
//! up, with one admin and the seeds loaded once; then what a user does on
//! one instance is what the other shows — a changed agreement, a holiday
//! that moves a deadline, a password change that ends the old token, and
//! failed sign-ins counted across both.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{
    client_with, dashboard_total, example, example_numbered, free_port, get_with, login,
    login_response, retry_after, root, seed_files, send_with, sepakat, Db, TestDb, ADMIN_PASSWORD,
};

/// How many times two instances are started together on a new database.
const ROUNDS: usize = 5;

/// One running `sepakat serve` process, killed when dropped.
struct Instance {
    name: &'static str,
    child: Child,
    base: String,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Instance {
    fn output(&self) -> (String, String) {
        (
            std::fs::read_to_string(&self.stdout).unwrap_or_default(),
            std::fs::read_to_string(&self.stderr).unwrap_or_default(),
        )
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Waits until `/healthz` answers; a process that exits first fails the test.
    async fn ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(90);
        let client = reqwest::Client::new();
        loop {
            if let Some(status) = self.child.try_wait().expect("poll child") {
                let (out, err) = self.output();
                panic!(
                    "instance {} exited with {status} before answering\nstdout:\n{out}\nstderr:\n{err}",
                    self.name
                );
            }
            if let Ok(r) = client.get(self.url("/healthz")).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "instance {} did not answer in 90 s",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two `serve` processes on `database`, spawned at the same moment (two
/// threads released by one barrier), sharing the folder `dir` and so the
/// token secret file it will hold: nothing but the database and that file
/// is common to them.
/// `env` adds settings to both (where evidence files are kept, say).
fn start_two(database: &str, dir: &Path, env: &[(&str, String)]) -> (Instance, Instance) {
    let barrier = Arc::new(Barrier::new(2));
    let spawn = |name: &'static str| {
        let (barrier, database, dir) = (barrier.clone(), database.to_string(), dir.to_path_buf());
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        std::thread::spawn(move || {
            let port = free_port();
            let stdout = dir.join(format!("{name}.out"));
            let stderr = dir.join(format!("{name}.err"));
            let mut cmd = sepakat(&database);
            cmd.args(["serve", "--no-remind", "--workers", "2", "--bind"])
                .arg(format!("127.0.0.1:{port}"))
                .arg("--seeds")
                .arg(root().join("seeds"))
                .current_dir(&dir)
                .env("SEPAKAT_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .env("SEPAKAT_SECRET_FILE", dir.join("sepakat.secret"))
                .env("SEPAKAT_POOL_SIZE", "4")
                .env("RUST_LOG", "warn")
                .envs(env)
                .stdin(Stdio::null())
                .stdout(std::fs::File::create(&stdout).expect("stdout file"))
                .stderr(std::fs::File::create(&stderr).expect("stderr file"));
            barrier.wait();
            let child = cmd.spawn().expect("spawn sepakat serve");
            Instance {
                name,
                child,
                base: format!("http://127.0.0.1:{port}"),
                stdout,
                stderr,
            }
        })
    };
    let (a, b) = (spawn("a"), spawn("b"));
    (a.join().expect("spawn a"), b.join().expect("spawn b"))
}

/// What the two instances made of the new database: accounts, admins,
/// agreements, and agreements imported from the seeds.
fn first_start_rows(url: &str) -> (i64, i64, i64, i64) {
    use sepakat::store::schema::{agreements, audit_log, users};
    let pool = sepakat::store::connect(url, 1).expect("connect");
    let mut conn = pool.get().expect("connection");
    let c = &mut *conn;
    (
        users::table.count().get_result(c).expect("users"),
        users::table
            .filter(users::username.eq("admin"))
            .filter(users::role.eq("admin"))
            .count()
            .get_result(c)
            .expect("admins"),
        agreements::table.count().get_result(c).expect("agreements"),
        audit_log::table
            .filter(audit_log::actor.eq("sistem:seeds"))
            .filter(audit_log::action.eq("import"))
            .count()
            .get_result(c)
            .expect("audit"),
    )
}

/// Starts two instances together on a new database and checks what they
/// made of it: one admin, every seed once, each first-start step done by
/// exactly one of them. The database is a new PostgreSQL database, dropped
/// (with its connections) at the end, or a new SQLite file; the instances'
/// folder is another.
async fn started_together(
    kind: Db,
    env: &[(&str, String)],
) -> Option<(Instance, Instance, TestDb, tempfile::TempDir)> {
    let db = TestDb::new(kind)?;
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut a, mut b) = start_two(&db.url, dir.path(), env);
    a.ready().await;
    b.ready().await;
    let seeds = seed_files().len() as i64;
    let (accounts, admins, agreements, imported) = first_start_rows(&db.url);
    assert_eq!((accounts, admins), (1, 1), "one account, the admin");
    assert_eq!(agreements, seeds, "every seed agreement once");
    assert_eq!(imported, seeds, "the seeds imported by one instance only");
    let said = |needle: &str| {
        [&a, &b]
            .iter()
            .filter(|i| i.output().0.contains(needle))
            .count()
    };
    assert_eq!(said("Basis data kosong"), 1, "one instance loads the seeds");
    assert_eq!(
        said("Akun admin pertama dibuat"),
        1,
        "one instance creates the admin"
    );
    assert_eq!(said("Sepakat berjalan di"), 2, "both serve");
    // Dropped in this order: the processes before their database.
    Some((a, b, db, dir))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_postgres_database() {
    two_instances_share_one_database(Db::Postgres).await;
}

/// Not a deployment the README proposes, but two processes on one file (a
/// `serve` and a CLI command, or two `serve`) must hold the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_sqlite_file() {
    two_instances_share_one_database(Db::Sqlite).await;
}

async fn two_instances_share_one_database(kind: Db) {
    let mut last = None;
    for round in 0..ROUNDS {
        let Some(started) = started_together(kind, &[]).await else {
            return;
        };
        eprintln!("{kind:?} round {}: both instances up", round + 1);
        last = Some(started);
    }
    let Some((a, b, _db, _dir)) = last else {
        return;
    };
    writes_on_one_are_seen_on_the_other(&a, &b).await;
    holidays_on_one_move_deadlines_on_the_other(&a, &b).await;
    let report = crate::portal::pdf("Laporan semester, dua instansi", None);
    evidence_on_one_downloads_on_the_other(&a, &b, &report).await;
    a_password_change_on_one_ends_the_token_on_the_other(&a, &b).await;
    failed_sign_ins_count_across_both(&a, &b).await;
}

async fn admin_on(i: &Instance) -> reqwest::Client {
    client_with(
        &login(&i.base, "admin", ADMIN_PASSWORD)
            .await
            .unwrap_or_else(|| panic!("admin signs in on {}", i.name)),
    )
}

/// The id of the seed agreement the shared example is.
async fn example_id(client: &reqwest::Client, i: &Instance) -> i64 {
    let number = example()["parties"][0]["number"].clone();
    let (_, list) = get_with(client, i.url("/api/v1/agreements?limit=100")).await;
    for item in list["items"].as_array().expect("items") {
        let id = item["id"].as_i64().expect("id");
        let (_, a) = get_with(client, i.url(&format!("/api/v1/agreements/{id}"))).await;
        if a["parties"][0]["number"] == number {
            return id;
        }
    }
    panic!("the example is among the seeds");
}

async fn writes_on_one_are_seen_on_the_other(a: &Instance, b: &Instance) {
    // A token issued by one instance is good on the other: one secret.
    let token = login(&a.base, "admin", ADMIN_PASSWORD)
        .await
        .expect("admin on a");
    let on_b = client_with(&token);
    let on_a = admin_on(a).await;
    let id = example_id(&on_b, b).await;
    // B reads first, so whatever it keeps is of the old state.
    let (_, before) = get_with(&on_b, b.url(&format!("/api/v1/agreements/{id}"))).await;
    let (_, list) = get_with(&on_b, b.url("/api/v1/agreements?limit=1")).await;
    let (_, dash) = get_with(&on_b, b.url("/api/v1/dashboard")).await;
    let (total, counted) = (list["total"].as_i64().unwrap(), dashboard_total(&dash));

    let title = format!(
        "{} (diubah di instans A)",
        before["title"].as_str().unwrap()
    );
    let (s, _) = send_with(
        &on_a,
        reqwest::Method::PATCH,
        a.url(&format!("/api/v1/agreements/{id}")),
        &json!({"title": title}),
    )
    .await;
    assert_eq!(s, 200);
    let (_, after) = get_with(&on_b, b.url(&format!("/api/v1/agreements/{id}"))).await;
    assert_eq!(after["title"], json!(title), "B shows A's change at once");

    let doc = example_numbered("400.12/77/2025", "518/77/IX/2025");
    let (s, created) = send_with(
        &on_a,
        reqwest::Method::POST,
        a.url("/api/v1/agreements"),
        &doc,
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let (_, list) = get_with(&on_b, b.url("/api/v1/agreements?limit=1")).await;
    assert_eq!(
        list["total"].as_i64().unwrap(),
        total + 1,
        "B's list counts A's new agreement"
    );
    let (_, dash) = get_with(&on_b, b.url("/api/v1/dashboard")).await;
    assert_eq!(
        dashboard_total(&dash),
        counted + 1,
        "B's dashboard counts it too"
    );
}

async fn holidays_on_one_move_deadlines_on_the_other(a: &Instance, b: &Instance) {
    let (on_a, on_b) = (admin_on(a).await, admin_on(b).await);
    let id = example_id(&on_b, b).await;
    let due = |o: &Value| {
        o["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["key"] == "report:2026:1"))
            .map(|i| i["due_on"].clone())
            .unwrap_or(Value::Null)
    };
    let obligations = b.url(&format!(
        "/api/v1/agreements/{id}/obligations?as_of=2026-06-01"
    ));
    let dashboard = b.url("/api/v1/dashboard?as_of=2026-06-01");
    let next_report = |dash: &Value| {
        dash["next_deadlines"]
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .find(|i| i["agreement_id"] == json!(id) && i["key"] == "report:2026:1")
            })
            .map(|i| i["due_on"].clone())
            .unwrap_or(Value::Null)
    };
    // B reads (and keeps) its calendar and dashboard before A's change.
    let (_, o) = get_with(&on_b, obligations.clone()).await;
    assert_eq!(due(&o), "2026-07-14");
    let (_, dash) = get_with(&on_b, dashboard.clone()).await;
    assert_eq!(next_report(&dash), "2026-07-14", "{dash}");
    let (s, _) = send_with(
        &on_a,
        reqwest::Method::PUT,
        a.url("/api/v1/holidays/2026-07-03"),
        &json!({"kind": "cuti_bersama", "name": "Cuti Bersama Uji"}),
    )
    .await;
    assert_eq!(s, 200);
    let (_, o) = get_with(&on_b, obligations.clone()).await;
    assert_eq!(
        due(&o),
        "2026-07-15",
        "B counts working days with A's new holiday"
    );
    let (_, dash) = get_with(&on_b, dashboard.clone()).await;
    assert_eq!(
        next_report(&dash),
        "2026-07-15",
        "B's kept dashboard is not served"
    );
    let (_, listed) = get_with(
        &on_b,
        b.url("/api/v1/obligations?as_of=2026-06-01&kind=semester_report&limit=500"),
    )
    .await;
    let report = listed["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i["agreement_id"] == json!(id) && i["key"] == "report:2026:1")
        })
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(report["due_on"], "2026-07-15", "{listed}");

    let s = on_a
        .delete(a.url("/api/v1/holidays/2026-07-03"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(s, 204);
    let (_, o) = get_with(&on_b, obligations).await;
    assert_eq!(due(&o), "2026-07-14", "and without it once A deletes it");
    let (_, dash) = get_with(&on_b, dashboard).await;
    assert_eq!(next_report(&dash), "2026-07-14");
}

async fn a_password_change_on_one_ends_the_token_on_the_other(a: &Instance, b: &Instance) {
    let on_a = admin_on(a).await;
    let (s, user) = send_with(
        &on_a,
        reqwest::Method::POST,
        a.url("/api/v1/users"),
        &json!({"username": "kedua", "password": "sandi-kedua-123", "role": "admin"}),
    )
    .await;
    assert_eq!(s, 201, "{user}");
    let uid = user["id"].as_i64().unwrap();
    let token = login(&b.base, "kedua", "sandi-kedua-123")
        .await
        .expect("signs in on b");
    let on_b = client_with(&token);
    // B has just read the account: whatever it keeps is fresh.
    assert_eq!(
        get_with(&on_b, b.url("/api/v1/agreements?limit=1")).await.0,
        200
    );
    let (s, _) = send_with(
        &on_a,
        reqwest::Method::PATCH,
        a.url(&format!("/api/v1/users/{uid}")),
        &json!({"password": "sandi-kedua-456"}),
    )
    .await;
    assert_eq!(s, 200);
    let changed = Instant::now();
    loop {
        let (s, _) = get_with(&on_b, b.url("/api/v1/agreements?limit=1")).await;
        if s == 401 {
            break;
        }
        assert_eq!(s, 200);
        assert!(
            changed.elapsed() < Duration::from_secs(1),
            "the old token still works on B a second after the change on A"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("old token refused on B after {:?}", changed.elapsed());
    assert!(login(&b.base, "kedua", "sandi-kedua-123").await.is_none());
    assert!(login(&b.base, "kedua", "sandi-kedua-456").await.is_some());
}

async fn failed_sign_ins_count_across_both(a: &Instance, b: &Instance) {
    let attempt = |i: &Instance, password: &'static str| login_response(&i.base, "admin", password);
    for _ in 0..3 {
        assert_eq!(attempt(a, "salah-sandi-123").await.status(), 401);
    }
    for _ in 0..2 {
        assert_eq!(attempt(b, "salah-sandi-123").await.status(), 401);
    }
    for i in [a, b] {
        let r = attempt(i, "salah-sandi-123").await;
        assert_eq!(r.status(), 429, "the sixth attempt on {}", i.name);
        assert!((1..=900).contains(&retry_after(&r)));
        let body: Value = r.json().await.unwrap();
        assert!(body["detail"]
            .as_str()
            .unwrap()
            .starts_with("terlalu banyak percobaan masuk yang gagal"));
        // The lock is on the name: the right password waits as well.
        assert_eq!(attempt(i, ADMIN_PASSWORD).await.status(), 429);
    }
}

/// An evidence file uploaded through one instance is served by the other
/// (both keep files in the same store: the folder `berkas` they share, or
/// one bucket), and the other can accept the submission. Gives the file's
/// SHA-256.
async fn evidence_on_one_downloads_on_the_other(
    a: &Instance,
    b: &Instance,
    report: &[u8],
) -> String {
    let (ca, cb) = (admin_on(a).await, admin_on(b).await);
    let id = example_id(&ca, a).await;
    let (_, v) = get_with(&ca, a.url(&format!("/api/v1/agreements/{id}"))).await;
    let key = v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["kind"] == "semester_report"
                && matches!(
                    o["state"].as_str(),
                    Some("overdue" | "due_soon" | "pending")
                )
        })
        .and_then(|o| o["key"].as_str())
        .expect("an open semester report")
        .to_string();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(report.to_vec()).file_name("laporan.pdf"),
    );
    let r = ca
        .post(a.url(&format!(
            "/api/v1/agreements/{id}/obligations/{}/submissions",
            sepakat::domain::text::path_segment(&key)
        )))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: serde_json::Value = r.json().await.unwrap();
    let (sid, sha) = (
        v["id"].as_i64().unwrap(),
        v["sha256"].as_str().unwrap().to_string(),
    );
    let got = cb
        .get(b.url(&format!("/api/v1/files/{sha}")))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200, "B serves the file A stored");
    assert!(
        got.bytes().await.unwrap().as_ref() == report,
        "B serves the bytes A was given"
    );
    let (status, v) = crate::helpers::send_with(
        &cb,
        reqwest::Method::POST,
        b.url(&format!("/api/v1/agreements/{id}/submissions/{sid}/accept")),
        &serde_json::json!({"note": "diterima di B"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let (_, v) = get_with(&ca, a.url(&format!("/api/v1/agreements/{id}"))).await;
    let o = v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["key"] == key.as_str())
        .unwrap();
    assert_eq!(o["state"], "fulfilled", "A sees what B accepted: {o}");
    sha
}

/// Two instances keep evidence in one S3-compatible bucket (a moto server
/// on loopback, spoken to by the object_store S3 client over HTTP): a scan
/// larger than one multipart part, uploaded through A, lands in the bucket
/// under its hash in the configured prefix, nowhere on the instances' disk,
/// and B serves it byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_s3_bucket() {
    let Some(s3) = crate::s3::S3::start().await else {
        return;
    };
    let bucket = s3.bucket("sepakat-bersama").await;
    let env = s3.settings(&bucket, "dukcapil/berkas");
    let Some((a, b, _db, dir)) = started_together(Db::Sqlite, &env).await else {
        return;
    };
    // 12 MB: three parts of the store's 5 MB multipart upload.
    let report = crate::s3::large_pdf("Laporan semester, hasil pindai", 12 * 1024 * 1024);
    let sha = evidence_on_one_downloads_on_the_other(&a, &b, &report).await;
    let key = format!("dukcapil/berkas/{}/{}/{sha}", &sha[..2], &sha[2..4]);
    let stored = s3.objects(&bucket).await;
    assert_eq!(
        stored,
        vec![(key, report.len() as u64)],
        "the bucket holds the one file, whole, under its hash"
    );
    assert!(
        !dir.path().join("berkas").exists(),
        "nothing was written to the instances' folder"
    );
}
