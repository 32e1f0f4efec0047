//! Invitations and "forgot password": a single-use link, valid seven days,
//! by which a person chooses their own password — no password ever
//! travels by e-mail. An invited person's user name is their e-mail
//! address; their account is an `opd` account of the agency they were
//! invited for.

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;
use serde_json::json;

use super::audit::{self, Entry};
use super::policy::{self, Action};
use super::{Actor, AppError};
use crate::auth::secret;
use crate::domain::account::Username;
use crate::domain::catalog::Role;
use crate::domain::text::{check_text, Email};
use crate::domain::words::date_long;
use crate::reminders::Letters;
use crate::store::invitations::{self as links, INVITATION, RESET};
use crate::store::users::{self, UserRow};
use crate::store::{institutions, now, outbox, write_tx, DbConnection, StoreError};

/// How long a link works.
pub const VALID_DAYS: i64 = 7;

/// Whom to invite, for which agency.
pub struct Invite {
    pub email: String,
    pub name: String,
    pub institution_id: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(
    description = "Undangan yang terkirim: akun opd yang dibuat (atau diundang ulang) \
    dan sampai kapan tautannya berlaku."
)]
pub struct Invited {
    pub user_id: i64,
    /// Nama pengguna: alamat e-mail orang yang diundang.
    pub username: String,
    pub institution_id: i64,
    #[serde(serialize_with = "crate::json::utc")]
    pub expires_at: NaiveDateTime,
    /// Undangan ulang: tautan sebelumnya tidak berlaku lagi.
    pub replaced: bool,
}

#[derive(Serialize)]
struct LinkLetter<'a> {
    name: &'a str,
    username: &'a str,
    agency: &'a str,
    office: &'a str,
    link: String,
    expires: String,
}

fn link_of(letters: &Letters, token: &str) -> String {
    format!("{}/undangan/{token}", letters.public_url)
}

/// The link's last day, in words (Jakarta time).
fn expires_words(at: NaiveDateTime) -> String {
    let local = at + Duration::hours(7);
    format!(
        "{} pukul {} WIB",
        date_long(local.date()),
        local.format("%H:%M")
    )
}

pub fn invite(
    c: &mut DbConnection,
    actor: &Actor,
    letters: &Letters,
    inv: &Invite,
) -> Result<Invited, AppError> {
    policy::allow(actor, Action::CreateUser { role: Role::Opd })?;
    let email = Email::parse(inv.email.trim()).map_err(|m| AppError::invalid("/email", m))?;
    let username = Username::parse(email.as_str()).map_err(|m| AppError::invalid("/email", m))?;
    let name = inv.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(
            "/name",
            "nama orang yang diundang wajib diisi",
        ));
    }
    check_text(name, 300).map_err(|m| AppError::invalid("/name", m))?;
    if actor.role == Role::Legal
        && !super::users::agencies_of(c, actor)?.contains(&inv.institution_id)
    {
        return Err(AppError::invalid(
            "/institution_id",
            "staf hukum hanya dapat mengundang pengguna instansi PIHAK KEDUA pada perjanjian kantornya",
        ));
    }
    let office = match actor.institution_id {
        Some(id) => institutions::get(c, id)?.doc.name,
        None => "Dinas Kependudukan dan Pencatatan Sipil".to_string(),
    };
    Ok(write_tx(c, |c| {
        let (id, replaced) = match users::by_name(c, username.as_str())? {
            Some(u) if u.role == "opd" && u.institution_id == Some(inv.institution_id) => {
                if u.disabled {
                    return Err(StoreError::Conflict(
                        "akun dengan alamat ini dinonaktifkan; aktifkan dulu di Admin".into(),
                    ));
                }
                users::set_full_name(c, u.id, name)?;
                (u.id, true)
            }
            Some(_) => {
                return Err(StoreError::Conflict(format!(
                    "alamat {username} sudah dipakai akun lain"
                )))
            }
            None => (
                users::create_invited(c, &username, name, inv.institution_id)?,
                false,
            ),
        };
        let agency = institutions::get(c, inv.institution_id)?.doc.name;
        let (token, hash) = secret::generate();
        let expires_at = now() + Duration::days(VALID_DAYS);
        links::replace(c, &hash, id, INVITATION, &actor.name, expires_at)?;
        let letter = LinkLetter {
            name,
            username: username.as_str(),
            agency: &agency,
            office: &office,
            link: link_of(letters, &token),
            expires: expires_words(expires_at),
        };
        let message = letters.message(
            "invitation",
            format!("invitation|{hash}"),
            name,
            email.as_str(),
            &letter,
        )?;
        outbox::insert_new(c, &message)?;
        let e = Entry {
            action: if replaced { "reinvite" } else { "invite" },
            entity: "user",
            entity_id: Some(id),
            agreement_id: None,
        };
        let after = json!({
            "username": username.as_str(),
            "name": name,
            "institution_id": inv.institution_id,
            "invitation": {"expires_at": expires_at},
        });
        audit::record(c, actor, e, None, Some(&after))?;
        Ok(Invited {
            user_id: id,
            username: username.to_string(),
            institution_id: inv.institution_id,
            expires_at,
            replaced,
        })
    })?)
}

