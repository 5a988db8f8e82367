//! Login throttling: after five failures for a login id or a client address,
//! logins from it are locked for a time that doubles with each further failure.

use chrono::{Duration, NaiveDateTime};

/// Failures allowed before the first lock.
pub const FREE_FAILURES: i32 = 5;
/// The longest lock.
pub const MAX_LOCK_MINUTES: i64 = 60;

/// The lock earned by the `failures`-th failure at `now`.
pub fn lock_after(failures: i32, now: NaiveDateTime) -> Option<NaiveDateTime> {
    if failures < FREE_FAILURES {
        return None;
    }
    let exponent = (failures - FREE_FAILURES).min(6) as u32;
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

    #[test]
    fn locks_grow_and_are_capped() {
        let now = chrono::DateTime::from_timestamp(0, 0).unwrap().naive_utc();
        assert_eq!(lock_after(4, now), None);
        assert_eq!(lock_after(5, now), Some(now + Duration::minutes(1)));
        assert_eq!(lock_after(6, now), Some(now + Duration::minutes(2)));
        assert_eq!(lock_after(20, now), Some(now + Duration::minutes(60)));
        assert_eq!(login_key(" Staff "), "login:staff");
    }
}
