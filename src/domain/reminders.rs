//! When to remind: the occasions of each obligation (DESIGN.md section 4),
//! and which one is due on a given day.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::agreement::AgreementDoc;
use super::calendar::Calendar;
use super::catalog::Side;
use super::obligations::{Obligation, ObligationKind};

/// The reminder schedule; every default is the one DESIGN.md gives.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Schedule {
    /// Calendar days before the renewal-request deadline (0 = on the day).
    pub renewal_before_days: Vec<u32>,
    /// While the renewal request is overdue, until expiry.
    pub renewal_overdue_every_days: u32,
    /// Working days before a semester report is due.
    pub report_before_working_days: u32,
    pub iso_before_days: Vec<u32>,
    /// How far back a missed occasion is still sent (server down, late start).
    pub catch_up_days: u32,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            renewal_before_days: vec![30, 0],
            renewal_overdue_every_days: 7,
            report_before_working_days: 3,
            iso_before_days: vec![30, 0],
            catch_up_days: 7,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Occasion {
    /// Part of the reminder's unique key: `before:30`, `due`, `opening`, `overdue:2027-07-23`.
    pub code: String,
    pub on: NaiveDate,
}

fn before(due: NaiveDate, days: &[u32]) -> Vec<Occasion> {
    days.iter()
        .map(|d| match d {
            0 => Occasion {
                code: "due".into(),
                on: due,
            },
            d => Occasion {
                code: format!("before:{d}"),
                on: due - Days::new(*d as u64),
            },
        })
        .collect()
}

/// Every occasion of an obligation, in date order. `expires_on` bounds the
/// weekly renewal notices.
pub fn occasions(
    o: &Obligation,
    expires_on: Option<NaiveDate>,
    cal: &Calendar,
    s: &Schedule,
) -> Vec<Occasion> {
    let Some(due) = o.due_on else { return vec![] };
    let mut out = match o.kind {
        ObligationKind::RenewalRequest => {
            let mut v = before(due, &s.renewal_before_days);
            if s.renewal_overdue_every_days > 0 {
                let mut d = due + Days::new(s.renewal_overdue_every_days as u64);
                while expires_on.is_none_or(|e| d <= e) && v.len() < 60 {
                    v.push(Occasion {
                        code: format!("overdue:{d}"),
                        on: d,
                    });
                    d = d + Days::new(s.renewal_overdue_every_days as u64);
                }
            }
            v
        }
        ObligationKind::SemesterReport => {
            let mut v = vec![];
            if let Some(end) = o.period_end {
                let month_start =
                    NaiveDate::from_ymd_opt(end.year(), end.month(), 1).unwrap_or(end);
                v.push(Occasion {
                    code: "opening".into(),
                    on: cal.working_day_on_or_after(month_start),
                });
            }
            v.push(Occasion {
                code: "before".into(),
                on: cal.sub_working_days(due, s.report_before_working_days),
            });
            v.push(Occasion {
                code: "overdue".into(),
                on: cal.add_working_days(due, 1),
            });
            v
        }
        ObligationKind::Iso27001 => {
            let mut v = before(due, &s.iso_before_days);
            v.push(Occasion {
                code: "overdue".into(),
                on: due + Days::new(1),
            });
            v
        }
        _ => vec![],
    };
    out.sort_by_key(|o| o.on);
    out
}

/// The occasion to send on `as_of`: the latest one on or before it, within
/// the catch-up window, while the obligation is still open.
pub fn due_occasion(
    o: &Obligation,
    expires_on: Option<NaiveDate>,
    cal: &Calendar,
    s: &Schedule,
    as_of: NaiveDate,
) -> Option<Occasion> {
    if !o.state.is_open() {
        return None;
    }
    let earliest = as_of - Days::new(s.catch_up_days as u64);
    occasions(o, expires_on, cal, s)
        .into_iter()
        .filter(|oc| oc.on <= as_of && oc.on >= earliest)
        .last()
}

/// Who a reminder about an agreement goes to (DESIGN.md section 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipients {
    /// The head of PIHAK KEDUA and its contacts (else the agency's own
    /// address), with the Dukcapil office in copy.
    Agency {
        to: Vec<(String, String)>,
        cc: Option<String>,
    },
    /// PIHAK KEDUA has no address on record: the Dukcapil office is written
    /// to instead, and told so.
    Office { name: String, email: String },
    /// No address anywhere: the reminder waits, undeliverable, until one is added.
    Nobody,
}

