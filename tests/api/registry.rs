//! End-to-end tests of the registry over HTTP, on SQLite and PostgreSQL.

use serde_json::{json, Value};

use crate::helpers::{
    agreement_files, assert_contains, example, example_numbered, on_both, published_example,
    read_json, TestApp,
};

on_both!(
    health_answers,
    every_seed_and_example_round_trips,
    invalid_input_is_refused_and_writes_nothing,
    malformed_and_oversized_bodies,
    import_reuses_institutions_and_people,
    list_filters_and_pages,
    patch_changes_only_named_fields,
    nested_records_have_their_own_endpoints,
    signed_agreement_cannot_be_deleted,
    adendum_renews_its_pks,
    institutions_and_people_crud,
    parties_come_back_with_their_parent_office,
    long_lists_are_stored_whole,
    unknown_routes_and_ids_are_problems,
);

async fn health_answers(app: TestApp) {
    let (status, body) = app.get("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
}

async fn every_seed_and_example_round_trips(app: TestApp) {
    let files = agreement_files();
    assert!(files.len() >= 5, "seeds and examples present: {files:?}");
    let mut docs: Vec<(String, Value)> = files
        .iter()
        .map(|f| (f.display().to_string(), read_json(f)))
        .collect();
    // The shared example and its seed copy are the same agreement; import it once.
    docs.retain(|(name, _)| {
        !name.contains("tests/fixtures") || !name.ends_with("pks-purbalingga-dinkopukm-2025.json")
    });
    docs.sort_by_key(|(_, d)| d["kind"] == "adendum");
    for (name, doc) in &docs {
        let (status, created) = app.post("/api/v1/agreements", doc).await;
        assert_eq!(status, 201, "{name}: {created}");
        let id = created["id"].as_i64().unwrap();
        let (status, back) = app.get(&format!("/api/v1/agreements/{id}")).await;
        assert_eq!(status, 200);
        assert_contains(&back, doc, name);
        assert!(back["status"].is_string());
        assert!(back["created_at"].is_string());
    }
    // The shared example itself is accepted unchanged by a fresh import too.
    let (status, body) = app.post("/api/v1/agreements", &published_example()).await;
    assert!(status == 201 || status == 409, "{body}");
}

/// Sets a value at a JSON pointer inside a copy of the example.
fn with(pointer: &str, value: Value) -> Value {
    let mut doc = example();
    *doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} in example")) = value;
    doc
}

async fn invalid_input_is_refused_and_writes_nothing(app: TestApp) {
    let cases = [
        (
            with("/parties/1/signatory/nik", json!("3303051913670007")),
            "/parties/1/signatory/nik",
            "NIK",
        ),
        (
            with("/parties/1/signatory/nik", json!("12345")),
            "/parties/1/signatory/nik",
            "16 digit",
        ),
        (
            with("/parties/0/signatory/nip", json!("196713071993031005")),
            "/parties/0/signatory/nip",
            "NIP",
        ),
        (
            with("/parties/0/number", json!("2025")),
            "/parties/0/number",
            "nomor surat",
        ),
        (
            with(
                "/parties/0/institution/email",
                json!("dukcapil-at-purbalingga"),
            ),
            "/parties/0/institution/email",
            "e-mail",
        ),
        (
            with("/juknis/network/ip_lan", json!("10.10.0.300")),
            "/juknis/network/ip_lan",
            "IP",
        ),
        (
            with("/access/0/elements/1", json!("nomor_sepatu")),
            "/access/0/elements/1",
            "tidak dikenal",
        ),
        (
            with("/access/0/elements/1", json!("sidik_jari")),
            "/access/0/elements/1",
            "Pasal 84",
        ),
        (
            with("/expires_on", json!("2024-09-16")),
            "/expires_on",
            "sebelum",
        ),
        (
            with("/juknis/date", json!("2025-09-01")),
            "/juknis/date",
            "Juknis",
        ),
        (
            with("/signed_on", json!("2025-02-30")),
            "/signed_on",
            "tanggal",
        ),
        (
            with("/access/0/method", json!("telepati")),
            "/access/0/method",
            "telepati",
        ),
        (
            with("/schema", json!("sepakat.agreement/v0")),
            "/schema",
            "schema",
        ),
    ];
    for (doc, pointer, words) in cases {
        let (status, ct, body) = app
            .post_raw("/api/v1/agreements", serde_json::to_vec(&doc).unwrap())
            .await;
        assert_eq!(status, 422, "{pointer}: {body}");
        assert_eq!(ct, "application/problem+json");
        let errors = body["errors"].as_array().expect("errors");
        assert!(
            errors.iter().any(|e| e["pointer"] == pointer),
            "{pointer} named in {body}"
        );
        assert!(
            body["detail"].as_str().unwrap().contains(words),
            "{words} in {body}"
        );
    }
    assert_eq!(app.counts().await, (0, 0, 0), "nothing written");
}

