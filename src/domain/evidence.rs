//! Evidence an agency uploads against an obligation (DESIGN.md §10): what
//! kind of file it is, judged by its content and never by its name; the
//! facts the paper carries that are asked for with it; and the record an
//! accepted submission becomes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use super::agreement::plausible_date;
use super::obligations::{Obligation, ObligationKind};
use super::text::check_text;

/// The file kinds accepted as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
}

impl FileKind {
    /// The kind the first bytes of a file announce, if any accepted one.
    /// A PDF may carry a few bytes of junk before its header (readers
    /// accept up to 1024), which scanners do write.
    pub fn sniff(head: &[u8]) -> Option<FileKind> {
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Some(FileKind::Jpeg);
        }
        if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Some(FileKind::Png);
        }
        let window = &head[..head.len().min(1024)];
        window
            .windows(5)
            .any(|w| w == b"%PDF-")
            .then_some(FileKind::Pdf)
    }

    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }
}

/// The address of one task in the agency's portal (where its evidence is
/// uploaded), relative to the server.
pub fn task_path(agreement_id: i64, key: &str) -> String {
    format!(
        "/portal/tugas/{agreement_id}/{}",
        super::text::path_segment(key)
    )
}

/// What an upload refused says: the refusal names the limit.
pub fn too_large(limit: u64) -> String {
    format!(
        "berkas terlalu besar: paling besar {} MB",
        limit.div_ceil(1024 * 1024)
    )
}

pub const NOT_ACCEPTED: &str =
    "berkas harus PDF, JPEG atau PNG (diperiksa dari isinya, bukan dari nama berkasnya)";
pub const ENCRYPTED: &str =
    "PDF ini terenkripsi atau berkata sandi; unggah salinan tanpa kata sandi";
pub const UNREADABLE_PDF: &str = "PDF ini rusak atau tidak dapat dibaca";
pub const EMPTY: &str = "berkas kosong (0 bait)";

/// One field of an upload form's metadata: its name, label and type.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct DetailField {
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `date` or `number`.
    pub kind: &'static str,
    pub required: bool,
}

const fn field(
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    required: bool,
) -> DetailField {
    DetailField {
        name,
        label,
        kind,
        required,
    }
}

/// The facts asked for with an upload for an obligation of `kind`; `None`
/// where no upload fulfils it (a PoC is Dukcapil's test, the SAM card goes
/// back in person).
pub fn detail_fields(kind: ObligationKind) -> Option<&'static [DetailField]> {
    const REPORT: &[DetailField] = &[
        field(
            "nik_hits",
            "Jumlah akses NIK dalam semester",
            "number",
            false,
        ),
        field(
            "return_data_rows",
            "Jumlah baris data balikan",
            "number",
            false,
        ),
    ];
    const CERTIFICATE: &[DetailField] = &[
        field("number", "Nomor sertifikat", "text", true),
        field("issuer", "Lembaga penerbit", "text", true),
        field("issued_on", "Tanggal terbit", "date", false),
        field("valid_until", "Berlaku sampai", "date", true),
    ];
    const STATEMENT: &[DetailField] = &[field("signed_on", "Tanggal ditandatangani", "date", true)];
    const RENEWAL: &[DetailField] = &[
        field("request_number", "Nomor surat permohonan", "text", false),
        field("request_date", "Tanggal surat permohonan", "date", false),
    ];
    match kind {
        ObligationKind::SemesterReport => Some(REPORT),
        ObligationKind::Iso27001 => Some(CERTIFICATE),
        ObligationKind::Sptjm | ObligationKind::Nda => Some(STATEMENT),
        ObligationKind::RenewalRequest => Some(RENEWAL),
        ObligationKind::Poc | ObligationKind::SamReturn => None,
    }
}

pub const NOT_UPLOADABLE: &str =
    "kewajiban ini tidak dipenuhi dengan unggahan berkas (PoC dan kartu SAM dicatat oleh Dinas)";

