//! Logging in with throttling: failures count against the login id and the
//! client address alike, and either locks for a while after too many. The
//! password check (argon2) runs between `begin` and `finish`, off the
//! database connection.

use crate::db::user::UserRow;
use crate::db::{self, DbConnection, DbError};
use crate::domain::throttle::{address_key, free_failures, lock_after, login_key};

/// Who is trying, from where.
pub struct Attempt {
    pub login: String,
    pub address: String,
}

impl Attempt {
    fn keys(&self) -> [String; 2] {
        [login_key(&self.login), address_key(&self.address)]
    }
}

/// What `begin` found: the account (if the login id exists) and whether the
/// id or the address is locked now.
pub struct Begun {
    pub user: Option<UserRow>,
    pub locked: bool,
}

pub enum LoginOutcome {
    LoggedIn(UserRow),
    /// Wrong login id or password, or a deactivated account: counted.
    Refused,
}

pub fn begin(conn: &mut DbConnection, attempt: &Attempt) -> Result<Begun, DbError> {
    let now = db::now();
    let mut locked = false;
    for key in attempt.keys() {
        if let Some(row) = db::throttle::get(conn, &key)? {
            locked |= row.locked_until.is_some_and(|t| t > now);
        }
    }
    Ok(Begun {
        user: db::user::find_by_login(conn, &attempt.login)?,
        locked,
    })
}

/// Records the result of the password check: a success clears the login id's
/// failures, a failure counts against each key and locks those that failed
/// too often.
pub fn finish(
    conn: &mut DbConnection,
    attempt: &Attempt,
    user: Option<UserRow>,
    password_ok: bool,
) -> Result<LoginOutcome, DbError> {
    let keys = attempt.keys();
    if let Some(user) = user.filter(|u| password_ok && u.active) {
        db::throttle::clear(conn, &keys[0])?;
        return Ok(LoginOutcome::LoggedIn(user));
    }
    db::write_tx(conn, |conn| {
        let now = db::now();
        for key in &keys {
            let failures = db::throttle::get(conn, key)?.map_or(0, |r| r.failures) + 1;
            let until = lock_after(failures, free_failures(key), now);
            db::throttle::record_failure(conn, key, failures, until)?;
        }
        Ok(LoginOutcome::Refused)
    })
}
