//! The reminder outbox: every message is a row, stored under its unique key
//! before it is sent; senders claim rows with a conditional update, so two
//! instances never send the same message, and a failed send stays queued.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::schema::outbox;
use super::{DbConnection, StoreError};

pub const QUEUED: &str = "queued";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
pub const CANCELLED: &str = "cancelled";
/// Nobody has an address: kept until one is added, never dropped.
pub const UNDELIVERABLE: &str = "undeliverable";
pub const STATES: &[&str] = &[QUEUED, SENDING, SENT, FAILED, CANCELLED, UNDELIVERABLE];

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewMessage {
    pub dedupe_key: String,
    pub agreement_id: Option<i64>,
    pub obligation_key: Option<String>,
    pub occasion: String,
    pub due_on: Option<NaiveDate>,
    pub recipient: String,
    pub cc: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub state: &'static str,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

impl NewMessage {
    /// A message ready to send now; the caller sets what it is about.
    pub fn queued(
        dedupe_key: String,
        occasion: String,
        recipient: String,
        subject: String,
        text: String,
        html: String,
    ) -> Self {
        let now = chrono::Utc::now().naive_utc();
        NewMessage {
            dedupe_key,
            agreement_id: None,
            obligation_key: None,
            occasion,
            due_on: None,
            recipient,
            cc: None,
            subject,
            body_text: text,
            body_html: html,
            state: QUEUED,
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = outbox)]
#[schema(
    description = "Pesan pengingat di outbox: `queued`, `sending`, `sent`, `failed` \
    (dengan galat terakhir), `cancelled` atau `undeliverable` (tanpa alamat penerima)."
)]
pub struct OutboxRow {
    pub id: i64,
    pub dedupe_key: String,
    pub agreement_id: Option<i64>,
    pub obligation_key: Option<String>,
    pub occasion: String,
    pub due_on: Option<NaiveDate>,
    pub recipient: String,
    pub cc: Option<String>,
    pub subject: String,
    #[serde(skip)]
    pub body_text: String,
    #[serde(skip)]
    pub body_html: String,
    pub state: String,
    pub attempts: i32,
    #[serde(serialize_with = "crate::json::utc")]
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    #[serde(skip)]
    pub claimed_by: Option<String>,
    #[serde(skip)]
    #[serde(serialize_with = "crate::json::utc_opt")]
    pub claimed_until: Option<NaiveDateTime>,
    #[serde(serialize_with = "crate::json::utc_opt")]
    pub sent_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "crate::json::utc")]
    pub created_at: NaiveDateTime,
}