/// The upload's metadata checked against what `kind` asks for: a JSON
/// object of the filled fields, or each field's error by name.
pub fn details(
    kind: ObligationKind,
    sent: &BTreeMap<String, String>,
    today: NaiveDate,
) -> Result<Value, Vec<(String, String)>> {
    let Some(fields) = detail_fields(kind) else {
        return Err(vec![("file".into(), NOT_UPLOADABLE.into())]);
    };
    let mut out = Map::new();
    let mut errors = vec![];
    for f in fields {
        let raw = sent.get(f.name).map(|s| s.trim()).unwrap_or("");
        if raw.is_empty() {
            if f.required {
                errors.push((f.name.to_string(), format!("{} wajib diisi", f.label)));
            }
            continue;
        }
        let value = match f.kind {
            "number" => raw
                .replace('.', "")
                .parse::<u64>()
                .map(|n| json!(n))
                .map_err(|_| format!("{} harus bilangan bulat tanpa tanda", f.label)),
            "date" => match raw.parse::<NaiveDate>() {
                Ok(d) if !plausible_date(d) => Err(format!(
                    "{}: {}",
                    f.label,
                    super::agreement::IMPLAUSIBLE_DATE
                )),
                Ok(d) if f.name == "signed_on" && d > today => {
                    Err(format!("{} tidak boleh setelah hari ini", f.label))
                }
                Ok(d) => Ok(json!(d)),
                Err(_) => Err(format!("{} harus tanggal (TTTT-BB-HH)", f.label)),
            },
            _ => check_text(raw, 300)
                .map(|_| json!(raw))
                .map_err(|m| format!("{}: {m}", f.label)),
        };
        match value {
            Ok(v) => {
                out.insert(f.name.to_string(), v);
            }
            Err(m) => errors.push((f.name.to_string(), m)),
        }
    }
    if let (Some(from), Some(until)) = (
        out.get("issued_on").and_then(Value::as_str),
        out.get("valid_until").and_then(Value::as_str),
    ) {
        if until < from {
            errors.push((
                "valid_until".into(),
                "Berlaku sampai tidak boleh sebelum tanggal terbit".into(),
            ));
        }
    }
    if errors.is_empty() {
        Ok(Value::Object(out))
    } else {
        Err(errors)
    }
}

