//! The audit trail: one row per write, never updated or deleted by the
//! application.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::db::on_backend;
use super::schema::audit_log;
use super::{now, DbConnection, StoreError};

pub struct Entry<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub agreement_id: Option<i64>,
    pub changes: &'a serde_json::Value,
}

pub fn record(conn: &mut DbConnection, e: &Entry) -> Result<(), StoreError> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(now()),
            audit_log::actor.eq(e.actor),
            audit_log::action.eq(e.action),
            audit_log::entity.eq(e.entity),
            audit_log::entity_id.eq(e.entity_id),
            audit_log::agreement_id.eq(e.agreement_id),
            audit_log::changes.eq(e.changes.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
struct Row {
    id: i64,
    at: NaiveDateTime,
    actor: String,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    changes: String,
}

impl Row {
    fn item(self) -> HistoryItem {
        HistoryItem {
            id: self.id,
            at: self.at,
            actor: self.actor,
            action: self.action,
            entity: self.entity,
            entity_id: self.entity_id,
            changes: serde_json::from_str(&self.changes).unwrap_or(serde_json::Value::Null),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "Satu baris jejak audit: siapa, kapan, tindakan, entitas dan perubahan \
    (`{field: {before, after}}`)."
)]
pub struct HistoryItem {
    pub id: i64,
    #[serde(serialize_with = "crate::json::utc")]
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub changes: serde_json::Value,
}

/// The latest row of `action` on agreement `agreement_id`.
pub fn latest(
    conn: &mut DbConnection,
    agreement_id: i64,
    action: &str,
) -> Result<Option<HistoryItem>, StoreError> {
    let row: Option<Row> = audit_log::table
        .filter(audit_log::agreement_id.eq(agreement_id))
        .filter(audit_log::action.eq(action))
        .order(audit_log::id.desc())
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(Row::item))
}

/// An agreement's history, newest first.
pub fn history(
    conn: &mut DbConnection,
    agreement_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<HistoryItem>), StoreError> {
    let total = on_backend!(&mut *conn, |c| audit_log::table
        .filter(audit_log::agreement_id.eq(agreement_id))
        .count()
        .get_result(c))?;
    let rows: Vec<Row> = on_backend!(&mut *conn, |c| audit_log::table
        .filter(audit_log::agreement_id.eq(agreement_id))
        .order(audit_log::id.desc())
        .limit(limit)
        .offset(offset)
        .select(Row::as_select())
        .load(c))?;
    let items = rows.into_iter().map(Row::item).collect();
    Ok((total, items))
}
