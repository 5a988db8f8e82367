//! Forms posted after the session expired, kept until the user logs in again.

use diesel::prelude::*;

use super::schema::pending_drafts;
use super::{DbConnection, DbError};
use crate::domain::ids::SheetId;

/// Drafts older than this are dropped.
const KEEP_HOURS: i64 = 72;

pub fn store(
    conn: &mut DbConnection,
    token: &str,
    sheet_id: SheetId,
    form: &str,
) -> Result<(), DbError> {
    let cutoff = super::now() - chrono::Duration::hours(KEEP_HOURS);
    diesel::delete(pending_drafts::table.filter(pending_drafts::created_at.lt(cutoff)))
        .execute(conn)?;
    diesel::insert_into(pending_drafts::table)
        .values((
            pending_drafts::token.eq(token),
            pending_drafts::sheet_id.eq(sheet_id),
            pending_drafts::form.eq(form),
            pending_drafts::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The stored form for this sheet, if the token is known.
pub fn find(
    conn: &mut DbConnection,
    token: &str,
    sheet_id: SheetId,
) -> Result<Option<String>, DbError> {
    Ok(pending_drafts::table
        .find(token)
        .filter(pending_drafts::sheet_id.eq(sheet_id))
        .select(pending_drafts::form)
        .first(conn)
        .optional()?)
}

pub fn remove(conn: &mut DbConnection, token: &str) -> Result<(), DbError> {
    diesel::delete(pending_drafts::table.find(token)).execute(conn)?;
    Ok(())
}
