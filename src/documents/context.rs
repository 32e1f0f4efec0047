//! The data a document template sees: the agreement in its import shape plus
//! every clause value computed once here (counts in words, element lists per
//! access method, dates written out), so templates only arrange text.
//! Pure: no I/O.

use chrono::{Datelike, Months, NaiveDate};
use serde_json::{json, Value};

use crate::domain::agreement::{AgreementDoc, Party, PersonDoc};
use crate::domain::catalog::{element, AccessMethod, InstitutionKind, Side, StatementKind};
use crate::domain::words::{
    capitalized, count, date_in_words, date_short, grouped, join_list, month_name, number_words,
    roman, roman_month,
};

/// Why a document cannot be drawn up from the agreement as it stands.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{0}")]
pub struct Missing(pub String);

/// How an element is named inside a clause: "tanggal/bulan/tahun lahir",
/// "alamat sekarang" (the catalog label carries the sub-fields).
pub fn clause_name(code: &str) -> String {
    match code {
        "nik" => "NIK".into(),
        "nomor_kk" => "nomor KK".into(),
        "nik_ibu" => "NIK ibu kandung".into(),
        "nik_ayah" => "NIK ayah".into(),
        "alamat" => "alamat sekarang".into(),
        other => element(other)
            .map(|e| e.label.to_lowercase())
            .unwrap_or_else(|| other.replace('_', " ")),
    }
}

fn method_words(m: AccessMethod) -> &'static str {
    match m {
        AccessMethod::WebPortal => "web portal",
        AccessMethod::WebService => "web service",
        AccessMethod::CardReader => "perangkat pembaca KTP-el (card reader)",
        AccessMethod::DataWarehouse => "data warehouse",
    }
}

/// How the Paraf box at the foot of a Juknis page names a party:
/// "Paraf Disdukcapil:", "Paraf OPD:".
fn paraf_name(kind: InstitutionKind) -> &'static str {
    match kind {
        InstitutionKind::DukcapilPusat => "Ditjen Dukcapil",
        InstitutionKind::DukcapilProvinsi | InstitutionKind::DukcapilKabupatenKota => "Disdukcapil",
        InstitutionKind::Opd => "OPD",
        InstitutionKind::Lembaga => "Lembaga",
        InstitutionKind::BadanHukum => "Badan Hukum",
    }
}

/// Items of an enumerated clause with the ending each takes, as Indonesian
/// legal lists end them: "a;", "b; dan", "c.".
fn ended<T: serde::Serialize>(items: &[T]) -> Vec<Value> {
    with_ends(items.iter().map(|item| json!({ "text": item })).collect())
}

/// [`ended`] for items that are objects already: adds `end` and `n`.
fn with_ends(mut items: Vec<Value>) -> Vec<Value> {
    let len = items.len();
    for (i, item) in items.iter_mut().enumerate() {
        let end = if i + 1 == len {
            "."
        } else if i + 2 == len {
            "; dan"
        } else {
            ";"
        };
        item["end"] = json!(end);
        item["n"] = json!(i + 1);
    }
    items
}

/// How often a report is due, from the months it is prepared in:
/// two → ("setiap semester", "baik semester 1 ataupun semester 2").
fn report_period(months: usize) -> (&'static str, String) {
    match months {
        0 => ("secara berkala", "untuk setiap laporan".into()),
        1 => ("setiap tahun", "untuk laporan tahunan".into()),
        2 => (
            "setiap semester",
            "baik semester 1 ataupun semester 2".into(),
        ),
        4 => ("setiap triwulan", "untuk setiap triwulan".into()),
        12 => ("setiap bulan", "untuk setiap bulan".into()),
        n => (
            "secara berkala",
            format!(
                "untuk setiap periode dari {} periode laporan",
                count(n as u64)
            ),
        ),
    }
}

/// "tanggal Enam belas bulan September tahun Dua ribu dua puluh tujuh".
fn date_words_without_day(d: NaiveDate) -> String {
    format!(
        "tanggal {} bulan {} tahun {}",
        capitalized(&number_words(d.day() as u64)),
        month_name(d.month()),
        capitalized(&number_words(d.year() as u64))
    )
}

