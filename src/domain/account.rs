//! The rules an account's fields follow, for the setup page, the
//! administrator's forms, the account page and the command line alike.

use super::text::{has_refused_control, LOGIN_MAX};

/// Longest display name and e-mail address, in characters.
pub const NAME_MAX: usize = 50;
pub const EMAIL_MAX: usize = 254;

/// Why a login id is not accepted; None when it is.
pub fn login_problem(login: &str) -> Option<String> {
    if login.is_empty() {
        Some("ログインIDを入力してください".into())
    } else if login.chars().count() > LOGIN_MAX {
        Some(format!("ログインIDは{LOGIN_MAX}文字以内にしてください"))
    } else if !login
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        Some("ログインIDは半角英数字と . _ - で入力してください".into())
    } else {
        None
    }
}

/// Why a display name is not accepted; None when it is.
pub fn name_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        Some("氏名を入力してください".into())
    } else if name.chars().count() > NAME_MAX || has_refused_control(name) || name.contains('\n') {
        Some(format!(
            "氏名は改行なしの{NAME_MAX}文字以内で入力してください"
        ))
    } else {
        None
    }
}

/// Why an e-mail address is not accepted (empty means none); None when it is.
/// Only the shape is checked: the address is used to send mail, not to log in.
pub fn email_problem(email: &str) -> Option<String> {
    if email.is_empty() {
        return None;
    }
    let shaped = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    });
    if !shaped
        || email.chars().count() > EMAIL_MAX
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        Some("メールアドレスは tanaka@example.jp のように入力してください".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_fields() {
        assert!(login_problem("tanaka.t-1").is_none());
        assert!(login_problem("").is_some());
        assert!(login_problem("田中").is_some());
        assert!(login_problem("a b").is_some());
        assert!(name_problem("田中 太郎").is_none());
        assert!(name_problem(" ").is_some());
        assert!(email_problem("").is_none());
        assert!(email_problem("tanaka@city.example.jp").is_none());
        for bad in ["tanaka", "@x.jp", "a@b", "a@.jp", "a b@x.jp"] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
    }
}
