//! `sepakat import FILE_OR_DIR…`

use std::path::PathBuf;

use crate::app::Actor;
use crate::config::Config;
use crate::store::DbConnection;

#[derive(clap::Args)]
pub struct Args {
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(config: &Config, args: Args) -> anyhow::Result<()> {
    let pool = super::open(config)?;
    let mut conn = pool.get()?;
    let quiet = !std::io::IsTerminal::is_terminal(&std::io::stderr());
    let (ok, failed) = import(&mut conn, &args.files, &Actor::operator().name, quiet)?;
    println!("{ok} perjanjian diimpor, {failed} gagal.");
    if failed > 0 {
        anyhow::bail!("{failed} perjanjian tidak diimpor");
    }
    Ok(())
}

/// Imports the files, one line on standard error per refused agreement;
/// (imported, failed).
pub(super) fn import(
    conn: &mut DbConnection,
    files: &[PathBuf],
    actor: &str,
    quiet: bool,
) -> anyhow::Result<(usize, usize)> {
    let files = crate::import::expand(files).map_err(anyhow::Error::msg)?;
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
    let report = crate::import::import_files(conn, &files, actor, |done| {
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
