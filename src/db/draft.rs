//! Forms posted after the session expired, kept for their owner until they
//! log in again. The rules (who may leave one, how many) are in
//! `app::draft`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::OneRow;

use super::schema::pending_drafts;
use super::{DbConnection, DbError};
use crate::domain::draft::DraftToken;
use crate::domain::ids::{SheetId, UserId};

/// Drops the drafts kept since before `cutoff`.
pub fn delete_older_than(conn: &mut DbConnection, cutoff: NaiveDateTime) -> Result<(), DbError> {
    diesel::delete(pending_drafts::table.filter(pending_drafts::created_at.lt(cutoff)))
        .execute(conn)?;
    Ok(())
}

/// How many drafts are kept for `owner`.
pub fn count_for(conn: &mut DbConnection, owner: UserId) -> Result<i64, DbError> {
    Ok(pending_drafts::table
        .filter(pending_drafts::owner_id.eq(owner))
        .count()
        .get_result(conn)?)
}

/// How many drafts are kept in all.
pub fn count_all(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(pending_drafts::table.count().get_result(conn)?)
}

/// Keeps `form` (stored as JSON) under `token` for `owner`.
pub fn insert(
    conn: &mut DbConnection,
    token: &DraftToken,
    owner: UserId,
    sheet_id: SheetId,
    form: &[(String, String)],
) -> Result<(), DbError> {
    let form = serde_json::to_string(form).map_err(|e| DbError::Config(e.to_string()))?;
    diesel::insert_into(pending_drafts::table)
        .values((
            pending_drafts::token.eq(token.as_str()),
            pending_drafts::owner_id.eq(owner),
            pending_drafts::sheet_id.eq(sheet_id),
            pending_drafts::form.eq(&form),
            pending_drafts::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The form kept under `token` for this sheet, if it is `owner`'s.
pub fn find(
    conn: &mut DbConnection,
    token: &DraftToken,
    owner: UserId,
    sheet_id: SheetId,
) -> Result<Option<Vec<(String, String)>>, DbError> {
    let json: Option<String> = pending_drafts::table
        .find(token.as_str())
        .filter(pending_drafts::owner_id.eq(owner))
        .filter(pending_drafts::sheet_id.eq(sheet_id))
        .select(pending_drafts::form)
        .one_row(conn)?;
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

/// Removes `owner`'s draft `token` (once it has been saved).
pub fn remove(conn: &mut DbConnection, token: &DraftToken, owner: UserId) -> Result<(), DbError> {
    diesel::delete(
        pending_drafts::table
            .find(token.as_str())
            .filter(pending_drafts::owner_id.eq(owner)),
    )
    .execute(conn)?;
    Ok(())
}
