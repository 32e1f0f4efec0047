//! `sepakat render`: one document, or every agreement's, drawn on every core.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::Context;
use rayon::prelude::*;

use crate::app::{self, Actor};
use crate::config::Config;
use crate::documents::model::Paper;
use crate::documents::{file_name, DocumentError, DrawOptions, Format, Kind, Renderer};
use crate::store::agreements;

#[derive(clap::Args)]
pub struct Args {
    /// The agreement's id
    #[arg(long, required_unless_present = "all", conflicts_with = "all")]
    agreement: Option<i64>,
    /// The document (with --all: every kind when left out)
    #[arg(long)]
    kind: Option<Kind>,
    #[arg(long, default_value = "pdf")]
    format: Format,
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
    #[arg(long, value_parser = super::parse_date)]
    as_of: Option<chrono::NaiveDate>,
    /// Paper (f4: 215 × 330 mm)
    #[arg(long, default_value = "a4")]
    paper: Paper,
}

/// Agreements read from the database at a time, then drawn in parallel.
const BATCH: usize = 64;

pub fn run(config: &Config, args: Args) -> anyhow::Result<()> {
    let pool = super::open(config)?;
    let renderer = Renderer::new(config.templates_dir.as_deref())?;
    let options = DrawOptions {
        set: args.set,
        today: args.as_of.unwrap_or_else(crate::today_jakarta),
        privacy: None,
        paper: args.paper,
        draft: false,
    };
    let operator = Actor::operator();
    let mut conn = pool.get()?;
    if let Some(id) = args.agreement {
        let kind = args
            .kind
            .context("--kind wajib diisi bersama --agreement")?;
        let output = args.output.context("-o FILE wajib diisi")?;
        let doc = app::agreements::doc(&mut conn, &operator, id)?;
        let bytes = renderer.draw_up(&doc, kind, args.format, &options)?;
        std::fs::write(&output, bytes).with_context(|| output.display().to_string())?;
        println!("{} ditulis.", output.display());
        return Ok(());
    }
    let ids = agreements::matching_ids(&mut conn, &agreements::ListFilter::default())?;
    let out = args.out;
    std::fs::create_dir_all(&out).with_context(|| out.display().to_string())?;
    let kinds: Vec<Kind> = args
        .kind
        .map(|k| vec![k])
        .unwrap_or_else(|| Kind::ALL.to_vec());
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
    let written = AtomicUsize::new(0);
    let skipped = Mutex::new(Vec::<String>::new());
    let skip = |m: String| skipped.lock().unwrap_or_else(|p| p.into_inner()).push(m);
    for batch in ids.chunks(BATCH) {
        let docs = batch
            .iter()
            .map(|id| Ok((*id, app::agreements::doc(&mut conn, &operator, *id)?)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        docs.par_iter()
            .flat_map(|(id, doc)| kinds.par_iter().map(move |kind| (*id, doc, *kind)))
            .for_each(|(id, doc, kind)| {
                let number = doc
                    .parties
                    .first()
                    .and_then(|p| p.number.as_ref())
                    .map(|n| n.as_str().to_string());
                let path = out.join(format!(
                    "{id}-{}",
                    file_name(kind, number.as_deref(), id, args.format)
                ));
                match renderer.draw_up(doc, kind, args.format, &options) {
                    Ok(bytes) => match std::fs::write(&path, bytes) {
                        Ok(()) => {
                            written.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => skip(format!("{}: {e}", path.display())),
                    },
                    // An agreement that lacks a Juknis has no Juknis to print.
                    Err(DocumentError::Missing(m)) if kinds.len() > 1 => {
                        skip(format!("perjanjian {id} {}: {m}", kind.as_str()))
                    }
                    Err(e) => skip(format!("perjanjian {id} {}: {e}", kind.as_str())),
                }
                bar.inc(1);
            });
    }
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
