//! Login throttling: after five failures for a login id or a client address,
//! logins from it are locked for a time that doubles with each further failure.

use chrono::{Duration, NaiveDateTime};

/// Failures allowed for one login id before the first lock.
pub const FREE_FAILURES: i32 = 5;
/// Failures allowed from one client address: higher, since a whole office
/// may reach the server through one address.
pub const FREE_FAILURES_ADDRESS: i32 = 20;
/// The longest lock.
pub const MAX_LOCK_MINUTES: i64 = 60;

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

/// Failures allowed for a throttle key.
pub fn free_failures(key: &str) -> i32 {
    if key.starts_with("addr:") {
        FREE_FAILURES_ADDRESS
    } else {
        FREE_FAILURES
    }
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

    #[test]
    fn locks_grow_and_are_capped() {
        let now = chrono::DateTime::from_timestamp(0, 0).unwrap().naive_utc();
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
}
