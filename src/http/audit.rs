//! The audit trail of an agreement. The rows themselves are written by the
//! use cases, each inside its own transaction (`app::audit`).

use actix_web::{get, web};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::auth::Principal;
use super::bodies::Page;
use super::problem::ApiError;
use super::{page, run, AppState};
use crate::store::audit::HistoryItem;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Paging {
    /// Jumlah per halaman, 1-500 (bawaan 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    /// Lewati sekian yang pertama (bawaan 0).
    #[param(minimum = 0)]
    offset: Option<i64>,
}

#[utoipa::path(
    tag = "agreements",
    operation_id = "agreement_history",
    summary = "Jejak audit perjanjian",
    description = "Setiap perubahan atas perjanjian dan catatannya lewat API atau CLI: siapa, \
        kapan, tindakan dan kolom yang berubah (sebelum dan sesudah), terbaru dahulu.",
    params(("id" = i64, Path, description = "Id perjanjian"), Paging),
    responses(
        (status = 200, description = "Satu halaman jejak audit",
            body = Page<HistoryItem>),
        (status = 400, response = super::openapi::BadRequest),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 404, response = super::openapi::NotFound),
    )
)]
#[get("/agreements/{id}/history")]
async fn history(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
    q: web::Query<Paging>,
) -> Result<web::Json<Page<HistoryItem>>, ApiError> {
    let id = id.into_inner();
    let (limit, offset) = page(q.limit, q.offset)?;
    let (total, items) = run(&state, move |c| {
        crate::app::agreements::history(c, &p, id, limit, offset)
    })
    .await?;
    Ok(web::Json(Page {
        total,
        limit,
        offset,
        items,
    }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(history);
}
