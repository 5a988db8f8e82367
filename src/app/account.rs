//! A user's own account: changing their password ends their other sessions.

use super::{record, refuse, Checked, UseCaseError};
use crate::db::user::NewUser;
use crate::db::{self, audit, DbConnection, DbError};
use crate::domain::account::{email_problem, login_problem, name_problem};
use crate::domain::audit::AuditAction;
use crate::domain::ids::{DepartmentId, UserId};
use crate::domain::permission::{authorize, Action, Actor, Denial, Role};
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

/// An account as the administrator (or the setup page) types it.
#[derive(Debug, Clone)]
pub struct AccountInput {
    pub login: String,
    pub name: String,
    pub role: Option<Role>,
    pub department_id: Option<DepartmentId>,
    pub email: String,
}

/// Field by field: login id, name, role, department (staff only), e-mail.
fn check_account(conn: &mut DbConnection, input: &AccountInput) -> Result<Checked<Role>, DbError> {
    if let Some(p) = login_problem(&input.login) {
        return Ok(refuse("login", p));
    }
    if let Some(p) = name_problem(&input.name) {
        return Ok(refuse("name", p));
    }
    check_role(conn, input.role, input.department_id, &input.email)
}

fn check_role(
    conn: &mut DbConnection,
    role: Option<Role>,
    department_id: Option<DepartmentId>,
    email: &str,
) -> Result<Checked<Role>, DbError> {
    let Some(role) = role else {
        return Ok(refuse("role", "役割を選んでください"));
    };
    match (role, department_id) {
        (Role::Staff, None) => {
            return Ok(refuse(
                "department_id",
                "所管課の利用者は所属課を選んでください",
            ))
        }
        (Role::Staff, Some(id)) => {
            if !db::department::find(conn, id)?.is_some_and(|d| d.active) {
                return Ok(refuse("department_id", "有効な課を選んでください"));
            }
        }
        (_, Some(_)) => {
            return Ok(refuse(
                "department_id",
                "所属課は所管課の利用者にだけ設定します",
            ))
        }
        (_, None) => {}
    }
    if let Some(p) = email_problem(email) {
        return Ok(refuse("email", p));
    }
    Ok(Ok(role))
}

fn email_or_none(email: &str) -> Option<&str> {
    Some(email).filter(|e| !e.is_empty())
}

/// Creates the first administrator on an empty database (the setup page).
/// Refused once any account exists: the setup address is good for one use.
pub fn create_first_admin(
    conn: &mut DbConnection,
    input: &AccountInput,
    password_hash: &str,
) -> Result<Checked<UserId>, UseCaseError> {
    db::write_tx(conn, |conn| {
        if db::user::count(conn)? > 0 {
            return Err(Denial::NotFound.into());
        }
        if let Err(r) = check_account(conn, input)? {
            return Ok(Err(r));
        }
        let id = db::user::insert(
            conn,
            NewUser {
                login: &input.login,
                display_name: input.name.trim(),
                role: Role::Admin,
                department_id: None,
                password_hash,
                email: email_or_none(&input.email),
                must_change_password: false,
            },
        )?;
        audit::record(
            conn,
            audit::Entry::general(
                Some(id),
                &input.login,
                AuditAction::Setup,
                format!(
                    "最初の管理者 {}（{}）を作成",
                    input.login,
                    input.name.trim()
                ),
            ),
        )?;
        Ok(Ok(id))
    })
}

/// Adds an account with a one-time password (`password_hash`): the user
/// chooses their own at first login.
pub fn add_account(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &AccountInput,
    password_hash: &str,
) -> Result<Checked<UserId>, UseCaseError> {
    authorize(actor, Action::ManageUsers, None)?;
    db::write_tx(conn, |conn| {
        let role = match check_account(conn, input)? {
            Ok(role) => role,
            Err(r) => return Ok(Err(r)),
        };
        if db::user::find_by_login(conn, &input.login)?.is_some() {
            return Ok(refuse(
                "login",
                format!("ログインID「{}」は既に使われています", input.login),
            ));
        }
        let id = db::user::insert(
            conn,
            NewUser {
                login: &input.login,
                display_name: input.name.trim(),
                role,
                department_id: input.department_id,
                password_hash,
                email: email_or_none(&input.email),
                must_change_password: true,
            },
        )?;
        let detail = format!(
            "{}（{}、{}{}）を追加",
            input.login,
            input.name.trim(),
            role.label(),
            department_label(conn, input.department_id)?
        );
        record(conn, actor, AuditAction::UserAdd, detail)?;
        Ok(Ok(id))
    })
}

