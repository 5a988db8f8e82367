//! A logged-in browser's session as the rest of the app sees it: the stored
//! form of its id, and how its browser is named in the list of sessions.

use sha2::{Digest, Sha256};

/// The SHA-256 (hex) of a session id. Only this is stored: the id itself
/// lives in the browser's cookie, so reading the table does not let anyone
/// take over a session.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    Hash,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct SessionKeyHash(String);

impl SessionKeyHash {
    pub fn of(session_id: &str) -> Self {
        let digest = Sha256::digest(session_id.as_bytes());
        Self(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// As stored; `from_stored` reads it back.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn from_stored(hash: String) -> Self {
        Self(hash)
    }
}

/// 「Edge（Windows）」: the browser and system a User-Agent names, for the
/// list of sessions; 「不明なブラウザ」 when it names neither.
pub fn browser_label(user_agent: &str) -> String {
    const BROWSERS: &[(&str, &str)] = &[
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    const SYSTEMS: &[(&str, &str)] = &[
        ("Windows", "Windows"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Mac OS X", "Mac"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(needle, _)| user_agent.contains(needle))
            .map(|(_, name)| *name)
    };
    match (find(BROWSERS), find(SYSTEMS)) {
        (Some(b), Some(s)) => format!("{b}（{s}）"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => format!("ブラウザ不明（{s}）"),
        (None, None) => "不明なブラウザ".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_sha256_hex_and_not_the_id() {
        let hash = SessionKeyHash::of("abc");
        assert_eq!(
            hash.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(SessionKeyHash::of("abd"), hash);
    }

    #[test]
    fn browsers_and_systems_are_named() {
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0";
        assert_eq!(browser_label(edge), "Edge（Windows）");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_label(safari), "Safari（iPhone）");
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
        assert_eq!(browser_label(firefox), "Firefox（Linux）");
        assert_eq!(browser_label(""), "不明なブラウザ");
        assert_eq!(browser_label("curl/8.0"), "不明なブラウザ");
    }
}
