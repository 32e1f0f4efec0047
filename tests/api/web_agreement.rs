//! One agreement's page over plain HTTP: its record forms are built when
//! asked for, and the address that asks for one is a page of its own.

use crate::browser::imported;
use crate::helpers::{self as common, on_both, TestApp};
use crate::portal::session_of;

on_both!(
    record_forms_open_on_demand,
    reads_on_one_snapshot,
    an_ended_session_is_not_remembered
);

/// What htmx gets when it asks for `path` (the body alone).
async fn partial(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let r = reqwest::Client::new()
        .get(app.url(path))
        .header("cookie", cookie)
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn record_forms_open_on_demand(app: TestApp) {
    let id = imported(&app).await;
    let cookie = session_of(&app, "admin", common::ADMIN_PASSWORD).await;

    // The page names each form and links to it; none is built.
    let (status, page) = app.page(&cookie, &format!("/perjanjian/{id}")).await;
    assert_eq!(status, 200);
    for slug in ["laporan", "sertifikat", "pernyataan", "perpanjangan"] {
        assert!(
            page.contains(&format!(
                "<a href=\"/perjanjian/{id}/catat/{slug}#{slug}\">Buka formulir<span class=\"sr\">: "
            )),
            "{slug}: a link to the form"
        );
        assert!(page.contains(&format!("hx-get=\"/perjanjian/{id}/catat/{slug}\"")));
        assert!(
            !page.contains(&format!("action=\"/perjanjian/{id}/catat/{slug}\"")),
            "{slug}: not built on the page"
        );
    }

    // So is the waiver's, the one with the list of obligations.
    assert!(page.contains(&format!(
        "<a href=\"/perjanjian/{id}/catat/pengecualian#pengecualian\">Buka formulir"
    )));
    assert!(
        !page.contains("<select id=\"kunci\""),
        "the waiver is not built"
    );
    let (status, waiver) = app
        .page(&cookie, &format!("/perjanjian/{id}/catat/pengecualian"))
        .await;
    assert_eq!(status, 200);
    assert!(waiver.contains("<details class=\"aksi kartu\" id=\"pengecualian\" open>"));
    assert!(
        waiver.contains("<option value=\"iso27001\">Sertifikat ISO/IEC 27001</option>"),
        "{waiver}"
    );

    // The timeline: each obligation's state, due date and task page; the
    // example's certificate is not on record, its SPTJM is.
    let timeline = &page[page.find("<ol class=\"lini-masa\">").unwrap()..];
    let timeline = &timeline[..timeline.find("</ol>").unwrap()];
    assert!(
        timeline.contains("<strong>Sertifikat ISO/IEC 27001</strong>"),
        "{timeline}"
    );
    assert!(
        timeline.contains("<strong>SPTJM Kepala PIHAK KEDUA</strong>"),
        "{timeline}"
    );
    assert!(timeline.contains("Tenggat "), "{timeline}");
    assert!(timeline.contains(" · dipenuhi "), "{timeline}");
    assert!(timeline.contains(&format!(
        "<a href=\"/portal/tugas/{id}/iso27001\">halaman tugas dan unggahan</a>"
    )));
    assert!(timeline.contains("<strong>NDA operator — ARIS SATRIA</strong>"));

    // Sent gzipped to a browser that takes it, the same page.
    let r = reqwest::Client::new()
        .get(app.url(&format!("/perjanjian/{id}")))
        .header("cookie", &cookie)
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(r.headers()["vary"], "accept-encoding");
    let packed = r.bytes().await.unwrap();
    let mut unpacked = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&packed[..]),
        &mut unpacked,
    )
    .unwrap();
    assert!(packed.len() * 2 < unpacked.len());
    assert!(unpacked.contains("<h2 id=\"h-kewajiban\">"));
    assert!(unpacked.ends_with("</html>\n") || unpacked.ends_with("</html>"));

    // The link's address: the whole page with that one form open.
    let (status, one) = app
        .page(&cookie, &format!("/perjanjian/{id}/catat/laporan"))
        .await;
    assert_eq!(status, 200);
    assert!(one.contains("<details class=\"kartu formulir\" id=\"laporan\" open>"));
    assert!(one.contains("id=\"laporan-akses_nik\""));
    assert!(one.contains(&format!("action=\"/perjanjian/{id}/catat/laporan\"")));
    assert!(one.contains("name=\"_csrf\""), "the form carries its token");
    assert!(one.contains("<html"), "a page of its own");
    assert!(
        !one.contains(&format!("action=\"/perjanjian/{id}/catat/sertifikat\"")),
        "the other forms stay unbuilt"
    );

    // htmx asks for the body alone; the form is in it.
    let (status, part) =
        partial(&app, &cookie, &format!("/perjanjian/{id}/catat/sertifikat")).await;
    assert_eq!(status, 200);
    assert!(!part.contains("<html"));
    assert!(part.contains("<details class=\"kartu formulir\" id=\"sertifikat\" open>"));

    // A form the agreement does not have.
    let (status, body) = app
        .page(&cookie, &format!("/perjanjian/{id}/catat/tidak-ada"))
        .await;
    assert_eq!(status, 404);
    assert!(body.contains("tidak ada pada perjanjian ini"), "{body}");
    let (status, _) = app.page(&cookie, "/perjanjian/999999/catat/laporan").await;
    assert_eq!(status, 404);

    // Without a session: to the sign-in page, nothing shown.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(&format!("/perjanjian/{id}/catat/laporan")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}

