//! Accounts: admins manage every account; legal staff add and see the `opd`
//! accounts of their office's agencies; everyone keeps their own calendar
//! subscription.

use diesel::prelude::*;
use serde_json::{json, Value};

use super::audit::{self, Entry};
use super::policy::{self, Action};
use super::{Actor, AppError};
use crate::domain::account::Username;
use crate::domain::catalog::Role;
use crate::store::schema::agreements;
use crate::store::users::{self, UserView};
use crate::store::{feed, quiet_tx, write_tx, DbConnection, StoreError};

/// A new account; the password arrives hashed (hashing is slow, and is done
/// off the request workers).
pub struct NewAccount {
    pub username: Username,
    pub password_hash: String,
    pub role: Role,
    pub institution_id: Option<i64>,
}

/// A change to an account; `None` leaves a field as it is.
#[derive(Default)]
pub struct AccountChange {
    pub password_hash: Option<String>,
    pub role: Option<Role>,
    /// `Some(None)` clears the institution.
    pub institution_id: Option<Option<i64>>,
    pub disabled: Option<bool>,
    /// Approves the office's drafts (legal accounts only).
    pub approver: Option<bool>,
}

/// The agencies (PIHAK KEDUA) of the agreements the actor may see.
pub(crate) fn agencies_of(c: &mut DbConnection, actor: &Actor) -> Result<Vec<i64>, StoreError> {
    Ok(actor
        .visible
        .apply(agreements::table.into_boxed())
        .select(agreements::second_institution_id)
        .distinct()
        .load(c)?)
}

/// Whether the actor may see account `u`: its own, any for an admin, the
/// `opd` accounts of its agencies for legal staff.
fn may_see(c: &mut DbConnection, actor: &Actor, u: &users::UserRow) -> Result<bool, StoreError> {
    if actor.is_user(u.id) || actor.role == Role::Admin {
        return Ok(true);
    }
    Ok(actor.role == Role::Legal
        && u.role == "opd"
        && u.institution_id
            .is_some_and(|i| agencies_of(c, actor).is_ok_and(|a| a.contains(&i))))
}

pub fn list(c: &mut DbConnection, actor: &Actor) -> Result<Vec<UserView>, AppError> {
    policy::allow(actor, Action::ListUsers)?;
    let scope = match actor.role {
        Role::Admin => None,
        _ => Some(agencies_of(c, actor)?),
    };
    let rows = users::list(c, scope.as_deref())?;
    Ok(rows
        .iter()
        .filter(|u| actor.role == Role::Admin || u.role == "opd")
        .map(|u| u.view())
        .collect::<Result<Vec<_>, _>>()?)
}

pub fn get(c: &mut DbConnection, actor: &Actor, id: i64) -> Result<UserView, AppError> {
    if !actor.is_user(id) {
        policy::allow(actor, Action::ListUsers)?;
    }
    let u = users::get(c, id)?;
    if !may_see(c, actor, &u)? {
        return Err(AppError::not_found(format!("pengguna {id}")));
    }
    Ok(u.view()?)
}

pub fn create(c: &mut DbConnection, actor: &Actor, new: &NewAccount) -> Result<UserView, AppError> {
    policy::allow(actor, Action::CreateUser { role: new.role })?;
    if actor.role == Role::Legal {
        let allowed = agencies_of(c, actor)?;
        if !new.institution_id.is_some_and(|i| allowed.contains(&i)) {
            return Err(AppError::invalid(
                "/institution_id",
                "staf hukum hanya dapat menambah akun untuk instansi pengguna pada perjanjian kantornya",
            ));
        }
    }
    Ok(write_tx(c, |c| {
        let id = users::create(
            c,
            &new.username,
            &new.password_hash,
            new.role,
            new.institution_id,
        )?;
        let view = users::get(c, id)?.view()?;
        let e = Entry {
            action: "create",
            entity: "user",
            entity_id: Some(id),
            agreement_id: None,
        };
        audit::record(c, actor, e, None, Some(&audit::json(&view)?))?;
        Ok(view)
    })?)
}

