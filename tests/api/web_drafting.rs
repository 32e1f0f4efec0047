//! Drafting in a real browser (issue 14): renew a PKS from its page, change
//! its scope beside the live preview, compare the versions, move it through
//! review and approval, record its signing; an adendum compared with the
//! PKS it amends; a draft from nothing with JavaScript off.

use fantoccini::{Client, Locator};
use sepakat::domain::catalog::Role;
use serde_json::{json, Value};

use crate::browser::{
    accessible, browser, click, driver, fill, imported, path, screenshot, sign_in, text,
    with_session,
};
use crate::helpers::{self as common, on_both, password_of, TestApp};

on_both!(
    a_renewal_is_drafted_reviewed_and_signed,
    a_draft_from_nothing_without_javascript
);

async fn versions(app: &TestApp, id: i64) -> usize {
    let (s, v) = app.get(&format!("/api/v1/agreements/{id}/versions")).await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().unwrap().len()
}

/// The id in an address `/perjanjian/{id}/…`.
fn id_in(path: &str) -> i64 {
    path.trim_start_matches("/perjanjian/")
        .split(['/', '?', '#'])
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no agreement in {path}"))
}

async fn checked(c: &Client, css: &str) -> bool {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .prop("checked")
        .await
        .unwrap()
        .as_deref()
        == Some("true")
}

/// Clicks the stage button that moves the draft to `to`.
async fn move_to(c: &Client, to: &str) {
    click(
        c,
        &format!("#tahap form:has(input[name=ke][value={to}]) button[type=submit]"),
    )
    .await;
}

/// A date field set as the browser's date picker would (typing depends on
/// the browser's locale).
async fn date(c: &Client, id: &str, iso: &str) {
    c.execute(
        "document.getElementById(arguments[0]).value = arguments[1];",
        vec![json!(id), json!(iso)],
    )
    .await
    .unwrap();
}

/// A screenshot with the element `id` scrolled to the top of the window.
async fn screenshot_at(c: &Client, id: &str, name: &str) {
    c.execute(
        "document.getElementById(arguments[0]).scrollIntoView();",
        vec![json!(id)],
    )
    .await
    .unwrap();
    screenshot(c, name).await;
}

async fn stage_label(c: &Client) -> String {
    text(c, "#h-tahap").await
}

