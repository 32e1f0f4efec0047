//! Sign-in and tokens: who gets in, what each role may write, and that a
//! bad token never does.

use std::process::Stdio;

use sepakat::domain::catalog::Role;
use serde_json::{json, Value};

use crate::helpers::{
    client_with, dashboard_total, example, example_numbered, execute_sql, get_with, login,
    login_response, on_both, retry_after, sepakat, succeeded, Db, TestApp, ADMIN_PASSWORD,
};

on_both!(
    a_write_without_its_audit_row_is_rolled_back,
    concurrent_writes_each_get_their_own_row,
    cli_and_api_write_the_same_row,
    sign_in_gives_a_token_and_refuses_with_one_message,
    bad_tokens_are_refused,
    password_change_and_disable_end_tokens,
    repeated_failures_are_throttled,
    roles_hold_writes_to_their_office,
    responses_carry_security_headers,
    legal_staff_create_agreements_for_their_office_only,
    every_write_is_on_record,
    personal_data_is_masked_for_whom_it_is_not_due,
    each_office_sees_only_its_agreements,
    accounts_over_the_api,
);

async fn status_with(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<&Value>,
) -> u16 {
    let mut r = client.request(method, url);
    if let Some(b) = body {
        r = r.json(b);
    }
    r.send().await.unwrap().status().as_u16()
}

async fn sign_in_gives_a_token_and_refuses_with_one_message(app: TestApp) {
    let anonymous = reqwest::Client::new();
    let r = login_response(&app.base, "ADMIN", ADMIN_PASSWORD).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 8 * 3600);
    assert_eq!(body["role"], "admin");
    let mut details = vec![];
    for (user, pass) in [
        ("admin", "salah-sandi-123"),
        ("tidak-ada", "salah-sandi-123"),
        ("admin", ""),
    ] {
        let r = login_response(&app.base, user, pass).await;
        assert_eq!(r.status(), 401);
        let v: Value = r.json().await.unwrap();
        details.push(v["detail"].as_str().unwrap().to_string());
    }
    assert!(
        details.windows(2).all(|w| w[0] == w[1]),
        "one message for every failure: {details:?}"
    );
    // Malformed sign-in bodies are 400/422, not 500.
    let r = anonymous
        .post(app.url("/api/v1/auth/login"))
        .body("{")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = anonymous
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // Without a token nothing under /api/v1 answers; /healthz does.
    let r = anonymous
        .get(app.url("/api/v1/agreements"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(
        anonymous
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

async fn bad_tokens_are_refused(app: TestApp) {
    let token = login(&app.base, "admin", ADMIN_PASSWORD).await.unwrap();
    let url = app.url("/api/v1/agreements");
    let mut tampered = token.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    // Same claims, signed with another secret.
    let foreign = sepakat::auth::Keys::ephemeral().issue(1, "admin", Role::Admin, None, 0);
    // An expired token signed with the right secret cannot be made without
    // it; a token whose payload claims a later expiry fails its signature.
    let parts: Vec<&str> = token.split('.').collect();
    let forged_payload = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut claims: Value = serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
        claims["exp"] = json!(claims["exp"].as_i64().unwrap() + 3600);
        claims["role"] = json!("admin");
        format!(
            "{}.{}.{}",
            parts[0],
            engine.encode(serde_json::to_vec(&claims).unwrap()),
            parts[2]
        )
    };
    for bad in [
        tampered,
        foreign,
        forged_payload,
        "bukan-token".to_string(),
        String::new(),
    ] {
        let s = status_with(&client_with(&bad), reqwest::Method::GET, url.clone(), None).await;
        assert_eq!(s, 401, "token {bad:?}");
    }
    let r = reqwest::Client::new()
        .get(&url)
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "only the Bearer scheme");
    assert_eq!(
        status_with(&client_with(&token), reqwest::Method::GET, url, None).await,
        200
    );
}

async fn password_change_and_disable_end_tokens(app: TestApp) {
    let id = app.add_user("pembaca", Role::Viewer, Some(seed_office(&app).await));
    let token = app.token_of("pembaca").await;
    let client = client_with(&token);
    let url = app.url("/api/v1/agreements");
    assert_eq!(
        status_with(&client, reqwest::Method::GET, url.clone(), None).await,
        200
    );
    {
        let mut conn = app.pool.get().unwrap();
        let hash = sepakat::auth::password::hash("sandi-baru-yang-panjang").unwrap();
        sepakat::store::users::set_password(&mut conn, id, &hash).unwrap();
    }
    // Changed outside the server (as the CLI does): the gate trusts what it
    // read for at most a second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        status_with(&client, reqwest::Method::GET, url.clone(), None).await,
        401,
        "old token after a password change"
    );
    let fresh = login(&app.base, "pembaca", "sandi-baru-yang-panjang")
        .await
        .unwrap();
    assert_eq!(
        status_with(
            &client_with(&fresh),
            reqwest::Method::GET,
            url.clone(),
            None
        )
        .await,
        200
    );
    {
        let mut conn = app.pool.get().unwrap();
        let u = sepakat::store::users::get(&mut conn, id).unwrap();
        sepakat::store::users::update(&mut conn, id, Role::Viewer, u.institution_id, true).unwrap();
    }
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        status_with(&client_with(&fresh), reqwest::Method::GET, url, None).await,
        401,
        "disabled"
    );
    assert!(login(&app.base, "pembaca", "sandi-baru-yang-panjang")
        .await
        .is_none());
}

