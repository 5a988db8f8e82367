//! 推進委員会意見: HQ records the committee's opinion on a sheet, the
//! department replies (対応・今後の方針) while a round of the sheet's year is
//! open, HQ closes it. Each step is in the sheet's 履歴 and tells the other side.

use super::sheet::visible;
use super::{notify, UseCaseError};
use crate::db::opinion::OpinionRow;
use crate::db::{self, audit, DbConnection};
use crate::domain::audit::AuditAction;
use crate::domain::field::LONG_TEXT_MAX;
use crate::domain::ids::{OpinionId, SheetId};
use crate::domain::notice::{Audience, Notice};
use crate::domain::permission::{authorize, Action, Actor, Denial, SheetAccess};
use crate::domain::text::has_refused_control;
use crate::domain::workflow::WorkflowError;

/// Why a text is refused, in the user's words.
pub(super) fn problem(what: &str, text: &str) -> Option<String> {
    if text.trim().is_empty() {
        Some(format!("{what}を入力してください"))
    } else if text.chars().count() > LONG_TEXT_MAX {
        Some(format!("{what}は{LONG_TEXT_MAX}文字以内で入力してください"))
    } else if has_refused_control(text) {
        Some(format!("{what}に使えない制御文字が含まれています"))
    } else {
        None
    }
}

fn entry<'a>(
    actor: &'a Actor,
    sheet_id: SheetId,
    action: AuditAction,
    text: &str,
) -> audit::Entry<'a> {
    audit::Entry {
        user_id: Some(actor.user_id),
        actor: &actor.login,
        action,
        sheet_id: Some(sheet_id),
        from_status: None,
        to_status: None,
        detail: serde_json::json!({ "reason": text }).to_string(),
    }
}

/// HQ records an opinion. `Ok(Err)` says what to fix; nothing is written then.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    text: &str,
) -> Result<Result<OpinionId, String>, UseCaseError> {
    db::write_tx(conn, |conn| {
        let ctx = visible(conn, actor, sheet_id, Action::RecordOpinion)?;
        if let Some(p) = problem("推進委員会意見", text) {
            return Ok(Err(p));
        }
        let id = db::opinion::insert(conn, sheet_id, text, actor.user_id, db::now())?;
        audit::record(
            conn,
            entry(actor, sheet_id, AuditAction::OpinionRecord, text),
        )?;
        let title = notify::title(&ctx.sheet);
        let notice = Notice {
            message: format!("「{title}」に推進委員会意見が記録されました"),
            body: format!(
                "評価票「{title}」に推進委員会の意見が記録されました。対応・今後の方針を記入してください。\n\n{text}"
            ),
        };
        notify::tell_sheet(conn, &ctx.sheet, Audience::Department, &notice)?;
        Ok(Ok(id))
    })
}

/// The department writes (or rewrites) its reply while a round of the
/// sheet's year is open and the opinion is not closed.
pub fn reply(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    id: OpinionId,
    text: &str,
) -> Result<Result<(), String>, UseCaseError> {
    db::write_tx(conn, |conn| {
        let ctx = visible(conn, actor, sheet_id, Action::ReplyOpinion)?;
        let opinion = db::opinion::find(conn, id)?
            .filter(|o| o.sheet_id == sheet_id)
            .ok_or(Denial::NotFound)?;
        if ctx.round.is_none() {
            return Err(Denial::Workflow(WorkflowError::NoOpenRound).into());
        }
        if opinion.closed {
            return Ok(Err("この意見は対応済みとして閉じられています".into()));
        }
        if let Some(p) = problem("対応・今後の方針", text) {
            return Ok(Err(p));
        }
        db::opinion::set_reply(conn, id, text, db::now())?;
        audit::record(
            conn,
            entry(actor, sheet_id, AuditAction::OpinionReply, text),
        )?;
        let title = notify::title(&ctx.sheet);
        let notice = Notice {
            message: format!("「{title}」の推進委員会意見に対応が記入されました"),
            body: format!(
                "{}さんが評価票「{title}」の推進委員会意見への対応を記入しました。\n\n{text}",
                actor.display_name
            ),
        };
        notify::tell_sheet(conn, &ctx.sheet, Audience::Hq, &notice)?;
        Ok(Ok(()))
    })
}

/// HQ closes an opinion (対応済).
pub fn close(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    id: OpinionId,
) -> Result<(), UseCaseError> {
    db::write_tx(conn, |conn| {
        visible(conn, actor, sheet_id, Action::RecordOpinion)?;
        let opinion = db::opinion::find(conn, id)?
            .filter(|o| o.sheet_id == sheet_id)
            .ok_or(Denial::NotFound)?;
        if db::opinion::close(conn, id, db::now())? {
            audit::record(
                conn,
                entry(actor, sheet_id, AuditAction::OpinionClose, &opinion.opinion),
            )?;
        }
        Ok(())
    })
}

/// The opinions of a sheet already found visible, for someone who may read
/// them: asked of its access, so the sheet is not loaded again.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    access: &SheetAccess,
) -> Result<Vec<OpinionRow>, UseCaseError> {
    authorize(actor, Action::ViewOpinions, Some(access))?;
    Ok(db::opinion::for_sheet(conn, sheet_id)?)
}
