//! Accounts over the API: admins manage every account; legal staff add OPD
//! accounts for the agencies of their office's agreements.

use actix_web::{get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Principal;
use super::bodies::Created;
use super::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized, Unprocessable,
};
use super::problem::ApiError;
use super::{run, AppState, ValidJson};
use crate::app::policy::{self, Action};
use crate::app::users as app;
use crate::auth::password;
use crate::domain::account::{NewPassword, Username};
use crate::domain::catalog::Role;
use crate::store::users::UserView;

/// Akun baru.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewUser {
    username: Username,
    /// Kata sandi: 10-128 karakter, tidak hanya spasi.
    #[schema(value_type = String, format = Password, min_length = 10, max_length = 128)]
    password: NewPassword,
    role: Role,
    /// Instansi pengguna (`opd`) atau kantor Dukcapil-nya (`legal`, `viewer`).
    #[serde(default)]
    institution_id: Option<i64>,
}

/// Perubahan akun; kolom yang tidak disebut tetap. Kata sandi, peran atau penonaktifan yang
/// berubah mengakhiri semua token pengguna itu.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct UserPatch {
    /// Kata sandi baru: 10-128 karakter.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Password, min_length = 10, max_length = 128)]
    password: Option<NewPassword>,
    #[serde(default)]
    role: Option<Role>,
    /// Instansi; `null` mengosongkan.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    institution_id: Option<Option<i64>>,
    /// Nonaktifkan (`true`) atau aktifkan kembali (`false`).
    #[serde(default)]
    disabled: Option<bool>,
    /// Jadikan (`true`) atau hentikan (`false`) sebagai penyetuju draf; hanya akun staf hukum.
    #[serde(default)]
    approver: Option<bool>,
}

/// `null` sets the field to nothing; absence leaves it alone.
fn double_option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// The argon2id hash, computed off the async workers (it takes tens of ms).
async fn hashed(pw: NewPassword) -> Result<String, ApiError> {
    web::block(move || password::hash(pw.expose()))
        .await?
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            ApiError::internal()
        })
}

/// Akun yang terlihat oleh pengguna ini.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserList {
    total: usize,
    items: Vec<UserView>,
}

#[utoipa::path(
    tag = "users", operation_id = "list_users",
    summary = "Daftar akun",
    description = "Admin melihat semua akun; staf hukum (`legal`) melihat akun `opd` instansi \
        pengguna pada perjanjian kantornya.",
    params(super::Paging),
    responses(
        (status = 200, description = "Akun", body = UserList),
        (status = 400, response = super::openapi::BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
#[get("/users")]
async fn list(
    state: web::Data<AppState>,
    p: Principal,
    q: web::Query<super::Paging>,
) -> Result<web::Json<UserList>, ApiError> {
    let all = run(&state, move |c| app::list(c, &p)).await?;
    let total = all.len();
    Ok(web::Json(UserList {
        total,
        items: q.apply(all)?,
    }))
}

#[utoipa::path(
    tag = "users", operation_id = "create_user",
    summary = "Tambah akun",
    description = "Admin menambah akun apa pun; staf hukum (`legal`) hanya akun `opd` untuk \
        instansi pengguna pada perjanjian kantornya.",
    request_body(content = NewUser,
        example = json!({"username": "dinkopukm.purbalingga", "password": "sandi-awal-berubah-1",
            "role": "opd", "institution_id": 2})),
    responses(
        (status = 201, description = "Tersimpan; `Location` menunjuk akun baru",
            headers(("Location" = String, description = "Alamat akun baru")),
            body = UserView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/users")]
async fn create(
    state: web::Data<AppState>,
    p: Principal,
    payload: web::Payload,
) -> Result<Created<UserView>, ApiError> {
    // Refused before the body is read when the role may add no account at
    // all, and before the costly hash when it may not add this one.
    policy::allow(&p, Action::CreateUser { role: Role::Opd })?;
    let body: NewUser = ValidJson::read(&state, payload).await?;
    policy::allow(&p, Action::CreateUser { role: body.role })?;
    let new = app::NewAccount {
        password_hash: hashed(body.password.clone()).await?,
        username: body.username,
        role: body.role,
        institution_id: body.institution_id,
    };
    let view = run(&state, move |c| app::create(c, &p, &new)).await?;
    Ok(Created::at(format!("/api/v1/users/{}", view.id), view))
}

#[utoipa::path(
    tag = "users", operation_id = "get_user",
    summary = "Satu akun",
    description = "Setiap pengguna dapat melihat akunnya sendiri.",
    params(("id" = i64, Path, description = "Id akun")),
    responses(
        (status = 200, description = "Akun", body = UserView),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[get("/users/{id}")]
async fn get(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<UserView>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(run(&state, move |c| app::get(c, &p, id)).await?))
}

#[utoipa::path(
    tag = "users", operation_id = "patch_user",
    summary = "Ubah akun",
    description = "Hanya admin.",
    params(("id" = i64, Path, description = "Id akun")),
    request_body(content = UserPatch, example = json!({"disabled": true})),
    responses(
        (status = 200, description = "Akun setelah diubah", body = UserView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[patch("/users/{id}")]
async fn patch(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<web::Json<UserView>, ApiError> {
    let id = id.into_inner();
    // Refused before the body is read, whatever the body.
    policy::allow(&p, Action::ChangeUser)?;
    let body: UserPatch = ValidJson::read(&state, payload).await?;
    let change = app::AccountChange {
        password_hash: match &body.password {
            Some(pw) => Some(hashed(pw.clone()).await?),
            None => None,
        },
        role: body.role,
        institution_id: body.institution_id,
        disabled: body.disabled,
        approver: body.approver,
    };
    let view = run(&state, move |c| app::change(c, &p, id, &change)).await?;
    // Old tokens end now, not within the gate's second.
    state.sessions.forget(id);
    Ok(web::Json(view))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(patch);
}
