//! Browser sessions of the web pages, kept by the SHA-256 of their cookie
//! token (`auth::secret`), with the CSRF token their forms carry.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::db::on_backend;
use super::schema::web_sessions;
use super::{now, DbConnection, StoreError};

/// A session as stored.
#[derive(Debug, Clone, Queryable)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    /// The account's `token_version` when it was opened: a password change
    /// or a disable moves it, which ends the session.
    pub token_version: i32,
    pub csrf: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// Stores a new session (inside the caller's transaction); expired ones of
/// the same user are dropped on the way.
pub fn insert(
    c: &mut DbConnection,
    token_hash: &str,
    user_id: i64,
    token_version: i32,
    csrf: &str,
    expires_at: NaiveDateTime,
) -> Result<(), StoreError> {
    let now = now();
    diesel::delete(
        web_sessions::table
            .filter(web_sessions::user_id.eq(user_id))
            .filter(web_sessions::expires_at.le(now)),
    )
    .execute(c)?;
    diesel::insert_into(web_sessions::table)
        .values((
            web_sessions::token_hash.eq(token_hash),
            web_sessions::user_id.eq(user_id),
            web_sessions::token_version.eq(token_version),
            web_sessions::csrf.eq(csrf),
            web_sessions::created_at.eq(now),
            web_sessions::expires_at.eq(expires_at),
        ))
        .execute(c)?;
    Ok(())
}

/// The unexpired session with this token hash.
pub fn find(c: &mut DbConnection, token_hash: &str) -> Result<Option<Session>, StoreError> {
    Ok(on_backend!(c, |c| web_sessions::table
        .find(token_hash)
        .filter(web_sessions::expires_at.gt(now()))
        .first(c)
        .optional())?)
}

/// Ends a session; whether there was one.
pub fn delete(c: &mut DbConnection, token_hash: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(web_sessions::table.find(token_hash)).execute(c)? > 0)
}
