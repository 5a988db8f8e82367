//! Server-side sessions: one row per logged-in browser, found by the hash of
//! the id its cookie carries. A browser whose row is gone is logged out.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::OneRow;

use super::schema::{sessions, users};
use super::user::UserRow;
use super::{DbConnection, DbError};
use crate::domain::ids::UserId;
use crate::domain::session::SessionKeyHash;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub key_hash: SessionKeyHash,
    pub user_id: UserId,
    /// The rest of the session's state, as JSON.
    pub data: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    /// The absolute end, fixed at login.
    pub expires_at: NaiveDateTime,
    pub user_agent: String,
    pub address: String,
}

pub fn find(
    conn: &mut DbConnection,
    key_hash: &SessionKeyHash,
) -> Result<Option<SessionRow>, DbError> {
    Ok(sessions::table
        .find(key_hash)
        .select(SessionRow::as_select())
        .one_row(conn)?)
}

/// The session with its user, in one query, and the user's unread お知らせ
/// for the header: every logged-in request asks for all three, so they come
/// on one connection checkout.
pub fn find_with_user(
    conn: &mut DbConnection,
    key_hash: &SessionKeyHash,
) -> Result<Option<(SessionRow, UserRow, i64)>, DbError> {
    super::read_tx(conn, |conn| {
        let found: Option<(SessionRow, UserRow)> = sessions::table
            .inner_join(users::table)
            .filter(sessions::key_hash.eq(key_hash))
            .select((SessionRow::as_select(), UserRow::as_select()))
            .one_row(conn)?;
        let Some((session, user)) = found else {
            return Ok(None);
        };
        let unread = super::notice::unread_count(conn, user.id)?;
        Ok(Some((session, user, unread)))
    })
}

pub fn insert(conn: &mut DbConnection, row: &SessionRow) -> Result<(), DbError> {
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Stores a request's changes to a session (its state, when it was last
/// used). False when the row is gone: a session ended meanwhile stays ended.
pub fn update(conn: &mut DbConnection, row: &SessionRow) -> Result<bool, DbError> {
    let n = diesel::update(
        sessions::table
            .find(&row.key_hash)
            .filter(sessions::user_id.eq(row.user_id)),
    )
    .set((
        sessions::data.eq(&row.data),
        sessions::last_seen_at.eq(row.last_seen_at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn delete(conn: &mut DbConnection, key_hash: &SessionKeyHash) -> Result<(), DbError> {
    diesel::delete(sessions::table.find(key_hash)).execute(conn)?;
    Ok(())
}

/// Ends every session of a user; returns how many there were.
pub fn delete_for_user(conn: &mut DbConnection, user_id: UserId) -> Result<usize, DbError> {
    Ok(diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?)
}

/// Ends every session of a user but `keep`; returns how many there were.
pub fn delete_others(
    conn: &mut DbConnection,
    user_id: UserId,
    keep: &SessionKeyHash,
) -> Result<usize, DbError> {
    Ok(diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::key_hash.ne(keep)),
    )
    .execute(conn)?)
}

/// The moment by which a session has ended by time: past its absolute end,
/// or unused for the idle timeout (the rule `web::session` applies to every
/// request, here for rows that no request has come for).
#[derive(Debug, Clone, Copy)]
pub struct Ended {
    now: NaiveDateTime,
    idle_cutoff: NaiveDateTime,
}

impl Ended {
    pub fn now_with_idle(idle: std::time::Duration) -> Self {
        let now = super::now();
        let idle = chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::MAX);
        Self {
            now,
            idle_cutoff: now.checked_sub_signed(idle).unwrap_or(NaiveDateTime::MIN),
        }
    }
}

#[diesel::dsl::auto_type]
fn ended(by: Ended) -> _ {
    let now: NaiveDateTime = by.now;
    let idle_cutoff: NaiveDateTime = by.idle_cutoff;
    sessions::expires_at
        .lt(now)
        .or(sessions::last_seen_at.lt(idle_cutoff))
}

/// Removes sessions that have ended by time.
pub fn delete_ended(conn: &mut DbConnection, by: Ended) -> Result<usize, DbError> {
    Ok(diesel::delete(sessions::table.filter(ended(by))).execute(conn)?)
}

/// A user's sessions that have not ended, the most recently used first.
pub fn live_for_user(
    conn: &mut DbConnection,
    user_id: UserId,
    by: Ended,
) -> Result<Vec<SessionRow>, DbError> {
    Ok(sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(diesel::dsl::not(ended(by)))
        .order((sessions::last_seen_at.desc(), sessions::created_at.desc()))
        .select(SessionRow::as_select())
        .load(conn)?)
}
