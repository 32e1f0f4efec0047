//! What a page answers when it cannot show what was asked: a page in words
//! (not found, refused, invalid), or the sign-in page for a visitor without
//! a live session.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::http::problem::ApiError;

#[derive(Debug)]
pub enum PageError {
    /// No live session: sign in, then come back to this address.
    SignIn { back: String },
    /// A form without its session's CSRF token.
    Csrf,
    /// Anything the core or the reads answered instead (404, 403, 400…).
    Api(ApiError),
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError::Api(e)
    }
}

impl From<crate::store::StoreError> for PageError {
    fn from(e: crate::store::StoreError) -> Self {
        PageError::Api(e.into())
    }
}

impl From<crate::app::AppError> for PageError {
    fn from(e: crate::app::AppError) -> Self {
        PageError::Api(e.into())
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::SignIn { .. } => write!(f, "belum masuk"),
            PageError::Csrf => write!(f, "token formulir tidak cocok"),
            PageError::Api(e) => e.fmt(f),
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn { .. } => StatusCode::SEE_OTHER,
            PageError::Csrf => StatusCode::FORBIDDEN,
            PageError::Api(e) => e.status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, detail) = match self {
            PageError::SignIn { back } => {
                let to = format!("/masuk?lanjut={}", super::form::encode(back));
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, to))
                    .finish();
            }
            PageError::Csrf => (
                "Formulir ditolak",
                "Formulir ini tidak membawa token keamanan sesi Anda (mungkin halamannya dibuka \
                 sebelum Anda masuk lagi). Tidak ada yang disimpan. Muat ulang halaman lalu kirim \
                 lagi."
                    .to_string(),
            ),
            PageError::Api(e) => {
                if e.status.is_server_error() {
                    tracing::error!(error = %e, "page failed");
                }
                (e.title, e.detail.clone())
            }
        };
        let status = self.status_code();
        let ctx = json!({
            "title": title,
            "status": status.as_u16(),
            "detail": detail,
        });
        super::render::bare("galat", &ctx, status)
    }
}
