//! The reminders page and the administration pages in a real browser, on
//! SQLite and PostgreSQL: the outbox as the office works it (no address,
//! failed, sent again), the calendar subscription shown once and revoked,
//! accounts added through the form and signing in, the holiday table; each
//! page checked by axe-core and photographed.

use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::browser::{
    accessible, browser, click, click_confirmed, driver, fill, path, screenshot, sign_in, text,
    with_session,
};
use crate::helpers::{self as common, example, on_both, published_example, TestApp};
use sepakat::domain::catalog::Role;

on_both!(
    outbox_retry_and_calendar,
    accounts_and_holidays,
    a_decree_saved_by_excel_on_windows
);

const FROM: &str = "Sepakat <sepakat@dukcapil.example>";

/// The example as a PKS is printed: no e-mail of the agency, and here none
/// of the office either, so its reminder has nobody to go to. The report of
/// semester 1 2027 is on record: on 16 July 2027 the renewal request is due.
fn without_any_address() -> Value {
    let mut doc = published_example();
    doc["reports"] = json!([{"year": 2027, "semester": 1, "submitted_on": "2027-07-01",
        "channel": "email"}]);
    doc["parties"][0]["institution"]
        .as_object_mut()
        .unwrap()
        .remove("email");
    doc["juknis"]
        .as_object_mut()
        .unwrap()
        .remove("report_email");
    doc
}

/// The reminder planner run once as of `day`, as the scheduler does.
fn plan(app: &TestApp, day: chrono::NaiveDate) -> sepakat::reminders::PlanReport {
    let mut conn = app.pool.get().unwrap();
    let cal = sepakat::store::holidays::calendar(&mut conn).unwrap();
    let reminders = sepakat::reminders::Reminders::new(
        sepakat::reminders::templates::Templates::load(None).unwrap(),
        sepakat::reminders::mailer::Mailer::new(None, app.db.dir().join("surat")).unwrap(),
        FROM.parse().unwrap(),
    );
    reminders.plan(&mut conn, day, &cal).unwrap()
}

/// A message that failed for good (the mail server refused it every time).
fn failed_message(app: &TestApp, agreement: i64) -> i64 {
    use sepakat::store::outbox;
    let mut conn = app.pool.get().unwrap();
    let mut m = outbox::NewMessage::queued(
        format!("uji-gagal-{agreement}"),
        "overdue".into(),
        "sekretariat.dinkopukm@opd.example".into(),
        "TERLAMBAT: laporan semester".into(),
        "teks".into(),
        "<p>teks</p>".into(),
    );
    m.agreement_id = Some(agreement);
    m.obligation_key = Some("report:2026:1".into());
    m.due_on = chrono::NaiveDate::from_ymd_opt(2026, 7, 14);
    m.state = outbox::FAILED;
    m.attempts = 5;
    assert!(outbox::insert_new(&mut conn, &m).unwrap());
    common::execute_sql(
        &app.pool,
        "UPDATE outbox SET last_error = '550 mailbox unavailable' WHERE dedupe_key LIKE 'uji-gagal-%'",
    );
    let (_, rows) = outbox::list(
        &mut conn,
        Some(outbox::FAILED),
        &sepakat::store::access::Visibility::All,
        10,
        0,
    )
    .unwrap();
    rows[0].id
}

