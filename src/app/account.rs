//! A user's own account: changing their password ends their other sessions.

use super::{record, UseCaseError};
use crate::db::{self, DbConnection};
use crate::domain::audit::AuditAction;
use crate::domain::permission::{authorize, Action, Actor};
use crate::domain::session::SessionKeyHash;

/// Why a new password is not accepted, in the user's words; None when it is.
pub fn new_password_problem(new: &str, again: &str) -> Option<String> {
    if let Some(problem) = crate::password::length_problem(new) {
        Some(problem)
    } else if new != again {
        Some("新しいパスワードが確認用と一致しません".into())
    } else {
        None
    }
}

/// Stores the user's new password hash (the caller has checked the current
/// password) and logs out every other browser of the user.
pub fn set_own_password(
    conn: &mut DbConnection,
    actor: &Actor,
    new_hash: &str,
    current: &SessionKeyHash,
) -> Result<usize, UseCaseError> {
    authorize(actor, Action::ChangeOwnPassword, None)?;
    db::write_tx(conn, |conn| {
        db::user::set_password(conn, &actor.login, new_hash)?;
        let ended = db::session::delete_others(conn, actor.user_id, current)?;
        let detail = format!("自分のパスワードを変更（他の端末 {ended} 件をログアウト）");
        record(conn, actor, AuditAction::UserPasswd, detail)?;
        Ok(ended)
    })
}

/// The user's own choice to get no mail (お知らせ stay in hyoka).
pub fn set_mail_opt_out(
    conn: &mut DbConnection,
    actor: &Actor,
    off: bool,
) -> Result<(), UseCaseError> {
    authorize(actor, Action::ReadOwnNotifications, None)?;
    db::write_tx(conn, |conn| {
        db::user::set_mail_opt_out(conn, actor.user_id, off)?;
        let detail = if off {
            "お知らせのメールを受け取らない設定に変更"
        } else {
            "お知らせのメールを受け取る設定に変更"
        };
        record(conn, actor, AuditAction::MailSetting, detail.into())?;
        Ok(())
    })
}
