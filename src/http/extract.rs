//! Request bodies: JSON read within `SEPAKAT_MAX_BODY` (413 beyond) and
//! decoded with the failing field named as a JSON pointer (400 for what is
//! not JSON, 422 for a value that breaks a rule).

use std::future::Future;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::{dev, web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use super::problem::ApiError;
use super::AppState;

/// A JSON request body of type `T`, decoded by `crate::json::from_slice`.
///
/// As an extractor it reads the body before the handler runs. A handler that
/// must refuse a role before reading anything (the body of a refused call is
/// never looked at, whatever it holds) takes `web::Payload` instead and calls
/// [`ValidJson::read`] after its permission check.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

impl<T> ValidJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned> ValidJson<T> {
    /// Reads and decodes a body taken as `web::Payload`.
    pub async fn read(state: &AppState, payload: web::Payload) -> Result<T, ApiError> {
        let bytes = bytes(state.max_body, payload).await?;
        Ok(crate::json::from_slice(&bytes)?)
    }
}

/// The body, refused with 413 beyond `limit` bytes.
async fn bytes(limit: usize, payload: web::Payload) -> Result<web::Bytes, ApiError> {
    match payload.to_bytes_limited(limit).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(ApiError::bad_request(format!(
            "isi permintaan tidak terbaca: {e}"
        ))),
        Err(_) => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Isi permintaan terlalu besar",
            format!("isi permintaan melebihi batas {limit} byte"),
        )),
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let payload = web::Payload::from_request(req, payload);
        Box::pin(async move {
            let state = state.ok_or_else(ApiError::internal)?;
            let payload = payload.await.map_err(|_| ApiError::internal())?;
            Ok(ValidJson(ValidJson::read(&state, payload).await?))
        })
    }
}