/// What one agreement's page reads, it reads on one snapshot: a write
/// committed meanwhile by another connection is not seen halfway; a failed
/// read ends its transaction, and the connection reads on.
async fn reads_on_one_snapshot(app: TestApp) {
    use sepakat::domain::account::Username;
    use sepakat::domain::catalog::Role;
    use sepakat::store::{db::read_tx, users, StoreError};

    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut reader = pool.get().unwrap();
        let mut writer = pool.get().unwrap();
        let (before, during) = read_tx(&mut reader, |c| {
            let before = users::count(c)?;
            let name = Username::parse("petugas.baru").unwrap();
            users::create(&mut writer, &name, "x", Role::Admin, None)?;
            Ok::<_, StoreError>((before, users::count(c)?))
        })
        .unwrap();
        assert_eq!(during, before, "the snapshot does not see the write");
        assert_eq!(users::count(&mut reader).unwrap(), before + 1);

        let failed: Result<i64, StoreError> = read_tx(&mut reader, |c| {
            users::count(c)?;
            Err(StoreError::NotFound("perjanjian 9".into()))
        });
        assert!(matches!(failed, Err(StoreError::NotFound(_))));
        let again = read_tx(&mut reader, |c| Ok::<_, StoreError>(users::count(c)?));
        assert_eq!(
            again.unwrap(),
            before + 1,
            "a new transaction after the failed one"
        );
    })
    .await
    .unwrap();
}

/// A page's session is remembered between requests, and forgotten the
/// moment it ends anywhere: here its row is deleted by another connection,
/// as a sign-out on another instance or the expired-session sweep does, and
/// the next page asks to sign in again while the reader's other session
/// still serves. A session whose expiry is moved into the past ends too.
async fn an_ended_session_is_not_remembered(app: TestApp) {
    use sepakat::auth::secret::hash;

    let first = session_of(&app, "admin", common::ADMIN_PASSWORD).await;
    let second = session_of(&app, "admin", common::ADMIN_PASSWORD).await;
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let status = |cookie: String| {
        let r = plain.get(app.url("/")).header("cookie", cookie).send();
        async move { r.await.unwrap().status().as_u16() }
    };
    let hash_of = |cookie: &str| hash(cookie.trim_start_matches("sepakat_sesi="));
    for _ in 0..2 {
        assert_eq!(status(first.clone()).await, 200);
        assert_eq!(status(second.clone()).await, 200);
    }

    common::execute_sql(
        &app.pool,
        &format!(
            "DELETE FROM web_sessions WHERE token_hash = '{}'",
            hash_of(&first)
        ),
    );
    assert_eq!(
        status(first.clone()).await,
        303,
        "ended elsewhere: signed out"
    );
    assert_eq!(
        status(second.clone()).await,
        200,
        "the other session serves on"
    );

    common::execute_sql(
        &app.pool,
        &format!(
            "UPDATE web_sessions SET expires_at = '2000-01-01 00:00:00' WHERE token_hash = '{}'",
            hash_of(&second)
        ),
    );
    assert_eq!(status(second).await, 303, "expired: signed out");
}
