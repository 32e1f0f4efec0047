//! Drafting over the API (issue 14): renewal and adendum drafts started from a
//! signed agreement, each save a version, the comparison of two versions,
//! the stages and their rights, and the signing that ends drafting.

use sepakat::domain::catalog::Role;
use serde_json::{json, Value};

use crate::helpers::{get_with, on_both, published_example, send_with, TestApp};

on_both!(
    a_renewal_holds_the_old_content_and_no_old_numbers,
    two_versions_differ_in_exactly_what_was_changed,
    a_protected_element_is_refused_and_nothing_saved,
    stages_take_their_rights_and_approval_waits_for_the_findings,
    an_adendum_is_compared_with_what_it_amends,
    agency_names_are_suggested_past_the_offices,
);

/// The PKS as printed (no e-mail of the agency), imported; its id.
async fn signed_pks(app: &TestApp) -> i64 {
    let (s, v) = app.post("/api/v1/agreements", &published_example()).await;
    assert_eq!(s, 201, "{v}");
    v["id"].as_i64().unwrap()
}

async fn renewal_of(app: &TestApp, id: i64) -> Value {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/agreements/{id}/renewal-draft")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let v: Value = r.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/agreements/{}", v["id"]));
    v
}

async fn versions(app: &TestApp, id: i64) -> Vec<Value> {
    let (s, v) = app.get(&format!("/api/v1/agreements/{id}/versions")).await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().unwrap().clone()
}

