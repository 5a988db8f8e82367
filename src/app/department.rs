//! The administrator's 所管課: add, rename, merge, deactivate, order. Each
//! change is in the administration history with the names before and after.

use super::{record, refuse, Checked, UseCaseError};
use crate::db::{self, DbConnection};
use crate::domain::audit::AuditAction;
use crate::domain::ids::DepartmentId;
use crate::domain::permission::{authorize, Action, Actor, Denial};
use crate::domain::text::has_refused_control;

/// Longest department name, in characters.
pub const NAME_MAX: usize = 50;

fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("課名を入力してください".into())
    } else if name.chars().count() > NAME_MAX || has_refused_control(name) || name.contains('\n') {
        Some(format!(
            "課名は改行なしの{NAME_MAX}文字以内で入力してください"
        ))
    } else {
        None
    }
}

/// Refuses a name that is empty, too long or already another department's.
fn check_name(
    conn: &mut DbConnection,
    name: &str,
    except: Option<DepartmentId>,
) -> Result<Checked<()>, UseCaseError> {
    if let Some(problem) = name_problem(name) {
        return Ok(refuse("name", problem));
    }
    if let Some(other) = db::department::find_by_name(conn, name)? {
        if Some(other.id) != except {
            return Ok(refuse("name", format!("「{name}」は既にあります")));
        }
    }
    Ok(Ok(()))
}

pub fn add(
    conn: &mut DbConnection,
    actor: &Actor,
    name: &str,
) -> Result<Checked<DepartmentId>, UseCaseError> {
    authorize(actor, Action::ManageDepartments, None)?;
    let name = name.trim();
    db::write_tx(conn, |conn| {
        if let Err(r) = check_name(conn, name, None)? {
            return Ok(Err(r));
        }
        let id = db::department::insert(conn, name)?;
        record(
            conn,
            actor,
            AuditAction::DepartmentAdd,
            format!("「{name}」を追加"),
        )?;
        Ok(Ok(id))
    })
}

/// Renames a department. Today's pages show the new name; a final sheet keeps
/// the name it was finalized with (see `db::sheet::freeze_names`), and the
/// history keeps the old one.
pub fn rename(
    conn: &mut DbConnection,
    actor: &Actor,
    id: DepartmentId,
    name: &str,
) -> Result<Checked<()>, UseCaseError> {
    authorize(actor, Action::ManageDepartments, None)?;
    let name = name.trim();
    db::write_tx(conn, |conn| {
        let old = db::department::find(conn, id)?.ok_or(Denial::NotFound)?;
        if old.name == name {
            return Ok(Ok(()));
        }
        if let Err(r) = check_name(conn, name, Some(id))? {
            return Ok(Err(r));
        }
        db::department::rename(conn, id, name)?;
        let detail = format!("「{}」→「{name}」", old.name);
        record(conn, actor, AuditAction::DepartmentRename, detail)?;
        Ok(Ok(()))
    })
}

/// Merges `from` into `into`: its initiatives, 関係課 links and users move;
/// `from` stays, inactive, so history and final sheets still name it.
pub fn merge(
    conn: &mut DbConnection,
    actor: &Actor,
    from: DepartmentId,
    into: Option<DepartmentId>,
) -> Result<Checked<()>, UseCaseError> {
    authorize(actor, Action::ManageDepartments, None)?;
    let Some(into) = into else {
        return Ok(refuse("into", "統合先の課を選んでください"));
    };
    if into == from {
        return Ok(refuse("into", "同じ課には統合できません"));
    }
    db::write_tx(conn, |conn| {
        let source = db::department::find(conn, from)?.ok_or(Denial::NotFound)?;
        let Some(target) = db::department::find(conn, into)? else {
            return Ok(refuse("into", "統合先の課が見つかりません"));
        };
        if source.merged_into.is_some() {
            return Ok(refuse("into", "この課は既に統合されています"));
        }
        if !target.active {
            return Ok(refuse("into", "無効の課には統合できません"));
        }
        let (initiatives, links) = db::department::merge(conn, from, into)?;
        let users = db::user::move_department(conn, from, into)?;
        let detail = format!(
            "「{}」を「{}」に統合（取組事業 {initiatives} 件、関係課 {links} 件、利用者 {users} 人を移動）",
            source.name, target.name
        );
        record(conn, actor, AuditAction::DepartmentMerge, detail)?;
        Ok(Ok(()))
    })
}

/// Deactivates a department (it is no longer offered for new initiatives and
/// accounts) or activates it again. Refused while it is still the 所管課 of
/// an initiative: move or retire those first.
pub fn set_active(
    conn: &mut DbConnection,
    actor: &Actor,
    id: DepartmentId,
    active: bool,
) -> Result<Checked<()>, UseCaseError> {
    authorize(actor, Action::ManageDepartments, None)?;
    db::write_tx(conn, |conn| {
        let dept = db::department::find(conn, id)?.ok_or(Denial::NotFound)?;
        if active && dept.merged_into.is_some() {
            return Ok(refuse("active", "統合された課は有効にできません"));
        }
        if !active {
            let active_initiatives = db::plan::active_initiatives_of(conn, id)?;
            if active_initiatives > 0 {
                return Ok(refuse(
                    "active",
                    format!("「{}」は取組事業 {active_initiatives} 件の所管課です。先に所管課を変更してください", dept.name),
                ));
            }
        }
        db::department::set_active(conn, id, active)?;
        let state = if active { "有効" } else { "無効" };
        let detail = format!("「{}」を{state}に", dept.name);
        record(conn, actor, AuditAction::DepartmentActive, detail)?;
        Ok(Ok(()))
    })
}

/// Moves a department one place up (`up`) or down in the list order.
pub fn move_in_order(
    conn: &mut DbConnection,
    actor: &Actor,
    id: DepartmentId,
    up: bool,
) -> Result<(), UseCaseError> {
    authorize(actor, Action::ManageDepartments, None)?;
    db::write_tx(conn, |conn| {
        let all = db::department::all(conn)?;
        let at = all
            .iter()
            .position(|d| d.id == id)
            .ok_or(Denial::NotFound)?;
        let other = if up { at.checked_sub(1) } else { Some(at + 1) };
        let Some(other) = other.filter(|&o| o < all.len()) else {
            return Ok(());
        };
        // Renumber the whole list so equal positions (old rows) cannot stick.
        let mut order: Vec<_> = all.iter().map(|d| d.id).collect();
        order.swap(at, other);
        for (pos, dept) in order.iter().enumerate() {
            db::department::set_position(conn, *dept, pos as i32 + 1)?;
        }
        let detail = format!("「{}」を{}へ", all[at].name, if up { "上" } else { "下" });
        record(conn, actor, AuditAction::DepartmentOrder, detail)?;
        Ok(())
    })
}
