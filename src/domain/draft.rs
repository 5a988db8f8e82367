//! Pending drafts: a form posted after its session expired, kept for the
//! user who posted it until they log in again. Only this server's own
//! session can leave one, and how many are kept is capped.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

/// Drafts older than this are dropped.
pub const KEEP_HOURS: i64 = 72;
/// Most drafts kept for one user: a session expires once per form at most,
/// and a restored draft is removed when it is saved.
pub const MAX_PER_USER: i64 = 10;
/// Most drafts kept in all, whoever posted them.
pub const MAX_TOTAL: i64 = 500;

const TOKEN_LEN: usize = 32;

/// The name of a kept draft in `?draft=` and the edit form. Anything that is
/// not one (too long, other characters, NUL) never reaches a query.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct DraftToken(String);

impl DraftToken {
    /// A new random token.
    pub fn generate() -> Self {
        Self(crate::password::random_password(TOKEN_LEN))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, thiserror::Error)]
#[error("一時保管した入力内容の指定が正しくありません")]
pub struct BadDraftToken;

impl FromStr for DraftToken {
    type Err = BadDraftToken;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = s.len() == TOKEN_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then(|| Self(s.to_string())).ok_or(BadDraftToken)
    }
}

impl TryFrom<String> for DraftToken {
    type Error = BadDraftToken;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for DraftToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_generated_shape_parses() {
        let token = DraftToken::generate();
        assert_eq!(token.as_str().parse::<DraftToken>().unwrap(), token);
        for bad in [
            "",
            "abc",
            "\0",
            &"a".repeat(33),
            &format!("{}%", "a".repeat(31)),
        ] {
            assert!(bad.parse::<DraftToken>().is_err(), "{bad:?}");
        }
    }
}
