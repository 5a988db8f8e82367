//! Login throttling: after five failures for a login id, or twenty within a
//! window from one client address, logins from it are locked for a time that
//! doubles with each further failure. An attempt counts as a failure from the
//! moment it is let through, before its password is checked, so guesses sent
//! in parallel meet the lock just as guesses sent one by one do; a successful
//! login then clears the count of its login id and of its address.

use chrono::{Duration, NaiveDateTime};

/// Failures allowed for one login id before the first lock.
pub const FREE_FAILURES: i32 = 5;
/// Failures allowed from one client address: higher, since a whole office
/// may reach the server through one address.
pub const FREE_FAILURES_ADDRESS: i32 = 20;
/// How long a client address's failures count, unless set otherwise.
pub const ADDRESS_WINDOW_MINUTES: u64 = 15;
/// The longest lock.
pub const MAX_LOCK_MINUTES: i64 = 60;

/// How the failures of one throttle key count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Failures allowed before the first lock.
    pub free: i32,
    /// Failures older than this no longer count. None: they count until a
    /// successful login or an unlock (a login id: guessing slowly must not
    /// reset the count).
    pub window: Option<Duration>,
}

/// Whether one more attempt may have its password checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Locked,
    /// Let through and counted as a failure until it succeeds: the key's
    /// failures and lock from now on.
    Admitted {
        failures: i32,
        locked_until: Option<NaiveDateTime>,
    },
}

impl Rule {
    /// The rule of a throttle key (see `login_key`, `address_key`).
    pub fn of(key: &str, address_window: Duration) -> Self {
        if key.starts_with("addr:") {
            Self {
                free: FREE_FAILURES_ADDRESS,
                window: Some(address_window),
            }
        } else {
            Self {
                free: FREE_FAILURES,
                window: None,
            }
        }
    }

    /// The earliest failure that still counts at `now` (None: all do).
    pub fn counts_since(&self, now: NaiveDateTime) -> Option<NaiveDateTime> {
        self.window.map(|w| now - w)
    }

    /// Decides one more attempt, given the key's lock and how many of its
    /// failures still count.
    pub fn admit(
        &self,
        counted: i32,
        locked_until: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> Admission {
        if locked_until.is_some_and(|t| t > now) {
            return Admission::Locked;
        }
        let failures = counted + 1;
        Admission::Admitted {
            failures,
            locked_until: lock_after(failures, self.free, now),
        }
    }
}

/// The lock earned by the `failures`-th failure at `now`, when `free`
/// failures are allowed.
pub fn lock_after(failures: i32, free: i32, now: NaiveDateTime) -> Option<NaiveDateTime> {
    if failures < free {
        return None;
    }
    let exponent = (failures - free).min(6) as u32;
    let minutes = (1i64 << exponent).min(MAX_LOCK_MINUTES);
    Some(now + Duration::minutes(minutes))
}

pub fn login_key(login: &str) -> String {
    format!("login:{}", login.trim().to_lowercase())
}

pub fn address_key(address: &str) -> String {
    format!("addr:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(minutes * 60, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn locks_grow_and_are_capped() {
        let now = at(0);
        assert_eq!(lock_after(4, FREE_FAILURES, now), None);
        assert_eq!(
            lock_after(5, FREE_FAILURES, now),
            Some(now + Duration::minutes(1))
        );
        assert_eq!(
            lock_after(6, FREE_FAILURES, now),
            Some(now + Duration::minutes(2))
        );
        assert_eq!(
            lock_after(30, FREE_FAILURES, now),
            Some(now + Duration::minutes(60))
        );
        assert_eq!(lock_after(19, FREE_FAILURES_ADDRESS, now), None);
        assert_eq!(login_key(" Staff "), "login:staff");
    }

    #[test]
    fn the_attempt_that_reaches_the_limit_sets_the_lock_and_the_next_meets_it() {
        let rule = Rule::of("login:staff", Duration::minutes(15));
        assert_eq!(
            rule.admit(3, None, at(0)),
            Admission::Admitted {
                failures: 4,
                locked_until: None
            }
        );
        let Admission::Admitted { locked_until, .. } = rule.admit(4, None, at(0)) else {
            panic!("the fifth attempt is checked");
        };
        assert_eq!(locked_until, Some(at(1)));
        assert_eq!(rule.admit(5, locked_until, at(0)), Admission::Locked);
        // Once the lock has passed, one more attempt, and a longer lock.
        assert_eq!(
            rule.admit(5, locked_until, at(1)),
            Admission::Admitted {
                failures: 6,
                locked_until: Some(at(3))
            }
        );
    }

    #[test]
    fn only_an_address_forgets_old_failures() {
        let window = Duration::minutes(15);
        let address = Rule::of(&address_key("10.0.0.1"), window);
        assert_eq!(address.free, FREE_FAILURES_ADDRESS);
        assert_eq!(address.counts_since(at(20)), Some(at(5)));
        let login = Rule::of(&login_key("staff"), window);
        assert_eq!(login.free, FREE_FAILURES);
        assert_eq!(login.counts_since(at(20)), None);
    }
}
