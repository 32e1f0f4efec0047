//! What an office records about obligations directly: a waiver with its
//! reason, and the SAM card configuration returned.

use chrono::NaiveDate;

use super::agreements::changed;
use super::policy::{self, Action};
use super::{Actor, AppError};
use crate::domain::agreement::{plausible_date, IMPLAUSIBLE_DATE};
use crate::domain::calendar::Calendar;
use crate::store::agreements::{self, AgreementView};
use crate::store::{obligations as store, DbConnection, StoreError};

pub fn waive(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    key: &str,
    reason: &str,
    on: Option<NaiveDate>,
) -> Result<AgreementView, AppError> {
    policy::allow(actor, Action::WaiveObligation)?;
    if reason.trim().is_empty() {
        return Err(AppError::invalid(
            "/reason",
            "alasan pengecualian wajib diisi",
        ));
    }
    if on.is_some_and(|d| !plausible_date(d)) {
        return Err(AppError::invalid("/on", IMPLAUSIBLE_DATE));
    }
    let today = crate::today_jakarta();
    changed(c, actor, cal, id, "put", "obligations", None, |c| {
        let view = agreements::get(c, id, today, cal)?;
        if !view.obligations.iter().any(|o| o.key == key) {
            return Err(StoreError::NotFound(format!(
                "kewajiban '{key}' pada perjanjian {id}"
            )));
        }
        store::waive(c, id, key, reason, on.unwrap_or(today))
    })
}

pub fn unwaive(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    key: &str,
) -> Result<AgreementView, AppError> {
    policy::allow(actor, Action::WaiveObligation)?;
    changed(c, actor, cal, id, "delete", "obligations", None, |c| {
        store::unwaive(c, id, key)
    })
}

pub fn sam_return(
    c: &mut DbConnection,
    actor: &Actor,
    cal: &Calendar,
    id: i64,
    returned_on: NaiveDate,
    note: Option<&str>,
) -> Result<AgreementView, AppError> {
    policy::allow(actor, Action::ReturnSam)?;
    changed(c, actor, cal, id, "put", "sam-return", None, |c| {
        let (row, doc) = agreements::load_doc(c, id)?;
        if !doc.terms.card_reader {
            return Err(StoreError::Conflict(
                "perjanjian ini tidak memakai card reader/kartu SAM".into(),
            ));
        }
        if !plausible_date(returned_on) {
            return Err(StoreError::invalid("/returned_on", IMPLAUSIBLE_DATE));
        }
        if row.signed_on.is_some_and(|s| returned_on < s) {
            return Err(StoreError::invalid(
                "/returned_on",
                "tanggal pengembalian sebelum perjanjian ditandatangani",
            ));
        }
        store::record_sam_return(c, id, returned_on, note)
    })
}
