//! The obligation engine: what an agreement requires of PIHAK KEDUA, when,
//! and whether it is met, as of any date (DESIGN.md section 3).
//!
//! Input is [`Facts`], the few fields the rules read, so that the engine
//! runs over 100,000 agreements from a handful of bulk queries; one
//! agreement's facts can also be taken from its whole document.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::agreement::AgreementDoc;
use super::calendar::Calendar;
use super::catalog::{PocStatus, Side, StatementKind};
use super::status::{renewal_deadline, Lifecycle};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[schema(
    description = "Jenis kewajiban: `sptjm` SPTJM kepala PIHAK KEDUA, `nda` NDA operator, \
        `poc` PoC aplikasi, `iso27001` sertifikat ISO/IEC 27001, `semester_report` laporan \
        semester, `renewal_request` permohonan perpanjangan, `sam_return` pengembalian \
        konfigurasi kartu SAM."
)]
pub enum ObligationKind {
    Sptjm,
    Nda,
    Poc,
    Iso27001,
    SemesterReport,
    RenewalRequest,
    SamReturn,
}

impl ObligationKind {
    pub const ALL: &'static [ObligationKind] = &[
        ObligationKind::Sptjm,
        ObligationKind::Nda,
        ObligationKind::Poc,
        ObligationKind::Iso27001,
        ObligationKind::SemesterReport,
        ObligationKind::RenewalRequest,
        ObligationKind::SamReturn,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ObligationKind::Sptjm => "sptjm",
            ObligationKind::Nda => "nda",
            ObligationKind::Poc => "poc",
            ObligationKind::Iso27001 => "iso27001",
            ObligationKind::SemesterReport => "semester_report",
            ObligationKind::RenewalRequest => "renewal_request",
            ObligationKind::SamReturn => "sam_return",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.code() == s)
    }
    /// What the obligation is called in Indonesian.
    pub fn label(self) -> &'static str {
        match self {
            ObligationKind::Sptjm => "SPTJM Kepala PIHAK KEDUA",
            ObligationKind::Nda => "NDA operator",
            ObligationKind::Poc => "Proof of Concept (PoC) aplikasi",
            ObligationKind::Iso27001 => "sertifikat ISO/IEC 27001",
            ObligationKind::SemesterReport => "laporan semester",
            ObligationKind::RenewalRequest => "permohonan perpanjangan",
            ObligationKind::SamReturn => "pengembalian konfigurasi kartu SAM",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(
    description = "Keadaan kewajiban: `pending` belum jatuh tempo, `due_soon` jatuh tempo dalam \
        30 hari, `overdue` terlambat, `submitted` bukti telah diunggah dan menunggu pemeriksaan \
        Dinas, `fulfilled` terpenuhi, `waived` dikecualikan."
)]
pub enum ObligationState {
    Pending,
    DueSoon,
    Overdue,
    Submitted,
    Fulfilled,
    Waived,
}

impl ObligationState {
    pub const ALL: &'static [ObligationState] = &[
        ObligationState::Pending,
        ObligationState::DueSoon,
        ObligationState::Overdue,
        ObligationState::Submitted,
        ObligationState::Fulfilled,
        ObligationState::Waived,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ObligationState::Pending => "pending",
            ObligationState::DueSoon => "due_soon",
            ObligationState::Overdue => "overdue",
            ObligationState::Submitted => "submitted",
            ObligationState::Fulfilled => "fulfilled",
            ObligationState::Waived => "waived",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.code() == s)
    }
    /// Still owed by the agency: what reminders are about. A submitted
    /// obligation waits for Dukcapil's review, so its reminders pause.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ObligationState::Pending | ObligationState::DueSoon | ObligationState::Overdue
        )
    }
    /// The state in words.
    pub fn label(self) -> &'static str {
        match self {
            ObligationState::Pending => "Belum jatuh tempo",
            ObligationState::DueSoon => "Segera jatuh tempo",
            ObligationState::Overdue => "Terlambat",
            ObligationState::Submitted => "Menunggu pemeriksaan",
            ObligationState::Fulfilled => "Terpenuhi",
            ObligationState::Waived => "Dikecualikan",
        }
    }
}

