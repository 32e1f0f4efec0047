//! The consistency check a legal officer otherwise does by hand: the Juknis
//! against the PKS scope, the element list against its stated count, the
//! dates, the ISO 27001 deadline and whether the signatories are still in
//! office. Pure: everything beyond the document comes in [`CheckContext`].

use std::collections::{HashMap, HashSet};

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::domain::agreement::{AgreementDoc, PersonDoc};
use crate::domain::catalog::{
    element, AccessMethod, AgreementKind, CertificateKind, Side, StatementKind,
};
use crate::domain::nip::Nip;
use crate::domain::reminders::{agency_addresses, office_address};
use crate::domain::words::{count, date_short};

/// What the registry knows beyond the agreement itself.
#[derive(Debug, Clone)]
pub struct CheckContext {
    pub as_of: NaiveDate,
    /// Longest term a PKS may run, in months (configuration; default 60).
    pub max_term_months: u32,
    /// The newest signatory the registry knows for each party's institution
    /// (from the latest signed agreement of that institution), if any.
    pub current_heads: Vec<CurrentHead>,
}

#[derive(Debug, Clone)]
pub struct CurrentHead {
    pub side: Side,
    pub name: String,
    pub nip: Option<Nip>,
    pub since: NaiveDate,
    pub agreement_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(description = "`error` tidak konsisten, `warning` perlu diperiksa.")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(description = "Temuan pemeriksaan konsistensi.")]
pub struct Finding {
    // Stable machine code, e.g. `juknis_method_not_granted`.
    /// Kode temuan yang tetap, mis. `juknis_method_not_granted`.
    #[schema(value_type = String)]
    pub code: &'static str,
    pub severity: Severity,
    // JSON pointer into the import shape.
    /// JSON pointer ke bagian perjanjian (format impor).
    pub pointer: String,
    // Indonesian, a sentence a legal officer can act on.
    /// Penjelasan yang dapat ditindaklanjuti.
    pub message: String,
}