async fn malformed_and_oversized_bodies(app: TestApp) {
    let (status, ct, body) = app
        .post_raw("/api/v1/agreements", b"{\"schema\": ".to_vec())
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(ct, "application/problem+json");
    let big = format!("{{\"title\": \"{}\"}}", "x".repeat(300 * 1024));
    let (status, ct, _) = app.post_raw("/api/v1/agreements", big.into_bytes()).await;
    assert_eq!(status, 413);
    assert_eq!(ct, "application/problem+json");
    let (status, _) = app.get("/api/v1/agreements?limit=abc").await;
    assert_eq!(status, 400);
    let (status, body) = app.get("/api/v1/agreements?status=hidup").await;
    assert_eq!(status, 400);
    assert!(body["detail"].as_str().unwrap().contains("active"));
    let (status, _) = app.get("/api/v1/agreements?as_of=2026-13-01").await;
    assert_eq!(status, 400);
    for path in [
        "/api/v1/agreements?offset=9223372036854775807",
        "/api/v1/obligations?offset=9223372036854775807&limit=500",
        "/api/v1/obligations?as_of=99999-01-01",
        "/api/v1/dashboard?as_of=0001-01-01",
        "/api/v1/agreements?limit=-1",
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 400, "{path}: {body}");
    }
    assert_eq!(app.counts().await, (0, 0, 0));
}

/// A second agreement between the same offices, told apart by its numbers.
fn variant(n: u32) -> Value {
    example_numbered(
        &format!("400.12/{}/2025", 3000 + n),
        &format!("518/{}/IX/2025", 5000 + n),
    )
}

async fn import_reuses_institutions_and_people(app: TestApp) {
    let (s1, _) = app.post("/api/v1/agreements", &variant(1)).await;
    let (s2, _) = app.post("/api/v1/agreements", &variant(2)).await;
    assert_eq!((s1, s2), (201, 201));
    let (agreements, institutions, people) = app.counts().await;
    assert_eq!((agreements, institutions), (2, 2));
    // Two signatories; the SPTJM/NDA signer is the PIHAK KEDUA head, same name and position.
    assert_eq!(people, 2);
    let (status, body) = app.post("/api/v1/agreements", &variant(1)).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("sudah terdaftar"));
}

