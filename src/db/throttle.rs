//! Login throttling per key (a login id or a client address): the key's lock
//! and failure count (`login_throttle`) and the attempts counted against it
//! (`login_attempts`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{login_attempts, login_throttle};
use super::{DbConnection, DbError};

#[derive(Debug, Clone, Queryable)]
pub struct ThrottleRow {
    pub key: String,
    pub failures: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub last_failure_at: NaiveDateTime,
}

/// The key's row, made if missing, held until the transaction ends so that
/// attempts against one key are decided one after another. Call it inside
/// `db::write_tx`.
pub fn hold(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
) -> Result<ThrottleRow, DbError> {
    let fresh = (
        login_throttle::key.eq(key),
        login_throttle::failures.eq(0),
        login_throttle::locked_until.eq(None::<NaiveDateTime>),
        login_throttle::last_failure_at.eq(now),
    );
    let row = match conn {
        // An upsert that changes nothing but locks the row, in one statement:
        // a separate SELECT … FOR UPDATE could find the row gone when a
        // successful login clears it in between.
        DbConnection::Pg(c) => diesel::insert_into(login_throttle::table)
            .values(fresh)
            .on_conflict(login_throttle::key)
            .do_update()
            .set(login_throttle::failures.eq(login_throttle::failures))
            .get_result(c)?,
        // BEGIN IMMEDIATE (`db::write_tx`) already lets one writer in at a time.
        DbConnection::Sqlite(c) => {
            diesel::insert_or_ignore_into(login_throttle::table)
                .values(fresh)
                .execute(c)?;
            login_throttle::table.find(key).first(c)?
        }
    };
    Ok(row)
}

/// Forgets the key's attempts made at or before `since` (out of its window).
pub fn forget_before(
    conn: &mut DbConnection,
    key: &str,
    since: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::delete(
        login_attempts::table
            .filter(login_attempts::key.eq(key))
            .filter(login_attempts::attempted_at.le(since)),
    )
    .execute(conn)?;
    Ok(())
}

/// How many attempts are counted against the key.
pub fn attempts(conn: &mut DbConnection, key: &str) -> Result<i32, DbError> {
    let n: i64 = login_attempts::table
        .filter(login_attempts::key.eq(key))
        .count()
        .get_result(conn)?;
    Ok(i32::try_from(n).unwrap_or(i32::MAX))
}

/// Counts one more attempt against the key, with the failures and lock it
/// leads to.
pub fn record_attempt(
    conn: &mut DbConnection,
    key: &str,
    failures: i32,
    locked_until: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::key.eq(key),
            login_attempts::attempted_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(login_throttle::table.find(key))
        .set((
            login_throttle::failures.eq(failures),
            login_throttle::locked_until.eq(locked_until),
            login_throttle::last_failure_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets the key's failures and lifts its lock; true if it had any.
pub fn clear(conn: &mut DbConnection, key: &str) -> Result<bool, DbError> {
    diesel::delete(login_attempts::table.filter(login_attempts::key.eq(key))).execute(conn)?;
    Ok(diesel::delete(login_throttle::table.find(key)).execute(conn)? > 0)
}

/// Every key with failures, newest first (the admin's view).
pub fn list(conn: &mut DbConnection) -> Result<Vec<ThrottleRow>, DbError> {
    Ok(login_throttle::table
        .order(login_throttle::last_failure_at.desc())
        .load(conn)?)
}
