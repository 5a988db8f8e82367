//! Dropdown choices that HQ edits.

use diesel::prelude::*;

use super::schema::choices;
use super::{DbConnection, DbError};
use crate::domain::form::Choices;

/// The lists HQ edits, with their Japanese names.
pub const LISTS: &[(&str, &str)] = &[
    ("progress", "進捗状況"),
    ("evaluation", "所管課評価・推進本部評価"),
    ("method", "評価方法"),
    ("schedule", "取組項目の予定"),
];

/// The active choices of every list.
pub fn active(conn: &mut DbConnection) -> Result<Choices, DbError> {
    let rows: Vec<(String, String)> = choices::table
        .filter(choices::active.eq(true))
        .order((choices::list, choices::position, choices::id))
        .select((choices::list, choices::value))
        .load(conn)?;
    let mut c = Choices::default();
    for (list, value) in rows {
        match list.as_str() {
            "progress" => c.progress.push(value),
            "evaluation" => c.evaluation.push(value),
            "method" => c.method.push(value),
            "schedule" => c.schedule.push(value),
            _ => {}
        }
    }
    Ok(c)
}

#[derive(Debug, Clone, Queryable)]
pub struct ChoiceRow {
    pub id: i32,
    pub list: String,
    pub position: i32,
    pub value: String,
    pub active: bool,
}

pub fn all(conn: &mut DbConnection) -> Result<Vec<ChoiceRow>, DbError> {
    Ok(choices::table
        .order((choices::list, choices::position, choices::id))
        .select((
            choices::id,
            choices::list,
            choices::position,
            choices::value,
            choices::active,
        ))
        .load(conn)?)
}

pub fn add(conn: &mut DbConnection, list: &str, value: &str) -> Result<(), DbError> {
    let existing: Option<i32> = choices::table
        .filter(choices::list.eq(list))
        .filter(choices::value.eq(value))
        .select(choices::id)
        .first(conn)
        .optional()?;
    if let Some(id) = existing {
        set_active(conn, id, true)?;
        return Ok(());
    }
    let max: Option<i32> = choices::table
        .filter(choices::list.eq(list))
        .select(diesel::dsl::max(choices::position))
        .first(conn)?;
    diesel::insert_into(choices::table)
        .values((
            choices::list.eq(list),
            choices::position.eq(max.unwrap_or(0) + 1),
            choices::value.eq(value),
            choices::active.eq(true),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_active(conn: &mut DbConnection, id: i32, active: bool) -> Result<bool, DbError> {
    Ok(diesel::update(choices::table.find(id))
        .set(choices::active.eq(active))
        .execute(conn)?
        == 1)
}
