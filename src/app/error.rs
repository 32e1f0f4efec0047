//! What a use case can answer instead of its result.

use crate::domain::agreement::FieldError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The actor's role may not do this (whatever it is done to).
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::Store(StoreError::NotFound(what.into()))
    }

    pub fn invalid(pointer: &str, message: impl Into<String>) -> Self {
        AppError::Store(StoreError::invalid(pointer, message))
    }

    pub fn field_errors(errors: Vec<FieldError>) -> Self {
        AppError::Store(StoreError::Invalid(errors))
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::Store(e.into())
    }
}