async fn repeated_failures_are_throttled(app: TestApp) {
    let attempt = |password: &'static str| login_response(&app.base, "admin", password);
    for _ in 0..5 {
        assert_eq!(attempt("salah-sandi-123").await.status(), 401);
    }
    let r = attempt("salah-sandi-123").await;
    assert_eq!(r.status(), 429);
    assert!((1..=900).contains(&retry_after(&r)));
    // Even the right password waits: the lock is on the name, not the guess.
    assert_eq!(attempt(ADMIN_PASSWORD).await.status(), 429);
}

/// The Dukcapil office of the example agreement, created by importing it.
async fn seed_office(app: &TestApp) -> i64 {
    let (s, a) = app.post("/api/v1/agreements", &example()).await;
    if s == 201 {
        return a["parties"][0]["institution"]["id"].as_i64().unwrap();
    }
    let (_, list) = app.get("/api/v1/agreements?limit=1").await;
    list["items"][0]["first_institution_id"]
        .as_i64()
        .unwrap_or(1)
}

/// The example as another office has it: the Banyumas office's agreement
/// with its health agency.
fn banyumas_agreement() -> Value {
    let mut doc = example_numbered("400.12/7777/2025", "440/7777/IX/2025");
    doc["parties"][0]["institution"]["name"] =
        json!("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Banyumas");
    doc["parties"][1]["institution"]["name"] = json!("Dinas Kesehatan Kabupaten Banyumas");
    doc
}

async fn roles_hold_writes_to_their_office(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let id = a["id"].as_i64().unwrap();
    let office = a["parties"][0]["institution"]["id"].as_i64().unwrap();
    let agency = a["parties"][1]["institution"]["id"].as_i64().unwrap();
    // Another office with its own agreement.
    let (s, b) = app.post("/api/v1/agreements", &banyumas_agreement()).await;
    assert_eq!(s, 201, "{b}");
    let other_id = b["id"].as_i64().unwrap();

    app.add_user("legal.purbalingga", Role::Legal, Some(office));
    app.add_user("opd.dinkop", Role::Opd, Some(agency));
    app.add_user("viewer.purbalingga", Role::Viewer, Some(office));
    let legal = app.client_of("legal.purbalingga").await;
    let opd = app.client_of("opd.dinkop").await;
    let viewer = app.client_of("viewer.purbalingga").await;

    let report =
        json!({"year": 2025, "semester": 2, "submitted_on": "2026-01-08", "channel": "email"});
    let url = |p: String| app.url(&p);
    use reqwest::Method as M;
    // (client, method, path, body, expected)
    let cases: Vec<(&reqwest::Client, M, String, Option<Value>, u16)> = vec![
        (
            &opd,
            M::POST,
            format!("/api/v1/agreements/{id}/reports"),
            Some(report.clone()),
            201,
        ),
        (
            &opd,
            M::POST,
            format!("/api/v1/agreements/{other_id}/reports"),
            Some(report.clone()),
            404, // another agency's agreement does not exist for this user
        ),
        (
            &opd,
            M::PATCH,
            format!("/api/v1/agreements/{id}"),
            Some(json!({"title": "x"})),
            403,
        ),
        (
            &opd,
            M::POST,
            "/api/v1/institutions".into(),
            Some(json!({"name": "X", "kind": "opd"})),
            403,
        ),
        (
            &viewer,
            M::POST,
            format!("/api/v1/agreements/{id}/reports"),
            Some(report.clone()),
            403,
        ),
        (
            &viewer,
            M::PATCH,
            format!("/api/v1/agreements/{id}"),
            Some(json!({"title": "x"})),
            403,
        ),
        (
            &viewer,
            M::GET,
            format!("/api/v1/agreements/{id}"),
            None,
            200,
        ),
        (
            &legal,
            M::PATCH,
            format!("/api/v1/agreements/{id}"),
            Some(json!({"purpose": "verifikasi anggota koperasi"})),
            200,
        ),
        (
            &legal,
            M::PATCH,
            format!("/api/v1/agreements/{other_id}"),
            Some(json!({"purpose": "x"})),
            404,
        ),
        (
            &legal,
            M::POST,
            format!("/api/v1/agreements/{other_id}/reports"),
            Some(report.clone()),
            404,
        ),
        (
            &legal,
            M::PUT,
            "/api/v1/holidays/2026-12-31".into(),
            Some(json!({"kind": "cuti_bersama", "name": "Uji"})),
            200,
        ),
    ];
    for (client, method, path, body, expected) in cases {
        let s = status_with(client, method.clone(), url(path.clone()), body.as_ref()).await;
        assert_eq!(s, expected, "{method} {path}");
    }
}

