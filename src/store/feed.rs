//! The calendar subscription: each user's secret feed token (kept only as
//! its SHA-256) and the date and SEQUENCE each calendar event was last
//! served with.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::db::insert_rows;
use super::schema::{feed_events, feed_tokens};
use super::{now, quiet_tx, DbConnection, StoreError};

/// Stores `token_hash` as the user's feed token, replacing the one before
/// (inside the caller's transaction).
pub fn replace_token(
    c: &mut DbConnection,
    user_id: i64,
    token_hash: &str,
) -> Result<(), StoreError> {
    diesel::delete(feed_tokens::table.find(user_id)).execute(c)?;
    diesel::insert_into(feed_tokens::table)
        .values((
            feed_tokens::user_id.eq(user_id),
            feed_tokens::token_hash.eq(token_hash),
            feed_tokens::created_at.eq(now()),
        ))
        .execute(c)?;
    Ok(())
}

/// Revokes the user's feed token (inside the caller's transaction); whether
/// there was one.
pub fn revoke_token(c: &mut DbConnection, user_id: i64) -> Result<bool, StoreError> {
    Ok(diesel::delete(feed_tokens::table.find(user_id)).execute(c)? > 0)
}

/// When the user's current feed token was made, if there is one.
pub fn token_issued(
    conn: &mut DbConnection,
    user_id: i64,
) -> Result<Option<NaiveDateTime>, StoreError> {
    Ok(feed_tokens::table
        .find(user_id)
        .select(feed_tokens::created_at)
        .first(conn)
        .optional()?)
}

/// The user whose feed token has this hash.
pub fn token_owner(conn: &mut DbConnection, token_hash: &str) -> Result<Option<i64>, StoreError> {
    Ok(feed_tokens::table
        .filter(feed_tokens::token_hash.eq(token_hash))
        .select(feed_tokens::user_id)
        .first(conn)
        .optional()?)
}

/// Above this many events the whole table is read at once rather than by
/// lists of uids.
const READ_ALL_ABOVE: usize = 20_000;
const UIDS_PER_QUERY: usize = 500;

fn stored(
    conn: &mut DbConnection,
    uids: &[&String],
) -> Result<HashMap<String, (NaiveDate, i32)>, StoreError> {
    let select = (feed_events::uid, feed_events::due_on, feed_events::sequence);
    let rows: Vec<(String, NaiveDate, i32)> = if uids.len() > READ_ALL_ABOVE {
        feed_events::table.select(select).load(conn)?
    } else {
        let mut rows = vec![];
        for chunk in uids.chunks(UIDS_PER_QUERY) {
            rows.extend(
                feed_events::table
                    .filter(feed_events::uid.eq_any(chunk.iter().map(|u| u.as_str())))
                    .select(select)
                    .load::<(String, NaiveDate, i32)>(conn)?,
            );
        }
        rows
    };
    Ok(rows.into_iter().map(|(u, d, s)| (u, (d, s))).collect())
}

/// The SEQUENCE of each event (uid, date) about to be served: 0 for an
/// event served for the first time, one more than before when its date
/// differs from the date it was last served with. Writes only when
/// something is new or moved.
pub fn sequences(
    conn: &mut DbConnection,
    events: &[(String, NaiveDate)],
) -> Result<HashMap<String, i32>, StoreError> {
    let wanted: HashMap<&String, NaiveDate> = events.iter().map(|(u, d)| (u, *d)).collect();
    let uids: Vec<&String> = wanted.keys().copied().collect();
    let current = |stored: &HashMap<String, (NaiveDate, i32)>| {
        wanted
            .iter()
            .all(|(u, d)| stored.get(*u).is_some_and(|(sd, _)| sd == d))
    };
    let before = stored(conn, &uids)?;
    if current(&before) {
        return Ok(before.into_iter().map(|(u, (_, s))| (u, s)).collect());
    }
    quiet_tx(conn, |c| {
        let before = stored(c, &uids)?;
        let ts = now();
        let mut out = HashMap::with_capacity(wanted.len());
        let mut new_rows = vec![];
        for (uid, date) in &wanted {
            match before.get(*uid) {
                Some((d, s)) if d == date => {
                    out.insert((*uid).clone(), *s);
                }
                Some((_, s)) => {
                    // Set, not incremented: two feeds served at once agree.
                    diesel::update(
                        feed_events::table
                            .find(uid.as_str())
                            .filter(feed_events::sequence.eq(*s)),
                    )
                    .set((
                        feed_events::due_on.eq(*date),
                        feed_events::sequence.eq(s + 1),
                        feed_events::updated_at.eq(ts),
                    ))
                    .execute(c)?;
                    out.insert((*uid).clone(), s + 1);
                }
                None => {
                    new_rows.push((
                        feed_events::uid.eq((*uid).clone()),
                        feed_events::due_on.eq(*date),
                        feed_events::sequence.eq(0),
                        feed_events::updated_at.eq(ts),
                    ));
                    out.insert((*uid).clone(), 0);
                }
            }
        }
        insert_rows!(c, feed_events::table, new_rows)?;
        Ok(out)
    })
}