fn department_label(conn: &mut DbConnection, id: Option<DepartmentId>) -> Result<String, DbError> {
    Ok(match id {
        Some(id) => {
            db::department::find(conn, id)?.map_or(String::new(), |d| format!("・{}", d.name))
        }
        None => String::new(),
    })
}

/// Changes an account's role, department and e-mail address.
pub fn update_account(
    conn: &mut DbConnection,
    actor: &Actor,
    id: UserId,
    role: Option<Role>,
    department_id: Option<DepartmentId>,
    email: &str,
) -> Result<Checked<()>, UseCaseError> {
    authorize(actor, Action::ManageUsers, None)?;
    if id == actor.user_id && role != Some(Role::Admin) {
        return Ok(refuse("role", "自分自身の管理者の役割は外せません"));
    }
    db::write_tx(conn, |conn| {
        let old = db::user::find(conn, id)?.ok_or(Denial::NotFound)?;
        let role = match check_role(conn, role, department_id, email)? {
            Ok(role) => role,
            Err(r) => return Ok(Err(r)),
        };
        db::user::update(conn, id, role, department_id, email_or_none(email))?;
        let detail = format!(
            "{}: {}{}・{} → {}{}・{}",
            old.login,
            old.role.label(),
            department_label(conn, old.department_id)?,
            old.email.as_deref().unwrap_or("メールなし"),
            role.label(),
            department_label(conn, department_id)?,
            email_or_none(email).unwrap_or("メールなし"),
        );
        record(conn, actor, AuditAction::UserEdit, detail)?;
        Ok(Ok(()))
    })
}

/// Gives an account a one-time password (the caller made it and shows it
/// once), ends the account's sessions, and makes the user choose a new
/// password at the next login.
pub fn reset_password(
    conn: &mut DbConnection,
    actor: &Actor,
    id: UserId,
    one_time_hash: &str,
) -> Result<String, UseCaseError> {
    authorize(actor, Action::ManageUsers, None)?;
    db::write_tx(conn, |conn| {
        let user = db::user::find(conn, id)?.ok_or(Denial::NotFound)?;
        db::user::set_one_time_password(conn, id, one_time_hash)?;
        let ended = db::session::delete_for_user(conn, id)?;
        db::throttle::clear(conn, &format!("login:{}", user.login))?;
        let detail = format!(
            "{} に一時パスワードを発行（ログイン中のセッション {ended} 件を終了）",
            user.login
        );
        record(conn, actor, AuditAction::PasswordReset, detail)?;
        Ok(user.login)
    })
}

/// The user's own e-mail address (empty: none).
pub fn set_own_email(
    conn: &mut DbConnection,
    actor: &Actor,
    email: &str,
) -> Result<Checked<()>, UseCaseError> {
    authorize(actor, Action::ChangeOwnPassword, None)?;
    let email = email.trim();
    if let Some(p) = email_problem(email) {
        return Ok(refuse("email", p));
    }
    db::write_tx(conn, |conn| {
        let old = db::user::find(conn, actor.user_id)?.ok_or(Denial::NotFound)?;
        db::user::set_email(conn, actor.user_id, email_or_none(email))?;
        let detail = format!(
            "{} → {}",
            old.email.as_deref().unwrap_or("メールなし"),
            email_or_none(email).unwrap_or("メールなし")
        );
        record(conn, actor, AuditAction::OwnEmail, detail)?;
        Ok(Ok(()))
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
