//! Logging in with throttling: failures count against the login id and the
//! client address alike, and either locks for a while after too many (see
//! `domain::throttle`). `begin` lets an attempt through and counts it as a
//! failure in one write transaction, before the password is checked (argon2,
//! off the database connection); `finish` takes the count back if the
//! password was right.

use chrono::{Duration, NaiveDateTime};

use crate::db::user::UserRow;
use crate::db::{self, DbConnection, DbError};
use crate::domain::throttle::{address_key, login_key, Admission, Rule};

/// Who is trying, from where.
pub struct Attempt {
    pub login: String,
    pub address: String,
}

impl Attempt {
    /// The keys the attempt counts against, in the order their rows are
    /// held (the same in every transaction, so two never wait on each other).
    fn keys(&self) -> [String; 2] {
        [address_key(&self.address), login_key(&self.login)]
    }
}

/// What `begin` decided.
pub enum Begun {
    /// The login id or the address is locked: the password is not checked.
    Locked,
    /// Let through and already counted as a failure; `user` is the account if
    /// the login id exists.
    Admitted { user: Option<UserRow> },
}

pub enum LoginOutcome {
    LoggedIn(UserRow),
    /// Wrong login id or password, or a deactivated account: stays counted.
    Refused,
}

/// Why the admitting transaction ended without committing.
enum NotAdmitted {
    Locked,
    Db(DbError),
}

impl From<DbError> for NotAdmitted {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

impl From<diesel::result::Error> for NotAdmitted {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e.into())
    }
}

/// Decides whether the attempt may have its password checked and, if so,
/// counts it against both keys, all in one write transaction holding both
/// keys' rows: parallel attempts are decided one after another, so no more
/// are let through than the lock allows. A locked attempt changes nothing
/// (the transaction is rolled back).
pub fn begin(
    conn: &mut DbConnection,
    attempt: &Attempt,
    address_window: Duration,
    now: NaiveDateTime,
) -> Result<Begun, DbError> {
    let admitted = db::write_tx(conn, |conn| {
        let mut admissions = Vec::new();
        for key in attempt.keys() {
            let rule = Rule::of(&key, address_window);
            match admit_key(conn, &key, rule, now)? {
                Admission::Locked => return Err(NotAdmitted::Locked),
                Admission::Admitted {
                    failures,
                    locked_until,
                } => admissions.push((key, failures, locked_until)),
            }
        }
        for (key, failures, locked_until) in admissions {
            db::throttle::record_attempt(conn, &key, failures, locked_until, now)?;
        }
        Ok(())
    });
    match admitted {
        Ok(()) => Ok(Begun::Admitted {
            user: db::user::find_by_login(conn, &attempt.login)?,
        }),
        Err(NotAdmitted::Locked) => Ok(Begun::Locked),
        Err(NotAdmitted::Db(e)) => Err(e),
    }
}

/// Holds the key's row and decides one more attempt against it, counting
/// only the failures still inside the key's window.
fn admit_key(
    conn: &mut DbConnection,
    key: &str,
    rule: Rule,
    now: NaiveDateTime,
) -> Result<Admission, DbError> {
    let row = db::throttle::hold(conn, key, now)?;
    if let Some(since) = rule.counts_since(now) {
        db::throttle::forget_before(conn, key, since)?;
    }
    let counted = db::throttle::attempts(conn, key)?;
    Ok(rule.admit(counted, row.locked_until, now))
}

/// Records the result of the password check. A success clears the failures
/// of the login id and of the address it came from (a typo earlier in the
/// office no longer counts against the next colleague); a failure stays
/// counted as `begin` left it.
pub fn finish(
    conn: &mut DbConnection,
    attempt: &Attempt,
    user: Option<UserRow>,
    password_ok: bool,
) -> Result<LoginOutcome, DbError> {
    let Some(user) = user.filter(|u| password_ok && u.active) else {
        return Ok(LoginOutcome::Refused);
    };
    db::write_tx(conn, |conn| {
        for key in attempt.keys() {
            db::throttle::clear(conn, &key)?;
        }
        Ok::<_, DbError>(())
    })?;
    Ok(LoginOutcome::LoggedIn(user))
}