async fn list_filters_and_pages(app: TestApp) {
    for n in 0..5 {
        let mut doc = variant(n);
        doc["signed_on"] = json!(format!("202{}-01-10", n + 1));
        doc["juknis"]["date"] = json!(format!("202{}-01-10", n + 1));
        doc["expires_on"] = json!(format!("202{}-01-10", n + 3));
        if n == 4 {
            doc["parties"][1]["institution"]["name"] = json!("Dinas Sosial Kabupaten Purbalingga");
            doc["parties"][1]["institution"]["short_name"] = json!("Dinsos Purbalingga");
            doc["title"] = json!("Pemanfaatan Data Kependudukan untuk Bantuan Sosial");
        }
        let (s, b) = app.post("/api/v1/agreements", &doc).await;
        assert_eq!(s, 201, "{b}");
    }
    // As of 2026-01-01: signed 2021..2025, expiring 2023..2027.
    let q = |extra: &str| format!("/api/v1/agreements?as_of=2026-01-01{extra}");
    let (_, all) = app.get(&q("")).await;
    assert_eq!(all["total"], 5);
    let (_, expired) = app.get(&q("&status=expired")).await;
    assert_eq!(expired["total"], 3, "{expired}");
    // The 2026-01-10 expiry: renewal deadline 2025-11-10, window open since 2025-10-10.
    let (_, due) = app.get(&q("&status=renewal_due")).await;
    assert_eq!(due["total"], 1);
    assert_eq!(due["items"][0]["expires_on"], "2026-01-10");
    let (_, active) = app.get(&q("&status=active")).await;
    assert_eq!(active["total"], 1);
    for item in active["items"].as_array().unwrap() {
        assert_eq!(item["status"], "active");
    }
    // As of 2026-11-10 the 2027-01-10 expiry is inside its renewal window (opens 2026-10-10).
    let (_, due) = app
        .get("/api/v1/agreements?as_of=2026-11-10&status=renewal_due")
        .await;
    assert_eq!(due["total"], 1);
    assert_eq!(due["items"][0]["expires_on"], "2027-01-10");
    let (_, text) = app.get(&q("&q=dinsos")).await;
    assert_eq!(text["total"], 1);
    let (_, text) = app.get(&q("&q=518/5002")).await;
    assert_eq!(text["total"], 1);
    let (_, text) = app.get(&q("&q=100%25")).await;
    assert_eq!(text["total"], 0, "a literal %");
    let (_, exp) = app.get(&q("&expires_before=2025-01-10")).await;
    assert_eq!(exp["total"], 2, "strictly before");
    let dinsos = text_id(&app, "Dinas Sosial Kabupaten Purbalingga").await;
    let (_, by_inst) = app.get(&q(&format!("&institution={dinsos}"))).await;
    assert_eq!(by_inst["total"], 1);
    let (_, page) = app.get(&q("&limit=2&offset=4")).await;
    assert_eq!(page["total"], 5);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["parties"].as_array().unwrap().len(), 2);
    // What is granted, the office, the order.
    let (_, granted) = app.get(&q("&method=web_portal&element=nik")).await;
    assert_eq!(granted["total"], 5, "{granted}");
    let (_, none) = app.get(&q("&method=data_warehouse")).await;
    assert_eq!(none["total"], 0);
    let (s, e) = app.get(&q("&element=sidik_jari_palsu")).await;
    assert_eq!(s, 400, "{e}");
    let office = all["items"][0]["parties"][0]["institution_id"]
        .as_i64()
        .unwrap();
    let (_, by_office) = app.get(&q(&format!("&office={office}"))).await;
    assert_eq!(by_office["total"], 5);
    let (_, by_dinsos) = app.get(&q(&format!("&office={dinsos}"))).await;
    assert_eq!(by_dinsos["total"], 0, "an agency is never PIHAK KESATU");
    let (_, soonest) = app.get(&q("&sort=berakhir&limit=5")).await;
    let expiries: Vec<_> = soonest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["expires_on"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = expiries.clone();
    sorted.sort();
    assert_eq!(expiries, sorted);
    let (_, newest) = app.get(&q("&sort=terbaru&limit=1")).await;
    assert_eq!(newest["items"][0]["signed_on"], "2025-01-10");
    let (s, _) = app.get(&q("&sort=acak")).await;
    assert_eq!(s, 400);
}

async fn text_id(app: &TestApp, name: &str) -> i64 {
    let (_, b) = app
        .get(&format!(
            "/api/v1/institutions?q={}",
            name.replace(' ', "%20")
        ))
        .await;
    b["items"][0]["id"].as_i64().unwrap()
}