/// What a link's page says before the password form.
pub enum Link {
    /// Usable: whose it is and what it is for.
    Open {
        username: String,
        name: Option<String>,
        reset: bool,
    },
    Used,
    Expired,
    Unknown,
}

/// Reads a link without using it (no actor: the link is the credential).
pub fn look(c: &mut DbConnection, token: &str) -> Result<Link, StoreError> {
    if !secret::well_formed(token) {
        return Ok(Link::Unknown);
    }
    let Some(l) = links::find(c, &secret::hash(token))? else {
        return Ok(Link::Unknown);
    };
    if l.used_at.is_some() {
        return Ok(Link::Used);
    }
    if l.expires_at <= now() {
        return Ok(Link::Expired);
    }
    let u = users::get(c, l.user_id)?;
    if u.disabled {
        return Ok(Link::Unknown);
    }
    Ok(Link::Open {
        username: u.username,
        name: u.full_name,
        reset: l.purpose == RESET,
    })
}

/// What using a link answers instead of the account.
pub const LINK_USED: &str = "tautan ini sudah dipakai; minta tautan baru bila perlu";
pub const LINK_EXPIRED: &str =
    "tautan ini sudah kedaluwarsa (berlaku 7 hari); minta undangan atau tautan baru";
pub const LINK_UNKNOWN: &str = "tautan ini tidak dikenal; periksa alamatnya atau minta tautan baru";

/// Uses a link: sets the account's password (hashed by the caller) and
/// ends the link, in one transaction, audited as the person themself.
/// Sessions and tokens issued before end with the password change.
pub fn choose_password(
    c: &mut DbConnection,
    token: &str,
    password_hash: &str,
) -> Result<UserRow, AppError> {
    if !secret::well_formed(token) {
        return Err(StoreError::Conflict(LINK_UNKNOWN.into()).into());
    }
    let hash = secret::hash(token);
    Ok(write_tx(c, |c| {
        let l = links::find(c, &hash)?.ok_or_else(|| StoreError::Conflict(LINK_UNKNOWN.into()))?;
        if l.used_at.is_some() {
            return Err(StoreError::Conflict(LINK_USED.into()));
        }
        if l.expires_at <= now() {
            return Err(StoreError::Conflict(LINK_EXPIRED.into()));
        }
        let u = users::get(c, l.user_id)?;
        if u.disabled {
            return Err(StoreError::Conflict(LINK_UNKNOWN.into()));
        }
        if !links::use_up(c, &hash)? {
            return Err(StoreError::Conflict(LINK_USED.into()));
        }
        users::set_password(c, u.id, password_hash)?;
        crate::store::audit::record(
            c,
            &crate::store::audit::Entry {
                actor: &u.username,
                action: if l.purpose == RESET {
                    "reset_password"
                } else {
                    "accept_invitation"
                },
                entity: "user",
                entity_id: Some(u.id),
                agreement_id: None,
                changes: &json!({"password": {"before": "***", "after": "***"}}),
            },
        )?;
        users::get(c, u.id)
    })?)
}

/// "Forgot password": sends a new link to the account named, if it exists,
/// is enabled and its user name is an e-mail address. Answers the same
/// whatever the case, so that nobody learns which accounts exist.
pub fn request_reset(c: &mut DbConnection, letters: &Letters, who: &str) -> Result<(), AppError> {
    let Ok(username) = Username::parse(who) else {
        return Ok(());
    };
    let Some(u) = users::by_name(c, username.as_str())? else {
        return Ok(());
    };
    if u.disabled || Email::parse(&u.username).is_err() {
        return Ok(());
    }
    write_tx(c, |c| {
        let (token, hash) = secret::generate();
        let expires_at = now() + Duration::days(VALID_DAYS);
        links::replace(c, &hash, u.id, RESET, &u.username, expires_at)?;
        let name = u.full_name.clone().unwrap_or_else(|| u.username.clone());
        let letter = LinkLetter {
            name: &name,
            username: &u.username,
            agency: "",
            office: "",
            link: link_of(letters, &token),
            expires: expires_words(expires_at),
        };
        let message = letters.message(
            "reset",
            format!("reset|{hash}"),
            &name,
            &u.username,
            &letter,
        )?;
        outbox::insert_new(c, &message)?;
        crate::store::audit::record(
            c,
            &crate::store::audit::Entry {
                actor: &u.username,
                action: "request_reset",
                entity: "user",
                entity_id: Some(u.id),
                agreement_id: None,
                changes: &json!({"reset": {"expires_at": expires_at}}),
            },
        )
    })?;
    Ok(())
}
