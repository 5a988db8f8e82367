//! Comments on a sheet between its department and HQ: posted, answered and
//! marked 解決済. They never change the sheet's text; each is in its 履歴 and
//! tells the other side.

use super::sheet::visible;
use super::{notify, UseCaseError};
use crate::db::comment::{CommentRow, NewComment};
use crate::db::{self, audit, DbConnection};
use crate::domain::audit::AuditAction;
use crate::domain::field::Field;
use crate::domain::ids::{CommentId, SheetId};
use crate::domain::notice::{comment_notice, Audience};
use crate::domain::permission::{authorize, Action, Actor, Denial, SheetAccess};
use crate::domain::text::has_refused_control;

/// Longest comment.
pub const COMMENT_MAX: usize = 2000;

/// What was typed.
#[derive(Debug, Clone, Default)]
pub struct CommentInput {
    /// Pinned to this field; None for the whole sheet.
    pub field: Option<Field>,
    /// Answers this comment.
    pub parent: Option<CommentId>,
    pub body: String,
}

pub enum CommentOutcome {
    Posted(CommentId),
    /// Nothing written; the message says what to fix.
    Invalid(String),
}

fn problem(body: &str) -> Option<String> {
    if body.trim().is_empty() {
        Some("コメントを入力してください".into())
    } else if body.chars().count() > COMMENT_MAX {
        Some(format!("コメントは{COMMENT_MAX}文字以内で入力してください"))
    } else if has_refused_control(body) {
        Some("コメントに使えない制御文字が含まれています".into())
    } else {
        None
    }
}

/// Where a comment sits, as the history and the mail name it.
pub fn place(field: Option<&str>, year: crate::domain::fiscal_year::FiscalYear) -> String {
    field
        .and_then(Field::from_key)
        .map_or("評価票全体".to_string(), |f| f.label(year))
}

pub fn post(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    input: &CommentInput,
) -> Result<CommentOutcome, UseCaseError> {
    db::write_tx(conn, |conn| {
        let ctx = visible(conn, actor, sheet_id, Action::Comment)?;
        if let Some(message) = problem(&input.body) {
            return Ok(CommentOutcome::Invalid(message));
        }
        // A reply sits where the comment it answers sits.
        let (parent, field) = match input.parent {
            Some(id) => {
                let parent = db::comment::find(conn, id)?
                    .filter(|c| c.sheet_id == sheet_id && c.parent_id.is_none())
                    .ok_or(Denial::NotFound)?;
                (Some(parent.id), parent.field)
            }
            None => (None, input.field.map(|f| f.key().to_string())),
        };
        let now = db::now();
        let id = db::comment::insert(
            conn,
            &NewComment {
                sheet_id,
                field: field.as_deref(),
                parent_id: parent,
                author_id: actor.user_id,
                body: &input.body,
            },
            now,
        )?;
        let year = ctx.sheet.fiscal_year;
        let place = place(field.as_deref(), year);
        let what = if parent.is_some() {
            "返信"
        } else {
            "コメント"
        };
        audit::record(
            conn,
            audit::Entry {
                detail:
                    serde_json::json!({ "reason": format!("{what}（{place}）: {}", input.body) })
                        .to_string(),
                ..sheet_entry(actor, sheet_id, AuditAction::Comment)
            },
        )?;
        let title = notify::title(&ctx.sheet);
        let notice = comment_notice(
            &title,
            &actor.display_name,
            &place,
            &input.body,
            parent.is_some(),
        );
        notify::tell_sheet(conn, &ctx.sheet, Audience::other_side(actor.role), &notice)?;
        Ok(CommentOutcome::Posted(id))
    })
}

fn sheet_entry<'a>(actor: &'a Actor, sheet_id: SheetId, action: AuditAction) -> audit::Entry<'a> {
    audit::Entry {
        user_id: Some(actor.user_id),
        actor: &actor.login,
        action,
        sheet_id: Some(sheet_id),
        from_status: None,
        to_status: None,
        detail: String::new(),
    }
}

/// Marks a comment (with its replies) 解決済: its author or HQ.
pub fn resolve(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    comment_id: CommentId,
) -> Result<(), UseCaseError> {
    db::write_tx(conn, |conn| {
        let ctx = visible(conn, actor, sheet_id, Action::ViewComments)?;
        let comment = db::comment::find(conn, comment_id)?
            .filter(|c| c.sheet_id == sheet_id)
            .ok_or(Denial::NotFound)?;
        let access = ctx.access();
        let may = authorize(actor, Action::ResolveAnyComment, Some(&access)).is_ok()
            || (comment.author_id == actor.user_id
                && authorize(actor, Action::Comment, Some(&access)).is_ok());
        if !may {
            return Err(Denial::Forbidden.into());
        }
        if db::comment::resolve(conn, comment.id, actor.user_id, db::now())? {
            let place = place(comment.field.as_deref(), ctx.sheet.fiscal_year);
            let detail = format!("{place}のコメント（{}）", comment.author_name);
            audit::record(
                conn,
                audit::Entry {
                    detail: serde_json::json!({ "reason": detail }).to_string(),
                    ..sheet_entry(actor, sheet_id, AuditAction::CommentResolve)
                },
            )?;
        }
        Ok(())
    })
}

/// The comments of a sheet already found visible, for someone who may read
/// them: asked of its access, so the sheet is not loaded again.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    access: &SheetAccess,
) -> Result<Vec<CommentRow>, UseCaseError> {
    authorize(actor, Action::ViewComments, Some(access))?;
    Ok(db::comment::for_sheet(conn, sheet_id)?)
}
