//! The agency's portal over the API and its pages, on SQLite and
//! PostgreSQL: an invitation e-mailed through a real SMTP server, its
//! single-use link, the agency's upload against an obligation (the
//! obligation becomes `submitted`), Dukcapil's acceptance (fulfilled, its
//! waiting reminders cancelled, the file downloaded byte for byte), the
//! uploads refused (and nothing stored), and another agency kept out.

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{on_both, published_example, Db, TestApp};
use crate::smtp::{decoded_text_parts, SmtpServer};
use sepakat::domain::catalog::Role;

on_both!(spawns:
    invited_agency_uploads_and_staff_accepts,
    refused_uploads_store_nothing,
    links_work_once_and_for_seven_days,
    portal_in_a_browser,
);

const FROM: &str = "Sepakat <sepakat@dukcapil.example>";
const AGENCY_EMAIL: &str = "Kadis.Kominfo@Contoh-Kab.go.id";
const PASSWORD: &str = "sandi-pilihan-sendiri-1";

/// A server whose e-mail goes at once to `smtp`.
async fn spawn(db: Db, smtp: &SmtpServer, max_upload: Option<u64>) -> Option<TestApp> {
    let url = smtp.url();
    TestApp::spawn_with(db, move |s| {
        let postman = sepakat::reminders::Reminders::new(
            sepakat::reminders::templates::Templates::load(None).unwrap(),
            sepakat::reminders::mailer::Mailer::new(Some(&url), std::env::temp_dir()).unwrap(),
            FROM.parse().unwrap(),
        );
        let s = s.with_postman(postman);
        match max_upload {
            Some(limit) => s.with_upload_limit(limit),
            None => s,
        }
    })
    .await
}