/// The record an accepted submission becomes: its collection (`reports`,
/// `certificates`, `statements`, `renewals`) and its JSON in the API's
/// shape. `uploaded_on` is the day the agency handed it over, which is
/// what fulfils the obligation; `signatory` is PIHAK KEDUA's head (who
/// signs the SPTJM).
pub fn record_of(
    o: &Obligation,
    details: &Value,
    uploaded_on: NaiveDate,
    accepted_on: NaiveDate,
    note: Option<&str>,
    signatory: Option<&str>,
) -> Result<(&'static str, Value), String> {
    let get = |k: &str| details.get(k).filter(|v| !v.is_null()).cloned();
    let mut record = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            record.insert(k.to_string(), v);
        }
    };
    let collection = match o.kind {
        ObligationKind::SemesterReport => {
            let mut parts = o.key.split(':').skip(1);
            let year: Option<i32> = parts.next().and_then(|y| y.parse().ok());
            let semester: Option<u8> = parts.next().and_then(|n| n.parse().ok());
            let (Some(year), Some(semester)) = (year, semester) else {
                return Err(format!("kunci kewajiban laporan tidak dikenal: {}", o.key));
            };
            put("year", Some(json!(year)));
            put("semester", Some(json!(semester)));
            put("submitted_on", Some(json!(uploaded_on)));
            put("channel", Some(json!("portal")));
            put("nik_hits", get("nik_hits"));
            put("return_data_rows", get("return_data_rows"));
            put("evaluated_on", Some(json!(accepted_on)));
            put("evaluation", note.map(|n| json!(n)));
            "reports"
        }
        ObligationKind::Iso27001 => {
            put("kind", Some(json!("iso27001")));
            put("number", get("number"));
            put("issuer", get("issuer"));
            put("issued_on", get("issued_on"));
            put("valid_until", get("valid_until"));
            put("submitted_on", Some(json!(uploaded_on)));
            "certificates"
        }
        ObligationKind::Sptjm | ObligationKind::Nda => {
            let signer = match o.kind {
                ObligationKind::Nda => o.subject.clone(),
                _ => signatory.map(str::to_string),
            };
            let Some(signer) = signer.filter(|s| !s.trim().is_empty()) else {
                return Err(
                    "penanda tangan tidak diketahui: catat pimpinan PIHAK KEDUA pada perjanjian"
                        .into(),
                );
            };
            put("kind", Some(json!(o.kind.code())));
            put("signer", Some(json!({ "name": signer })));
            put("signed_on", get("signed_on").or(Some(json!(uploaded_on))));
            "statements"
        }
        ObligationKind::RenewalRequest => {
            put("requested_on", Some(json!(uploaded_on)));
            if let Some(number) = get("request_number") {
                let mut letter = json!({ "number": number });
                if let Some(date) = get("request_date") {
                    letter["date"] = date;
                }
                put("request_letter", Some(letter));
            }
            "renewals"
        }
        ObligationKind::Poc | ObligationKind::SamReturn => return Err(NOT_UPLOADABLE.into()),
    };
    Ok((collection, Value::Object(record)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::obligations::ObligationState;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn obligation(kind: ObligationKind, key: &str, subject: Option<&str>) -> Obligation {
        Obligation {
            kind,
            key: key.into(),
            subject: subject.map(Into::into),
            due_on: Some(d(2026, 7, 14)),
            provisional: false,
            state: ObligationState::Submitted,
            fulfilled_on: None,
            fulfilled_by: None,
            waiver_reason: None,
            at_risk: false,
            period_end: None,
        }
    }

    #[test]
    fn files_are_known_by_their_content() {
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(FileKind::sniff(b"\r\n%PDF-1.4"), Some(FileKind::Pdf));
        assert_eq!(
            FileKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(FileKind::Jpeg)
        );
        assert_eq!(
            FileKind::sniff(b"\x89PNG\r\n\x1a\nIHDR"),
            Some(FileKind::Png)
        );
        assert_eq!(FileKind::sniff(b"<!DOCTYPE html><p>%PDF"), None);
        assert_eq!(FileKind::sniff(b""), None);
        assert_eq!(
            too_large(20 * 1024 * 1024),
            "berkas terlalu besar: paling besar 20 MB"
        );
    }

    #[test]
    fn details_are_checked_per_kind() {
        let today = d(2026, 12, 2);
        let sent = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let ok = details(
            ObligationKind::SemesterReport,
            &sent(&[("nik_hits", "12.345")]),
            today,
        )
        .unwrap();
        assert_eq!(ok, json!({"nik_hits": 12345}));
        let errors = details(
            ObligationKind::Iso27001,
            &sent(&[("number", "ISMS 0001"), ("valid_until", "31-12-2027")]),
            today,
        )
        .unwrap_err();
        let names: Vec<&str> = errors.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["issuer", "valid_until"], "{errors:?}");
        assert!(details(
            ObligationKind::Nda,
            &sent(&[("signed_on", "2027-01-01")]),
            today
        )
        .is_err());
        assert!(details(ObligationKind::Poc, &sent(&[]), today).is_err());
    }

    #[test]
    fn an_accepted_upload_becomes_the_record_that_fulfils_it() {
        let report = obligation(ObligationKind::SemesterReport, "report:2026:1", None);
        let (c, r) = record_of(
            &report,
            &json!({"nik_hits": 5}),
            d(2026, 7, 10),
            d(2026, 7, 20),
            Some("lengkap"),
            None,
        )
        .unwrap();
        assert_eq!(c, "reports");
        assert_eq!(
            r,
            json!({"year": 2026, "semester": 1, "submitted_on": "2026-07-10", "channel": "portal",
                   "nik_hits": 5, "evaluated_on": "2026-07-20", "evaluation": "lengkap"})
        );
        let nda = obligation(ObligationKind::Nda, "nda:ARIS", Some("Aris, S.Kom"));
        let (c, r) =
            record_of(&nda, &json!({}), d(2026, 7, 10), d(2026, 7, 20), None, None).unwrap();
        assert_eq!(c, "statements");
        assert_eq!(r["signer"]["name"], "Aris, S.Kom");
        assert_eq!(r["signed_on"], "2026-07-10");
        let sptjm = obligation(ObligationKind::Sptjm, "sptjm", None);
        assert!(record_of(
            &sptjm,
            &json!({}),
            d(2026, 7, 10),
            d(2026, 7, 20),
            None,
            None
        )
        .is_err());
    }
}
