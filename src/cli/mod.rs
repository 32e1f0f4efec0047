//! The command line: one small module per command. Each translates its
//! arguments to the core's use cases (src/app) and their results to lines
//! for the operator; errors are one line, with context.

mod check;
mod holidays;
mod import;
mod remind;
mod render;
mod serve;
mod user;

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::store::{self, DbConnection};

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
    Serve(serve::Args),
    /// Apply pending database migrations.
    Migrate,
    /// Plan and send reminder e-mails (SMTP_URL, or .eml files into SEPAKAT_OUTBOX).
    Remind(remind::Args),
    /// The holiday table used for every working-day count.
    Holidays {
        #[command(subcommand)]
        action: holidays::Action,
    },
    /// Draw up documents (PKS, Juknis, SPTJM, NDA, renewal letter, adendum) as PDF or HTML.
    Render(render::Args),
    /// Consistency check of one agreement or of all: what a legal officer otherwise catches by hand.
    Check(check::Args),
    /// Accounts: add, change a password, disable, list. Passwords are read from standard input.
    User {
        #[command(subcommand)]
        action: user::Action,
    },
    /// Import agreements in the sepakat.agreement/v1 format (files, .jsonl files or folders).
    Import(import::Args),
}

/// Runs the command line; the process's exit code.
pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "sepakat=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return refuse_arguments(e),
    };
    let mut config = Config::from_env();
    if let Some(db) = cli.database {
        config.database_url = db;
    }
    let result = match cli.command {
        Command::Serve(args) => serve::run(config, args),
        Command::Migrate => open(&config).map(|_| println!("Migrasi selesai.")),
        Command::Remind(args) => remind::run(&config, args),
        Command::Holidays { action } => holidays::run(&config, action),
        Command::Render(args) => render::run(&config, args),
        Command::Check(args) => check::run(&config, args),
        Command::User { action } => user::run(&config, action),
        Command::Import(args) => import::run(&config, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sepakat: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Help and version as clap writes them; a wrong argument as one
/// Indonesian line naming the argument and, for a closed choice, the choices.
fn refuse_arguments(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let ctx = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let arg = ctx(ContextKind::InvalidArg);
    let line = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => e.exit(),
        ErrorKind::InvalidValue => {
            let valid = ctx(ContextKind::ValidValue);
            let value = ctx(ContextKind::InvalidValue);
            if valid.is_empty() {
                format!("nilai '{value}' untuk {arg} tidak valid")
            } else {
                format!("nilai '{value}' untuk {arg} tidak dikenal; pilihan: {valid}")
            }
        }
        ErrorKind::ValueValidation => format!(
            "{arg}: {}",
            std::error::Error::source(&e)
                .map(|s| s.to_string())
                .unwrap_or_default()
        ),
        ErrorKind::MissingRequiredArgument => format!("argumen wajib belum diisi: {arg}"),
        ErrorKind::UnknownArgument => format!("argumen {arg} tidak dikenal; lihat sepakat --help"),
        ErrorKind::InvalidSubcommand => format!(
            "perintah '{}' tidak dikenal; lihat sepakat --help",
            ctx(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "perintah belum disebut; lihat sepakat --help".to_string()
        }
        _ => format!("argumen tidak valid; lihat sepakat --help ({})", e.kind()),
    };
    eprintln!("sepakat: {line}");
    ExitCode::from(2)
}

/// The database, migrated and with the shipped holiday years it lacks.
fn open(config: &Config) -> anyhow::Result<store::Pool> {
    open_with(config, store::migrate)
}

fn open_with(
    config: &Config,
    migrate: fn(&mut DbConnection) -> Result<usize, store::StoreError>,
) -> anyhow::Result<store::Pool> {
    let pool = store::connect(&config.database_url, config.pool_size())?;
    let mut conn = pool.get().context("basis data tidak dapat dihubungi")?;
    migrate(&mut conn)?;
    Ok(pool)
}

/// A date argument: YYYY-MM-DD within 1945-2100.
fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| crate::domain::agreement::plausible_date(*d))
        .ok_or_else(|| format!("'{s}' bukan tanggal YYYY-MM-DD yang valid (tahun 1945-2100)"))
}
