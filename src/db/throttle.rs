//! Failed logins per login id and per client address, with the lock they earn.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::login_throttle;
use super::{DbConnection, DbError};

#[derive(Debug, Clone, Queryable)]
pub struct ThrottleRow {
    pub key: String,
    pub failures: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub last_failure_at: NaiveDateTime,
}

pub fn get(conn: &mut DbConnection, key: &str) -> Result<Option<ThrottleRow>, DbError> {
    Ok(login_throttle::table.find(key).first(conn).optional()?)
}

/// Records one more failure and the lock it leads to.
pub fn record_failure(
    conn: &mut DbConnection,
    key: &str,
    failures: i32,
    locked_until: Option<NaiveDateTime>,
) -> Result<(), DbError> {
    let now = super::now();
    let updated = diesel::update(login_throttle::table.find(key))
        .set((
            login_throttle::failures.eq(failures),
            login_throttle::locked_until.eq(locked_until),
            login_throttle::last_failure_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::key.eq(key),
                login_throttle::failures.eq(failures),
                login_throttle::locked_until.eq(locked_until),
                login_throttle::last_failure_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn clear(conn: &mut DbConnection, key: &str) -> Result<bool, DbError> {
    Ok(diesel::delete(login_throttle::table.find(key)).execute(conn)? > 0)
}

/// Every key with failures, newest first (the admin's view).
pub fn list(conn: &mut DbConnection) -> Result<Vec<ThrottleRow>, DbError> {
    Ok(login_throttle::table
        .order(login_throttle::last_failure_at.desc())
        .load(conn)?)
}
