//! HQ's dropdown choices and the administrator's account switches: each a
//! use case with its permission, transaction and audit entry.

use super::{record, UseCaseError};
use crate::db::{self, DbConnection};
use crate::domain::audit::AuditAction;
use crate::domain::field::ChoiceList;
use crate::domain::ids::{ChoiceId, UserId};
use crate::domain::permission::{authorize, Action, Actor, Denial};

/// Longest dropdown choice, in characters.
pub const CHOICE_MAX: usize = 50;

/// Adds a choice to a list (or re-activates it). `Err(message)` inside the
/// `Ok` when the value is not acceptable.
pub fn add_choice(
    conn: &mut DbConnection,
    actor: &Actor,
    list: ChoiceList,
    value: &str,
) -> Result<Result<(), String>, UseCaseError> {
    authorize(actor, Action::ManageChoices, None)?;
    let value = value.trim();
    if value.is_empty() || value.chars().count() > CHOICE_MAX {
        return Ok(Err(format!(
            "選択肢は1〜{CHOICE_MAX}文字で入力してください"
        )));
    }
    db::write_tx(conn, |conn| {
        db::choice::add(conn, list, value)?;
        let detail = format!("{}: {value}", list.label());
        record(conn, actor, AuditAction::ChoiceAdd, detail)?;
        Ok(Ok(()))
    })
}

pub fn set_choice_active(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ChoiceId,
    active: bool,
) -> Result<(), UseCaseError> {
    authorize(actor, Action::ManageChoices, None)?;
    db::write_tx(conn, |conn| {
        if !db::choice::set_active(conn, id, active)? {
            return Err(Denial::NotFound.into());
        }
        let state = if active { "有効" } else { "無効" };
        record(
            conn,
            actor,
            AuditAction::ChoiceToggle,
            format!("選択肢 {id} を{state}"),
        )?;
        Ok(())
    })
}

/// Activates or deactivates an account; an administrator cannot lock
/// themselves out. Deactivating ends every session of the account.
pub fn set_user_active(
    conn: &mut DbConnection,
    actor: &Actor,
    id: UserId,
    active: bool,
) -> Result<Result<(), String>, UseCaseError> {
    authorize(actor, Action::ManageUsers, None)?;
    if id == actor.user_id && !active {
        return Ok(Err("自分自身を無効にはできません".into()));
    }
    db::write_tx(conn, |conn| {
        if !db::user::set_active(conn, id, active)? {
            return Err(Denial::NotFound.into());
        }
        let detail = if active {
            format!("利用者 {id} を有効")
        } else {
            let ended = db::session::delete_for_user(conn, id)?;
            format!("利用者 {id} を無効（ログイン中のセッション {ended} 件を終了）")
        };
        record(conn, actor, AuditAction::UserActive, detail)?;
        Ok(Ok(()))
    })
}

/// Lifts a login lock (a login id's or a client address's).
pub fn unlock(conn: &mut DbConnection, actor: &Actor, key: &str) -> Result<(), UseCaseError> {
    authorize(actor, Action::ManageUsers, None)?;
    db::write_tx(conn, |conn| {
        if db::throttle::clear(conn, key)? {
            let detail = format!("ログイン制限を解除: {key}");
            record(conn, actor, AuditAction::Unlock, detail)?;
        }
        Ok(())
    })
}
