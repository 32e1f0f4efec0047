//! The reminder outbox as the office works it: a message that failed for
//! good is sent again when someone who may act on reminders says so.

use super::audit::{self, Entry};
use super::policy::{self, Action};
use super::{Actor, AppError};
use crate::store::outbox::{self, OutboxRow};
use crate::store::{write_tx, DbConnection, StoreError};

/// Puts failed message `id` back in the queue, due now; the sender takes it
/// on its next round. Only a failed message of an agreement the actor sees
/// (an office digest, of no one agreement, only for an actor who sees all).
pub fn retry(c: &mut DbConnection, actor: &Actor, id: i64) -> Result<OutboxRow, AppError> {
    policy::allow(actor, Action::RetryReminder)?;
    Ok(write_tx(c, |c| {
        let before = outbox::get(c, id)?;
        match before.agreement_id {
            Some(a) => policy::sees(c, actor, a)
                .map_err(|_| StoreError::NotFound(format!("pesan {id}")))?,
            None if actor.visible.is_all() => {}
            None => return Err(StoreError::NotFound(format!("pesan {id}"))),
        }
        let now = chrono::Utc::now().naive_utc();
        if !outbox::requeue_failed(c, id, now)? {
            return Err(StoreError::Conflict(format!(
                "pesan {id} tidak dalam keadaan gagal; hanya pesan yang gagal dapat dikirim ulang"
            )));
        }
        let after = outbox::get(c, id)?;
        let e = Entry {
            action: "retry",
            entity: "reminder",
            entity_id: Some(id),
            agreement_id: before.agreement_id,
        };
        audit::record(
            c,
            actor,
            e,
            Some(&audit::json(&before)?),
            Some(&audit::json(&after)?),
        )?;
        Ok(after)
    })?)
}
