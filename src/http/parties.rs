//! Institutions, people and the element catalog.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{db, json_body, page, problem::ApiError, AppState};
use crate::domain::agreement::{InstitutionDoc, PersonDoc};
use crate::json::{from_value_at, merge_patch};
use crate::store::{catalog, institutions, people, write_tx, StoreError};

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, StoreError> {
    serde_json::to_value(v).map_err(|e| StoreError::Unavailable(e.to_string()))
}

async fn list_institutions(
    state: web::Data<AppState>,
    principal: super::auth::Principal,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
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
    };
    let (total, items) = db(&state, move |c| {
        f.only = principal.visible.institutions(c)?;
        institutions::list(c, &f)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({"total": total, "limit": limit, "offset": offset, "items": items})))
}

async fn create_institution(
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let doc: InstitutionDoc = json_body(&state, payload).await?;
    state
        .documents
        .check_set(doc.document_set.as_deref())
        .map_err(|m| StoreError::invalid("/document_set", m))?;
    let view = db(&state, move |c| {
        let id = write_tx(c, |c| institutions::create(c, &doc))?;
        institutions::get(c, id)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/institutions/{}", view.doc.id.unwrap_or_default()),
        ))
        .json(view))
}

async fn get_institution(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(db(&state, move |c| institutions::get(c, id)).await?))
}

async fn patch_institution(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch: Value = json_body(&state, payload).await?;
    let renderer = state.documents.clone();
    let view = db(&state, move |c| {
        write_tx(c, |c| {
            let mut value = to_value(&institutions::get(c, id)?.doc)?;
            merge_patch(&mut value, &patch);
            let doc: InstitutionDoc = from_value_at(value, "")?;
            renderer
                .check_set(doc.document_set.as_deref())
                .map_err(|m| StoreError::invalid("/document_set", m))?;
            institutions::replace(c, id, &doc)
        })?;
        institutions::get(c, id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

async fn delete_institution(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db(&state, move |c| {
        write_tx(c, |c| institutions::delete(c, id))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn list_people(
    state: web::Data<AppState>,
    principal: super::auth::Principal,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, offset) = page(q.limit, q.offset)?;
    let text = q.q.clone();
    let (total, items) = db(&state, move |c| {
        let only = principal.visible.people(c)?;
        people::list(c, text.as_deref(), only.as_deref(), limit, offset)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(json!({"total": total, "limit": limit, "offset": offset, "items": items})))
}

async fn create_person(
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let doc: PersonDoc = json_body(&state, payload).await?;
    if doc.name.trim().is_empty() {
        return Err(StoreError::invalid("/name", "nama wajib diisi").into());
    }
    let view = db(&state, move |c| {
        let id = write_tx(c, |c| people::insert(c, &doc))?;
        people::get(c, id)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/people/{}", view.doc.id.unwrap_or_default()),
        ))
        .json(view))
}

async fn get_person(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(db(&state, move |c| people::get(c, id)).await?))
}

async fn patch_person(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch: Value = json_body(&state, payload).await?;
    let view = db(&state, move |c| {
        write_tx(c, |c| {
            let mut value = to_value(&people::get(c, id)?.doc)?;
            merge_patch(&mut value, &patch);
            let doc: PersonDoc = from_value_at(value, "")?;
            if doc.name.trim().is_empty() {
                return Err(StoreError::invalid("/name", "nama wajib diisi"));
            }
            people::replace(c, id, &doc)
        })?;
        people::get(c, id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

async fn delete_person(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db(&state, move |c| write_tx(c, |c| people::delete(c, id))).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn list_elements(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let items = db(&state, |c| catalog::list(c)).await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/institutions")
            .route(web::get().to(list_institutions))
            .route(web::post().to(create_institution)),
    )
    .service(
        web::resource("/institutions/{id}")
            .route(web::get().to(get_institution))
            .route(web::patch().to(patch_institution))
            .route(web::delete().to(delete_institution)),
    )
    .service(
        web::resource("/people")
            .route(web::get().to(list_people))
            .route(web::post().to(create_person)),
    )
    .service(
        web::resource("/people/{id}")
            .route(web::get().to(get_person))
            .route(web::patch().to(patch_person))
            .route(web::delete().to(delete_person)),
    )
    .route("/elements", web::get().to(list_elements));
}
