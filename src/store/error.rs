use crate::domain::agreement::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} tidak ditemukan")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("data tidak valid: {}", .0.iter().map(|e| format!("{}: {}", e.pointer, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The database cannot be reached: the one 503.
    #[error("basis data tidak tersedia: {0}")]
    Unavailable(String),
    /// A stored value that cannot be read back, a template that fails: a
    /// fault of the program or its data, answered 500 and logged.
    #[error("kesalahan internal: {0}")]
    Internal(String),
    #[error("kesalahan basis data: {0}")]
    Db(#[from] diesel::result::Error),
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

impl StoreError {
    pub fn invalid(pointer: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid(vec![FieldError::new(pointer, message)])
    }
}