/// A one-page PDF saying `text`, as a scanner or a word processor writes
/// one; encrypted with a user password when `password` is given.
pub(crate) fn pdf(text: &str, password: Option<&str>) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! {"Font" => dictionary! {"F1" => font_id}});
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 14.into()]),
            Operation::new("Td", vec![72.into(), 760.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
    doc.trailer.set("Root", catalog_id);
    if let Some(password) = password {
        // Encryption keys derive from the file's identifier.
        let id = Object::String(
            b"sepakat-uji-0001".to_vec(),
            lopdf::StringFormat::Hexadecimal,
        );
        doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
        let version = lopdf::EncryptionVersion::V2 {
            document: &doc,
            owner_password: "pemilik-berkas",
            user_password: password,
            key_length: 128,
            permissions: lopdf::Permissions::all(),
        };
        let state = lopdf::EncryptionState::try_from(version).unwrap();
        doc.encrypt(&state).unwrap();
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The agreement as its paper reads (no e-mail of the agency): its id and
/// PIHAK KEDUA's institution id.
async fn printed_agreement(app: &TestApp) -> (i64, i64) {
    let (status, v) = app.post("/api/v1/agreements", &published_example()).await;
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_i64().unwrap();
    let agency = v["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["side"] == "second")
        .and_then(|p| p["institution"]["id"].as_i64())
        .unwrap_or_else(|| panic!("PIHAK KEDUA's institution id in {v}"));
    (id, agency)
}

/// A PKS of the same office with another agency.
fn another_agency() -> Value {
    let mut doc = crate::helpers::example_numbered("400.12/0901/2026", "551/0077/I/2026");
    let second = &mut doc["parties"][1];
    second["institution"] = json!({"name": "Dinas Perhubungan Kabupaten Purbalingga",
        "kind": "opd", "region_code": "33.03"});
    second["signatory"] = json!({"name": "KEPALA DINAS PERHUBUNGAN",
        "position": "Kepala Dinas Perhubungan Kabupaten Purbalingga"});
    doc
}

/// Invites the agency's head through the API; the answer.
async fn invite(app: &TestApp, agency: i64) -> Value {
    let (status, v) = app
        .post(
            "/api/v1/invitations",
            &json!({"email": AGENCY_EMAIL, "name": "Kepala Dinas Kominfo", "institution_id": agency}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    v
}

/// An obligation of the agreement still owed, of `kind`.
async fn open_obligation(app: &TestApp, client: &reqwest::Client, id: i64, kind: &str) -> String {
    let (status, v) =
        crate::helpers::get_with(client, app.url(&format!("/api/v1/agreements/{id}"))).await;
    assert_eq!(status, 200, "{v}");
    v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["kind"] == kind
                && matches!(
                    o["state"].as_str(),
                    Some("overdue" | "due_soon" | "pending")
                )
        })
        .and_then(|o| o["key"].as_str())
        .unwrap_or_else(|| panic!("an open {kind} in {}", v["obligations"]))
        .to_string()
}

async fn obligation_state(app: &TestApp, id: i64, key: &str) -> Value {
    let (status, v) = app.get(&format!("/api/v1/agreements/{id}")).await;
    assert_eq!(status, 200, "{v}");
    v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["key"] == key)
        .cloned()
        .unwrap_or_else(|| panic!("{key} in {}", v["obligations"]))
}

/// POSTs a multipart upload; its status and JSON answer.
async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    id: i64,
    key: &str,
    file: Option<(&str, Vec<u8>)>,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part("file", Part::bytes(bytes).file_name(name.to_string()));
    }
    let key = sepakat::domain::text::path_segment(key);
    let r = client
        .post(app.url(&format!(
            "/api/v1/agreements/{id}/obligations/{key}/submissions"
        )))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

/// The single-use link an e-mail carries: its token.
fn token_in(message: &crate::smtp::Message) -> String {
    let text = decoded_text_parts(&message.data).join("\n");
    let at = text
        .find("/undangan/")
        .unwrap_or_else(|| panic!("a link in {text}"));
    text[at + "/undangan/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The link's page: its status, its form's CSRF token and the cookie that
/// goes with it.
async fn link_page(app: &TestApp, token: &str) -> (u16, String, Option<String>, String) {
    form_page(app, &format!("/undangan/{token}")).await
}

/// A page shown before signing in (its form carries a token that its
/// `sepakat_pra` cookie repeats): its status, the form's token, the cookie
/// and the page.
async fn form_page(app: &TestApp, path: &str) -> (u16, String, Option<String>, String) {
    let r = reqwest::get(app.url(path)).await.unwrap();
    let status = r.status().as_u16();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sepakat_pra="))
        .map(|c| c.split(';').next().unwrap().to_string());
    let html = r.text().await.unwrap();
    let csrf = html
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .unwrap_or_default();
    (status, csrf, cookie, html)
}

/// Chooses the password through the link's form as the page showed it
/// now; the answer's status, where it leads and its body.
async fn choose(app: &TestApp, token: &str, password: &str) -> (u16, String, String) {
    let (_, csrf, cookie, _) = link_page(app, token).await;
    choose_with(app, token, &csrf, cookie, password).await
}

/// Sends the link's form as a page shown earlier holds it (a second tab,
/// a form left open for days).
async fn choose_with(
    app: &TestApp,
    token: &str,
    csrf: &str,
    cookie: Option<String>,
    password: &str,
) -> (u16, String, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut req = client.post(app.url(&format!("/undangan/{token}"))).form(&[
        ("_csrf", csrf),
        ("password", password),
        ("password2", password),
    ]);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let to = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, to, r.text().await.unwrap())
}

/// Signs in through the sign-in form as a browser does; the session cookie.
pub(crate) async fn session_of(app: &TestApp, username: &str, password: &str) -> String {
    let (_, csrf, pre, _) = form_page(app, "/masuk").await;
    let pre = pre.expect("the sign-in form's cookie");
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/masuk"))
        .header("cookie", pre)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sepakat_sesi="))
        .expect("a session")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

fn files_in(dir: &std::path::Path) -> usize {
    fn walk(d: &std::path::Path) -> usize {
        std::fs::read_dir(d)
            .map(|it| {
                it.flatten()
                    .map(|e| {
                        let p = e.path();
                        if p.is_dir() {
                            walk(&p)
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(dir)
}

async fn invited_agency_uploads_and_staff_accepts(db: Db) {
    let smtp = SmtpServer::start();
    let Some(app) = spawn(db, &smtp, None).await else {
        return;
    };
    let (id, agency) = printed_agreement(&app).await;

    // Invited by the API: the e-mail carries the link, never a password.
    let v = invite(&app, agency).await;
    let username = AGENCY_EMAIL.to_lowercase();
    assert_eq!(v["username"], username);
    let sent = smtp.wait_for(1, Duration::from_secs(15));
    assert_eq!(sent.len(), 1, "the invitation went out at once");
    assert!(
        sent[0]
            .to
            .iter()
            .any(|t| t.eq_ignore_ascii_case(AGENCY_EMAIL)),
        "{:?}",
        sent[0].to
    );
    let token = token_in(&sent[0]);
    assert!(token.len() >= 22, "≥ 128 random bits: {token}");
    assert!(!sent[0].data.contains(PASSWORD));
    // The outbox keeps no live link once it is sent.
    {
        let mut c = app.pool.get().unwrap();
        let (_, rows) = sepakat::store::outbox::list(
            &mut c,
            Some("sent"),
            &sepakat::store::access::Visibility::All,
            10,
            0,
        )
        .unwrap();
        assert!(
            rows.iter().all(|r| !r.body_text.contains(&token)),
            "link kept in the outbox"
        );
    }

    // The link's page, then the password chosen there: signed in to the portal.
    let (status, csrf, cookie, html) = link_page(&app, &token).await;
    assert_eq!(status, 200);
    assert!(html.contains(&username), "{html}");
    let (status, to, _) = choose(&app, &token, PASSWORD).await;
    assert_eq!((status, to.as_str()), (303, "/portal"));
    // Used twice (the form open in a second tab): refused, in words.
    let (status, _, html) = choose_with(&app, &token, &csrf, cookie, "sandi-lain-sekali-2").await;
    assert_eq!(status, 410, "{html}");
    assert!(html.contains("sudah dipakai"), "{html}");
    let (status, _, _, html) = link_page(&app, &token).await;
    assert_eq!(status, 410);
    assert!(html.contains("sudah dipakai"), "{html}");

    // The agency signs in with its e-mail address and sees its agreement only.
    let token_api = crate::helpers::login(&app.base, &username, PASSWORD)
        .await
        .expect("the invited person signs in with the password they chose");
    let agency_client = app.client_for(&token_api);
    let other = app.post("/api/v1/agreements", &another_agency()).await;
    assert_eq!(other.0, 201, "{}", other.1);
    let (status, list) =
        crate::helpers::get_with(&agency_client, app.url("/api/v1/agreements")).await;
    assert_eq!(status, 200, "{list}");
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["id"].as_i64())
        .collect();
    assert_eq!(ids, [id], "the agency sees its own agreement only");

    // Its export of the agreements list holds its own agreement only.
    let cookie = session_of(&app, &username, PASSWORD).await;
    let (status, csv) = app.page(&cookie, "/perjanjian.csv").await;
    assert_eq!(status, 200);
    let rows: Vec<&str> = csv
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(rows.len(), 1, "{csv}");
    assert!(
        !csv.contains("551/0077/I/2026"),
        "another agency's PKS in {csv}"
    );

    // A reminder waits for the report.
    let key = open_obligation(&app, &agency_client, id, "semester_report").await;
    {
        let mut c = app.pool.get().unwrap();
        let m = sepakat::store::outbox::NewMessage {
            agreement_id: Some(id),
            obligation_key: Some(key.clone()),
            ..sepakat::store::outbox::NewMessage::queued(
                format!("uji|{key}"),
                "overdue".into(),
                "Kepala <kepala@contoh.go.id>".into(),
                "Pengingat".into(),
                "teks".into(),
                "<p>teks</p>".into(),
            )
        };
        sepakat::store::outbox::insert_new(&mut c, &m).unwrap();
    }

    // A reminder links to where to act: the printed PKS names no address of
    // the agency, so the office is written to, with the agreement's page.
    let postman = sepakat::reminders::Reminders::new(
        sepakat::reminders::templates::Templates::load(None).unwrap(),
        sepakat::reminders::mailer::Mailer::new(Some(&smtp.url()), std::env::temp_dir()).unwrap(),
        FROM.parse().unwrap(),
    );
    {
        let mut c = app.pool.get().unwrap();
        let cal = sepakat::store::holidays::calendar(&mut c).unwrap();
        let due = chrono::NaiveDate::parse_from_str(
            obligation_state(&app, id, &key).await["due_on"]
                .as_str()
                .unwrap(),
            "%Y-%m-%d",
        )
        .unwrap();
        let plan = postman.plan(&mut c, due, &cal).unwrap();
        assert!(plan.queued + plan.undeliverable > 0, "{plan:?}");
        let (_, rows) = sepakat::store::outbox::list(
            &mut c,
            None,
            &sepakat::store::access::Visibility::All,
            50,
            0,
        )
        .unwrap();
        let planned = rows
            .iter()
            .find(|r| {
                r.agreement_id == Some(id)
                    && r.obligation_key.as_deref() == Some(key.as_str())
                    && r.occasion != "overdue"
            })
            .expect("the reminder planned for the due date");
        assert!(
            planned
                .body_text
                .contains(&format!("http://127.0.0.1:8080/perjanjian/{id}#kewajiban")),
            "{}",
            planned.body_text
        );
        // The other agreement's agency has a contact with an address in its
        // Juknis: written to, with the task in the portal.
        let other_id = other.1["id"].as_i64().unwrap();
        let to_agency = rows
            .iter()
            .find(|r| {
                r.agreement_id == Some(other_id)
                    && r.obligation_key.as_deref() == Some(key.as_str())
            })
            .expect("the other agreement's reminder");
        assert!(
            to_agency.body_text.contains(&format!(
                "http://127.0.0.1:8080/portal/tugas/{other_id}/{}",
                sepakat::domain::text::path_segment(&key)
            )),
            "{}",
            to_agency.body_text
        );
    }

    // The upload: the obligation is submitted.
    let report = pdf("Laporan semester pemanfaatan data kependudukan", None);
    let (status, v) = upload(
        &app,
        &agency_client,
        id,
        &key,
        Some(("laporan semester.pdf", report.clone())),
        &[("nik_hits", "1.234")],
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["state"], "submitted");
    assert_eq!(v["sha256"], sha256(&report));
    assert_eq!(v["size"], report.len());
    assert_eq!(v["media_type"], "application/pdf");
    let sid = v["id"].as_i64().unwrap();
    assert_eq!(obligation_state(&app, id, &key).await["state"], "submitted");
    // Its reminders pause: asked again tomorrow, not sent, not cancelled.
    {
        let mut c = app.pool.get().unwrap();
        let cal = sepakat::store::holidays::calendar(&mut c).unwrap();
        let sent = postman
            .send_due(&mut c, sepakat::today_jakarta(), &cal)
            .unwrap();
        assert!(sent.paused >= 1, "{sent:?}");
        let (_, rows) = sepakat::store::outbox::list(
            &mut c,
            None,
            &sepakat::store::access::Visibility::All,
            50,
            0,
        )
        .unwrap();
        assert!(
            rows.iter()
                .filter(|r| r.agreement_id == Some(id)
                    && r.obligation_key.as_deref() == Some(key.as_str()))
                .all(|r| matches!(r.state.as_str(), "queued" | "undeliverable")),
            "paused, not sent"
        );
    }
    // A second upload while the first waits: refused.
    let (status, v) = upload(
        &app,
        &agency_client,
        id,
        &key,
        Some(("lagi.pdf", pdf("lagi", None))),
        &[],
    )
    .await;
    assert_eq!(status, 409, "{v}");

    // The agency may not decide on its own upload.
    let (status, _) = crate::helpers::send_with(
        &agency_client,
        reqwest::Method::POST,
        app.url(&format!("/api/v1/agreements/{id}/submissions/{sid}/accept")),
        &json!({}),
    )
    .await;
    assert_eq!(status, 403);

    // Dukcapil accepts: fulfilled as of the upload, the reminder cancelled.
    let (status, v) = app
        .post(
            &format!("/api/v1/agreements/{id}/submissions/{sid}/accept"),
            &json!({"note": "lengkap"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "accepted");
    let o = obligation_state(&app, id, &key).await;
    assert_eq!(o["state"], "fulfilled", "{o}");
    assert_eq!(o["fulfilled_by"]["collection"], "reports", "{o}");
    let (_, reports) = app.get(&format!("/api/v1/agreements/{id}/reports")).await;
    let r = reports["items"]
        .as_array()
        .or(reports.as_array())
        .and_then(|all| all.iter().find(|r| r["channel"] == "portal").cloned())
        .unwrap_or_else(|| panic!("the report made from the upload in {reports}"));
    assert_eq!(r["nik_hits"], 1234);
    assert_eq!(r["evaluation"], "lengkap");
    {
        let mut c = app.pool.get().unwrap();
        let (_, rows) = sepakat::store::outbox::list(
            &mut c,
            None,
            &sepakat::store::access::Visibility::All,
            50,
            0,
        )
        .unwrap();
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| {
                r.agreement_id == Some(id) && r.obligation_key.as_deref() == Some(key.as_str())
            })
            .collect();
        assert_eq!(mine.len(), 2, "the one queued by hand and the one planned");
        assert!(
            mine.iter().all(|r| r.state == "cancelled"),
            "{:?}",
            mine.iter().map(|r| &r.state).collect::<Vec<_>>()
        );
    }
    // A second file for the fulfilled obligation: refused, nothing stored.
    let before = files_in(&app.db.dir().join("berkas"));
    let (status, v) = upload(
        &app,
        &agency_client,
        id,
        &key,
        Some(("baru.pdf", pdf("baru", None))),
        &[],
    )
    .await;
    assert_eq!(status, 409, "{v}");
    assert!(
        v["detail"].as_str().unwrap().contains("sudah terpenuhi"),
        "{v}"
    );
    assert_eq!(files_in(&app.db.dir().join("berkas")), before);

    // The file downloads byte for byte, as a download.
    let sha = sha256(&report);
    let r = agency_client
        .get(app.url(&format!("/api/v1/files/{sha}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition.contains("laporan semester.pdf"),
        "{disposition}"
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), report.as_slice());

    // Another agency: its user finds neither the agreement, the task nor the file.
    let (_, other_v) = &other;
    let other_agency = other_v["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["side"] == "second")
        .and_then(|p| p["institution"]["id"].as_i64())
        .unwrap();
    assert_ne!(other_agency, agency);
    app.add_user("opd.lain", Role::Opd, Some(other_agency));
    let stranger = app.client_of("opd.lain").await;
    let (status, _) =
        crate::helpers::get_with(&stranger, app.url(&format!("/api/v1/agreements/{id}"))).await;
    assert_eq!(status, 404);
    let (status, _) = upload(
        &app,
        &stranger,
        id,
        &key,
        Some(("x.pdf", pdf("x", None))),
        &[],
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) =
        crate::helpers::get_with(&stranger, app.url(&format!("/api/v1/files/{sha}"))).await;
    assert_eq!(status, 404);
    let (status, _) = crate::helpers::get_with(
        &stranger,
        app.url(&format!("/api/v1/agreements/{id}/submissions")),
    )
    .await;
    assert_eq!(status, 404);
}

async fn refused_uploads_store_nothing(db: Db) {
    let smtp = SmtpServer::start();
    let Some(app) = spawn(db, &smtp, Some(64 * 1024)).await else {
        return;
    };
    let (id, agency) = printed_agreement(&app).await;
    app.add_user("opd.kominfo", Role::Opd, Some(agency));
    let client = app.client_of("opd.kominfo").await;
    let report = open_obligation(&app, &client, id, "semester_report").await;
    let iso = open_obligation(&app, &client, id, "iso27001").await;

    let big = {
        let mut b = pdf("besar", None);
        b.resize(200 * 1024, b' ');
        b
    };
    let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".to_vec();
    let cases: Vec<(
        &str,
        Option<(&str, Vec<u8>)>,
        Vec<(&str, &str)>,
        u16,
        &str,
        &str,
    )> = vec![
        (
            "oversize",
            Some(("besar.pdf", big)),
            vec![],
            413,
            "",
            "paling besar 1 MB",
        ),
        (
            "encrypted",
            Some(("rahasia.pdf", pdf("rahasia", Some("kunci")))),
            vec![],
            422,
            "/file",
            "terenkripsi",
        ),
        (
            "html renamed",
            Some(("laporan.pdf", html)),
            vec![],
            422,
            "/file",
            "PDF, JPEG atau PNG",
        ),
        (
            "zero bytes",
            Some(("kosong.pdf", vec![])),
            vec![],
            422,
            "/file",
            "kosong",
        ),
        (
            "no file",
            None,
            vec![("nik_hits", "5")],
            422,
            "/file",
            "pilih berkas",
        ),
        (
            "bad count",
            Some(("laporan.pdf", pdf("laporan", None))),
            vec![("nik_hits", "banyak")],
            422,
            "/nik_hits",
            "bilangan bulat",
        ),
    ];
    for (what, file, fields, status, pointer, words) in cases {
        let (got, v) = upload(&app, &client, id, &report, file, &fields).await;
        assert_eq!(got, status, "{what}: {v}");
        let text = v.to_string();
        assert!(text.contains(words), "{what}: {v}");
        if !pointer.is_empty() {
            assert_eq!(v["errors"][0]["pointer"], pointer, "{what}: {v}");
        }
    }
    // A certificate needs its number, issuer and validity.
    let (status, v) = upload(
        &app,
        &client,
        id,
        &iso,
        Some(("iso.pdf", pdf("ISO", None))),
        &[("issuer", "Lembaga Sertifikasi")],
    )
    .await;
    assert_eq!(status, 422, "{v}");
    let pointers: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/number", "/valid_until"], "{v}");
    // A JPEG is taken (by its signature, whatever its name).
    let jpeg = [
        &[0xFF, 0xD8, 0xFF, 0xE0][..],
        b"\0\x10JFIF\0 pindaian sertifikat",
    ]
    .concat();
    let (status, v) = upload(
        &app,
        &client,
        id,
        &iso,
        Some(("sertifikat.bin", jpeg)),
        &[
            ("number", "ISMS 01234"),
            ("issuer", "Lembaga Sertifikasi"),
            ("valid_until", "2029-03-01"),
        ],
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["media_type"], "image/jpeg");

    // Of the refused, nothing was stored: one file (the JPEG), one submission.
    assert_eq!(files_in(&app.db.dir().join("berkas")), 1);
    let (_, subs) = app
        .get(&format!("/api/v1/agreements/{id}/submissions"))
        .await;
    assert_eq!(subs["items"].as_array().unwrap().len(), 1, "{subs}");
    assert_eq!(
        obligation_state(&app, id, &report).await["state"]
            .as_str()
            .map(|s| s != "submitted"),
        Some(true)
    );

    // Returned with a reason: open again, the uploader told by e-mail.
    let sid = subs["items"][0]["id"].as_i64().unwrap();
    let (status, v) = app
        .post(
            &format!("/api/v1/agreements/{id}/submissions/{sid}/return"),
            &json!({"reason": "  "}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    let (status, v) = app
        .post(
            &format!("/api/v1/agreements/{id}/submissions/{sid}/return"),
            &json!({"reason": "masa berlaku sertifikat tidak terbaca"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "returned");
    let state = obligation_state(&app, id, &iso).await["state"].clone();
    assert!(
        matches!(state.as_str(), Some("overdue" | "due_soon" | "pending")),
        "{state}"
    );
}

async fn links_work_once_and_for_seven_days(db: Db) {
    let smtp = SmtpServer::start();
    let Some(app) = spawn(db, &smtp, None).await else {
        return;
    };
    let (_, agency) = printed_agreement(&app).await;
    let invite = json!({"email": AGENCY_EMAIL, "name": "Kepala", "institution_id": agency});
    assert_eq!(app.post("/api/v1/invitations", &invite).await.0, 201);
    // Invited again: the first link stops working.
    let (status, v) = app.post("/api/v1/invitations", &invite).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["replaced"], true);
    let sent = smtp.wait_for(2, Duration::from_secs(15));
    assert_eq!(sent.len(), 2);
    // The two e-mails may arrive in either order: one link works, the
    // other (the first, replaced) is unknown.
    let (a, b) = (token_in(&sent[0]), token_in(&sent[1]));
    assert_ne!(a, b);
    let (status_a, _, _, html_a) = link_page(&app, &a).await;
    let (status_b, _, _, html_b) = link_page(&app, &b).await;
    let (second, html) = match (status_a, status_b) {
        (404, 200) => (b, html_a),
        (200, 404) => (a, html_b),
        other => panic!("one link replaced, one working: {other:?}"),
    };
    assert!(html.contains("tidak dikenal"), "{html}");
    // Seven days on, the second has expired.
    let (_, csrf, cookie, _) = link_page(&app, &second).await;
    crate::helpers::execute_sql(
        &app.pool,
        "UPDATE invitations SET expires_at = '2020-01-01 00:00:00'",
    );
    let (status, _, _, html) = link_page(&app, &second).await;
    assert_eq!(status, 410, "{html}");
    assert!(html.contains("kedaluwarsa"), "{html}");
    let (status, _, html) = choose_with(&app, &second, &csrf, cookie, PASSWORD).await;
    assert_eq!(status, 410, "{html}");
    assert!(html.contains("kedaluwarsa"), "{html}");

    // An address already taken by another kind of account: refused.
    let (status, v) = app
        .post(
            "/api/v1/invitations",
            &json!({"email": "bukan-email", "name": "X", "institution_id": agency}),
        )
        .await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["errors"][0]["pointer"], "/email");

    // "Forgot password" answers the same whether the account exists or not,
    // and mails only the one that does.
    let forgot = |who: &'static str| {
        let app = &app;
        async move {
            let (_, csrf, cookie, _) = form_page(app, "/lupa-sandi").await;
            let cookie = cookie.expect("the form's cookie");
            let r = reqwest::Client::new()
                .post(app.url("/lupa-sandi"))
                .header("cookie", cookie)
                .form(&[("_csrf", csrf.as_str()), ("username", who)])
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (s1, known) = forgot("kadis.kominfo@contoh-kab.go.id").await;
    let (s2, unknown) = forgot("tidak.ada@contoh.go.id").await;
    assert_eq!((s1, s2), (200, 200));
    let strip = |h: &str| h.split("name=\"_csrf\"").next().unwrap().to_string();
    assert_eq!(strip(&known), strip(&unknown));
    let sent = smtp.wait_for(3, Duration::from_secs(15));
    assert_eq!(
        sent.len(),
        3,
        "one reset e-mail, for the account that exists"
    );
    let reset = token_in(&sent[2]);
    let (status, to, _) = choose(&app, &reset, PASSWORD).await;
    assert_eq!((status, to.as_str()), (303, "/portal"));
}

/// The same path in a real browser: the invitation's link, the portal, the
/// upload through the task's form, and the officer accepting it on the
/// agreement's page; every page checked by axe-core and photographed.
async fn portal_in_a_browser(db: Db) {
    use crate::browser::{
        accessible, browser, click, driver, fill, path, screenshot, sign_in, text,
    };
    use fantoccini::Locator;
    let smtp = SmtpServer::start();
    let Some(app) = spawn(db, &smtp, None).await else {
        return;
    };
    let (id, agency) = printed_agreement(&app).await;
    invite(&app, agency).await;
    let sent = smtp.wait_for(1, Duration::from_secs(15));
    let token = token_in(&sent[0]);

    let d = driver().await;
    let c = browser(&d, true).await;
    c.goto(&app.url(&format!("/undangan/{token}")))
        .await
        .unwrap();
    screenshot(&c, "undangan").await;
    accessible(&c, "/undangan").await;
    fill(&c, "#password", PASSWORD).await;
    fill(&c, "#password2", PASSWORD).await;
    click(&c, "form button[type=submit]").await;
    assert_eq!(path(&c).await, "/portal");
    let tasks = text(&c, ".tugas").await;
    assert!(tasks.contains("Laporan semester"), "{tasks}");
    screenshot(&c, "portal").await;
    accessible(&c, "/portal").await;

    // A new operator owes an NDA at once.
    fill(&c, &format!("#op-nama-{id}"), "BUDI OPERATOR BARU").await;
    click(
        &c,
        &format!("form[action='/portal/operator/{id}'] button[type=submit]"),
    )
    .await;
    let flash = text(&c, ".pesan-ok").await;
    assert!(flash.contains("BUDI OPERATOR BARU"), "{flash}");
    let tasks = text(&c, ".tugas").await;
    assert!(
        tasks.contains("NDA operator — BUDI OPERATOR BARU"),
        "{tasks}"
    );
    // The same name twice: refused beside the field.
    fill(&c, &format!("#op-nama-{id}"), "Budi Operator Baru").await;
    click(
        &c,
        &format!("form[action='/portal/operator/{id}'] button[type=submit]"),
    )
    .await;
    let refused = text(&c, &format!("#galat-op-{id}")).await;
    assert!(refused.contains("sudah tercatat"), "{refused}");

    click(&c, ".tugas a[href*='report']").await;
    assert!(path(&c)
        .await
        .starts_with(&format!("/portal/tugas/{id}/report")));
    screenshot(&c, "portal_tugas").await;
    accessible(&c, "/portal/tugas").await;
    let file = app.db.dir().join("laporan-semester.pdf");
    std::fs::write(&file, pdf("Laporan semester", None)).unwrap();
    c.find(Locator::Css("#file"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    fill(&c, "#f-nik_hits", "250").await;
    click(&c, "form.unggah button[type=submit]").await;
    assert_eq!(path(&c).await, "/portal");
    let flash = text(&c, ".pesan-ok").await;
    assert!(flash.contains("menunggu pemeriksaan"), "{flash}");
    let waiting = text(&c, ".tugas").await;
    assert!(waiting.contains("Menunggu pemeriksaan"), "{waiting}");
    screenshot(&c, "portal_terkirim").await;
    // On a phone: nothing wider than the screen (tables scroll in their box).
    c.set_window_size(390, 844).await.unwrap();
    for page in ["/portal".to_string(), format!("/perjanjian/{id}")] {
        c.goto(&app.url(&page)).await.unwrap();
        // What sticks out past the screen's right edge, outside a scroll box.
        let wide = c
            .execute(
                r#"const w = window.innerWidth + 1;
                   return [...document.querySelectorAll("body *")]
                     .filter(e => e.getBoundingClientRect().right > w && !e.closest(".tabel-gulir"))
                     .slice(0, 5)
                     .map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right));"#,
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(wide, json!([]), "{page} is wider than a phone");
    }
    c.goto(&app.url("/portal")).await.unwrap();
    screenshot(&c, "portal_ponsel").await;
    c.close().await.unwrap();

    // The officer: the Beranda counts it, the agreement's page accepts it.
    let s = browser(&d, true).await;
    s.goto(&app.url("/masuk")).await.unwrap();
    sign_in(&s, "admin", crate::helpers::ADMIN_PASSWORD).await;
    let home = text(&s, ".hitungan").await;
    assert!(home.contains("Bukti menunggu pemeriksaan"), "{home}");
    s.goto(&app.url(&format!("/perjanjian/{id}#kiriman")))
        .await
        .unwrap();
    screenshot(&s, "perjanjian_kiriman").await;
    accessible(&s, "/perjanjian/{id}#kiriman").await;
    fill(
        &s,
        "textarea[name=catatan][id^=terima]",
        "Lengkap dan ditandatangani",
    )
    .await;
    click(&s, "form[action*='/terima'] button[type=submit]").await;
    let flash = text(&s, ".pesan-ok").await;
    assert!(flash.contains("diterima"), "{flash}");
    let (_, v) = app.get(&format!("/api/v1/agreements/{id}")).await;
    let fulfilled = v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "semester_report" && o["fulfilled_by"]["collection"] == "reports")
        .count();
    assert_eq!(fulfilled, 1, "{}", v["obligations"]);
    s.close().await.unwrap();
}
