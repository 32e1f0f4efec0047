//! Agreements and the records they hold.

use std::sync::Arc;

use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Principal;
use super::bodies::{Created, Items};
use super::openapi::{
    agreement_example, agreement_view_example, seed_part, BadRequest, Conflict, Documented,
    Forbidden, MergePatch, NotFound, PayloadTooLarge, Unauthorized, Unprocessable,
};
use super::{db, page, problem::ApiError, run, AppState, ValidJson};
use crate::app::agreements as app;
use crate::app::policy::{self, Action};
use crate::domain::agreement::{
    AgreementDoc, Application, Certificate, Renewal, Report, Scope, Statement,
};
use crate::domain::status::AgreementStatus;
use crate::store::agreements::{self, AgreementSummary, AgreementView, ListFilter};
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
    /// Id kantor Dukcapil yang menjadi PIHAK KESATU.
    office: Option<i64>,
    /// Hanya yang memberi metode akses ini (`web_portal`, `web_service`, …).
    method: Option<String>,
    /// Hanya yang memberi elemen data ini (kode katalog, mis. `nik`).
    element: Option<String>,
    /// Urutan: `urutan` (bawaan, urutan pencatatan), `terbaru`, `berakhir`, `judul`.
    sort: Option<String>,
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

/// Satu halaman daftar perjanjian dengan status per `as_of`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AgreementList {
    total: i64,
    limit: i64,
    offset: i64,
    as_of: NaiveDate,
    items: Vec<AgreementSummary>,
}

#[utoipa::path(
    tag = "agreements", operation_id = "list_agreements",
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
#[get("/agreements")]
async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    q: web::Query<ListQuery>,
) -> Result<web::Json<AgreementList>, ApiError> {
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
        office: q.office,
        method: method_param(&q.method)?,
        element: element_param(&q.element)?,
        sort: sort_param(&q.sort)?,
        as_of: date_param("as_of", &q.as_of)?.unwrap_or_else(crate::today_jakarta),
        limit,
        offset,
        visible: principal.visible.clone(),
    };
    let as_of = f.as_of;
    let (total, items) = page_of(&state, f).await?;
    Ok(web::Json(AgreementList {
        total,
        limit,
        offset,
        as_of,
        items,
    }))
}

/// An access-method filter: one of the catalog's codes.
pub(crate) fn method_param(
    v: &Option<String>,
) -> Result<Option<crate::domain::catalog::AccessMethod>, ApiError> {
    use crate::domain::catalog::AccessMethod;
    v.as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| {
            AccessMethod::from_code(s).ok_or_else(|| {
                let all: Vec<_> = AccessMethod::ALL.iter().map(|m| m.code()).collect();
                ApiError::bad_request(format!(
                    "metode akses '{s}' tidak dikenal; pilihan: {}",
                    all.join(", ")
                ))
            })
        })
        .transpose()
}

/// A data-element filter: a code of the catalog.
pub(crate) fn element_param(v: &Option<String>) -> Result<Option<String>, ApiError> {
    v.as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| {
            crate::domain::catalog::element(s)
                .map(|e| e.code.to_string())
                .ok_or_else(|| {
                    ApiError::bad_request(format!("elemen data '{s}' tidak ada dalam katalog"))
                })
        })
        .transpose()
}

/// The order of a list.
pub(crate) fn sort_param(v: &Option<String>) -> Result<agreements::ListSort, ApiError> {
    use agreements::ListSort;
    match v.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(ListSort::default()),
        Some(s) => ListSort::from_code(s).ok_or_else(|| {
            let all: Vec<_> = ListSort::ALL.iter().map(|(_, c, _)| *c).collect();
            ApiError::bad_request(format!(
                "urutan '{s}' tidak dikenal; pilihan: {}",
                all.join(", ")
            ))
        }),
    }
}