async fn a_renewal_is_drafted_reviewed_and_signed(app: TestApp) {
    let old = imported(&app).await;
    let (_, pks) = app.get(&format!("/api/v1/agreements/{old}")).await;
    let office = pks["parties"][0]["institution"]["id"].as_i64();
    app.add_user("penyusun", Role::Legal, office);
    let boss = app.add_user("kabid", Role::Legal, office);
    let (s, _) = app
        .patch(&format!("/api/v1/users/{boss}"), &json!({"approver": true}))
        .await;
    assert_eq!(s, 200);
    let d = driver().await;
    let c = browser(&d, true).await;
    c.goto(&app.url(&format!("/perjanjian/{old}")))
        .await
        .unwrap();
    sign_in(&c, "penyusun", &password_of("penyusun")).await;

    // "Perpanjang" on the PKS's page: a draft with its content, no numbers.
    click(&c, "form[action$='/mulai/perpanjang'] button").await;
    let here = path(&c).await;
    assert!(here.ends_with("/ubah"), "{here}");
    let id = id_in(&here);
    assert!(text(&c, "[role=status]")
        .await
        .contains("Draf perpanjangan dibuat"));
    assert!(stage_label(&c).await.contains("Draf"));
    let el = |code: &str| format!("#f-access-web_portal-elements-{code}");
    assert!(checked(&c, &el("jenis_pekerjaan")).await);
    assert!(checked(&c, "#f-access-web_portal").await);
    let protected = c.find(Locator::Css(&el("sidik_jari"))).await.unwrap();
    assert_eq!(
        protected.attr("disabled").await.unwrap().as_deref(),
        Some("true")
    );
    assert!(text(&c, "#bagian-lingkup").await.contains("Pasal 84"));
    let number = c.find(Locator::Css("#f-parties-0-number")).await.is_ok();
    assert!(!number, "the signing section waits for the approval");
    // The preview beside the form prints the draft's blanks.
    let frame = c
        .find(Locator::Css("iframe.bingkai-pratinjau"))
        .await
        .unwrap()
        .attr("src")
        .await
        .unwrap()
        .unwrap();
    let (session, _) = with_session(&c).await;
    let preview = session.get(app.url(&frame)).send().await.unwrap();
    assert_eq!(preview.status(), 200);
    assert_eq!(
        preview.headers()["x-frame-options"].to_str().unwrap(),
        "SAMEORIGIN"
    );
    let html = preview.text().await.unwrap();
    assert!(
        html.contains("8 (delapan)") && html.contains("........"),
        "the preview"
    );
    // The PDF on request prints the same blanks.
    let pdf = session
        .get(app.url(&format!("/perjanjian/{id}/dokumen/pks.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    let printed = crate::documents::pdf_text(&pdf.bytes().await.unwrap());
    assert!(printed.contains("Pada hari ini ........"), "{printed}");
    // A NIP is checked as it is typed, by the rule the save applies.
    fill(&c, "#f-parties-1-signatory-nip", "19670919199003101").await;
    let mut said = String::new();
    for _ in 0..100 {
        said = text(&c, "#cek-f-parties-1-signatory-nip").await;
        if !said.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(said.contains("18 digit"), "{said:?}");
    fill(&c, "#f-parties-1-signatory-nip", "196709191990031010").await;
    accessible(&c, "draf-ubah").await;
    screenshot(&c, "draf-ubah").await;
    screenshot_at(&c, "bagian-lingkup", "draf-ubah-lingkup").await;
    screenshot_at(&c, "pratinjau", "draf-ubah-pratinjau").await;

    // Two elements dropped, the quota raised: one save, one version.
    for code in ["jenis_pekerjaan", "status_perkawinan"] {
        click(&c, &el(code)).await;
    }
    fill(&c, "#f-access-web_portal-daily_quota", "500").await;
    fill(&c, "#catatan-lingkup", "kuota dinaikkan").await;
    click(&c, "#bagian-lingkup button[type=submit]").await;
    assert!(text(&c, "[role=status]").await.contains("tersimpan"));
    assert!(text(&c, "#f-access-web_portal-elements legend")
        .await
        .contains("6 (enam)"));
    assert!(!checked(&c, &el("jenis_pekerjaan")).await);
    assert_eq!(versions(&app, id).await, 2);

    // A forged save with a protected element is refused beside the checklist.
    let csrf = c
        .find(Locator::Css("#bagian-lingkup input[name=_csrf]"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    let forged = session
        .post(app.url(&format!("/perjanjian/{id}/ubah/lingkup")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("/access/web_portal", "ya"),
            ("/access/web_portal/elements", "nik"),
            ("/access/web_portal/elements", "sidik_jari"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 422);
    let page = forged.text().await.unwrap();
    assert!(page.contains("Pasal 84"), "the refusal says why");
    assert_eq!(versions(&app, id).await, 2, "nothing was saved");

    // The versions compared: exactly the two elements and the quota.
    click(&c, "#versi button[type=submit]").await;
    assert!(path(&c)
        .await
        .starts_with(&format!("/perjanjian/{id}/banding")));
    let scope = text(&c, ".beda-lingkup").await;
    assert!(scope.contains("dihapus Status Perkawinan"), "{scope}");
    assert!(scope.contains("dihapus Jenis Pekerjaan"), "{scope}");
    assert!(!scope.contains("ditambah"), "{scope}");
    assert!(scope.contains("200 per hari → 500 per hari"), "{scope}");
    assert!(text(&c, "#h-medan + p")
        .await
        .contains("Tidak ada isian lain"));
    let removed = c.find_all(Locator::Css(".beda-teks del")).await.unwrap();
    let mut gone = vec![];
    for r in removed {
        gone.push(r.text().await.unwrap());
    }
    assert!(gone.iter().any(|t| t.contains("8 (delapan)")), "{gone:?}");
    assert!(text(&c, ".beda-teks").await.contains("6 (enam)"));
    accessible(&c, "draf-banding").await;
    screenshot(&c, "draf-banding").await;
    screenshot_at(&c, "h-teks", "draf-banding-teks").await;

    // Review: submitted by the author, who cannot approve it.
    c.goto(&app.url(&format!("/perjanjian/{id}/ubah")))
        .await
        .unwrap();
    move_to(&c, "ditinjau").await;
    assert!(stage_label(&c).await.contains("Ditinjau"));
    assert!(text(&c, "#tahap").await.contains("Menunggu penyetuju"));
    c.find(Locator::Css("form[action='/keluar'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.goto(&app.url(&format!("/perjanjian/{id}/ubah")))
        .await
        .unwrap();
    sign_in(&c, "kabid", &password_of("kabid")).await;
    // The new end date is not written yet: approval is blocked, and says why.
    move_to(&c, "disetujui").await;
    let blocked = text(&c, "#tahap [role=alert]").await;
    assert!(blocked.contains("temuan galat"), "{blocked}");
    assert!(stage_label(&c).await.contains("Ditinjau"));
    assert!(text(&c, "#temuan")
        .await
        .contains("Tanggal berakhir PKS belum diisi"));
    // Sent back with its reason, which the draft's page then shows.
    fill(
        &c,
        "#catatan-kembali",
        "Isi tanggal berakhir PKS yang baru.",
    )
    .await;
    move_to(&c, "draf").await;
    assert!(stage_label(&c).await.contains("Draf"));
    let said = text(&c, "#perpindahan").await;
    assert!(
        said.contains("Dikembalikan oleh kabid") && said.contains("Isi tanggal berakhir"),
        "{said}"
    );
    move_to(&c, "ditinjau").await;
    date(&c, "f-expires_on", "2028-11-30").await;
    click(&c, "#bagian-isi button[type=submit]").await;
    move_to(&c, "disetujui").await;
    assert!(
        stage_label(&c).await.contains("Disetujui"),
        "{}",
        stage_label(&c).await
    );
    // A change after approval sends it back to review.
    fill(&c, "#f-purpose", "verifikasi data anggota koperasi").await;
    click(&c, "#bagian-isi button[type=submit]").await;
    assert!(text(&c, "[role=status]")
        .await
        .contains("kembali ke tahap Ditinjau"));
    assert!(stage_label(&c).await.contains("Ditinjau"));
    move_to(&c, "disetujui").await;
    assert!(stage_label(&c).await.contains("Disetujui"));

    // The signing: its date and both numbers make it an active PKS.
    date(&c, "f-signed_on", "2026-12-01").await;
    fill(&c, "#f-parties-0-number", "400.12/5100/2026").await;
    fill(&c, "#f-parties-1-number", "518/5100/XII/2026").await;
    fill(&c, "#f-juknis-number", "400.12/5101/2026").await;
    click(&c, "#bagian-tandatangan button[type=submit]").await;
    assert_eq!(path(&c).await, format!("/perjanjian/{id}"));
    assert!(text(&c, "[role=status]")
        .await
        .contains("Penandatanganan tercatat"));
    assert!(text(&c, ".judul-bawah .lencana").await.contains("Berlaku"));
    assert!(text(&c, "#kewajiban").await.contains("Laporan semester"));
    let (_, signed) = app.get(&format!("/api/v1/agreements/{id}")).await;
    assert_eq!(signed["status"], "active");
    assert!(signed.get("stage").is_none());
    // Signed: no more drafting; the old PKS is renewed.
    c.goto(&app.url(&format!("/perjanjian/{id}/ubah")))
        .await
        .unwrap();
    assert_eq!(path(&c).await, format!("/perjanjian/{id}"));
    let (_, was) = app.get(&format!("/api/v1/agreements/{old}")).await;
    assert_eq!(was["status"], "renewed");

    // An adendum of the new PKS adds an element; compared with what it amends.
    click(&c, "form[action$='/mulai/adendum'] button").await;
    let add = id_in(&path(&c).await);
    click(&c, &el("agama")).await;
    click(&c, "#bagian-lingkup button[type=submit]").await;
    click(&c, "#versi a[href$='a=asal&b=kini']").await;
    let scope = text(&c, ".beda-lingkup").await;
    assert!(scope.contains("ditambah Agama"), "{scope}");
    assert!(!scope.contains("dihapus"), "{scope}");
    accessible(&c, "draf-adendum-banding").await;
    screenshot(&c, "draf-adendum-banding").await;
    assert!(add != id);
    c.goto(&app.url("/perjanjian/baru")).await.unwrap();
    accessible(&c, "draf-baru").await;
    screenshot(&c, "draf-baru").await;
    // An agency on record is offered while its name is typed.
    fill(&c, "#instansi", "koperasi").await;
    let mut offered = vec![];
    for _ in 0..100 {
        for o in c
            .find_all(Locator::Css("#daftar-instansi option"))
            .await
            .unwrap()
        {
            offered.push(o.attr("value").await.unwrap().unwrap_or_default());
        }
        if !offered.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        offered,
        vec!["Dinas Koperasi Usaha Kecil dan Menengah Kabupaten Purbalingga"]
    );
    c.close().await.unwrap();
}

async fn a_draft_from_nothing_without_javascript(app: TestApp) {
    let old = imported(&app).await;
    let (_, pks) = app.get(&format!("/api/v1/agreements/{old}")).await;
    let office = pks["parties"][0]["institution"]["id"].as_i64().unwrap();
    let d = driver().await;
    let c = browser(&d, false).await;
    c.goto(&app.url("/perjanjian/baru")).await.unwrap();
    sign_in(&c, "admin", common::ADMIN_PASSWORD).await;
    assert_eq!(path(&c).await, "/perjanjian/baru");
    // Nothing typed: each field says what it needs, nothing is written.
    click(&c, "form:has(input[value=kosong]) button[type=submit]").await;
    assert!(text(&c, "#galat-jenis_instansi")
        .await
        .contains("Pilih jenis"));
    let (_, list) = app.get("/api/v1/agreements").await;
    assert_eq!(list["total"], 1);
    fill(
        &c,
        "#judul",
        "Pemanfaatan Data Kependudukan untuk Bantuan Sosial",
    )
    .await;
    c.find(Locator::Css("#kantor"))
        .await
        .unwrap()
        .select_by_value(&office.to_string())
        .await
        .unwrap();
    fill(&c, "#instansi", "Dinas Sosial Kabupaten Purbalingga").await;
    c.find(Locator::Css("#jenis_instansi"))
        .await
        .unwrap()
        .select_by_value("opd")
        .await
        .unwrap();
    click(&c, "form:has(input[value=kosong]) button[type=submit]").await;
    let id = id_in(&path(&c).await);
    // The office's head, known from its signed PKS, signs for PIHAK KESATU.
    let first_head = c
        .find(Locator::Css("#f-parties-0-signatory-name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(first_head, "Drs. M. FATHURROHMAN, M.Si");
    // A NIP as OCR'd, one digit short: refused beside the field.
    fill(&c, "#f-parties-1-signatory-name", "Dra. SRI WAHYUNI, M.M.").await;
    fill(&c, "#f-parties-1-signatory-nip", "19700101199503200").await;
    click(&c, "#bagian-pihak button[type=submit]").await;
    let e = text(&c, "#galat-f-parties-1-signatory-nip").await;
    assert!(e.contains("NIP"), "{e}");
    assert_eq!(versions(&app, id).await, 1, "nothing half-valid is written");
    fill(&c, "#f-parties-1-signatory-nip", "197001011995032001").await;
    click(&c, "#bagian-pihak button[type=submit]").await;
    assert!(text(&c, "[role=status]").await.contains("tersimpan"));
    // Scope: the web portal with two elements.
    click(&c, "#f-access-web_portal").await;
    for code in ["nik", "nama_lengkap"] {
        click(&c, &format!("#f-access-web_portal-elements-{code}")).await;
    }
    click(&c, "#bagian-lingkup button[type=submit]").await;
    assert!(text(&c, "#f-access-web_portal-elements legend")
        .await
        .contains("2 (dua)"));
    // Submitted and, by the admin, approved once its term is written.
    click(&c, "#tahap form:has(input[value=ditinjau]) button").await;
    click(&c, "#tahap form:has(input[value=disetujui]) button").await;
    assert!(text(&c, "#tahap [role=alert]")
        .await
        .contains("temuan galat"));
    date(&c, "f-expires_on", "2029-01-31").await;
    click(&c, "#bagian-isi button[type=submit]").await;
    click(&c, "#tahap form:has(input[value=disetujui]) button").await;
    assert!(text(&c, "#h-tahap").await.contains("Disetujui"));
    screenshot(&c, "draf-disetujui").await;
    let (_, v): (u16, Value) = app.get(&format!("/api/v1/agreements/{id}")).await;
    assert_eq!(v["stage"], "disetujui");
    assert_eq!(v["parties"][1]["signatory"]["nip"], "197001011995032001");
    assert_eq!(v["access"][0]["elements"], json!(["nik", "nama_lengkap"]));
    c.close().await.unwrap();
}
