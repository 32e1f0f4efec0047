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
    /// Import agreements in the sepakat.agreement/v1 format (files, .jsonl files or folders).
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
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
    /// Add or change the days of a CSV file in the format of data/hari-libur.csv
    Import { file: PathBuf },
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| sepakat::domain::agreement::plausible_date(*d))
        .ok_or_else(|| format!("'{s}' bukan tanggal YYYY-MM-DD yang valid (tahun 1945-2100)"))
}

fn holidays(config: &Config, action: HolidayAction) -> Result<(), String> {
    use sepakat::domain::calendar::{parse_holidays_csv, Holiday};
    use sepakat::store::holidays as h;
    let pool = open(config)?;
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
                h::upsert(
                    c,
                    &Holiday {
                        date,
                        kind,
                        name: name.clone(),
                        source: source.clone(),
                    },
                )
            })
            .map_err(e)?;
            println!("{date} disimpan.");
        }
        HolidayAction::Delete { date } => {
            store::write_tx(&mut conn, |c| h::delete(c, date)).map_err(e)?;
            println!("{date} dihapus.");
        }
        HolidayAction::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|err| format!("{}: {err}", file.display()))?;
            let days =
                parse_holidays_csv(&text).map_err(|err| format!("{}: {err}", file.display()))?;
            store::write_tx(&mut conn, |c| days.iter().try_for_each(|d| h::upsert(c, d)))
                .map_err(e)?;
            println!("{} hari libur disimpan.", days.len());
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
        "{day}: {} perjanjian diperiksa, {} pesan baru, {} sudah pernah dijadwalkan, {} tanpa alamat penerima; \
         {} terkirim, {} dicoba lagi nanti, {} gagal, {} dibatalkan ({}).",
        plan.agreements, plan.queued, plan.already_planned, plan.without_recipient,
        sent.sent, sent.retry_later, sent.failed, sent.cancelled, reminders.mailer.describe()
    );
    Ok(())
}

fn open(config: &Config) -> Result<store::Pool, String> {
    let pool = store::connect(&config.database_url, config.pool_size).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    store::migrate(&mut conn).map_err(|e| e.to_string())?;
    Ok(pool)
}

fn run_import(
    conn: &mut DbConnection,
    files: &[PathBuf],
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
    let report = import::import_files(conn, &files, |done| {
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
    let empty = agreements::count(&mut conn, &agreements::ListFilter::default())
        .map_err(|e| e.to_string())?
        == 0;
    if empty && !no_seed && seeds.is_dir() {
        let (ok, failed) = run_import(&mut conn, &[seeds.clone()], true)?;
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
    let state = http::AppState::new(pool, config.max_body).map_err(|e| e.to_string())?;
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
        Command::Migrate => open(&config).map(|_| println!("Migrasi selesai.")),
        Command::Import { files } => open(&config).and_then(|pool| {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let (ok, failed) = run_import(
                &mut conn,
                &files,
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
