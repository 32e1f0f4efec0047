//! Browser sessions: opened when a user signs in on the sign-in page, ended
//! when they sign out. The account was checked by the sign-in itself
//! (`http::auth::check_password`, the same check and throttle as the API's);
//! this only keeps the session. Not audited: a session changes nothing in
//! the registry, as a bearer token does not.

use chrono::{NaiveDateTime, TimeDelta};

use super::AppError;
use crate::auth::secret;
use crate::store::{quiet_tx, web_sessions, DbConnection, StoreError};

/// A session lasts one working day from sign-in, however busy.
pub const LIFETIME: TimeDelta = TimeDelta::hours(10);

/// A new session: the cookie's token (never stored) and its forms' CSRF token.
pub struct Opened {
    pub token: String,
    pub csrf: String,
    pub expires_at: NaiveDateTime,
}

/// Opens a session for the account that has just proved its password.
pub fn open(c: &mut DbConnection, user_id: i64, token_version: i32) -> Result<Opened, AppError> {
    let (token, hash) = secret::generate();
    let (csrf, _) = secret::generate();
    let expires_at = crate::store::now() + LIFETIME;
    quiet_tx(c, |c| {
        web_sessions::insert(c, &hash, user_id, token_version, &csrf, expires_at)
    })?;
    Ok(Opened {
        token,
        csrf,
        expires_at,
    })
}

/// The live session a cookie's token names, if any: a malformed token is
/// not looked up at all.
pub fn find(
    c: &mut DbConnection,
    token: &str,
) -> Result<Option<web_sessions::Session>, StoreError> {
    if !secret::well_formed(token) {
        return Ok(None);
    }
    web_sessions::find(c, &secret::hash(token))
}

/// Ends the session a cookie's token names (signing out).
pub fn close(c: &mut DbConnection, token: &str) -> Result<(), AppError> {
    if secret::well_formed(token) {
        let hash = secret::hash(token);
        quiet_tx(c, |c| web_sessions::delete(c, &hash))?;
    }
    Ok(())
}
