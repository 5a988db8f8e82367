//! Queries for sheets: load one whole sheet in a fixed number of queries, list
//! a year's sheets, write a sheet's content.

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::{
    action_items, departments, focus_areas, indicator_values, indicators, initiative_departments,
    initiatives, plans, schedule_cells, sheets,
};
use super::{DbConnection, DbError};
use crate::domain::measure::parse_measure;
use crate::domain::sheet::{
    ActionItem, Indicator, Period, Sheet, SheetBody, SheetContent, SheetContext, SheetHeader,
};
use crate::domain::workflow::SheetStatus;

#[derive(Queryable, Selectable)]
#[diesel(table_name = sheets)]
struct SheetRow {
    id: i32,
    initiative_id: i32,
    fiscal_year: i32,
    status: String,
    version: i32,
    related_plan: String,
    plan_years: String,
    target_scope: String,
    related_initiatives: String,
    special_notes: String,
    content: String,
    plan_for_year: String,
    h1_actions: String,
    h1_progress: String,
    h2_plan: String,
    h2_actions: String,
    effects: String,
    issues: String,
    dept_evaluation: String,
    dept_reason: String,
    hq_evaluation: String,
    hq_comment: String,
    next_year: String,
    return_reason: String,
}

#[derive(Queryable)]
struct ContextRow {
    plan_id: i32,
    plan_name: String,
    plan_first_year: i32,
    plan_last_year: i32,
    area_number: i32,
    area_title: String,
    initiative_number: i32,
    initiative_name: String,
    department_id: i32,
    department: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = indicators)]
struct IndicatorRow {
    id: i32,
    name: String,
    method: String,
    baseline_text: String,
    baseline_year: Option<i32>,
    target_text: String,
    target_year: i32,
}

