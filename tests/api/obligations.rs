//! Obligations over HTTP: per agreement, across agreements, the dashboard,
//! waivers, fulfilment by records, SAM returns and the holiday table.

use serde_json::{json, Value};

use crate::helpers::{example, example_numbered, on_both, TestApp};

on_both!(
    obligations_follow_records_and_dates,
    list_and_dashboard_across_agreements,
    waiver_and_sam_return,
    holidays_are_editable_and_move_deadlines,
    calendar_feed_has_one_event_per_open_deadline,
);

async fn calendar_feed_has_one_event_per_open_deadline(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let opd = a["parties"][1]["institution"]["id"].as_i64().unwrap();
    let r = app
        .fetch(&format!("/api/v1/obligations.ics?institution={opd}"))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "text/calendar; charset=utf-8");
    let ics = r.text();
    let unfolded = ics.replace("\r\n ", "");
    let (_, o) = app
        .get(&format!("/api/v1/agreements/{}/obligations", a["id"]))
        .await;
    let open = o["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["due_on"].is_string() && o["state"] != "fulfilled" && o["state"] != "waived")
        .count();
    assert_eq!(unfolded.matches("BEGIN:VEVENT").count(), open);
    assert_eq!(unfolded.matches("BEGIN:VALARM").count(), open);
    assert!(
        unfolded
            .contains("SUMMARY:Batas laporan semester (Semester 1 Tahun 2027) — Dinas Koperasi"),
        "{unfolded}"
    );
    assert!(unfolded.contains("UID:1-report:2027:1@sepakat"));
    let (_, other) = app.get("/api/v1/obligations.ics?institution=999").await;
    assert_eq!(other.as_str().unwrap().matches("BEGIN:VEVENT").count(), 0);
}

fn state_of<'a>(items: &'a Value, key: &str) -> &'a Value {
    items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["key"] == key)
        .unwrap_or_else(|| panic!("{key} in {items}"))
}

async fn obligations_follow_records_and_dates(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let id = a["id"].as_i64().unwrap();
    let url = |d: &str| format!("/api/v1/agreements/{id}/obligations?as_of={d}");
    let (s, o) = app.get(&url("2026-01-05")).await;
    assert_eq!(s, 200);
    assert_eq!(state_of(&o, "report:2025:2")["state"], "due_soon");
    assert_eq!(state_of(&o, "report:2025:2")["due_on"], "2026-01-15");
    assert_eq!(state_of(&o, "iso27001")["state"], "pending");
    assert_eq!(
        state_of(&o, "nda:ARIS SATRIA")["state"],
        "overdue",
        "the Juknis PIC has no NDA"
    );
    assert_eq!(state_of(&o, "sptjm")["state"], "fulfilled");
    assert_eq!(o["at_risk"], false);
    let (_, late) = app.get(&url("2026-04-16")).await;
    assert_eq!(late["at_risk"], true, "S2 2025 more than three months late");
    // Recording the report fulfils it from its date on.
    let (s, _) = app
        .post(
            &format!("/api/v1/agreements/{id}/reports"),
            &json!({"year": 2025, "semester": 2, "submitted_on": "2026-01-12"}),
        )
        .await;
    assert_eq!(s, 201);
    let (_, o) = app.get(&url("2026-04-16")).await;
    assert_eq!(state_of(&o, "report:2025:2")["state"], "fulfilled");
    assert_eq!(
        state_of(&o, "report:2025:2")["fulfilled_by"]["collection"],
        "reports"
    );
    assert_eq!(o["at_risk"], false);
    let (_, o) = app.get(&url("2026-01-10")).await;
    assert_eq!(
        state_of(&o, "report:2025:2")["state"],
        "due_soon",
        "not yet sent as of the 10th"
    );
    let (s, _) = app
        .post(
            &format!("/api/v1/agreements/{id}/statements"),
            &json!({"kind": "nda", "signed_on": "2025-09-20", "signer": {"name": "ARIS SATRIA"}}),
        )
        .await;
    assert_eq!(s, 201);
    let (_, o) = app.get(&url("2026-01-05")).await;
    assert_eq!(state_of(&o, "nda:ARIS SATRIA")["state"], "fulfilled");
    // The whole agreement carries them too.
    let (_, whole) = app
        .get(&format!("/api/v1/agreements/{id}?as_of=2026-01-05"))
        .await;
    assert!(whole["obligations"].as_array().unwrap().len() >= 8);
}

