//! The OpenAPI document at /api/v1/openapi.json: answered without a token,
//! the very document the test suite reads its routes from
//! (`routes`), internally consistent, with examples the API
//! accepts; every route it names is served, and a method it does not name
//! on one of its paths is refused with 405; and the docs page at /api/docs
//! that reads it.
//!
//! The server registers each handler with its operation in one call
//! (src/http, utoipa-actix-web), so what can still drift is checked here:
//! a documented route that answers the generic "no such address" 404 or
//! 405, a method served on a documented path without being documented, the
//! set of paths open without a token, and a route registered by hand
//! (`.route(...)`, `web::resource(...)`) outside the document.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::{root, Db, TestApp};
use crate::routes::{is_public, METHODS, PUBLIC, ROUTES};

/// The paths anyone may call without a token: a security decision, pinned
/// here on purpose so that opening another path fails this test.
const EXPECTED_PUBLIC: &[&str] = &[
    "/healthz",
    "/api/docs",
    "/api/v1/openapi.json",
    "/api/v1/auth/login",
    "/kalender/{token}.ics",
];

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
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let doc = document(&app).await;
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3."), "OpenAPI version {version}");

    // The served document is the one the suite reads its routes from.
    assert_eq!(
        doc,
        crate::routes::document(),
        "served and generated documents differ"
    );
    let documented: BTreeSet<(String, String)> = operations(&doc)
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    let listed: BTreeSet<(String, String)> = ROUTES.iter().cloned().collect();
    assert_eq!(documented, listed, "routes read from the document");
    assert!(listed.len() >= 70, "{} routes", listed.len());
    let public: BTreeSet<&str> = PUBLIC.iter().map(String::as_str).collect();
    let expected: BTreeSet<&str> = EXPECTED_PUBLIC.iter().copied().collect();
    assert_eq!(public, expected, "paths open without a token");

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
        if is_public(&path) {
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
    assert_eq!(*example, crate::helpers::example());
}

/// A concrete address for a documented path: ids that do not exist, so
/// nothing is found and nothing is written.
fn concrete(path: &str) -> String {
    path.replace("{id}", "999999")
        .replace("{rid}", "999999")
        .replace("{file}", "pks.pdf")
        .replace("{key}", "report:2026:1")
        .replace("{date}", "2026-07-15")
        .replace("{token}", "tidak-ada")
}

/// Whether the documented `template` takes the concrete `path` (a `{name}`
/// stands for the rest of its segment up to any literal suffix).
fn takes(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| match t.split_once('{') {
            None => t == p,
            Some((prefix, rest)) => {
                let suffix = rest.split_once('}').map_or("", |(_, s)| s);
                p.len() > prefix.len() + suffix.len()
                    && p.starts_with(prefix)
                    && p.ends_with(suffix)
            }
        })
}

/// Each documented route reaches a handler: neither the "no such address"
/// answer nor 405; a public one answers without a token. Every other method
/// on a documented path is refused with 405 naming the documented ones, so
/// no handler serves a method the document does not show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_route_is_served() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let anonymous = reqwest::Client::new();
    for (m, path) in ROUTES.iter() {
        let url = app.url(&concrete(path));
        let method = reqwest::Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
        let clients = if is_public(path) {
            vec![&app.client, &anonymous]
        } else {
            vec![&app.client]
        };
        for client in clients {
            let mut req = client.request(method.clone(), &url);
            if matches!(m.as_str(), "post" | "put" | "patch") {
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
            assert!(
                status != 401 || !is_public(path),
                "{m} {path}: public, but asks for a token"
            );
        }
    }
    let paths: BTreeSet<&str> = ROUTES.iter().map(|(_, p)| p.as_str()).collect();
    for path in paths {
        let address = concrete(path);
        // Every method some documented path gives this address.
        let served: BTreeSet<String> = ROUTES
            .iter()
            .filter(|(_, t)| takes(t, &address))
            .map(|(m, _)| m.to_uppercase())
            .collect();
        for m in METHODS {
            let m = m.to_uppercase();
            if served.contains(&m) {
                continue;
            }
            let method = reqwest::Method::from_bytes(m.as_bytes()).unwrap();
            let r = app
                .client
                .request(method, app.url(&address))
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status().as_u16(),
                405,
                "{m} {address}: not documented, yet served"
            );
            assert_eq!(
                r.headers()["content-type"],
                "application/problem+json",
                "{m} {address}"
            );
            let allow: BTreeSet<String> = r.headers()["allow"]
                .to_str()
                .unwrap()
                .split(", ")
                .map(String::from)
                .collect();
            assert_eq!(allow, served, "{m} {address}: Allow");
        }
    }
}

/// The routes are registered with their operations (`.service(handler)`);
/// a route registered by hand would be served without being documented.
/// The only ones are the record routes, registered together with their
/// operations by `agreements::records!`, and the catch-all under
/// `/kalender/` that answers an unknown calendar address with the same 404.
#[test]
fn no_route_is_registered_outside_the_document() {
    let dir = root().join("src/http");
    let mut by_hand = vec![];
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().path();
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        for (n, line) in text.lines().enumerate() {
            for needle in [".route(", "web::resource(", "web::scope(", "Resource::new("] {
                if line.contains(needle) {
                    by_hand.push(format!("{name}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    let allowed = |l: &String| {
        (l.starts_with("agreements.rs:")
            && (l.contains("web::resource(list_path())")
                || l.contains("web::resource(item_path())")
                || l.contains(".route(web::")))
            || (l.starts_with("feed.rs:") && l.contains(r#".route("/kalender/{rest:.*}""#))
    };
    let stray: Vec<_> = by_hand.iter().filter(|l| !allowed(l)).collect();
    assert!(
        stray.is_empty(),
        "routes registered outside the document: {stray:#?}"
    );
}

/// The request examples in the document are accepted as they stand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn examples_are_accepted() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
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
    let (status, v) = app.put(&format!("/api/v1/holidays/{date}"), &body).await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_page_is_served_without_a_token() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
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