/// Loads one sheet with everything printed on it. Six queries, whatever the
/// number of 取組項目 or 目標 rows.
pub fn load(conn: &mut DbConnection, sheet_id: i32) -> Result<Option<Sheet>, DbError> {
    let Some(row) = sheets::table
        .find(sheet_id)
        .select(SheetRow::as_select())
        .first::<SheetRow>(conn)
        .optional()?
    else {
        return Ok(None);
    };

    let ctx: ContextRow = initiatives::table
        .inner_join(focus_areas::table.inner_join(plans::table))
        .inner_join(departments::table)
        .filter(initiatives::id.eq(row.initiative_id))
        .select((
            plans::id,
            plans::name,
            plans::first_year,
            plans::last_year,
            focus_areas::number,
            focus_areas::title,
            initiatives::number,
            initiatives::name,
            departments::id,
            departments::name,
        ))
        .first(conn)?;

    let related: Vec<(i32, String)> = initiative_departments::table
        .inner_join(departments::table)
        .filter(initiative_departments::initiative_id.eq(row.initiative_id))
        .order(initiative_departments::position)
        .select((departments::id, departments::name))
        .load(conn)?;
    let (related_department_ids, related_departments) = related.into_iter().unzip();

    let items: Vec<(i32, String)> = action_items::table
        .filter(action_items::sheet_id.eq(sheet_id))
        .order(action_items::position)
        .select((action_items::id, action_items::text))
        .load(conn)?;
    let cells: Vec<(i32, i32, String)> = schedule_cells::table
        .inner_join(action_items::table)
        .filter(action_items::sheet_id.eq(sheet_id))
        .order((schedule_cells::action_item_id, schedule_cells::fiscal_year))
        .select((
            schedule_cells::action_item_id,
            schedule_cells::fiscal_year,
            schedule_cells::value,
        ))
        .load(conn)?;
    let mut cells_by_item: HashMap<i32, Vec<(i32, String)>> = HashMap::new();
    for (item, year, value) in cells {
        cells_by_item.entry(item).or_default().push((year, value));
    }
    let action_items = items
        .into_iter()
        .map(|(id, text)| ActionItem {
            text,
            schedule: cells_by_item.remove(&id).unwrap_or_default(),
        })
        .collect();

    let indicator_rows: Vec<IndicatorRow> = indicators::table
        .filter(indicators::sheet_id.eq(sheet_id))
        .order(indicators::position)
        .select(IndicatorRow::as_select())
        .load(conn)?;
    let values: Vec<(i32, i32, String, String)> = indicator_values::table
        .inner_join(indicators::table)
        .filter(indicators::sheet_id.eq(sheet_id))
        .order((
            indicator_values::indicator_id,
            indicator_values::fiscal_year,
        ))
        .select((
            indicator_values::indicator_id,
            indicator_values::fiscal_year,
            indicator_values::period,
            indicator_values::value_text,
        ))
        .load(conn)?;
    let mut values_by_indicator: HashMap<i32, Vec<(i32, Period, String)>> = HashMap::new();
    for (indicator, year, period, text) in values {
        if let Some(period) = Period::from_code(&period) {
            values_by_indicator
                .entry(indicator)
                .or_default()
                .push((year, period, text));
        }
    }
    let indicator_ids = indicator_rows.iter().map(|r| r.id).collect();
    let indicators = indicator_rows
        .into_iter()
        .map(|r| {
            let mut values = values_by_indicator.remove(&r.id).unwrap_or_default();
            values.sort_by_key(|(y, p, _)| (*y, *p));
            Indicator {
                name: r.name,
                method: r.method,
                baseline: r.baseline_text,
                baseline_year: r.baseline_year,
                target: r.target_text,
                target_year: r.target_year,
                values,
            }
        })
        .collect();

    let status = SheetStatus::from_code(&row.status).ok_or_else(|| {
        DbError::Config(format!(
            "評価票 {} の状態「{}」が不明です",
            row.id, row.status
        ))
    })?;
    Ok(Some(Sheet {
        id: row.id,
        fiscal_year: row.fiscal_year,
        status,
        version: row.version,
        context: SheetContext {
            plan_id: ctx.plan_id,
            plan_name: ctx.plan_name,
            plan_first_year: ctx.plan_first_year,
            plan_last_year: ctx.plan_last_year,
            area_number: ctx.area_number,
            area_title: ctx.area_title,
            initiative_id: row.initiative_id,
            initiative_number: ctx.initiative_number,
            initiative_name: ctx.initiative_name,
            department_id: ctx.department_id,
            department: ctx.department,
            related_department_ids,
            related_departments,
        },
        content: SheetContent {
            header: SheetHeader {
                related_plan: row.related_plan,
                plan_years: row.plan_years,
                target_scope: row.target_scope,
                related_initiatives: row.related_initiatives,
                special_notes: row.special_notes,
            },
            action_items,
            indicators,
            body: SheetBody {
                content: row.content,
                plan_for_year: row.plan_for_year,
                h1_actions: row.h1_actions,
                h1_progress: row.h1_progress,
                h2_plan: row.h2_plan,
                h2_actions: row.h2_actions,
                effects: row.effects,
                issues: row.issues,
                dept_evaluation: row.dept_evaluation,
                dept_reason: row.dept_reason,
                hq_evaluation: row.hq_evaluation,
                hq_comment: row.hq_comment,
                next_year: row.next_year,
            },
        },
        indicator_ids,
        return_reason: row.return_reason,
    }))
}

/// The sheet of an initiative for a fiscal year, if there is one.
pub fn find_id(
    conn: &mut DbConnection,
    initiative_id: i32,
    fiscal_year: i32,
) -> Result<Option<i32>, DbError> {
    Ok(sheets::table
        .filter(sheets::initiative_id.eq(initiative_id))
        .filter(sheets::fiscal_year.eq(fiscal_year))
        .select(sheets::id)
        .first(conn)
        .optional()?)
}

/// The texts a department (and HQ) write, stored the same way on insert and save.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = sheets)]
struct SheetTexts<'a> {
    related_initiatives: &'a str,
    special_notes: &'a str,
    content: &'a str,
    plan_for_year: &'a str,
    h1_actions: &'a str,
    h1_progress: &'a str,
    h2_plan: &'a str,
    h2_actions: &'a str,
    effects: &'a str,
    issues: &'a str,
    dept_evaluation: &'a str,
    dept_reason: &'a str,
    hq_evaluation: &'a str,
    hq_comment: &'a str,
    next_year: &'a str,
}