/// What a rule is met by: a record in one of the agreement's lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(
    description = "Catatan yang memenuhi kewajiban: daftar (`reports`, `certificates`…) dan id-nya."
)]
pub struct Evidence {
    #[schema(value_type = String)]
    pub collection: &'static str,
    pub id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(description = "Satu kewajiban PIHAK KEDUA dengan tenggat dan keadaannya.")]
pub struct Obligation {
    pub kind: ObligationKind,
    // Stable within the agreement: `report:2026:1`, `nda:ARIS SATRIA`, `poc:12`.
    /// Kunci kewajiban yang tetap dalam satu perjanjian, mis. `report:2026:1`,
    /// `nda:ARIS SATRIA`, `poc:12`.
    #[schema(example = "report:2026:1")]
    pub key: String,
    // Semester, operator or application the obligation is about, in words.
    /// Semester, operator atau aplikasi yang dimaksud, dalam kata-kata.
    pub subject: Option<String>,
    // `None` for what has no date but must precede access (a PoC).
    /// Tenggat; kosong untuk yang tidak bertanggal tetapi harus mendahului akses (PoC).
    pub due_on: Option<NaiveDate>,
    /// Tenggat perkiraan: dihitung melalui tahun yang keputusan bersama hari liburnya belum
    /// dimuat; tanggalnya dapat bergeser setelah keputusan itu dimuat.
    pub provisional: bool,
    pub state: ObligationState,
    pub fulfilled_on: Option<NaiveDate>,
    pub fulfilled_by: Option<Evidence>,
    /// Alasan pengecualian, bila dikecualikan.
    pub waiver_reason: Option<String>,
    // A semester report more than three months late puts access at risk.
    /// Laporan semester terlambat lebih dari tiga bulan: perjanjian berisiko (`at_risk`).
    pub at_risk: bool,
    /// For a semester report: the last day of the semester it covers.
    #[serde(skip)]
    pub period_end: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFact {
    pub id: Option<i64>,
    pub year: i32,
    pub semester: u8,
    pub submitted_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementFact {
    pub id: Option<i64>,
    pub kind: Option<StatementKind>,
    pub signer: String,
    pub signed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationFact {
    pub id: Option<i64>,
    pub name: String,
    pub poc: PocStatus,
    pub passed_on: Option<NaiveDate>,
}

/// Everything the rules read about one agreement.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub lifecycle: Lifecycle,
    pub juknis_date: Option<NaiveDate>,
    pub iso27001_months: u32,
    pub iso27001_due_on: Option<NaiveDate>,
    pub report_months: Vec<u32>,
    pub report_deadline_working_days: u32,
    pub renewal_notice_months: u32,
    pub card_reader: bool,
    /// Earliest renewal request (id, date).
    pub renewal_requested: Option<(Option<i64>, NaiveDate)>,
    /// Earliest ISO 27001 certificate handed over (id, date).
    pub iso_submitted: Option<(Option<i64>, NaiveDate)>,
    pub reports: Vec<ReportFact>,
    pub statements: Vec<StatementFact>,
    /// PIHAK KEDUA's contact persons in the Juknis: operators who need an NDA.
    pub operators: Vec<String>,
    pub applications: Vec<ApplicationFact>,
    pub sam_returned_on: Option<NaiveDate>,
    /// Waived obligation keys with the reason.
    pub waivers: BTreeMap<String, String>,
    /// Obligation keys with evidence uploaded and waiting for review, with
    /// the day it was uploaded.
    pub submitted: BTreeMap<String, NaiveDate>,
}

#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// An open obligation due within this many days is `due_soon`.
    pub due_soon_days: u64,
    /// A report this many months past due puts access at risk.
    pub risk_months: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            due_soon_days: 30,
            risk_months: 3,
        }
    }
}