async fn legal_staff_create_agreements_for_their_office_only(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let office = a["parties"][0]["institution"]["id"].as_i64().unwrap();
    app.add_user("legal.purbalingga", Role::Legal, Some(office));
    let legal = app.client_of("legal.purbalingga").await;
    let (before, _, _) = app.counts().await;
    let mut elsewhere = example();
    elsewhere["parties"][0]["institution"]["name"] =
        json!("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Banyumas");
    elsewhere["parties"][0]["number"] = json!("400.12/8888/2025");
    elsewhere["parties"][1]["number"] = json!("518/8888/IX/2025");
    let r = legal
        .post(app.url("/api/v1/agreements"))
        .json(&elsewhere)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(
        body.to_string().contains("/parties/0/institution"),
        "{body}"
    );
    let ours = example_numbered("400.12/9999/2025", "518/9999/IX/2025");
    let r = legal
        .post(app.url("/api/v1/agreements"))
        .json(&ours)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let (after, _, _) = app.counts().await;
    assert_eq!(after, before + 1, "the refused one wrote nothing");
    // Nor can an agreement be handed to another office by a patch.
    let mut parties = ours["parties"].clone();
    parties[0]["institution"]["name"] =
        json!("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Banyumas");
    let r = legal
        .patch(app.url(&format!("/api/v1/agreements/{id}")))
        .json(&json!({"parties": parties}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let (_, still) = app.get(&format!("/api/v1/agreements/{id}")).await;
    assert_eq!(still["parties"][0]["institution"]["id"], office);
}

async fn responses_carry_security_headers(app: TestApp) {
    let r = app
        .client
        .get(app.url("/api/v1/agreements"))
        .send()
        .await
        .unwrap();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(r.headers()[name], value, "{name}");
    }
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    assert!(
        r.headers().get("access-control-allow-origin").is_none(),
        "CORS is off unless configured"
    );
}

#[test]
fn cli_manages_accounts_with_passwords_from_stdin() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("users.db").display().to_string();
    let run = |args: &[&str], stdin: &str| {
        let mut child = sepakat(&db)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    succeeded(&run(
        &["user", "add", "Kepala.Admin", "--role", "admin"],
        "sandi-kepala-123\n",
    ));
    let short = run(&["user", "add", "lain", "--role", "admin"], "pendek\n");
    assert!(!short.status.success());
    assert_eq!(String::from_utf8_lossy(&short.stderr).lines().count(), 1);
    let no_office = run(
        &["user", "add", "staf", "--role", "legal"],
        "sandi-staf-12345\n",
    );
    assert!(String::from_utf8_lossy(&no_office.stderr).contains("instansi"));
    let pool = sepakat::store::connect(&db, 1).unwrap();
    let hash_of = |name: &str| {
        let mut c = pool.get().unwrap();
        sepakat::store::users::by_name(&mut c, name)
            .unwrap()
            .map(|u| (u.password_hash, u.token_version, u.disabled))
    };
    let (hash, version, _) = hash_of("kepala.admin").unwrap();
    assert!(sepakat::auth::password::verify(&hash, "sandi-kepala-123"));
    assert!(
        hash_of("lain").is_none() && hash_of("staf").is_none(),
        "refusals write nothing"
    );
    assert!(
        run(&["user", "passwd", "kepala.admin"], "sandi-kepala-456\n")
            .status
            .success()
    );
    let (hash, new_version, _) = hash_of("kepala.admin").unwrap();
    assert!(sepakat::auth::password::verify(&hash, "sandi-kepala-456"));
    assert!(new_version > version);
    assert!(run(&["user", "disable", "kepala.admin"], "")
        .status
        .success());
    assert!(hash_of("kepala.admin").unwrap().2);
    let trail: i64 = {
        use diesel::prelude::*;
        let mut c = pool.get().unwrap();
        use sepakat::store::schema::audit_log;
        audit_log::table
            .filter(audit_log::entity.eq("user"))
            .count()
            .get_result(&mut *c)
            .unwrap()
    };
    assert_eq!(
        trail, 3,
        "add, passwd and disable are on record; the refusals are not"
    );
    let list = run(&["user", "list"], "");
    assert!(String::from_utf8_lossy(&list.stdout).contains("kepala.admin\tadmin\t-\tnonaktif"));
}

async fn every_write_is_on_record(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let id = a["id"].as_i64().unwrap();
    let agency = a["parties"][1]["institution"]["id"].as_i64().unwrap();
    let (s, _) = app
        .patch(
            &format!("/api/v1/agreements/{id}"),
            &json!({"expires_on": "2027-10-01"}),
        )
        .await;
    assert_eq!(s, 200);
    app.add_user("opd.dinkop", Role::Opd, Some(agency));
    let opd = app.client_of("opd.dinkop").await;
    let r = opd
        .post(app.url(&format!("/api/v1/agreements/{id}/reports")))
        .json(&json!({"year": 2025, "semester": 2, "submitted_on": "2026-01-08"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // A refused write leaves no row.
    let r = opd
        .patch(app.url(&format!("/api/v1/agreements/{id}")))
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let (s, h) = app.get(&format!("/api/v1/agreements/{id}/history")).await;
    assert_eq!(s, 200, "{h}");
    assert_eq!(h["total"], 3, "{h}");
    let items = h["items"].as_array().unwrap();
    // Newest first: the report by the agency, the patch and the creation by admin.
    assert_eq!(items[0]["actor"], "opd.dinkop");
    assert_eq!(items[0]["action"], "create");
    assert_eq!(items[0]["entity"], "reports");
    assert_eq!(items[0]["changes"]["reports"]["before"], json!([]));
    assert_eq!(items[0]["changes"]["reports"]["after"][0]["semester"], 2);
    assert_eq!(items[1]["actor"], "admin");
    assert_eq!(
        items[1]["changes"]["expires_on"],
        json!({"before": "2027-09-16", "after": "2027-10-01"})
    );
    assert_eq!(items[2]["action"], "create");
    assert_eq!(items[2]["changes"]["title"]["after"], example()["title"]);
    assert!(items[2]["changes"]["title"].get("before").is_none());
    let (s, _) = app.get("/api/v1/agreements/99999/history").await;
    assert_eq!(s, 404);
}

/// Makes every insert into the audit trail fail (or work again), as a full
/// disk or a lost privilege would.
fn audit_trail_down(app: &TestApp, down: bool) {
    let sqlite = matches!(
        *app.pool.get().unwrap(),
        sepakat::store::DbConnection::Sqlite(_)
    );
    let sql = match (sqlite, down) {
        (true, true) => {
            "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'audit trail down'); END;"
        }
        (true, false) => "DROP TRIGGER audit_down;",
        (false, true) => {
            "CREATE FUNCTION audit_down() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'audit trail down'; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER audit_down BEFORE INSERT ON audit_log \
             FOR EACH ROW EXECUTE FUNCTION audit_down();"
        }
        (false, false) => "DROP TRIGGER audit_down ON audit_log; DROP FUNCTION audit_down();",
    };
    execute_sql(&app.pool, sql);
}

async fn a_write_without_its_audit_row_is_rolled_back(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let id = a["id"].as_i64().unwrap();
    audit_trail_down(&app, true);
    let (s, body) = app
        .patch(
            &format!("/api/v1/agreements/{id}"),
            &json!({"title": "Tanpa jejak"}),
        )
        .await;
    assert_eq!(s, 500, "{body}");
    let (s, _) = app
        .post(
            &format!("/api/v1/agreements/{id}/reports"),
            &json!({"year": 2025, "semester": 2, "submitted_on": "2026-01-08"}),
        )
        .await;
    assert_eq!(s, 500);
    let (s, _) = app
        .put(
            "/api/v1/holidays/2026-12-28",
            &json!({"kind": "cuti_bersama", "name": "Uji"}),
        )
        .await;
    assert_eq!(s, 500);
    audit_trail_down(&app, false);
    let (_, back) = app.get(&format!("/api/v1/agreements/{id}")).await;
    assert_eq!(
        back["title"], a["title"],
        "the write went with its audit row"
    );
    assert_eq!(back["reports"], json!([]));
    let (_, days) = app.get("/api/v1/holidays?year=2026").await;
    assert!(!days.to_string().contains("2026-12-28"));
    let (_, h) = app.get(&format!("/api/v1/agreements/{id}/history")).await;
    assert_eq!(h["total"], 1, "only the creation: {h}");

    // Working again, the same write commits with its row.
    let (s, _) = app
        .patch(
            &format!("/api/v1/agreements/{id}"),
            &json!({"title": "Dengan jejak"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, h) = app.get(&format!("/api/v1/agreements/{id}/history")).await;
    assert_eq!(h["total"], 2);
}

/// Two users change one agreement at the same moment, again and again:
/// each audit row names its own actor with its own change.
async fn concurrent_writes_each_get_their_own_row(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let id = a["id"].as_i64().unwrap();
    let office = a["parties"][0]["institution"]["id"].as_i64().unwrap();
    app.add_user("staf.hukum", Role::Legal, Some(office));
    let legal = app.client_of("staf.hukum").await;
    let url = app.url(&format!("/api/v1/agreements/{id}"));
    let rounds = 15;
    for i in 0..rounds {
        let (x, y) = tokio::join!(
            app.client
                .patch(&url)
                .json(&json!({"title": format!("admin {i}")}))
                .send(),
            legal
                .patch(&url)
                .json(&json!({"title": format!("staf.hukum {i}")}))
                .send()
        );
        assert_eq!(x.unwrap().status(), 200);
        assert_eq!(y.unwrap().status(), 200);
    }
    let (_, h) = app
        .get(&format!("/api/v1/agreements/{id}/history?limit=500"))
        .await;
    let updates: Vec<&Value> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "update")
        .collect();
    assert_eq!(updates.len(), 2 * rounds);
    for row in &updates {
        let actor = row["actor"].as_str().unwrap();
        let after = row["changes"]["title"]["after"].as_str().unwrap();
        assert!(after.starts_with(&format!("{actor} ")), "{row}");
    }
    // Each row's "before" is the title some write left: the rows chain.
    let mut titles: Vec<&str> = updates
        .iter()
        .rev()
        .map(|r| r["changes"]["title"]["before"].as_str().unwrap())
        .collect();
    titles.remove(0);
    let afters: Vec<&str> = updates
        .iter()
        .rev()
        .map(|r| r["changes"]["title"]["after"].as_str().unwrap())
        .collect();
    assert_eq!(titles, afters[..afters.len() - 1]);
}

/// The command line and the API write the same kind of row for the same write.
async fn cli_and_api_write_the_same_row(app: TestApp) {
    let (s, _) = app
        .put(
            "/api/v1/holidays/2026-12-28",
            &json!({"kind": "cuti_bersama", "name": "Cuti Bersama Uji", "source": "uji"}),
        )
        .await;
    assert_eq!(s, 200);
    succeeded(
        &sepakat(&app.db.url)
            .args([
                "holidays",
                "set",
                "2026-12-29",
                "cuti_bersama",
                "Cuti Bersama Uji",
                "--source",
                "uji",
            ])
            .env("USER", "operator")
            .output()
            .unwrap(),
    );
    let rows: Vec<(String, String, String, String)> = {
        use diesel::prelude::*;
        use sepakat::store::schema::audit_log;
        let mut c = app.pool.get().unwrap();
        audit_log::table
            .filter(audit_log::entity.eq("holiday"))
            .filter(audit_log::action.eq("put"))
            .order(audit_log::id)
            .select((
                audit_log::actor,
                audit_log::action,
                audit_log::entity,
                audit_log::changes,
            ))
            .load(&mut *c)
            .unwrap()
    };
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].0, "admin");
    assert_eq!(rows[1].0, "cli:operator");
    let api: Value = serde_json::from_str(&rows[0].3).unwrap();
    let cli: Value = serde_json::from_str(&rows[1].3).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&api), keys(&cli));
    assert_eq!(api["name"], json!({"after": "Cuti Bersama Uji"}));
    assert_eq!(cli["name"], json!({"after": "Cuti Bersama Uji"}));
    assert_eq!(cli["date"], json!({"after": "2026-12-29"}));
}

async fn personal_data_is_masked_for_whom_it_is_not_due(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let id = a["id"].as_i64().unwrap();
    let office = a["parties"][0]["institution"]["id"].as_i64().unwrap();
    let agency = a["parties"][1]["institution"]["id"].as_i64().unwrap();
    app.add_user("viewer.purbalingga", Role::Viewer, Some(office));
    app.add_user("opd.dinkop", Role::Opd, Some(agency));
    let base = app.base.clone();
    let get = |client: reqwest::Client, path: String| {
        let url = format!("{base}{path}");
        async move {
            let r = client.get(&url).send().await.unwrap();
            assert_eq!(r.status(), 200, "{url}");
            r.text().await.unwrap()
        }
    };
    let path = format!("/api/v1/agreements/{id}");
    let admin_view: Value =
        serde_json::from_str(&get(app.client.clone(), path.clone()).await).unwrap();
    assert_eq!(
        admin_view["parties"][1]["signatory"]["nik"],
        "3303051909670007"
    );
    assert_eq!(admin_view["juknis"]["contacts"][0]["phone"], "087715480689");

    let viewer = app.client_of("viewer.purbalingga").await;
    let body = get(viewer.clone(), path.clone()).await;
    assert!(
        !body.contains("3303051909670007") && !body.contains("087715480689"),
        "{body}"
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["parties"][1]["signatory"]["nik"], "3303********0007");
    assert_eq!(v["juknis"]["contacts"][0]["phone"], "0877****0689");
    // Documents too: the Juknis acknowledgers' NIKs.
    let html = get(
        viewer,
        format!("/api/v1/agreements/{id}/documents/juknis.html"),
    )
    .await;
    assert!(html.contains("NIK. 3303********0007") && !html.contains("3303051909670007"));

    let opd = app.client_of("opd.dinkop").await;
    let v: Value = serde_json::from_str(&get(opd, path).await).unwrap();
    assert_eq!(
        v["parties"][1]["signatory"]["nik"], "3303051909670007",
        "the agency's own head"
    );
    assert_eq!(
        v["juknis"]["contacts"][1]["phone"], "085225006084",
        "its own contact"
    );
    assert_eq!(
        v["juknis"]["contacts"][0]["phone"], "0877****0689",
        "Dukcapil's contact"
    );
    assert_eq!(v["juknis"]["acknowledged_by"][1]["nik"], "3304********9003");
}

async fn each_office_sees_only_its_agreements(app: TestApp) {
    let (s, prov) = app
        .post(
            "/api/v1/institutions",
            &json!({"name": "Dinas Kependudukan dan Pencatatan Sipil Provinsi Jawa Tengah", "kind": "dukcapil_provinsi"}),
        )
        .await;
    assert_eq!(s, 201, "{prov}");
    let (s, ditjen) = app
        .post("/api/v1/institutions", &json!({"name": "Direktorat Jenderal Kependudukan dan Pencatatan Sipil", "kind": "dukcapil_pusat"}))
        .await;
    assert_eq!(s, 201, "{ditjen}");
    let mut ours = example();
    ours["parties"][0]["institution"]["parent"] =
        json!("Dinas Kependudukan dan Pencatatan Sipil Provinsi Jawa Tengah");
    let (_, a) = app.post("/api/v1/agreements", &ours).await;
    let id = a["id"].as_i64().unwrap();
    let office = a["parties"][0]["institution"]["id"].as_i64().unwrap();
    let agency = a["parties"][1]["institution"]["id"].as_i64().unwrap();
    let mut theirs = banyumas_agreement();
    theirs["parties"][0]["institution"]["parent"] =
        json!("Dinas Kependudukan dan Pencatatan Sipil Provinsi Jawa Tengah");
    let (s, b) = app.post("/api/v1/agreements", &theirs).await;
    assert_eq!(s, 201, "{b}");
    let other = b["id"].as_i64().unwrap();

    app.add_user("legal.purbalingga", Role::Legal, Some(office));
    app.add_user("viewer.jateng", Role::Viewer, prov["id"].as_i64());
    app.add_user("viewer.ditjen", Role::Viewer, ditjen["id"].as_i64());
    app.add_user("opd.dinkop", Role::Opd, Some(agency));
    let get = |client: &reqwest::Client, path: String| get_with(client, app.url(&path));
    for (user, sees) in [
        ("legal.purbalingga", vec![id]),
        ("opd.dinkop", vec![id]),
        ("viewer.jateng", vec![id, other]),
        ("viewer.ditjen", vec![id, other]),
    ] {
        let client = app.client_of(user).await;
        let (s, list) = get(&client, "/api/v1/agreements?limit=50".into()).await;
        assert_eq!(s, 200);
        assert_eq!(list["total"], sees.len(), "{user}: {list}");
        let mut listed: Vec<i64> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        listed.sort();
        assert_eq!(listed, sees, "{user}");
        // The same filter with text that matches both: still only its own.
        let (_, list) = get(&client, "/api/v1/agreements?q=Kabupaten".into()).await;
        assert_eq!(list["total"], sees.len(), "{user}");
        for agreement in [id, other] {
            let visible = sees.contains(&agreement);
            for path in [
                "",
                "/obligations",
                "/history",
                "/check",
                "/documents/pks.html",
                "/reports",
            ] {
                let (s, _) = get(&client, format!("/api/v1/agreements/{agreement}{path}")).await;
                assert_eq!(
                    s,
                    if visible { 200 } else { 404 },
                    "{user} {agreement}{path}"
                );
            }
        }
        let (_, obligations) = get(
            &client,
            "/api/v1/obligations?limit=500&as_of=2026-01-05".into(),
        )
        .await;
        assert!(
            obligations["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|o| sees.contains(&o["agreement_id"].as_i64().unwrap())),
            "{user}: {obligations}"
        );
        let (_, dash) = get(&client, "/api/v1/dashboard?as_of=2026-01-05".into()).await;
        assert_eq!(dashboard_total(&dash), sees.len() as u64, "{user}: {dash}");
    }
    // A hidden agreement is not found, exactly like one that does not exist.
    let legal = app.client_of("legal.purbalingga").await;
    // Institutions: the parties of its agreements and its own office only.
    let banyumas = b["parties"][0]["institution"]["id"].as_i64().unwrap();
    let (_, insts) = get(&legal, "/api/v1/institutions?limit=100".into()).await;
    let mut seen: Vec<i64> = insts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    seen.sort();
    assert_eq!(seen, vec![office, agency], "{insts}");
    assert_eq!(insts["total"], 2);
    let (s, _) = get(&legal, format!("/api/v1/institutions/{banyumas}")).await;
    assert_eq!(s, 404);
    let (s, _) = get(&legal, format!("/api/v1/institutions/{office}")).await;
    assert_eq!(s, 200);
    let r = legal
        .patch(app.url(&format!("/api/v1/institutions/{banyumas}")))
        .json(&json!({"short_name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        404,
        "another office's institution cannot be changed"
    );
    let (s1, hidden) = get(&legal, format!("/api/v1/agreements/{other}")).await;
    let (s2, missing) = get(&legal, "/api/v1/agreements/999999".into()).await;
    assert_eq!((s1, s2), (404, 404));
    assert_eq!(hidden["title"], missing["title"]);

    // Each reader's dashboard is kept until the next write: the office's new
    // agreement shows in its own at once, and in no other office's.
    let dashboard = "/api/v1/dashboard?as_of=2026-01-05".to_string();
    let (_, before) = get(&legal, dashboard.clone()).await;
    let more = example_numbered("400.12/8888/2025", "440/8888/IX/2025");
    let r = legal
        .post(app.url("/api/v1/agreements"))
        .json(&more)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (_, after) = get(&legal, dashboard.clone()).await;
    assert_eq!(
        dashboard_total(&after),
        dashboard_total(&before) + 1,
        "{after}"
    );
    let banyumas_legal = {
        app.add_user("legal.banyumas", Role::Legal, Some(banyumas));
        app.client_of("legal.banyumas").await
    };
    let (_, theirs) = get(&banyumas_legal, dashboard).await;
    assert_eq!(dashboard_total(&theirs), 1, "{theirs}");
}

async fn accounts_over_the_api(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let office = a["parties"][0]["institution"]["id"].as_i64().unwrap();
    let agency = a["parties"][1]["institution"]["id"].as_i64().unwrap();
    // Admin adds a legal account for the office.
    let (s, legal) = app
        .post("/api/v1/users", &json!({"username": "Legal.Purbalingga", "password": "sandi-legal-12345", "role": "legal", "institution_id": office}))
        .await;
    assert_eq!(s, 201, "{legal}");
    assert_eq!(legal["username"], "legal.purbalingga");
    assert!(legal.get("password_hash").is_none() && !legal.to_string().contains("argon2"));
    // Refusals name the field and write nothing.
    for (body, pointer) in [
        (
            json!({"username": "x", "password": "sandi-panjang-123", "role": "viewer", "institution_id": office}),
            "/username",
        ),
        (
            json!({"username": "pendek", "password": "pendek", "role": "viewer", "institution_id": office}),
            "/password",
        ),
        (
            json!({"username": "peran", "password": "sandi-panjang-123", "role": "raja", "institution_id": office}),
            "/role",
        ),
        (
            json!({"username": "legal.opd", "password": "sandi-panjang-123", "role": "legal", "institution_id": agency}),
            "/institution_id",
        ),
        (
            json!({"username": "tanpa", "password": "sandi-panjang-123", "role": "viewer"}),
            "/institution_id",
        ),
    ] {
        let (s, e) = app.post("/api/v1/users", &body).await;
        assert_eq!(s, 422, "{body}: {e}");
        assert!(e.to_string().contains(pointer), "{pointer} in {e}");
    }
    let (s, _) = app
        .post("/api/v1/users", &json!({"username": "legal.purbalingga", "password": "sandi-lain-12345", "role": "viewer", "institution_id": office}))
        .await;
    assert_eq!(s, 409);

    // Legal staff add OPD accounts for their agencies, and nothing else.
    let legal_client = client_with(
        &login(&app.base, "legal.purbalingga", "sandi-legal-12345")
            .await
            .unwrap(),
    );
    let post = |client: &reqwest::Client, body: Value| {
        client.post(app.url("/api/v1/users")).json(&body).send()
    };
    let r = post(&legal_client, json!({"username": "opd.dinkop", "password": "sandi-opd-123456", "role": "opd", "institution_id": agency})).await.unwrap();
    assert_eq!(r.status(), 201);
    let opd_id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = post(&legal_client, json!({"username": "viewer.x", "password": "sandi-opd-123456", "role": "viewer", "institution_id": office})).await.unwrap();
    assert_eq!(r.status(), 403);
    let r = post(&legal_client, json!({"username": "opd.lain", "password": "sandi-opd-123456", "role": "opd", "institution_id": 99999})).await.unwrap();
    assert_eq!(r.status(), 422);
    let listed: Value = legal_client
        .get(app.url("/api/v1/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["opd.dinkop"],
        "legal staff see their agencies' OPD accounts only"
    );
    let r = legal_client
        .patch(app.url(&format!("/api/v1/users/{opd_id}")))
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // OPD and viewer accounts see no accounts but their own.
    let opd_token = login(&app.base, "opd.dinkop", "sandi-opd-123456")
        .await
        .unwrap();
    let opd = client_with(&opd_token);
    assert_eq!(
        opd.get(app.url("/api/v1/users"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        opd.get(app.url(&format!("/api/v1/users/{opd_id}")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Admin disables it: its token ends at once.
    let (s, u) = app
        .patch(
            &format!("/api/v1/users/{opd_id}"),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["disabled"], true);
    assert_eq!(
        opd.get(app.url("/api/v1/agreements"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let (s, u) = app
        .patch(
            &format!("/api/v1/users/{opd_id}"),
            &json!({"disabled": false, "password": "sandi-baru-opd-123"}),
        )
        .await;
    assert_eq!(s, 200, "{u}");
    assert!(login(&app.base, "opd.dinkop", "sandi-opd-123456")
        .await
        .is_none());
    assert!(login(&app.base, "opd.dinkop", "sandi-baru-opd-123")
        .await
        .is_some());
    let (s, _) = app
        .patch(
            &format!("/api/v1/users/{opd_id}"),
            &json!({"role": "legal"}),
        )
        .await;
    assert_eq!(s, 422, "an agency's account cannot become Dukcapil staff");
    let (s, _) = app
        .patch("/api/v1/users/99999", &json!({"disabled": true}))
        .await;
    assert_eq!(s, 404);
    // An admin cannot lock itself out.
    let (_, me) = app.get("/api/v1/users").await;
    let admin_id = me["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "admin")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    for body in [
        json!({"disabled": true}),
        json!({"role": "viewer", "institution_id": office}),
    ] {
        let (s, e) = app.patch(&format!("/api/v1/users/{admin_id}"), &body).await;
        assert_eq!(s, 422, "{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_answers_only_configured_origins() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        s.with_cors(vec!["https://sepakat.example.go.id".into()])
    })
    .await
    .unwrap();
    let preflight = |origin: &'static str| {
        reqwest::Client::new()
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/agreements"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let ok = preflight("https://sepakat.example.go.id").await.unwrap();
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://sepakat.example.go.id"
    );
    let other = preflight("https://jahat.example.com").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    let r = app
        .client
        .get(app.url("/api/v1/agreements"))
        .header("origin", "https://sepakat.example.go.id")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://sepakat.example.go.id"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_signed_with_the_right_secret_is_refused() {
    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test-secret";
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        s.with_keys(sepakat::auth::Keys::from_secret(SECRET))
    })
    .await
    .unwrap();
    let now = chrono::Utc::now().timestamp();
    let token = |exp: i64| {
        let claims = sepakat::auth::Claims {
            sub: "1".into(),
            name: "admin".into(),
            role: Role::Admin,
            inst: None,
            ver: 0,
            iat: now - 9 * 3600,
            exp,
        };
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(SECRET),
        )
        .unwrap()
    };
    let url = app.url("/api/v1/agreements");
    assert_eq!(
        client_with(&token(now + 60))
            .get(&url)
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "the same secret signs valid tokens"
    );
    assert_eq!(
        client_with(&token(now - 1))
            .get(&url)
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "expired"
    );
}
