//! One module per page (or family of pages), each registering its addresses.

mod admin;
mod agreement;
mod agreements;
mod draft_form;
mod drafting;
mod evidence;
mod exports;
mod home;
mod invitation;
mod obligations;
mod portal;
mod record_forms;
mod reminders;
mod sign_in;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(sign_in::configure)
        .configure(home::configure)
        .configure(agreements::configure)
        .configure(drafting::configure)
        .configure(agreement::configure)
        .configure(exports::configure)
        .configure(obligations::configure)
        .configure(reminders::configure)
        .configure(admin::configure)
        .configure(portal::configure)
        .configure(invitation::configure)
        .configure(evidence::configure);
}

/// Where a list page stands: page `page` of `total` rows at `per_page`,
/// the rows it shows (`first`–`last`), and the addresses of its
/// neighbours (`at` writes the view's address at another page), merged
/// into the page's context.
pub(super) fn paging(
    ctx: &mut serde_json::Value,
    page: i64,
    total: i64,
    per_page: i64,
    at: impl Fn(i64) -> String,
) {
    let pages = ((total + per_page - 1) / per_page).max(1);
    let shown = (total - (page - 1) * per_page).clamp(0, per_page);
    for (k, v) in [
        ("page", serde_json::json!(page)),
        ("pages", serde_json::json!(pages)),
        ("first", serde_json::json!((page - 1) * per_page + 1)),
        ("last", serde_json::json!((page - 1) * per_page + shown)),
        ("prev", serde_json::json!((page > 1).then(|| at(page - 1)))),
        (
            "next",
            serde_json::json!((page < pages).then(|| at(page + 1))),
        ),
    ] {
        ctx[k] = v;
    }
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
