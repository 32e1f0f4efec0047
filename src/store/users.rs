//! Accounts: who may sign in, with which role, for which institution.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{institutions, users};
use super::{decode, encode, now, DbConnection, StoreError};
use crate::domain::account::Username;
use crate::domain::catalog::Role;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub institution_id: Option<i64>,
    pub disabled: bool,
    pub token_version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The person's name, for an invited account.
    pub full_name: Option<String>,
    /// Approves the office's drafts for signing (a legal account).
    pub approver: bool,
}

/// An account as the API shows it: never the hash.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "Akun pengguna (tanpa hash kata sandi).")]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub institution_id: Option<i64>,
    pub disabled: bool,
    /// Nama orangnya, bagi akun yang diundang.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Penyetuju draf kantornya (staf hukum yang menyetujui draf untuk ditandatangani).
    pub approver: bool,
    // Raised whenever the user's tokens were ended (password, role, disable).
    /// Naik setiap kali token pengguna diakhiri (ganti kata sandi, peran, penonaktifan).
    pub token_version: i32,
    #[serde(serialize_with = "crate::json::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::json::utc")]
    pub updated_at: NaiveDateTime,
}

impl UserRow {
    pub fn role(&self) -> Result<Role, StoreError> {
        decode(self.role.clone())
    }

    pub fn view(&self) -> Result<UserView, StoreError> {
        Ok(UserView {
            id: self.id,
            username: self.username.clone(),
            role: self.role()?,
            institution_id: self.institution_id,
            disabled: self.disabled,
            full_name: self.full_name.clone(),
            approver: self.approver,
            token_version: self.token_version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

pub fn count(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn by_name(conn: &mut DbConnection, name: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(users::table
        .filter(users::username.eq(name.trim().to_lowercase()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, id: i64) -> Result<UserRow, StoreError> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("pengguna {id}")))
}

pub fn list(
    conn: &mut DbConnection,
    institution_ids: Option<&[i64]>,
) -> Result<Vec<UserRow>, StoreError> {
    let mut q = users::table
        .select(UserRow::as_select())
        .order(users::id)
        .into_boxed();
    if let Some(ids) = institution_ids {
        q = q.filter(users::institution_id.eq_any(ids.to_vec()));
    }
    Ok(q.load(conn)?)
}

fn check_institution(
    conn: &mut DbConnection,
    role: Role,
    institution_id: Option<i64>,
) -> Result<(), StoreError> {
    match (role, institution_id) {
        (Role::Admin, _) => Ok(()),
        (_, None) => Err(StoreError::invalid(
            "/institution_id",
            "peran selain admin wajib terikat pada satu instansi",
        )),
        (_, Some(id)) => {
            let kind: Option<String> = institutions::table
                .find(id)
                .select(institutions::kind)
                .first(conn)
                .optional()?;
            let kind: crate::domain::catalog::InstitutionKind = match kind {
                None => {
                    return Err(StoreError::invalid(
                        "/institution_id",
                        format!("instansi {id} tidak ada"),
                    ))
                }
                Some(k) => decode(k)?,
            };
            match role {
                Role::Legal if !kind.is_dukcapil() => Err(StoreError::invalid(
                    "/institution_id",
                    "peran legal hanya untuk staf Dinas Dukcapil atau Ditjen Dukcapil",
                )),
                Role::Opd if kind.is_dukcapil() => Err(StoreError::invalid(
                    "/institution_id",
                    "peran opd untuk instansi pengguna, bukan Dukcapil",
                )),
                _ => Ok(()),
            }
        }
    }
}

pub fn create(
    conn: &mut DbConnection,
    username: &Username,
    password_hash: &str,
    role: Role,
    institution_id: Option<i64>,
) -> Result<i64, StoreError> {
    if by_name(conn, username.as_str())?.is_some() {
        return Err(StoreError::Conflict(format!(
            "nama pengguna '{username}' sudah dipakai"
        )));
    }
    check_institution(conn, role, institution_id)?;
    let ts = now();
    Ok(diesel::insert_into(users::table)
        .values((
            users::username.eq(username.as_str()),
            users::password_hash.eq(password_hash),
            users::role.eq(encode(&role)),
            users::institution_id.eq(institution_id),
            users::disabled.eq(false),
            users::token_version.eq(0),
            users::created_at.eq(ts),
            users::updated_at.eq(ts),
        ))
        .returning(users::id)
        .get_result(conn)?)
}

/// A new password; every token issued before stops working.
pub fn set_password(
    conn: &mut DbConnection,
    id: i64,
    password_hash: &str,
) -> Result<(), StoreError> {
    let n = diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::token_version.eq(users::token_version + 1),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("pengguna {id}")));
    }
    Ok(())
}

/// Role, institution or the disabled flag; a change of any of them ends
/// the user's current tokens, which carry the old values.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    role: Role,
    institution_id: Option<i64>,
    disabled: bool,
) -> Result<(), StoreError> {
    check_institution(conn, role, institution_id)?;
    let n = diesel::update(users::table.find(id))
        .set((
            users::role.eq(encode(&role)),
            users::institution_id.eq(institution_id),
            users::disabled.eq(disabled),
            users::token_version.eq(users::token_version + 1),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("pengguna {id}")));
    }
    Ok(())
}

/// Makes account `id` an approver of drafts, or not.
pub fn set_approver(conn: &mut DbConnection, id: i64, approver: bool) -> Result<(), StoreError> {
    diesel::update(users::table.find(id))
        .set((users::approver.eq(approver), users::updated_at.eq(now())))
        .execute(conn)?;
    Ok(())
}

/// An account for an invited person: no password yet (the stored hash is
/// one no password matches) until they choose one through their link.
pub fn create_invited(
    conn: &mut DbConnection,
    username: &Username,
    full_name: &str,
    institution_id: i64,
) -> Result<i64, StoreError> {
    let id = create(conn, username, NO_PASSWORD, Role::Opd, Some(institution_id))?;
    diesel::update(users::table.find(id))
        .set(users::full_name.eq(full_name))
        .execute(conn)?;
    Ok(id)
}

/// The stored hash of an account whose password has not been chosen: not a
/// PHC string, so no password verifies against it.
pub const NO_PASSWORD: &str = "!belum-diatur";

pub fn set_full_name(conn: &mut DbConnection, id: i64, full_name: &str) -> Result<(), StoreError> {
    diesel::update(users::table.find(id))
        .set((users::full_name.eq(full_name), users::updated_at.eq(now())))
        .execute(conn)?;
    Ok(())
}