async fn list_and_dashboard_across_agreements(app: TestApp) {
    for n in 0..3 {
        let mut doc = example_numbered(
            &format!("400.12/{}/2025", 100 + n),
            &format!("518/{}/IX/2025", 200 + n),
        );
        if n == 2 {
            doc["reports"] = json!([{"year": 2025, "semester": 2, "submitted_on": "2026-01-10"}]);
        }
        let (s, b) = app.post("/api/v1/agreements", &doc).await;
        assert_eq!(s, 201, "{b}");
    }
    let (s, list) = app
        .get("/api/v1/obligations?as_of=2026-05-01&kind=semester_report&state=overdue")
        .await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["total"], 2);
    assert!(list["items"][0]["title"]
        .as_str()
        .unwrap()
        .starts_with("Pemanfaatan"));
    assert_eq!(list["items"][0]["at_risk"], true);
    let (_, soon) = app
        .get("/api/v1/obligations?as_of=2026-06-20&due_within_days=30")
        .await;
    // S1 2026 reports are due 14 July: within 30 days of 20 June, plus everything overdue.
    let keys: Vec<&str> = soon["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.iter().filter(|k| **k == "report:2026:1").count(), 3);
    assert!(!keys.contains(&"report:2026:2"));
    let (_, page) = app
        .get("/api/v1/obligations?as_of=2026-06-20&limit=2&offset=1")
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let (s, bad) = app.get("/api/v1/obligations?state=telat").await;
    assert_eq!(s, 400);
    assert!(bad["detail"].as_str().unwrap().contains("overdue"));

    let (s, dash) = app.get("/api/v1/dashboard?as_of=2026-05-01").await;
    assert_eq!(s, 200, "{dash}");
    assert_eq!(dash["agreements"]["active"], 3);
    assert_eq!(dash["at_risk"]["total"], 2);
    assert_eq!(
        dash["obligations"]["by_kind"]["semester_report"]["overdue"],
        2
    );
    assert_eq!(
        dash["obligations"]["by_kind"]["semester_report"]["fulfilled"],
        1
    );
    assert_eq!(dash["next_deadlines"][0]["key"], "report:2026:1");
    // A change shows at once, not from a stale cache.
    let (_, first) = app.get("/api/v1/agreements?limit=1").await;
    let id = first["items"][0]["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/agreements/{id}/reports"),
        &json!({"year": 2025, "semester": 2, "submitted_on": "2026-01-11"}),
    )
    .await;
    let (_, dash) = app.get("/api/v1/dashboard?as_of=2026-05-01").await;
    assert_eq!(dash["at_risk"]["total"], 1);
}

async fn waiver_and_sam_return(app: TestApp) {
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let id = a["id"].as_i64().unwrap();
    let (s, w) = app
        .put(
            &format!("/api/v1/agreements/{id}/obligations/report:2025:2/waiver"),
            &json!({"reason": "akses baru aktif Desember"}),
        )
        .await;
    assert_eq!(s, 200, "{w}");
    let (_, o) = app
        .get(&format!(
            "/api/v1/agreements/{id}/obligations?as_of=2026-06-01"
        ))
        .await;
    assert_eq!(state_of(&o, "report:2025:2")["state"], "waived");
    assert_eq!(
        state_of(&o, "report:2025:2")["waiver_reason"],
        "akses baru aktif Desember"
    );
    let (s, _) = app
        .put(
            &format!("/api/v1/agreements/{id}/obligations/report:2030:1/waiver"),
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .put(
            &format!("/api/v1/agreements/{id}/obligations/iso27001/waiver"),
            &json!({"reason": " "}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(
        app.delete(&format!(
            "/api/v1/agreements/{id}/obligations/report:2025:2/waiver"
        ))
        .await,
        204
    );
    let (_, o) = app
        .get(&format!(
            "/api/v1/agreements/{id}/obligations?as_of=2026-06-01"
        ))
        .await;
    assert_eq!(state_of(&o, "report:2025:2")["state"], "overdue");

    let (_, o) = app
        .get(&format!(
            "/api/v1/agreements/{id}/obligations?as_of=2027-10-01"
        ))
        .await;
    assert_eq!(
        state_of(&o, "sam_return")["state"],
        "overdue",
        "card reader, expired, not renewed"
    );
    let (s, r) = app
        .put(
            &format!("/api/v1/agreements/{id}/sam-return"),
            &json!({"returned_on": "2027-09-20"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (_, o) = app
        .get(&format!(
            "/api/v1/agreements/{id}/obligations?as_of=2027-10-01"
        ))
        .await;
    assert_eq!(state_of(&o, "sam_return")["state"], "fulfilled");
}

async fn holidays_are_editable_and_move_deadlines(app: TestApp) {
    let (_, h) = app.get("/api/v1/holidays?year=2026").await;
    assert_eq!(h["items"].as_array().unwrap().len(), 25);
    let (_, a) = app.post("/api/v1/agreements", &example()).await;
    let id = a["id"].as_i64().unwrap();
    let due = |o: &Value| state_of(o, "report:2026:1")["due_on"].clone();
    let (_, before) = app
        .get(&format!(
            "/api/v1/agreements/{id}/obligations?as_of=2026-06-01"
        ))
        .await;
    assert_eq!(due(&before), "2026-07-14");
    let (s, _) = app
        .put(
            "/api/v1/holidays/2026-07-03",
            &json!({"kind": "cuti_bersama", "name": "Cuti Bersama Uji"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, after) = app
        .get(&format!(
            "/api/v1/agreements/{id}/obligations?as_of=2026-06-01"
        ))
        .await;
    assert_eq!(due(&after), "2026-07-15");
    let (s, _) = app
        .put(
            "/api/v1/holidays/2026-07-40",
            &json!({"kind": "cuti_bersama", "name": "X"}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .put(
            "/api/v1/holidays/2026-07-06",
            &json!({"kind": "libur", "name": "X"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(app.delete("/api/v1/holidays/2026-07-03").await, 204);
    let (_, back) = app
        .get(&format!(
            "/api/v1/agreements/{id}/obligations?as_of=2026-06-01"
        ))
        .await;
    assert_eq!(due(&back), "2026-07-14");
}
