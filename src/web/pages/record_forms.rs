//! The forms on an agreement's page that record what arrived or happened:
//! a semester report, an ISO 27001 certificate, an SPTJM or NDA, a renewal
//! request, the SAM card returned. Each is described once (its fields, how
//! they become the core's input, where the core's errors are shown), and
//! rendered by one template loop; the write goes through the core's use
//! case for that record.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::domain::obligations::{Obligation, ObligationKind, ObligationState};

pub type Fields = HashMap<String, String>;
pub type Errors = BTreeMap<String, String>;

/// What a form's input is on the page.
pub enum Input {
    Date,
    Text,
    /// A whole number; Indonesian thousands separators allowed.
    Number,
    Select(Vec<(String, String)>),
    Check,
}

pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub required: bool,
}

/// Which use case a form's input goes to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Reports,
    Certificates,
    Statements,
    Renewals,
    SamReturn,
}

pub struct Spec {
    /// The address segment and the form's id: `/perjanjian/{id}/catat/{slug}`.
    pub slug: &'static str,
    pub title: &'static str,
    pub submit: &'static str,
    pub target: Target,
    pub fields: Vec<Field>,
    /// The core's JSON pointers and the field each is shown beside.
    pub pointers: &'static [(&'static str, &'static str)],
}

fn f(name: &'static str, label: &'static str, input: Input, required: bool) -> Field {
    Field {
        name,
        label,
        input,
        required,
    }
}

fn open(o: &Obligation) -> bool {
    !matches!(
        o.state,
        ObligationState::Fulfilled | ObligationState::Waived
    )
}

/// The forms that make sense for this agreement today: a report form only
/// while a report is owed, the SAM form only with a card reader.
pub fn specs(obligations: &[Obligation], card_reader: bool) -> Vec<Spec> {
    let periods: Vec<(String, String)> = obligations
        .iter()
        .filter(|o| o.kind == ObligationKind::SemesterReport && open(o))
        .map(|o| {
            (
                o.key.trim_start_matches("report:").replacen(':', "-", 1),
                o.subject.clone().unwrap_or_default(),
            )
        })
        .collect();
    let mut out = vec![];
    if !periods.is_empty() {
        out.push(Spec {
            slug: "laporan",
            title: "Catat laporan semester yang diterima",
            submit: "Catat laporan",
            target: Target::Reports,
            fields: vec![
                f("periode", "Semester", Input::Select(periods), true),
                f("diserahkan", "Tanggal diterima", Input::Date, true),
                f(
                    "saluran",
                    "Diterima melalui",
                    Input::Select(vec![
                        ("email".into(), "surel".into()),
                        ("hard_copy".into(), "hard copy".into()),
                        ("portal".into(), "portal".into()),
                    ]),
                    true,
                ),
                f(
                    "akses_nik",
                    "Jumlah akses NIK dalam semester (boleh kosong)",
                    Input::Number,
                    false,
                ),
            ],
            pointers: &[
                ("/year", "periode"),
                ("/semester", "periode"),
                ("/submitted_on", "diserahkan"),
                ("/channel", "saluran"),
                ("/nik_hits", "akses_nik"),
            ],
        });
    }
    out.push(Spec {
        slug: "sertifikat",
        title: "Catat sertifikat ISO/IEC 27001",
        submit: "Catat sertifikat",
        target: Target::Certificates,
        fields: vec![
            f("nomor", "Nomor sertifikat", Input::Text, true),
            f("penerbit", "Lembaga penerbit", Input::Text, false),
            f("terbit", "Tanggal terbit", Input::Date, false),
            f("berlaku", "Berlaku sampai", Input::Date, false),
            f(
                "diserahkan",
                "Tanggal diserahkan kepada PIHAK KESATU",
                Input::Date,
                true,
            ),
        ],
        pointers: &[
            ("/number", "nomor"),
            ("/issuer", "penerbit"),
            ("/issued_on", "terbit"),
            ("/valid_until", "berlaku"),
            ("/submitted_on", "diserahkan"),
        ],
    });
    out.push(Spec {
        slug: "pernyataan",
        title: "Catat SPTJM atau NDA yang ditandatangani",
        submit: "Catat pernyataan",
        target: Target::Statements,
        fields: vec![
            f(
                "jenis",
                "Jenis",
                Input::Select(vec![
                    ("sptjm".into(), "SPTJM".into()),
                    ("nda".into(), "NDA operator".into()),
                ]),
                true,
            ),
            f("nama", "Nama penanda tangan", Input::Text, true),
            f("jabatan", "Jabatan", Input::Text, false),
            f(
                "ditandatangani",
                "Tanggal ditandatangani",
                Input::Date,
                true,
            ),
            f("meterai", "Bermeterai", Input::Check, false),
        ],
        pointers: &[
            ("/kind", "jenis"),
            ("/signer/name", "nama"),
            ("/signer/position", "jabatan"),
            ("/signer", "nama"),
            ("/signed_on", "ditandatangani"),
        ],
    });
    out.push(Spec {
        slug: "perpanjangan",
        title: "Catat surat permohonan perpanjangan",
        submit: "Catat permohonan",
        target: Target::Renewals,
        fields: vec![
            f("diterima", "Tanggal permohonan diterima", Input::Date, true),
            f(
                "nomor_surat",
                "Nomor surat permohonan (boleh kosong)",
                Input::Text,
                false,
            ),
            f("tanggal_surat", "Tanggal surat", Input::Date, false),
        ],
        pointers: &[
            ("/requested_on", "diterima"),
            ("/request_letter/number", "nomor_surat"),
            ("/request_letter/date", "tanggal_surat"),
            ("/request_letter", "nomor_surat"),
        ],
    });
    if card_reader {
        out.push(Spec {
            slug: "sam",
            title: "Catat pengembalian konfigurasi kartu SAM",
            submit: "Catat pengembalian",
            target: Target::SamReturn,
            fields: vec![
                f("dikembalikan", "Tanggal dikembalikan", Input::Date, true),
                f("catatan", "Catatan (boleh kosong)", Input::Text, false),
            ],
            pointers: &[("/returned_on", "dikembalikan"), ("/note", "catatan")],
        });
    }
    out
}

