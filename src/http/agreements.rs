//! Agreements and the records they hold.

use std::sync::Arc;

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use super::openapi::{
    agreement_example, agreement_view_example, AgreementList, BadRequest, Conflict, Forbidden,
    MergePatch, NotFound, PayloadTooLarge, Unauthorized, Unprocessable,
};
use super::{db, json_body, page, problem::ApiError, run, AppState};
use crate::domain::agreement::{
    AgreementDoc, Application, Certificate, Renewal, Report, Scope, Statement,
};
use crate::domain::status::AgreementStatus;
use crate::store::agreements::{self, AgreementView, ListFilter};
use super::auth::Principal;
use crate::app::agreements as app;
use crate::app::policy::{self, Action};
use crate::store::records::Record;

pub(crate) fn date_param(name: &str, v: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    v.as_deref()
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .filter(|d| crate::domain::agreement::plausible_date(*d))
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "{name} harus tanggal yang valid dengan format YYYY-MM-DD, antara tahun 1945 dan 2100"
                    ))
                })
        })
        .transpose()
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Status per `as_of`.
    #[param(value_type = Option<AgreementStatus>)]
    status: Option<String>,
    /// Id instansi: PIHAK KESATU atau PIHAK KEDUA.
    institution: Option<i64>,
    /// Teks yang dicari pada judul, nomor surat dan nama instansi.
    q: Option<String>,
    /// Hanya yang berakhir sebelum tanggal ini (YYYY-MM-DD).
    #[param(value_type = Option<NaiveDate>)]
    expires_before: Option<String>,
    /// Tanggal acuan status (YYYY-MM-DD); bawaan hari ini (Asia/Jakarta).
    #[param(value_type = Option<NaiveDate>)]
    as_of: Option<String>,
    /// Jumlah per halaman, 1-500 (bawaan 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Lewati sekian yang pertama (bawaan 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

#[utoipa::path(
    get, path = "/api/v1/agreements", tag = "agreements", operation_id = "list_agreements",
    summary = "Daftar perjanjian",
    description = "Perjanjian yang terlihat oleh pengguna, dengan jumlah seluruhnya; status \
        dihitung per `as_of`.",
    params(ListQuery),
    responses(
        (status = 200, description = "Satu halaman perjanjian", body = AgreementList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, offset) = page(q.limit, q.offset)?;
    let status = q
        .status
        .as_deref()
        .map(|s| {
            AgreementStatus::from_code(s).ok_or_else(|| {
                let all: Vec<_> = AgreementStatus::ALL.iter().map(|s| s.code()).collect();
                ApiError::bad_request(format!(
                    "status '{s}' tidak dikenal; pilihan: {}",
                    all.join(", ")
                ))
            })
        })
        .transpose()?;
    let f = ListFilter {
        status,
        institution: q.institution,
        q: q.q.clone().filter(|s| !s.trim().is_empty()),
        expires_before: date_param("expires_before", &q.expires_before)?,
        as_of: date_param("as_of", &q.as_of)?.unwrap_or_else(crate::today_jakarta),
        limit,
        offset,
        visible: principal.visible.clone(),
    };
    let as_of = f.as_of;
    let cache = state.matches.clone();
    let (total, items) = db(&state, move |c| {
        // The filter's matching ids, reused until the registry changes: the
        // count and a deep offset then cost nothing over 100,000 rows.
        let key = ListFilter {
            limit: 0,
            offset: 0,
            ..f.clone()
        };
        let version = crate::store::db::registry_version(c)?;
        let known = cache.lock().ok().and_then(|m| {
            m.get(&key)
                .filter(|(v, _)| *v == version)
                .map(|(_, ids)| ids.clone())
        });
        let ids = match known {
            Some(ids) => ids,
            None => {
                let ids = Arc::new(agreements::matching_ids(c, &f)?);
                if let Ok(mut m) = cache.lock() {
                    // At most 32 filters of at most 100,000 ids each (25 MB).
                    if m.len() >= 32 {
                        m.clear();
                    }
                    m.insert(key, (version, ids.clone()));
                }
                ids
            }
        };
        agreements::page_of(c, &f, &ids)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "total": total, "limit": limit, "offset": offset, "as_of": as_of, "items": items
    })))
}

