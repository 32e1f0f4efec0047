//! Every route the server registers, read from the OpenAPI document it
//! serves: src/http registers each handler together with its operation
//! (utoipa-actix-web), so the document's paths are the routes. Nothing here
//! is kept by hand; tests/api/openapi.rs checks that every route in it answers.

use std::sync::LazyLock;

use serde_json::Value;

/// The methods the API uses, in OpenAPI's spelling.
pub const METHODS: &[&str] = &["get", "post", "put", "patch", "delete"];

/// The document as the server generates it (the same text it serves).
pub fn document() -> Value {
    serde_json::from_str(sepakat::http::openapi::document()).expect("the OpenAPI document is JSON")
}

/// Every route, as (method, path) in OpenAPI form, in the document's order.
pub static ROUTES: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    let doc = document();
    let mut out = vec![];
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if item.get(*m).is_some() {
                out.push((m.to_string(), path.clone()));
            }
        }
    }
    assert!(out.len() >= 60, "only {} routes in the document", out.len());
    out
});

/// The paths answered without a token: their operations need no security.
pub static PUBLIC: LazyLock<Vec<String>> = LazyLock::new(|| {
    let doc = document();
    doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .filter(|(_, item)| {
            METHODS
                .iter()
                .filter_map(|m| item.get(*m))
                .all(|op| op["security"] == serde_json::json!([]))
        })
        .map(|(path, _)| path.clone())
        .collect()
});

/// Whether `path` is answered without a token.
pub fn is_public(path: &str) -> bool {
    PUBLIC.iter().any(|p| p == path)
}
