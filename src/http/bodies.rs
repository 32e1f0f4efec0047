//! The shapes of answers shared by several handlers. Each answer is a type
//! that derives its schema: what the OpenAPI document says is what is sent.

use actix_web::body::BoxBody;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, Responder};
use serde::Serialize;
use utoipa::ToSchema;

/// Daftar tanpa halaman.
#[derive(Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

impl<T> Items<T> {
    pub fn of(items: Vec<T>) -> Self {
        Items { items }
    }
}

/// Satu halaman daftar: `total` semua yang cocok, `limit` dan `offset` yang dipakai.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub items: Vec<T>,
}

/// 201 Created: the stored resource, its address in `Location`.
pub struct Created<T> {
    pub location: String,
    pub body: T,
}

impl<T> Created<T> {
    pub fn at(location: String, body: T) -> Self {
        Created { location, body }
    }
}

impl<T: Serialize> Responder for Created<T> {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        HttpResponse::Created()
            .insert_header((header::LOCATION, self.location))
            .json(self.body)
    }
}
