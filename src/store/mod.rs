//! Persistence: diesel schema, queries kept per model, one code path for
//! SQLite and PostgreSQL.

pub mod access;
pub mod agreements;
pub mod audit;
pub mod catalog;
pub mod db;
pub mod documents;
mod error;
pub mod feed;
pub mod holidays;
pub mod institutions;
pub mod invitations;
pub mod login_failures;
pub mod obligations;
pub mod outbox;
pub mod people;
pub mod records;
pub mod schema;
pub mod submissions;
pub mod users;
pub mod versions;
pub mod web_sessions;

pub use db::{connect, migrate, quiet_tx, write_tx, Backend, DbConnection, Pool, PooledConn};
pub use error::StoreError;

use serde::de::DeserializeOwned;

/// Reads a stored code or validated text back into its domain type.
pub(crate) fn decode<T: DeserializeOwned>(s: String) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.clone()))
        .map_err(|e| StoreError::Unavailable(format!("nilai tersimpan '{s}' tidak terbaca: {e}")))
}

pub(crate) fn decode_opt<T: DeserializeOwned>(s: Option<String>) -> Result<Option<T>, StoreError> {
    s.map(decode).transpose()
}

/// The text a domain value is stored as: its serde string form.
pub fn encode_text<T: serde::Serialize>(v: &T) -> String {
    encode(v)
}

pub(crate) fn encode<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

diesel::define_sql_function!(
    /// SQL `lower()`, the same in SQLite and PostgreSQL, for case-insensitive search.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);
diesel::define_sql_function!(
    #[sql_name = "lower"]
    fn lower_opt(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>
);

pub(crate) fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}
