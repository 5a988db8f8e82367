//! Indicator use cases: the board of a plan-year, the 達成率 rule and rating
//! bands HQ edits, an indicator's direction, the copied-from-last-year marks,
//! and the search across years. Each asks the one permission table.

use std::collections::HashMap;

use super::{record, UseCaseError};
use crate::db::indicator::{Settings, TextHit};
use crate::db::{self, audit, DbConnection};
use crate::domain::audit::AuditAction;
use crate::domain::field::{Field, Input, Place, Texts};
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::ids::{IndicatorId, PlanId, SheetId};
use crate::domain::indicator::{band_problems, likeness, Band, Direction, Likeness};
use crate::domain::permission::{authorize, Action, Actor, Denial, SheetAccess};
use crate::domain::sheet::Sheet;

/// A plan's year as the board shows it: the sheets the actor may see, with the
/// plan's rule and bands.
pub struct BoardData {
    pub plan_id: PlanId,
    pub plan_name: String,
    pub fiscal_year: FiscalYear,
    pub settings: Settings,
    pub bands: Vec<Band>,
    pub sheets: Vec<Sheet>,
}

fn sheet_access(sheet: &Sheet) -> SheetAccess {
    SheetAccess {
        department_id: sheet.context.department_id,
        related_department_ids: sheet.context.related_department_ids.clone(),
        status: sheet.status,
        round: None,
    }
}

/// The year's indicators the actor may see (HQ: all; staff: their sheets).
pub fn board(
    conn: &mut DbConnection,
    actor: &Actor,
    fiscal_year: FiscalYear,
    plan: Option<PlanId>,
) -> Result<Option<BoardData>, UseCaseError> {
    let Some(plan_id) = db::report::plan_for_year(conn, fiscal_year, plan)? else {
        return Ok(None);
    };
    let Some(book) = db::report::load_book(conn, plan_id, fiscal_year, true, false)? else {
        return Ok(None);
    };
    let sheets = book
        .sheets
        .into_iter()
        .filter(|s| authorize(actor, Action::ViewSheet, Some(&sheet_access(s))).is_ok())
        .collect();
    Ok(Some(BoardData {
        plan_id,
        plan_name: book.plan.name,
        fiscal_year,
        settings: db::indicator::settings(conn, plan_id)?,
        bands: db::indicator::bands(conn, plan_id)?,
        sheets,
    }))
}

/// The rule and bands of a plan, for the settings page (HQ).
pub fn rules(
    conn: &mut DbConnection,
    actor: &Actor,
    plan_id: PlanId,
) -> Result<(Settings, Vec<Band>), UseCaseError> {
    authorize(actor, Action::ManageIndicatorRules, None)?;
    Ok((
        db::indicator::settings(conn, plan_id)?,
        db::indicator::bands(conn, plan_id)?,
    ))
}

/// The rule and bands in force for a plan (anyone who sees a sheet of it).
pub fn rules_in_force(
    conn: &mut DbConnection,
    plan_id: PlanId,
) -> Result<(Settings, Vec<Band>), UseCaseError> {
    Ok((
        db::indicator::settings(conn, plan_id)?,
        db::indicator::bands(conn, plan_id)?,
    ))
}

/// Saves HQ's rule and bands. `Err(problems)` inside the `Ok` when the bands
/// are not usable (nothing is written then).
pub fn save_rules(
    conn: &mut DbConnection,
    actor: &Actor,
    plan_id: PlanId,
    settings: Settings,
    bands: Vec<Band>,
) -> Result<Result<(), Vec<String>>, UseCaseError> {
    authorize(actor, Action::ManageIndicatorRules, None)?;
    let problems = band_problems(&bands);
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    db::write_tx(conn, |conn| {
        if db::plan::find(conn, plan_id)?.is_none() {
            return Err(Denial::NotFound.into());
        }
        let (old_settings, old_bands) = rules_in_force(conn, plan_id)?;
        db::indicator::set_settings(conn, plan_id, settings)?;
        db::indicator::replace_bands(conn, plan_id, &bands)?;
        let detail = serde_json::json!({
            "plan": plan_id.0,
            "rule": [old_settings.rule.label(), settings.rule.label()],
            "bands": [describe(&old_bands), describe(&bands)],
        });
        record(conn, actor, AuditAction::IndicatorRules, detail.to_string())?;
        Ok(Ok(()))
    })
}