async fn patch_changes_only_named_fields(app: TestApp) {
    let (_, created) = app.post("/api/v1/agreements", &example()).await;
    let id = created["id"].as_i64().unwrap();
    let url = format!("/api/v1/agreements/{id}");
    let (status, patched) = app
        .patch(
            &url,
            &json!({"title": "Judul Baru", "terms": {"renewal_notice_months": 3}}),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["title"], "Judul Baru");
    assert_eq!(patched["terms"]["renewal_notice_months"], 3);
    assert_eq!(patched["terms"]["iso27001_months"], 6);
    assert_eq!(patched["renewal_deadline"], "2027-06-16");
    assert_eq!(
        patched["statements"], created["statements"],
        "records untouched, ids kept"
    );
    // A patch that breaks a rule is refused whole.
    let (status, body) = app
        .patch(&url, &json!({"title": "Lain", "expires_on": "2020-01-01"}))
        .await;
    assert_eq!(status, 422, "{body}");
    let (_, now) = app.get(&url).await;
    assert_eq!(now["title"], "Judul Baru");
    let (status, body) = app.patch(&url, &json!({"reports": []})).await;
    assert_eq!(status, 422);
    assert!(body["detail"].as_str().unwrap().contains("/reports"));
    // Terminate it.
    let (status, t) = app
        .patch(
            &url,
            &json!({"terminated": {"on": "2026-01-05", "reason": "breach"}}),
        )
        .await;
    assert_eq!(status, 200, "{t}");
    let (_, t) = app.get(&format!("{url}?as_of=2026-02-01")).await;
    assert_eq!(t["status"], "terminated");
}