fn date_value(d: NaiveDate) -> Value {
    json!({
        "iso": d.to_string(),
        "short": date_short(d),
        "words": date_in_words(d),
        "words_no_day": date_words_without_day(d),
        "year": d.year(),
        "roman_month": roman_month(d.month()),
    })
}

fn person(p: &PersonDoc) -> Value {
    json!({
        "name": p.name,
        "position": p.position.clone().unwrap_or_default(),
        "address": p.address.clone().unwrap_or_default(),
        "nip": p.nip.as_ref().map(|n| n.display_form()),
        "nik": p.nik.as_ref().map(|n| n.as_str().to_string()),
        "id_line": id_line(p.nip.as_ref().map(|n| n.display_form()), p.nik.as_ref().map(|n| n.as_str().to_string())),
    })
}

/// The line under a signature: "NIP. 19671007 199303 1 005", else the NIK.
fn id_line(nip: Option<String>, nik: Option<String>) -> String {
    match (nip, nik) {
        (Some(nip), _) => format!("NIP. {nip}"),
        (None, Some(nik)) => format!("NIK. {nik}"),
        (None, None) => String::new(),
    }
}

fn party(p: &Party, draft: bool) -> Result<Value, Missing> {
    let label = p.side.label();
    let unnamed = PersonDoc {
        id: None,
        name: BLANK.into(),
        position: None,
        nip: None,
        nik: None,
        address: None,
        phone: None,
        email: None,
    };
    let signatory = match &p.signatory {
        Some(s) => s,
        None if draft => &unnamed,
        None => return Err(Missing(format!("penandatangan {label} belum diisi"))),
    };
    let inst = &p.institution;
    Ok(json!({
        "side": p.side.code(),
        "label": label,
        "name": inst.name,
        "name_upper": inst.name.to_uppercase(),
        "short": inst.short_name.clone().unwrap_or_else(|| inst.name.clone()),
        "paraf": paraf_name(inst.kind),
        "is_pusat": inst.kind == InstitutionKind::DukcapilPusat,
        "address": inst.address.clone().or_else(|| signatory.address.clone()).unwrap_or_default(),
        "email": inst.email.as_ref().map(|e| e.as_str().to_string()),
        "number": p.number.as_ref().map(|n| n.as_str().to_string()).unwrap_or_else(|| "........".into()),
        "recital": p.recital.clone().unwrap_or_default(),
        "signatory": person(signatory),
        "signatory_address": signatory.address.clone().or_else(|| inst.address.clone()).unwrap_or_default(),
    }))
}

/// A date not yet recorded, as a draft prints it: dots to fill by hand.
fn blank_date() -> Value {
    json!({
        "iso": "",
        "short": BLANK,
        "words": BLANK,
        "words_no_day": BLANK,
        "year": "....",
        "roman_month": "....",
    })
}

const BLANK: &str = "........";

fn date_or_blank(d: Option<NaiveDate>) -> Value {
    d.map(date_value).unwrap_or_else(blank_date)
}

/// The values a signed agreement's documents are worded from; what a signed
/// document cannot lack (the signing date, the end date, the signatories)
/// is refused as [`Missing`].
pub fn build(doc: &AgreementDoc, today: NaiveDate) -> Result<Value, Missing> {
    build_as(doc, today, false)
}

/// The values of a draft's preview: a date, number or signatory not yet
/// recorded prints as dots, as on a paper draft.
pub fn build_draft(doc: &AgreementDoc, today: NaiveDate) -> Result<Value, Missing> {
    build_as(doc, today, true)
}