pub fn check(doc: &AgreementDoc, ctx: &CheckContext) -> Vec<Finding> {
    use Severity::{Error, Warning};
    let mut out = Vec::new();
    let mut push = |code, severity, pointer: String, message: String| {
        out.push(Finding {
            code,
            severity,
            pointer,
            message,
        })
    };

    // 1. An empty scope list (an adendum that only extends the term) is not
    // judged, as in `AgreementDoc::check`. `terms.card_reader` is not held
    // against a card-reader scope: the PKS body grants the KTP-el reader and
    // SAM (Purbalingga 2025, Pasal 2(1)c) while `access` lists data elements.
    let granted: HashSet<AccessMethod> = doc.access.iter().map(|s| s.method).collect();
    if !doc.access.is_empty() {
        let services = doc.juknis.as_ref().and_then(|j| j.services.as_ref());
        if let Some(ip) = services.and_then(|s| s.web_portal_ip.as_ref()) {
            if !granted.contains(&AccessMethod::WebPortal) {
                let msg = format!(
                    "Juknis mencantumkan IP web portal {ip}, padahal PKS tidak memberikan akses \
                     melalui Web Portal; tambahkan lingkup Web Portal dengan adendum atau hapus \
                     IP tersebut dari Juknis."
                );
                let at = "/juknis/services/web_portal_ip";
                push(NOT_GRANTED, Error, at.into(), msg);
            }
        }
        for (i, app) in doc.applications.iter().enumerate() {
            let (name, method) = (&app.name, app.method.label());
            if !granted.contains(&app.method) {
                let msg = format!(
                    "Aplikasi \"{name}\" memakai metode {method}, padahal PKS tidak memberikan \
                     akses melalui metode itu; sesuaikan metode aplikasi atau ubah lingkup akses \
                     dengan adendum."
                );
                push(NOT_GRANTED, Error, format!("/applications/{i}/method"), msg);
            }
        }
    }

    // 2. The PKS writes the list's length in words; a repeat breaks it.
    for (i, scope) in doc.access.iter().enumerate() {
        let codes: Vec<&str> = scope.elements.iter().map(|e| e.as_str()).collect();
        let written = count(codes.len() as u64);
        let distinct = count(codes.iter().collect::<HashSet<_>>().len() as u64);
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (j, code) in codes.iter().enumerate() {
            let n = seen.entry(code).or_insert(0);
            *n += 1;
            if *n == 2 {
                let label = element(code).map_or(*code, |d| d.label);
                let method = scope.method.label();
                let msg = format!(
                    "Elemen data \"{label}\" tercantum dua kali pada lingkup {method}; jumlah \
                     yang tertulis di PKS, {written}, tidak sesuai dengan {distinct} elemen yang \
                     berbeda. Hapus elemen yang berulang."
                );
                let at = format!("/access/{i}/elements/{j}");
                push("element_listed_twice", Error, at, msg);
            }
        }
    }

    // 3. Term. A draft cannot be approved for signing without one, nor
    // without its scope and its signatories.
    if doc.signed_on.is_none() {
        if doc.kind == AgreementKind::Pks && doc.expires_on.is_none() {
            let msg = "Tanggal berakhir PKS belum diisi; jangka waktu perjanjian harus tertulis \
                       sebelum draf disetujui.";
            push("draft_no_expiry", Error, "/expires_on".into(), msg.into());
        }
        if doc.kind == AgreementKind::Pks && doc.access.is_empty() {
            let msg = "Lingkup akses (metode dan elemen data) belum diisi; PKS tanpa lingkup \
                       akses tidak dapat disetujui.";
            push("draft_no_scope", Error, "/access".into(), msg.into());
        }
        for (i, p) in doc.parties.iter().enumerate() {
            if p.signatory.is_none() {
                let msg = format!("Penanda tangan {} belum diisi.", p.side.label());
                push(
                    "draft_no_signatory",
                    Error,
                    format!("/parties/{i}/signatory"),
                    msg,
                );
            }
        }
    }
    let ptr = || "/expires_on".to_string();
    match (doc.signed_on, doc.expires_on) {
        (Some(s), Some(e)) if e < s => {
            let (s, e) = (date_short(s), date_short(e));
            let msg = format!(
                "Tanggal berakhir ({e}) lebih awal dari tanggal penandatanganan ({s}); periksa \
                 kembali pasal jangka waktu."
            );
            push("expires_before_signing", Error, ptr(), msg);
        }
        (Some(s), Some(e)) => {
            let months = ctx.max_term_months;
            let limit = s.checked_add_months(Months::new(months));
            if let Some(limit) = limit.filter(|l| e > *l) {
                let (e, limit) = (date_short(e), date_short(limit));
                let msg = format!(
                    "Jangka waktu PKS sampai {e} melebihi batas {months} bulan sejak \
                     penandatanganan (paling lama {limit}); pastikan jangka waktu ini disengaja."
                );
                push("term_too_long", Warning, ptr(), msg);
            }
        }
        (Some(_), None) if doc.kind == AgreementKind::Pks => {
            let msg = "PKS sudah ditandatangani tetapi tanggal berakhirnya belum dicatat; isi \
                       tanggal berakhir sesuai pasal jangka waktu agar batas permohonan \
                       perpanjangan dapat dihitung.";
            push("no_expiry", Warning, ptr(), msg.into());
        }
        _ => {}
    }

    // 4. The Juknis is part of the PKS, so it cannot precede it.
    if let (Some(jd), Some(s)) = (doc.juknis.as_ref().and_then(|j| j.date), doc.signed_on) {
        if jd < s {
            let (j, s) = (date_short(jd), date_short(s));
            let msg = format!(
                "Juknis bertanggal {j}, sebelum PKS ditandatangani ({s}); periksa tanggal Juknis \
                 atau tanggal PKS."
            );
            push("juknis_before_pks", Error, "/juknis/date".into(), msg);
        }
    }

    // 5. ISO 27001 certificate handed over by its deadline.
    let t = &doc.terms;
    let due = doc.signed_on.and_then(|s| {
        (t.iso27001_due_on).or_else(|| s.checked_add_months(Months::new(t.iso27001_months)))
    });
    let ended = doc.terminated.as_ref().is_some_and(|x| x.on <= ctx.as_of)
        || doc.expires_on.is_some_and(|e| ctx.as_of > e);
    let handed_over = doc.certificates.iter().any(|c| {
        c.kind == CertificateKind::Iso27001
            && (c.submitted_on.or(c.issued_on)).is_some_and(|d| d <= ctx.as_of)
    });
    if let Some(due) = due.filter(|d| ctx.as_of > *d && !ended && !handed_over) {
        let due = date_short(due);
        let msg = format!(
            "Sertifikat ISO/IEC 27001 PIHAK KEDUA wajib diserahkan paling lambat {due} dan belum \
             tercatat diserahkan; tagih sertifikatnya atau catat penyerahannya."
        );
        push("iso27001_missing", Error, "/certificates".into(), msg);
    }

    // 6. Signatories still in office.
    let head = |side| {
        let heads = ctx.current_heads.iter().filter(move |h| h.side == side);
        heads.max_by_key(|h| h.since)
    };
    let since = |h: &CurrentHead| match &h.agreement_number {
        Some(n) => format!(
            "sejak {}, menurut perjanjian nomor {n}",
            date_short(h.since)
        ),
        None => format!("sejak {}", date_short(h.since)),
    };
    for (i, p) in doc.parties.iter().enumerate() {
        let (Some(s), Some(h), Some(on)) = (&p.signatory, head(p.side), doc.signed_on) else {
            continue;
        };
        if h.since > on && !same_person(s, h) {
            let (side, new, when, old) = (p.side.label(), &h.name, since(h), &s.name);
            let sptjm = if p.side == Side::Second {
                " (dan SPTJM-nya)"
            } else {
                ""
            };
            let msg = format!(
                "Pimpinan {side} kini {new} ({when}); PKS ini{sptjm} ditandatangani oleh pejabat \
                 sebelumnya, {old}. Pastikan pergantian pejabat sudah diberitahukan dan, bila \
                 perlu, buat adendum."
            );
            push(
                "signatory_replaced",
                Warning,
                format!("/parties/{i}/signatory"),
                msg,
            );
        }
    }
    for (i, st) in doc.statements.iter().enumerate() {
        let on = st.signed_on.or(doc.signed_on);
        let (StatementKind::Sptjm, Some(h), Some(on)) = (st.kind, head(Side::Second), on) else {
            continue;
        };
        if h.since > on && !same_person(&st.signer, h) {
            let (old, new, when) = (&st.signer.name, &h.name, since(h));
            let msg = format!(
                "SPTJM ditandatangani oleh {old}, sedangkan pimpinan PIHAK KEDUA kini {new} \
                 ({when}); minta SPTJM baru yang ditandatangani pimpinan yang sekarang."
            );
            push(
                "sptjm_signer_replaced",
                Warning,
                format!("/statements/{i}/signer"),
                msg,
            );
        }
    }

    // 7. Someone of PIHAK KEDUA can be reminded.
    if let Some(i) = doc.parties.iter().position(|p| p.side == Side::Second) {
        if agency_addresses(doc).is_empty() {
            let name = &doc.parties[i].institution.name;
            let whom = match office_address(doc) {
                Some((office, _)) => format!("dikirim kepada {office}"),
                None => "tidak dapat dikirim kepada siapa pun".to_string(),
            };
            let msg = format!(
                "{name} tidak memiliki alamat surel (kepala, kontak Juknis, maupun instansi); \
                 pengingat kewajibannya {whom}. Tambahkan alamat surel kepala atau kontak \
                 PIHAK KEDUA."
            );
            push(
                "missing_recipient",
                Warning,
                format!("/parties/{i}/institution/email"),
                msg,
            );
        }
    }
    out
}