impl<'a> SheetTexts<'a> {
    fn of(c: &'a SheetContent) -> Self {
        let b = &c.body;
        Self {
            related_initiatives: &c.header.related_initiatives,
            special_notes: &c.header.special_notes,
            content: &b.content,
            plan_for_year: &b.plan_for_year,
            h1_actions: &b.h1_actions,
            h1_progress: &b.h1_progress,
            h2_plan: &b.h2_plan,
            h2_actions: &b.h2_actions,
            effects: &b.effects,
            issues: &b.issues,
            dept_evaluation: &b.dept_evaluation,
            dept_reason: &b.dept_reason,
            hq_evaluation: &b.hq_evaluation,
            hq_comment: &b.hq_comment,
            next_year: &b.next_year,
        }
    }
}

/// Creates a sheet with its rows; returns its id.
pub fn insert(
    conn: &mut DbConnection,
    initiative_id: i32,
    fiscal_year: i32,
    status: SheetStatus,
    content: &SheetContent,
) -> Result<i32, DbError> {
    let now = super::now();
    let h = &content.header;
    let sheet_id: i32 = diesel::insert_into(sheets::table)
        .values((
            SheetTexts::of(content),
            sheets::initiative_id.eq(initiative_id),
            sheets::fiscal_year.eq(fiscal_year),
            sheets::status.eq(status.code()),
            sheets::version.eq(1),
            sheets::related_plan.eq(&h.related_plan),
            sheets::plan_years.eq(&h.plan_years),
            sheets::target_scope.eq(&h.target_scope),
            sheets::created_at.eq(now),
            sheets::updated_at.eq(now),
        ))
        .returning(sheets::id)
        .get_result(conn)?;
    insert_rows(conn, sheet_id, content)?;
    Ok(sheet_id)
}

/// Writes the 取組項目 and 目標 rows of a sheet that has none yet.
fn insert_rows(
    conn: &mut DbConnection,
    sheet_id: i32,
    content: &SheetContent,
) -> Result<(), DbError> {
    insert_action_items(conn, sheet_id, &content.action_items)?;
    for (pos, ind) in content.indicators.iter().enumerate() {
        let id = insert_indicator(conn, sheet_id, pos as i32 + 1, ind)?;
        insert_values(conn, id, ind)?;
    }
    Ok(())
}

