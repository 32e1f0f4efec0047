//! The lists' pages and downloads in a real browser (see `browser.rs`):
//! the agreements list exported as CSV and XLSX from its own links, read
//! back as a spreadsheet program would and compared with what the list
//! shows; the Kewajiban page with its filters, its count against the
//! Beranda's, its exports, and its answers to a wrong address.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx};
use chrono::NaiveDate;
use fantoccini::{Client, Locator};

use crate::browser::{
    accessible, browser, click, driver, imported, overdue_on_home, path, screenshot, sign_in, text,
    with_session,
};
use crate::helpers::{self as common, example, example_numbered, on_both, TestApp};

on_both!(
    agreements_export_as_the_list_shows,
    obligations_page_and_its_exports
);

/// The `href` of the first element `css` finds.
async fn href(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} on the page: {e}"))
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{css} has an href"))
}

/// A number as the pages write it ("1.234").
fn number(t: &str) -> u64 {
    t.replace('.', "")
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("a number, not {t:?}"))
}

/// The total of a list page (`#jumlah strong`), 0 when nothing matched.
async fn total(c: &Client) -> u64 {
    match c.find(Locator::Css("#jumlah strong")).await {
        Ok(e) => number(&e.text().await.unwrap()),
        Err(_) => 0,
    }
}