/// One page of the agreements a filter matches, with their total: the
/// list's one read, for the API and the pages. The filter's matching ids
/// are kept until the registry changes, so the count and a deep offset
/// cost nothing over 100,000 rows.
pub(crate) async fn page_of(
    state: &web::Data<AppState>,
    f: ListFilter,
) -> Result<(i64, Vec<agreements::AgreementSummary>), ApiError> {
    let cache = state.matches.clone();
    db(state, move |c| {
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
    .await
}

#[utoipa::path(
    tag = "agreements", operation_id = "create_agreement",
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
#[post("/agreements")]
async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    payload: web::Payload,
) -> Result<Created<AgreementView>, ApiError> {
    // The role is refused before the body is read, whatever the body.
    policy::allow(&principal, Action::CreateAgreement)?;
    let doc: AgreementDoc = ValidJson::read(&state, payload).await?;
    let cal = state.calendar();
    let view = run(&state, move |c| app::create(c, &principal, &cal, &doc)).await?;
    Ok(Created::at(format!("/api/v1/agreements/{}", view.id), view))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AsOf {
    /// Tanggal acuan status dan kewajiban (YYYY-MM-DD); bawaan hari ini (Asia/Jakarta).
    #[param(value_type = Option<NaiveDate>)]
    as_of: Option<String>,
}

#[utoipa::path(
    tag = "agreements", operation_id = "get_agreement",
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
#[get("/agreements/{id}")]
async fn get(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
    q: web::Query<AsOf>,
) -> Result<web::Json<AgreementView>, ApiError> {
    let id = id.into_inner();
    let as_of = date_param("as_of", &q.as_of)?.unwrap_or_else(crate::today_jakarta);
    let cal = state.calendar();
    let view = run(&state, move |c| app::get(c, &p, id, as_of, &cal)).await?;
    Ok(web::Json(view))
}

#[utoipa::path(
    tag = "agreements", operation_id = "patch_agreement",
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
#[patch("/agreements/{id}")]
async fn patch(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    changes: ValidJson<Value>,
) -> Result<web::Json<AgreementView>, ApiError> {
    let id = id.into_inner();
    let changes = changes.into_inner();
    let cal = state.calendar();
    let view = run(&state, move |c| {
        app::patch(c, &principal, &cal, id, &changes)
    })
    .await?;
    Ok(web::Json(view))
}

#[utoipa::path(
    tag = "agreements",
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
#[delete("/agreements/{id}")]
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
) -> Result<web::Json<Items<R>>, ApiError> {
    let id = id.into_inner();
    let items = run(&state, move |c| app::list_records::<R>(c, &p, id)).await?;
    Ok(web::Json(Items::of(items)))
}

async fn create_record<R: Record + Send + 'static>(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
    body: ValidJson<Value>,
) -> Result<Created<R>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    let cal = state.calendar();
    let record = run(&state, move |c| {
        app::create_record::<R>(c, &p, &cal, id, body)
    })
    .await?;
    let location = format!(
        "/api/v1/agreements/{id}/{}/{}",
        R::PATH,
        record.id().unwrap_or_default()
    );
    Ok(Created::at(location, record))
}

async fn get_record<R: Record + Send + 'static>(
    state: web::Data<AppState>,
    p: Principal,
    path: web::Path<(i64, i64)>,
) -> Result<web::Json<R>, ApiError> {
    let (id, rid) = path.into_inner();
    Ok(web::Json(
        run(&state, move |c| app::get_record::<R>(c, &p, id, rid)).await?,
    ))
}

async fn patch_record<R: Record + Send + 'static>(
    state: web::Data<AppState>,
    p: Principal,
    path: web::Path<(i64, i64)>,
    changes: ValidJson<Value>,
) -> Result<web::Json<R>, ApiError> {
    let (id, rid) = path.into_inner();
    let changes = changes.into_inner();
    let cal = state.calendar();
    let record = run(&state, move |c| {
        app::patch_record::<R>(c, &p, &cal, id, rid, &changes)
    })
    .await?;
    Ok(web::Json(record))
}

