use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sepakat::config::Config;
use sepakat::store::{self, agreements, DbConnection};
use sepakat::{http, import};

#[derive(Parser)]
#[command(
    name = "sepakat",
    version,
    about = "Registri Perjanjian Kerja Sama pemanfaatan data kependudukan"
)]
struct Cli {
    /// Database: a file path or sqlite://PATH (embedded default), or postgres://…
    #[arg(long, global = true, env = "DATABASE_URL")]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the HTTP server (migrates, and loads the seeds into an empty database).
    Serve {
        /// Address to listen on
        #[arg(long, env = "SEPAKAT_BIND")]
        bind: Option<String>,
        /// Folder of seed agreements loaded when the database holds none
        #[arg(long, env = "SEPAKAT_SEEDS", default_value = "seeds")]
        seeds: PathBuf,
        /// Do not load seed agreements
        #[arg(long)]
        no_seed: bool,
        /// HTTP worker threads (default: number of cores)
        #[arg(long)]
        workers: Option<usize>,
        /// Do not run the reminder scheduler in this process
        #[arg(long)]
        no_remind: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Plan and send reminder e-mails (SMTP_URL, or .eml files into SEPAKAT_OUTBOX).
    Remind {
        /// Plan and send once, then exit (default: keep running like the server's scheduler)
        #[arg(long)]
        once: bool,
        /// Plan as of this date (YYYY-MM-DD) instead of today in Asia/Jakarta
        #[arg(long, value_parser = parse_date)]
        as_of: Option<chrono::NaiveDate>,
        /// Retry every queued message now, ignoring its back-off
        #[arg(long)]
        flush: bool,
    },
    /// The holiday table used for every working-day count.
    Holidays {
        #[command(subcommand)]
        action: HolidayAction,
    },
    /// Draw up documents (PKS, Juknis, SPTJM, NDA, renewal letter, adendum) as PDF or HTML.
    Render {
        /// The agreement's id
        #[arg(long, required_unless_present = "all", conflicts_with = "all")]
        agreement: Option<i64>,
        /// pks, juknis, sptjm, nda, renewal-letter or adendum (with --all: every kind)
        #[arg(long, value_parser = parse_kind)]
        kind: Option<sepakat::documents::Kind>,
        #[arg(long, default_value = "pdf", value_parser = parse_format)]
        format: sepakat::documents::Format,
        /// Output file (with --agreement)
        #[arg(short = 'o', long = "output", required_unless_present = "all")]
        output: Option<PathBuf>,
        /// Every agreement, into --out
        #[arg(long)]
        all: bool,
        /// Folder for --all
        #[arg(long, default_value = "documents")]
        out: PathBuf,
        /// Template set instead of the issuing office's (default, karanganyar, bandung)
        #[arg(long)]
        set: Option<String>,
        /// Date of what is drafted now (YYYY-MM-DD; default today)
        #[arg(long, value_parser = parse_date)]
        as_of: Option<chrono::NaiveDate>,
        /// Paper: a4 or f4 (215 × 330 mm)
        #[arg(long, default_value = "a4", value_parser = parse_paper)]
        paper: sepakat::documents::model::Paper,
    },
    /// Consistency check of one agreement or of all: what a legal officer otherwise catches by hand.
    Check {
        /// The agreement's id (default: every agreement)
        id: Option<i64>,
        #[arg(long, value_parser = parse_date)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Accounts: add, change a password, disable, list. Passwords are read from standard input.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Import agreements in the sepakat.agreement/v1 format (files, .jsonl files or folders).
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Add an account (the password is asked for, or read from standard input)
    Add {
        username: String,
        /// admin, legal, opd or viewer
        #[arg(long, value_parser = parse_role)]
        role: sepakat::domain::catalog::Role,
        /// The institution the account belongs to (required except for admin)
        #[arg(long)]
        institution: Option<i64>,
    },
    /// Set a new password; the user's current tokens stop working
    Passwd { username: String },
    /// Disable an account; its tokens stop working at once
    Disable { username: String },
    /// Enable a disabled account again
    Enable { username: String },
    /// List accounts
    List,
}

fn parse_role(s: &str) -> Result<sepakat::domain::catalog::Role, String> {
    sepakat::domain::catalog::Role::from_code(s)
        .ok_or_else(|| format!("peran '{s}' tidak dikenal: admin, legal, opd atau viewer"))
}

/// The password for a CLI account command: asked without echo on a
/// terminal, else the first line of standard input.
fn read_password() -> Result<sepakat::domain::account::NewPassword, String> {
    let raw = if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        rpassword::prompt_password("Kata sandi baru: ").map_err(|e| e.to_string())?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    sepakat::domain::account::NewPassword::parse(&raw)
}

/// The first admin, from SEPAKAT_ADMIN_PASSWORD, when no account exists yet.
fn first_admin(config: &Config, conn: &mut DbConnection) -> Result<(), String> {
    use sepakat::domain::{
        account::{NewPassword, Username},
        catalog::Role,
    };
    if store::users::count(conn).map_err(|e| e.to_string())? > 0 {
        return Ok(());
    }
    let Some(raw) = &config.admin_password else {
        eprintln!("Belum ada akun: setel SEPAKAT_ADMIN_PASSWORD atau jalankan `sepakat user add NAMA --role admin`.");
        return Ok(());
    };
    let password = NewPassword::parse(raw).map_err(|e| format!("SEPAKAT_ADMIN_PASSWORD: {e}"))?;
    let hash = sepakat::auth::password::hash(password.expose())?;
    let name = Username::parse("admin")?;
    // Checked again inside the transaction, and a creator that lost a race
    // (another process made an account meanwhile) is not a failure.
    let created = store::write_tx(conn, |c| {
        if store::users::count(c)? > 0 {
            return Ok(false);
        }
        let id = store::users::create(c, &name, &hash, Role::Admin, None)?;
        store::audit::record(
            c,
            &store::audit::Entry {
                actor: "system:SEPAKAT_ADMIN_PASSWORD",
                action: "create",
                entity: "user",
                entity_id: Some(id),
                agreement_id: None,
                changes: &serde_json::json!({"username": {"after": "admin"}, "role": {"after": "admin"}}),
            },
        )?;
        Ok(true)
    });
    match created {
        Ok(true) => println!("Akun admin pertama dibuat (nama pengguna: admin)."),
        Ok(false)
        | Err(store::StoreError::Conflict(_))
        | Err(store::StoreError::Db(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => {}
        Err(e) => return Err(e.to_string()),
    }
    Ok(())
}

fn user(config: &Config, action: UserAction) -> Result<(), String> {
    use sepakat::domain::account::Username;
    let pool = open(config)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let e = |e: store::StoreError| e.to_string();
    let find = |conn: &mut DbConnection, name: &str| -> Result<store::users::UserRow, String> {
        store::users::by_name(conn, name)
            .map_err(e)?
            .ok_or_else(|| format!("pengguna '{name}' tidak ada"))
    };
    let disabling = matches!(action, UserAction::Disable { .. });
    match action {
        UserAction::Add {
            username,
            role,
            institution,
        } => {
            let name = Username::parse(&username)?;
            let password = read_password()?;
            let hash = sepakat::auth::password::hash(password.expose())?;
            let id = store::write_tx(&mut conn, |c| {
                let id = store::users::create(c, &name, &hash, role, institution)?;
                let after = serde_json::json!({"username": {"after": name.as_str()}, "role": {"after": role}, "institution_id": {"after": institution}});
                audit_cli(c, "create", "user", Some(id), after)?;
                Ok(id)
            })
            .map_err(e)?;
            println!("Pengguna {name} ({}) dibuat dengan id {id}.", role.code());
        }
        UserAction::Passwd { username } => {
            let u = find(&mut conn, &username)?;
            let password = read_password()?;
            let hash = sepakat::auth::password::hash(password.expose())?;
            store::write_tx(&mut conn, |c| {
                store::users::set_password(c, u.id, &hash)?;
                audit_cli(
                    c,
                    "update",
                    "user",
                    Some(u.id),
                    serde_json::json!({"password": {"before": "***", "after": "***"}}),
                )
            })
            .map_err(e)?;
            println!(
                "Kata sandi {} diganti; token lamanya tidak berlaku lagi.",
                u.username
            );
        }
        UserAction::Disable { username } | UserAction::Enable { username } => {
            let disabled = disabling;
            let u = find(&mut conn, &username)?;
            let role = u.role().map_err(e)?;
            store::write_tx(&mut conn, |c| {
                store::users::update(c, u.id, role, u.institution_id, disabled)?;
                audit_cli(
                    c,
                    "update",
                    "user",
                    Some(u.id),
                    serde_json::json!({"disabled": {"before": u.disabled, "after": disabled}}),
                )
            })
            .map_err(e)?;
            let done = if disabled {
                "dinonaktifkan"
            } else {
                "diaktifkan"
            };
            println!("Pengguna {} {done}.", u.username);
        }
        UserAction::List => {
            for u in store::users::list(&mut conn, None).map_err(e)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.id,
                    u.username,
                    u.role,
                    u.institution_id
                        .map(|i| i.to_string())
                        .unwrap_or_else(|| "-".into()),
                    if u.disabled { "nonaktif" } else { "aktif" }
                );
            }
        }
    }
    Ok(())
}

#[derive(Subcommand)]
enum HolidayAction {
    /// List holidays, of one year or all
    List {
        #[arg(long)]
        year: Option<i32>,
    },
    /// Add or change one day
    Set {
        #[arg(value_parser = parse_date)]
        date: chrono::NaiveDate,
        /// libur_nasional or cuti_bersama
        kind: String,
        name: String,
        #[arg(long)]
        source: Option<String>,
    },
    /// Remove one day
    Delete {
        #[arg(value_parser = parse_date)]
        date: chrono::NaiveDate,
    },
    /// Add or change the days of a CSV file in the format of data/hari-libur.csv;
    /// each year it covers counts as having its decree loaded
    Import { file: PathBuf },
    /// Add the shipped years this database has never been given (also done at start)
    Sync,
    /// The years whose decree is loaded
    Years,
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| sepakat::domain::agreement::plausible_date(*d))
        .ok_or_else(|| format!("'{s}' bukan tanggal YYYY-MM-DD yang valid (tahun 1945-2100)"))
}

fn parse_kind(s: &str) -> Result<sepakat::documents::Kind, String> {
    sepakat::documents::Kind::parse(s).ok_or_else(|| {
        format!(
            "jenis dokumen '{s}' tidak dikenal: pks, juknis, sptjm, nda, renewal-letter, adendum"
        )
    })
}

fn parse_paper(s: &str) -> Result<sepakat::documents::model::Paper, String> {
    sepakat::documents::model::Paper::parse(s)
        .ok_or_else(|| format!("kertas '{s}' tidak dikenal: a4 atau f4"))
}

fn parse_format(s: &str) -> Result<sepakat::documents::Format, String> {
    sepakat::documents::Format::parse(s)
        .ok_or_else(|| format!("format '{s}' tidak dikenal: pdf atau html"))
}

#[allow(clippy::too_many_arguments)]
fn render(
    config: &Config,
    agreement: Option<i64>,
    kind: Option<sepakat::documents::Kind>,
    format: sepakat::documents::Format,
    output: Option<PathBuf>,
    out: PathBuf,
    set: Option<String>,
    as_of: Option<chrono::NaiveDate>,
    paper: sepakat::documents::model::Paper,
) -> Result<(), String> {
    use sepakat::documents::{file_name, DocumentError, Kind, Renderer};
    let pool = open(config)?;
    let renderer = Renderer::new(config.templates_dir.as_deref()).map_err(|e| e.to_string())?;
    let today = as_of.unwrap_or_else(sepakat::today_jakarta);
    let options = sepakat::documents::DrawOptions {
        set,
        today,
        privacy: None,
        paper,
    };
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    if let Some(id) = agreement {
        let kind = kind.ok_or("--kind wajib diisi bersama --agreement")?;
        let (_, doc) = agreements::load_doc(&mut conn, id).map_err(|e| e.to_string())?;
        let bytes = renderer
            .draw_up(&doc, kind, format, &options)
            .map_err(|e| e.to_string())?;
        let output = output.ok_or("-o FILE wajib diisi")?;
        std::fs::write(&output, bytes).map_err(|e| format!("{}: {e}", output.display()))?;
        println!("{} ditulis.", output.display());
        return Ok(());
    }
    let ids = agreements::matching_ids(&mut conn, &agreements::ListFilter::default())
        .map_err(|e| e.to_string())?;
    drop(conn);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let kinds: Vec<Kind> = kind.map(|k| vec![k]).unwrap_or_else(|| Kind::ALL.to_vec());
    let bar = indicatif::ProgressBar::new((ids.len() * kinds.len()) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} dokumen ({per_sec}, sisa {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    // Documents are drawn on every core while one thread reads the database.
    let (tx, rx) =
        std::sync::mpsc::sync_channel::<(i64, sepakat::domain::agreement::AgreementDoc)>(64);
    let rx = std::sync::Mutex::new(rx);
    let written = std::sync::atomic::AtomicUsize::new(0);
    let skipped = std::sync::Mutex::new(Vec::<String>::new());
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    std::thread::scope(|s| -> Result<(), String> {
        for _ in 0..workers {
            s.spawn(|| loop {
                let next = rx.lock().ok().and_then(|r| r.recv().ok());
                let Some((id, doc)) = next else { break };
                let number = doc
                    .parties
                    .first()
                    .and_then(|p| p.number.as_ref())
                    .map(|n| n.as_str().to_string());
                for kind in &kinds {
                    let path = out.join(format!(
                        "{id}-{}",
                        file_name(*kind, number.as_deref(), id, format)
                    ));
                    match renderer.draw_up(&doc, *kind, format, &options) {
                        Ok(bytes) => match std::fs::write(&path, bytes) {
                            Ok(()) => {
                                written.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                            Err(e) => skipped
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push(format!("{}: {e}", path.display())),
                        },
                        // An agreement that lacks a Juknis has no Juknis to print.
                        Err(DocumentError::Missing(m)) if kinds.len() > 1 => skipped
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(format!("perjanjian {id} {}: {m}", kind.as_str())),
                        Err(e) => skipped
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(format!("perjanjian {id} {}: {e}", kind.as_str())),
                    }
                    bar.inc(1);
                }
            });
        }
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        for id in ids {
            let (_, doc) = agreements::load_doc(&mut conn, id).map_err(|e| e.to_string())?;
            if tx.send((id, doc)).is_err() {
                break;
            }
        }
        drop(tx);
        Ok(())
    })?;
    bar.finish_and_clear();
    let skipped = skipped.into_inner().unwrap_or_default();
    for s in &skipped {
        eprintln!("dilewati: {s}");
    }
    println!(
        "{} dokumen ditulis ke {}, {} dilewati.",
        written.into_inner(),
        out.display(),
        skipped.len()
    );
    Ok(())
}

fn check_command(
    config: &Config,
    id: Option<i64>,
    as_of: Option<chrono::NaiveDate>,
) -> Result<(), String> {
    use sepakat::domain::check::{check, CheckContext, Severity};
    let pool = open(config)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let as_of = as_of.unwrap_or_else(sepakat::today_jakarta);
    let ids = match id {
        Some(id) => vec![id],
        None => agreements::matching_ids(&mut conn, &agreements::ListFilter::default())
            .map_err(|e| e.to_string())?,
    };
    let mut errors = 0;
    let mut total = 0;
    for id in ids {
        let (_, doc) = agreements::load_doc(&mut conn, id).map_err(|e| e.to_string())?;
        let current_heads =
            store::documents::current_heads(&mut conn, &doc).map_err(|e| e.to_string())?;
        let findings = check(
            &doc,
            &CheckContext {
                as_of,
                max_term_months: config.max_term_months,
                current_heads,
            },
        );
        for f in &findings {
            let level = if f.severity == Severity::Error {
                "GALAT"
            } else {
                "PERINGATAN"
            };
            println!("{id}\t{level}\t{}\t{}\t{}", f.code, f.pointer, f.message);
        }
        errors += findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        total += findings.len();
    }
    println!("{total} temuan, {errors} galat.");
    if errors > 0 {
        Err(format!("{errors} galat konsistensi"))
    } else {
        Ok(())
    }
}

fn holidays(config: &Config, action: HolidayAction) -> Result<(), String> {
    use sepakat::domain::calendar::{parse_holidays_csv, Holiday};
    use sepakat::store::holidays as h;
    // `sync` reports what it adds, so the start must not add it first.
    let pool = match action {
        HolidayAction::Sync => open_with(config, store::db::migrate_schema)?,
        _ => open(config)?,
    };
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let e = |e: store::StoreError| e.to_string();
    match action {
        HolidayAction::List { year } => {
            for day in h::list(&mut conn, year).map_err(e)? {
                println!(
                    "{}\t{}\t{}",
                    day.date,
                    store::encode_text(&day.kind),
                    day.name
                );
            }
        }
        HolidayAction::Set {
            date,
            kind,
            name,
            source,
        } => {
            let kind = serde_json::from_value(serde_json::Value::String(kind.clone()))
                .map_err(|_| format!("jenis '{kind}' harus libur_nasional atau cuti_bersama"))?;
            if name.trim().is_empty() {
                return Err("nama hari libur wajib diisi".into());
            }
            store::write_tx(&mut conn, |c| {
                let day = Holiday {
                    date,
                    kind,
                    name: name.clone(),
                    source: source.clone(),
                };
                h::upsert(c, &day)?;
                audit_cli(
                    c,
                    "put",
                    "holiday",
                    None,
                    serde_json::json!({"date": {"after": date}, "name": {"after": day.name}}),
                )
            })
            .map_err(e)?;
            println!("{date} disimpan.");
        }
        HolidayAction::Delete { date } => {
            store::write_tx(&mut conn, |c| {
                h::delete(c, date)?;
                audit_cli(
                    c,
                    "delete",
                    "holiday",
                    None,
                    serde_json::json!({"date": {"before": date}}),
                )
            })
            .map_err(e)?;
            println!("{date} dihapus.");
        }
        HolidayAction::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|err| format!("{}: {err}", file.display()))?;
            let days =
                parse_holidays_csv(&text).map_err(|err| format!("{}: {err}", file.display()))?;
            let years = store::write_tx(&mut conn, |c| {
                let years = h::import(c, &days)?;
                let dates: Vec<_> = days.iter().map(|d| d.date).collect();
                audit_cli(c, "import", "holiday", None, serde_json::json!({"dates": {"after": dates}, "years": {"after": years}, "source": {"after": file.display().to_string()}}))?;
                Ok(years)
            })
            .map_err(e)?;
            let years: Vec<String> = years.iter().map(|y| y.to_string()).collect();
            println!(
                "{} hari libur disimpan; keputusan bersama tahun {} tercatat dimuat.",
                days.len(),
                years.join(", ")
            );
        }
        HolidayAction::Sync => {
            let report = h::sync(&mut conn, &cli_actor()).map_err(e)?;
            if report.years.is_empty() {
                println!("Semua tahun dari tabel bawaan sudah ada.");
            }
            for (year, added) in report.years {
                println!("{year}: {added} hari libur ditambahkan dari tabel bawaan.");
            }
        }
        HolidayAction::Years => {
            for y in h::decree_years(&mut conn).map_err(e)? {
                println!(
                    "{}\t{} hari\t{}\t{}",
                    y.year,
                    y.days,
                    y.origin,
                    y.decree.unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

fn remind(
    config: &Config,
    once: bool,
    as_of: Option<chrono::NaiveDate>,
    flush: bool,
) -> Result<(), String> {
    let pool = open(config)?;
    let reminders = sepakat::reminders::Reminders::from_config(config)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    if flush {
        let n = store::outbox::flush(&mut conn, chrono::Utc::now().naive_utc())
            .map_err(|e| e.to_string())?;
        println!("{n} pesan dalam antrean dicoba kirim sekarang.");
    }
    if !once {
        drop(conn);
        println!(
            "Penjadwal pengingat berjalan ({}); jam harian {}:00 WIB.",
            reminders.mailer.describe(),
            config.remind_hour
        );
        let handle =
            reminders.spawn_scheduler(pool, config.remind_hour, std::time::Duration::from_secs(30));
        return handle.join().map_err(|_| "penjadwal berhenti".to_string());
    }
    let cal = store::holidays::calendar(&mut conn).map_err(|e| e.to_string())?;
    let day = as_of.unwrap_or_else(sepakat::today_jakarta);
    let plan = reminders
        .plan(&mut conn, day, &cal)
        .map_err(|e| e.to_string())?;
    let sent = reminders
        .send_due(&mut conn, day, &cal)
        .map_err(|e| e.to_string())?;
    println!(
        "{day}: {} perjanjian diperiksa, {} pesan baru ({} kepada Dinas karena PIHAK KEDUA tanpa alamat surel), \
         {} sudah pernah dijadwalkan, {} tidak dapat dikirim (tanpa alamat sama sekali), {} dikirim setelah alamat ditambahkan; \
         {} terkirim, {} dicoba lagi nanti, {} gagal, {} dibatalkan ({}).",
        plan.agreements, plan.queued, plan.to_office, plan.already_planned, plan.undeliverable, plan.revived,
        sent.sent, sent.retry_later, sent.failed, sent.cancelled, reminders.mailer.describe()
    );
    Ok(())
}

fn open(config: &Config) -> Result<store::Pool, String> {
    open_with(config, store::migrate)
}

fn open_with(
    config: &Config,
    migrate: fn(&mut DbConnection) -> Result<usize, store::StoreError>,
) -> Result<store::Pool, String> {
    let pool =
        store::connect(&config.database_url, config.pool_size()).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    migrate(&mut conn).map_err(|e| e.to_string())?;
    Ok(pool)
}

/// Who the audit trail names for a command-line write.
fn cli_actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

/// Records a command-line write in the audit trail, inside its transaction.
fn audit_cli(
    c: &mut DbConnection,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    changes: serde_json::Value,
) -> Result<(), store::StoreError> {
    store::audit::record(
        c,
        &store::audit::Entry {
            actor: &cli_actor(),
            action,
            entity,
            entity_id,
            agreement_id: None,
            changes: &changes,
        },
    )
}

fn run_import(
    conn: &mut DbConnection,
    files: &[PathBuf],
    actor: &str,
    quiet: bool,
) -> Result<(usize, usize), String> {
    let files = import::expand(files)?;
    let bar = (!quiet).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} perjanjian ({per_sec}, sisa {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    let report = import::import_files(conn, &files, actor, |done| {
        if let Some(b) = &bar {
            b.set_position(done as u64);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    for f in &report.failed {
        eprintln!("gagal: {}: {}", f.source, f.message);
    }
    Ok((report.imported.len(), report.failed.len()))
}

/// What the first start of a database does: the seed agreements into an
/// empty registry, and the first admin.
fn first_start(
    config: &Config,
    conn: &mut DbConnection,
    seeds: &std::path::Path,
    no_seed: bool,
) -> Result<(), String> {
    let empty = agreements::count(conn, &agreements::ListFilter::default())
        .map_err(|e| e.to_string())?
        == 0;
    if empty && !no_seed && seeds.is_dir() {
        let imported = run_import(conn, &[seeds.to_path_buf()], "system:seeds", true);
        // The connection returns to the pool and serves requests next.
        store::db::end_bulk_session(conn).map_err(|e| e.to_string())?;
        let (ok, failed) = imported?;
        println!(
            "Basis data kosong: {ok} perjanjian contoh dimuat dari {}{}",
            seeds.display(),
            if failed > 0 {
                format!(" ({failed} gagal)")
            } else {
                String::new()
            }
        );
    }
    first_admin(config, conn)
}

fn serve(
    config: Config,
    bind: Option<String>,
    seeds: PathBuf,
    no_seed: bool,
    workers: Option<usize>,
    no_remind: bool,
) -> Result<(), String> {
    let pool = open(&config)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    // Several instances may start together on a new database: the check
    // and the load happen under the startup lock, so one of them loads the
    // seeds and creates the admin, and the others find both done.
    store::db::exclusively(&mut conn, |c| Ok(first_start(&config, c, &seeds, no_seed)))
        .map_err(|e| e.to_string())??;
    if let Err(e) = store::db::refresh_statistics(&mut conn) {
        tracing::warn!(error = %e, "planner statistics not refreshed");
    }
    drop(conn);
    let bind = bind.unwrap_or(config.bind.clone());
    let listener =
        TcpListener::bind(&bind).map_err(|e| format!("tidak dapat membuka {bind}: {e}"))?;
    let workers = workers.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let keys = sepakat::auth::Keys::load(config.jwt_secret.as_deref(), &config.secret_file)?;
    let state = http::AppState::new(pool, config.max_body)
        .map_err(|e| e.to_string())?
        .with_documents(config.templates_dir.as_deref(), config.max_term_months)?
        .with_keys(keys)
        .with_cors(config.cors_origins.clone())
        .with_public_url(config.public_url.as_deref())?;
    println!(
        "Sepakat berjalan di http://{bind}  (basis data: {})",
        store::db::DbTarget::parse(&config.database_url).redacted()
    );
    if !no_remind {
        let reminders = sepakat::reminders::Reminders::from_config(&config)?;
        println!(
            "Pengingat: {}, dijadwalkan setiap hari pukul {}:00 WIB.",
            reminders.mailer.describe(),
            config.remind_hour
        );
        reminders.spawn_scheduler(
            state.pool.clone(),
            config.remind_hour,
            std::time::Duration::from_secs(30),
        );
    }
    let server = http::serve(listener, state, workers).map_err(|e| e.to_string())?;
    actix_web::rt::System::new()
        .block_on(server)
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "sepakat=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let mut config = Config::from_env();
    if let Some(db) = cli.database {
        config.database_url = db;
    }
    let result = match cli.command {
        Command::Serve {
            bind,
            seeds,
            no_seed,
            workers,
            no_remind,
        } => serve(config, bind, seeds, no_seed, workers, no_remind),
        Command::Remind { once, as_of, flush } => remind(&config, once, as_of, flush),
        Command::Holidays { action } => holidays(&config, action),
        Command::Render {
            agreement,
            kind,
            format,
            output,
            all: _,
            out,
            set,
            as_of,
            paper,
        } => render(
            &config, agreement, kind, format, output, out, set, as_of, paper,
        ),
        Command::Check { id, as_of } => check_command(&config, id, as_of),
        Command::User { action } => user(&config, action),
        Command::Migrate => open(&config).map(|_| println!("Migrasi selesai.")),
        Command::Import { files } => open(&config).and_then(|pool| {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let (ok, failed) = run_import(
                &mut conn,
                &files,
                &cli_actor(),
                !std::io::IsTerminal::is_terminal(&std::io::stderr()),
            )?;
            println!("{ok} perjanjian diimpor, {failed} gagal.");
            if failed > 0 {
                Err(format!("{failed} perjanjian tidak diimpor"))
            } else {
                Ok(())
            }
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sepakat: {e}");
            ExitCode::FAILURE
        }
    }
}
