//! Comments on a sheet, with their author.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{comments, users};
use super::{DbConnection, DbError};
use crate::domain::ids::{CommentId, SheetId, UserId};
use crate::domain::permission::Role;

#[derive(Debug, Clone, Queryable)]
pub struct CommentRow {
    pub id: CommentId,
    pub sheet_id: SheetId,
    /// A field registry key; None for the whole sheet.
    pub field: Option<String>,
    pub parent_id: Option<CommentId>,
    pub author_id: UserId,
    pub author_name: String,
    pub author_role: Role,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub resolved_at: Option<NaiveDateTime>,
}

pub struct NewComment<'a> {
    pub sheet_id: SheetId,
    pub field: Option<&'a str>,
    pub parent_id: Option<CommentId>,
    pub author_id: UserId,
    pub body: &'a str,
}

pub fn insert(
    conn: &mut DbConnection,
    new: &NewComment<'_>,
    now: NaiveDateTime,
) -> Result<CommentId, DbError> {
    Ok(diesel::insert_into(comments::table)
        .values((
            comments::sheet_id.eq(new.sheet_id),
            comments::field.eq(new.field),
            comments::parent_id.eq(new.parent_id),
            comments::author_id.eq(new.author_id),
            comments::body.eq(new.body),
            comments::created_at.eq(now),
        ))
        .returning(comments::id)
        .get_result(conn)?)
}

type Columns = (
    comments::id,
    comments::sheet_id,
    comments::field,
    comments::parent_id,
    comments::author_id,
    users::display_name,
    users::role,
    comments::body,
    comments::created_at,
    comments::resolved_at,
);

const COLUMNS: Columns = (
    comments::id,
    comments::sheet_id,
    comments::field,
    comments::parent_id,
    comments::author_id,
    users::display_name,
    users::role,
    comments::body,
    comments::created_at,
    comments::resolved_at,
);

/// A sheet's comments, oldest first.
pub fn for_sheet(conn: &mut DbConnection, sheet_id: SheetId) -> Result<Vec<CommentRow>, DbError> {
    Ok(comments::table
        .inner_join(users::table.on(users::id.eq(comments::author_id)))
        .filter(comments::sheet_id.eq(sheet_id))
        .order(comments::id)
        .select(COLUMNS)
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: CommentId) -> Result<Option<CommentRow>, DbError> {
    Ok(comments::table
        .inner_join(users::table.on(users::id.eq(comments::author_id)))
        .filter(comments::id.eq(id))
        .select(COLUMNS)
        .first(conn)
        .optional()?)
}

/// Marks a comment 解決済; false when it already was.
pub fn resolve(
    conn: &mut DbConnection,
    id: CommentId,
    by: UserId,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    Ok(diesel::update(
        comments::table
            .filter(comments::id.eq(id))
            .filter(comments::resolved_at.is_null()),
    )
    .set((
        comments::resolved_at.eq(Some(now)),
        comments::resolved_by.eq(Some(by)),
    ))
    .execute(conn)?
        == 1)
}