impl Spec {
    /// The form as the template draws it, with what was sent and its errors.
    pub fn view(&self, values: &Fields, errors: &Errors, today: NaiveDate) -> Value {
        let fields: Vec<Value> = self
            .fields
            .iter()
            .map(|fd| {
                let sent = values.get(fd.name).cloned();
                let value = match (&fd.input, sent) {
                    (_, Some(v)) => v,
                    (Input::Date, None) if fd.required => today.to_string(),
                    _ => String::new(),
                };
                let (kind, options) = match &fd.input {
                    Input::Date => ("date", vec![]),
                    Input::Text => ("text", vec![]),
                    Input::Number => ("number", vec![]),
                    Input::Check => ("check", vec![]),
                    Input::Select(o) => (
                        "select",
                        o.iter()
                            .map(|(v, l)| json!({"value": v, "label": l, "selected": *v == value}))
                            .collect(),
                    ),
                };
                json!({
                    "id": format!("{}-{}", self.slug, fd.name),
                    "name": fd.name,
                    "label": fd.label,
                    "kind": kind,
                    "value": value,
                    "checked": kind == "check" && !value.is_empty(),
                    "options": options,
                    "error": errors.get(fd.name),
                })
            })
            .collect();
        json!({
            "slug": self.slug,
            "title": self.title,
            "submit": self.submit,
            "fields": fields,
            "error": errors.get("_form"),
            "open": !errors.is_empty(),
        })
    }

