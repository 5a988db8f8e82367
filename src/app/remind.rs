//! Deadline reminders: on the reminder days of each open round, and once
//! overdue, to the departments whose sheets in it are not submitted yet.
//! Run by the server's background task and by `hyoka remind`; the key of
//! `reminders_sent` keeps each (sheet, round, kind) to one.

use chrono::NaiveDateTime;

use super::{notify, UseCaseError};
use crate::db::{self, DbConnection, DbError};
use crate::domain::notice::{parse_reminder_days, reminder_due, Audience, DEFAULT_REMINDER_DAYS};
use crate::domain::workflow::{self, Event};

/// Sends the reminders due at `now`; returns how many sheets were reminded.
pub fn run(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, UseCaseError> {
    let today = now.date();
    let mut sent = 0;
    for round in db::reminder::open_rounds(conn)? {
        let Some(deadline) = round.deadline else {
            continue;
        };
        let days = parse_reminder_days(&round.reminder_days)
            .or_else(|_| parse_reminder_days(DEFAULT_REMINDER_DAYS))
            .unwrap_or_default();
        let Some(reminder) = reminder_due(deadline, &days, today) else {
            continue;
        };
        let entries = db::sheet::list_for_year(conn, round.plan_id, round.fiscal_year)?;
        // Still to submit in this round: the workflow would take a 提出.
        let waiting = entries
            .iter()
            .filter(|e| workflow::next(e.status, Event::Submit, Some(round.kind)).is_ok());
        for entry in waiting {
            let told = db::write_tx(conn, |conn| -> Result<bool, DbError> {
                if !db::reminder::claim(conn, entry.sheet_id, round.id, &reminder.key(), now)? {
                    return Ok(false);
                }
                let Some(sheet) = db::sheet::load(conn, entry.sheet_id)? else {
                    return Ok(false);
                };
                let notice = reminder.notice(&notify::title(&sheet), deadline);
                notify::tell_sheet(conn, &sheet, Audience::Department, &notice)?;
                Ok(true)
            })?;
            sent += usize::from(told);
        }
    }
    Ok(sent)
}