/// PIHAK KEDUA's addresses: its head and its Juknis contacts with an
/// e-mail, else the agency's own; `(name, e-mail)`, without repeats.
pub fn agency_addresses(doc: &AgreementDoc) -> Vec<(String, String)> {
    let second = doc.party(Side::Second);
    let head = second
        .and_then(|p| p.signatory.as_ref())
        .and_then(|h| Some((h.name.as_str(), h.email.as_ref()?)));
    let contacts = doc
        .juknis
        .iter()
        .flat_map(|j| j.contacts.iter())
        .filter(|c| c.side == Side::Second)
        .filter_map(|c| Some((c.name.as_str(), c.email.as_ref()?)));
    let mut to: Vec<(String, String)> = vec![];
    for (name, email) in head.into_iter().chain(contacts) {
        if !to
            .iter()
            .any(|(_, e)| e.eq_ignore_ascii_case(email.as_str()))
        {
            to.push((name.to_string(), email.to_string()));
        }
    }
    if to.is_empty() {
        if let Some(p) = second {
            if let Some(e) = &p.institution.email {
                to.push((p.institution.name.clone(), e.to_string()));
            }
        }
    }
    to
}

/// The Dukcapil office's address: PIHAK KESATU's e-mail, else the Juknis
/// report address.
pub fn office_address(doc: &AgreementDoc) -> Option<(String, String)> {
    let first = doc.party(Side::First)?;
    let email = first
        .institution
        .email
        .as_ref()
        .or_else(|| doc.juknis.as_ref()?.report_email.as_ref())?;
    Some((first.institution.name.clone(), email.to_string()))
}

pub fn recipients(doc: &AgreementDoc) -> Recipients {
    let to = agency_addresses(doc);
    let office = office_address(doc);
    if !to.is_empty() {
        let cc = doc
            .party(Side::First)
            .and_then(|p| p.institution.email.as_ref())
            .map(|e| e.to_string());
        return Recipients::Agency { to, cc };
    }
    match office {
        Some((name, email)) => Recipients::Office { name, email },
        None => Recipients::Nobody,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::obligations::ObligationState;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn open(kind: ObligationKind, due: NaiveDate) -> Obligation {
        Obligation {
            kind,
            key: "k".into(),
            subject: None,
            due_on: Some(due),
            provisional: false,
            state: ObligationState::Pending,
            fulfilled_on: None,
            fulfilled_by: None,
            waiver_reason: None,
            at_risk: false,
            period_end: None,
        }
    }

    #[test]
    fn renewal_thirty_days_before_on_the_day_then_weekly_until_expiry() {
        let o = open(ObligationKind::RenewalRequest, d(2027, 7, 16));
        let all = occasions(
            &o,
            Some(d(2027, 9, 16)),
            &Calendar::default(),
            &Schedule::default(),
        );
        let dates: Vec<_> = all.iter().map(|o| o.on).collect();
        assert_eq!(dates[0], d(2027, 6, 16));
        assert_eq!(dates[1], d(2027, 7, 16));
        assert_eq!(dates[2], d(2027, 7, 23));
        assert_eq!(*dates.last().unwrap(), d(2027, 9, 10));
        assert_eq!(all.len(), 2 + 8);
    }

    #[test]
    fn report_opening_before_and_overdue() {
        let mut o = open(ObligationKind::SemesterReport, d(2026, 1, 15));
        o.period_end = Some(d(2025, 12, 31));
        let cal = Calendar::shipped();
        let all = occasions(&o, None, &cal, &Schedule::default());
        let got: Vec<_> = all.iter().map(|o| (o.code.as_str(), o.on)).collect();
        // The overdue notice goes on the next working day: 16 January 2026 is Isra Mikraj.
        assert_eq!(
            got,
            [
                ("opening", d(2025, 12, 1)),
                ("before", d(2026, 1, 12)),
                ("overdue", d(2026, 1, 19))
            ]
        );
        // June 2024 starts on a Saturday: the first working day is Monday 3 June.
        o.period_end = Some(d(2024, 6, 30));
        o.due_on = Some(d(2024, 7, 12));
        assert_eq!(
            occasions(&o, None, &cal, &Schedule::default())[0].on,
            d(2024, 6, 3)
        );
    }

    #[test]
    fn due_occasion_picks_the_latest_within_catch_up_and_only_when_open() {
        let mut o = open(ObligationKind::Iso27001, d(2026, 3, 16));
        let cal = Calendar::default();
        let s = Schedule::default();
        assert_eq!(due_occasion(&o, None, &cal, &s, d(2026, 2, 13)), None);
        assert_eq!(
            due_occasion(&o, None, &cal, &s, d(2026, 2, 14))
                .unwrap()
                .code,
            "before:30"
        );
        assert_eq!(
            due_occasion(&o, None, &cal, &s, d(2026, 2, 20))
                .unwrap()
                .code,
            "before:30"
        );
        assert_eq!(
            due_occasion(&o, None, &cal, &s, d(2026, 2, 22)),
            None,
            "past the catch-up window"
        );
        assert_eq!(
            due_occasion(&o, None, &cal, &s, d(2026, 3, 17))
                .unwrap()
                .code,
            "overdue"
        );
        o.state = ObligationState::Fulfilled;
        assert_eq!(due_occasion(&o, None, &cal, &s, d(2026, 3, 16)), None);
    }
}
