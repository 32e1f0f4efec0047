//! Errors as `application/problem+json` (RFC 9457), in words a user can act on.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::agreement::FieldError;
use crate::json::JsonError;
use crate::store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
}

/// Galat dalam format `application/problem+json` (RFC 9457); `detail` dalam
/// bahasa Indonesia.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub kind: &'static str,
    #[schema(example = "Tidak ditemukan")]
    pub title: &'static str,
    #[schema(example = 404)]
    pub status: u16,
    #[schema(example = "perjanjian 7 tidak ditemukan")]
    pub detail: String,
    /// Untuk data yang tidak valid (422): setiap kesalahan dengan JSON pointer ke isi permintaan.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            title,
            detail: detail.into(),
            errors: vec![],
        }
    }
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Permintaan tidak valid", detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Tidak ditemukan", detail)
    }
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.pointer, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            title: "Data tidak valid",
            detail,
            errors,
        }
    }
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Kesalahan server",
            "terjadi kesalahan di server; coba lagi atau hubungi admin",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }
    fn error_response(&self) -> HttpResponse {
        let body = Problem {
            kind: "about:blank",
            title: self.title,
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        };
        HttpResponse::build(self.status)
            .content_type("application/problem+json")
            .body(serde_json::to_string(&body).unwrap_or_default())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as D};
        match e {
            StoreError::NotFound(what) => ApiError::not_found(format!("{what} tidak ditemukan")),
            StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "Konflik", m),
            StoreError::Invalid(errs) => ApiError::invalid(errs),
            StoreError::Unavailable(m) => {
                tracing::error!(error = %m, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Layanan tidak tersedia",
                    "basis data sedang tidak dapat dihubungi; coba lagi sebentar lagi",
                )
            }
            StoreError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                ApiError::internal()
            }
            StoreError::Db(D::DatabaseError(K::UniqueViolation, info)) => {
                tracing::warn!(table = ?info.table_name(), "unique violation");
                ApiError::new(
                    StatusCode::CONFLICT,
                    "Konflik",
                    "data yang sama sudah tercatat",
                )
            }
            StoreError::Db(D::DatabaseError(K::ForeignKeyViolation, _)) => ApiError::new(
                StatusCode::CONFLICT,
                "Konflik",
                "data masih dirujuk oleh data lain atau merujuk data yang tidak ada",
            ),
            StoreError::Db(other) => {
                tracing::error!(error = %other, "database error");
                ApiError::internal()
            }
        }
    }
}

impl From<crate::app::AppError> for ApiError {
    fn from(e: crate::app::AppError) -> Self {
        match e {
            crate::app::AppError::Forbidden(m) => {
                ApiError::new(StatusCode::FORBIDDEN, "Tidak diizinkan", m)
            }
            crate::app::AppError::Store(e) => e.into(),
        }
    }
}

impl From<JsonError> for ApiError {
    fn from(e: JsonError) -> Self {
        match e {
            JsonError::Malformed(m) => ApiError::bad_request(m),
            JsonError::Invalid(errs) => ApiError::invalid(errs),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        ApiError::internal()
    }
}
