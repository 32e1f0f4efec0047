//! The pages for people (DESIGN.md §9): Indonesian HTML rendered on the
//! server from `templates/pages/`, styled by `assets/sepakat.css`, enhanced
//! by htmx when JavaScript runs and whole without it. Like the API, a page
//! only translates: what it shows comes from the same reads, what it
//! changes goes through the same use cases (`crate::app`), and who may do
//! what is the core's to say.

mod assets;
mod error;
mod form;
mod gzip;
mod pages;
mod render;
mod session;

use actix_web::web;

pub use error::PageError;
pub use session::{Visitor, Visits};

/// Every page address.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(assets::configure).configure(pages::configure);
}

/// Whether a path is one of the pages' (not the API's or a file's): a
/// browser there is answered with a page, not problem+json.
pub fn is_page(path: &str) -> bool {
    !(path.starts_with("/api/") || path == "/healthz" || path.starts_with("/kalender/"))
}