fn insert_action_items(
    conn: &mut DbConnection,
    sheet_id: i32,
    items: &[ActionItem],
) -> Result<(), DbError> {
    for (pos, item) in items.iter().enumerate() {
        let item_id: i32 = diesel::insert_into(action_items::table)
            .values((
                action_items::sheet_id.eq(sheet_id),
                action_items::position.eq(pos as i32 + 1),
                action_items::text.eq(&item.text),
            ))
            .returning(action_items::id)
            .get_result(conn)?;
        for (year, value) in item.schedule.iter().filter(|(_, v)| !v.is_empty()) {
            diesel::insert_into(schedule_cells::table)
                .values((
                    schedule_cells::action_item_id.eq(item_id),
                    schedule_cells::fiscal_year.eq(year),
                    schedule_cells::value.eq(value),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// An indicator's stored columns, with the numbers parsed from its texts;
/// written the same way on insert and on save.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = indicators, treat_none_as_null = true)]
struct IndicatorColumns<'a> {
    position: i32,
    name: &'a str,
    method: &'a str,
    baseline_text: &'a str,
    baseline_number: Option<f64>,
    baseline_unit: Option<String>,
    baseline_year: Option<i32>,
    target_text: &'a str,
    target_number: Option<f64>,
    target_unit: Option<String>,
    target_year: i32,
}

impl<'a> IndicatorColumns<'a> {
    fn of(position: i32, ind: &'a Indicator) -> Self {
        let baseline = parse_measure(&ind.baseline);
        let target = parse_measure(&ind.target);
        Self {
            position,
            name: &ind.name,
            method: &ind.method,
            baseline_text: &ind.baseline,
            baseline_number: baseline.as_ref().map(|m| m.number),
            baseline_unit: baseline.map(|m| m.unit),
            baseline_year: ind.baseline_year,
            target_text: &ind.target,
            target_number: target.as_ref().map(|m| m.number),
            target_unit: target.map(|m| m.unit),
            target_year: ind.target_year,
        }
    }
}

fn insert_indicator(
    conn: &mut DbConnection,
    sheet_id: i32,
    position: i32,
    ind: &Indicator,
) -> Result<i32, DbError> {
    Ok(diesel::insert_into(indicators::table)
        .values((
            indicators::sheet_id.eq(sheet_id),
            IndicatorColumns::of(position, ind),
        ))
        .returning(indicators::id)
        .get_result(conn)?)
}

fn update_indicator(
    conn: &mut DbConnection,
    id: i32,
    position: i32,
    ind: &Indicator,
) -> Result<(), DbError> {
    diesel::update(indicators::table.find(id))
        .set(IndicatorColumns::of(position, ind))
        .execute(conn)?;
    Ok(())
}

fn insert_values(
    conn: &mut DbConnection,
    indicator_id: i32,
    ind: &Indicator,
) -> Result<(), DbError> {
    for (year, period, text) in ind.values.iter().filter(|(_, _, v)| !v.is_empty()) {
        let measure = parse_measure(text);
        diesel::insert_into(indicator_values::table)
            .values((
                indicator_values::indicator_id.eq(indicator_id),
                indicator_values::fiscal_year.eq(year),
                indicator_values::period.eq(period.code()),
                indicator_values::value_text.eq(text),
                indicator_values::value_number.eq(measure.as_ref().map(|m| m.number)),
                indicator_values::value_unit.eq(measure.map(|m| m.unit)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Writes a new version of a sheet if it is still at `expected_version`.
/// Returns the new version, or None when someone saved in between (nothing is
/// written then). `indicator_ids` says, per new indicator, which stored one it
/// continues. Call inside a write transaction.
pub fn save(
    conn: &mut DbConnection,
    old: &Sheet,
    expected_version: i32,
    new: &SheetContent,
    indicator_ids: &[Option<i32>],
    status: SheetStatus,
    return_reason: &str,
) -> Result<Option<i32>, DbError> {
    let updated = diesel::update(
        sheets::table
            .find(old.id)
            .filter(sheets::version.eq(expected_version)),
    )
    .set((
        SheetTexts::of(new),
        sheets::status.eq(status.code()),
        sheets::version.eq(expected_version + 1),
        sheets::return_reason.eq(return_reason),
        sheets::updated_at.eq(super::now()),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }

    if new.action_items != old.content.action_items {
        diesel::delete(action_items::table.filter(action_items::sheet_id.eq(old.id)))
            .execute(conn)?;
        insert_action_items(conn, old.id, &new.action_items)?;
    }

    let same_rows = indicator_ids
        .iter()
        .copied()
        .eq(old.indicator_ids.iter().map(|id| Some(*id)));
    if !same_rows || new.indicators != old.content.indicators {
        let kept: Vec<i32> = indicator_ids.iter().flatten().copied().collect();
        let dropped: Vec<i32> = old
            .indicator_ids
            .iter()
            .copied()
            .filter(|id| !kept.contains(id))
            .collect();
        diesel::delete(indicators::table.filter(indicators::id.eq_any(&dropped))).execute(conn)?;
        // Move kept rows out of the way of the (sheet, position) key first.
        diesel::update(indicators::table.filter(indicators::sheet_id.eq(old.id)))
            .set(indicators::position.eq(indicators::id * -1))
            .execute(conn)?;
        for (pos, (ind, id)) in new.indicators.iter().zip(indicator_ids).enumerate() {
            let position = pos as i32 + 1;
            let id = match id.filter(|id| old.indicator_ids.contains(id)) {
                Some(id) => {
                    update_indicator(conn, id, position, ind)?;
                    diesel::delete(
                        indicator_values::table.filter(indicator_values::indicator_id.eq(id)),
                    )
                    .execute(conn)?;
                    id
                }
                None => insert_indicator(conn, old.id, position, ind)?,
            };
            insert_values(conn, id, ind)?;
        }
    }
    Ok(Some(expected_version + 1))
}

/// One row of the 取組事業一覧.
#[derive(Debug, Clone, PartialEq)]
pub struct ListEntry {
    pub sheet_id: i32,
    pub area_number: i32,
    pub area_title: String,
    pub initiative_number: i32,
    pub initiative_name: String,
    pub department_id: i32,
    pub department: String,
    pub related_department_ids: Vec<i32>,
    pub related_plan: String,
    pub status: SheetStatus,
    pub version: i32,
}

#[derive(Queryable)]
struct ListRow {
    sheet_id: i32,
    initiative_id: i32,
    area_number: i32,
    area_title: String,
    initiative_number: i32,
    initiative_name: String,
    department_id: i32,
    department: String,
    related_plan: String,
    status: String,
    version: i32,
}

fn status_of(sheet_id: i32, code: &str) -> Result<SheetStatus, DbError> {
    SheetStatus::from_code(code)
        .ok_or_else(|| DbError::Config(format!("評価票 {sheet_id} の状態「{code}」が不明です")))
}

/// The year's sheets in list order (推進項目, No.). Two queries.
pub fn list_for_year(
    conn: &mut DbConnection,
    plan_id: i32,
    fiscal_year: i32,
) -> Result<Vec<ListEntry>, DbError> {
    let rows: Vec<ListRow> = sheets::table
        .inner_join(
            initiatives::table
                .inner_join(focus_areas::table)
                .inner_join(departments::table),
        )
        .filter(focus_areas::plan_id.eq(plan_id))
        .filter(sheets::fiscal_year.eq(fiscal_year))
        .order((focus_areas::number, initiatives::number))
        .select((
            sheets::id,
            initiatives::id,
            focus_areas::number,
            focus_areas::title,
            initiatives::number,
            initiatives::name,
            departments::id,
            departments::name,
            sheets::related_plan,
            sheets::status,
            sheets::version,
        ))
        .load(conn)?;
    let related: Vec<(i32, i32)> = initiative_departments::table
        .inner_join(initiatives::table.inner_join(focus_areas::table))
        .filter(focus_areas::plan_id.eq(plan_id))
        .select((
            initiative_departments::initiative_id,
            initiative_departments::department_id,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(ListEntry {
                status: status_of(r.sheet_id, &r.status)?,
                sheet_id: r.sheet_id,
                area_number: r.area_number,
                area_title: r.area_title,
                initiative_number: r.initiative_number,
                initiative_name: r.initiative_name,
                department_id: r.department_id,
                department: r.department,
                related_department_ids: related
                    .iter()
                    .filter(|(i, _)| *i == r.initiative_id)
                    .map(|(_, d)| *d)
                    .collect(),
                related_plan: r.related_plan,
                version: r.version,
            })
        })
        .collect()
}

/// Fiscal years that have sheets in a plan, newest first.
pub fn years(conn: &mut DbConnection, plan_id: i32) -> Result<Vec<i32>, DbError> {
    Ok(sheets::table
        .inner_join(initiatives::table.inner_join(focus_areas::table))
        .filter(focus_areas::plan_id.eq(plan_id))
        .select(sheets::fiscal_year)
        .distinct()
        .order(sheets::fiscal_year.desc())
        .load(conn)?)
}

/// Opens `from_year + 1` for every initiative of the plan that has a sheet in
/// `from_year` and none in the next year: the new sheets are 作成中.
pub fn carry_forward_year(
    conn: &mut DbConnection,
    plan_id: i32,
    from_year: i32,
    actor: &str,
) -> Result<usize, DbError> {
    use crate::domain::sheet::carry_forward;
    super::write_tx(conn, |conn| {
        let mut created = 0;
        for initiative in super::plan::initiatives(conn, plan_id)? {
            let (Some(prev_id), None) = (
                find_id(conn, initiative.id, from_year)?,
                find_id(conn, initiative.id, from_year + 1)?,
            ) else {
                continue;
            };
            let Some(prev) = load(conn, prev_id)? else {
                continue;
            };
            let content = carry_forward(&prev.content, from_year);
            let id = insert(
                conn,
                initiative.id,
                from_year + 1,
                SheetStatus::Draft,
                &content,
            )?;
            super::audit::record(
                conn,
                super::audit::Entry {
                    user_id: None,
                    actor,
                    action: "carry_forward",
                    sheet_id: Some(id),
                    from_status: None,
                    to_status: Some(SheetStatus::Draft.code()),
                    detail: format!(
                        "{}の評価票から作成",
                        crate::domain::fiscal_year::era_name(from_year)
                    ),
                },
            )?;
            created += 1;
        }
        Ok(created)
    })
}

pub fn exists(conn: &mut DbConnection, sheet_id: i32) -> Result<bool, DbError> {
    let n: i64 = sheets::table
        .filter(sheets::id.eq(sheet_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
