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

fn parse(bytes: &[u8]) -> Result<AgreementDoc, String> {
    from_slice::<AgreementDoc>(bytes).map_err(|e| match e {
        JsonError::Malformed(m) => m,
        JsonError::Invalid(errs) => describe(&errs),
    })
}

/// A UTF-8 byte order mark, as Windows editors write it.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One agreement's bytes as text: a leading BOM is dropped, and anything
/// that is not UTF-8 is refused for what it is.
fn parse_bytes(bytes: &[u8]) -> Result<AgreementDoc, String> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(format!(
            "bukan teks UTF-8 yang sah (bita ke-{}); simpan berkas sebagai UTF-8",
            e.valid_up_to() + 1
        ));
    }
    parse(bytes)
}

/// Calls `each` with every agreement of a file, in order: a `.jsonl` file
/// holds one per line and is read line by line, each line standing alone
/// (a bad line is reported with its number and the next is read).
fn for_each_in(path: &Path, mut each: impl FnMut(String, Result<AgreementDoc, String>)) {
    use std::io::BufRead;
    let name = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return each(name, Err(format!("tidak dapat dibaca: {e}"))),
    };
    let mut reader = std::io::BufReader::new(file);
    if path.extension().and_then(|x| x.to_str()) == Some("jsonl") {
        let mut line = Vec::new();
        for n in 1.. {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    return each(
                        format!("{name}:{n}"),
                        Err(format!("tidak dapat dibaca: {e}")),
                    )
                }
            }
            let text = if n == 1 {
                line.strip_prefix(BOM).unwrap_or(&line)
            } else {
                &line[..]
            };
            if text.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            each(format!("{name}:{n}"), parse_bytes(text));
        }
    } else {
        let mut bytes = vec![];
        match std::io::Read::read_to_end(&mut reader, &mut bytes) {
            Ok(_) => each(name, parse_bytes(&bytes)),
            Err(e) => each(name, Err(format!("tidak dapat dibaca: {e}"))),
        }
    }
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub imported: Vec<(String, i64)>,
    pub failed: Vec<ImportFailure>,
}

/// Imports every agreement in the files, streaming. Adenda are held back
/// until every PKS of the batch is in, so that an adendum finds the PKS it
/// amends whatever the file order. `progress` is called after each agreement.
pub fn import_files(
    conn: &mut DbConnection,
    files: &[PathBuf],
    actor: &str,
    mut progress: impl FnMut(usize),
) -> ImportReport {
    let mut report = ImportReport::default();
    if let Err(e) = crate::store::db::bulk_session(conn) {
        report.failed.push(ImportFailure {
            source: "-".into(),
            message: e.to_string(),
        });
        return report;
    }
    let mut adenda = vec![];
    let mut done = 0;
    let mut store =
        |conn: &mut DbConnection, report: &mut ImportReport, source: String, doc: &AgreementDoc| {
            let audited = |c: &mut DbConnection| {
                let id = agreements::insert(c, doc)?;
                // The file is the full record; the trail names it and what it held.
                let numbers: Vec<&str> = doc
                    .parties
                    .iter()
                    .filter_map(|p| p.number.as_ref().map(|n| n.as_str()))
                    .collect();
                let changes = serde_json::json!({
                    "source": {"after": source},
                    "title": {"after": doc.title},
                    "numbers": {"after": numbers},
                });
                crate::store::audit::record(
                    c,
                    &crate::store::audit::Entry {
                        actor,
                        action: "import",
                        entity: "agreement",
                        entity_id: Some(id),
                        agreement_id: Some(id),
                        changes: &changes,
                    },
                )?;
                Ok(id)
            };
            match write_tx(conn, audited) {
                Ok(id) => report.imported.push((source, id)),
                Err(e) => report.failed.push(ImportFailure {
                    source,
                    message: store_message(e),
                }),
            }
            done += 1;
            // Fresh planner statistics early and as the tables grow (see refresh_statistics).
            if done == 200 || done % 5_000 == 0 {
                let _ = crate::store::db::refresh_statistics(conn);
            }
            progress(done);
        };
    for f in files {
        for_each_in(f, |source, parsed| match parsed {
            Ok(doc) if doc.kind == AgreementKind::Adendum => adenda.push((source, doc)),
            Ok(doc) => store(conn, &mut report, source, &doc),
            Err(message) => report.failed.push(ImportFailure { source, message }),
        });
    }
    for (source, doc) in adenda {
        store(conn, &mut report, source, &doc);
    }
    if let Err(e) = crate::store::db::refresh_statistics(conn) {
        tracing::warn!(error = %e, "statistics not refreshed after import");
    }
    report
}
