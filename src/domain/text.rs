//! What text the app takes from outside: which characters a field may hold,
//! and how long an identifier may be before it is looked up.

/// Longest login id. Checked before any query: PostgreSQL cannot index a
/// much longer value, and no real login id comes near it.
pub const LOGIN_MAX: usize = 64;

/// True for a character no posted field may hold: the C0 controls other than
/// tab, CR and LF. PostgreSQL cannot store NUL at all, and none of them
/// belongs in an official record (SQLite would keep them silently).
pub fn is_refused_control(c: char) -> bool {
    c < ' ' && !matches!(c, '\t' | '\r' | '\n')
}

/// True when the text holds a character [`is_refused_control`] refuses.
pub fn has_refused_control(text: &str) -> bool {
    text.chars().any(is_refused_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_and_line_breaks_pass_other_controls_do_not() {
        assert!(!has_refused_control("一行目\r\n二行目\tタブ"));
        for c in ['\0', '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\u{1b}', '\u{1f}'] {
            assert!(has_refused_control(&format!("a{c}b")), "{c:?}");
        }
        assert!(!has_refused_control(" ~あ\u{7f}"), "only C0 is refused");
    }
}
