//! One module per page (or family of pages), each registering its addresses.

mod admin;
mod agreement;
mod agreements;
mod exports;
mod home;
mod obligations;
mod record_forms;
mod reminders;
mod sign_in;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(sign_in::configure)
        .configure(home::configure)
        .configure(agreements::configure)
        .configure(agreement::configure)
        .configure(exports::configure)
        .configure(obligations::configure)
        .configure(reminders::configure)
        .configure(admin::configure);
}

/// A date query parameter of a page, `YYYY-MM-DD`; empty is none.
pub(super) fn date_param(
    name: &str,
    v: &Option<String>,
) -> Result<Option<chrono::NaiveDate>, super::PageError> {
    Ok(crate::http::agreements::date_param(
        name,
        &v.clone().filter(|s| !s.trim().is_empty()),
    )?)
}
