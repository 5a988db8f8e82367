//! Queries for user accounts.

use diesel::prelude::*;

use super::schema::{departments, users};
use super::{DbConnection, DbError};
use crate::domain::ids::{DepartmentId, UserId};
use crate::domain::permission::{Actor, Role};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
    pub password_hash: String,
    pub active: bool,
}

impl UserRow {
    pub fn actor(&self) -> Option<Actor> {
        Some(Actor {
            user_id: self.id,
            login: self.login.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            department_id: self.department_id,
        })
    }
}

pub fn find_by_login(conn: &mut DbConnection, login: &str) -> Result<Option<UserRow>, DbError> {
    Ok(users::table
        .filter(users::login.eq(login))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut DbConnection, id: UserId) -> Result<Option<UserRow>, DbError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub struct NewUser<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
    pub password_hash: &'a str,
}

pub fn insert(conn: &mut DbConnection, user: NewUser<'_>) -> Result<UserId, DbError> {
    if find_by_login(conn, user.login)?.is_some() {
        return Err(DbError::Conflict(format!(
            "ログインID「{}」は既に使われています",
            user.login
        )));
    }
    Ok(diesel::insert_into(users::table)
        .values((
            users::login.eq(user.login),
            users::display_name.eq(user.display_name),
            users::role.eq(user.role),
            users::department_id.eq(user.department_id),
            users::password_hash.eq(user.password_hash),
            users::active.eq(true),
            users::failed_logins.eq(0),
            users::created_at.eq(super::now()),
        ))
        .returning(users::id)
        .get_result(conn)?)
}

pub fn set_password(conn: &mut DbConnection, login: &str, hash: &str) -> Result<bool, DbError> {
    let n = diesel::update(users::table.filter(users::login.eq(login)))
        .set(users::password_hash.eq(hash))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn set_active(conn: &mut DbConnection, id: UserId, active: bool) -> Result<bool, DbError> {
    let n = diesel::update(users::table.find(id))
        .set(users::active.eq(active))
        .execute(conn)?;
    Ok(n == 1)
}

/// A user as listed for administrators.
#[derive(Debug, Clone, Queryable)]
pub struct UserListing {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub department: Option<String>,
    pub active: bool,
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<UserListing>, DbError> {
    Ok(users::table
        .left_join(departments::table)
        .order(users::login)
        .select((
            users::id,
            users::login,
            users::display_name,
            users::role,
            departments::name.nullable(),
            users::active,
        ))
        .load(conn)?)
}

pub fn count(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(users::table.count().get_result(conn)?)
}

/// The user's e-mail address and whether they turned mail off.
pub fn mail_setting(
    conn: &mut DbConnection,
    id: UserId,
) -> Result<Option<(Option<String>, bool)>, DbError> {
    Ok(users::table
        .find(id)
        .select((users::email, users::mail_opt_out))
        .first(conn)
        .optional()?)
}

pub fn set_mail_opt_out(conn: &mut DbConnection, id: UserId, off: bool) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set(users::mail_opt_out.eq(off))
        .execute(conn)?;
    Ok(())
}
