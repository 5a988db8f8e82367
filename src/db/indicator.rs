//! Queries for indicators beyond the sheet itself: a plan's 達成率 rule and
//! rating bands, a row's direction, last year's texts for the copy marks, and
//! the text search across years.

use std::collections::HashMap;

use diesel::prelude::*;

use super::OneRow;

use super::schema::{
    departments, focus_areas, indicator_bands, indicator_settings, indicators,
    initiative_departments, initiatives, sheet_texts, sheets,
};
use super::{DbConnection, DbError};
use crate::domain::field::{Field, Texts};
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::ids::{DepartmentId, IndicatorId, InitiativeId, PlanId, SheetId};
use crate::domain::indicator::{default_bands, Band, Direction, Rule};
use crate::domain::workflow::SheetStatus;

/// A plan's 達成率 rule. (Whether a printed book carries trend charts is
/// chosen per book on /reports; the old `print_charts` column is unused.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub rule: Rule,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            rule: Rule::Progress,
        }
    }
}

pub fn settings(conn: &mut DbConnection, plan_id: PlanId) -> Result<Settings, DbError> {
    let rule: Option<Rule> = indicator_settings::table
        .find(plan_id)
        .select(indicator_settings::rule)
        .one_row(conn)?;
    Ok(rule.map_or_else(Settings::default, |rule| Settings { rule }))
}

/// Replaces the plan's settings (no upsert across both backends: delete, insert).
pub fn set_settings(
    conn: &mut DbConnection,
    plan_id: PlanId,
    settings: Settings,
) -> Result<(), DbError> {
    diesel::delete(indicator_settings::table.find(plan_id)).execute(conn)?;
    diesel::insert_into(indicator_settings::table)
        .values((
            indicator_settings::plan_id.eq(plan_id),
            indicator_settings::rule.eq(settings.rule),
        ))
        .execute(conn)?;
    Ok(())
}

