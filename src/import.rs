//! Import of agreements in the `sepakat.agreement/v1` format from files:
//! one transaction per agreement, all or nothing.

use std::path::{Path, PathBuf};

use crate::domain::agreement::AgreementDoc;
use crate::domain::agreement::FieldError;
use crate::domain::catalog::AgreementKind;
use crate::json::{from_slice, JsonError};
use crate::store::{agreements, write_tx, DbConnection, StoreError};

/// One agreement that could not be imported, and why, in one line.
#[derive(Debug)]
pub struct ImportFailure {
    pub source: String,
    pub message: String,
}

fn describe(errs: &[FieldError]) -> String {
    errs.iter()
        .map(|e| format!("{}: {}", e.pointer, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

fn store_message(e: StoreError) -> String {
    match e {
        StoreError::Invalid(errs) => describe(&errs),
        other => other.to_string(),
    }
}

/// Files to read: each path itself, or the `.json`/`.jsonl` files directly
/// inside a directory, in name order.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = vec![];
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    matches!(
                        f.extension().and_then(|x| x.to_str()),
                        Some("json" | "jsonl")
                    )
                })
                .collect();
            inside.sort();
            out.extend(inside);
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(format!("{}: berkas tidak ditemukan", p.display()));
        }
    }
    Ok(out)
}

/// Parses the agreements in a file: a `.jsonl` file holds one per line.
fn read(path: &Path) -> Vec<(String, Result<AgreementDoc, String>)> {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return vec![(name, Err(format!("tidak dapat dibaca: {e}")))],
    };
    let parse = |b: &[u8]| {
        from_slice::<AgreementDoc>(b).map_err(|e| match e {
            JsonError::Malformed(m) => m,
            JsonError::Invalid(errs) => describe(&errs),
        })
    };
    if path.extension().and_then(|x| x.to_str()) == Some("jsonl") {
        bytes
            .split(|b| *b == b'\n')
            .enumerate()
            .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
            .map(|(i, line)| (format!("{name}:{}", i + 1), parse(line)))
            .collect()
    } else {
        vec![(name, parse(&bytes))]
    }
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub imported: Vec<(String, i64)>,
    pub failed: Vec<ImportFailure>,
}

/// Imports every agreement in the files. PKS go in before adenda so that an
/// adendum finds the PKS it amends in the same batch. `progress` is called
/// after each agreement.
pub fn import_files(
    conn: &mut DbConnection,
    files: &[PathBuf],
    mut progress: impl FnMut(usize, usize),
) -> ImportReport {
    let mut report = ImportReport::default();
    let mut docs = vec![];
    for f in files {
        for (source, parsed) in read(f) {
            match parsed {
                Ok(doc) => docs.push((source, doc)),
                Err(message) => report.failed.push(ImportFailure { source, message }),
            }
        }
    }
    docs.sort_by_key(|(_, d)| d.kind == AgreementKind::Adendum);
    let total = docs.len();
    for (i, (source, doc)) in docs.into_iter().enumerate() {
        match write_tx(conn, |c| agreements::insert(c, &doc)) {
            Ok(id) => report.imported.push((source, id)),
            Err(e) => report.failed.push(ImportFailure {
                source,
                message: store_message(e),
            }),
        }
        progress(i + 1, total);
    }
    report
}
