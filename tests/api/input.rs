//! Text a user can type never answers 500: a NUL and an oversized value in
//! every string field of every write route the OpenAPI document describes
//! (with its own example as the body), and a NUL in query parameters, on
//! SQLite and PostgreSQL.

use serde_json::{json, Value};

use crate::helpers::{example, on_both, TestApp};

/// Every pointer to a string inside `v`.
fn strings(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::String(_) => out.push(at),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                strings(
                    item,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        _ => {}
    }
}

async fn nothing_a_user_types_answers_500(app: TestApp) {
    let (s, agreement) = app.post("/api/v1/agreements", &example()).await;
    assert_eq!(s, 201, "{agreement}");
    let id = agreement["id"].as_i64().unwrap();
    let agency = agreement["parties"][1]["institution"]["id"]
        .as_i64()
        .unwrap();
    let person = agreement["parties"][1]["signatory"]["id"]
        .as_i64()
        .unwrap_or(1);
    let (_, doc) = app.get("/api/v1/openapi.json").await;
    let anonymous = reqwest::Client::new();
    let mut sent = 0;
    let mut routes = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        for method in ["post", "put", "patch"] {
            let Some(op) = item.get(method) else { continue };
            let Some(body) = op["requestBody"]["content"]["application/json"]["example"]
                .as_object()
                .map(|o| Value::Object(o.clone()))
            else {
                continue;
            };
            let path = template
                .replace("{key}", "sptjm")
                .replace("{date}", "2026-12-31");
            let path = if path.starts_with("/api/v1/institutions/") {
                path.replace("{id}", &agency.to_string())
            } else if path.starts_with("/api/v1/people/") {
                path.replace("{id}", &person.to_string())
            } else if path.starts_with("/api/v1/users/") {
                // Another account than the admin signed in.
                path.replace("{id}", "999999")
            } else {
                path.replace("{id}", &id.to_string())
            };
            // A record route gets a record of its own kind to change.
            let path = if path.contains("{rid}") {
                let collection = path.trim_end_matches("/{rid}").to_string();
                let create = doc["paths"][template.trim_end_matches("/{rid}")]["post"]
                    ["requestBody"]["content"]["application/json"]["example"]
                    .clone();
                let (s, made) = app.post(&collection, &create).await;
                assert_eq!(s, 201, "{collection}: {made}");
                let rid = made["id"].as_i64().unwrap();
                path.replace("{rid}", &rid.to_string())
            } else {
                path
            };
            routes += 1;
            let mut leaves = vec![];
            strings(&body, String::new(), &mut leaves);
            for leaf in leaves {
                for bad in ["a\u{0}b".to_string(), "x".repeat(100_000)] {
                    let mut b = body.clone();
                    *b.pointer_mut(&leaf).unwrap() = json!(bad);
                    let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                    let client = if template.ends_with("/auth/login") {
                        &anonymous
                    } else {
                        &app.client
                    };
                    let r = client
                        .request(m, app.url(&path))
                        .json(&b)
                        .send()
                        .await
                        .unwrap();
                    let status = r.status().as_u16();
                    let text = r.text().await.unwrap_or_default();
                    assert!(
                        status < 500,
                        "{method} {path} with {} at {leaf}: {status} {text}",
                        if bad.len() > 10 {
                            "100,000 characters"
                        } else {
                            "a NUL"
                        }
                    );
                    sent += 1;
                }
            }
        }
    }
    assert!(routes >= 15, "{routes} write routes with an example");
    assert!(sent >= 100, "{sent} requests");

    // The agreement's documents still render: nothing bad was stored.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/agreements/{id}/documents/pks.html")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Query parameters follow the same rule: a clear 400.
    for path in [
        "/api/v1/agreements?q=%00",
        "/api/v1/institutions?q=a%00b",
        "/api/v1/people?q=%07",
        "/api/v1/obligations?kind=%00",
    ] {
        let (s, body) = app.get(path).await;
        assert_eq!(s, 400, "{path}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("karakter kendali"),
            "{body}"
        );
    }
    // Short lists answered whole still check a limit or offset they are given.
    for path in [
        "/api/v1/users?limit=0",
        "/api/v1/users?offset=-1",
        "/api/v1/holidays?limit=501",
        "/api/v1/holidays?offset=x",
    ] {
        let (s, body) = app.get(path).await;
        assert_eq!(s, 400, "{path}: {body}");
    }
    let (_, five) = app.get("/api/v1/holidays?year=2027&limit=5&offset=2").await;
    let dates: Vec<&str> = five["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates.len(), 5);
    assert_eq!(dates[0], "2027-02-05");
    let (_, all) = app.get("/api/v1/holidays?year=2027").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 26);
    let long = "k".repeat(5_000);
    let (s, _) = app.get(&format!("/api/v1/agreements?q={long}")).await;
    assert_eq!(s, 400);
}

on_both!(nothing_a_user_types_answers_500);
