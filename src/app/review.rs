//! HQ's side of the workflow: 差し戻し, 確認, 評価, 確定 and 再開. No HTTP here.

use super::sheet::context;
use super::{notify, record_step, UseCaseError};
use crate::db::{self, DbConnection};
use crate::domain::change::diff;
use crate::domain::field::{Field, Input, Texts, Writer, LONG_TEXT_MAX};
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::form::Choices;
use crate::domain::ids::{IndicatorId, SheetId};
use crate::domain::notice::{step_audience, step_notice};
use crate::domain::permission::{authorize, Action, Actor, Denial};
use crate::domain::workflow::Event;

/// What HQ typed with the step.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub version: i32,
    /// Required for 差し戻し and 再開.
    pub reason: String,
    /// HQ's own fields of the sheet (推進本部評価 …), written with 評価.
    pub texts: Texts,
    /// Ticked for a step that asks first (確定, 再開).
    pub confirmed: bool,
}

/// Steps HQ confirms in the form itself before they happen: 確定 binds the
/// sheet into the report, 再開 sends a checked sheet back to the department.
pub fn asks_confirmation(event: Event) -> bool {
    matches!(event, Event::Finalize | Event::Reopen)
}

pub enum ReviewOutcome {
    Done,
    /// Nothing written; the messages say what to fix.
    Invalid(Vec<String>),
    /// Nothing written: the sheet changed since the page was opened.
    Stale,
}

/// The fields HQ writes with its evaluation.
pub fn hq_fields() -> impl Iterator<Item = Field> {
    Field::all().filter(|f| f.def().writer == Writer::Hq)
}

fn problems(event: Event, input: &ReviewInput, choices: &Choices, year: FiscalYear) -> Vec<String> {
    let mut problems = Vec::new();
    if needs_reason(event) && input.reason.trim().is_empty() {
        problems.push(format!("{}の理由を入力してください", event.label()));
    }
    if asks_confirmation(event) && !input.confirmed {
        problems.push(format!(
            "「{}」する前に、確認欄にチェックを入れてください",
            event.label()
        ));
    }
    if input.reason.chars().count() > LONG_TEXT_MAX {
        problems.push(format!("理由は{LONG_TEXT_MAX}文字以内で入力してください"));
    }
    if event != Event::Evaluate {
        return problems;
    }
    for field in hq_fields() {
        let text = input.texts.get(field);
        let max = field.def().max_len;
        if text.chars().count() > max {
            problems.push(format!(
                "{}は{max}文字以内で入力してください",
                field.label(year)
            ));
        }
        if let Input::Choice(list) = field.def().input {
            if !choices.get(list).iter().any(|c| c == text) {
                problems.push(format!("{}を一覧から選んでください", field.label(year)));
            }
        }
    }
    problems
}

fn needs_reason(event: Event) -> bool {
    matches!(event, Event::Return | Event::Reopen)
}

pub fn review(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    event: Event,
    input: &ReviewInput,
) -> Result<ReviewOutcome, UseCaseError> {
    db::write_tx(conn, |conn| {
        let ctx = context(conn, sheet_id)?.ok_or(Denial::NotFound)?;
        let to = authorize(actor, Action::Sheet(event), Some(&ctx.access()))?
            .ok_or(Denial::Forbidden)?;
        let fy = ctx.sheet.fiscal_year;
        let problems = problems(event, input, &ctx.choices, fy);
        if !problems.is_empty() {
            return Ok(ReviewOutcome::Invalid(problems));
        }
        if input.version != ctx.sheet.version {
            return Ok(ReviewOutcome::Stale);
        }
        let mut content = ctx.sheet.content.clone();
        if event == Event::Evaluate {
            for field in hq_fields() {
                content.texts.set(field, input.texts.get(field));
            }
        }
        let reason = if needs_reason(event) {
            input.reason.as_str()
        } else {
            ctx.sheet.return_reason.as_str()
        };
        let ids: Vec<Option<IndicatorId>> =
            ctx.sheet.indicator_ids.iter().map(|i| Some(*i)).collect();
        let changes = diff(&ctx.sheet.content, &content, fy);
        let saved = db::sheet::save(conn, &ctx.sheet, input.version, &content, &ids, to, reason)?;
        if saved.is_none() {
            return Ok(ReviewOutcome::Stale);
        }
        let reason = if needs_reason(event) {
            input.reason.as_str()
        } else {
            ""
        };
        let detail = serde_json::json!({ "reason": reason, "changes": changes });
        record_step(conn, actor, sheet_id, event, (ctx.sheet.status, to), detail)?;
        if let Some(audience) = step_audience(event) {
            let title = notify::title(&ctx.sheet);
            let notice = step_notice(event, &title, &actor.display_name, reason);
            notify::tell_sheet(conn, &ctx.sheet, audience, &notice)?;
        }
        Ok(ReviewOutcome::Done)
    })
}
