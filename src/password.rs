//! Password hashing: argon2id at the OWASP parameters (m=19456 KiB, t=2, p=1).

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn argon2() -> Argon2<'static> {
    // Constant parameters that argon2 accepts; failure here is a programming error.
    #[allow(clippy::expect_used)]
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("パスワードを処理できません: {e}"))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    #[cfg(test)]
    tests::record(stored);
    argon2().verify_password(password.as_bytes(), &hash).is_ok()
}

/// Checks a login attempt. An unknown login id (`stored` None) goes through
/// the same `verify` against the dummy hash, so the answer takes as long as
/// for a known id and timing does not reveal which ids exist.
pub fn check_login(password: &str, stored: Option<&str>) -> bool {
    match stored {
        Some(hash) => verify(password, hash),
        None => {
            verify(password, dummy_hash());
            false
        }
    }
}

/// A real hash of a random password, made by `hash` at the same parameters as
/// every stored one, so verifying it costs the same.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash(&random_password(24)).unwrap_or_default())
}

/// A password of letters and digits, without look-alikes (0/O, 1/l/I).
pub fn random_password(len: usize) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// Minimum length for a password set by the command line.
pub const MIN_LENGTH: usize = 8;

/// Why a new password is refused for its length (the web form and the command
/// line share the rule); None when it is long enough.
pub fn length_problem(password: &str) -> Option<String> {
    (password.chars().count() < MIN_LENGTH)
        .then(|| format!("パスワードは{MIN_LENGTH}文字以上にしてください"))
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    thread_local! {
        /// The hashes `verify` ran argon2 against on this thread.
        static VERIFIED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    pub(super) fn record(stored: &str) {
        VERIFIED.with(|v| v.borrow_mut().push(stored.to_string()));
    }

    fn take_verified() -> Vec<String> {
        VERIFIED.with(|v| std::mem::take(&mut *v.borrow_mut()))
    }

    /// Algorithm, version and cost parameters of a PHC hash string.
    fn cost(stored: &str) -> (String, Option<u32>, String) {
        let h = PasswordHash::new(stored).unwrap();
        (h.algorithm.to_string(), h.version, h.params.to_string())
    }

    #[test]
    fn hash_and_verify() {
        let h = hash("正しいパスワード123").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("正しいパスワード123", &h));
        assert!(!verify("違う", &h));
        assert!(!verify("x", "not a hash"));
        assert!(!verify("x", dummy_hash()));
        assert_eq!(random_password(12).len(), 12);
    }

    /// Replaces a wall-clock comparison: an unknown login id must cost what a
    /// known one costs, because it runs the same argon2 verification at the
    /// same parameters. Timing itself is not measured, so this cannot flake.
    #[test]
    fn unknown_login_runs_the_same_argon2_verification() {
        let real = hash("正しいパスワード123").unwrap();
        let dummy = dummy_hash();
        assert_eq!(cost(dummy), cost(&real), "same algorithm and parameters");
        assert_eq!(
            cost(dummy),
            ("argon2id".into(), Some(0x13), "m=19456,t=2,p=1".into())
        );

        take_verified();
        assert!(check_login("正しいパスワード123", Some(&real)));
        assert_eq!(take_verified(), [real], "known id: its own hash");
        assert!(!check_login("正しいパスワード123", None));
        assert_eq!(
            take_verified(),
            [dummy.to_string()],
            "unknown id: the dummy"
        );
        // Whatever is typed, an unknown id is refused.
        assert!(!check_login("anything", None));
        assert_eq!(take_verified().len(), 1);
        // A malformed hash is the one path without argon2: never the dummy's case.
        assert!(!verify("x", "not a hash"));
        assert!(take_verified().is_empty());
    }
}