const NOT_GRANTED: &str = "juknis_method_not_granted";

fn same_person(p: &PersonDoc, h: &CurrentHead) -> bool {
    match (&p.nip, &h.nip) {
        (Some(a), Some(b)) => a == b,
        _ => {
            let base = |n: &str| name_key(n.split(',').next().unwrap_or(n));
            name_key(&p.name) == name_key(&h.name) || base(&p.name) == base(&h.name)
        }
    }
}

/// Names compare without case, spacing and punctuation. Also comparing the
/// part before the first comma lets a head who earned a degree stay the same.
fn name_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../seeds/pks-purbalingga-dinkopukm-2025.json");
    const OCT: (i32, u32, u32) = (2025, 10, 1);
    const MAR: (i32, u32, u32) = (2026, 3, 1);
    const NONE: [&str; 0] = [];

    fn seed() -> AgreementDoc {
        serde_json::from_str(SEED).expect("seed parses")
    }
    fn d((y, m, day): (i32, u32, u32)) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn run(doc: &AgreementDoc, as_of: (i32, u32, u32), heads: &[CurrentHead]) -> Vec<Finding> {
        let (as_of, current_heads) = (d(as_of), heads.to_vec());
        let max_term_months = 60;
        check(
            doc,
            &CheckContext {
                as_of,
                max_term_months,
                current_heads,
            },
        )
    }
    /// "code pointer" of each finding.
    fn found(doc: &AgreementDoc, as_of: (i32, u32, u32), heads: &[CurrentHead]) -> Vec<String> {
        let f = run(doc, as_of, heads).into_iter();
        f.map(|f| format!("{} {}", f.code, f.pointer)).collect()
    }
    /// A head in office since 1 February 2026; `nip` "" for none.
    fn head(side: Side, name: &str, nip: &str) -> CurrentHead {
        let nip = (!nip.is_empty()).then(|| Nip::parse(nip).unwrap());
        let (name, since, number) = (name.into(), d((2026, 2, 1)), Some("518/77/II/2026".into()));
        CurrentHead {
            side,
            name,
            nip,
            since,
            agreement_number: number,
        }
    }

    #[test]
    fn an_agency_without_any_address_is_reported() {
        // As printed, a PKS names no e-mail of the agency.
        let example: AgreementDoc = serde_json::from_str(include_str!(
            "../../tests/fixtures/pks-purbalingga-dinkopukm-2025.json"
        ))
        .unwrap();
        let f = run(&example, OCT, &[]);
        let missing: Vec<_> = f.iter().filter(|f| f.code == "missing_recipient").collect();
        assert_eq!(missing.len(), 1, "{f:?}");
        assert_eq!(missing[0].pointer, "/parties/1/institution/email");
        assert!(missing[0]
            .message
            .contains("dikirim kepada Dinas Kependudukan"));
        let mut nobody = example.clone();
        for p in &mut nobody.parties {
            p.institution.email = None;
        }
        if let Some(j) = nobody.juknis.as_mut() {
            j.report_email = None;
        }
        let f = run(&nobody, OCT, &[]);
        assert!(f.iter().any(|f| f.code == "missing_recipient"
            && f.message.contains("tidak dapat dikirim kepada siapa pun")));
    }

    #[test]
    fn seed_is_consistent() {
        let doc = seed();
        assert_eq!(run(&doc, OCT, &[]), vec![]);
        let mut heads = [
            head(
                Side::First,
                "Drs. M. FATHURROHMAN, M.Si",
                "196710071993031005",
            ),
            head(Side::Second, "ENDI ASTONO, S.Sos", "196709191990031010"),
        ];
        assert_eq!(found(&doc, MAR, &heads), NONE, "same people");
        heads[1].since = d((2025, 9, 16)); // learnt from this very PKS
        assert_eq!(found(&doc, OCT, &heads), NONE);
    }

    #[test]
    fn juknis_service_without_granted_method() {
        let mut doc = seed();
        doc.access[0].method = AccessMethod::WebService;
        let f = run(&doc, OCT, &[]);
        assert_eq!(
            found(&doc, OCT, &[]),
            [
                "juknis_method_not_granted /juknis/services/web_portal_ip",
                "juknis_method_not_granted /applications/0/method",
            ]
        );
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            f[1].message.contains("\"Web Portal Dukcapil\""),
            "{}",
            f[1].message
        );

        let mut doc = seed();
        let mut app = doc.applications[0].clone();
        app.method = AccessMethod::WebService;
        doc.applications.push(app);
        let expected = ["juknis_method_not_granted /applications/1/method"];
        assert_eq!(found(&doc, OCT, &[]), expected);
    }

    #[test]
    fn element_listed_twice_points_at_the_repeat() {
        let mut doc = seed();
        let nik = doc.access[0].elements[0].clone();
        doc.access[0].elements.extend([nik.clone(), nik]);
        assert_eq!(
            found(&doc, OCT, &[]),
            ["element_listed_twice /access/0/elements/8"]
        );
        let m = &run(&doc, OCT, &[])[0].message;
        assert!(m.contains("\"NIK\"") && m.contains("10 (sepuluh)"), "{m}");
        assert!(m.contains("8 (delapan)"), "{m}");
    }

    #[test]
    fn term_rules() {
        let mut doc = seed();
        doc.expires_on = Some(d((2025, 9, 1)));
        assert_eq!(
            found(&doc, OCT, &[]),
            ["expires_before_signing /expires_on"]
        );
        doc.expires_on = Some(d((2030, 9, 16))); // exactly 60 months
        assert_eq!(found(&doc, OCT, &[]), NONE);
        doc.expires_on = Some(d((2030, 9, 17)));
        assert_eq!(found(&doc, OCT, &[]), ["term_too_long /expires_on"]);
        assert_eq!(run(&doc, OCT, &[])[0].severity, Severity::Warning);
        doc.expires_on = None;
        assert_eq!(found(&doc, OCT, &[]), ["no_expiry /expires_on"]);
        // A draft owes its end date before it is approved for signing.
        doc.signed_on = None;
        assert_eq!(found(&doc, OCT, &[]), ["draft_no_expiry /expires_on"]);
        assert_eq!(run(&doc, OCT, &[])[0].severity, Severity::Error);
        doc.expires_on = Some(d((2027, 9, 16)));
        assert_eq!(found(&doc, OCT, &[]), NONE);
    }

    #[test]
    fn a_draft_needs_its_scope_and_signatories() {
        let mut doc = seed();
        doc.signed_on = None;
        doc.access.clear();
        doc.applications.clear();
        doc.parties[1].signatory = None;
        assert_eq!(
            found(&doc, OCT, &[]),
            [
                "draft_no_scope /access",
                "draft_no_signatory /parties/1/signatory"
            ]
        );
    }

    #[test]
    fn juknis_dated_before_pks() {
        let mut doc = seed();
        doc.juknis.as_mut().unwrap().date = Some(d((2025, 9, 15)));
        assert_eq!(found(&doc, OCT, &[]), ["juknis_before_pks /juknis/date"]);
    }

    #[test]
    fn iso27001_deadline() {
        let missing = ["iso27001_missing /certificates"];
        let mut doc = seed();
        // Signed 16 September 2025, six months.
        assert_eq!(found(&doc, (2026, 3, 16), &[]), NONE);
        assert_eq!(found(&doc, (2026, 3, 17), &[]), missing);

        let cert =
            r#"{"kind": "iso27001", "issued_on": "2026-01-05", "submitted_on": "2026-04-01"}"#;
        doc.certificates.push(serde_json::from_str(cert).unwrap());
        assert_eq!(
            found(&doc, (2026, 3, 20), &[]),
            missing,
            "handed over later"
        );
        assert_eq!(found(&doc, (2026, 4, 1), &[]), NONE);
        doc.certificates[0].submitted_on = None; // then the issue date counts
        assert_eq!(found(&doc, (2026, 3, 20), &[]), NONE);

        let mut doc = seed();
        doc.terms.iso27001_due_on = Some(d((2026, 6, 30)));
        assert_eq!(found(&doc, (2026, 6, 30), &[]), NONE);
        assert_eq!(found(&doc, (2026, 7, 1), &[]), missing);
        assert_eq!(found(&doc, (2027, 9, 17), &[]), NONE, "expired");
        let terminated = r#"{"on": "2026-05-01", "reason": "mutual"}"#;
        doc.terminated = Some(serde_json::from_str(terminated).unwrap());
        assert_eq!(found(&doc, (2026, 7, 1), &[]), NONE, "terminated");
    }

    #[test]
    fn replaced_head_found_by_nip() {
        let doc = seed();
        // Same name, another NIP: the NIP decides. The SPTJM signer has no
        // NIP, so the SPTJM compares by name and stands.
        let heads = [head(
            Side::Second,
            "ENDI ASTONO, S.Sos",
            "197501012000031002",
        )];
        assert_eq!(
            found(&doc, MAR, &heads),
            ["signatory_replaced /parties/1/signatory"]
        );
        let heads = [head(Side::Second, "Endi Astono", "196709191990031010")];
        assert_eq!(found(&doc, MAR, &heads), NONE, "same NIP, other spelling");

        let heads = [head(
            Side::First,
            "Dr. SITI AMINAH, M.Si",
            "197501012000032002",
        )];
        assert_eq!(
            found(&doc, MAR, &heads),
            ["signatory_replaced /parties/0/signatory"]
        );
        let m = &run(&doc, MAR, &heads)[0].message;
        assert!(
            m.contains("PIHAK KESATU kini Dr. SITI AMINAH") && !m.contains("SPTJM"),
            "{m}"
        );
    }

    #[test]
    fn replaced_head_found_by_name() {
        let doc = seed();
        for same in ["Endi  Astono S.Sos.", "ENDI ASTONO, S.Sos., M.M."] {
            assert_eq!(
                found(&doc, MAR, &[head(Side::Second, same, "")]),
                NONE,
                "{same}"
            );
        }
        let mut heads = [head(Side::Second, "SRI WAHYUNI, S.E., M.M.", "")];
        assert_eq!(
            found(&doc, MAR, &heads),
            [
                "signatory_replaced /parties/1/signatory",
                "sptjm_signer_replaced /statements/0/signer",
            ]
        );
        let f = run(&doc, MAR, &heads);
        let m = &f[0].message;
        assert!(
            m.contains("kini SRI WAHYUNI") && m.contains("SPTJM-nya"),
            "{m}"
        );
        assert!(m.contains("sebelumnya, ENDI ASTONO"), "{m}");
        assert!(f[1].message.contains("518/77/II/2026"), "{}", f[1].message);
        // A head in office before the signing was not replaced since.
        heads[0].since = d((2025, 9, 1));
        assert_eq!(found(&doc, MAR, &heads), NONE);
    }
}
