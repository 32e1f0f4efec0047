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
    },
    /// Apply pending database migrations.
    Migrate,
    /// Import agreements in the sepakat.agreement/v1 format (files, .jsonl files or folders).
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
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
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} perjanjian ({per_sec}, sisa {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let report = import::import_files(conn, &files, |done, total| {
        if let Some(b) = &bar {
            b.set_length(total as u64);
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
) -> Result<(), String> {
    let pool = open(&config)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let empty = agreements::list(
        &mut conn,
        &agreements::ListFilter {
            limit: 1,
            as_of: sepakat::today_jakarta(),
            ..Default::default()
        },
    )
    .map_err(|e| e.to_string())?
    .0 == 0;
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
        } => serve(config, bind, seeds, no_seed, workers),
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
