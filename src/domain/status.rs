//! The derived lifecycle status of an agreement as of a date.
//!
//! The status is never stored. Two dates that depend only on the agreement's
//! own terms (`renewal_window_starts_on`) or on its successors (`renewed_on`)
//! are derived at write time so that the store can filter by status in SQL;
//! [`status_as_of`] and the store's filter use exactly the same comparisons.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(
    description = "Status perjanjian pada suatu tanggal, dihitung dari tanggal-tanggalnya: \
        `draft` (belum ditandatangani), `active`, `renewal_due` (sejak sebulan sebelum batas \
        permohonan perpanjangan sampai berakhir), `expired`, `terminated`, `renewed` (diubah \
        oleh adendum yang sudah ditandatangani)."
)]
pub enum AgreementStatus {
    Draft,
    Active,
    RenewalDue,
    Expired,
    Terminated,
    Renewed,
}

impl AgreementStatus {
    pub const ALL: &'static [AgreementStatus] = &[
        AgreementStatus::Draft,
        AgreementStatus::Active,
        AgreementStatus::RenewalDue,
        AgreementStatus::Expired,
        AgreementStatus::Terminated,
        AgreementStatus::Renewed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AgreementStatus::Draft => "draft",
            AgreementStatus::Active => "active",
            AgreementStatus::RenewalDue => "renewal_due",
            AgreementStatus::Expired => "expired",
            AgreementStatus::Terminated => "terminated",
            AgreementStatus::Renewed => "renewed",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|st| st.code() == s)
    }

    /// The status in words, as a legal officer says it.
    pub fn label(self) -> &'static str {
        match self {
            AgreementStatus::Draft => "Draf",
            AgreementStatus::Active => "Berlaku",
            AgreementStatus::RenewalDue => "Masa perpanjangan",
            AgreementStatus::Expired => "Berakhir",
            AgreementStatus::Terminated => "Diakhiri",
            AgreementStatus::Renewed => "Diubah adendum",
        }
    }
}

/// The dates the status is computed from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lifecycle {
    pub signed_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub terminated_on: Option<NaiveDate>,
    /// The signing date of the first adendum/PKS that took this one over.
    pub renewed_on: Option<NaiveDate>,
    pub renewal_window_starts_on: Option<NaiveDate>,
}

/// The last day to send the renewal request: `expires_on` minus the notice
/// months, in calendar months (31 Dec − 2 months = 31 Oct; 30 Apr − 2 = 28/29 Feb).
pub fn renewal_deadline(expires_on: NaiveDate, notice_months: u32) -> NaiveDate {
    expires_on
        .checked_sub_months(Months::new(notice_months))
        .unwrap_or(expires_on)
}

/// The renewal window opens one month before the renewal-request deadline.
pub fn renewal_window_start(expires_on: NaiveDate, notice_months: u32) -> NaiveDate {
    renewal_deadline(expires_on, notice_months + 1)
}

pub fn status_as_of(l: &Lifecycle, as_of: NaiveDate) -> AgreementStatus {
    let on_or_before = |d: Option<NaiveDate>| d.is_some_and(|d| d <= as_of);
    if !on_or_before(l.signed_on) {
        return AgreementStatus::Draft;
    }
    if on_or_before(l.terminated_on) {
        return AgreementStatus::Terminated;
    }
    if on_or_before(l.renewed_on) {
        return AgreementStatus::Renewed;
    }
    if l.expires_on.is_some_and(|e| e < as_of) {
        return AgreementStatus::Expired;
    }
    if on_or_before(l.renewal_window_starts_on) {
        return AgreementStatus::RenewalDue;
    }
    AgreementStatus::Active
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn pks() -> Lifecycle {
        let expires = d(2027, 9, 16);
        Lifecycle {
            signed_on: Some(d(2025, 9, 16)),
            expires_on: Some(expires),
            renewal_window_starts_on: Some(renewal_window_start(expires, 2)),
            ..Default::default()
        }
    }

    #[test]
    fn lifecycle_over_time() {
        let l = pks();
        assert_eq!(status_as_of(&l, d(2025, 9, 15)), AgreementStatus::Draft);
        assert_eq!(status_as_of(&l, d(2025, 9, 16)), AgreementStatus::Active);
        assert_eq!(status_as_of(&l, d(2027, 6, 15)), AgreementStatus::Active);
        assert_eq!(
            status_as_of(&l, d(2027, 6, 16)),
            AgreementStatus::RenewalDue
        );
        assert_eq!(
            status_as_of(&l, d(2027, 9, 16)),
            AgreementStatus::RenewalDue
        );
        assert_eq!(status_as_of(&l, d(2027, 9, 17)), AgreementStatus::Expired);
    }

    #[test]
    fn renewal_and_termination_take_precedence() {
        let mut l = pks();
        l.renewed_on = Some(d(2027, 8, 1));
        assert_eq!(status_as_of(&l, d(2027, 8, 1)), AgreementStatus::Renewed);
        assert_eq!(status_as_of(&l, d(2030, 1, 1)), AgreementStatus::Renewed);
        l.terminated_on = Some(d(2026, 1, 5));
        assert_eq!(status_as_of(&l, d(2026, 1, 5)), AgreementStatus::Terminated);
    }

    #[test]
    fn month_ends_clamp() {
        assert_eq!(renewal_deadline(d(2026, 12, 31), 2), d(2026, 10, 31));
        assert_eq!(renewal_deadline(d(2028, 4, 30), 2), d(2028, 2, 29));
        assert_eq!(renewal_deadline(d(2027, 4, 30), 2), d(2027, 2, 28));
        assert_eq!(renewal_window_start(d(2027, 9, 16), 2), d(2027, 6, 16));
    }

    #[test]
    fn unsigned_is_draft() {
        assert_eq!(
            status_as_of(&Lifecycle::default(), d(2026, 1, 1)),
            AgreementStatus::Draft
        );
    }
}
