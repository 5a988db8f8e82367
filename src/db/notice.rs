//! Notifications (お知らせ) and who receives them; each one that should also
//! go by mail is put into the outbox in the same transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{notifications, outbox, sheets, users};
use super::{DbConnection, DbError};
use crate::domain::ids::{DepartmentId, NotificationId, SheetId, UserId};
use crate::domain::notice::{Audience, Notice, OutboxStatus};
use crate::domain::permission::Role;

/// One person to tell, with the address to mail when they want mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: UserId,
    pub email: Option<String>,
}

/// The active accounts of one side of a sheet of `department`.
pub fn recipients(
    conn: &mut DbConnection,
    audience: Audience,
    department: DepartmentId,
) -> Result<Vec<Recipient>, DbError> {
    let query = users::table
        .filter(users::active.eq(true))
        .select((users::id, users::email, users::mail_opt_out))
        .order(users::id)
        .into_boxed();
    let query = match audience {
        Audience::Hq => query.filter(users::role.eq(Role::Hq)),
        Audience::Department => query
            .filter(users::role.eq(Role::Staff))
            .filter(users::department_id.eq(department)),
    };
    let rows: Vec<(UserId, Option<String>, bool)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(user_id, email, opt_out)| Recipient {
            user_id,
            email: email
                .map(|e| e.trim().to_string())
                .filter(|e| !e.is_empty() && !opt_out),
        })
        .collect())
}

/// Tells each recipient: a notification, and a mail in the outbox for those
/// with an address. Call inside the action's transaction.
pub fn deliver(
    conn: &mut DbConnection,
    to: &[Recipient],
    sheet_id: Option<SheetId>,
    notice: &Notice,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let link = sheet_id.map_or("/notifications".to_string(), |id| format!("/sheets/{id}"));
    for recipient in to {
        diesel::insert_into(notifications::table)
            .values((
                notifications::user_id.eq(recipient.user_id),
                notifications::sheet_id.eq(sheet_id),
                notifications::message.eq(&notice.message),
                notifications::created_at.eq(now),
            ))
            .execute(conn)?;
        let Some(address) = &recipient.email else {
            continue;
        };
        diesel::insert_into(outbox::table)
            .values((
                outbox::recipient.eq(address),
                outbox::subject.eq(format!("【行革プラン】{}", notice.message)),
                outbox::body.eq(&notice.body),
                outbox::link.eq(&link),
                outbox::status.eq(OutboxStatus::Pending),
                outbox::next_attempt_at.eq(now),
                outbox::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable)]
pub struct NotificationRow {
    pub id: NotificationId,
    pub sheet_id: Option<SheetId>,
    pub message: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

/// A user's newest notifications (only their own: the query asks by user).
pub fn for_user(
    conn: &mut DbConnection,
    user: UserId,
    limit: i64,
) -> Result<Vec<NotificationRow>, DbError> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user))
        .order(notifications::id.desc())
        .limit(limit)
        .select((
            notifications::id,
            notifications::sheet_id,
            notifications::message,
            notifications::created_at,
            notifications::read_at,
        ))
        .load(conn)?)
}

pub fn unread_count(conn: &mut DbConnection, user: UserId) -> Result<i64, DbError> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks one of the user's notifications read; the sheet it points at, if
/// it was the user's (None for another user's id).
pub fn mark_read(
    conn: &mut DbConnection,
    user: UserId,
    id: NotificationId,
    now: NaiveDateTime,
) -> Result<Option<Option<SheetId>>, DbError> {
    let target = notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::user_id.eq(user));
    let sheet: Option<Option<SheetId>> = target
        .select(notifications::sheet_id)
        .first(conn)
        .optional()?;
    if sheet.is_some() {
        diesel::update(target.filter(notifications::read_at.is_null()))
            .set(notifications::read_at.eq(Some(now)))
            .execute(conn)?;
    }
    Ok(sheet)
}

pub fn mark_all_read(
    conn: &mut DbConnection,
    user: UserId,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(Some(now)))
    .execute(conn)?)
}

/// Departments with a sheet in `year` (to tell of a round).
pub fn departments_with_sheets(
    conn: &mut DbConnection,
    year: crate::domain::fiscal_year::FiscalYear,
) -> Result<Vec<DepartmentId>, DbError> {
    use super::schema::initiatives;
    let mut ids: Vec<DepartmentId> = sheets::table
        .inner_join(initiatives::table)
        .filter(sheets::fiscal_year.eq(year))
        .select(initiatives::department_id)
        .distinct()
        .load(conn)?;
    ids.sort();
    Ok(ids)
}
