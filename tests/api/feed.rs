//! Calendar subscription (issue 10): a secret address a calendar app polls
//! without signing in, parsed here with a real iCalendar parser; what it
//! shows is what its owner may see; stable UIDs whose SEQUENCE rises when a
//! date moves; a new secret or a revocation ends the old address, and every
//! address that shows nothing answers the same 404.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use icalendar::{Calendar, Component, DatePerhapsTime};
use serde_json::{json, Value};

use crate::helpers::{fetch_with, login, on_both, seed, Db, TestApp};

on_both!(
    feed_by_secret_address_holds_the_deadlines,
    feed_shows_what_its_owner_may_see,
    date_change_raises_sequence_and_keeps_uid,
    old_and_revoked_addresses_answer_one_404,
    provisional_dates_say_so,
);

/// One parsed event: its date, SEQUENCE, summary and description.
#[derive(Debug, Clone)]
struct Event {
    date: NaiveDate,
    sequence: u32,
    summary: String,
    description: String,
}

/// (status, content type, body) of a GET without a token.
async fn fetch(url: &str) -> (u16, String, String) {
    let r = fetch_with(&reqwest::Client::new(), url.to_string()).await;
    let body = r.text();
    (r.status, r.content_type, body)
}

/// Fetches `url` as a calendar app does (no Authorization header) and parses it.
async fn subscribe(url: &str) -> HashMap<String, Event> {
    let (status, ct, body) = fetch(url).await;
    assert_eq!(status, 200, "{url}");
    assert!(ct.starts_with("text/calendar"), "{ct}");
    parse(&body)
}

fn parse(text: &str) -> HashMap<String, Event> {
    let cal: Calendar = text.parse().expect("an iCalendar document");
    let mut events = HashMap::new();
    for e in cal.events() {
        let uid = e.get_uid().expect("UID").to_string();
        let date = match e.get_start().expect("DTSTART") {
            DatePerhapsTime::Date(d) => d,
            other => panic!("{uid}: not an all-day event: {other:?}"),
        };
        let event = Event {
            date,
            sequence: e.get_sequence().expect("SEQUENCE"),
            summary: e.get_summary().unwrap_or_default().to_string(),
            description: e.get_description().unwrap_or_default().to_string(),
        };
        assert!(
            events.insert(uid.clone(), event).is_none(),
            "UID {uid} twice"
        );
    }
    events
}

async fn import(app: &TestApp, file: &str) -> Value {
    let (status, a) = app.post("/api/v1/agreements", &seed(file)).await;
    assert_eq!(status, 201, "{file}: {a}");
    a
}

const PURBALINGGA: &str = "pks-purbalingga-dinkopukm-2025.json";
const BANDUNG: &str = "pks-bandung-dinsos-2023.json";

/// The UID of the event of agreement `id`'s obligation `key`.
fn event_uid(id: i64, key: &str) -> String {
    format!("{id}-{}@sepakat", key.replace(' ', "_"))
}

/// The agreement's open obligations with a date: (uid, kind, due date).
async fn open_deadlines(app: &TestApp, id: i64) -> Vec<(String, String, NaiveDate)> {
    let (status, v) = app
        .get(&format!("/api/v1/agreements/{id}/obligations"))
        .await;
    assert_eq!(status, 200, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| !matches!(o["state"].as_str(), Some("fulfilled" | "waived")))
        .filter_map(|o| {
            let due = o["due_on"].as_str()?.parse().ok()?;
            Some((
                event_uid(id, o["key"].as_str()?),
                o["kind"].as_str()?.to_string(),
                due,
            ))
        })
        .collect()
}

/// A new account with `role` for `institution`, signed in.
async fn user(app: &TestApp, name: &str, role: &str, institution: i64) -> (i64, reqwest::Client) {
    let (status, u) = app
        .post(
            "/api/v1/users",
            &json!({"username": name, "password": "sandi-kalender-123", "role": role,
                "institution_id": institution}),
        )
        .await;
    assert_eq!(status, 201, "{u}");
    let token = login(&app.base, name, "sandi-kalender-123").await.unwrap();
    (u["id"].as_i64().unwrap(), app.client_for(&token))
}

