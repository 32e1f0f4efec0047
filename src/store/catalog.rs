//! The element catalog table, seeded from the built-in list.

use diesel::prelude::*;
use serde::Serialize;

use super::schema::data_elements;
use super::{DbConnection, StoreError};
use crate::domain::catalog::ELEMENTS;

#[derive(Debug, Queryable, Serialize, utoipa::ToSchema)]
#[schema(
    description = "Elemen data dalam katalog; `protected`: data pribadi yang dilindungi \
    (UU 24/2013 Pasal 84), tidak dapat diberikan melalui PKS."
)]
pub struct ElementRow {
    pub code: String,
    pub label: String,
    pub protected: bool,
    pub position: i32,
}

pub fn seed(conn: &mut DbConnection) -> Result<(), StoreError> {
    let present: Vec<String> = data_elements::table
        .select(data_elements::code)
        .load(conn)?;
    for (i, def) in ELEMENTS.iter().enumerate() {
        if !present.iter().any(|c| c == def.code) {
            diesel::insert_into(data_elements::table)
                .values((
                    data_elements::code.eq(def.code),
                    data_elements::label.eq(def.label),
                    data_elements::protected.eq(def.protected),
                    data_elements::position.eq(i as i32),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<ElementRow>, StoreError> {
    Ok(data_elements::table
        .order(data_elements::position)
        .load(conn)?)
}
