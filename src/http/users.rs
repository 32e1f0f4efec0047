//! Accounts over the API: admins manage every account; legal staff add OPD
//! accounts for the agencies of their office's agreements.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::auth::Principal;
use super::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, Unauthorized, Unprocessable,
    UserList,
};
use super::problem::ApiError;
use super::{db, json_body, AppState};
use crate::auth::password;
use crate::domain::account::{NewPassword, Username};
use crate::domain::catalog::Role;
use crate::store::schema::agreements;
use crate::store::users::UserView;
use crate::store::{users, write_tx, DbConnection, StoreError};

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
}

/// `null` sets the field to nothing; absence leaves it alone.
fn double_option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// The agencies (PIHAK KEDUA) of the agreements a legal user may see.
fn agencies_of(c: &mut DbConnection, p: &Principal) -> Result<Vec<i64>, StoreError> {
    Ok(p.visible
        .apply(agreements::table.into_boxed())
        .select(agreements::second_institution_id)
        .distinct()
        .load(c)?)
}

/// The argon2id hash, computed off the async workers (it takes tens of ms).
async fn hashed(pw: NewPassword) -> Result<String, ApiError> {
    web::block(move || password::hash(pw.expose()))
        .await?
        .map_err(|e| {
            ApiError::new(
                actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
                "Gagal",
                e,
            )
        })
}

fn forbidden(detail: &str) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::FORBIDDEN,
        "Tidak diizinkan",
        detail.to_string(),
    )
}

/// The accounts `p` may see: every one for an admin, the OPD accounts of its
/// agencies for legal staff, none otherwise.
fn scope(c: &mut DbConnection, p: &Principal) -> Result<Option<Vec<i64>>, StoreError> {
    match p.role {
        Role::Admin => Ok(None),
        _ => agencies_of(c, p).map(Some),
    }
}

#[utoipa::path(
    get, path = "/api/v1/users", tag = "users", operation_id = "list_users",
    summary = "Daftar akun",
    description = "Admin melihat semua akun; staf hukum (`legal`) melihat akun `opd` instansi \
        pengguna pada perjanjian kantornya.",
    responses(
        (status = 200, description = "Akun", body = UserList),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
async fn list(state: web::Data<AppState>, p: Principal) -> Result<HttpResponse, ApiError> {
    if !matches!(p.role, Role::Admin | Role::Legal) {
        return Err(forbidden(
            "hanya admin dan staf hukum yang dapat melihat akun",
        ));
    }
    let items = db(&state, move |c| {
        let scope = scope(c, &p)?;
        let rows = users::list(c, scope.as_deref())?;
        rows.iter()
            .filter(|u| p.role == Role::Admin || u.role == "opd")
            .map(|u| u.view())
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"total": items.len(), "items": items})))
}

#[utoipa::path(
    post, path = "/api/v1/users", tag = "users", operation_id = "create_user",
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
async fn create(
    state: web::Data<AppState>,
    p: Principal,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body: NewUser = json_body(&state, payload).await?;
    if p.role == Role::Legal && body.role != Role::Opd {
        return Err(forbidden("staf hukum hanya dapat menambah akun peran opd"));
    }
    if !matches!(p.role, Role::Admin | Role::Legal) {
        return Err(forbidden(
            "hanya admin dan staf hukum yang dapat menambah akun",
        ));
    }
    let hash = hashed(body.password.clone()).await?;
    let view = db(&state, move |c| {
        if p.role == Role::Legal {
            let allowed = agencies_of(c, &p)?;
            if !body.institution_id.is_some_and(|i| allowed.contains(&i)) {
                return Err(StoreError::invalid(
                    "/institution_id",
                    "staf hukum hanya dapat menambah akun untuk instansi pengguna pada perjanjian kantornya",
                ));
            }
        }
        let id = write_tx(c, |c| users::create(c, &body.username, &hash, body.role, body.institution_id))?;
        users::get(c, id)?.view()
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", view.id)))
        .json(view))
}

#[utoipa::path(
    get, path = "/api/v1/users/{id}", tag = "users", operation_id = "get_user",
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
async fn get(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if !matches!(p.role, Role::Admin | Role::Legal) && p.id != id {
        return Err(forbidden(
            "akun lain hanya dapat dilihat admin dan staf hukum",
        ));
    }
    let view = db(&state, move |c| {
        let u = users::get(c, id)?;
        if p.id != id {
            if let Some(scope) = scope(c, &p)? {
                if u.role != "opd" || !u.institution_id.is_some_and(|i| scope.contains(&i)) {
                    return Err(StoreError::NotFound(format!("pengguna {id}")));
                }
            }
        }
        u.view()
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    patch, path = "/api/v1/users/{id}", tag = "users", operation_id = "patch_user",
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
async fn patch(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if p.role != Role::Admin {
        return Err(forbidden("hanya admin yang dapat mengubah akun"));
    }
    let body: UserPatch = json_body(&state, payload).await?;
    // The last way in must not be closed by a slip: an admin cannot disable
    // or demote itself.
    if id == p.id && (body.disabled == Some(true) || body.role.is_some_and(|r| r != Role::Admin)) {
        return Err(crate::store::StoreError::invalid(
            if body.disabled == Some(true) {
                "/disabled"
            } else {
                "/role"
            },
            "admin tidak dapat menonaktifkan atau menurunkan perannya sendiri",
        )
        .into());
    }
    let hash = match &body.password {
        Some(pw) => Some(hashed(pw.clone()).await?),
        None => None,
    };
    let view = db(&state, move |c| {
        write_tx(c, |c| {
            let u = users::get(c, id)?;
            if let Some(hash) = &hash {
                users::set_password(c, id, hash)?;
            }
            if body.role.is_some() || body.institution_id.is_some() || body.disabled.is_some() {
                users::update(
                    c,
                    id,
                    body.role.unwrap_or(u.role()?),
                    body.institution_id.unwrap_or(u.institution_id),
                    body.disabled.unwrap_or(u.disabled),
                )?;
            }
            Ok(())
        })?;
        users::get(c, id)?.view()
    })
    .await?;
    // Old tokens end now, not within the gate's second.
    state.sessions.forget(id);
    Ok(HttpResponse::Ok().json(view))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/users/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(patch)),
    );
}
