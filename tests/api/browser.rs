//! The pages in a real browser: Debian's chromium driven through
//! chromedriver, against the real server on a random port, on SQLite and on
//! PostgreSQL. Every page visited is checked by axe-core (WCAG 2.1 AA) and
//! photographed at 1366×768 into `target/screenshots/`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::{self as common, free_port, on_both, published_example, seed, TestApp};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

on_both!(staff_work_through_the_pages, pages_work_without_javascript);

/// chromedriver for one test, stopped with it.
pub(crate) struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn driver() -> Driver {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (Debian package chromium-driver; .ci/run installs it)");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{url}/status")).await.is_ok() {
            return Driver { child, url };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on {url}");
}

/// A headless chromium at 1366×768, with or without JavaScript.
pub(crate) async fn browser(d: &Driver, javascript: bool) -> Client {
    let mut options = json!({
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--window-size=1366,768", "--lang=id"],
    });
    if let Ok(bin) = std::env::var("SEPAKAT_TEST_CHROMIUM") {
        options["binary"] = json!(bin);
    } else if std::path::Path::new("/usr/bin/chromium").exists() {
        options["binary"] = json!("/usr/bin/chromium");
    }
    if !javascript {
        options["prefs"] = json!({"profile.managed_default_content_settings.javascript": 2});
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&d.url)
        .await
        .expect("a chromium session")
}

/// Writes the page as it looks now to `target/screenshots/NAME.png`.
pub(crate) async fn screenshot(c: &Client, name: &str) {
    let dir = common::root().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// axe-core's WCAG 2.1 A/AA rules over the page: no violation.
pub(crate) async fn accessible(c: &Client, page: &str) {
    let axe = std::fs::read_to_string(common::root().join("tests/assets/axe-4.14.1.min.js"))
        .expect("axe-core is vendored under tests/assets");
    c.execute(&axe, vec![]).await.expect("axe loads");
    let result = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
                  .then(r => done(r.violations.map(v => ({id: v.id, help: v.help,
                        nodes: v.nodes.map(n => n.html).slice(0, 3)}))))
                  .catch(e => done([{id: "axe-error", help: String(e)}]));"#,
            vec![],
        )
        .await
        .expect("axe runs");
    let violations = result.as_array().cloned().unwrap_or_default();
    assert!(
        violations.is_empty(),
        "{page}: accessibility violations: {}",
        serde_json::to_string_pretty(&result).unwrap()
    );
}

pub(crate) async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} on the page: {e}"))
        .text()
        .await
        .unwrap()
}

pub(crate) async fn path(c: &Client) -> String {
    let u = c.current_url().await.unwrap();
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    }
}

pub(crate) async fn fill(c: &Client, css: &str, value: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    // Typing into a field the page has just focused can race with the
    // browser's own focus handling: check what the field holds.
    for _ in 0..3 {
        e.clear().await.unwrap();
        e.send_keys(value).await.unwrap();
        if e.prop("value").await.unwrap().as_deref() == Some(value) {
            return;
        }
    }
    panic!("{css} does not take the value {value:?}");
}

/// Clicks what `css` finds; for a link or a submit button, waits until the
/// browser has left the page (the clicked element is gone), so that what
/// the test reads next is the next page, not this one.
pub(crate) async fn click(c: &Client, css: &str) {
    let e = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} on the page: {e}"));
    let tag = e.tag_name().await.unwrap().to_lowercase();
    let kind = e.attr("type").await.unwrap().unwrap_or_default();
    let navigates = tag == "a" || (tag == "button" && kind != "button");
    e.click().await.unwrap();
    if navigates {
        for _ in 0..200 {
            if e.tag_name().await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("clicking {css} did not lead to another page");
    }
}

