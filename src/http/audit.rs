//! The audit trail of an agreement. The rows themselves are written by the
//! use cases, each inside its own transaction (`app::audit`).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::auth::Principal;
use super::problem::ApiError;
use super::{page, run, AppState};

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
    get, path = "/api/v1/agreements/{id}/history", tag = "agreements",
    operation_id = "agreement_history",
    summary = "Jejak audit perjanjian",
    description = "Setiap perubahan atas perjanjian dan catatannya lewat API atau CLI: siapa, \
        kapan, tindakan dan kolom yang berubah (sebelum dan sesudah), terbaru dahulu.",
    params(("id" = i64, Path, description = "Id perjanjian"), Paging),
    responses(
        (status = 200, description = "Satu halaman jejak audit",
            body = super::openapi::Page<crate::store::audit::HistoryItem>),
        (status = 400, response = super::openapi::BadRequest),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 404, response = super::openapi::NotFound),
    )
)]
async fn history(
    state: web::Data<AppState>,
    p: Principal,
    id: web::Path<i64>,
    q: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (limit, offset) = page(q.limit, q.offset)?;
    let (total, items) =
        run(&state, move |c| crate::app::agreements::history(c, &p, id, limit, offset)).await?;
    Ok(HttpResponse::Ok()
        .json(json!({"total": total, "limit": limit, "offset": offset, "items": items})))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/agreements/{id}/history", web::get().to(history));
}
