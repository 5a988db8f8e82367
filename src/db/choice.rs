//! Dropdown choices that HQ edits.

use diesel::prelude::*;

use super::schema::choices;
use super::{DbConnection, DbError};
use crate::domain::field::ChoiceList;
use crate::domain::form::Choices;
use crate::domain::ids::ChoiceId;

/// The active choices of every list.
pub fn active(conn: &mut DbConnection) -> Result<Choices, DbError> {
    let rows: Vec<(ChoiceList, String)> = choices::table
        .filter(choices::active.eq(true))
        .order((choices::list, choices::position, choices::id))
        .select((choices::list, choices::value))
        .load(conn)?;
    let mut c = Choices::default();
    for (list, value) in rows {
        c.push(list, value);
    }
    Ok(c)
}

#[derive(Debug, Clone, Queryable)]
pub struct ChoiceRow {
    pub id: ChoiceId,
    pub list: ChoiceList,
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

pub fn add(conn: &mut DbConnection, list: ChoiceList, value: &str) -> Result<(), DbError> {
    let existing: Option<ChoiceId> = choices::table
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

pub fn set_active(conn: &mut DbConnection, id: ChoiceId, active: bool) -> Result<bool, DbError> {
    Ok(diesel::update(choices::table.find(id))
        .set(choices::active.eq(active))
        .execute(conn)?
        == 1)
}