fn build_as(doc: &AgreementDoc, today: NaiveDate, draft: bool) -> Result<Value, Missing> {
    let first = doc
        .party(Side::First)
        .ok_or_else(|| Missing("PIHAK KESATU belum diisi".into()))?;
    let second = doc
        .party(Side::Second)
        .ok_or_else(|| Missing("PIHAK KEDUA belum diisi".into()))?;
    let signed_on = match doc.signed_on {
        None if !draft => return Err(Missing("tanggal penandatanganan belum diisi".into())),
        d => d,
    };
    let expires_on = match doc.expires_on {
        None if !draft => return Err(Missing("tanggal berakhir belum diisi".into())),
        d => d,
    };

    let scopes: Vec<Value> = doc
        .access
        .iter()
        .map(|s| {
            let names: Vec<String> = s.elements.iter().map(|e| clause_name(e.as_str())).collect();
            let labels: Vec<&str> = s
                .elements
                .iter()
                .map(|e| element(e.as_str()).map(|d| d.label).unwrap_or(e.as_str()))
                .collect();
            json!({
                "method": s.method.code(),
                "method_label": s.method.label(),
                "method_words": method_words(s.method),
                "count": count(names.len() as u64),
                "elements": join_list(&names),
                "element_list": names,
                "element_labels": labels,
                "element_items": ended(&labels),
                "daily_quota": s.daily_quota.map(|q| count(q as u64)),
                "daily_quota_hits": s.daily_quota.map(|q| grouped(q as u64)),
                "unlimited_after_poc": s.unlimited_after_poc,
                // Looked up by NIK, so the Dukcapil response messages apply.
                "lookup": matches!(s.method, AccessMethod::WebPortal | AccessMethod::WebService),
                "web_portal": s.method == AccessMethod::WebPortal,
            })
        })
        .collect();
    if scopes.is_empty() {
        return Err(Missing(
            "ruang lingkup akses (elemen data per metode) belum diisi".into(),
        ));
    }
    let methods: Vec<String> = doc
        .access
        .iter()
        .map(|s| method_words(s.method).to_string())
        .collect();
    let method_labels: Vec<String> = doc
        .access
        .iter()
        .map(|s| s.method.label().to_string())
        .collect();
    // The Juknis quota clause: one item per access method, and where the
    // quota lifts after the PoC, the item that says so.
    let quota_items: Vec<Value> = {
        let mut items = vec![];
        for s in &doc.access {
            let label = s.method.label();
            match s.daily_quota {
                Some(q) => {
                    items.push(json!({ "method_label": label, "hits": grouped(q as u64), "after_poc": false }));
                    if s.unlimited_after_poc {
                        items.push(
                            json!({ "method_label": label, "hits": null, "after_poc": true }),
                        );
                    }
                }
                None => {
                    items.push(json!({ "method_label": label, "hits": null, "after_poc": false }))
                }
            }
        }
        with_ends(items)
    };
    let return_data_all: Vec<String> = doc.return_data.clone();
    let return_data_text: Vec<String> = doc
        .return_data
        .iter()
        .filter(|r| !r.eq_ignore_ascii_case("nik"))
        .cloned()
        .collect();

    let mut legal_bases: Vec<String> = doc.legal_bases.clone();
    if let Some(a) = &doc.approval_letter {
        let mut s = format!("Surat persetujuan Direktur Jenderal Kependudukan dan Pencatatan Sipil Kementerian Dalam Negeri Nomor {}", a.number.as_str());
        if let Some(d) = a.date {
            s.push_str(&format!(" tanggal {}", date_short(d)));
        }
        if let Some(subj) = &a.subject {
            s.push_str(&format!(" hal {subj}"));
        }
        legal_bases.push(s);
    }

    let t = &doc.terms;
    let report_months: Vec<String> = t
        .report_months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let nth = match (i, t.report_months.len()) {
                (0, 1) => "setiap tahun".to_string(),
                (0, _) => "semester pertama".to_string(),
                (1, _) => "semester kedua".to_string(),
                (n, _) => format!("periode ke-{}", n + 1),
            };
            format!("bulan {} untuk {nth}", month_name(*m))
        })
        .collect();
    let iso_deadline = t
        .iso27001_due_on
        .or_else(|| signed_on?.checked_add_months(Months::new(t.iso27001_months)));
    let term_months = match (signed_on, expires_on) {
        (Some(s), Some(e)) => {
            let m = (e.year() - s.year()) * 12 + e.month() as i32 - s.month() as i32;
            Some(m.max(1) as u32)
        }
        _ => None,
    };
    let renewal_expiry = match (expires_on, term_months) {
        (Some(e), Some(m)) => Some(e.checked_add_months(Months::new(m)).unwrap_or(e)),
        _ => None,
    };

    let card_reader = t.card_reader
        || doc
            .access
            .iter()
            .any(|s| s.method == AccessMethod::CardReader);
    // The Juknis table numbers its rows (KRITERIA) I, II, …; the optional
    // rows shift those after them.
    let juknis_rows = {
        let mut n = 2;
        let mut next = |present: bool| {
            present.then(|| {
                n += 1;
                n
            })
        };
        let return_row = next(!doc.return_data.is_empty());
        let card_row = next(card_reader);
        let report_row = next(true).unwrap_or_default();
        let other_row = next(true).unwrap_or_default();
        json!({
            "network": "I",
            "application": "II",
            "return_data": return_row.map(roman),
            "return_data_n": return_row,
            "card_reader": card_row.map(roman),
            "report": roman(report_row),
            "other": roman(other_row),
        })
    };
    let (report_every, report_periods) = report_period(t.report_months.len());
    let juknis = doc.juknis.as_ref().map(|j| {
        let people = |list: &Vec<crate::domain::agreement::JuknisPerson>, side: Side| -> Vec<Value> {
            list.iter()
                .filter(|p| p.side == side)
                .enumerate()
                .map(|(i, p)| {
                    json!({
                        "side": side.code(),
                        "n": i + 1,
                        "name": p.name,
                        "position": p.position,
                        "phone": p.phone.as_ref().map(|x| x.as_str().to_string()),
                        "email": p.email.as_ref().map(|x| x.as_str().to_string()),
                        "id_line": id_line(p.nip.as_ref().map(|n| n.display_form()), p.nik.as_ref().map(|n| n.as_str().to_string())),
                    })
                })
                .collect()
        };
        // The MENGETAHUI block pairs the two sides row by row, so that the
        // n-th person of each stands level; a side with nobody on record
        // shows its signatory, unnumbered.
        let ack_rows = {
            let side = |p: &Party, s: Side| -> Vec<Value> {
                let listed = people(&j.acknowledged_by, s);
                if listed.is_empty() {
                    p.signatory
                        .as_ref()
                        .map(|sig| {
                            let mut v = person(sig);
                            v["n"] = Value::Null;
                            vec![v]
                        })
                        .unwrap_or_default()
                } else {
                    listed
                }
            };
            let (f, s) = (side(first, Side::First), side(second, Side::Second));
            (0..f.len().max(s.len()))
                .map(|i| {
                    json!({
                        "first": f.get(i).cloned().unwrap_or(Value::Null),
                        "second": s.get(i).cloned().unwrap_or(Value::Null),
                    })
                })
                .collect::<Vec<_>>()
        };
        let net = j.network.as_ref();
        let svc = j.services.as_ref();
        json!({
            "number": j.number.as_ref().map(|n| n.as_str()).unwrap_or(BLANK),
            "date": date_or_blank(j.date),
            "place": j.place.clone().or_else(|| doc.signed_place.clone()).unwrap_or_default(),
            "ip_lan": net.and_then(|n| n.ip_lan.as_ref()).map(|x| x.as_str().to_string()),
            "bandwidth": net.and_then(|n| n.bandwidth.clone()),
            "cost_bearer_second": net.and_then(|n| n.cost_bearer).map(|s| s == Side::Second).unwrap_or(true),
            "estimated_connection": net.and_then(|n| n.estimated_connection.clone()),
            "web_portal_ip": svc.and_then(|s| s.web_portal_ip.as_ref()).map(|x| x.as_str().to_string()),
            "return_data_url": svc.and_then(|s| s.return_data_url.clone()),
            "sam_activation_url": svc.and_then(|s| s.sam_activation_url.clone()),
            "report_email": j.report_email.as_ref().map(|e| e.as_str().to_string())
                .or_else(|| first.institution.email.as_ref().map(|e| e.as_str().to_string())),
            "rows": juknis_rows,
            "contacts_first": people(&j.contacts, Side::First),
            "contacts_second": people(&j.contacts, Side::Second),
            "ack_first": people(&j.acknowledged_by, Side::First),
            "ack_second": people(&j.acknowledged_by, Side::Second),
            "ack_rows": ack_rows,
        })
    });

    // One NDA per operator on record; the head of PIHAK KEDUA otherwise.
    let second_head = second.signatory.as_ref().map(person).unwrap_or(Value::Null);
    let signers = |kind: StatementKind| -> Vec<Value> {
        let list: Vec<Value> = doc
            .statements
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| {
                let mut p = person(&s.signer);
                p["date"] = date_or_blank(s.signed_on.or(signed_on));
                p["meterai"] = json!(s.meterai);
                p["covers_renewal"] = json!(s.covers_renewal);
                p
            })
            .collect();
        if list.is_empty() {
            let mut p = second_head.clone();
            p["date"] = date_value(today);
            p["meterai"] = json!(true);
            p["covers_renewal"] = json!(false);
            vec![p]
        } else {
            list
        }
    };
    let renewal = doc.renewals.iter().max_by_key(|r| r.requested_on).map(|r| {
        json!({
            "requested_on": date_value(r.requested_on),
            "number": r.request_letter.as_ref().map(|l| l.number.as_str().to_string()),
        })
    });
    let amends = doc.amends.as_ref().map(|a| a.number.as_str().to_string());

    Ok(json!({
        "agreement": doc,
        "title": doc.title,
        "title_upper": doc.title.to_uppercase(),
        "purpose": doc.purpose.clone().unwrap_or_else(|| format!("pemanfaatan data kependudukan dalam layanan {}", second.institution.name)),
        "is_adendum": amends.is_some(),
        "amends": amends,
        "first": party(first, draft)?,
        "second": party(second, draft)?,
        "place": doc.signed_place.clone().unwrap_or_default(),
        "signed": date_or_blank(signed_on),
        "expires": date_or_blank(expires_on),
        "term": match term_months {
            Some(m) => json!({ "months": count(m as u64), "years": (m % 12 == 0).then(|| count((m / 12) as u64)) }),
            None => json!({ "months": BLANK, "years": null }),
        },
        "renewal_expires": date_or_blank(renewal_expiry),
        "scopes": scopes,
        "methods": join_list(&methods),
        "method_labels": join_list(&method_labels),
        "methods_upper": join_list(&method_labels).to_uppercase(),
        "quota_items": quota_items,
        "return_data": join_list(&return_data_text),
        "return_data_items": ended(&return_data_all),
        "return_data_list": return_data_all,
        "has_return_data": !doc.return_data.is_empty(),
        "legal_bases": legal_bases,
        "terms": {
            "iso_months": count(t.iso27001_months as u64),
            "iso_deadline": iso_deadline.map(date_value),
            "iso_fixed": t.iso27001_due_on.is_some(),
            "report_months": join_list(&report_months),
            "report_days": count(t.report_deadline_working_days as u64),
            "report_every": report_every,
            "report_periods": report_periods,
            "renewal_months": count(t.renewal_notice_months as u64),
            "card_reader": card_reader,
        },
        "juknis": juknis,
        "sptjm": signers(StatementKind::Sptjm),
        "nda": signers(StatementKind::Nda),
        "renewal": renewal,
        "today": date_value(today),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::example as seed;

    #[test]
    fn clause_values_are_computed_from_the_data() {
        let ctx = build(&seed(), NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()).unwrap();
        assert_eq!(ctx["scopes"][0]["count"], "8 (delapan)");
        assert_eq!(
            ctx["scopes"][0]["elements"],
            "NIK, nama lengkap, jenis kelamin, tempat lahir, tanggal/bulan/tahun lahir, status perkawinan, jenis pekerjaan, dan alamat sekarang"
        );
        assert_eq!(
            ctx["signed"]["words"],
            "Selasa tanggal Enam belas bulan September tahun Dua ribu dua puluh lima"
        );
        assert_eq!(
            ctx["expires"]["words_no_day"],
            "tanggal Enam belas bulan September tahun Dua ribu dua puluh tujuh"
        );
        assert_eq!(
            ctx["terms"]["report_months"],
            "bulan Juni untuk semester pertama dan bulan Desember untuk semester kedua"
        );
        assert_eq!(ctx["terms"]["report_days"], "10 (sepuluh)");
        assert_eq!(
            ctx["first"]["signatory"]["id_line"],
            "NIP. 19671007 199303 1 005"
        );
        assert_eq!(
            ctx["legal_bases"].as_array().unwrap().len(),
            7,
            "six bases and the approval letter"
        );
        assert!(ctx["legal_bases"][6].as_str().unwrap().ends_with(
            "tanggal 25 Juli 2025 hal Persetujuan Permohonan Pemanfaatan Data Kependudukan"
        ));
        assert_eq!(ctx["return_data"], "Nomor keanggotaan koperasi, Keterangan pelaku usaha kecil menengah (UMKM), dan Jenis usaha");
        assert_eq!(ctx["renewal_expires"]["iso"], "2029-09-16");
    }

    #[test]
    fn juknis_clause_values_are_computed_from_the_data() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let ctx = build(&seed(), today).unwrap();
        assert_eq!(ctx["methods_upper"], "WEB PORTAL");
        assert_eq!(ctx["first"]["paraf"], "Disdukcapil");
        assert_eq!(ctx["second"]["paraf"], "OPD");
        assert_eq!(ctx["first"]["is_pusat"], false);
        // 200 a day, then unlimited after the PoC: two items, "; dan" then ".".
        let quota = ctx["quota_items"].as_array().unwrap();
        assert_eq!(quota.len(), 2);
        assert_eq!(quota[0]["hits"], "200");
        assert_eq!(quota[0]["end"], "; dan");
        assert_eq!(quota[1]["after_poc"], true);
        assert_eq!(quota[1]["end"], ".");
        let elements = ctx["scopes"][0]["element_items"].as_array().unwrap();
        assert_eq!(elements[6]["text"], "Jenis Pekerjaan");
        assert_eq!(elements[6]["end"], "; dan");
        assert_eq!(ctx["scopes"][0]["lookup"], true);
        assert_eq!(ctx["return_data_items"][0]["text"], "NIK");
        assert_eq!(ctx["terms"]["report_every"], "setiap semester");
        assert_eq!(
            ctx["terms"]["report_periods"],
            "baik semester 1 ataupun semester 2"
        );
        let rows = &ctx["juknis"]["rows"];
        assert_eq!(
            (
                &rows["return_data"],
                &rows["card_reader"],
                &rows["report"],
                &rows["other"]
            ),
            (&json!("III"), &json!("IV"), &json!("V"), &json!("VI"))
        );
        assert_eq!(rows["return_data_n"], 3);
        let ack = ctx["juknis"]["ack_rows"].as_array().unwrap();
        assert_eq!(ack.len(), 2);
        assert_eq!(ack[1]["second"]["name"], "ARIS SATRIA");

        // No return data and no card reader: the report row moves up to III;
        // a quota of 1,500 is grouped; no Juknis people: the signatories,
        // unnumbered; Ditjen Dukcapil as PIHAK KESATU is marked.
        let mut doc = seed();
        doc.return_data.clear();
        doc.terms.card_reader = false;
        doc.access[0].daily_quota = Some(1500);
        doc.access[0].unlimited_after_poc = false;
        doc.parties[0].institution.kind = InstitutionKind::DukcapilPusat;
        if let Some(j) = doc.juknis.as_mut() {
            j.acknowledged_by.clear();
        }
        let ctx = build(&doc, today).unwrap();
        let rows = &ctx["juknis"]["rows"];
        assert!(rows["return_data"].is_null() && rows["card_reader"].is_null());
        assert_eq!(
            (&rows["report"], &rows["other"]),
            (&json!("III"), &json!("IV"))
        );
        assert_eq!(ctx["quota_items"][0]["hits"], "1.500");
        assert_eq!(ctx["quota_items"][0]["end"], ".");
        assert_eq!(ctx["first"]["is_pusat"], true);
        assert_eq!(ctx["first"]["paraf"], "Ditjen Dukcapil");
        let ack = ctx["juknis"]["ack_rows"].as_array().unwrap();
        assert_eq!(ack.len(), 1);
        assert_eq!(ack[0]["first"]["name"], "Drs. M. FATHURROHMAN, M.Si");
        assert!(ack[0]["first"]["n"].is_null());
    }

    #[test]
    fn a_document_without_its_data_says_what_is_missing() {
        let mut doc = seed();
        doc.signed_on = None;
        assert_eq!(
            build(&doc, NaiveDate::from_ymd_opt(2026, 1, 5).unwrap())
                .unwrap_err()
                .0,
            "tanggal penandatanganan belum diisi"
        );
        let mut doc = seed();
        doc.parties[1].signatory = None;
        assert!(build(&doc, NaiveDate::from_ymd_opt(2026, 1, 5).unwrap())
            .unwrap_err()
            .0
            .contains("PIHAK KEDUA"));
    }
}