async fn a_renewal_holds_the_old_content_and_no_old_numbers(app: TestApp) {
    let old_id = signed_pks(&app).await;
    let (_, old) = app.get(&format!("/api/v1/agreements/{old_id}")).await;
    let new = renewal_of(&app, old_id).await;
    assert_eq!(new["kind"], "pks");
    assert_eq!(new["status"], "draft");
    assert_eq!(new["stage"], "draf");
    assert_eq!(new["renews_id"], old_id);
    // The same parties, scope, bases, data balikan, Juknis contacts and applications…
    for side in 0..2 {
        assert_eq!(
            new["parties"][side]["institution"]["id"],
            old["parties"][side]["institution"]["id"]
        );
        assert_eq!(
            new["parties"][side]["signatory"]["name"],
            old["parties"][side]["signatory"]["name"]
        );
    }
    let strip_ids = |v: &Value| -> Value {
        let mut v = v.clone();
        for s in v.as_array_mut().unwrap() {
            s.as_object_mut().unwrap().remove("id");
        }
        v
    };
    assert_eq!(strip_ids(&new["access"]), strip_ids(&old["access"]));
    assert_eq!(new["legal_bases"], old["legal_bases"]);
    assert_eq!(new["return_data"], old["return_data"]);
    assert_eq!(new["juknis"]["contacts"], old["juknis"]["contacts"]);
    assert_eq!(
        strip_ids(&new["applications"]),
        strip_ids(&old["applications"])
    );
    // …and none of its dates, numbers or what was recorded under it.
    assert!(new.get("signed_on").is_none() && new.get("expires_on").is_none());
    assert!(new["juknis"].get("number").is_none() && new["juknis"].get("date").is_none());
    assert!(new.get("approval_letter").is_none());
    assert_eq!(new["statements"], json!([]));
    assert_eq!(new["reports"], json!([]));
    assert_eq!(new["obligations"], json!([]));
    let text = new.to_string();
    let numbers = [
        old["parties"][0]["number"].as_str().unwrap(),
        old["parties"][1]["number"].as_str().unwrap(),
        old["juknis"]["number"].as_str().unwrap(),
        old["approval_letter"]["number"].as_str().unwrap(),
    ];
    for n in numbers {
        assert!(!text.contains(n), "the renewal carries the old number {n}");
    }
    let v = versions(&app, new["id"].as_i64().unwrap()).await;
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["number"], 1);
    assert_eq!(v[0]["actor"], "admin");
    assert!(
        v[0]["note"].as_str().unwrap().contains("perpanjangan"),
        "{v:?}"
    );
    // A draft is not renewed: it is edited.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/agreements/{}/renewal-draft", new["id"])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    // Another office's legal staff do not see the PKS at all.
    let (_, other) = app
        .post(
            "/api/v1/institutions",
            &json!({"name": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Banyumas", "kind": "dukcapil_kabupaten_kota"}),
        )
        .await;
    app.add_user("hukum.lain", Role::Legal, other["id"].as_i64());
    let c = app.client_of("hukum.lain").await;
    let (s, _) = send_with(
        &c,
        reqwest::Method::POST,
        app.url(&format!("/api/v1/agreements/{old_id}/renewal-draft")),
        &json!({}),
    )
    .await;
    assert_eq!(s, 404);
}

async fn two_versions_differ_in_exactly_what_was_changed(app: TestApp) {
    let old_id = signed_pks(&app).await;
    let new = renewal_of(&app, old_id).await;
    let id = new["id"].as_i64().unwrap();
    // Two elements dropped and the quota raised, in one save.
    let mut access = new["access"].clone();
    let before: Vec<String> = access[0]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    assert_eq!(before.len(), 8, "the example grants eight elements");
    let kept: Vec<&String> = before
        .iter()
        .filter(|e| *e != "jenis_pekerjaan" && *e != "status_perkawinan")
        .collect();
    access[0]["elements"] = json!(kept);
    access[0]["daily_quota"] = json!(500);
    access[0].as_object_mut().unwrap().remove("id");
    let (s, v) = app
        .patch(
            &format!("/api/v1/agreements/{id}"),
            &json!({"access": access}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let list = versions(&app, id).await;
    let numbers: Vec<i64> = list.iter().map(|v| v["number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, vec![2, 1], "newest first");
    let (s, d) = app
        .get(&format!("/api/v1/agreements/{id}/versions/1/diff/2"))
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["fields"], json!([]), "nothing but the scope changed: {d}");
    assert_eq!(
        d["scope"],
        json!([{
            "method": "web_portal",
            "added": [],
            "removed": ["status_perkawinan", "jenis_pekerjaan"],
            "quota": {"before": 200, "after": 500,
                      "unlimited_after_poc_before": true, "unlimited_after_poc_after": true},
        }])
    );
    let parts = d["text"].as_array().unwrap();
    let said = |op: &str| -> String {
        parts
            .iter()
            .filter(|p| p["op"] == op)
            .map(|p| p["text"].as_str().unwrap())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let (removed, added) = (said("removed"), said("added"));
    assert!(removed.contains("8 (delapan)"), "{removed}");
    assert!(added.contains("6 (enam)"), "{added}");
    assert!(removed.contains("200 (dua"), "{removed}");
    assert!(added.contains("500 (lima"), "{added}");
    // The text of each side is whole: the same and removed parts are
    // version 1, the same and added ones version 2.
    let side = |skip: &str| -> String {
        parts
            .iter()
            .filter(|p| p["op"] != skip)
            .map(|p| p["text"].as_str().unwrap())
            .collect()
    };
    let (a_text, b_text) = (side("added"), side("removed"));
    assert!(a_text.contains("8 (delapan) elemen") || a_text.contains("8 (delapan)"));
    assert_eq!(b_text.matches("8 (delapan)").count(), 0, "{b_text}");
    assert!(b_text.matches("6 (enam)").count() > a_text.matches("6 (enam)").count());
    // A version compared with itself, and with what it is now.
    let (_, same) = app
        .get(&format!("/api/v1/agreements/{id}/versions/2/diff/kini"))
        .await;
    assert_eq!(same["fields"], json!([]), "{same}");
    assert_eq!(same["scope"], json!([]));
    assert!(same["text"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["op"] == "same"));
    // Versions that do not exist.
    let (s, _) = app
        .get(&format!("/api/v1/agreements/{id}/versions/9/diff/1"))
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .get(&format!("/api/v1/agreements/{id}/versions/satu/diff/1"))
        .await;
    assert_eq!(s, 404);
}

async fn a_protected_element_is_refused_and_nothing_saved(app: TestApp) {
    let new = renewal_of(&app, signed_pks(&app).await).await;
    let id = new["id"].as_i64().unwrap();
    let mut access = new["access"].clone();
    access[0]["elements"]
        .as_array_mut()
        .unwrap()
        .push(json!("sidik_jari"));
    let (s, v) = app
        .patch(
            &format!("/api/v1/agreements/{id}"),
            &json!({"access": access}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["errors"][0]["pointer"], "/access/0/elements/8", "{v}");
    assert!(v["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Pasal 84"));
    assert_eq!(versions(&app, id).await.len(), 1, "nothing was saved");
    let (_, now) = app.get(&format!("/api/v1/agreements/{id}")).await;
    assert_eq!(now["access"], new["access"]);
}

async fn stage(app: &TestApp, c: &reqwest::Client, id: i64, body: Value) -> (u16, Value) {
    send_with(
        c,
        reqwest::Method::POST,
        app.url(&format!("/api/v1/agreements/{id}/stage")),
        &body,
    )
    .await
}

async fn stages_take_their_rights_and_approval_waits_for_the_findings(app: TestApp) {
    let old_id = signed_pks(&app).await;
    let (_, old) = app.get(&format!("/api/v1/agreements/{old_id}")).await;
    let office = old["parties"][0]["institution"]["id"].as_i64();
    let author = app.add_user("penyusun", Role::Legal, office);
    let approver = app.add_user("kabid", Role::Legal, office);
    app.add_user("pembaca", Role::Viewer, office);
    let writer = app.client_of("penyusun").await;
    let reader = app.client_of("pembaca").await;
    let (s, new) = send_with(
        &writer,
        reqwest::Method::POST,
        app.url(&format!("/api/v1/agreements/{old_id}/renewal-draft")),
        &json!({}),
    )
    .await;
    assert_eq!(s, 201, "{new}");
    let id = new["id"].as_i64().unwrap();

    // A viewer moves nothing; the author submits for review.
    assert_eq!(
        stage(&app, &reader, id, json!({"to": "ditinjau"})).await.0,
        403
    );
    let (s, v) = stage(&app, &writer, id, json!({"to": "disetujui"})).await;
    assert_eq!(s, 409, "approval skips review: {v}");
    let (s, v) = stage(&app, &writer, id, json!({"to": "ditinjau"})).await;
    assert_eq!((s, &v["stage"]), (200, &json!("ditinjau")), "{v}");
    // Approving is the approver's: not the author's, until the admin marks one.
    let (s, _) = stage(&app, &writer, id, json!({"to": "disetujui"})).await;
    assert_eq!(s, 403);
    let (s, u) = app
        .patch(
            &format!("/api/v1/users/{approver}"),
            &json!({"approver": true}),
        )
        .await;
    assert_eq!((s, &u["approver"]), (200, &json!(true)), "{u}");
    let (s, _) = app
        .patch(
            &format!("/api/v1/users/{author}"),
            &json!({"approver": false}),
        )
        .await;
    assert_eq!(s, 200);
    let boss = app.client_of("kabid").await;
    // The renewal has no end date yet: an error finding blocks approval.
    let (s, v) = stage(&app, &boss, id, json!({"to": "disetujui"})).await;
    assert_eq!(s, 422, "{v}");
    let pointers: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, vec!["/expires_on"], "{v}");
    // Sending back needs its reason.
    let (s, v) = stage(&app, &boss, id, json!({"to": "draf"})).await;
    assert_eq!(
        (s, &v["errors"][0]["pointer"]),
        (422, &json!("/note")),
        "{v}"
    );
    let (s, _) = send_with(
        &writer,
        reqwest::Method::PATCH,
        app.url(&format!("/api/v1/agreements/{id}")),
        &json!({"expires_on": "2029-12-15", "signed_place": "Purbalingga"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, v) = stage(
        &app,
        &boss,
        id,
        json!({"to": "disetujui", "note": "sesuai"}),
    )
    .await;
    assert_eq!((s, &v["stage"]), (200, &json!("disetujui")), "{v}");

    // A change to the approved draft sends it back to review.
    let (s, v) = send_with(
        &writer,
        reqwest::Method::PATCH,
        app.url(&format!("/api/v1/agreements/{id}")),
        &json!({"purpose": "verifikasi data anggota koperasi"}),
    )
    .await;
    assert_eq!((s, &v["stage"]), (200, &json!("ditinjau")), "{v}");
    let (_, h) = app.get(&format!("/api/v1/agreements/{id}/history")).await;
    let stages: Vec<&Value> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "stage")
        .collect();
    assert_eq!(stages.len(), 3, "{h}");
    assert_eq!(stages[0]["actor"], "penyusun", "the change moved it: {h}");
    let (s, _) = stage(&app, &boss, id, json!({"to": "disetujui"})).await;
    assert_eq!(s, 200);

    // The signing: both letter numbers are needed.
    let sign = |numbers: bool| {
        let mut parties = v["parties"].clone();
        if numbers {
            parties[0]["number"] = json!("400.12/3001/2027");
            parties[1]["number"] = json!("518/3001/I/2027");
        }
        json!({"signed_on": "2027-01-04", "parties": parties})
    };
    let (s, e) = send_with(
        &writer,
        reqwest::Method::PATCH,
        app.url(&format!("/api/v1/agreements/{id}")),
        &sign(false),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"][0]["pointer"], "/parties/0/number");
    let (s, signed) = send_with(
        &writer,
        reqwest::Method::PATCH,
        app.url(&format!("/api/v1/agreements/{id}?as_of=2027-01-04")),
        &sign(true),
    )
    .await;
    assert_eq!(s, 200, "{signed}");
    assert!(signed.get("stage").is_none(), "{signed}");
    let (_, active) = get_with(
        &writer,
        app.url(&format!("/api/v1/agreements/{id}?as_of=2027-01-05")),
    )
    .await;
    assert_eq!(active["status"], "active");
    let kinds: Vec<&str> = active["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"semester_report") && kinds.contains(&"iso27001"),
        "{kinds:?}"
    );
    // The old PKS is renewed from the day the new one is signed.
    let (_, was) = app
        .get(&format!("/api/v1/agreements/{old_id}?as_of=2027-01-05"))
        .await;
    assert_eq!(was["status"], "renewed");
    // Signed: the stage is over.
    let (s, _) = stage(&app, &boss, id, json!({"to": "draf", "note": "x"})).await;
    assert_eq!(s, 409);
    let last = versions(&app, id).await;
    assert_eq!(
        last.len(),
        4,
        "created, end date, purpose, signing: {last:?}"
    );
}

async fn an_adendum_is_compared_with_what_it_amends(app: TestApp) {
    let pks = signed_pks(&app).await;
    let r = app
        .client
        .post(app.url(&format!("/api/v1/agreements/{pks}/adendum-draft")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let add: Value = r.json().await.unwrap();
    assert_eq!(add["kind"], "adendum");
    assert_eq!(add["amends"]["id"], pks);
    assert!(add["title"].as_str().unwrap().starts_with("Adendum "));
    let id = add["id"].as_i64().unwrap();
    // The adendum adds an element and the web service.
    let mut access = add["access"].clone();
    access[0]["elements"]
        .as_array_mut()
        .unwrap()
        .push(json!("agama"));
    access
        .as_array_mut()
        .unwrap()
        .push(json!({"method": "web_service", "elements": ["nik", "nama_lengkap"]}));
    let (s, v) = app
        .patch(
            &format!("/api/v1/agreements/{id}"),
            &json!({"access": access}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, d) = app
        .get(&format!("/api/v1/agreements/{id}/versions/asal/diff/kini"))
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["a"], format!("PKS yang diubah (#{pks})"));
    let scope = d["scope"].as_array().unwrap();
    assert_eq!(scope.len(), 2, "{d}");
    assert_eq!(scope[0]["method"], "web_portal");
    assert_eq!(scope[0]["added"], json!(["agama"]));
    assert_eq!(scope[0]["removed"], json!([]));
    assert_eq!(scope[1]["method"], "web_service");
    assert_eq!(scope[1]["added"], json!(["nik", "nama_lengkap"]));
    // What the adendum is besides: its kind, title and reference.
    let fields: Vec<&str> = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"/kind") && fields.contains(&"/title"),
        "{fields:?}"
    );
    // A PKS compared with its origin when it has none.
    let (s, _) = app
        .get(&format!("/api/v1/agreements/{pks}/versions/asal/diff/kini"))
        .await;
    assert_eq!(s, 404);
    // A draft is not amended.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/agreements/{id}/adendum-draft")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
}

/// The draft form's agency field suggests agencies as their name is typed,
/// never Dukcapil offices, even where offices of the same words come first
/// (a registry holds one per regency, and agencies are "Dinas …" too).
async fn agency_names_are_suggested_past_the_offices(app: TestApp) {
    for n in 1..=40 {
        let name = format!("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Uji {n}");
        let (s, v) = app
            .post(
                "/api/v1/institutions",
                &json!({"name": name, "kind": "dukcapil_kabupaten_kota"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
    }
    let (s, v) = app
        .post(
            "/api/v1/institutions",
            &json!({"name": "Dinas Kesehatan Kabupaten Uji", "kind": "opd"}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let session = crate::portal::session_of(&app, "admin", crate::helpers::ADMIN_PASSWORD).await;
    let (status, options) = app.page(&session, "/perjanjian/instansi?nama=dinas").await;
    assert_eq!(status, 200);
    assert!(
        options.contains("<option value=\"Dinas Kesehatan Kabupaten Uji\">"),
        "the agency is suggested: {options}"
    );
    assert!(
        !options.contains("Kependudukan"),
        "no Dukcapil office is suggested: {options}"
    );
}
