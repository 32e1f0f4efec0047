//! The audit row of a use case, written inside its transaction: the actor
//! that made this write and the fields it changed, read before and after
//! within the same transaction.

use serde::Serialize;
use serde_json::Value;

use super::Actor;
use crate::domain::audit::changes;
use crate::store::{self, DbConnection, StoreError};

/// What a write was and what it was done to.
pub struct Entry<'a> {
    /// `create`, `update`, `put`, `delete`, `import`, `sync`…
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub agreement_id: Option<i64>,
}

pub fn record(
    c: &mut DbConnection,
    actor: &Actor,
    e: Entry,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Result<(), StoreError> {
    store::audit::record(
        c,
        &store::audit::Entry {
            actor: &actor.name,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            agreement_id: e.agreement_id,
            changes: &changes(before, after),
        },
    )
}

/// A value as the audit trail keeps it: its API JSON.
pub fn json<T: Serialize>(v: &T) -> Result<Value, StoreError> {
    serde_json::to_value(v).map_err(|e| StoreError::Internal(e.to_string()))
}
