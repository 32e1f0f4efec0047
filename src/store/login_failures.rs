//! Failed sign-ins, kept in the database so that every instance serving it
//! counts the same ones: per user name and per client address, each row one
//! failure with its time. The HTTP layer decides the window and the limits.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::login_failures;
use super::{DbConnection, StoreError};

/// What failures are counted against: a user name or a client address,
/// stored as the SHA-256 of its text (a password typed into the name field
/// is not kept readable, and any length or byte fits the column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    scope: &'static str,
    hash: String,
}

impl Key {
    /// The name as sign-in looks it up: trimmed, lowercase.
    pub fn user(name: &str) -> Key {
        Key {
            scope: "user",
            hash: crate::auth::secret::hash(&name.trim().to_lowercase()),
        }
    }

    pub fn address(address: &str) -> Key {
        Key {
            scope: "address",
            hash: crate::auth::secret::hash(address),
        }
    }
}

/// How many failures `key` has had since `since` (inclusive), and the
/// oldest of them.
pub fn since(
    conn: &mut DbConnection,
    key: &Key,
    since: NaiveDateTime,
) -> Result<(i64, Option<NaiveDateTime>), StoreError> {
    Ok(login_failures::table
        .filter(login_failures::scope.eq(key.scope))
        .filter(login_failures::key_hash.eq(&key.hash))
        .filter(login_failures::failed_at.ge(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(login_failures::failed_at),
        ))
        .first(conn)?)
}

/// Records one failure at `at` for each key, and forgets every failure
/// older than `expired` (of any key: the table holds only the window).
pub fn record(
    conn: &mut DbConnection,
    keys: &[Key],
    at: NaiveDateTime,
    expired: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::delete(login_failures::table.filter(login_failures::failed_at.lt(expired)))
        .execute(conn)?;
    let rows: Vec<_> = keys
        .iter()
        .map(|k| {
            (
                login_failures::scope.eq(k.scope),
                login_failures::key_hash.eq(k.hash.clone()),
                login_failures::failed_at.eq(at),
            )
        })
        .collect();
    super::db::insert_rows!(conn, login_failures::table, rows)?;
    Ok(())
}

/// Forgets the failures of `key` (after a successful sign-in).
pub fn clear(conn: &mut DbConnection, key: &Key) -> Result<(), StoreError> {
    diesel::delete(
        login_failures::table
            .filter(login_failures::scope.eq(key.scope))
            .filter(login_failures::key_hash.eq(&key.hash)),
    )
    .execute(conn)?;
    Ok(())
}
