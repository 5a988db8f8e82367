//! The audit log: who did what to which sheet, and when.

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::{audit_log, users};
use super::{DbConnection, DbError};
use crate::domain::audit::{actor_label, AuditAction};
use crate::domain::ids::{SheetId, UserId};
use crate::domain::workflow::SheetStatus;

/// One entry to record. `actor` names a user's login or a command (「import」).
pub struct Entry<'a> {
    pub user_id: Option<UserId>,
    pub actor: &'a str,
    pub action: AuditAction,
    pub sheet_id: Option<SheetId>,
    pub from_status: Option<SheetStatus>,
    pub to_status: Option<SheetStatus>,
    pub detail: String,
}

impl<'a> Entry<'a> {
    /// An entry that concerns no sheet (rounds, choices, accounts).
    pub fn general(
        user_id: Option<UserId>,
        actor: &'a str,
        action: AuditAction,
        detail: String,
    ) -> Self {
        Self {
            user_id,
            actor,
            action,
            sheet_id: None,
            from_status: None,
            to_status: None,
            detail,
        }
    }
}

pub fn record(conn: &mut DbConnection, entry: Entry<'_>) -> Result<(), DbError> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(super::now()),
            audit_log::user_id.eq(entry.user_id),
            audit_log::actor.eq(entry.actor),
            audit_log::action.eq(entry.action),
            audit_log::sheet_id.eq(entry.sheet_id),
            audit_log::from_status.eq(entry.from_status),
            audit_log::to_status.eq(entry.to_status),
            audit_log::detail.eq(entry.detail),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable)]
pub struct LoggedEntry {
    pub at: chrono::NaiveDateTime,
    pub actor: String,
    pub action: AuditAction,
    pub from_status: Option<SheetStatus>,
    pub to_status: Option<SheetStatus>,
    pub detail: String,
}

/// A sheet's history, oldest first.
pub fn for_sheet(conn: &mut DbConnection, sheet_id: SheetId) -> Result<Vec<LoggedEntry>, DbError> {
    Ok(audit_log::table
        .filter(audit_log::sheet_id.eq(sheet_id))
        .order(audit_log::id)
        .select((
            audit_log::at,
            audit_log::actor,
            audit_log::action,
            audit_log::from_status,
            audit_log::to_status,
            audit_log::detail,
        ))
        .load(conn)?)
}

/// Who the newest entry of each of `sheets` names: the user's name, or the
/// recorded actor for the system or a command. Two queries, whatever the
/// length of the history.
pub fn last_actors(
    conn: &mut DbConnection,
    sheets: &[SheetId],
) -> Result<HashMap<SheetId, String>, DbError> {
    let newest: Vec<Option<i32>> = audit_log::table
        .filter(audit_log::sheet_id.eq_any(sheets))
        .group_by(audit_log::sheet_id)
        .select(diesel::dsl::max(audit_log::id))
        .load(conn)?;
    let ids: Vec<i32> = newest.into_iter().flatten().collect();
    let rows: Vec<(Option<SheetId>, String, Option<String>)> = audit_log::table
        .left_join(users::table)
        .filter(audit_log::id.eq_any(&ids))
        .select((
            audit_log::sheet_id,
            audit_log::actor,
            users::display_name.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, actor, name)| Some((id?, who(actor, name))))
        .collect())
}

/// The newest entry of a sheet: when it was, and who.
pub fn last_for_sheet(
    conn: &mut DbConnection,
    sheet_id: SheetId,
) -> Result<Option<(chrono::NaiveDateTime, String)>, DbError> {
    let row: Option<(chrono::NaiveDateTime, String, Option<String>)> = audit_log::table
        .left_join(users::table)
        .filter(audit_log::sheet_id.eq(sheet_id))
        .order(audit_log::id.desc())
        .select((
            audit_log::at,
            audit_log::actor,
            users::display_name.nullable(),
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(at, actor, name)| (at, who(actor, name))))
}

/// An entry's actor as users read it: the user's name when it was a user.
fn who(actor: String, name: Option<String>) -> String {
    name.unwrap_or_else(|| actor_label(&actor).to_string())
}

/// The administration history: entries that concern no sheet (accounts,
/// departments, the plan, rounds, choices), newest first, at most `limit`.
pub fn administration(conn: &mut DbConnection, limit: i64) -> Result<Vec<LoggedEntry>, DbError> {
    Ok(audit_log::table
        .filter(audit_log::sheet_id.is_null())
        .order(audit_log::id.desc())
        .limit(limit)
        .select((
            audit_log::at,
            audit_log::actor,
            audit_log::action,
            audit_log::from_status,
            audit_log::to_status,
            audit_log::detail,
        ))
        .load(conn)?)
}