async fn outbox_state(app: &TestApp, id: i64) -> String {
    let (status, v) = app.get("/api/v1/reminders?limit=500").await;
    assert_eq!(status, 200, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .map(|r| r["state"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("message {id} in {v}"))
}

/// The message the last action left, or the page's text when it left none.
async fn flash(c: &Client) -> String {
    match c.find(Locator::Css("main > .pesan-ok[role=status]")).await {
        Ok(e) => e.text().await.unwrap(),
        Err(_) => format!("NO MESSAGE at {}: {}", path(c).await, text(c, "main").await),
    }
}

async fn value_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} on the page: {e}"))
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn outbox_retry_and_calendar(app: TestApp) {
    let (status, created) = app.post("/api/v1/agreements", &without_any_address()).await;
    assert_eq!(status, 201, "{created}");
    let silent = created["id"].as_i64().unwrap();
    let report = plan(&app, chrono::NaiveDate::from_ymd_opt(2027, 7, 16).unwrap());
    assert_eq!(report.undeliverable, 1, "{report:?}");
    let failed = failed_message(&app, silent);

    let d = driver().await;
    let c = browser(&d, true).await;
    c.goto(&app.url("/pengingat?state=failed,undeliverable"))
        .await
        .unwrap();
    sign_in(&c, "admin", common::ADMIN_PASSWORD).await;
    assert_eq!(path(&c).await, "/pengingat?state=failed,undeliverable");
    // Failed first, then the one without an address, each in words.
    let rows = c
        .find_all(Locator::Css("table.pengingat tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let first = rows[0].text().await.unwrap();
    let second = rows[1].text().await.unwrap();
    assert!(
        first.contains("Gagal") && first.contains("550 mailbox unavailable"),
        "{first}"
    );
    assert!(first.contains("Laporan semester"), "{first}");
    assert!(second.contains("Tanpa alamat penerima"), "{second}");
    assert!(
        second.contains("Permohonan perpanjangan") || second.contains("perpanjangan"),
        "{second}"
    );
    assert!(second.contains("16 Juli 2027"), "{second}");
    c.find(Locator::Css(&format!(
        "table.pengingat tbody tr a[href='/perjanjian/{silent}']"
    )))
    .await
    .expect("the agreement is linked");
    accessible(&c, "pengingat").await;
    screenshot(&c, "pengingat").await;

    // A forged retry (no CSRF token) is refused; nothing changes.
    let (http, _) = with_session(&c).await;
    let r = http
        .post(app.url(&format!("/pengingat/{failed}/kirim-ulang")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("kembali=%2Fpengingat")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(outbox_state(&app, failed).await, "failed");

    // Sent again now: queued, and the trail names who did it.
    click(
        &c,
        &format!("form[action='/pengingat/{failed}/kirim-ulang'] button"),
    )
    .await;
    assert!(
        flash(&c).await.contains("dijadwalkan ulang"),
        "{}",
        flash(&c).await
    );
    assert_eq!(path(&c).await, "/pengingat?state=failed,undeliverable");
    assert_eq!(outbox_state(&app, failed).await, "queued");
    let (_, history) = app
        .get(&format!("/api/v1/agreements/{silent}/history"))
        .await;
    let retried: Vec<&Value> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["action"] == "retry" && h["entity"] == "reminder")
        .collect();
    assert_eq!(retried.len(), 1, "{history}");
    assert_eq!(retried[0]["actor"], "admin");
    // A viewer may read the outbox but not send again.
    let office = created["parties"][0]["institution"]["id"].as_i64().unwrap();
    app.add_user("pembaca.kantor", Role::Viewer, Some(office));
    common::execute_sql(
        &app.pool,
        &format!("UPDATE outbox SET state = 'failed' WHERE id = {failed}"),
    );

    // The calendar subscription: made, shown once, read, revoked.
    c.goto(&app.url("/pengingat")).await.unwrap();
    assert!(text(&c, "#kalender-keadaan").await.contains("belum punya"));
    click(&c, "form[action='/pengingat/kalender'] button").await;
    let url = value_of(&c, "#alamat-kalender").await;
    assert!(
        url.starts_with(&app.base) && url.contains("/kalender/") && url.ends_with(".ics"),
        "{url}"
    );
    assert!(value_of(&c, "#alamat-webcal")
        .await
        .starts_with("webcal://"));
    accessible(&c, "pengingat-kalender").await;
    c.execute(
        "document.getElementById('kalender').scrollIntoView();",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&c, "pengingat-kalender").await;
    let ics = reqwest::get(&url).await.unwrap();
    assert_eq!(ics.status(), 200);
    assert!(ics.text().await.unwrap().starts_with("BEGIN:VCALENDAR"));
    c.goto(&app.url("/pengingat")).await.unwrap();
    assert!(
        c.find(Locator::Css("#alamat-kalender")).await.is_err(),
        "the secret is shown once"
    );
    assert!(text(&c, "#kalender-keadaan").await.contains("aktif"));
    click_confirmed(
        &c,
        "form[action='/pengingat/kalender/cabut'] button",
        "Cabut alamat langganan",
    )
    .await;
    assert!(flash(&c).await.contains("dicabut"));
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);

    // The viewer sees the outbox without the retry button; a forged retry
    // with its own token is refused by the core.
    click(&c, "form[action='/keluar'] button").await;
    sign_in(&c, "pembaca.kantor", &common::password_of("pembaca.kantor")).await;
    c.goto(&app.url("/pengingat?state=failed")).await.unwrap();
    assert!(text(&c, "table.pengingat").await.contains("Gagal"));
    assert!(c
        .find(Locator::Css("form[action$='/kirim-ulang']"))
        .await
        .is_err());
    let (http, _) = with_session(&c).await;
    let csrf = value_of(&c, "form[action='/keluar'] input[name=_csrf]").await;
    let r = http
        .post(app.url(&format!("/pengingat/{failed}/kirim-ulang")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("_csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(outbox_state(&app, failed).await, "failed");
    c.close().await.unwrap();
}

async fn user_count(app: &TestApp) -> u64 {
    let (status, v) = app.get("/api/v1/users").await;
    assert_eq!(status, 200, "{v}");
    v["total"].as_u64().unwrap()
}

async fn select(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} on the page: {e}"))
        .select_by_value(value)
        .await
        .unwrap();
}

async fn accounts_and_holidays(app: TestApp) {
    let (status, created) = app.post("/api/v1/agreements", &example()).await;
    assert_eq!(status, 201, "{created}");
    let office = created["parties"][0]["institution"]["id"].as_i64().unwrap();
    let agency = created["parties"][1]["institution"]["id"].as_i64().unwrap();
    app.add_user("pembaca", Role::Viewer, Some(office));
    app.add_user("dinkop", Role::Opd, Some(agency));

    let d = driver().await;
    let c = browser(&d, true).await;
    c.goto(&app.url("/admin")).await.unwrap();
    sign_in(&c, "admin", common::ADMIN_PASSWORD).await;
    assert_eq!(path(&c).await, "/admin");
    accessible(&c, "admin").await;
    click(&c, "main a[href='/admin/pengguna']").await;

    // A legal account through the form.
    let before = user_count(&app).await;
    fill(&c, "#nama_pengguna", "hukum.purbalingga").await;
    select(&c, "#peran", "legal").await;
    select(&c, "#instansi", &office.to_string()).await;
    fill(&c, "#sandi", "sandi-awal-hukum-1").await;
    click(&c, "form[action='/admin/pengguna'] button[type=submit]").await;
    assert!(
        flash(&c).await.contains("hukum.purbalingga"),
        "{}",
        flash(&c).await
    );
    assert_eq!(user_count(&app).await, before + 1);
    assert!(text(&c, "table.daftar")
        .await
        .contains("Staf hukum Dukcapil"));
    accessible(&c, "admin-pengguna").await;
    screenshot(&c, "admin-pengguna").await;

    // The same name again: the message beside the field, nothing written.
    fill(&c, "#nama_pengguna", "hukum.purbalingga").await;
    select(&c, "#peran", "legal").await;
    select(&c, "#instansi", &office.to_string()).await;
    fill(&c, "#sandi", "sandi-awal-hukum-2").await;
    click(&c, "form[action='/admin/pengguna'] button[type=submit]").await;
    assert!(text(&c, "#galat-nama_pengguna")
        .await
        .contains("sudah dipakai"));
    let invalid = c
        .find(Locator::Css("#nama_pengguna"))
        .await
        .unwrap()
        .attr("aria-invalid")
        .await
        .unwrap();
    assert_eq!(invalid.as_deref(), Some("true"));
    assert_eq!(user_count(&app).await, before + 1);
    // A short password and a bad name, each beside its field.
    fill(&c, "#nama_pengguna", "Nama Dengan Spasi").await;
    fill(&c, "#sandi", "pendek").await;
    click(&c, "form[action='/admin/pengguna'] button[type=submit]").await;
    assert!(text(&c, "#galat-nama_pengguna").await.contains("huruf"));
    assert!(text(&c, "#galat-sandi").await.contains("10 karakter"));
    assert_eq!(user_count(&app).await, before + 1);
    accessible(&c, "admin-pengguna-galat").await;

    // A forged form (no CSRF token) is refused; nothing written.
    let (http, _) = with_session(&c).await;
    let r = http
        .post(app.url("/admin/pengguna"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("nama_pengguna=palsu&peran=admin&sandi=sandi-palsu-12345")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(user_count(&app).await, before + 1);

    // Disable the viewer from its row; enable again.
    let (_, users) = app.get("/api/v1/users").await;
    let viewer = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "pembaca")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    // First a new password, set from its row: a short one is refused in
    // words, a good one lets the account in.
    fill(&c, &format!("#sandi-{viewer}"), "pendek").await;
    click(
        &c,
        &format!("form[action='/admin/pengguna/{viewer}'] input[name=sandi] ~ button"),
    )
    .await;
    assert!(text(&c, &format!("#galat-akun-{viewer}"))
        .await
        .contains("10 karakter"));
    fill(&c, &format!("#sandi-{viewer}"), "sandi-baru-pembaca-1").await;
    click(
        &c,
        &format!("form[action='/admin/pengguna/{viewer}'] input[name=sandi] ~ button"),
    )
    .await;
    assert!(flash(&c).await.contains("kata sandi baru"));
    assert!(
        common::login(&app.base, "pembaca", &common::password_of("pembaca"))
            .await
            .is_none(),
        "the old password no longer works"
    );
    assert!(common::login(&app.base, "pembaca", "sandi-baru-pembaca-1")
        .await
        .is_some());
    click_confirmed(
        &c,
        &format!("form[action='/admin/pengguna/{viewer}'] button.tombol-bahaya"),
        "Nonaktifkan akun pembaca",
    )
    .await;
    let m = flash(&c).await;
    assert!(m.contains("dinonaktifkan"), "{m}");
    let (_, u) = app.get(&format!("/api/v1/users/{viewer}")).await;
    assert_eq!(u["disabled"], true);
    click(
        &c,
        &format!("form[action='/admin/pengguna/{viewer}'] input[value=tidak] + button"),
    )
    .await;
    assert!(flash(&c).await.contains("diaktifkan"));

    // Its institution, from the row's link to a form of its own: none is
    // refused beside the row and nothing changes; the agency is kept.
    let institution_of = |id: i64| {
        let app = &app;
        async move { app.get(&format!("/api/v1/users/{id}")).await.1["institution_id"].clone() }
    };
    click(
        &c,
        &format!("a[href='/admin/pengguna/{viewer}/instansi#akun-{viewer}']"),
    )
    .await;
    accessible(&c, "admin-pengguna-instansi").await;
    screenshot(&c, "admin-pengguna-instansi").await;
    select(&c, &format!("#instansi-{viewer}"), "").await;
    click(&c, &format!("#instansi-{viewer} ~ button")).await;
    let m = text(&c, &format!("#galat-akun-{viewer}")).await;
    assert!(m.contains("wajib terikat"), "{m}");
    assert_eq!(institution_of(viewer).await, office);
    select(&c, &format!("#instansi-{viewer}"), &agency.to_string()).await;
    click(&c, &format!("#instansi-{viewer} ~ button")).await;
    let m = flash(&c).await;
    assert!(m.contains("instansi yang dipilih"), "{m}");
    assert_eq!(institution_of(viewer).await, agency);

    // The holiday table of a year, a day added, a decree pasted, a day deleted.
    c.goto(&app.url("/admin/hari-libur?tahun=2027"))
        .await
        .unwrap();
    assert!(text(&c, "main h1").await.contains("2027"));
    accessible(&c, "admin-hari-libur").await;
    screenshot(&c, "admin-hari-libur").await;
    c.execute(
        "document.getElementById('tanggal').value = '2027-12-31';",
        vec![],
    )
    .await
    .unwrap();
    select(&c, "#jenis", "cuti_bersama").await;
    fill(&c, "#nama", "Cuti bersama akhir tahun").await;
    click(
        &c,
        "form[action='/admin/hari-libur'][method=post] button[type=submit]",
    )
    .await;
    assert!(
        flash(&c).await.contains("disimpan"),
        "{}",
        text(&c, "main").await
    );
    assert!(text(&c, "table.daftar")
        .await
        .contains("Cuti bersama akhir tahun"));
    let (_, days) = app.get("/api/v1/holidays?year=2027").await;
    assert!(days["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["date"] == "2027-12-31"));
    // A CSV with a bad line: named beside the field, nothing written.
    fill(
        &c,
        "#csv",
        "date,kind,name,source\n2031-01-01,libur_nasional,Tahun Baru 2031 Masehi,SKB uji\n2031-13-01,libur_nasional,Salah,SKB uji",
    )
    .await;
    click(&c, "form[action='/admin/hari-libur/impor'] button").await;
    assert!(text(&c, "#galat-csv").await.contains("baris 3"));
    let (_, years) = app.get("/api/v1/holidays/years").await;
    assert!(!years.to_string().contains("2031"));
    accessible(&c, "admin-hari-libur-galat").await;
    fill(
        &c,
        "#csv",
        "date,kind,name,source\n2031-01-01,libur_nasional,Tahun Baru 2031 Masehi,SKB uji\n2031-05-01,libur_nasional,Hari Buruh Internasional,SKB uji",
    )
    .await;
    click(&c, "form[action='/admin/hari-libur/impor'] button").await;
    assert!(
        flash(&c).await.contains("2031"),
        "{}",
        text(&c, "main").await
    );
    assert_eq!(path(&c).await, "/admin/hari-libur?tahun=2031");
    let (_, years) = app.get("/api/v1/holidays/years").await;
    assert!(years["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|y| y["year"] == 2031));
    click_confirmed(
        &c,
        "form[action='/admin/hari-libur/2031-05-01/hapus'] button",
        "dari kalender?",
    )
    .await;
    assert!(flash(&c).await.contains("dihapus"));
    let (_, days) = app.get("/api/v1/holidays?year=2031").await;
    assert_eq!(days["items"].as_array().unwrap().len(), 1, "{days}");
    // The decree as a file, saved the way a spreadsheet saves "CSV UTF-8":
    // a byte-order mark and Windows line ends.
    let file = app.db.dir().join("skb-2032.csv");
    std::fs::write(
        &file,
        "\u{feff}date,kind,name,source\r\n2032-01-01,libur_nasional,Tahun Baru 2032 Masehi,SKB uji\r\n2032-05-01,libur_nasional,Hari Buruh Internasional,SKB uji\r\n",
    )
    .unwrap();
    c.execute("document.getElementById('impor').scrollIntoView();", vec![])
        .await
        .unwrap();
    screenshot(&c, "admin-hari-libur-impor").await;
    c.find(Locator::Css("#berkas-csv"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    click(&c, "form[action='/admin/hari-libur/impor'] button").await;
    let m = flash(&c).await;
    assert!(
        m.contains("2 hari libur disimpan") && m.contains("2032"),
        "{m}"
    );
    let (_, days) = app.get("/api/v1/holidays?year=2032").await;
    let names: Vec<&str> = days["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["Tahun Baru 2032 Masehi", "Hari Buruh Internasional"],
        "{days}"
    );

    // The new legal account signs in through /masuk.
    click(&c, "form[action='/keluar'] button").await;
    c.goto(&app.url("/masuk")).await.unwrap();
    sign_in(&c, "hukum.purbalingga", "sandi-awal-hukum-1").await;
    assert!(text(&c, ".akun-nama").await.contains("hukum.purbalingga"));
    // Legal staff may open the accounts page (their agencies' OPD accounts).
    c.goto(&app.url("/admin/pengguna")).await.unwrap();
    assert!(text(&c, "main h1").await.contains("Pengguna"));

    // A viewer and an OPD account are refused /admin by the core.
    for who in ["pembaca", "dinkop"] {
        // (The refusal page carries no menu: sign out from a page that does.)
        c.goto(&app.url("/pengingat")).await.unwrap();
        click(&c, "form[action='/keluar'] button").await;
        c.goto(&app.url("/masuk")).await.unwrap();
        // (The viewer's password was set from its row above.)
        let password = match who {
            "pembaca" => "sandi-baru-pembaca-1".to_string(),
            _ => common::password_of(who),
        };
        sign_in(&c, who, &password).await;
        c.goto(&app.url("/admin")).await.unwrap();
        let (http, _) = with_session(&c).await;
        for page in ["/admin", "/admin/pengguna", "/admin/hari-libur"] {
            let r = http.get(app.url(page)).send().await.unwrap();
            assert_eq!(r.status(), 403, "{who} {page}");
        }
        accessible(&c, &format!("admin-ditolak-{who}")).await;
    }
    c.close().await.unwrap();
}

/// A decree's CSV as Excel on Windows saves "CSV (Comma delimited)":
/// Windows-1252, so an en dash is one byte that is not UTF-8. It is read as
/// that encoding and imported with its dash, not refused.
async fn a_decree_saved_by_excel_on_windows(app: TestApp) {
    let cookie = crate::portal::session_of(&app, "admin", common::ADMIN_PASSWORD).await;
    let (status, page) = app.page(&cookie, "/admin/hari-libur?tahun=2033").await;
    assert_eq!(status, 200);
    let csrf = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let mut csv = b"date,kind,name,source\r\n2033-03-21,libur_nasional,Hari Suci Nyepi ".to_vec();
    csv.push(0x96); // an en dash in Windows-1252
    csv.extend_from_slice(b" Tahun Baru Saka 1955,SKB uji\r\n");
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("tahun", "2033")
        .part(
            "berkas",
            reqwest::multipart::Part::bytes(csv)
                .file_name("skb-2033.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/admin/hari-libur/impor"))
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let (_, days) = app.get("/api/v1/holidays?year=2033").await;
    assert_eq!(
        days["items"][0]["name"], "Hari Suci Nyepi \u{2013} Tahun Baru Saka 1955",
        "{days}"
    );
}