/// The plan's bands in HQ's order; the defaults until HQ saves its own.
pub fn bands(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<Band>, DbError> {
    let rows: Vec<(String, String, String, Option<f64>)> = indicator_bands::table
        .filter(indicator_bands::plan_id.eq(plan_id))
        .order(indicator_bands::position)
        .select((
            indicator_bands::label,
            indicator_bands::symbol,
            indicator_bands::colour,
            indicator_bands::min_percent,
        ))
        .load(conn)?;
    if rows.is_empty() {
        return Ok(default_bands());
    }
    Ok(rows
        .into_iter()
        .map(|(label, symbol, colour, min)| Band {
            label,
            symbol,
            colour,
            min,
        })
        .collect())
}

pub fn replace_bands(
    conn: &mut DbConnection,
    plan_id: PlanId,
    bands: &[Band],
) -> Result<(), DbError> {
    diesel::delete(indicator_bands::table.filter(indicator_bands::plan_id.eq(plan_id)))
        .execute(conn)?;
    for (pos, b) in bands.iter().enumerate() {
        diesel::insert_into(indicator_bands::table)
            .values((
                indicator_bands::plan_id.eq(plan_id),
                indicator_bands::position.eq(pos as i32 + 1),
                indicator_bands::label.eq(&b.label),
                indicator_bands::symbol.eq(&b.symbol),
                indicator_bands::colour.eq(&b.colour),
                indicator_bands::min_percent.eq(b.min),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Sets (or clears, back to the proposal) one row's direction; false when the
/// row is not on that sheet.
pub fn set_direction(
    conn: &mut DbConnection,
    sheet_id: SheetId,
    indicator_id: IndicatorId,
    direction: Option<Direction>,
) -> Result<bool, DbError> {
    let n = diesel::update(
        indicators::table
            .find(indicator_id)
            .filter(indicators::sheet_id.eq(sheet_id)),
    )
    .set(indicators::direction.eq(direction))
    .execute(conn)?;
    // Every change of a sheet raises its version, so a form opened before
    // this one cannot save over it unnoticed.
    if n == 1 {
        diesel::update(sheets::table.find(sheet_id))
            .set(sheets::version.eq(sheets::version + 1))
            .execute(conn)?;
    }
    Ok(n == 1)
}

/// Every stored text of a plan's sheets in one year, by initiative, with the
/// sheet's id. One query.
pub fn texts_for_year(
    conn: &mut DbConnection,
    plan_id: PlanId,
    fiscal_year: FiscalYear,
) -> Result<HashMap<InitiativeId, (SheetId, Texts)>, DbError> {
    let rows: Vec<(InitiativeId, SheetId, String, String)> = sheet_texts::table
        .inner_join(sheets::table.inner_join(initiatives::table.inner_join(focus_areas::table)))
        .filter(focus_areas::plan_id.eq(plan_id))
        .filter(sheets::fiscal_year.eq(fiscal_year))
        .select((
            sheets::initiative_id,
            sheets::id,
            sheet_texts::field,
            sheet_texts::text,
        ))
        .load(conn)?;
    let mut out: HashMap<InitiativeId, (SheetId, Texts)> = HashMap::new();
    for (initiative, sheet, key, text) in rows {
        if let Some(field) = Field::from_key(&key) {
            out.entry(initiative)
                .or_insert_with(|| (sheet, Texts::default()))
                .1
                .set(field, text);
        }
    }
    Ok(out)
}

/// The stored texts of one initiative's sheet in one year (empty when it
/// has none). One query, whatever the size of the plan.
pub fn texts_of_initiative(
    conn: &mut DbConnection,
    initiative_id: InitiativeId,
    fiscal_year: FiscalYear,
) -> Result<Texts, DbError> {
    let rows: Vec<(String, String)> = sheet_texts::table
        .inner_join(sheets::table)
        .filter(sheets::initiative_id.eq(initiative_id))
        .filter(sheets::fiscal_year.eq(fiscal_year))
        .select((sheet_texts::field, sheet_texts::text))
        .load(conn)?;
    let mut texts = Texts::default();
    for (key, text) in rows {
        if let Some(field) = Field::from_key(&key) {
            texts.set(field, text);
        }
    }
    Ok(texts)
}

/// One stored text holding the searched word.
#[derive(Debug, Clone, PartialEq)]
pub struct TextHit {
    pub sheet_id: SheetId,
    pub status: SheetStatus,
    pub initiative_id: InitiativeId,
    pub fiscal_year: FiscalYear,
    pub area_number: i32,
    pub initiative_number: i32,
    pub initiative_name: String,
    pub department_id: DepartmentId,
    pub department: String,
    pub field: Field,
    pub text: String,
}

/// `%`, `_` and the escape character itself match only themselves.
pub fn like_pattern(word: &str) -> String {
    let mut p = String::with_capacity(word.len() + 2);
    p.push('%');
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Texts of every year holding `word` (at most `limit`), newest year first.
pub fn search_texts(
    conn: &mut DbConnection,
    word: &str,
    limit: i64,
) -> Result<Vec<TextHit>, DbError> {
    type Row = (
        (SheetId, SheetStatus, InitiativeId, FiscalYear),
        (i32, i32, String, DepartmentId, String),
        (String, String),
    );
    let rows: Vec<Row> = sheet_texts::table
        .inner_join(
            sheets::table.inner_join(
                initiatives::table
                    .inner_join(focus_areas::table)
                    .inner_join(departments::table),
            ),
        )
        .filter(sheet_texts::text.like(like_pattern(word)).escape('\\'))
        .order((
            sheets::fiscal_year.desc(),
            focus_areas::number,
            initiatives::number,
            sheet_texts::field,
        ))
        .limit(limit)
        .select((
            (
                sheets::id,
                sheets::status,
                sheets::initiative_id,
                sheets::fiscal_year,
            ),
            (
                focus_areas::number,
                initiatives::number,
                initiatives::name,
                departments::id,
                departments::name,
            ),
            (sheet_texts::field, sheet_texts::text),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(
            |((sheet_id, status, initiative_id, fiscal_year), i, (key, text))| {
                Some(TextHit {
                    sheet_id,
                    status,
                    initiative_id,
                    fiscal_year,
                    area_number: i.0,
                    initiative_number: i.1,
                    initiative_name: i.2,
                    department_id: i.3,
                    department: i.4,
                    field: Field::from_key(&key)?,
                    text,
                })
            },
        )
        .collect())
}

/// Every initiative's 関係課. One query.
pub fn related_departments(
    conn: &mut DbConnection,
) -> Result<HashMap<InitiativeId, Vec<DepartmentId>>, DbError> {
    let rows: Vec<(InitiativeId, DepartmentId)> = initiative_departments::table
        .order((
            initiative_departments::initiative_id,
            initiative_departments::position,
        ))
        .select((
            initiative_departments::initiative_id,
            initiative_departments::department_id,
        ))
        .load(conn)?;
    let mut out: HashMap<InitiativeId, Vec<DepartmentId>> = HashMap::new();
    for (i, d) in rows {
        out.entry(i).or_default().push(d);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("ノー残業デー"), "%ノー残業デー%");
        assert_eq!(like_pattern("100%_a\\"), "%100\\%\\_a\\\\%");
    }
}