async fn delete_record<R: Record + Send + 'static>(
    state: web::Data<AppState>,
    p: Principal,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, rid) = path.into_inner();
    let cal = state.calendar();
    run(&state, move |c| {
        app::delete_record::<R>(c, &p, &cal, id, rid)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The five routes of one record kind `$ty` (at `R::PATH`), registered and
/// documented together: no route macro can annotate the generic handlers
/// above, so each gets a thin concrete handler here that carries its
/// operation, and [`Documented`] registers the handlers and adds their
/// operations in one `.service(...)`.
// rustfmt re-indents the attributes inside this macro on every run.
#[rustfmt::skip]
macro_rules! records {
    ($ty:ident, $label:literal, $example:tt) => {{
        fn list_path() -> String {
            format!("/agreements/{{id}}/{}", <$ty as Record>::PATH)
        }
        fn item_path() -> String {
            format!("/agreements/{{id}}/{}/{{rid}}", <$ty as Record>::PATH)
        }

        #[utoipa::path(
            get, path = list_path(), tag = "records",
            operation_id = format!("list_{}", <$ty as Record>::PATH),
            summary = concat!("Daftar ", $label, " perjanjian"),
            params(("id" = i64, Path, description = "Id perjanjian")),
            responses(
                (status = 200, description = concat!("Semua ", $label), body = Items<$ty>),
                (status = 401, response = Unauthorized),
                (status = 404, response = NotFound),
            )
        )]
        async fn list(
            state: web::Data<AppState>,
            p: Principal,
            id: web::Path<i64>,
        ) -> Result<web::Json<Items<$ty>>, ApiError> {
            list_records::<$ty>(state, p, id).await
        }

        #[utoipa::path(
            post, path = list_path(), tag = "records",
            operation_id = format!("create_{}", <$ty as Record>::PATH),
            summary = concat!("Catat ", $label, " baru"),
            description = "Seluruh perjanjian diperiksa ulang sebelum catatan disimpan.",
            params(("id" = i64, Path, description = "Id perjanjian")),
            request_body(content = $ty, example = json!($example)),
            responses(
                (status = 201, description = "Tersimpan; `Location` menunjuk catatan baru",
                    body = $ty,
                    headers(("Location" = String, description = "Alamat catatan baru"))),
                (status = 400, response = BadRequest),
                (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 413, response = PayloadTooLarge),
                (status = 422, response = Unprocessable),
            )
        )]
        async fn create(
            state: web::Data<AppState>,
            p: Principal,
            id: web::Path<i64>,
            body: ValidJson<Value>,
        ) -> Result<Created<$ty>, ApiError> {
            create_record::<$ty>(state, p, id, body).await
        }

        #[utoipa::path(
            get, path = item_path(), tag = "records",
            operation_id = format!("get_{}", <$ty as Record>::PATH),
            summary = concat!("Satu ", $label),
            params(
                ("id" = i64, Path, description = "Id perjanjian"),
                ("rid" = i64, Path, description = "Id catatan"),
            ),
            responses(
                (status = 200, description = "Catatan", body = $ty),
                (status = 401, response = Unauthorized),
                (status = 404, response = NotFound),
            )
        )]
        async fn get(
            state: web::Data<AppState>,
            p: Principal,
            path: web::Path<(i64, i64)>,
        ) -> Result<web::Json<$ty>, ApiError> {
            get_record::<$ty>(state, p, path).await
        }

        #[utoipa::path(
            patch, path = item_path(), tag = "records",
            operation_id = format!("patch_{}", <$ty as Record>::PATH),
            summary = concat!("Ubah ", $label, " (JSON merge patch)"),
            params(
                ("id" = i64, Path, description = "Id perjanjian"),
                ("rid" = i64, Path, description = "Id catatan"),
            ),
            request_body(content = MergePatch, description = "Kolom catatan yang diubah"),
            responses(
                (status = 200, description = "Catatan setelah diubah", body = $ty),
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
            path: web::Path<(i64, i64)>,
            body: ValidJson<Value>,
        ) -> Result<web::Json<$ty>, ApiError> {
            patch_record::<$ty>(state, p, path, body).await
        }

        #[utoipa::path(
            delete, path = item_path(), tag = "records",
            operation_id = format!("delete_{}", <$ty as Record>::PATH),
            summary = concat!("Hapus ", $label),
            description = "Peran `opd` tidak dapat menghapus catatan.",
            params(
                ("id" = i64, Path, description = "Id perjanjian"),
                ("rid" = i64, Path, description = "Id catatan"),
            ),
            responses(
                (status = 204, description = "Terhapus"),
                (status = 401, response = Unauthorized),
                (status = 403, response = Forbidden),
                (status = 404, response = NotFound),
                (status = 422, response = Unprocessable),
            )
        )]
        async fn delete(
            state: web::Data<AppState>,
            p: Principal,
            path: web::Path<(i64, i64)>,
        ) -> Result<HttpResponse, ApiError> {
            delete_record::<$ty>(state, p, path).await
        }

        Documented::new(
            vec![
                web::resource(list_path())
                    .route(web::get().to(list))
                    .route(web::post().to(create))
                    .default_service(web::to(super::not_found)),
                web::resource(item_path())
                    .route(web::get().to(get))
                    .route(web::patch().to(patch))
                    .route(web::delete().to(delete))
                    .default_service(web::to(super::not_found)),
            ],
            vec![
                Box::new(__path_list),
                Box::new(__path_create),
                Box::new(__path_get),
                Box::new(__path_patch),
                Box::new(__path_delete),
            ],
        )
    }};
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(patch)
        .service(delete)
        .service(records!(
            Scope,
            "lingkup akses",
            (json!({"method": "web_service", "elements": ["nik", "nama_lengkap"], "daily_quota": 1000}))
        ))
        .service(records!(
            Application,
            "aplikasi",
            (seed_part("/applications/0"))
        ))
        .service(records!(
            Statement,
            "surat pernyataan (SPTJM/NDA)",
            (seed_part("/statements/1"))
        ))
        .service(records!(
            Certificate,
            "sertifikat ISO/IEC 27001",
            (json!({"kind": "iso27001", "number": "IS 771234", "issuer": "BSI Group",
                "issued_on": "2026-02-10", "valid_until": "2029-02-09", "submitted_on": "2026-03-02"}))
        ))
        .service(records!(
            Report,
            "laporan semester",
            (json!({"year": 2025, "semester": 2, "submitted_on": "2026-01-12", "channel": "email",
                "nik_hits": 1840, "return_data_rows": 0}))
        ))
        .service(records!(
            Renewal,
            "permohonan perpanjangan",
            (json!({"requested_on": "2027-06-30", "request_letter": {"number": "518/2210/VI/2027",
                "date": "2027-06-28", "subject": "Permohonan perpanjangan PKS"}}))
        ));
}