async fn nested_records_have_their_own_endpoints(app: TestApp) {
    let (_, created) = app.post("/api/v1/agreements", &example()).await;
    let id = created["id"].as_i64().unwrap();
    let base = format!("/api/v1/agreements/{id}");

    let (s, nda) = app
        .post(&format!("{base}/statements"), &json!({"kind": "nda", "signed_on": "2025-10-01", "meterai": true,
            "signer": {"name": "RINA OPERATOR", "nik": "3303054101909001", "position": "Operator"}}))
        .await;
    assert_eq!(s, 201, "{nda}");
    let (_, list) = app.get(&format!("{base}/statements")).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    let (s, bad) = app
        .post(
            &format!("{base}/statements"),
            &json!({"kind": "nda", "signer": {"name": "X", "nik": "1"}}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(bad["errors"][0]["pointer"], "/statements/3/signer/nik");

    let (s, r) = app
        .post(
            &format!("{base}/reports"),
            &json!({"year": 2026, "semester": 1, "submitted_on": "2026-07-08", "channel": "email"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let rid = r["id"].as_i64().unwrap();
    let (s, dup) = app
        .post(
            &format!("{base}/reports"),
            &json!({"year": 2026, "semester": 1}),
        )
        .await;
    assert_eq!(s, 422, "{dup}");
    let (s, r2) = app
        .patch(
            &format!("{base}/reports/{rid}"),
            &json!({"evaluated_on": "2026-07-20", "evaluation": "Sesuai"}),
        )
        .await;
    assert_eq!(s, 200, "{r2}");
    assert_eq!(r2["channel"], "email");
    assert_eq!(r2["evaluation"], "Sesuai");

    let (s, c) = app.post(&format!("{base}/certificates"), &json!({"kind": "iso27001", "number": "ISMS-0001", "issued_on": "2026-01-10", "valid_until": "2029-01-09", "submitted_on": "2026-02-01"})).await;
    assert_eq!(s, 201, "{c}");
    let (s, rn) = app.post(&format!("{base}/renewals"), &json!({"requested_on": "2027-06-01", "request_letter": {"number": "518/100/VI/2027", "date": "2027-06-01"}})).await;
    assert_eq!(s, 201, "{rn}");

    let app_id = created["applications"][0]["id"].as_i64().unwrap();
    let (s, poc) = app
        .patch(
            &format!("{base}/applications/{app_id}"),
            &json!({"poc": {"status": "scheduled", "scheduled_on": "2026-02-10",
        "request_letter": {"number": "518/77/I/2026", "date": "2026-01-20"}}}),
        )
        .await;
    assert_eq!(s, 200, "{poc}");
    let (s, poc) = app
        .patch(
            &format!("{base}/applications/{app_id}"),
            &json!({"poc": {"status": "passed"}}),
        )
        .await;
    assert_eq!(s, 422, "passed needs a result letter: {poc}");
    let (s, poc) = app.patch(&format!("{base}/applications/{app_id}"), &json!({"poc": {"status": "passed", "result_letter": {"number": "400.12/99/2026", "date": "2026-02-12"}}})).await;
    assert_eq!(s, 200, "{poc}");
    assert_eq!(poc["poc"]["request_letter"]["number"], "518/77/I/2026");

    let scope_id = created["access"][0]["id"].as_i64().unwrap();
    let (s, sc) = app
        .patch(
            &format!("{base}/scopes/{scope_id}"),
            &json!({"daily_quota": 500}),
        )
        .await;
    assert_eq!(s, 200, "{sc}");
    let (s, sc) = app
        .post(
            &format!("{base}/scopes"),
            &json!({"method": "web_service", "elements": ["nik", "aib"]}),
        )
        .await;
    assert_eq!(s, 422);
    assert!(sc["detail"].as_str().unwrap().contains("Pasal 84"));

    let (_, whole) = app.get(&base).await;
    assert_eq!(whole["access"][0]["daily_quota"], 500);
    assert_eq!(whole["applications"][0]["poc"]["status"], "passed");
    assert_eq!(whole["reports"][0]["evaluation"], "Sesuai");
    assert_eq!(whole["certificates"][0]["number"], "ISMS-0001");
    assert_eq!(
        whole["renewals"][0]["request_letter"]["number"],
        "518/100/VI/2027"
    );

    assert_eq!(app.delete(&format!("{base}/reports/{rid}")).await, 204);
    assert_eq!(app.delete(&format!("{base}/reports/{rid}")).await, 404);
    let (s, _) = app
        .get(&format!("/api/v1/agreements/{}/reports/1", id + 100))
        .await;
    assert_eq!(s, 404);
}

async fn signed_agreement_cannot_be_deleted(app: TestApp) {
    let (_, signed) = app.post("/api/v1/agreements", &example()).await;
    let id = signed["id"].as_i64().unwrap();
    let (s, body) = (app.delete(&format!("/api/v1/agreements/{id}")).await, ());
    assert_eq!(s, 409, "{body:?}");
    let mut draft = variant(9);
    draft.as_object_mut().unwrap().remove("signed_on");
    draft["statements"] = json!([]);
    let (s, d) = app.post("/api/v1/agreements", &draft).await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["status"], "draft");
    assert_eq!(
        app.delete(&format!("/api/v1/agreements/{}", d["id"])).await,
        204
    );
    assert_eq!(app.counts().await.0, 1);
}

async fn adendum_renews_its_pks(app: TestApp) {
    let (_, pks) = app.post("/api/v1/agreements", &example()).await;
    let mut add = variant(7);
    add["kind"] = json!("adendum");
    add["amends"] = json!({"number": "400.12/2432/2025"});
    add["signed_on"] = json!("2027-08-01");
    add["juknis"]["date"] = json!("2027-08-01");
    add["expires_on"] = json!("2029-08-01");
    let (s, a) = app.post("/api/v1/agreements", &add).await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["amends"]["id"], pks["id"]);
    let pks_on = |day: &str| format!("/api/v1/agreements/{}?as_of={day}", pks["id"]);
    let (_, before) = app.get(&pks_on("2027-07-01")).await;
    assert_eq!(before["status"], "renewal_due");
    let (_, after) = app.get(&pks_on("2027-08-01")).await;
    assert_eq!(after["status"], "renewed");
    let (_, renewed) = app
        .get("/api/v1/agreements?as_of=2027-08-02&status=renewed")
        .await;
    assert_eq!(renewed["total"], 1);
    let mut orphan = variant(8);
    orphan["kind"] = json!("adendum");
    orphan["amends"] = json!({"number": "999/1/2020"});
    let (s, o) = app.post("/api/v1/agreements", &orphan).await;
    assert_eq!(s, 422);
    assert_eq!(o["errors"][0]["pointer"], "/amends/number");
}

async fn parties_come_back_with_their_parent_office(app: TestApp) {
    let province = "Dinas Kependudukan dan Pencatatan Sipil Provinsi Jawa Tengah";
    let (s, p) = app
        .post(
            "/api/v1/institutions",
            &json!({"name": province, "kind": "dukcapil_provinsi"}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let mut doc = example();
    doc["parties"][0]["institution"]["parent"] = json!(province);
    let (s, created) = app.post("/api/v1/agreements", &doc).await;
    assert_eq!(s, 201, "{created}");
    let (s, got) = app
        .get(&format!("/api/v1/agreements/{}", created["id"]))
        .await;
    assert_eq!(s, 200);
    assert_eq!(got["parties"][0]["institution"]["parent"], province);
    assert!(
        got["parties"][1]["institution"].get("parent").is_none(),
        "{got}"
    );
    assert_eq!(
        got["parties"][1]["institution"]["name"],
        doc["parties"][1]["institution"]["name"]
    );
}

/// Lists are written as multi-row INSERTs; a list longer than a backend's
/// bound-parameter limit (SQLite: 32,766, three per legal basis) must still
/// go in whole, not as a server error.
async fn long_lists_are_stored_whole(app: TestApp) {
    let mut doc = example();
    let bases: Vec<String> = (1..=12_000).map(|i| format!("Perbup {i}")).collect();
    doc["legal_bases"] = json!(bases);
    let (s, created) = app.post("/api/v1/agreements", &doc).await;
    assert_eq!(s, 201, "{created}");
    let (s, got) = app
        .get(&format!("/api/v1/agreements/{}", created["id"]))
        .await;
    assert_eq!(s, 200);
    assert_eq!(got["legal_bases"], json!(bases));
}

async fn institutions_and_people_crud(app: TestApp) {
    let (s, parent) = app.post("/api/v1/institutions", &json!({"name": "Dinas Kependudukan dan Pencatatan Sipil Provinsi Jawa Tengah", "kind": "dukcapil_provinsi", "region_code": "33"})).await;
    assert_eq!(s, 201, "{parent}");
    let (s, child) = app.post("/api/v1/institutions", &json!({"name": "Dinas Dukcapil Kabupaten Contoh", "kind": "dukcapil_kabupaten_kota",
        "parent": "Dinas Kependudukan dan Pencatatan Sipil Provinsi Jawa Tengah", "email": "dukcapil@contoh.go.id"})).await;
    assert_eq!(s, 201, "{child}");
    assert_eq!(child["parent_id"], parent["id"]);
    let (s, dup) = app
        .post(
            "/api/v1/institutions",
            &json!({"name": "Dinas Dukcapil Kabupaten Contoh", "kind": "opd"}),
        )
        .await;
    assert_eq!(s, 409, "{dup}");
    let (s, bad) = app
        .post(
            "/api/v1/institutions",
            &json!({"name": "X", "kind": "kementerian"}),
        )
        .await;
    assert_eq!(s, 422, "{bad}");
    let cid = child["id"].as_i64().unwrap();
    let (s, p) = app
        .patch(
            &format!("/api/v1/institutions/{cid}"),
            &json!({"phone": "0281-891234", "email": null}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["phone"], "0281-891234");
    assert!(p.get("email").is_none());
    assert_eq!(
        app.delete(&format!("/api/v1/institutions/{}", parent["id"]))
            .await,
        409,
        "has a child"
    );
    assert_eq!(
        app.delete(&format!("/api/v1/institutions/{cid}")).await,
        204
    );

    let (s, person) = app.post("/api/v1/people", &json!({"name": "SITI CONTOH", "nip": "19800101 200501 2 001", "phone": "081200000001"})).await;
    assert_eq!(s, 201, "{person}");
    assert_eq!(person["nip"], "198001012005012001");
    let pid = person["id"].as_i64().unwrap();
    let (s, bad) = app
        .patch(&format!("/api/v1/people/{pid}"), &json!({"nik": "33"}))
        .await;
    assert_eq!(s, 422, "{bad}");
    assert_eq!(bad["errors"][0]["pointer"], "/nik");
    let (_, list) = app.get("/api/v1/people?q=siti").await;
    assert_eq!(list["total"], 1);
    assert_eq!(app.delete(&format!("/api/v1/people/{pid}")).await, 204);
    let (_, el) = app.get("/api/v1/elements").await;
    let items = el["items"].as_array().unwrap();
    assert!(items
        .iter()
        .any(|e| e["code"] == "sidik_jari" && e["protected"] == true));
    assert!(items
        .iter()
        .any(|e| e["code"] == "nik" && e["protected"] == false));
}

async fn unknown_routes_and_ids_are_problems(app: TestApp) {
    for path in [
        "/api/v1/agreements/999",
        "/api/v1/agreements/abc",
        "/api/v1/nothing",
        "/api/v1/institutions/5",
    ] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404, "{path}");
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
}
