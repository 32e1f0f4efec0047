//! Institutions, people and the element catalog.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::Deserialize;
use serde_json::Value;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Principal;
use super::bodies::{Created, Items, Page};
use super::openapi::{
    BadRequest, Conflict, Forbidden, MergePatch, NotFound, PayloadTooLarge, Unauthorized,
    Unprocessable,
};
use super::{db, page, problem::ApiError, run, AppState, ValidJson};
use crate::app::parties as app;
use crate::app::policy::{self, Action};
use crate::domain::agreement::{InstitutionDoc, PersonDoc};
use crate::store::catalog::ElementRow;
use crate::store::institutions::InstitutionView;
use crate::store::people::PersonView;
use crate::store::{catalog, institutions, people};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Teks yang dicari pada nama.
    q: Option<String>,
    /// Jenis instansi.
    #[param(value_type = Option<crate::domain::catalog::InstitutionKind>)]
    kind: Option<String>,
    /// Jumlah per halaman, 1-500 (bawaan 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Lewati sekian yang pertama (bawaan 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// The people list reads no `kind`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PeopleQuery {
    /// Teks yang dicari pada nama.
    q: Option<String>,
    /// Jumlah per halaman, 1-500 (bawaan 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Lewati sekian yang pertama (bawaan 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

#[utoipa::path(
    tag = "institutions", operation_id = "list_institutions",
    summary = "Daftar instansi",
    description = "Instansi yang terlibat dalam perjanjian yang terlihat oleh pengguna.",
    params(ListQuery),
    responses(
        (status = 200, description = "Satu halaman instansi", body = Page<InstitutionView>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/institutions")]
async fn list_institutions(
    state: web::Data<AppState>,
    principal: super::auth::Principal,
    q: web::Query<ListQuery>,
) -> Result<web::Json<Page<InstitutionView>>, ApiError> {
    let (limit, offset) = page(q.limit, q.offset)?;
    if let Some(k) = &q.kind {
        if crate::domain::catalog::InstitutionKind::from_code(k).is_none() {
            return Err(ApiError::bad_request(format!(
                "jenis instansi '{k}' tidak dikenal"
            )));
        }
    }
    let mut f = institutions::ListFilter {
        q: q.q.clone(),
        kind: q.kind.clone(),
        limit,
        offset,
        only: None,
        agencies_only: false,
    };
    let (total, items) = db(&state, move |c| {
        f.only = principal.visible.institutions(c)?;
        institutions::list(c, &f)
    })
    .await?;
    Ok(web::Json(Page {
        total,
        limit,
        offset,
        items,
    }))
}

#[utoipa::path(
    tag = "institutions",
    operation_id = "create_institution",
    summary = "Catat instansi baru",
    request_body(content = InstitutionDoc, example = json!(super::openapi::seed_part("/parties/1/institution"))),
    responses(
        (status = 201, description = "Tersimpan; `Location` menunjuk instansi baru",
            headers(("Location" = String, description = "Alamat instansi baru")),
            body = InstitutionView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/institutions")]
async fn create_institution(
    state: web::Data<AppState>,
    p: Principal,
    payload: web::Payload,
) -> Result<Created<InstitutionView>, ApiError> {
    // The role is refused before the body is read, whatever the body.
    policy::allow(&p, Action::WriteInstitution)?;
    let doc: InstitutionDoc = ValidJson::read(&state, payload).await?;
    let renderer = state.documents.clone();
    let view = run(&state, move |c| {
        app::create_institution(c, &p, &|s| renderer.check_set(s), &doc)
    })
    .await?;
    Ok(Created::at(
        format!("/api/v1/institutions/{}", view.doc.id.unwrap_or_default()),
        view,
    ))
}

#[utoipa::path(
    tag = "institutions", operation_id = "get_institution",
    summary = "Satu instansi",
    params(("id" = i64, Path, description = "Id instansi")),
    responses(
        (status = 200, description = "Instansi", body = InstitutionView),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/institutions/{id}")]
async fn get_institution(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<InstitutionView>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        run(&state, move |c| app::get_institution(c, &p, id)).await?,
    ))
}

#[utoipa::path(
    tag = "institutions",
    operation_id = "patch_institution",
    summary = "Ubah instansi (JSON merge patch)",
    params(("id" = i64, Path, description = "Id instansi")),
    request_body(content = MergePatch, example = json!({"document_set": "karanganyar"})),
    responses(
        (status = 200, description = "Instansi setelah diubah", body = InstitutionView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[patch("/institutions/{id}")]
async fn patch_institution(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
    changes: ValidJson<Value>,
) -> Result<web::Json<InstitutionView>, ApiError> {
    let id = id.into_inner();
    let changes = changes.into_inner();
    let renderer = state.documents.clone();
    let view = run(&state, move |c| {
        app::patch_institution(c, &p, &|s| renderer.check_set(s), id, &changes)
    })
    .await?;
    Ok(web::Json(view))
}

#[utoipa::path(
    tag = "institutions",
    operation_id = "delete_institution",
    summary = "Hapus instansi",
    description = "Hanya instansi yang bukan pihak dalam perjanjian dan bukan induk instansi lain.",
    params(("id" = i64, Path, description = "Id instansi")),
    responses(
        (status = 204, description = "Terhapus"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
#[delete("/institutions/{id}")]
async fn delete_institution(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    run(&state, move |c| app::delete_institution(c, &p, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "people", operation_id = "list_people",
    summary = "Daftar orang",
    description = "Orang dalam perjanjian yang terlihat oleh pengguna.",
    params(PeopleQuery),
    responses(
        (status = 200, description = "Satu halaman orang", body = Page<PersonView>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/people")]
async fn list_people(
    state: web::Data<AppState>,
    principal: super::auth::Principal,
    q: web::Query<PeopleQuery>,
) -> Result<web::Json<Page<PersonView>>, ApiError> {
    let (limit, offset) = page(q.limit, q.offset)?;
    let text = q.q.clone();
    let (total, items) = db(&state, move |c| {
        let only = principal.visible.people(c)?;
        people::list(c, text.as_deref(), only.as_deref(), limit, offset)
    })
    .await?;
    Ok(web::Json(Page {
        total,
        limit,
        offset,
        items,
    }))
}

#[utoipa::path(
    tag = "people", operation_id = "create_person",
    summary = "Catat orang baru",
    request_body(content = PersonDoc, example = json!(super::openapi::seed_part("/parties/1/signatory"))),
    responses(
        (status = 201, description = "Tersimpan; `Location` menunjuk orang baru",
            headers(("Location" = String, description = "Alamat orang baru")),
            body = PersonView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/people")]
async fn create_person(
    state: web::Data<AppState>,
    p: Principal,
    payload: web::Payload,
) -> Result<Created<PersonView>, ApiError> {
    // The role is refused before the body is read, whatever the body.
    policy::allow(&p, Action::WritePerson)?;
    let doc: PersonDoc = ValidJson::read(&state, payload).await?;
    let view = run(&state, move |c| app::create_person(c, &p, &doc)).await?;
    Ok(Created::at(
        format!("/api/v1/people/{}", view.doc.id.unwrap_or_default()),
        view,
    ))
}

#[utoipa::path(
    tag = "people", operation_id = "get_person",
    summary = "Satu orang",
    params(("id" = i64, Path, description = "Id orang")),
    responses(
        (status = 200, description = "Orang", body = PersonView),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/people/{id}")]
async fn get_person(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<PersonView>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        run(&state, move |c| app::get_person(c, &p, id)).await?,
    ))
}

#[utoipa::path(
    tag = "people", operation_id = "patch_person",
    summary = "Ubah orang (JSON merge patch)",
    params(("id" = i64, Path, description = "Id orang")),
    request_body(content = MergePatch, example = json!({"position": "Sekretaris Dinas"})),
    responses(
        (status = 200, description = "Orang setelah diubah", body = PersonView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
    )
)]
#[patch("/people/{id}")]
async fn patch_person(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
    changes: ValidJson<Value>,
) -> Result<web::Json<PersonView>, ApiError> {
    let id = id.into_inner();
    let changes = changes.into_inner();
    let view = run(&state, move |c| app::patch_person(c, &p, id, &changes)).await?;
    Ok(web::Json(view))
}

#[utoipa::path(
    tag = "people", operation_id = "delete_person",
    summary = "Hapus orang",
    description = "Hanya orang yang tidak menandatangani perjanjian atau pernyataan.",
    params(("id" = i64, Path, description = "Id orang")),
    responses(
        (status = 204, description = "Terhapus"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
#[delete("/people/{id}")]
async fn delete_person(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    run(&state, move |c| app::delete_person(c, &p, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    tag = "elements", operation_id = "list_elements",
    summary = "Katalog elemen data",
    description = "Elemen data kependudukan (UU 24/2013 Pasal 58 ayat 2); yang dilindungi \
        (Pasal 84) ditandai `protected`.",
    responses(
        (status = 200, description = "Semua elemen, urut katalog", body = Items<ElementRow>),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/elements")]
async fn list_elements(
    state: web::Data<AppState>,
) -> Result<web::Json<Items<ElementRow>>, ApiError> {
    Ok(web::Json(Items::of(
        db(&state, |c| catalog::list(c)).await?,
    )))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_institutions)
        .service(create_institution)
        .service(get_institution)
        .service(patch_institution)
        .service(delete_institution)
        .service(list_people)
        .service(create_person)
        .service(get_person)
        .service(patch_person)
        .service(delete_person)
        .service(list_elements);
}
