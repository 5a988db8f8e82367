//! Queries for 所管課: the list, renames, merges.

use diesel::prelude::*;

use super::schema::{departments, initiative_departments, initiatives};
use super::{DbConnection, DbError};
use crate::domain::ids::{DepartmentId, InitiativeId};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = departments)]
pub struct Department {
    pub id: DepartmentId,
    pub name: String,
    pub active: bool,
    pub position: i32,
    pub merged_into: Option<DepartmentId>,
}

/// Every department in list order (inactive ones too).
pub fn all(conn: &mut DbConnection) -> Result<Vec<Department>, DbError> {
    Ok(departments::table
        .order((departments::position, departments::id))
        .select(Department::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: DepartmentId) -> Result<Option<Department>, DbError> {
    Ok(departments::table
        .find(id)
        .select(Department::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_name(conn: &mut DbConnection, name: &str) -> Result<Option<Department>, DbError> {
    Ok(departments::table
        .filter(departments::name.eq(name))
        .select(Department::as_select())
        .first(conn)
        .optional()?)
}

/// Adds a department at the end of the list.
pub fn insert(conn: &mut DbConnection, name: &str) -> Result<DepartmentId, DbError> {
    let last: Option<i32> = departments::table
        .select(diesel::dsl::max(departments::position))
        .first(conn)?;
    Ok(diesel::insert_into(departments::table)
        .values((
            departments::name.eq(name),
            departments::active.eq(true),
            departments::position.eq(last.unwrap_or(0) + 1),
        ))
        .returning(departments::id)
        .get_result(conn)?)
}

pub fn rename(conn: &mut DbConnection, id: DepartmentId, name: &str) -> Result<(), DbError> {
    diesel::update(departments::table.find(id))
        .set(departments::name.eq(name))
        .execute(conn)?;
    Ok(())
}

pub fn set_active(conn: &mut DbConnection, id: DepartmentId, active: bool) -> Result<(), DbError> {
    diesel::update(departments::table.find(id))
        .set(departments::active.eq(active))
        .execute(conn)?;
    Ok(())
}

pub fn set_position(
    conn: &mut DbConnection,
    id: DepartmentId,
    position: i32,
) -> Result<(), DbError> {
    diesel::update(departments::table.find(id))
        .set(departments::position.eq(position))
        .execute(conn)?;
    Ok(())
}

/// How many initiatives name the department as 所管課, and as 関係課.
pub fn usage(conn: &mut DbConnection, id: DepartmentId) -> Result<(i64, i64), DbError> {
    let own = initiatives::table
        .filter(initiatives::department_id.eq(id))
        .count()
        .get_result(conn)?;
    let related = initiative_departments::table
        .filter(initiative_departments::department_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok((own, related))
}

/// Moves every initiative and 関係課 link of `from` to `to`, and marks `from`
/// merged (inactive). A link that would name `to` twice on one initiative
/// (or name its own 所管課 as 関係課) is dropped. Returns (initiatives, links).
pub fn merge(
    conn: &mut DbConnection,
    from: DepartmentId,
    to: DepartmentId,
) -> Result<(usize, usize), DbError> {
    let moved = diesel::update(initiatives::table.filter(initiatives::department_id.eq(from)))
        .set(initiatives::department_id.eq(to))
        .execute(conn)?;
    let links: Vec<(InitiativeId, i32)> = initiative_departments::table
        .filter(initiative_departments::department_id.eq(from))
        .select((
            initiative_departments::initiative_id,
            initiative_departments::position,
        ))
        .load(conn)?;
    let mut relinked = 0;
    for (initiative, position) in links {
        let main: DepartmentId = initiatives::table
            .find(initiative)
            .select(initiatives::department_id)
            .first(conn)?;
        let already: i64 = initiative_departments::table
            .filter(initiative_departments::initiative_id.eq(initiative))
            .filter(initiative_departments::department_id.eq(to))
            .count()
            .get_result(conn)?;
        let link = initiative_departments::table
            .filter(initiative_departments::initiative_id.eq(initiative))
            .filter(initiative_departments::position.eq(position));
        if main == to || already > 0 {
            diesel::delete(link).execute(conn)?;
        } else {
            diesel::update(link)
                .set(initiative_departments::department_id.eq(to))
                .execute(conn)?;
            relinked += 1;
        }
    }
    // The rest (users) is moved by the caller; `from` stays for the history.
    diesel::update(departments::table.find(from))
        .set((
            departments::active.eq(false),
            departments::merged_into.eq(Some(to)),
        ))
        .execute(conn)?;
    Ok((moved, relinked))
}