/// Clicks a button whose form asks before it is sent (`data-konfirmasi`,
/// with JavaScript on): the question must come, naming `asks`, and is
/// answered yes; then waits for the next page as [`click`] does.
pub(crate) async fn click_confirmed(c: &Client, css: &str, asks: &str) {
    let e = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} on the page: {e}"));
    e.click().await.unwrap();
    let mut question = None;
    for _ in 0..100 {
        if let Ok(t) = c.get_alert_text().await {
            question = Some(t);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let question = question.unwrap_or_else(|| panic!("{css}: no question before sending"));
    assert!(question.contains(asks), "{css} asks: {question}");
    c.accept_alert().await.unwrap();
    for _ in 0..200 {
        if e.tag_name().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("confirming {css} did not lead to another page");
}

/// Applies a list's filters (the form's button): with JavaScript, htmx
/// swaps the results in place; without, the browser loads the page. Either
/// way, waits until the address holds `wanted` and nothing is loading.
pub(crate) async fn filter(c: &Client, wanted: &[&str]) {
    c.find(Locator::Css("form.saring button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let mut here = String::new();
    for _ in 0..200 {
        here = path(c).await;
        let busy = c
            .execute("return !!document.querySelector('.htmx-request');", vec![])
            .await
            .map(|v| v == json!(true))
            .unwrap_or(true);
        if !busy && wanted.iter().all(|w| here.contains(w)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the filters did not lead to {wanted:?}: {here}");
}

/// Opens one of the agreement page's record forms: its title fetches the
/// form into place with JavaScript; without, the title shows a link to the
/// page with that form open.
async fn open_form(c: &Client, slug: &str, javascript: bool) {
    click(c, &format!("#{slug} summary")).await;
    let field = format!("#{slug} form button[type=submit]");
    if !javascript {
        assert!(
            c.find(Locator::Css(&field)).await.is_err(),
            "the form is fetched when asked for"
        );
        click(c, &format!("#{slug} a[href$='/catat/{slug}#{slug}']")).await;
    }
    for _ in 0..200 {
        if c.find(Locator::Css(&field)).await.is_ok() {
            let open = c
                .find(Locator::Css(&format!("#{slug}")))
                .await
                .unwrap()
                .attr("open")
                .await
                .unwrap();
            assert!(open.is_some(), "#{slug} shows its form open");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the form #{slug} did not open");
}

/// Opens the agreement page's waiver form (fetched when opened, like the
/// record forms) and chooses its first obligation; the obligation's key and
/// how the form names it.
async fn choose_waivable(c: &Client, javascript: bool) -> (String, String) {
    open_form(c, "pengecualian", javascript).await;
    let first = c
        .find(Locator::Css("#kunci option:nth-child(2)"))
        .await
        .unwrap();
    let key = first.attr("value").await.unwrap().unwrap();
    let label = first.text().await.unwrap();
    c.find(Locator::Css("#kunci"))
        .await
        .unwrap()
        .select_by_value(&key)
        .await
        .unwrap();
    (key, label)
}

pub(crate) async fn sign_in(c: &Client, username: &str, password: &str) {
    fill(c, "#username", username).await;
    fill(c, "#password", password).await;
    click(c, "form[action='/masuk'] button[type=submit]").await;
}

/// The first count on the Beranda: overdue obligations.
pub(crate) async fn overdue_on_home(c: &Client, app: &TestApp) -> u64 {
    c.goto(&app.url("/")).await.unwrap();
    let t = text(c, ".hitungan li:first-child .angka-besar").await;
    t.replace('.', "")
        .parse()
        .unwrap_or_else(|_| panic!("a count, not {t:?}"))
}

/// The example PKS as its paper reads (no e-mail of the agency), imported
/// through the API.
pub(crate) async fn imported(app: &TestApp) -> i64 {
    let (status, v) = app.post("/api/v1/agreements", &published_example()).await;
    assert_eq!(status, 201, "{v}");
    v["id"].as_i64().unwrap()
}

/// A client that carries the browser's session cookie (for what a browser
/// saves rather than shows: the PDF, the XLSX; and for forged posts).
pub(crate) async fn with_session(c: &Client) -> (reqwest::Client, String) {
    let cookie = c
        .get_named_cookie("sepakat_sesi")
        .await
        .expect("a session cookie");
    let value = format!("sepakat_sesi={}", cookie.value());
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, value.parse().unwrap());
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (client, cookie.value().to_string())
}

async fn reports(app: &TestApp, id: i64) -> usize {
    let (status, v) = app.get(&format!("/api/v1/agreements/{id}/reports")).await;
    assert_eq!(status, 200, "{v}");
    v.as_array()
        .map(Vec::len)
        .unwrap_or_else(|| v["items"].as_array().unwrap().len())
}

async fn staff_work_through_the_pages(app: TestApp) {
    let id = imported(&app).await;
    let d = driver().await;
    let c = browser(&d, true).await;
    let backend = if app.db.url.starts_with("postgres") {
        "pg"
    } else {
        "sqlite"
    };

    // An address without a session leads to the sign-in page and back.
    c.goto(&app.url(&format!("/perjanjian/{id}")))
        .await
        .unwrap();
    assert!(
        path(&c).await.starts_with("/masuk?lanjut="),
        "{}",
        path(&c).await
    );
    accessible(&c, "masuk").await;
    screenshot(&c, "masuk").await;
    sign_in(&c, "admin", "salah-sandi").await;
    assert!(text(&c, "[role=alert]").await.contains("salah"));
    sign_in(&c, "admin", common::ADMIN_PASSWORD).await;
    assert_eq!(path(&c).await, format!("/perjanjian/{id}"));

    // Beranda: the overdue semester reports of a PKS signed in 2025.
    let before = overdue_on_home(&c, &app).await;
    assert!(before >= 1, "the example owes overdue reports");
    accessible(&c, "beranda").await;
    screenshot(&c, "beranda").await;

    // Search by a party's name and open the agreement.
    click(&c, "a[href='/perjanjian']").await;
    fill(&c, "#q", "koperasi").await;
    filter(&c, &["q=koperasi"]).await;
    assert!(
        text(&c, "#jumlah").await.contains("dari 1 perjanjian"),
        "{}",
        text(&c, "#jumlah").await
    );
    accessible(&c, "perjanjian").await;
    screenshot(&c, "perjanjian").await;
    // Filters by what is granted, chosen in the form, kept in the address.
    c.find(Locator::Css("#metode"))
        .await
        .unwrap()
        .select_by_value("web_portal")
        .await
        .unwrap();
    c.find(Locator::Css("#elemen"))
        .await
        .unwrap()
        .select_by_value("jenis_pekerjaan")
        .await
        .unwrap();
    filter(&c, &["metode=web_portal", "elemen=jenis_pekerjaan"]).await;
    let here = path(&c).await;
    assert!(
        here.contains("metode=web_portal") && here.contains("elemen=jenis_pekerjaan"),
        "{here}"
    );
    assert!(text(&c, "#jumlah").await.contains("dari 1 perjanjian"));
    c.goto(&app.url("/perjanjian?q=koperasi&metode=web_service"))
        .await
        .unwrap();
    assert!(
        text(&c, "#jumlah").await.contains("Tidak ada"),
        "no web service granted"
    );
    c.goto(&app.url("/perjanjian?metode=teleportasi"))
        .await
        .unwrap();
    assert!(text(&c, "main")
        .await
        .contains("metode akses 'teleportasi' tidak dikenal"));
    c.goto(&app.url("/perjanjian?q=koperasi")).await.unwrap();
    click(&c, &format!("table.daftar a[href='/perjanjian/{id}']")).await;
    assert_eq!(path(&c).await, format!("/perjanjian/{id}"));
    let page = text(&c, "main").await;
    assert!(page.contains("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Purbalingga"));
    assert!(page.contains("Web Portal"), "access method in words");
    accessible(&c, "perjanjian-satu").await;
    screenshot(&c, "perjanjian-satu").await;

    // The PKS as a PDF, from the page's own link.
    let href = c
        .find(Locator::Css("a[href$='/dokumen/pks.pdf']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let (http, _) = with_session(&c).await;
    let r = http.get(app.url(&href)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = crate::documents::pdf_text(&r.bytes().await.unwrap());
    assert!(pdf.contains("PERJANJIAN KERJA SAMA"), "{pdf}");
    assert!(
        pdf.contains("400.12/2432/2025"),
        "the first party's number in the PDF"
    );

    // A forged form without the CSRF token: refused, nothing written.
    let reports_before = reports(&app, id).await;
    let r = http
        .post(app.url(&format!("/perjanjian/{id}/catat/laporan")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("periode=2025-2&diserahkan=2026-01-10&saluran=email")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = http
        .post(app.url(&format!("/perjanjian/{id}/catat/laporan")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&periode=2025-2&diserahkan=2026-01-10")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "another token is refused too");
    assert_eq!(reports(&app, id).await, reports_before);

    // A wrong value is named next to its field, and nothing is written.
    c.goto(&app.url(&format!("/perjanjian/{id}#laporan")))
        .await
        .unwrap();
    open_form(&c, "laporan", true).await;
    let focused = c.active_element().await.unwrap().attr("id").await.unwrap();
    assert_eq!(
        focused.as_deref(),
        Some("laporan-judul"),
        "the keyboard stays on the form's title"
    );
    screenshot(&c, &format!("perjanjian-satu-formulir-{backend}")).await;
    fill(&c, "#laporan-akses_nik", "banyak").await;
    click(&c, "form[action$='/catat/laporan'] button[type=submit]").await;
    assert!(text(&c, "#galat-laporan-akses_nik")
        .await
        .contains("bilangan bulat"));
    assert_eq!(reports(&app, id).await, reports_before);
    accessible(&c, "perjanjian-satu-galat").await;

    // Record the earliest open semester report: fulfilled at once.
    let subject = text(&c, "#laporan-periode option:checked").await;
    fill(&c, "#laporan-akses_nik", "1.250").await;
    click(&c, "form[action$='/catat/laporan'] button[type=submit]").await;
    assert!(text(&c, "[role=status]").await.contains("tercatat"));
    assert_eq!(reports(&app, id).await, reports_before + 1);
    let fulfilled = c
        .find_all(Locator::Css(".lini.keadaan-fulfilled"))
        .await
        .unwrap();
    let mut found = false;
    for li in fulfilled {
        found |= li.text().await.unwrap().contains(&subject);
    }
    assert!(found, "the obligation of {subject} is shown fulfilled");
    screenshot(&c, &format!("perjanjian-satu-laporan-{backend}")).await;
    assert_eq!(
        overdue_on_home(&c, &app).await,
        before - 1,
        "the Beranda count drops"
    );

    // A waiver, from the page's one form: without a reason it is refused
    // beside the field; with one, the obligation shows waived.
    c.goto(&app.url(&format!("/perjanjian/{id}#pengecualian")))
        .await
        .unwrap();
    let (key, label) = choose_waivable(&c, true).await;
    click(&c, "form[action$='/pengecualian'] button[type=submit]").await;
    assert!(text(&c, "#galat-alasan").await.contains("alasan"));
    fill(&c, "#alasan", "akses belum aktif pada periode ini").await;
    click(&c, "form[action$='/pengecualian'] button[type=submit]").await;
    assert!(text(&c, "[role=status]").await.contains("dikecualikan"));
    let (_, v) = app.get(&format!("/api/v1/agreements/{id}")).await;
    let waived = v["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["key"] == key.as_str())
        .unwrap_or_else(|| panic!("{key} ({label})"));
    assert_eq!(waived["state"], "waived", "{label}");
    assert_eq!(
        waived["waiver_reason"],
        "akses belum aktif pada periode ini"
    );

    // Sign out: the same address is refused.
    click(&c, "form[action='/keluar'] button").await;
    assert!(path(&c).await.starts_with("/masuk"));
    c.goto(&app.url("/perjanjian")).await.unwrap();
    assert!(path(&c).await.starts_with("/masuk?lanjut="));
    let r = http.get(app.url("/perjanjian")).send().await.unwrap();
    assert_eq!(r.status(), 303, "the old session cookie is over");

    // Unknown pages answer in words.
    sign_in(&c, "admin", common::ADMIN_PASSWORD).await;
    c.goto(&app.url("/tidak-ada")).await.unwrap();
    assert!(text(&c, "main h1").await.contains("Tidak ditemukan"));
    accessible(&c, "galat").await;
    c.close().await.unwrap();
}

async fn pages_work_without_javascript(app: TestApp) {
    let id = imported(&app).await;
    let d = driver().await;
    let c = browser(&d, false).await;
    c.goto(&app.url("/")).await.unwrap();
    sign_in(&c, "admin", common::ADMIN_PASSWORD).await;
    overdue_on_home(&c, &app).await;
    assert!(
        c.find(Locator::Css("#per-kantor")).await.is_err(),
        "no roll-up over one office"
    );
    // A second office: the Beranda rolls up per office and drills down.
    let (status, v) = app
        .post("/api/v1/agreements", &seed("pks-bandung-dinsos-2023.json"))
        .await;
    assert_eq!(status, 201, "{v}");
    c.goto(&app.url("/")).await.unwrap();
    let rows = c
        .find_all(Locator::Css("section[aria-labelledby=per-kantor] tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let before = overdue_on_home(&c, &app).await;
    c.goto(&app.url("/")).await.unwrap();
    let href = c
        .find(Locator::LinkText(
            "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Bandung",
        ))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    click(&c, &format!("a[href='{href}']")).await;
    assert!(path(&c).await.contains("kantor="));
    assert!(text(&c, "#jumlah").await.contains("dari 1 perjanjian"));
    screenshot(&c, "perjanjian-per-kantor").await;
    c.goto(&app.url(&format!("/perjanjian?q={}", "400.12%2F2432")))
        .await
        .unwrap();
    click(&c, &format!("a[href='/perjanjian/{id}']")).await;
    open_form(&c, "laporan", false).await;
    click(&c, "form[action$='/catat/laporan'] button[type=submit]").await;
    assert!(text(&c, "[role=status]").await.contains("tercatat"));
    assert_eq!(overdue_on_home(&c, &app).await, before - 1);
    // A waiver with its reason, as a plain form.
    c.goto(&app.url(&format!("/perjanjian/{id}#kewajiban")))
        .await
        .unwrap();
    choose_waivable(&c, false).await;
    fill(&c, "#alasan", "PIHAK KEDUA belum memakai akses").await;
    click(&c, "#pengecualian button[type=submit]").await;
    assert!(text(&c, "[role=status]").await.contains("dikecualikan"));
    screenshot(&c, "tanpa-javascript").await;
    let (status, v): (u16, Value) = app.get(&format!("/api/v1/agreements/{id}/history")).await;
    assert_eq!(status, 200);
    let actors: Vec<_> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["actor"].clone())
        .collect();
    assert!(
        actors.iter().all(|a| a == "admin"),
        "the page's writes are audited as the user: {actors:?}"
    );
    c.close().await.unwrap();
}
