//! People: signatories, heads of agencies, operators who sign an NDA.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{agreement_parties, people, statements};
use super::{decode_opt, now, DbConnection, StoreError};
use crate::domain::agreement::PersonDoc;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = people)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub position: Option<String>,
    pub nip: Option<String>,
    pub nik: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonView {
    #[serde(flatten)]
    pub doc: PersonDoc,
    #[serde(serialize_with = "crate::json::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::json::utc")]
    pub updated_at: NaiveDateTime,
}

impl PersonRow {
    pub fn to_doc(&self) -> Result<PersonDoc, StoreError> {
        Ok(PersonDoc {
            id: Some(self.id),
            name: self.name.clone(),
            position: self.position.clone(),
            nip: decode_opt(self.nip.clone())?,
            nik: decode_opt(self.nik.clone())?,
            address: self.address.clone(),
            phone: decode_opt(self.phone.clone())?,
            email: decode_opt(self.email.clone())?,
        })
    }

    pub fn to_view(&self) -> Result<PersonView, StoreError> {
        Ok(PersonView {
            doc: self.to_doc()?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

pub fn get(conn: &mut DbConnection, id: i64) -> Result<PersonView, StoreError> {
    people::table
        .find(id)
        .select(PersonRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("orang {id}")))?
        .to_view()
}

pub fn list(
    conn: &mut DbConnection,
    q: Option<&str>,
    only: Option<&[i64]>,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<PersonView>), StoreError> {
    let filtered = || {
        let mut query = people::table.into_boxed();
        if let Some(ids) = only {
            query = query.filter(people::id.eq_any(ids.to_vec()));
        }
        if let Some(text) = q {
            query = query.filter(
                super::lower(people::name)
                    .like(super::agreements::like_pattern(text))
                    .escape('\\'),
            );
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows: Vec<PersonRow> = filtered()
        .order(people::id)
        .limit(limit)
        .offset(offset)
        .select(PersonRow::as_select())
        .load(conn)?;
    Ok((
        total,
        rows.iter()
            .map(PersonRow::to_view)
            .collect::<Result<_, _>>()?,
    ))
}

fn text<T: ToString>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(|x| x.to_string())
}

/// The person the document names: the same name with the same NIP or NIK,
/// or, when neither is given, the same name and position. Fields the
/// document states update the stored person; a new person is created when
/// none matches.
pub fn resolve(conn: &mut DbConnection, doc: &PersonDoc) -> Result<i64, StoreError> {
    let name = doc.name.trim();
    // Look up by the indexed identifier and compare names here: a common
    // name matches thousands of rows, an identifier a handful.
    // One equality per query: PostgreSQL turned `nip = $1 OR nik = $2` into
    // a sequential scan of all people.
    let same_name = |rows: Vec<PersonRow>| {
        rows.into_iter()
            .filter(|p| p.name == name)
            .min_by_key(|p| p.id)
    };
    let by = |conn: &mut DbConnection,
              column: &str,
              value: &str|
     -> Result<Option<PersonRow>, StoreError> {
        let q = match column {
            "nip" => people::table
                .filter(people::nip.eq(value.to_string()))
                .into_boxed(),
            _ => people::table
                .filter(people::nik.eq(value.to_string()))
                .into_boxed(),
        };
        Ok(same_name(q.select(PersonRow::as_select()).load(conn)?))
    };
    let existing: Option<PersonRow> = match (&doc.nip, &doc.nik) {
        (Some(nip), nik) => match by(conn, "nip", nip.as_str())? {
            Some(p) => Some(p),
            None => match nik {
                Some(nik) => by(conn, "nik", nik.as_str())?,
                None => None,
            },
        },
        (None, Some(nik)) => by(conn, "nik", nik.as_str())?,
        (None, None) => {
            let q = match &doc.position {
                Some(p) => people::table
                    .filter(people::name.eq(name).and(people::position.eq(p.clone())))
                    .into_boxed(),
                None => people::table
                    .filter(people::name.eq(name).and(people::position.is_null()))
                    .into_boxed(),
            };
            same_name(q.select(PersonRow::as_select()).load(conn)?)
        }
    };
    let ts = now();
    match existing {
        Some(row) => {
            let new = (
                doc.position.clone().or(row.position.clone()),
                text(&doc.nip).or(row.nip.clone()),
                text(&doc.nik).or(row.nik.clone()),
                doc.address.clone().or(row.address.clone()),
                text(&doc.phone).or(row.phone.clone()),
                text(&doc.email).or(row.email.clone()),
            );
            let old = (
                row.position.clone(),
                row.nip.clone(),
                row.nik.clone(),
                row.address.clone(),
                row.phone.clone(),
                row.email.clone(),
            );
            if new != old {
                diesel::update(people::table.find(row.id))
                    .set((
                        people::position.eq(new.0),
                        people::nip.eq(new.1),
                        people::nik.eq(new.2),
                        people::address.eq(new.3),
                        people::phone.eq(new.4),
                        people::email.eq(new.5),
                        people::updated_at.eq(ts),
                    ))
                    .execute(conn)?;
            }
            Ok(row.id)
        }
        None => insert(conn, doc),
    }
}

pub fn insert(conn: &mut DbConnection, doc: &PersonDoc) -> Result<i64, StoreError> {
    let ts = now();
    Ok(diesel::insert_into(people::table)
        .values((
            people::name.eq(doc.name.trim()),
            people::position.eq(&doc.position),
            people::nip.eq(text(&doc.nip)),
            people::nik.eq(text(&doc.nik)),
            people::address.eq(&doc.address),
            people::phone.eq(text(&doc.phone)),
            people::email.eq(text(&doc.email)),
            people::created_at.eq(ts),
            people::updated_at.eq(ts),
        ))
        .returning(people::id)
        .get_result(conn)?)
}

pub fn replace(conn: &mut DbConnection, id: i64, doc: &PersonDoc) -> Result<(), StoreError> {
    let n = diesel::update(people::table.find(id))
        .set((
            people::name.eq(doc.name.trim()),
            people::position.eq(&doc.position),
            people::nip.eq(text(&doc.nip)),
            people::nik.eq(text(&doc.nik)),
            people::address.eq(&doc.address),
            people::phone.eq(text(&doc.phone)),
            people::email.eq(text(&doc.email)),
            people::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("orang {id}")));
    }
    Ok(())
}

pub fn delete(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
    let signs: i64 = agreement_parties::table
        .filter(agreement_parties::signatory_id.eq(id))
        .count()
        .get_result(conn)?;
    let states: i64 = statements::table
        .filter(statements::signer_id.eq(id))
        .count()
        .get_result(conn)?;
    if signs + states > 0 {
        return Err(StoreError::Conflict(
            "orang ini menandatangani perjanjian atau pernyataan dan tidak dapat dihapus".into(),
        ));
    }
    let n = diesel::delete(people::table.find(id)).execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("orang {id}")));
    }
    Ok(())
}