    /// The core's input from what the form sent, or each field's error.
    pub fn input(&self, v: &Fields) -> Result<Value, Errors> {
        let mut errors = Errors::new();
        let mut get = |name: &'static str| -> Option<Value> {
            let fd = self.fields.iter().find(|f| f.name == name)?;
            let raw = v.get(name).map(|s| s.trim()).unwrap_or("");
            if raw.is_empty() {
                if fd.required && !matches!(fd.input, Input::Check) {
                    errors.insert(name.into(), format!("{} wajib diisi", fd.label));
                }
                return matches!(fd.input, Input::Check).then_some(json!(false));
            }
            match &fd.input {
                Input::Date => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                    Ok(d) => Some(json!(d)),
                    Err(_) => {
                        errors.insert(
                            name.into(),
                            "isi tanggal yang valid (hari, bulan, tahun)".into(),
                        );
                        None
                    }
                },
                Input::Number => match raw.replace('.', "").parse::<u64>() {
                    Ok(n) => Some(json!(n)),
                    Err(_) => {
                        errors.insert(name.into(), "harus bilangan bulat, mis. 1.250".into());
                        None
                    }
                },
                Input::Check => Some(json!(true)),
                Input::Select(options) => {
                    if options.iter().any(|(o, _)| o == raw) {
                        Some(json!(raw))
                    } else {
                        errors.insert(name.into(), "pilih salah satu pilihan yang ada".into());
                        None
                    }
                }
                Input::Text => Some(json!(raw)),
            }
        };
        let mut out = serde_json::Map::new();
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                out.insert(key.to_string(), value);
            }
        };
        match self.target {
            Target::Reports => {
                let period = get("periode");
                if let Some((y, s)) = period
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(|p| p.split_once('-'))
                {
                    put("year", y.parse::<i32>().ok().map(|y| json!(y)));
                    put("semester", s.parse::<u8>().ok().map(|s| json!(s)));
                }
                put("submitted_on", get("diserahkan"));
                put("channel", get("saluran"));
                put("nik_hits", get("akses_nik"));
            }
            Target::Certificates => {
                put("kind", Some(json!("iso27001")));
                put("number", get("nomor"));
                put("issuer", get("penerbit"));
                put("issued_on", get("terbit"));
                put("valid_until", get("berlaku"));
                put("submitted_on", get("diserahkan"));
            }
            Target::Statements => {
                put("kind", get("jenis"));
                let mut signer = serde_json::Map::new();
                if let Some(n) = get("nama") {
                    signer.insert("name".into(), n);
                }
                if let Some(p) = get("jabatan") {
                    signer.insert("position".into(), p);
                }
                put("signer", Some(Value::Object(signer)));
                put("signed_on", get("ditandatangani"));
                put("meterai", get("meterai"));
            }
            Target::Renewals => {
                put("requested_on", get("diterima"));
                let number = get("nomor_surat");
                let date = get("tanggal_surat");
                if let Some(number) = number {
                    let mut letter = json!({"number": number});
                    if let Some(d) = date {
                        letter["date"] = d;
                    }
                    put("request_letter", Some(letter));
                }
            }
            Target::SamReturn => {
                put("returned_on", get("dikembalikan"));
                put("note", get("catatan"));
            }
        }
        if errors.is_empty() {
            Ok(Value::Object(out))
        } else {
            Err(errors)
        }
    }

    /// The core's field errors placed beside this form's fields (the rest
    /// above the form).
    pub fn place(&self, e: &crate::http::problem::ApiError) -> Errors {
        let mut out = Errors::new();
        for fe in &e.errors {
            let field = self
                .pointers
                .iter()
                .find(|(p, _)| fe.pointer.starts_with(p))
                .map(|(_, f)| *f)
                .unwrap_or("_form");
            out.entry(field.to_string())
                .or_insert_with(|| fe.message.clone());
        }
        if out.is_empty() {
            out.insert("_form".into(), e.detail.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn forms_become_the_cores_input_or_name_their_fields() {
        let specs = specs(&[], true);
        let cert = specs.iter().find(|s| s.slug == "sertifikat").unwrap();
        let v = cert
            .input(&fields(&[
                ("nomor", "IS 123456"),
                ("diserahkan", "2026-03-01"),
            ]))
            .unwrap();
        assert_eq!(
            v,
            json!({"kind": "iso27001", "number": "IS 123456", "submitted_on": "2026-03-01"})
        );
        let e = cert
            .input(&fields(&[("nomor", ""), ("diserahkan", "1/3/2026")]))
            .unwrap_err();
        assert_eq!(e.keys().collect::<Vec<_>>(), vec!["diserahkan", "nomor"]);
        let st = specs.iter().find(|s| s.slug == "pernyataan").unwrap();
        let v = st
            .input(&fields(&[
                ("jenis", "nda"),
                ("nama", "ARIS SATRIA"),
                ("ditandatangani", "2026-01-05"),
                ("meterai", "on"),
            ]))
            .unwrap();
        assert_eq!(v["signer"], json!({"name": "ARIS SATRIA"}));
        assert_eq!(v["meterai"], json!(true));
        let e = st.input(&fields(&[
            ("jenis", "sumpah"),
            ("nama", "X"),
            ("ditandatangani", "2026-01-05"),
        ]));
        assert!(
            e.unwrap_err().contains_key("jenis"),
            "a value the select never offered"
        );
        assert!(
            specs.iter().all(|s| s.slug != "laporan"),
            "no report form when none is owed"
        );
        assert!(super::specs(&[], false).iter().all(|s| s.slug != "sam"));
    }
}
