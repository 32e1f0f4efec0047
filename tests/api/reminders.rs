//! Reminder e-mails through a real SMTP server on loopback, driven by the
//! `sepakat remind --once` command, on SQLite and PostgreSQL.

use std::process::{Output, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::helpers::{
    execute_sql, free_port, on_both, published_example, root, sepakat, succeeded, Db, TestApp,
    TestDb,
};
use crate::smtp::{decoded_text_parts, header, Message, SmtpServer};

const FROM: &str = "Sepakat <sepakat@dukcapil.example>";

/// A fresh database with the example agreement imported.
fn imported(kind: Db) -> Option<TestDb> {
    let db = TestDb::new(kind)?;
    let seed = root().join("seeds/pks-purbalingga-dinkopukm-2025.json");
    succeeded(&run(&db, None, &["import", seed.to_str().unwrap()]));
    Some(db)
}

/// `sepakat args` on `db`, mailing through `smtp` or, without it, into the
/// folder `outbox` of the test's own.
fn run(db: &TestDb, smtp: Option<&str>, args: &[&str]) -> Output {
    let mut c = sepakat(&db.url);
    c.args(args).env("SEPAKAT_MAIL_FROM", FROM);
    match smtp {
        Some(url) => c.env("SMTP_URL", url),
        None => c.env("SEPAKAT_OUTBOX", db.dir().join("outbox")),
    };
    c.output().unwrap()
}

/// `sepakat remind --once` as of a day, through `smtp`; what it says.
fn remind(db: &TestDb, smtp: &SmtpServer, as_of: &str, extra: &[&str]) -> String {
    let mut args = vec!["remind", "--once", "--as-of", as_of];
    args.extend_from_slice(extra);
    succeeded(&run(db, Some(&smtp.url()), &args))
}

fn record_report(e: &TestDb, submitted: &str) {
    let pool = e.pool();
    let mut conn = pool.get().unwrap();
    sepakat::store::write_tx(&mut conn, |c| {
        sepakat::store::agreements::create_record::<sepakat::domain::agreement::Report>(
            c,
            1,
            json!({"year": 2026, "semester": 1, "submitted_on": submitted}),
        )
    })
    .unwrap();
}

fn report_reminder_is_sent_once_to_each_recipient(kind: Db) {
    let Some(e) = imported(kind) else { return };
    let smtp = SmtpServer::start();
    // S1 2026 is due Tuesday 14 July 2026; three working days before is Thursday 9 July.
    let out = remind(&e, &smtp, "2026-07-09", &[]);
    assert!(out.contains("2 pesan baru"), "{out}");
    let msgs = smtp.wait_for(2, Duration::from_secs(5));
    assert_eq!(msgs.len(), 2, "{out}");
    let mut to: Vec<String> = msgs.iter().map(|m| m.to[0].clone()).collect();
    to.sort();
    assert_eq!(
        to,
        ["aris.satria@opd.example", "kepala.dinkopukm@opd.example"]
    );
    for m in &msgs {
        assert!(
            m.to.contains(&"dinpendukcapil@purbalinggakab.go.id".to_string()),
            "Dukcapil in copy: {:?}",
            m.to
        );
        assert_eq!(m.from, "sepakat@dukcapil.example");
        let subject = header(&m.data, "Subject").unwrap();
        assert_eq!(
            subject,
            "Pengingat: laporan semester Semester 1 Tahun 2026 — PKS 400.12/2432/2025 dan 518/4180/IX/2025 \
             (Dinas Koperasi Usaha Kecil dan Menengah Kabupaten Purbalingga) — batas 14 Juli 2026"
        );
        assert!(header(&m.data, "Cc")
            .unwrap()
            .contains("dinpendukcapil@purbalinggakab.go.id"));
        let parts = decoded_text_parts(&m.data);
        assert_eq!(parts.len(), 2, "plain text and HTML");
        let text = &parts[0];
        assert!(
            text.contains("jatuh pada Selasa, 14 Juli 2026, 5 hari lagi"),
            "{text}"
        );
        assert!(
            text.contains("paling lambat Selasa, 14 Juli 2026, yaitu 10 (sepuluh) hari kerja"),
            "{text}"
        );
        assert!(
            text.contains("melalui surel dinpendukcapil@purbalinggakab.go.id"),
            "{text}"
        );
        assert!(
            parts[1].contains("<strong>Selasa, 14 Juli 2026</strong>"),
            "{}",
            parts[1]
        );
    }
    let aris = msgs.iter().find(|m| m.to[0].starts_with("aris")).unwrap();
    assert!(decoded_text_parts(&aris.data)[0].starts_with("Yth. ARIS SATRIA,"));

    // The same day again: nothing new.
    let again = remind(&e, &smtp, "2026-07-09", &[]);
    assert!(
        again.contains("0 pesan baru") && again.contains("2 sudah pernah dijadwalkan"),
        "{again}"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(smtp.messages().len(), 2);

    // The overdue notice goes the working day after the deadline.
    let late = remind(&e, &smtp, "2026-07-15", &[]);
    assert!(late.contains("2 terkirim"), "{late}");
    let msgs = smtp.wait_for(4, Duration::from_secs(5));
    let subject = header(&msgs[3].data, "Subject").unwrap();
    assert!(
        subject.starts_with("TERLAMBAT: laporan semester Semester 1 Tahun 2026"),
        "{subject}"
    );
}

fn smtp_down_then_delivered_once(kind: Db) {
    let Some(e) = imported(kind) else { return };
    let mut smtp = SmtpServer::start();
    let port = smtp.port();
    let url = smtp.url();
    smtp.stop();
    let out = run(
        &e,
        Some(&url),
        &["remind", "--once", "--as-of", "2026-07-09"],
    );
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.contains("2 pesan baru") && out.contains("2 dicoba lagi nanti"),
        "{out}"
    );

    let smtp = SmtpServer::start_on(port);
    // Not yet: the back-off holds them.
    let held = remind(&e, &smtp, "2026-07-09", &[]);
    assert!(held.contains("0 terkirim"), "{held}");
    let flushed = remind(&e, &smtp, "2026-07-09", &["--flush"]);
    assert!(flushed.contains("2 terkirim"), "{flushed}");
    assert_eq!(smtp.wait_for(2, Duration::from_secs(5)).len(), 2);
    let after = remind(&e, &smtp, "2026-07-09", &["--flush"]);
    assert!(after.contains("0 terkirim"), "{after}");
    assert_eq!(smtp.messages().len(), 2);

    // A transient 4xx is retried too.
    smtp.fail_next(1);
    let out = remind(&e, &smtp, "2026-07-15", &[]);
    assert!(
        out.contains("1 terkirim") && out.contains("1 dicoba lagi nanti"),
        "{out}"
    );
    let out = remind(&e, &smtp, "2026-07-15", &["--flush"]);
    assert!(out.contains("1 terkirim"), "{out}");
    assert_eq!(smtp.wait_for(4, Duration::from_secs(5)).len(), 4);
}

fn fulfilled_obligation_is_not_reminded(kind: Db) {
    let Some(e) = imported(kind) else { return };
    let smtp = SmtpServer::start();
    record_report(&e, "2026-07-08");
    let out = remind(&e, &smtp, "2026-07-09", &[]);
    assert!(out.contains("0 pesan baru"), "{out}");
    assert_eq!(smtp.messages().len(), 0);
}

fn queued_reminder_follows_fulfilment(kind: Db) {
    let Some(e) = imported(kind) else { return };
    let mut smtp = SmtpServer::start();
    let port = smtp.port();
    let url = smtp.url();
    smtp.stop();
    run(
        &e,
        Some(&url),
        &["remind", "--once", "--as-of", "2026-07-09"],
    );
    // The report arrives while the reminders wait for the mail server.
    record_report(&e, "2026-07-09");
    let smtp = SmtpServer::start_on(port);
    let out = remind(&e, &smtp, "2026-07-09", &["--flush"]);
    assert!(
        out.contains("0 terkirim") && out.contains("2 dibatalkan"),
        "{out}"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(smtp.messages().is_empty());
}

fn two_processes_send_each_message_once(kind: Db) {
    let Some(e) = imported(kind) else { return };
    let smtp = SmtpServer::start();
    let spawn = || {
        sepakat(&e.url)
            .args(["remind", "--once", "--as-of", "2026-07-09"])
            .env("SMTP_URL", smtp.url())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for c in [a, b] {
        succeeded(&c.wait_with_output().unwrap());
    }
    std::thread::sleep(Duration::from_millis(300));
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 2, "each of the two messages exactly once");
    assert_ne!(msgs[0].to[0], msgs[1].to[0]);
}

fn weekly_digest_goes_to_the_dukcapil_office(kind: Db) {
    let Some(e) = imported(kind) else { return };
    let smtp = SmtpServer::start();
    // Monday 13 July 2026: S1 2026 falls due within 30 days.
    remind(&e, &smtp, "2026-07-13", &[]);
    let msgs = smtp.wait_for(3, Duration::from_secs(5));
    let digest: Vec<_> = msgs
        .iter()
        .filter(|m| {
            header(&m.data, "Subject")
                .unwrap()
                .starts_with("Rekap mingguan")
        })
        .collect();
    assert_eq!(digest.len(), 1, "{msgs:?}");
    assert_eq!(digest[0].to, ["dinpendukcapil@purbalinggakab.go.id"]);
    let text = &decoded_text_parts(&digest[0].data)[0];
    assert!(
        text.contains("14 Juli 2026 — laporan semester Semester 1 Tahun 2026"),
        "{text}"
    );
    assert!(
        text.contains("[TERLAMBAT]"),
        "overdue ISO and S2 2025 are listed too: {text}"
    );
    let again = remind(&e, &smtp, "2026-07-13", &[]);
    assert!(again.contains("0 pesan baru"), "{again}");
}

fn files_outbox_when_no_smtp(kind: Db) {
    let Some(e) = imported(kind) else { return };
    let out = run(&e, None, &["remind", "--once", "--as-of", "2026-07-09"]);
    assert!(out.status.success());
    let dir = e.dir().join("outbox");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|f| f.ok())
        .collect();
    assert_eq!(files.len(), 2);
    let eml = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(header(&eml, "Subject")
        .unwrap()
        .contains("laporan semester"));
}

on_both!(
    by_kind:
    report_reminder_is_sent_once_to_each_recipient,
    smtp_down_then_delivered_once,
    fulfilled_obligation_is_not_reminded,
    queued_reminder_follows_fulfilment,
    two_processes_send_each_message_once,
    weekly_digest_goes_to_the_dukcapil_office,
    files_outbox_when_no_smtp
);

// ---- agreements entered as their paper reads ------------------------------------

/// The shared example exactly as published: a PKS names no e-mail of the
/// agency. The semester 1 2027 report is on record, so that on the renewal
/// deadline (16 July 2027) the renewal request is the one reminder due.
fn paper_agreement() -> serde_json::Value {
    let mut doc = published_example();
    doc["reports"] = json!([{"year": 2027, "semester": 1, "submitted_on": "2027-07-01",
        "channel": "email"}]);
    doc
}

/// `sepakat remind --once` against the test app's database.
fn remind_app(app: &TestApp, smtp: &SmtpServer, as_of: &str) -> String {
    remind(&app.db, smtp, as_of, &[])
}

async fn agency_without_address_reminds_the_office(app: TestApp) {
    let (status, created) = app.post("/api/v1/agreements", &paper_agreement()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (_, check) = app.get(&format!("/api/v1/agreements/{id}/check")).await;
    let missing: Vec<_> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "missing_recipient")
        .collect();
    assert_eq!(missing.len(), 1, "{check}");
    assert_eq!(missing[0]["severity"], "warning");

    let smtp = SmtpServer::start();
    let out = remind_app(&app, &smtp, "2027-07-16");
    assert!(
        out.contains("1 pesan baru (1 kepada Dinas") && out.contains("1 terkirim"),
        "{out}"
    );
    let msgs = smtp.wait_for(1, Duration::from_secs(5));
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert_eq!(m.to, ["dinpendukcapil@purbalinggakab.go.id"]);
    assert!(
        header(&m.data, "Cc").is_none(),
        "the office is the recipient"
    );
    let subject = header(&m.data, "Subject").unwrap();
    assert!(
        subject.starts_with(
            "[PIHAK KEDUA tanpa alamat surel] Pengingat: permohonan perpanjangan — PKS"
        ) && subject.ends_with("batas 16 Juli 2027"),
        "{subject}"
    );
    let text = &decoded_text_parts(&m.data)[0];
    for needle in [
        "Yth. Dinas Kependudukan dan Pencatatan Sipil Kabupaten Purbalingga,",
        "Dinas Koperasi Usaha Kecil dan Menengah Kabupaten Purbalingga (PIHAK KEDUA) belum memiliki alamat surel",
        "Hari ini, Jumat, 16 Juli 2027, adalah batas waktu permohonan perpanjangan",
        "1. Hubungi Dinas Koperasi Usaha Kecil dan Menengah Kabupaten Purbalingga",
        "2. Tambahkan alamat surel kepala atau kontak PIHAK KEDUA",
    ] {
        assert!(text.contains(needle), "{needle}\n---\n{text}");
    }
    let message_id = header(&m.data, "Message-ID").unwrap();
    assert!(
        message_id.starts_with("<sepakat.") && message_id.ends_with("@dukcapil.example>"),
        "{message_id}"
    );
}

async fn no_address_anywhere_waits_then_is_sent(app: TestApp) {
    let mut doc = paper_agreement();
    doc["parties"][0]["institution"]
        .as_object_mut()
        .unwrap()
        .remove("email");
    doc["juknis"]
        .as_object_mut()
        .unwrap()
        .remove("report_email");
    let (status, created) = app.post("/api/v1/agreements", &doc).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();

    let smtp = SmtpServer::start();
    let out = remind_app(&app, &smtp, "2027-07-16");
    assert!(
        out.contains("0 pesan baru") && out.contains("1 tidak dapat dikirim"),
        "{out}"
    );
    let (_, waiting) = app.get("/api/v1/reminders?state=undeliverable").await;
    assert_eq!(waiting["total"], 1, "{waiting}");
    assert_eq!(waiting["items"][0]["agreement_id"], id);
    assert_eq!(waiting["items"][0]["obligation_key"], "renewal_request");
    assert_eq!(waiting["items"][0]["due_on"], "2027-07-16");
    let (_, dash) = app.get("/api/v1/dashboard?as_of=2027-07-16").await;
    assert_eq!(dash["reminders"]["undeliverable"], 1, "{dash}");

    // Planned again: still the one row, never a second.
    let again = remind_app(&app, &smtp, "2027-07-16");
    assert!(again.contains("1 sudah pernah dijadwalkan"), "{again}");
    let (_, waiting) = app.get("/api/v1/reminders?state=undeliverable").await;
    assert_eq!(waiting["total"], 1);
    assert!(smtp.messages().is_empty());

    // The office adds the agency's address: the reminder goes out.
    let agency = created["parties"][1]["institution"]["id"].as_i64().unwrap();
    let (status, body) = app
        .patch(
            &format!("/api/v1/institutions/{agency}"),
            &json!({"email": "sekretariat.dinkopukm@opd.example"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let out = remind_app(&app, &smtp, "2027-07-17");
    assert!(
        out.contains("1 dikirim setelah alamat ditambahkan") && out.contains("1 terkirim"),
        "{out}"
    );
    let msgs = smtp.wait_for(1, Duration::from_secs(5));
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].to[0], "sekretariat.dinkopukm@opd.example");
    let subject = header(&msgs[0].data, "Subject").unwrap();
    assert!(
        subject.starts_with("TERLAMBAT: permohonan perpanjangan"),
        "worded for the agency, as of the day it is sent: {subject}"
    );
    let (_, waiting) = app.get("/api/v1/reminders?state=undeliverable").await;
    assert_eq!(waiting["total"], 0);
    let (_, sent) = app.get("/api/v1/reminders?state=sent").await;
    assert_eq!(sent["total"], 1);
    let (_, dash) = app.get("/api/v1/dashboard?as_of=2027-07-17").await;
    assert_eq!(dash["reminders"]["undeliverable"], 0);
    assert_eq!(dash["reminders"]["sent"], 1);
}

async fn dates_settle_with_the_decree_and_are_provisional_without(app: TestApp) {
    let (_, created) = app.post("/api/v1/agreements", &paper_agreement()).await;
    let id = created["id"].as_i64().unwrap();
    let (status, list) = app
        .get(&format!(
            "/api/v1/agreements/{id}/obligations?as_of=2026-12-02"
        ))
        .await;
    assert_eq!(status, 200, "{list}");
    let items = list["items"].as_array().or(list.as_array()).unwrap();
    let find = |key: &str| items.iter().find(|o| o["key"] == key).unwrap().clone();
    // 1 January (Tahun Baru) and 5 January (Isra Mikraj) 2027 are holidays.
    let s2_2026 = find("report:2026:2");
    assert_eq!(s2_2026["due_on"], "2027-01-18");
    assert_eq!(s2_2026["provisional"], false);
    // No decree for 2028 yet: an estimate, and it says so.
    let s2_2027 = find("report:2027:2");
    assert_eq!(s2_2027["provisional"], true, "{s2_2027}");
    assert_eq!(s2_2027["due_on"], "2028-01-14");
    assert_eq!(find("renewal_request")["provisional"], false);
    let (_, years) = app.get("/api/v1/holidays/years").await;
    let years: Vec<_> = years["items"].as_array().unwrap().iter().collect();
    let y2027 = years.iter().find(|y| y["year"] == 2027).unwrap();
    assert_eq!(y2027["days"], 26);
    assert!(y2027["decree"]
        .as_str()
        .unwrap()
        .contains("No. 1205 Tahun 2026"));
    assert!(!years.iter().any(|y| y["year"] == 2028));
}

on_both!(
    agency_without_address_reminds_the_office,
    no_address_anywhere_waits_then_is_sent,
    dates_settle_with_the_decree_and_are_provisional_without,
);

// ---- an office upgrading, and a crash mid-send -----------------------------------

fn sql(e: &TestDb, statement: &str) {
    execute_sql(&e.pool(), statement);
}

fn outbox_subjects(e: &TestDb, state: &str) -> Vec<String> {
    let pool = e.pool();
    let mut conn = pool.get().unwrap();
    let (_, rows) = sepakat::store::outbox::list(
        &mut conn,
        Some(state),
        &sepakat::store::access::Visibility::All,
        100,
        0,
    )
    .unwrap();
    rows.into_iter().map(|r| r.subject).collect()
}

/// A database from before the 2027 decree shipped: its S2 2026 report was
/// estimated due 15 January 2027 and reminders were queued with that date.
fn upgrade_brings_2027_and_replans(kind: Db) {
    let Some(e) = imported(kind) else { return };
    sql(
        &e,
        "DELETE FROM holidays WHERE date >= '2027-01-01'; \
         DELETE FROM holiday_years WHERE year = 2027;",
    );
    // Planned as the server did before it knew 2027 (any start now syncs).
    {
        let pool = e.pool();
        let mut conn = pool.get().unwrap();
        let cal = sepakat::store::holidays::calendar(&mut conn).unwrap();
        let reminders = sepakat::reminders::Reminders::new(
            sepakat::reminders::templates::Templates::load(None).unwrap(),
            sepakat::reminders::mailer::Mailer::new(None, e.dir().join("x")).unwrap(),
            FROM.parse().unwrap(),
        );
        let date = chrono::NaiveDate::from_ymd_opt(2027, 1, 12).unwrap();
        let plan = reminders.plan(&mut conn, date, &cal).unwrap();
        assert_eq!(plan.queued, 2, "{plan:?}");
    }
    let queued = outbox_subjects(&e, "queued");
    assert_eq!(queued.len(), 2);
    assert!(
        queued
            .iter()
            .all(|s| s.ends_with("batas 15 Januari 2027 (perkiraan)")),
        "{queued:?}"
    );

    let sync = run(&e, None, &["holidays", "sync"]);
    let text = String::from_utf8_lossy(&sync.stdout);
    assert!(
        text.contains("2027: 26 hari libur ditambahkan"),
        "{text}{}",
        String::from_utf8_lossy(&sync.stderr)
    );
    // A row the office deletes on purpose stays deleted: the year is filled once.
    assert!(run(&e, None, &["holidays", "delete", "2027-02-05"])
        .status
        .success());
    let again = run(&e, None, &["holidays", "sync"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("sudah ada"));
    let list = run(&e, None, &["holidays", "list", "--year", "2027"]);
    let list = String::from_utf8_lossy(&list.stdout);
    assert_eq!(list.lines().count(), 25, "{list}");
    assert!(!list.contains("2027-02-05"));

    // The reminders queued with the old date are cancelled; the new date's are sent.
    let smtp = SmtpServer::start();
    let out = remind(&e, &smtp, "2027-01-13", &["--flush"]);
    assert!(
        out.contains("2 pesan baru") && out.contains("2 terkirim") && out.contains("2 dibatalkan"),
        "{out}"
    );
    let msgs = smtp.wait_for(2, Duration::from_secs(5));
    for m in &msgs {
        let subject = header(&m.data, "Subject").unwrap();
        assert!(subject.ends_with("batas 18 Januari 2027"), "{subject}");
    }
}

/// A sender killed after the mail server took a message but before it was
/// marked sent: after the lease another sender sends it again, with the
/// same Message-ID, so mail clients show one message.
fn a_resent_message_is_the_same_message(kind: Db) {
    let Some(e) = imported(kind) else { return };
    let smtp = SmtpServer::start();
    let out = remind(&e, &smtp, "2026-07-09", &[]);
    assert!(out.contains("2 terkirim"), "{out}");
    let first = smtp.wait_for(2, Duration::from_secs(5));
    // As a crash would leave it: claimed, its lease run out.
    sql(
        &e,
        "UPDATE outbox SET state = 'sending', claimed_by = 'dead', \
         claimed_until = '2000-01-01 00:00:00', sent_at = NULL \
         WHERE id = (SELECT MIN(id) FROM outbox)",
    );
    let out = remind(&e, &smtp, "2026-07-09", &[]);
    assert!(out.contains("1 terkirim"), "{out}");
    let all = smtp.wait_for(3, Duration::from_secs(5));
    assert_eq!(all.len(), 3);
    let id = |m: &Message| header(&m.data, "Message-ID").unwrap();
    let again = &all[2];
    let original = first.iter().find(|m| m.to[0] == again.to[0]).unwrap();
    assert_eq!(id(again), id(original));
    assert_ne!(id(&first[0]), id(&first[1]));
}

on_both!(
    by_kind:
    upgrade_brings_2027_and_replans,
    a_resent_message_is_the_same_message
);

/// `serve` runs the scheduler and `/healthz` says when it last ran.
#[test]
fn healthz_reports_the_scheduler() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = sepakat(dir.path().join("h.db"))
        .args(["serve", "--no-seed", "--bind", &format!("127.0.0.1:{port}")])
        .env("SEPAKAT_SECRET_FILE", dir.path().join("secret"))
        .env("SEPAKAT_OUTBOX", dir.path().join("outbox"))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut health = serde_json::Value::Null;
    for _ in 0..100 {
        std::thread::sleep(Duration::from_millis(100));
        if let Ok(v) = rt.block_on(async {
            reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
                .await?
                .json::<serde_json::Value>()
                .await
        }) {
            health = v;
            if health["scheduler"]["last_run"].is_string() {
                break;
            }
        }
    }
    let _ = server.kill();
    assert_eq!(health["status"], "ok", "{health}");
    assert!(health["scheduler"]["last_run"].is_string(), "{health}");
    assert_eq!(health["scheduler"]["restarts"], 0);
    assert!(health["scheduler"]["last_error"].is_null(), "{health}");
}
