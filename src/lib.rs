//! Sepakat: the registry of population-data access agreements (PKS, Juknis,
//! SPTJM, NDA, reports, renewals) of a Dinas Dukcapil.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod documents;
pub mod domain;
pub mod files;
pub mod http;
pub mod import;
pub mod json;
pub mod reminders;
pub mod store;
pub mod web;

/// Today in Asia/Jakarta (UTC+7 all year, no daylight saving).
pub fn today_jakarta() -> chrono::NaiveDate {
    jakarta_date(chrono::Utc::now().naive_utc())
}

/// The day a UTC time falls on in Asia/Jakarta.
pub fn jakarta_date(utc: chrono::NaiveDateTime) -> chrono::NaiveDate {
    (utc + chrono::Duration::hours(7)).date()
}
