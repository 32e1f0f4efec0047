//! Role × endpoint: every route of the OpenAPI document, for every role, with and
//! without a valid token. A denied call never succeeds (403, or 404 where the
//! row is hidden from the reader); an allowed one is never refused for its
//! role (whatever its body makes of it); no call without a valid token gets in.

use sepakat::domain::catalog::Role;
use serde_json::json;

use crate::helpers::{client_with, example, on_both, TestApp};
use crate::routes::{is_public, ROUTES};

on_both!(every_role_on_every_endpoint);

const OPD_RECORDS: [&str; 4] = ["reports", "certificates", "statements", "renewals"];

/// What the rules of issue 5 deny `role` on `method path`.
fn denied(role: Role, method: &str, path: &str) -> bool {
    if path == "/api/v1/users/me/feed-token" {
        // Every role keeps its own calendar address.
        return false;
    }
    // The portal: agencies hand in evidence, the office reviews it and
    // invites; a viewer only reads.
    if path == "/api/v1/invitations"
        || path.ends_with("/submissions/{sid}/accept")
        || path.ends_with("/submissions/{sid}/return")
    {
        return matches!(role, Role::Opd | Role::Viewer);
    }
    if path.ends_with("/obligations/{key}/submissions") {
        return role == Role::Viewer;
    }
    let write = method != "get";
    let record = path
        .strip_prefix("/api/v1/agreements/{id}/")
        .map(|rest| rest.split('/').next().unwrap_or_default());
    match role {
        Role::Admin => false,
        Role::Legal => path == "/api/v1/users/{id}" && method == "patch",
        Role::Viewer => write || path == "/api/v1/users",
        Role::Opd => {
            if path == "/api/v1/users" {
                return true;
            }
            write
                && !(record.is_some_and(|r| OPD_RECORDS.contains(&r))
                    && matches!(method, "post" | "patch"))
        }
    }
}

async fn every_role_on_every_endpoint(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let id = a["id"].as_i64().unwrap();
    let office = a["parties"][0]["institution"]["id"].as_i64().unwrap();
    let agency = a["parties"][1]["institution"]["id"].as_i64().unwrap();
    let person = a["parties"][1]["signatory"]["id"].as_i64().unwrap();
    let roles = [
        (Role::Admin, "admin", None),
        (Role::Legal, "m.legal", Some(office)),
        (Role::Opd, "m.opd", Some(agency)),
        (Role::Viewer, "m.viewer", Some(office)),
    ];
    let mut ids = std::collections::HashMap::new();
    for (role, name, inst) in &roles[1..] {
        ids.insert(*name, app.add_user(name, *role, *inst));
    }
    let anonymous = reqwest::Client::new();
    let forged =
        client_with(&sepakat::auth::Keys::ephemeral().issue(1, "admin", Role::Admin, None, 0));
    let mut checked = 0;
    for (role, name, _) in roles {
        let client = if name == "admin" {
            app.client.clone()
        } else {
            app.client_of(name).await
        };
        let own_user = ids.get(name).copied().unwrap_or(1);
        for (method, template) in ROUTES.iter() {
            let (method, template) = (method.as_str(), template.as_str());
            if is_public(template) {
                continue;
            }
            let path = template
                .replace("{rid}", "999999")
                .replace("{sid}", "999999")
                .replace("{sha256}", &"0".repeat(64))
                .replace("{key}", "sptjm")
                .replace("{file}", "pks.html")
                .replace("{date}", "2026-12-31")
                .replace("{a}", "1")
                .replace("{b}", "kini");
            let path = if template.starts_with("/api/v1/users/") {
                path.replace("{id}", &own_user.to_string())
            } else if template.starts_with("/api/v1/institutions/") {
                path.replace("{id}", &agency.to_string())
            } else if template.starts_with("/api/v1/people/") {
                path.replace("{id}", &person.to_string())
            } else {
                path.replace("{id}", &id.to_string())
            };
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let send = |c: &reqwest::Client| {
                let r = c.request(m.clone(), app.url(&path));
                // An empty object: enough to pass or fail the role gate, and
                // refused by every handler, so the matrix writes nothing.
                if method == "get" || method == "delete" {
                    r
                } else {
                    r.json(&json!({}))
                }
            };
            // DELETE of the signed agreement, its institution or person is
            // refused by the handlers (409/422), so it is safe to send.
            let status = send(&client).send().await.unwrap().status().as_u16();
            if denied(role, method, template) {
                assert!(
                    matches!(status, 403 | 404),
                    "{name} {method} {path}: {status}, expected a refusal"
                );
            } else {
                assert!(
                    !matches!(status, 401 | 403) && status < 500,
                    "{name} {method} {path}: {status}, expected to be let through"
                );
            }
            checked += 1;
            if name == "admin" {
                for c in [&anonymous, &forged] {
                    let s = send(c).send().await.unwrap().status().as_u16();
                    assert_eq!(s, 401, "{method} {path} without a valid token");
                }
            }
        }
    }
    assert!(checked >= 4 * 60, "{checked} calls");
    // The matrix changed nothing of the agreement.
    let (_, after) = app.get(&format!("/api/v1/agreements/{id}")).await;
    assert_eq!(after["title"], a["title"]);
    assert_eq!(after["reports"], a["reports"]);
}
