//! Reminders already sent: the (sheet, round, kind) key makes a second one
//! impossible, on one server or two.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::round::RoundRow;
use super::schema::{reminders_sent, rounds};
use super::{DbConnection, DbError};
use crate::domain::ids::{RoundId, SheetId};
use crate::domain::round::RoundStatus;

/// Open rounds that have a deadline.
pub fn open_rounds(conn: &mut DbConnection) -> Result<Vec<RoundRow>, DbError> {
    Ok(rounds::table
        .filter(rounds::status.eq(RoundStatus::Open))
        .filter(rounds::deadline.is_not_null())
        .order(rounds::id)
        .load(conn)?)
}

/// Claims the reminder `kind` of a sheet in a round: true when this call
/// recorded it, false when it was sent before. Runs in a savepoint so a
/// refused insert leaves the caller's transaction usable on PostgreSQL.
pub fn claim(
    conn: &mut DbConnection,
    sheet_id: SheetId,
    round_id: RoundId,
    kind: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(reminders_sent::table)
            .values((
                reminders_sent::sheet_id.eq(sheet_id),
                reminders_sent::round_id.eq(round_id),
                reminders_sent::kind.eq(kind),
                reminders_sent::sent_at.eq(now),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Sets a round's reminder days (「3,1」).
pub fn set_days(conn: &mut DbConnection, round_id: RoundId, days: &str) -> Result<bool, DbError> {
    Ok(diesel::update(rounds::table.find(round_id))
        .set(rounds::reminder_days.eq(days))
        .execute(conn)?
        == 1)
}
