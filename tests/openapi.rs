//! The OpenAPI document at /api/v1/openapi.json: answered without a token,
//! naming every route the server registers (the list below; add a new route
//! to it), internally consistent, with examples the API accepts; and the
//! docs page at /api/docs that reads it.

mod common;

use std::collections::BTreeSet;

use common::routes::{PUBLIC, ROUTES};
use common::TestApp;
use serde_json::{json, Value};

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete"];

async fn document(app: &TestApp) -> Value {
    // No token: the document is public.
    let r = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("application/json"), "{ct}");
    r.json().await.unwrap()
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = vec![];
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if let Some(op) = item.get(*m) {
                out.push((m.to_string(), path.clone(), op));
            }
        }
    }
    out
}

fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r);
            }
            m.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_is_public_and_names_every_route() {
    let app = TestApp::spawn(common::Db::Sqlite).await.unwrap();
    let doc = document(&app).await;
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3."), "OpenAPI version {version}");

    let documented: BTreeSet<(String, String)> = operations(&doc)
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    let listed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = listed.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes not in the document: {missing:?}"
    );
    let unlisted: Vec<_> = documented.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "documented but not served: {unlisted:?}"
    );

    // Bearer tokens everywhere but the public paths.
    assert_eq!(doc["security"], json!([{"bearer": []}]));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let mut ids = BTreeSet::new();
    for (m, path, op) in operations(&doc) {
        let at = format!("{} {path}", m.to_uppercase());
        assert!(
            ids.insert(op["operationId"].as_str().unwrap().to_string()),
            "{at}: operationId twice"
        );
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{at}: no summary"
        );
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{at}: no success response"
        );
        if PUBLIC.contains(&path.as_str()) {
            assert_eq!(
                op["security"],
                json!([]),
                "{at}: public, but asks for a token"
            );
        } else {
            assert!(op.get("security").is_none(), "{at}: security overridden");
            assert!(responses.contains_key("401"), "{at}: no 401");
        }
        // Every {name} in the path is a declared path parameter.
        let declared: BTreeSet<&str> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        let in_path: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.split('}').next())
            .collect();
        assert_eq!(declared, in_path, "{at}: path parameters");
        if in_path.contains("id") {
            assert!(responses.contains_key("404"), "{at}: no 404");
        }
        if op.get("requestBody").is_some() {
            for status in ["400", "413", "422"] {
                assert!(
                    responses.contains_key(status),
                    "{at}: body, but no {status}"
                );
            }
        }
        // Errors are problem+json.
        for (status, r) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                let r = match r["$ref"].as_str() {
                    Some(name) => &doc["components"]["responses"][name.rsplit('/').next().unwrap()],
                    None => r,
                };
                assert!(
                    r["content"].get("application/problem+json").is_some(),
                    "{at} {status}: not problem+json"
                );
            }
        }
    }

    // Every reference names something in the document.
    let mut all = vec![];
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r.strip_prefix('#').expect("local reference");
        assert!(doc.pointer(pointer).is_some(), "dangling {r}");
    }
    // The agreement example is the Purbalingga seed.
    let example = &doc["paths"]["/api/v1/agreements"]["post"]["requestBody"]["content"]
        ["application/json"]["example"];
    assert_eq!(*example, common::example());
}

/// Each listed route reaches a handler: neither the "no such address"
/// answer nor 405. Nothing exists with these ids, so nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_listed_route_is_served() {
    let app = TestApp::spawn(common::Db::Sqlite).await.unwrap();
    for (m, path) in ROUTES {
        let url = app.url(
            &path
                .replace("{id}", "999999")
                .replace("{rid}", "999999")
                .replace("{file}", "pks.pdf")
                .replace("{key}", "report:2026:1")
                .replace("{date}", "2026-07-15")
                .replace("{token}", "tidak-ada"),
        );
        let method = reqwest::Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
        let mut req = app.client.request(method, &url);
        if matches!(*m, "post" | "put" | "patch") {
            req = req.json(&json!({}));
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert_ne!(status, 405, "{m} {path}: method not served");
        assert!(
            !(status == 404 && body.contains("alamat API ini tidak ada")),
            "{m} {path}: no such route"
        );
    }
}

/// The request examples in the document are accepted as they stand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn examples_are_accepted() {
    let app = TestApp::spawn(common::Db::Sqlite).await.unwrap();
    let doc = document(&app).await;
    let example = |path: &str, method: &str| -> Value {
        doc["paths"][path][method]["requestBody"]["content"]["application/json"]["example"].clone()
    };
    let (status, created) = app
        .post("/api/v1/agreements", &example("/api/v1/agreements", "post"))
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    for kind in [
        "scopes",
        "applications",
        "statements",
        "certificates",
        "reports",
        "renewals",
    ] {
        let body = example(&format!("/api/v1/agreements/{{id}}/{kind}"), "post");
        assert!(body.is_object(), "{kind}: no example");
        let (status, v) = app
            .post(&format!("/api/v1/agreements/{id}/{kind}"), &body)
            .await;
        assert_eq!(status, 201, "{kind}: {v}");
    }
    let (status, v) = app
        .post("/api/v1/people", &example("/api/v1/people", "post"))
        .await;
    assert_eq!(status, 201, "{v}");
    let date = doc["paths"]["/api/v1/holidays/{date}"]["put"]["parameters"][0]["example"]
        .as_str()
        .unwrap()
        .to_string();
    let body = example("/api/v1/holidays/{date}", "put");
    let (status, v) = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/holidays/{date}"),
            &body,
        )
        .await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_page_is_served_without_a_token() {
    let app = TestApp::spawn(common::Db::Sqlite).await.unwrap();
    let r = reqwest::get(app.url("/api/docs")).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/html"), "{ct}");
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    let page = r.text().await.unwrap();
    assert!(page.contains("/api/v1/openapi.json"));
    // Self-contained: nothing is loaded from elsewhere.
    assert!(!page.contains("http://") && !page.contains("https://"));
}
