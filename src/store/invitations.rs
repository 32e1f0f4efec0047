//! Single-use links to choose a password (an invitation, or "forgot
//! password"), kept by the SHA-256 of their token (`auth::secret`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::invitations;
use super::{now, DbConnection, StoreError};

/// What a link is for.
pub const INVITATION: &str = "invitation";
pub const RESET: &str = "reset";

#[derive(Debug, Clone, Queryable)]
pub struct Invitation {
    pub token_hash: String,
    pub user_id: i64,
    pub purpose: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// Stores a new link for `user_id`; the account's earlier unused links
/// stop working (re-inviting replaces the link).
pub fn replace(
    c: &mut DbConnection,
    token_hash: &str,
    user_id: i64,
    purpose: &str,
    created_by: &str,
    expires_at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::delete(
        invitations::table
            .filter(invitations::user_id.eq(user_id))
            .filter(invitations::used_at.is_null()),
    )
    .execute(c)?;
    diesel::insert_into(invitations::table)
        .values((
            invitations::token_hash.eq(token_hash),
            invitations::user_id.eq(user_id),
            invitations::purpose.eq(purpose),
            invitations::created_by.eq(created_by),
            invitations::created_at.eq(now()),
            invitations::expires_at.eq(expires_at),
        ))
        .execute(c)?;
    Ok(())
}

pub fn find(c: &mut DbConnection, token_hash: &str) -> Result<Option<Invitation>, StoreError> {
    Ok(invitations::table.find(token_hash).first(c).optional()?)
}

/// Marks the link used; `false` when it already was (another request won).
pub fn use_up(c: &mut DbConnection, token_hash: &str) -> Result<bool, StoreError> {
    let n = diesel::update(
        invitations::table
            .filter(invitations::token_hash.eq(token_hash))
            .filter(invitations::used_at.is_null()),
    )
    .set(invitations::used_at.eq(now()))
    .execute(c)?;
    Ok(n == 1)
}