/// A download through the browser's session: its headers and bytes.
async fn download(c: &Client, app: &TestApp, href: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let (http, _) = with_session(c).await;
    let r = http.get(app.url(href)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{href}");
    let headers = r.headers().clone();
    (headers, r.bytes().await.unwrap().to_vec())
}

/// The CSV's header and rows.
fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(bytes);
    let header = r
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// The sheet's header and rows, as calamine reads them.
fn xlsx_rows(bytes: Vec<u8>, sheet: &str) -> (Vec<String>, Vec<Vec<Data>>) {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("an XLSX file");
    let range = book.worksheet_range(sheet).expect("the sheet");
    let mut rows = range.rows();
    let header = rows
        .next()
        .expect("a header row")
        .iter()
        .map(|d| d.to_string())
        .collect();
    (header, rows.map(<[Data]>::to_vec).collect())
}

fn cell_text(d: &Data) -> String {
    d.get_string().map(str::to_string).unwrap_or_default()
}

const AGREEMENT_COLUMNS: [&str; 9] = [
    "Judul",
    "Jenis",
    "Nomor PIHAK KESATU",
    "PIHAK KESATU",
    "Nomor PIHAK KEDUA",
    "PIHAK KEDUA",
    "Ditandatangani",
    "Berakhir",
    "Status",
];

async fn agreements_export_as_the_list_shows(app: TestApp) {
    let id = imported(&app).await;
    for (first, second) in [
        ("400.12/1111/2025", "518/1111/IX/2025"),
        ("400.12/2222/2025", "518/2222/IX/2025"),
    ] {
        let (status, v) = app
            .post("/api/v1/agreements", &example_numbered(first, second))
            .await;
        assert_eq!(status, 201, "{v}");
    }
    let doc = example();
    let title = doc["title"].as_str().unwrap();
    let d = driver().await;
    let c = browser(&d, true).await;
    c.goto(&app.url("/perjanjian")).await.unwrap();
    sign_in(&c, "admin", common::ADMIN_PASSWORD).await;
    assert_eq!(path(&c).await, "/perjanjian");
    let shown = total(&c).await;
    assert_eq!(shown, 3);
    let rows_on_page = c
        .find_all(Locator::Css("table.daftar tbody tr"))
        .await
        .unwrap()
        .len();
    assert_eq!(rows_on_page as u64, shown);

    // Without a session a download is not given: sign in first.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/perjanjian.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // XLSX from the page's own link.
    let link = href(&c, "a[href^='/perjanjian.xlsx']").await;
    let (headers, bytes) = download(&c, &app, &link).await;
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"perjanjian-20")
            && disposition.ends_with(".xlsx\""),
        "{disposition}"
    );
    let (header, rows) = xlsx_rows(bytes, "Perjanjian");
    assert_eq!(header, AGREEMENT_COLUMNS);
    assert_eq!(rows.len() as u64, shown, "every row the list counts");
    let row = rows
        .iter()
        .find(|r| cell_text(&r[2]) == "400.12/2432/2025")
        .expect("the example's row");
    assert_eq!(cell_text(&row[0]), title);
    assert_eq!(cell_text(&row[1]), "Perjanjian Kerja Sama");
    assert_eq!(
        cell_text(&row[3]),
        "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Purbalingga"
    );
    assert_eq!(cell_text(&row[4]), "518/4180/IX/2025");
    assert!(row[6].is_datetime(), "a real date cell: {:?}", row[6]);
    assert_eq!(row[6].as_date(), NaiveDate::from_ymd_opt(2025, 9, 16));
    assert_eq!(row[7].as_date(), NaiveDate::from_ymd_opt(2027, 9, 16));
    let status_on_page = text(
        &c,
        &format!("table.daftar tr:has(a[href='/perjanjian/{id}']) .lencana"),
    )
    .await;
    assert_eq!(cell_text(&row[8]), status_on_page, "status in words");

    // CSV likewise.
    let link = href(&c, "a[href^='/perjanjian.csv']").await;
    let (headers, bytes) = download(&c, &app, &link).await;
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .ends_with(".csv\""));
    let (header, rows) = csv_rows(&bytes);
    assert_eq!(header, AGREEMENT_COLUMNS);
    assert_eq!(rows.len() as u64, shown);
    let row = rows
        .iter()
        .find(|r| r[2] == "400.12/2432/2025")
        .expect("the example's row");
    assert_eq!(row[0], title);
    assert_eq!(row[4], "518/4180/IX/2025");
    assert_eq!(
        (row[6].as_str(), row[7].as_str()),
        ("2025-09-16", "2027-09-16")
    );
    assert_eq!(row[8], status_on_page);

    // A filter in the address narrows the list and its downloads alike.
    c.goto(&app.url("/perjanjian?q=400.12%2F1111"))
        .await
        .unwrap();
    assert_eq!(total(&c).await, 1);
    let link = href(&c, "a[href^='/perjanjian.csv']").await;
    assert!(link.contains("q=400.12"), "{link}");
    let (_, bytes) = download(&c, &app, &link).await;
    let (_, rows) = csv_rows(&bytes);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][2], "400.12/1111/2025");
    let link = href(&c, "a[href^='/perjanjian.xlsx']").await;
    let (_, bytes) = download(&c, &app, &link).await;
    let (_, rows) = xlsx_rows(bytes, "Perjanjian");
    assert_eq!(rows.len(), 1);
    assert_eq!(cell_text(&rows[0][4]), "518/1111/IX/2025");

    // With JavaScript, the results follow the search box as it is typed
    // (htmx), without leaving the page, and the address follows.
    c.goto(&app.url("/perjanjian")).await.unwrap();
    c.execute("window.__tetap = 1;", vec![]).await.unwrap();
    c.find(Locator::Css("#q"))
        .await
        .unwrap()
        .send_keys("2222")
        .await
        .unwrap();
    let mut narrowed = false;
    for _ in 0..100 {
        // Read in one step: htmx may swap the results between two.
        let shown = c
            .execute(
                "var e = document.querySelector('#jumlah strong'); return e ? e.textContent : '';",
                vec![],
            )
            .await
            .unwrap();
        if shown == serde_json::json!("1") && path(&c).await.contains("q=2222") {
            narrowed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        narrowed,
        "the list follows the search box: {}",
        path(&c).await
    );
    let same_page = c
        .execute("return window.__tetap === 1;", vec![])
        .await
        .unwrap();
    assert_eq!(
        same_page,
        serde_json::json!(true),
        "updated in place, not reloaded"
    );
    let link = href(&c, "a[href^='/perjanjian.csv']").await;
    assert!(link.contains("q=2222"), "the export follows too: {link}");

    // A wrong filter: a page in words, not a file.
    let (http, _) = with_session(&c).await;
    let r = http
        .get(app.url("/perjanjian.csv?status=xyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("xyz"));
    c.close().await.unwrap();
}

async fn obligations_page_and_its_exports(app: TestApp) {
    imported(&app).await;
    let d = driver().await;
    let c = browser(&d, true).await;
    c.goto(&app.url("/")).await.unwrap();
    sign_in(&c, "admin", common::ADMIN_PASSWORD).await;
    let overdue = overdue_on_home(&c, &app).await;
    assert!(overdue >= 1, "the example owes overdue reports");

    // The Beranda's count leads to the list it counts.
    click(&c, "a[href='/kewajiban?state=overdue']").await;
    assert_eq!(path(&c).await, "/kewajiban?state=overdue");
    assert_eq!(total(&c).await, overdue, "the Beranda's count");
    let badges = c
        .find_all(Locator::Css("table.daftar tbody .lencana"))
        .await
        .unwrap();
    assert!(!badges.is_empty());
    assert!(badges.len() <= 25);
    for b in &badges {
        assert_eq!(b.text().await.unwrap(), "Terlambat");
        assert_eq!(
            b.attr("class").await.unwrap().unwrap(),
            "lencana keadaan-overdue"
        );
    }
    assert!(text(&c, "#jumlah").await.contains("Terlambat"));
    assert_eq!(
        text(&c, "#state option:checked").await,
        "Terlambat",
        "the filter shows what is chosen"
    );
    accessible(&c, "kewajiban").await;
    screenshot(&c, "kewajiban").await;

    // Its downloads hold the same rows, every one overdue.
    let link = href(&c, "a[href^='/kewajiban.csv']").await;
    assert_eq!(link, "/kewajiban.csv?state=overdue");
    let (headers, bytes) = download(&c, &app, &link).await;
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let (header, rows) = csv_rows(&bytes);
    assert_eq!(header[0], "Tenggat");
    assert_eq!(rows.len() as u64, overdue);
    assert!(rows.iter().all(|r| r[6] == "Terlambat"), "{rows:?}");
    assert!(rows.iter().all(|r| r[0].parse::<NaiveDate>().is_ok()));
    let link = href(&c, "a[href^='/kewajiban.xlsx']").await;
    let (_, bytes) = download(&c, &app, &link).await;
    let (header, rows) = xlsx_rows(bytes, "Kewajiban");
    assert_eq!(header[6], "Keadaan");
    assert_eq!(rows.len() as u64, overdue);
    assert!(
        rows.iter().all(|r| r[0].is_datetime()),
        "due dates as dates"
    );

    // Narrowed by kind through the form: only semester reports.
    c.goto(&app.url("/kewajiban?state=overdue&kind=semester_report"))
        .await
        .unwrap();
    let reports = total(&c).await;
    assert!((1..=overdue).contains(&reports));
    for cell in c
        .find_all(Locator::Css("table.daftar tbody td:nth-child(2)"))
        .await
        .unwrap()
    {
        assert!(cell.text().await.unwrap().starts_with("Laporan semester"));
    }

    // Every state together is more than the overdue ones.
    c.goto(&app.url("/kewajiban")).await.unwrap();
    assert!(total(&c).await > overdue);

    // A wrong filter is answered in words, with 400.
    let (http, _) = with_session(&c).await;
    for (address, words) in [
        ("/kewajiban?state=xyz", "xyz"),
        ("/kewajiban?dalam=-1", "dalam"),
        ("/kewajiban.csv?kind=abc", "abc"),
        ("/kewajiban?halaman=0", "halaman"),
    ] {
        let r = http.get(app.url(address)).send().await.unwrap();
        assert_eq!(r.status(), 400, "{address}");
        let body = r.text().await.unwrap();
        assert!(body.contains("Permintaan tidak valid"), "{address}: {body}");
        assert!(body.contains(words), "{address}: {body}");
    }
    c.goto(&app.url("/kewajiban?state=xyz")).await.unwrap();
    assert!(
        text(&c, "main").await.contains("Terlambat"),
        "the choices in words"
    );
    accessible(&c, "kewajiban-galat").await;
    c.close().await.unwrap();
}
