//! HQ's side of the workflow: 差し戻し, 確認, 評価, 確定 and 再開. No HTTP here.

use crate::db::{self, DbConnection};
use crate::domain::form::LONG_TEXT_MAX;
use crate::domain::permission::{authorize, Action, Actor, Denial};
use crate::domain::workflow::Event;
use crate::sheet_edit::{context, EditError};

/// What HQ typed with the step.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub version: i32,
    /// Required for 差し戻し and 再開.
    pub reason: String,
    /// 推進本部評価, required for 評価.
    pub hq_evaluation: String,
    pub hq_comment: String,
}

pub enum ReviewOutcome {
    Done,
    /// Nothing written; the messages say what to fix.
    Invalid(Vec<String>),
    /// Nothing written: the sheet changed since the page was opened.
    Stale,
}

pub fn review(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: i32,
    event: Event,
    input: &ReviewInput,
) -> Result<ReviewOutcome, EditError> {
    db::write_tx(conn, |conn| {
        let ctx = context(conn, sheet_id)?.ok_or(Denial::NotFound)?;
        let to = authorize(actor, Action::Sheet(event), Some(&ctx.access()))?
            .ok_or(Denial::Forbidden)?;
        let mut problems = Vec::new();
        let needs_reason = matches!(event, Event::Return | Event::Reopen);
        if needs_reason && input.reason.trim().is_empty() {
            problems.push(format!("{}の理由を入力してください", event.label()));
        }
        if input.reason.chars().count() > LONG_TEXT_MAX
            || input.hq_comment.chars().count() > LONG_TEXT_MAX
        {
            problems.push(format!(
                "理由・コメントは{LONG_TEXT_MAX}文字以内で入力してください"
            ));
        }
        if event == Event::Evaluate && !ctx.choices.evaluation.contains(&input.hq_evaluation) {
            problems.push("推進本部評価を一覧から選んでください".into());
        }
        if !problems.is_empty() {
            return Ok(ReviewOutcome::Invalid(problems));
        }
        if input.version != ctx.sheet.version {
            return Ok(ReviewOutcome::Stale);
        }
        let mut content = ctx.sheet.content.clone();
        if event == Event::Evaluate {
            content.body.hq_evaluation = input.hq_evaluation.clone();
            content.body.hq_comment = input.hq_comment.clone();
        }
        let reason = if needs_reason {
            input.reason.as_str()
        } else {
            ctx.sheet.return_reason.as_str()
        };
        let ids: Vec<Option<i32>> = ctx.sheet.indicator_ids.iter().map(|i| Some(*i)).collect();
        let fy = ctx.sheet.fiscal_year;
        let changes = crate::domain::form::diff(&ctx.sheet.content, &content, fy);
        if db::sheet::save(conn, &ctx.sheet, input.version, &content, &ids, to, reason)?.is_none() {
            return Ok(ReviewOutcome::Stale);
        }
        db::audit::record(
            conn,
            db::audit::Entry {
                user_id: Some(actor.user_id),
                actor: &actor.login,
                action: event.code(),
                sheet_id: Some(sheet_id),
                from_status: Some(ctx.sheet.status.code()),
                to_status: Some(to.code()),
                detail: serde_json::json!({
                    "reason": if needs_reason { input.reason.as_str() } else { "" },
                    "changes": changes,
                })
                .to_string(),
            },
        )?;
        Ok(ReviewOutcome::Done)
    })
}