pub fn change(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    change: &AccountChange,
) -> Result<UserView, AppError> {
    policy::allow(actor, Action::ChangeUser)?;
    // The last way in must not be closed by a slip: an admin cannot disable
    // or demote itself.
    if actor.is_user(id) {
        if change.disabled == Some(true) {
            return Err(AppError::invalid(
                "/disabled",
                "admin tidak dapat menonaktifkan atau menurunkan perannya sendiri",
            ));
        }
        if change.role.is_some_and(|r| r != Role::Admin) {
            return Err(AppError::invalid(
                "/role",
                "admin tidak dapat menonaktifkan atau menurunkan perannya sendiri",
            ));
        }
    }
    Ok(write_tx(c, |c| {
        crate::store::db::lock(c, crate::store::db::Locked::User, id)?;
        let u = users::get(c, id)?;
        let before = audit::json(&u.view()?)?;
        if let Some(hash) = &change.password_hash {
            users::set_password(c, id, hash)?;
        }
        if change.role.is_some() || change.institution_id.is_some() || change.disabled.is_some() {
            users::update(
                c,
                id,
                change.role.unwrap_or(u.role()?),
                change.institution_id.unwrap_or(u.institution_id),
                change.disabled.unwrap_or(u.disabled),
            )?;
        }
        if let Some(approver) = change.approver {
            let role = change.role.unwrap_or(u.role()?);
            if approver && !matches!(role, Role::Legal | Role::Admin) {
                return Err(StoreError::invalid(
                    "/approver",
                    "hanya akun staf hukum yang dapat menjadi penyetuju draf",
                ));
            }
            users::set_approver(c, id, approver)?;
        }
        let view = users::get(c, id)?.view()?;
        let mut diff = crate::domain::audit::changes(Some(&before), Some(&audit::json(&view)?));
        if change.password_hash.is_some() {
            diff["password"] = json!({"before": "***", "after": "***"});
        }
        record_changes(c, actor, id, &diff)?;
        Ok(view)
    })?)
}

fn record_changes(
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    diff: &Value,
) -> Result<(), StoreError> {
    crate::store::audit::record(
        c,
        &crate::store::audit::Entry {
            actor: &actor.name,
            action: "update",
            entity: "user",
            entity_id: Some(id),
            agreement_id: None,
            changes: diff,
        },
    )
}

/// The actor's calendar subscription: stores the hash of a new secret,
/// replacing the one before. The trail keeps when, never the secret.
pub fn replace_feed_token(
    c: &mut DbConnection,
    actor: &Actor,
    token_hash: &str,
) -> Result<(), AppError> {
    feed_token_write(c, actor, "create", |c, id| {
        feed::replace_token(c, id, token_hash)
    })
}

pub fn revoke_feed_token(c: &mut DbConnection, actor: &Actor) -> Result<(), AppError> {
    feed_token_write(c, actor, "delete", |c, id| {
        feed::revoke_token(c, id).map(|_| ())
    })
}

/// When the actor's calendar subscription was made, if it has one.
pub fn feed_token_issued(
    c: &mut DbConnection,
    actor: &Actor,
) -> Result<Option<chrono::NaiveDateTime>, AppError> {
    policy::allow(actor, Action::OwnFeed)?;
    Ok(feed::token_issued(c, own_account(actor)?)?)
}

/// A change to the actor's own feed token, audited by when the token was made.
fn feed_token_write(
    c: &mut DbConnection,
    actor: &Actor,
    action: &str,
    mut write: impl FnMut(&mut DbConnection, i64) -> Result<(), StoreError>,
) -> Result<(), AppError> {
    policy::allow(actor, Action::OwnFeed)?;
    let id = own_account(actor)?;
    let issued = |at: Option<chrono::NaiveDateTime>| json!({"feed_token": at.map(|at| json!({"issued_at": at}))});
    Ok(quiet_tx(c, |c| {
        let before = feed::token_issued(c, id)?;
        write(c, id)?;
        let after = feed::token_issued(c, id)?;
        let e = Entry {
            action,
            entity: "user",
            entity_id: Some(id),
            agreement_id: None,
        };
        audit::record(c, actor, e, Some(&issued(before)), Some(&issued(after)))
    })?)
}

fn own_account(actor: &Actor) -> Result<i64, AppError> {
    actor.user.ok_or_else(|| {
        AppError::Forbidden("hanya pengguna yang masuk yang memiliki langganan kalender".into())
    })
}