fn describe(bands: &[Band]) -> String {
    bands
        .iter()
        .map(|b| match b.min {
            Some(m) => format!("{}{} {}%以上", b.symbol, b.label, m),
            None => format!("{}{}", b.symbol, b.label),
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Sets one indicator's direction (None: back to the proposal). Audited on
/// the sheet's history.
pub fn set_direction(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    indicator_id: IndicatorId,
    direction: Option<Direction>,
) -> Result<(), UseCaseError> {
    db::write_tx(conn, |conn| {
        let ctx = super::sheet::visible(conn, actor, sheet_id, Action::SetIndicatorDirection)?;
        let pos = ctx
            .sheet
            .indicator_ids
            .iter()
            .position(|id| *id == indicator_id)
            .ok_or(Denial::NotFound)?;
        let ind = &ctx.sheet.content.indicators[pos];
        if ind.direction == direction {
            return Ok(());
        }
        db::indicator::set_direction(conn, sheet_id, indicator_id, direction)?;
        let label = |d: Option<Direction>| d.map_or("自動", |d| d.label());
        let detail = serde_json::json!({
            "indicator": ind.name,
            "direction": [label(ind.direction), label(direction)],
        });
        audit::record(
            conn,
            audit::Entry {
                user_id: Some(actor.user_id),
                actor: &actor.login,
                action: AuditAction::IndicatorDirection,
                sheet_id: Some(sheet_id),
                from_status: Some(ctx.sheet.status),
                to_status: Some(ctx.sheet.status),
                detail: detail.to_string(),
            },
        )?;
        Ok(())
    })
}

/// The body fields compared with last year's: the prose the department writes
/// each year (a choice such as 順調 repeats by nature and is not marked).
pub fn compared_fields() -> impl Iterator<Item = Field> {
    Field::all().filter(|f| {
        matches!(
            f.def().place,
            Place::Body | Place::BodyIfWritten | Place::Beside
        ) && matches!(f.def().input, Input::Text(_))
    })
}

/// Which body fields of `now` repeat `before`.
pub fn marks(before: &Texts, now: &Texts) -> Vec<(Field, Likeness)> {
    compared_fields()
        .filter_map(|f| likeness(before.get(f), now.get(f)).map(|l| (f, l)))
        .collect()
}

/// How many body fields of each sheet of the year repeat last year's (HQ's
/// list), by sheet. Two queries.
pub fn mark_counts(
    conn: &mut DbConnection,
    actor: &Actor,
    plan_id: PlanId,
    fiscal_year: FiscalYear,
) -> Result<HashMap<SheetId, usize>, UseCaseError> {
    authorize(actor, Action::ViewAllSheets, None)?;
    let now = db::indicator::texts_for_year(conn, plan_id, fiscal_year)?;
    let before = db::indicator::texts_for_year(conn, plan_id, fiscal_year.prev())?;
    Ok(now
        .iter()
        .map(|(i, (sheet, texts))| {
            let n = before.get(i).map_or(0, |(_, b)| marks(b, texts).len());
            (*sheet, n)
        })
        .collect())
}

/// Most hits read from the database for one search.
pub const SEARCH_LIMIT: i64 = 500;

/// Texts of any year holding `word` on sheets the actor may see.
pub fn search(
    conn: &mut DbConnection,
    actor: &Actor,
    word: &str,
) -> Result<Vec<TextHit>, UseCaseError> {
    let hits = db::indicator::search_texts(conn, word, SEARCH_LIMIT)?;
    let related = db::indicator::related_departments(conn)?;
    Ok(hits
        .into_iter()
        .filter(|h| {
            let access = SheetAccess {
                department_id: h.department_id,
                related_department_ids: related.get(&h.initiative_id).cloned().unwrap_or_default(),
                status: h.status,
                round: None,
            };
            authorize(actor, Action::ViewSheet, Some(&access)).is_ok()
        })
        .collect())
}
