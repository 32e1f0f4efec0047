//! Reminder e-mails through a real SMTP server on loopback, driven by the
//! `sepakat remind --once` command, on SQLite and PostgreSQL.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use common::smtp::{decoded_text_parts, header, SmtpServer};
use common::Db;
use serde_json::json;

struct Env {
    db: String,
    _dir: tempfile::TempDir,
}

fn env(kind: Db) -> Option<Env> {
    let dir = tempfile::tempdir().unwrap();
    let db = match kind {
        Db::Sqlite => dir.path().join("r.db").display().to_string(),
        Db::Postgres => common::fresh_pg_database()?.0,
    };
    let e = Env { db, _dir: dir };
    let seed = common::root().join("seeds/pks-purbalingga-dinkopukm-2025.json");
    assert!(run(&e, None, &["import", seed.to_str().unwrap()])
        .status
        .success());
    Some(e)
}

fn run(e: &Env, smtp: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sepakat"));
    c.args(args)
        .env("DATABASE_URL", &e.db)
        .env("RUST_LOG", "error")
        .env("SEPAKAT_MAIL_FROM", "Sepakat <sepakat@dukcapil.example>");
    match smtp {
        Some(url) => c.env("SMTP_URL", url),
        None => c
            .env_remove("SMTP_URL")
            .env("SEPAKAT_OUTBOX", e._dir.path().join("outbox")),
    };
    c.output().unwrap()
}

fn remind(e: &Env, smtp: &SmtpServer, as_of: &str, extra: &[&str]) -> String {
    let mut args = vec!["remind", "--once", "--as-of", as_of];
    args.extend_from_slice(extra);
    let out = run(e, Some(&smtp.url()), &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn record_report(e: &Env, submitted: &str) {
    let pool = sepakat::store::connect(&e.db, 1).unwrap();
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
    let Some(e) = env(kind) else { return };
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
    let Some(e) = env(kind) else { return };
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
    let Some(e) = env(kind) else { return };
    let smtp = SmtpServer::start();
    record_report(&e, "2026-07-08");
    let out = remind(&e, &smtp, "2026-07-09", &[]);
    assert!(out.contains("0 pesan baru"), "{out}");
    assert_eq!(smtp.messages().len(), 0);
}

fn queued_reminder_follows_fulfilment(kind: Db) {
    let Some(e) = env(kind) else { return };
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
    let Some(e) = env(kind) else { return };
    let smtp = SmtpServer::start();
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_sepakat"))
            .args(["remind", "--once", "--as-of", "2026-07-09"])
            .env("DATABASE_URL", &e.db)
            .env("SMTP_URL", smtp.url())
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for c in [a, b] {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::thread::sleep(Duration::from_millis(300));
    let msgs = smtp.messages();
    assert_eq!(msgs.len(), 2, "each of the two messages exactly once");
    assert_ne!(msgs[0].to[0], msgs[1].to[0]);
}

fn weekly_digest_goes_to_the_dukcapil_office(kind: Db) {
    let Some(e) = env(kind) else { return };
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
    let Some(e) = env(kind) else { return };
    let out = run(&e, None, &["remind", "--once", "--as-of", "2026-07-09"]);
    assert!(out.status.success());
    let dir = e._dir.path().join("outbox");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|f| f.ok())
        .collect();
    assert_eq!(files.len(), 2);
    let eml = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(header(&eml, "Subject")
        .unwrap()
        .contains("laporan semester"));
    let _ = Path::new(&dir);
}

macro_rules! on_both {
    ($($case:ident),+) => {$(
        mod $case {
            #[test]
            fn sqlite() { super::$case(super::Db::Sqlite) }
            #[test]
            fn postgres() { super::$case(super::Db::Postgres) }
        }
    )+};
}

on_both!(
    report_reminder_is_sent_once_to_each_recipient,
    smtp_down_then_delivered_once,
    fulfilled_obligation_is_not_reminded,
    queued_reminder_follows_fulfilment,
    two_processes_send_each_message_once,
    weekly_digest_goes_to_the_dukcapil_office,
    files_outbox_when_no_smtp
);