pub fn exists(conn: &mut DbConnection, dedupe_key: &str) -> Result<bool, StoreError> {
    let n: i64 = outbox::table
        .filter(outbox::dedupe_key.eq(dedupe_key))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Stores a message unless one with the same key exists; true when stored.
pub fn insert_new(conn: &mut DbConnection, m: &NewMessage) -> Result<bool, StoreError> {
    if exists(conn, &m.dedupe_key)? {
        return Ok(false);
    }
    match diesel::insert_into(outbox::table).values(m).execute(conn) {
        Ok(_) => Ok(true),
        // Another planner stored it between the check and the insert.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Ids ready to send: queued and due, or claimed by a sender whose lease ran out.
pub fn due_ids(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<i64>, StoreError> {
    Ok(outbox::table
        .filter(
            outbox::state
                .eq(QUEUED)
                .and(outbox::next_attempt_at.le(now))
                .or(outbox::state.eq(SENDING).and(outbox::claimed_until.lt(now))),
        )
        .order(outbox::id)
        .limit(limit)
        .select(outbox::id)
        .load(conn)?)
}

/// Takes a row for this sender; false when another sender has it.
pub fn claim(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    now: NaiveDateTime,
    lease: Duration,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        outbox::table.filter(outbox::id.eq(id)).filter(
            outbox::state
                .eq(QUEUED)
                .and(outbox::next_attempt_at.le(now))
                .or(outbox::state.eq(SENDING).and(outbox::claimed_until.lt(now))),
        ),
    )
    .set((
        outbox::state.eq(SENDING),
        outbox::claimed_by.eq(worker),
        outbox::claimed_until.eq(now + lease),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn get(conn: &mut DbConnection, id: i64) -> Result<OutboxRow, StoreError> {
    outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("pesan {id}")))
}

fn finish(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    state: &str,
    error: Option<&str>,
    sent: Option<NaiveDateTime>,
) -> Result<(), StoreError> {
    diesel::update(outbox::table.filter(outbox::id.eq(id).and(outbox::claimed_by.eq(worker))))
        .set((
            outbox::state.eq(state),
            outbox::last_error.eq(error),
            outbox::sent_at.eq(sent),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn mark_sent(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::update(outbox::table.find(id))
        .set(outbox::attempts.eq(outbox::attempts + 1))
        .execute(conn)?;
    finish(conn, id, worker, SENT, None, Some(now))
}

pub fn mark_cancelled(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    why: &str,
) -> Result<(), StoreError> {
    finish(conn, id, worker, CANCELLED, Some(why), None)
}

/// Back to the queue untried until `at`: what it is about waits for
/// Dukcapil's review of an upload.
pub fn postpone(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    at: NaiveDateTime,
    why: &str,
) -> Result<(), StoreError> {
    diesel::update(outbox::table.find(id))
        .set(outbox::next_attempt_at.eq(at))
        .execute(conn)?;
    finish(conn, id, worker, QUEUED, Some(why), None)
}

/// Back to the queue after a failed attempt, or failed for good.
pub fn mark_attempt_failed(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> Result<(), StoreError> {
    diesel::update(outbox::table.find(id))
        .set(outbox::attempts.eq(outbox::attempts + 1))
        .execute(conn)?;
    match retry_at {
        Some(at) => {
            diesel::update(outbox::table.find(id))
                .set(outbox::next_attempt_at.eq(at))
                .execute(conn)?;
            finish(conn, id, worker, QUEUED, Some(error), None)
        }
        None => finish(conn, id, worker, FAILED, Some(error), None),
    }
}

/// Whether any reminder waits for an address: one probe of the
/// `(state, next_attempt_at)` index, so that looking for reminders to send
/// on costs next to nothing when none wait.
pub fn any_undeliverable(conn: &mut DbConnection) -> Result<bool, StoreError> {
    Ok(outbox::table
        .filter(outbox::state.eq(UNDELIVERABLE))
        .select(outbox::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// The reminders waiting for an address, oldest first.
pub fn undeliverable(conn: &mut DbConnection) -> Result<Vec<OutboxRow>, StoreError> {
    Ok(outbox::table
        .filter(outbox::state.eq(UNDELIVERABLE))
        .order(outbox::id)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

/// Occasions whose message carries a single-use link: its body is blanked
/// once sent, so the outbox never keeps a live link.
pub const CARRIES_LINK: &[&str] = &["invitation", "reset"];

/// Replaces a sent message's bodies (the link in them is not kept).
pub fn scrub(conn: &mut DbConnection, id: i64) -> Result<(), StoreError> {
    let gone = "[isi pesan berisi tautan sekali pakai; tidak disimpan setelah terkirim]";
    diesel::update(outbox::table.find(id))
        .set((outbox::body_text.eq(gone), outbox::body_html.eq(gone)))
        .execute(conn)?;
    Ok(())
}

/// Cancels the reminders still waiting to go about one obligation (it was
/// met): queued, failed or undeliverable ones. Returns how many.
pub fn cancel_for(
    conn: &mut DbConnection,
    agreement_id: i64,
    obligation_key: &str,
    why: &str,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        outbox::table
            .filter(outbox::agreement_id.eq(agreement_id))
            .filter(outbox::obligation_key.eq(obligation_key))
            .filter(outbox::state.eq_any([QUEUED, FAILED, UNDELIVERABLE])),
    )
    .set((outbox::state.eq(CANCELLED), outbox::last_error.eq(why)))
    .execute(conn)?)
}

/// Ends an undeliverable row: queued as `m` (which now has a recipient), or
/// cancelled with `why`. Conditional, so that of two senders one does it;
/// true when this one did.
pub fn settle_undeliverable(
    conn: &mut DbConnection,
    id: i64,
    m: Option<&NewMessage>,
    why: &str,
) -> Result<bool, StoreError> {
    let row = outbox::table.filter(outbox::id.eq(id).and(outbox::state.eq(UNDELIVERABLE)));
    let n = match m {
        Some(m) => diesel::update(row)
            .set((
                outbox::dedupe_key.eq(&m.dedupe_key),
                outbox::recipient.eq(&m.recipient),
                outbox::cc.eq(&m.cc),
                outbox::subject.eq(&m.subject),
                outbox::body_text.eq(&m.body_text),
                outbox::body_html.eq(&m.body_html),
                outbox::state.eq(QUEUED),
                outbox::next_attempt_at.eq(m.next_attempt_at),
            ))
            .execute(conn)?,
        None => diesel::update(row)
            .set((outbox::state.eq(CANCELLED), outbox::last_error.eq(why)))
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// How many messages are in each state, of the agreements the reader sees.
pub fn count_by_state(
    conn: &mut DbConnection,
    visible: &super::access::Visibility,
) -> Result<std::collections::BTreeMap<String, i64>, StoreError> {
    let per_state = (outbox::state, diesel::dsl::count_star());
    let rows: Vec<(String, i64)> = if visible.is_all() {
        outbox::table
            .group_by(outbox::state)
            .select(per_state)
            .load(conn)?
    } else {
        let ids: Vec<i64> = visible
            .apply(super::schema::agreements::table.into_boxed())
            .select(super::schema::agreements::id)
            .load(conn)?;
        outbox::table
            .filter(outbox::agreement_id.eq_any(ids))
            .group_by(outbox::state)
            .select(per_state)
            .load(conn)?
    };
    let mut out: std::collections::BTreeMap<String, i64> =
        STATES.iter().map(|s| (s.to_string(), 0)).collect();
    out.extend(rows);
    Ok(out)
}

/// Makes every queued message due now (`remind --flush`).
pub fn flush(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, StoreError> {
    Ok(
        diesel::update(outbox::table.filter(outbox::state.eq(QUEUED)))
            .set(outbox::next_attempt_at.eq(now))
            .execute(conn)?,
    )
}

/// The order a reader works the outbox in: what went wrong first (failed,
/// then waiting for an address), then what is still to go, then the rest.
const URGENCY: &str = "CASE state WHEN 'failed' THEN 0 WHEN 'undeliverable' THEN 1 \
    WHEN 'queued' THEN 2 WHEN 'sending' THEN 3 WHEN 'sent' THEN 4 ELSE 5 END";

/// A page of the outbox in one state (or all), newest first.
pub fn list(
    conn: &mut DbConnection,
    state: Option<&str>,
    visible: &super::access::Visibility,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<OutboxRow>), StoreError> {
    let states: Vec<String> = state.map(str::to_string).into_iter().collect();
    list_in(conn, &states, visible, false, limit, offset)
}

/// A page of the outbox, of the agreements the reader sees; `states` empty
/// is every state. Newest first, or by [`URGENCY`] first when `urgent_first`.
pub fn list_in(
    conn: &mut DbConnection,
    states: &[String],
    visible: &super::access::Visibility,
    urgent_first: bool,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<OutboxRow>), StoreError> {
    // Messages of agreements the reader may not see (and the offices'
    // digests) are left out for a partial view.
    let ids: Option<Vec<i64>> = if visible.is_all() {
        None
    } else {
        Some(
            visible
                .apply(super::schema::agreements::table.into_boxed())
                .select(super::schema::agreements::id)
                .load(conn)?,
        )
    };
    let filtered = || {
        let mut q = outbox::table.into_boxed();
        if !states.is_empty() {
            q = q.filter(outbox::state.eq_any(states.to_vec()));
        }
        if let Some(ids) = &ids {
            q = q.filter(outbox::agreement_id.eq_any(ids.clone()));
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let ordered = if urgent_first {
        filtered().order((
            diesel::dsl::sql::<diesel::sql_types::Integer>(URGENCY),
            outbox::next_attempt_at.asc(),
            outbox::id.desc(),
        ))
    } else {
        filtered().order(outbox::id.desc())
    };
    let rows = ordered
        .limit(limit)
        .offset(offset)
        .select(OutboxRow::as_select())
        .load(conn)?;
    Ok((total, rows))
}

/// Sends a failed message again: queued and due now (one more attempt; the
/// attempts so far stay counted). Conditional on its being failed; true when this call did it.
pub fn requeue_failed(
    conn: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = diesel::update(outbox::table.filter(outbox::id.eq(id).and(outbox::state.eq(FAILED))))
        .set((
            outbox::state.eq(QUEUED),
            outbox::next_attempt_at.eq(now),
            outbox::claimed_by.eq(None::<String>),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}
