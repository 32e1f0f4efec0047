//! `sepakat check [ID]`: the consistency check; a non-zero exit on errors.

use crate::app::{self, Actor};
use crate::config::Config;
use crate::domain::check::Severity;
use crate::store::agreements;

#[derive(clap::Args)]
pub struct Args {
    /// The agreement's id (default: every agreement)
    id: Option<i64>,
    #[arg(long, value_parser = super::parse_date)]
    as_of: Option<chrono::NaiveDate>,
}

pub fn run(config: &Config, args: Args) -> anyhow::Result<()> {
    let pool = super::open(config)?;
    let mut conn = pool.get()?;
    let as_of = args.as_of.unwrap_or_else(crate::today_jakarta);
    let ids = match args.id {
        Some(id) => vec![id],
        None => agreements::matching_ids(&mut conn, &agreements::ListFilter::default())?,
    };
    let operator = Actor::operator();
    let (mut errors, mut total) = (0, 0);
    for id in ids {
        let findings =
            app::agreements::check(&mut conn, &operator, id, as_of, config.max_term_months)?;
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
        anyhow::bail!("{errors} galat konsistensi");
    }
    Ok(())
}