/// `POST /api/v1/users/me/feed-token` for the client's user: (url, webcal).
async fn feed_token(app: &TestApp, client: &reqwest::Client) -> (String, String) {
    let r = client
        .post(app.url("/api/v1/users/me/feed-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let v: Value = r.json().await.unwrap();
    (
        v["url"].as_str().unwrap().to_string(),
        v["webcal"].as_str().unwrap().to_string(),
    )
}

fn secret_of(url: &str) -> String {
    url.rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches(".ics")
        .to_string()
}

async fn feed_by_secret_address_holds_the_deadlines(app: TestApp) {
    let a = import(&app, PURBALINGGA).await;
    let id = a["id"].as_i64().unwrap();
    let (url, webcal) = feed_token(&app, &app.client).await;
    // The address is the one the request came to; webcal:// is the same.
    let host = app.base.trim_start_matches("http://");
    assert!(url.starts_with(&format!("{}/kalender/", app.base)), "{url}");
    assert!(url.ends_with(".ics"), "{url}");
    assert_eq!(webcal, url.replace("http://", "webcal://"));
    assert!(webcal.starts_with(&format!("webcal://{host}/kalender/")));
    let secret = secret_of(&url);
    assert!(secret.len() >= 22, "at least 128 bits: {secret}");
    assert!(
        secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "URL-safe: {secret}"
    );

    let events = subscribe(&url).await;
    let deadlines = open_deadlines(&app, id).await;
    for kind in ["renewal_request", "semester_report"] {
        assert!(
            deadlines.iter().any(|(_, k, _)| k == kind),
            "the seed has an open {kind}: {deadlines:?}"
        );
    }
    for (uid, kind, due) in &deadlines {
        let e = events
            .get(uid)
            .unwrap_or_else(|| panic!("{kind} {uid} not in the feed: {:?}", events.keys()));
        assert_eq!(e.date, *due, "{uid}");
        assert_eq!(e.sequence, 0, "{uid}: first served");
        assert!(
            e.summary
                .contains("Dinas Koperasi Usaha Kecil dan Menengah Kabupaten Purbalingga"),
            "{}",
            e.summary
        );
        assert!(e.description.contains("Kewajiban: "), "{}", e.description);
    }
    assert_eq!(events.len(), deadlines.len(), "{:?}", events.keys());

    // The same feed as the signed-in one.
    let signed_in = parse(&app.fetch("/api/v1/obligations.ics").await.text());
    let mut a: Vec<_> = signed_in.keys().collect();
    let mut b: Vec<_> = events.keys().collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);

    // Only the SHA-256 of the secret is stored, and the audit trail records
    // the change without it.
    let mut conn = app.pool.get().unwrap();
    use sepakat::store::schema::{audit_log, feed_tokens};
    let hashes: Vec<String> = feed_tokens::table
        .select(feed_tokens::token_hash)
        .load(&mut conn)
        .unwrap();
    assert_eq!(hashes, vec![sepakat::auth::feed::hash(&secret)]);
    assert!(hashes.iter().all(|h| !h.contains(&secret)));
    let trail: Vec<(String, String, String, Option<i64>, String)> = audit_log::table
        .select((
            audit_log::actor,
            audit_log::action,
            audit_log::entity,
            audit_log::entity_id,
            audit_log::changes,
        ))
        .load(&mut conn)
        .unwrap();
    assert!(trail.iter().all(|(.., changes)| !changes.contains(&secret)));
    let (actor, _, _, _, changes) = trail
        .iter()
        .find(|(_, action, entity, _, changes)| {
            action == "create" && entity == "user" && changes.contains("feed_token")
        })
        .expect("the feed token in the audit trail");
    assert_eq!(actor, "admin");
    let changes: Value = serde_json::from_str(changes).unwrap();
    assert!(changes["feed_token"]["before"].is_null(), "{changes}");
    assert!(
        changes["feed_token"]["after"]["issued_at"].is_string(),
        "{changes}"
    );
}

async fn feed_shows_what_its_owner_may_see(app: TestApp) {
    let p = import(&app, PURBALINGGA).await;
    let b = import(&app, BANDUNG).await;
    let (pid, bid) = (p["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    let agency = p["parties"][1]["institution"]["id"].as_i64().unwrap();
    let office = b["parties"][0]["institution"]["id"].as_i64().unwrap();

    let (_, opd) = user(&app, "opd.kalender", "opd", agency).await;
    let (url, _) = feed_token(&app, &opd).await;
    let events = subscribe(&url).await;
    assert!(!events.is_empty());
    for uid in events.keys() {
        assert!(uid.starts_with(&format!("{pid}-")), "OPD sees {uid}");
    }
    let expected: Vec<String> = open_deadlines(&app, pid)
        .await
        .into_iter()
        .map(|(u, ..)| u)
        .collect();
    assert_eq!(events.len(), expected.len());

    let (_, legal) = user(&app, "hukum.bandung", "legal", office).await;
    let (url, _) = feed_token(&app, &legal).await;
    let events = subscribe(&url).await;
    assert!(!events.is_empty());
    for uid in events.keys() {
        assert!(
            uid.starts_with(&format!("{bid}-")),
            "Bandung legal sees {uid}"
        );
    }

    // The admin sees both; nobody's NIK or phone number is in any feed.
    let (url, _) = feed_token(&app, &app.client).await;
    let text = reqwest::get(&url).await.unwrap().text().await.unwrap();
    let events = parse(&text);
    assert!(events.keys().any(|u| u.starts_with(&format!("{pid}-"))));
    assert!(events.keys().any(|u| u.starts_with(&format!("{bid}-"))));
    let mut personal = vec![];
    for doc in [&p, &b] {
        collect(doc, &mut personal);
    }
    assert!(!personal.is_empty());
    let unfolded = text.replace("\r\n ", "");
    for value in personal {
        assert!(!unfolded.contains(&value), "{value} in the feed");
    }
}

/// Every `nik` and `phone` value in a JSON document.
fn collect(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("nik" | "phone", Value::String(s)) if s.len() >= 8 => out.push(s.clone()),
                    _ => collect(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        _ => {}
    }
}

async fn date_change_raises_sequence_and_keeps_uid(app: TestApp) {
    let a = import(&app, PURBALINGGA).await;
    let id = a["id"].as_i64().unwrap();
    let (url, _) = feed_token(&app, &app.client).await;
    let renewal = |d: &[(String, String, NaiveDate)]| {
        d.iter()
            .find(|(_, k, _)| k == "renewal_request")
            .cloned()
            .expect("an open renewal request")
    };
    let (uid, _, due) = renewal(&open_deadlines(&app, id).await);
    let before = subscribe(&url).await;
    assert_eq!(before[&uid].date, due);
    assert_eq!(before[&uid].sequence, 0);

    // Expiry one month later: the renewal deadline moves with it.
    let (status, v) = app
        .patch(
            &format!("/api/v1/agreements/{id}"),
            &json!({"expires_on": "2027-10-16"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (moved_uid, _, moved) = renewal(&open_deadlines(&app, id).await);
    assert_eq!(moved_uid, uid, "the UID is stable");
    assert_ne!(moved, due);

    let after = subscribe(&url).await;
    assert_eq!(after[&uid].date, moved);
    assert_eq!(after[&uid].sequence, 1, "the date changed");
    for (other, e) in &after {
        if let Some(old) = before.get(other) {
            if old.date == e.date {
                assert_eq!(e.sequence, old.sequence, "{other} did not move");
            }
        }
    }
    // Served again unchanged: the sequence stays.
    let again = subscribe(&url).await;
    assert_eq!(again[&uid].sequence, 1);
    // The signed-in feed shows the same sequence.
    let signed_in = parse(&app.fetch("/api/v1/obligations.ics").await.text());
    assert_eq!(signed_in[&uid].sequence, 1);

    // And back: a second change raises it again.
    let (status, _) = app
        .patch(
            &format!("/api/v1/agreements/{id}"),
            &json!({"expires_on": "2027-09-16"}),
        )
        .await;
    assert_eq!(status, 200);
    let back = subscribe(&url).await;
    assert_eq!(back[&uid].date, due);
    assert_eq!(back[&uid].sequence, 2);
}

async fn old_and_revoked_addresses_answer_one_404(app: TestApp) {
    import(&app, PURBALINGGA).await;
    let (first, _) = feed_token(&app, &app.client).await;
    assert_eq!(fetch(&first).await.0, 200);
    let (second, _) = feed_token(&app, &app.client).await;
    assert_ne!(first, second, "a new secret each time");

    let answers = [
        // replaced by a new one
        fetch(&first).await,
        // unknown, well formed
        fetch(&app.url(&format!("/kalender/{}.ics", "A".repeat(43)))).await,
        // malformed
        fetch(&app.url("/kalender/bukan-token.ics")).await,
        fetch(&app.url("/kalender/%2E%2E.ics")).await,
        fetch(&app.url(&format!("/kalender/{}", secret_of(&second)))).await,
    ];
    let (status, ct, body) = &answers[0];
    assert_eq!(*status, 404);
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    assert!(body.contains("alamat kalender ini tidak berlaku"), "{body}");
    for (i, answer) in answers.iter().enumerate() {
        assert_eq!(answer, &answers[0], "answer {i}");
    }
    assert_eq!(fetch(&second).await.0, 200, "the new address works");

    // Revoked: the same 404; revoking again is no error.
    assert_eq!(app.delete("/api/v1/users/me/feed-token").await, 204);
    assert_eq!(fetch(&second).await, answers[0]);
    assert_eq!(app.delete("/api/v1/users/me/feed-token").await, 204);
    {
        use sepakat::store::schema::{audit_log, feed_tokens};
        let mut conn = app.pool.get().unwrap();
        let n: i64 = feed_tokens::table.count().get_result(&mut conn).unwrap();
        assert_eq!(n, 0);
        let deleted: Vec<String> = audit_log::table
            .filter(audit_log::action.eq("delete"))
            .filter(audit_log::entity.eq("user"))
            .select(audit_log::changes)
            .load(&mut conn)
            .unwrap();
        assert!(
            deleted.iter().any(|c| c.contains("feed_token")),
            "revocation in the audit trail: {deleted:?}"
        );
    }

    // A disabled owner's address answers the same; enabled again, it works.
    let agency = {
        let (_, v) = app.get("/api/v1/agreements?limit=1").await;
        let id = v["items"][0]["id"].as_i64().unwrap();
        let (_, a) = app.get(&format!("/api/v1/agreements/{id}")).await;
        a["parties"][1]["institution"]["id"].as_i64().unwrap()
    };
    let (uid, opd) = user(&app, "opd.nonaktif", "opd", agency).await;
    let (url, _) = feed_token(&app, &opd).await;
    assert_eq!(fetch(&url).await.0, 200);
    let (status, _) = app
        .patch(&format!("/api/v1/users/{uid}"), &json!({"disabled": true}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(fetch(&url).await, answers[0]);
    let (status, _) = app
        .patch(&format!("/api/v1/users/{uid}"), &json!({"disabled": false}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(fetch(&url).await.0, 200);

    // The subscription needs a signed-in user.
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/users/me/feed-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

/// Behind a proxy the links carry `SEPAKAT_PUBLIC_URL`, not the address the
/// request came to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_use_the_configured_public_address() {
    let app = TestApp::spawn_with(Db::Sqlite, |s| {
        s.with_public_url(Some("https://sepakat.dukcapil.example.go.id/"))
            .unwrap()
    })
    .await
    .unwrap();
    let (url, webcal) = feed_token(&app, &app.client).await;
    let secret = secret_of(&url);
    assert_eq!(
        url,
        format!("https://sepakat.dukcapil.example.go.id/kalender/{secret}.ics")
    );
    assert_eq!(
        webcal,
        format!("webcal://sepakat.dukcapil.example.go.id/kalender/{secret}.ics")
    );
    // The secret works at this server under its own address.
    subscribe(&app.url(&format!("/kalender/{secret}.ics"))).await;

    for bad in [
        "sepakat.example.go.id",
        "ftp://x",
        "https://",
        "https://a b",
    ] {
        let state = sepakat::http::AppState::new(app.pool.clone(), 1024).unwrap();
        assert!(state.with_public_url(Some(bad)).is_err(), "{bad}");
    }
}

/// A date counted through a year whose holiday decree is not loaded is an
/// estimate, and its event says so; the others do not.
async fn provisional_dates_say_so(app: TestApp) {
    let a = import(&app, PURBALINGGA).await;
    let id = a["id"].as_i64().unwrap();
    // Two more years: reports due in 2028 and 2029, years without a decree.
    let (status, v) = app
        .patch(
            &format!("/api/v1/agreements/{id}"),
            &json!({"expires_on": "2029-09-16"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = app
        .get(&format!("/api/v1/agreements/{id}/obligations"))
        .await;
    assert_eq!(status, 200);
    let provisional: HashMap<String, bool> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["due_on"].is_string())
        .filter(|o| !matches!(o["state"].as_str(), Some("fulfilled" | "waived")))
        .map(|o| {
            (
                event_uid(id, o["key"].as_str().unwrap()),
                o["provisional"].as_bool().expect("provisional"),
            )
        })
        .collect();
    assert!(provisional.values().any(|p| *p), "{v}");
    assert!(provisional.values().any(|p| !*p), "{v}");
    let (url, _) = feed_token(&app, &app.client).await;
    let events = subscribe(&url).await;
    for (uid, p) in provisional {
        let e = &events[&uid];
        let note = "Tanggal perkiraan: keputusan bersama hari libur tahun itu belum dimuat.";
        assert_eq!(
            e.summary.ends_with(" (perkiraan)"),
            p,
            "{uid}: {}",
            e.summary
        );
        assert_eq!(
            e.description.lines().any(|l| l == note),
            p,
            "{uid}: {}",
            e.description
        );
    }
}