/// Operator names compare without case, spacing or academic titles after a comma.
pub fn person_key(name: &str) -> String {
    let base = name.split(',').next().unwrap_or(name);
    base.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

impl Facts {
    pub fn from_doc(doc: &AgreementDoc, lifecycle: Lifecycle) -> Facts {
        let t = &doc.terms;
        let earliest =
            |items: Vec<(Option<i64>, NaiveDate)>| items.into_iter().min_by_key(|(_, d)| *d);
        Facts {
            lifecycle,
            juknis_date: doc.juknis.as_ref().and_then(|j| j.date),
            iso27001_months: t.iso27001_months,
            iso27001_due_on: t.iso27001_due_on,
            report_months: t.report_months.clone(),
            report_deadline_working_days: t.report_deadline_working_days,
            renewal_notice_months: t.renewal_notice_months,
            card_reader: t.card_reader,
            renewal_requested: earliest(
                doc.renewals
                    .iter()
                    .map(|r| (r.id, r.requested_on))
                    .collect(),
            ),
            iso_submitted: earliest(
                doc.certificates
                    .iter()
                    .filter_map(|c| c.submitted_on.map(|d| (c.id, d)))
                    .collect(),
            ),
            reports: doc
                .reports
                .iter()
                .map(|r| ReportFact {
                    id: r.id,
                    year: r.year,
                    semester: r.semester,
                    submitted_on: r.submitted_on,
                })
                .collect(),
            statements: doc
                .statements
                .iter()
                .map(|s| StatementFact {
                    id: s.id,
                    kind: Some(s.kind),
                    signer: s.signer.name.clone(),
                    signed_on: s.signed_on,
                })
                .collect(),
            operators: doc
                .juknis
                .iter()
                .flat_map(|j| j.contacts.iter())
                .filter(|c| c.side == Side::Second)
                .map(|c| c.name.clone())
                .collect(),
            applications: doc
                .applications
                .iter()
                .map(|a| ApplicationFact {
                    id: a.id,
                    name: a.name.clone(),
                    poc: a.poc.status,
                    passed_on: a
                        .poc
                        .result_letter
                        .as_ref()
                        .and_then(|l| l.date)
                        .or(a.poc.scheduled_on),
                })
                .collect(),
            sam_returned_on: None,
            waivers: BTreeMap::new(),
            submitted: BTreeMap::new(),
        }
    }
}

/// The semesters (year, n, first day, last day) that overlap `from..=to`,
/// given the months that close a reporting period (6 and 12 by default).
pub fn periods(
    report_months: &[u32],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(i32, u8, NaiveDate, NaiveDate)> {
    let mut ends: Vec<u32> = report_months
        .iter()
        .copied()
        .filter(|m| (1..=12).contains(m))
        .collect();
    ends.sort_unstable();
    ends.dedup();
    if ends.is_empty() {
        return vec![];
    }
    let mut out = vec![];
    for year in from.year()..=to.year() {
        let mut start = NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January");
        for (i, m) in ends.iter().enumerate() {
            let end = last_day_of_month(year, *m);
            if end >= from && start <= to {
                out.push((year, (i + 1) as u8, start, end));
            }
            start = end + Days::new(1);
        }
    }
    out
}

fn last_day_of_month(year: i32, month: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("valid month");
    first + Months::new(1) - Days::new(1)
}

fn evidence(collection: &'static str, id: Option<i64>) -> Option<Evidence> {
    Some(Evidence { collection, id })
}

/// Every obligation of one agreement as of `as_of`, ordered by due date.
pub fn obligations(f: &Facts, cal: &Calendar, as_of: NaiveDate, rules: Rules) -> Vec<Obligation> {
    let l = &f.lifecycle;
    let Some(signed) = l.signed_on else {
        return vec![];
    };
    // The agreement owes nothing for a time after it was terminated or taken over.
    let ended = [l.terminated_on, l.renewed_on.map(|d| d - Days::new(1))]
        .into_iter()
        .flatten()
        .min();
    let owed = |due: NaiveDate| ended.is_none_or(|e| due <= e || l.terminated_on.is_none());
    let mut out: Vec<Obligation> = vec![];
    let mut push = |kind,
                    key: String,
                    subject: Option<String>,
                    (due, provisional): (Option<NaiveDate>, bool),
                    done: Option<(NaiveDate, Option<Evidence>)>,
                    period_end: Option<NaiveDate>| {
        let done = done.filter(|(d, _)| *d <= as_of);
        let waiver = f.waivers.get(&key).cloned();
        let submitted = f.submitted.get(&key).is_some_and(|d| *d <= as_of);
        let state = match (&done, &waiver, due) {
            (Some(_), _, _) => ObligationState::Fulfilled,
            (None, Some(_), _) => ObligationState::Waived,
            (None, None, _) if submitted => ObligationState::Submitted,
            (None, None, None) => ObligationState::Pending,
            (None, None, Some(d)) if as_of > d => ObligationState::Overdue,
            (None, None, Some(d)) if as_of + Days::new(rules.due_soon_days) >= d => {
                ObligationState::DueSoon
            }
            _ => ObligationState::Pending,
        };
        let at_risk = kind == ObligationKind::SemesterReport
            && state == ObligationState::Overdue
            && due.is_some_and(|d| as_of > d + Months::new(rules.risk_months));
        out.push(Obligation {
            kind,
            key,
            subject,
            due_on: due,
            provisional,
            state,
            fulfilled_on: done.as_ref().map(|(d, _)| *d),
            fulfilled_by: done.and_then(|(_, e)| e),
            waiver_reason: waiver,
            at_risk,
            period_end,
        });
    };

    // SPTJM: signed by the head of PIHAK KEDUA on signing.
    let sptjm = f
        .statements
        .iter()
        .filter(|s| s.kind == Some(StatementKind::Sptjm))
        .map(|s| (s.signed_on.unwrap_or(signed), evidence("statements", s.id)))
        .min_by_key(|(d, _)| *d);
    push(
        ObligationKind::Sptjm,
        "sptjm".into(),
        None,
        (Some(signed), false),
        sptjm,
        None,
    );

    // NDA: every operator, from the NDAs signed and the Juknis contacts of PIHAK KEDUA.
    let access_from = f.juknis_date.unwrap_or(signed).max(signed);
    let mut operators: BTreeMap<String, (String, Option<(NaiveDate, Option<Evidence>)>)> =
        BTreeMap::new();
    for name in &f.operators {
        operators
            .entry(person_key(name))
            .or_insert((name.clone(), None));
    }
    for s in f
        .statements
        .iter()
        .filter(|s| s.kind == Some(StatementKind::Nda))
    {
        let entry = operators
            .entry(person_key(&s.signer))
            .or_insert((s.signer.clone(), None));
        let on = s.signed_on.unwrap_or(signed);
        if entry.1.as_ref().is_none_or(|(d, _)| on < *d) {
            entry.1 = Some((on, evidence("statements", s.id)));
        }
    }
    for (key, (name, done)) in operators {
        push(
            ObligationKind::Nda,
            format!("nda:{key}"),
            Some(name),
            (Some(access_from), false),
            done,
            None,
        );
    }

    // PoC: every application, before production access; no calendar date.
    for a in &f.applications {
        let done = (a.poc == PocStatus::Passed).then(|| {
            (
                a.passed_on.unwrap_or(signed),
                evidence("applications", a.id),
            )
        });
        let key = match a.id {
            Some(id) => format!("poc:{id}"),
            None => format!("poc:{}", a.name),
        };
        push(
            ObligationKind::Poc,
            key,
            Some(a.name.clone()),
            (None, false),
            done,
            None,
        );
    }

    // ISO 27001: a fixed date, or months after signing.
    let iso_due = f
        .iso27001_due_on
        .unwrap_or_else(|| signed + Months::new(f.iso27001_months));
    if owed(iso_due) {
        let done = f
            .iso_submitted
            .map(|(id, d)| (d, evidence("certificates", id)));
        push(
            ObligationKind::Iso27001,
            "iso27001".into(),
            None,
            (Some(iso_due), false),
            done,
            None,
        );
    }

    // Semester reports for every period that overlaps the active time.
    let horizon = l
        .expires_on
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(as_of.year() + 1, 12, 31).expect("31 December"));
    let last = [Some(horizon), ended]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(horizon);
    for (year, n, _, end) in periods(&f.report_months, signed, last) {
        let (due, provisional) = cal.add_working_days_marked(end, f.report_deadline_working_days);
        let done = f
            .reports
            .iter()
            .filter(|r| r.year == year && r.semester == n)
            .find_map(|r| r.submitted_on.map(|d| (d, evidence("reports", r.id))));
        push(
            ObligationKind::SemesterReport,
            format!("report:{year}:{n}"),
            Some(format!("Semester {n} Tahun {year}")),
            (Some(due), provisional),
            done,
            Some(end),
        );
    }

    // Renewal request: the notice months before expiry.
    if let Some(expires) = l.expires_on {
        let due = renewal_deadline(expires, f.renewal_notice_months);
        if l.terminated_on.is_none_or(|t| t > due) {
            let requested = f
                .renewal_requested
                .map(|(id, d)| (d, evidence("renewals", id)));
            let succeeded = l.renewed_on.map(|d| (d, None));
            let done = [requested, succeeded]
                .into_iter()
                .flatten()
                .min_by_key(|(d, _)| *d);
            push(
                ObligationKind::RenewalRequest,
                "renewal_request".into(),
                None,
                (Some(due), false),
                done,
                None,
            );
        }
    }

    // SAM card: returned when the agreement ends without a renewal.
    if f.card_reader {
        let end = match (l.terminated_on, l.expires_on) {
            (Some(t), _) => Some(t),
            (None, Some(e)) => Some(e),
            _ => None,
        };
        if let Some(end) = end.filter(|e| l.renewed_on.is_none_or(|r| r > *e)) {
            let done = f.sam_returned_on.map(|d| (d, None));
            push(
                ObligationKind::SamReturn,
                "sam_return".into(),
                None,
                (Some(end), false),
                done,
                None,
            );
        }
    }

    out.sort_by_key(|o| (o.due_on.is_none(), o.due_on, o.kind));
    out
}

/// A running agreement (active or in its renewal window) is at risk of
/// revocation while any report is over three months late; an ended one has
/// nothing left to revoke.
pub fn at_risk(status: crate::domain::status::AgreementStatus, obligations: &[Obligation]) -> bool {
    use crate::domain::status::AgreementStatus::{Active, RenewalDue};
    matches!(status, Active | RenewalDue) && obligations.iter().any(|o| o.at_risk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::status::renewal_window_start;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn facts(signed: NaiveDate, expires: NaiveDate) -> Facts {
        Facts {
            lifecycle: Lifecycle {
                signed_on: Some(signed),
                expires_on: Some(expires),
                renewal_window_starts_on: Some(renewal_window_start(expires, 2)),
                ..Default::default()
            },
            iso27001_months: 6,
            report_months: vec![6, 12],
            report_deadline_working_days: 10,
            renewal_notice_months: 2,
            ..Default::default()
        }
    }

    fn find<'a>(obls: &'a [Obligation], key: &str) -> &'a Obligation {
        obls.iter()
            .find(|o| o.key == key)
            .unwrap_or_else(|| panic!("{key} in {obls:#?}"))
    }

    #[test]
    fn purbalingga_as_of_today() {
        let f = facts(d(2025, 9, 16), d(2027, 9, 16));
        let cal = Calendar::shipped();
        let obls = obligations(&f, &cal, d(2026, 11, 24), Rules::default());
        let iso = find(&obls, "iso27001");
        assert_eq!(iso.due_on, Some(d(2026, 3, 16)));
        assert_eq!(iso.state, ObligationState::Overdue);
        // S2 2025 due the 10th working day of 2026 (1 January is a holiday).
        let s2 = find(&obls, "report:2025:2");
        assert_eq!(s2.due_on, Some(d(2026, 1, 15)));
        assert!(s2.at_risk);
        let s1 = find(&obls, "report:2026:1");
        assert_eq!(s1.due_on, Some(d(2026, 7, 14)));
        assert_eq!(find(&obls, "renewal_request").due_on, Some(d(2027, 7, 16)));
        assert_eq!(
            find(&obls, "renewal_request").state,
            ObligationState::Pending
        );
        // Semesters 2025/2 .. 2027/2 overlap the active period.
        let reports: Vec<_> = obls
            .iter()
            .filter(|o| o.kind == ObligationKind::SemesterReport)
            .map(|o| o.key.clone())
            .collect();
        assert_eq!(
            reports,
            [
                "report:2025:2",
                "report:2026:1",
                "report:2026:2",
                "report:2027:1",
                "report:2027:2"
            ]
        );
        assert!(at_risk(
            crate::domain::status::AgreementStatus::Active,
            &obls
        ));
        assert!(!at_risk(
            crate::domain::status::AgreementStatus::Expired,
            &obls
        ));
        assert_eq!(
            find(&obls, "sptjm").state,
            ObligationState::Overdue,
            "no SPTJM recorded"
        );
    }

    #[test]
    fn month_end_signing_plus_six_months_clamps() {
        let f = facts(d(2025, 8, 31), d(2027, 8, 31));
        let obls = obligations(&f, &Calendar::default(), d(2025, 9, 1), Rules::default());
        assert_eq!(find(&obls, "iso27001").due_on, Some(d(2026, 2, 28)));
        let f = facts(d(2023, 8, 31), d(2025, 8, 31));
        let obls = obligations(&f, &Calendar::default(), d(2023, 9, 1), Rules::default());
        assert_eq!(
            find(&obls, "iso27001").due_on,
            Some(d(2024, 2, 29)),
            "leap year"
        );
        assert_eq!(find(&obls, "renewal_request").due_on, Some(d(2025, 6, 30)));
    }

    #[test]
    fn states_move_with_the_date_and_records() {
        let mut f = facts(d(2025, 9, 16), d(2027, 9, 16));
        let cal = Calendar::default();
        let at = |f: &Facts, day| obligations(f, &cal, day, Rules::default());
        assert_eq!(
            find(&at(&f, d(2026, 2, 1)), "iso27001").state,
            ObligationState::Pending
        );
        assert_eq!(
            find(&at(&f, d(2026, 2, 14)), "iso27001").state,
            ObligationState::DueSoon
        );
        assert_eq!(
            find(&at(&f, d(2026, 3, 16)), "iso27001").state,
            ObligationState::DueSoon
        );
        assert_eq!(
            find(&at(&f, d(2026, 3, 17)), "iso27001").state,
            ObligationState::Overdue
        );
        f.iso_submitted = Some((Some(4), d(2026, 4, 1)));
        let later = at(&f, d(2026, 4, 2));
        let iso = find(&later, "iso27001");
        assert_eq!(iso.state, ObligationState::Fulfilled);
        assert_eq!(
            iso.fulfilled_by,
            Some(Evidence {
                collection: "certificates",
                id: Some(4)
            })
        );
        // Before the record's date, the record does not count yet.
        assert_eq!(
            find(&at(&f, d(2026, 3, 20)), "iso27001").state,
            ObligationState::Overdue
        );
        f.waivers
            .insert("report:2025:2".into(), "akses belum aktif".into());
        let w = at(&f, d(2026, 6, 1));
        assert_eq!(find(&w, "report:2025:2").state, ObligationState::Waived);
        assert!(!find(&w, "report:2025:2").at_risk);
        // An upload waiting for review: submitted from its day on, neither
        // overdue nor at risk, and not open (its reminders pause).
        f.submitted.insert("report:2026:1".into(), d(2026, 7, 20));
        let before = find(&at(&f, d(2026, 7, 19)), "report:2026:1").clone();
        assert_eq!(before.state, ObligationState::Overdue);
        let s = find(&at(&f, d(2026, 12, 1)), "report:2026:1").clone();
        assert_eq!(s.state, ObligationState::Submitted);
        assert!(!s.at_risk && !s.state.is_open());
        // Accepted: the record it becomes fulfils it.
        f.reports.push(ReportFact {
            id: Some(9),
            year: 2026,
            semester: 1,
            submitted_on: Some(d(2026, 7, 20)),
        });
        let done = find(&at(&f, d(2026, 12, 1)), "report:2026:1").clone();
        assert_eq!(done.state, ObligationState::Fulfilled);
    }

    #[test]
    fn partial_semesters_and_termination() {
        let mut f = facts(d(2025, 12, 31), d(2026, 1, 2));
        let obls = obligations(&f, &Calendar::default(), d(2026, 1, 1), Rules::default());
        let reports: Vec<_> = obls
            .iter()
            .filter(|o| o.kind == ObligationKind::SemesterReport)
            .map(|o| o.key.clone())
            .collect();
        assert_eq!(
            reports,
            ["report:2025:2", "report:2026:1"],
            "one day in each semester still owes a report"
        );
        f = facts(d(2025, 1, 10), d(2030, 1, 10));
        f.lifecycle.terminated_on = Some(d(2026, 2, 1));
        let obls = obligations(&f, &Calendar::default(), d(2026, 3, 1), Rules::default());
        let reports: Vec<_> = obls
            .iter()
            .filter(|o| o.kind == ObligationKind::SemesterReport)
            .map(|o| o.key.clone())
            .collect();
        assert_eq!(reports, ["report:2025:1", "report:2025:2", "report:2026:1"]);
        assert!(
            obls.iter()
                .all(|o| o.kind != ObligationKind::RenewalRequest),
            "no renewal owed after termination"
        );
    }

    #[test]
    fn adendum_takes_over_reports_and_fulfils_renewal() {
        let mut f = facts(d(2024, 1, 10), d(2026, 1, 10));
        f.lifecycle.renewed_on = Some(d(2025, 11, 1));
        let obls = obligations(&f, &Calendar::default(), d(2026, 6, 1), Rules::default());
        let renewal = find(&obls, "renewal_request");
        assert_eq!(renewal.state, ObligationState::Fulfilled);
        assert_eq!(renewal.fulfilled_on, Some(d(2025, 11, 1)));
        let reports: Vec<_> = obls
            .iter()
            .filter(|o| o.kind == ObligationKind::SemesterReport)
            .map(|o| o.key.clone())
            .collect();
        assert_eq!(
            reports,
            [
                "report:2024:1",
                "report:2024:2",
                "report:2025:1",
                "report:2025:2"
            ]
        );
    }

    #[test]
    fn every_operator_needs_an_nda() {
        let mut f = facts(d(2025, 9, 16), d(2027, 9, 16));
        f.operators = vec!["ARIS SATRIA".into()];
        f.statements = vec![StatementFact {
            id: Some(1),
            kind: Some(StatementKind::Nda),
            signer: "ENDI ASTONO, S.Sos".into(),
            signed_on: Some(d(2025, 9, 16)),
        }];
        let obls = obligations(&f, &Calendar::default(), d(2025, 10, 1), Rules::default());
        assert_eq!(
            find(&obls, "nda:ARIS SATRIA").state,
            ObligationState::Overdue
        );
        assert_eq!(
            find(&obls, "nda:ENDI ASTONO").state,
            ObligationState::Fulfilled
        );
    }

    #[test]
    fn sam_return_only_without_renewal() {
        let mut f = facts(d(2020, 1, 1), d(2022, 1, 1));
        f.card_reader = true;
        let obls = obligations(&f, &Calendar::default(), d(2022, 3, 1), Rules::default());
        assert_eq!(find(&obls, "sam_return").state, ObligationState::Overdue);
        f.lifecycle.renewed_on = Some(d(2021, 12, 1));
        let obls = obligations(&f, &Calendar::default(), d(2022, 3, 1), Rules::default());
        assert!(obls.iter().all(|o| o.kind != ObligationKind::SamReturn));
    }

    #[test]
    fn property_every_due_report_is_a_working_day_after_its_semester() {
        let cal = Calendar::shipped();
        let mut day = d(2019, 1, 1);
        while day < d(2026, 6, 1) {
            let f = facts(day, day + Months::new(24));
            for o in obligations(&f, &cal, day, Rules::default()) {
                if o.kind == ObligationKind::SemesterReport {
                    let due = o.due_on.unwrap();
                    assert!(cal.is_working_day(due), "{due}");
                    assert!(due.month() == 7 || due.month() == 1, "{due}");
                }
            }
            day = day + Days::new(37);
        }
    }
}
