//! `sepakat holidays list|set|delete|import|sync|years`

use std::path::PathBuf;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};

use crate::app::{self, Actor};
use crate::config::Config;
use crate::domain::calendar::{parse_holidays_csv, Holiday, HolidayKind};
use crate::store::{self, holidays as h};

#[derive(Subcommand)]
pub enum Action {
    /// List holidays, of one year or all
    List {
        #[arg(long)]
        year: Option<i32>,
    },
    /// Add or change one day
    Set {
        #[arg(value_parser = super::parse_date)]
        date: chrono::NaiveDate,
        kind: Kind,
        name: String,
        #[arg(long)]
        source: Option<String>,
    },
    /// Remove one day
    Delete {
        #[arg(value_parser = super::parse_date)]
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

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    #[value(name = "libur_nasional")]
    LiburNasional,
    #[value(name = "cuti_bersama")]
    CutiBersama,
}

impl From<Kind> for HolidayKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::LiburNasional => HolidayKind::LiburNasional,
            Kind::CutiBersama => HolidayKind::CutiBersama,
        }
    }
}

pub fn run(config: &Config, action: Action) -> anyhow::Result<()> {
    // `sync` reports what it adds, so the start must not add it first.
    let pool = match action {
        Action::Sync => super::open_with(config, store::db::migrate_schema)?,
        _ => super::open(config)?,
    };
    let mut conn = pool.get()?;
    let operator = Actor::operator();
    match action {
        Action::List { year } => {
            for day in h::list(&mut conn, year)? {
                println!(
                    "{}\t{}\t{}",
                    day.date,
                    store::encode_text(&day.kind),
                    day.name
                );
            }
        }
        Action::Set {
            date,
            kind,
            name,
            source,
        } => {
            let day = Holiday {
                date,
                kind: kind.into(),
                name,
                source,
            };
            app::holidays::put(&mut conn, &operator, &day)?;
            println!("{date} disimpan.");
        }
        Action::Delete { date } => {
            app::holidays::delete(&mut conn, &operator, date)?;
            println!("{date} dihapus.");
        }
        Action::Import { file } => {
            let csv = std::fs::read_to_string(&file)
                .with_context(|| format!("{} tidak dapat dibaca", file.display()))?;
            let days = parse_holidays_csv(&csv)
                .map_err(|err| anyhow::anyhow!("{}: {err}", file.display()))?;
            let source = file.display().to_string();
            let years = app::holidays::import(&mut conn, &operator, &days, &source)?;
            let years: Vec<String> = years.iter().map(|y| y.to_string()).collect();
            println!(
                "{} hari libur disimpan; keputusan bersama tahun {} tercatat dimuat.",
                days.len(),
                years.join(", ")
            );
        }
        Action::Sync => {
            let report = app::holidays::sync(&mut conn, &operator)?;
            if report.years.is_empty() {
                println!("Semua tahun dari tabel bawaan sudah ada.");
            }
            for (year, added) in report.years {
                println!("{year}: {added} hari libur ditambahkan dari tabel bawaan.");
            }
        }
        Action::Years => {
            for y in h::decree_years(&mut conn)? {
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
