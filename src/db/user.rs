//! Queries for user accounts.

use diesel::prelude::*;

use super::OneRow;

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
    pub email: Option<String>,
    /// Set by an administrator's reset: the next page is 「パスワードの変更」.
    pub must_change_password: bool,
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
        .one_row(conn)?)
}

pub fn find(conn: &mut DbConnection, id: UserId) -> Result<Option<UserRow>, DbError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .one_row(conn)?)
}

pub struct NewUser<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
    pub password_hash: &'a str,
    pub email: Option<&'a str>,
    /// A one-time password: the user chooses their own at first login.
    pub must_change_password: bool,
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
            users::email.eq(user.email),
            users::must_change_password.eq(user.must_change_password),
            users::active.eq(true),
            users::failed_logins.eq(0),
            users::created_at.eq(super::now()),
        ))
        .returning(users::id)
        .get_result(conn)?)
}

/// Sets the user's own (new) password; a one-time password is no longer due.
pub fn set_password(conn: &mut DbConnection, login: &str, hash: &str) -> Result<bool, DbError> {
    let n = diesel::update(users::table.filter(users::login.eq(login)))
        .set((
            users::password_hash.eq(hash),
            users::must_change_password.eq(false),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Gives the account a one-time password the user must replace at login.
pub fn set_one_time_password(
    conn: &mut DbConnection,
    id: UserId,
    hash: &str,
) -> Result<bool, DbError> {
    let n = diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::must_change_password.eq(true),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Role, department and e-mail address as an administrator sets them.
pub fn update(
    conn: &mut DbConnection,
    id: UserId,
    role: Role,
    department_id: Option<DepartmentId>,
    email: Option<&str>,
) -> Result<bool, DbError> {
    let n = diesel::update(users::table.find(id))
        .set((
            users::role.eq(role),
            users::department_id.eq(department_id),
            users::email.eq(email),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn set_email(conn: &mut DbConnection, id: UserId, email: Option<&str>) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set(users::email.eq(email))
        .execute(conn)?;
    Ok(())
}

/// Moves every account of `from` to `to` (a department merge).
pub fn move_department(
    conn: &mut DbConnection,
    from: DepartmentId,
    to: DepartmentId,
) -> Result<usize, DbError> {
    Ok(
        diesel::update(users::table.filter(users::department_id.eq(from)))
            .set(users::department_id.eq(to))
            .execute(conn)?,
    )
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
    pub department_id: Option<DepartmentId>,
    pub email: Option<String>,
    pub must_change_password: bool,
}

/// What the administrator's account list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Part of the login id or the name.
    pub text: String,
    pub role: Option<Role>,
    pub department_id: Option<DepartmentId>,
    pub active: Option<bool>,
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<UserListing>, DbError> {
    search(conn, &UserFilter::default())
}

pub fn search(conn: &mut DbConnection, filter: &UserFilter) -> Result<Vec<UserListing>, DbError> {
    let mut query = users::table
        .left_join(departments::table)
        .order(users::login)
        .select((
            users::id,
            users::login,
            users::display_name,
            users::role,
            departments::name.nullable(),
            users::active,
            users::department_id,
            users::email,
            users::must_change_password,
        ))
        .into_boxed();
    if !filter.text.is_empty() {
        // LIKE's wildcards in the search text match themselves.
        let escaped: String = filter
            .text
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let pattern = format!("%{escaped}%");
        query = query.filter(
            users::login
                .like(pattern.clone())
                .escape('\\')
                .or(users::display_name.like(pattern).escape('\\')),
        );
    }
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role));
    }
    if let Some(dept) = filter.department_id {
        query = query.filter(users::department_id.eq(dept));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    Ok(query.load(conn)?)
}

pub fn count(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(users::table.count().get_result(conn)?)
}

/// An account as the plan workbook lists it.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct Profile {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub department: Option<String>,
    pub email: Option<String>,
    pub active: bool,
}

#[diesel::dsl::auto_type]
fn profiles_query() -> _ {
    users::table.left_join(departments::table).select((
        users::id,
        users::login,
        users::display_name,
        users::role,
        departments::name.nullable(),
        users::email,
        users::active,
    ))
}

/// Every account, by login id.
pub fn profiles(conn: &mut DbConnection) -> Result<Vec<Profile>, DbError> {
    Ok(profiles_query().order(users::login).load(conn)?)
}

pub fn profile(conn: &mut DbConnection, login: &str) -> Result<Option<Profile>, DbError> {
    Ok(profiles_query()
        .filter(users::login.eq(login))
        .first(conn)
        .optional()?)
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

/// Name, role, department and e-mail from the plan workbook.
pub fn update_profile(
    conn: &mut DbConnection,
    id: UserId,
    display_name: &str,
    role: Role,
    department_id: Option<DepartmentId>,
    email: Option<&str>,
) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set((
            users::display_name.eq(display_name),
            users::role.eq(role),
            users::department_id.eq(department_id),
            users::email.eq(email),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_mail_opt_out(conn: &mut DbConnection, id: UserId, off: bool) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set(users::mail_opt_out.eq(off))
        .execute(conn)?;
    Ok(())
}