#[utoipa::path(
    post, path = "/api/v1/agreements", tag = "agreements", operation_id = "create_agreement",
    summary = "Catat perjanjian baru",
    description = "Isi: satu perjanjian dalam format impor `sepakat.agreement/v1`. Status tidak \
        pernah diisi; ia dihitung dari tanggal-tanggalnya.",
    request_body(content = AgreementDoc, example = json!(agreement_example())),
    responses(
        (status = 201, description = "Tersimpan; `Location` menunjuk perjanjian baru",
            headers(("Location" = String, description = "Alamat perjanjian baru")),
            body = AgreementView, example = json!(agreement_view_example())),
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
    principal: Principal,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // The role is refused before the body is read, whatever the body.
    policy::allow(&principal, Action::CreateAgreement)?;
    let doc: AgreementDoc = json_body(&state, payload).await?;
    let cal = state.calendar();
    let view = run(&state, move |c| app::create(c, &principal, &cal, &doc)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/agreements/{}", view.id)))
        .json(view))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AsOf {
    /// Tanggal acuan status dan kewajiban (YYYY-MM-DD); bawaan hari ini (Asia/Jakarta).
    #[param(value_type = Option<NaiveDate>)]
    as_of: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/agreements/{id}", tag = "agreements", operation_id = "get_agreement",
    summary = "Satu perjanjian",
    description = "Format impor ditambah id, `status`, `renewal_deadline`, kewajiban dan \
        cap waktu.",
    params(("id" = i64, Path, description = "Id perjanjian"), AsOf),
    responses(
        (status = 200, description = "Perjanjian", body = AgreementView,
            example = json!(agreement_view_example())),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
async fn get(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
    q: web::Query<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let as_of = date_param("as_of", &q.as_of)?.unwrap_or_else(crate::today_jakarta);
    let cal = state.calendar();
    let view = run(&state, move |c| app::get(c, &p, id, as_of, &cal)).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    patch, path = "/api/v1/agreements/{id}", tag = "agreements", operation_id = "patch_agreement",
    summary = "Ubah perjanjian (JSON merge patch)",
    description = "Merge patch atas kolom tingkat atas (judul, tanggal, para pihak, ketentuan, \
        lingkup akses, Juknis, pengakhiran…); catatan di bawah perjanjian diubah lewat \
        alamatnya sendiri. Seluruh perjanjian diperiksa ulang.",
    params(("id" = i64, Path, description = "Id perjanjian")),
    request_body(content = MergePatch,
        example = json!({"terminated": {"on": "2026-06-30", "reason": "mutual", "note": "kesepakatan PARA PIHAK"}})),
    responses(
        (status = 200, description = "Perjanjian setelah diubah", body = AgreementView),
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
    principal: Principal,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch: Value = json_body(&state, payload).await?;
    let cal = state.calendar();
    let view = run(&state, move |c| app::patch(c, &principal, &cal, id, &patch)).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    delete, path = "/api/v1/agreements/{id}", tag = "agreements",
    operation_id = "delete_agreement",
    summary = "Hapus draf perjanjian",
    description = "Hanya draf; perjanjian yang sudah ditandatangani diakhiri dengan \
        `PATCH {\"terminated\": …}`.",
    params(("id" = i64, Path, description = "Id perjanjian")),
    responses(
        (status = 204, description = "Terhapus"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
async fn delete(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let cal = state.calendar();
    run(&state, move |c| app::delete(c, &p, &cal, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---- nested records, one set of handlers for every kind -------------------

async fn list_records<R: Record + Send + 'static>(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let items = run(&state, move |c| app::list_records::<R>(c, &p, id)).await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

async fn create_record<R: Record + Send + 'static>(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body: Value = json_body(&state, payload).await?;
    let cal = state.calendar();
    let record =
        run(&state, move |c| app::create_record::<R>(c, &p, &cal, id, body)).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!(
                "/api/v1/agreements/{id}/{}/{}",
                R::PATH,
                record.id().unwrap_or_default()
            ),
        ))
        .json(record))
}

async fn get_record<R: Record + Send + 'static>(
    state: web::Data<AppState>,
    p: Principal,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, rid) = path.into_inner();
    let record = run(&state, move |c| app::get_record::<R>(c, &p, id, rid)).await?;
    Ok(HttpResponse::Ok().json(record))
}

async fn patch_record<R: Record + Send + 'static>(
    state: web::Data<AppState>,
    p: Principal,
    path: web::Path<(i64, i64)>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (id, rid) = path.into_inner();
    let patch: Value = json_body(&state, payload).await?;
    let cal = state.calendar();
    let record =
        run(&state, move |c| app::patch_record::<R>(c, &p, &cal, id, rid, &patch)).await?;
    Ok(HttpResponse::Ok().json(record))
}

async fn delete_record<R: Record + Send + 'static>(
    state: web::Data<AppState>,
    p: Principal,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, rid) = path.into_inner();
    let cal = state.calendar();
    run(&state, move |c| app::delete_record::<R>(c, &p, &cal, id, rid)).await?;
    Ok(HttpResponse::NoContent().finish())
}

// utoipa cannot annotate generic handlers: these routes are described per
// record kind by `openapi::record_paths!`.
fn records<R: Record + Send + 'static>(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(format!("/agreements/{{id}}/{}", R::PATH))
            .route(web::get().to(list_records::<R>))
            .route(web::post().to(create_record::<R>)),
    )
    .service(
        web::resource(format!("/agreements/{{id}}/{}/{{rid}}", R::PATH))
            .route(web::get().to(get_record::<R>))
            .route(web::patch().to(patch_record::<R>))
            .route(web::delete().to(delete_record::<R>)),
    );
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/agreements")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/agreements/{id}")
            .route(web::get().to(get))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    )
    .configure(records::<Scope>)
    .configure(records::<Application>)
    .configure(records::<Statement>)
    .configure(records::<Certificate>)
    .configure(records::<Report>)
    .configure(records::<Renewal>);
}
