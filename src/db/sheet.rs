//! Queries for sheets: load one whole sheet in a fixed number of queries, list
//! a year's sheets, write a sheet's content.

use std::collections::HashMap;

use diesel::prelude::*;

use super::OneRow;

use super::schema::{
    action_items, audit_log, departments, focus_areas, indicator_values, indicators,
    initiative_departments, initiatives, plans, schedule_cells, sheet_texts, sheets,
};
use super::{DbConnection, DbError};
use crate::domain::field::{Field, HeaderSlot, Texts};
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::ids::{DepartmentId, IndicatorId, InitiativeId, PlanId, SheetId};
use crate::domain::indicator::Direction;
use crate::domain::measure::parse_measure;
use crate::domain::sheet::{ActionItem, Indicator, Period, Sheet, SheetContent, SheetContext};
use crate::domain::workflow::SheetStatus;

#[derive(Queryable, Selectable)]
#[diesel(table_name = sheets)]
struct SheetRow {
    id: SheetId,
    initiative_id: InitiativeId,
    fiscal_year: FiscalYear,
    status: SheetStatus,
    version: i32,
    return_reason: String,
    department_name: Option<String>,
    related_department_names: Option<String>,
}

#[derive(Queryable)]
struct ContextRow {
    plan_id: PlanId,
    plan_name: String,
    plan_first_year: FiscalYear,
    plan_last_year: FiscalYear,
    area_number: i32,
    area_title: String,
    initiative_number: i32,
    initiative_name: String,
    department_id: DepartmentId,
    department: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = indicators)]
struct IndicatorRow {
    id: IndicatorId,
    name: String,
    method: String,
    baseline_text: String,
    baseline_year: Option<FiscalYear>,
    target_text: String,
    target_year: FiscalYear,
    direction: Option<Direction>,
    status: Option<String>,
}

/// Filters a boxed query to `ids`: `= ?` for one id, `IN (…)` for more. A
/// single sheet's page then runs statements of fixed text, which the
/// connection prepares once and reuses; SQLite cannot cache an `IN` list,
/// whose text changes with its length.
macro_rules! by_ids {
    ($query:expr, $column:expr, $ids:expr) => {
        match $ids {
            [one] => $query.filter($column.eq(*one)),
            many => $query.filter($column.eq_any(many)),
        }
    };
}

/// Loads one sheet with everything printed on it. Eight queries, whatever
/// the number of fields, 取組項目 or 目標 rows.
pub fn load(conn: &mut DbConnection, sheet_id: SheetId) -> Result<Option<Sheet>, DbError> {
    Ok(load_many(conn, &[sheet_id])?.pop())
}

/// Most ids one query names; more are loaded in chunks of this many.
const CHUNK: usize = 1000;

/// Loads sheets whole, in the order of `ids` (ids with no sheet are left
/// out): the same eight queries per [`CHUNK`] sheets, never a query per sheet,
/// so the year's book of 2,000 sheets costs what a few sheets cost.
pub fn load_many(conn: &mut DbConnection, ids: &[SheetId]) -> Result<Vec<Sheet>, DbError> {
    let mut sheets = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        sheets.extend(load_chunk(conn, chunk)?);
    }
    Ok(sheets)
}

fn load_chunk(conn: &mut DbConnection, ids: &[SheetId]) -> Result<Vec<Sheet>, DbError> {
    let rows: Vec<SheetRow> = by_ids!(
        sheets::table.select(SheetRow::as_select()).into_boxed(),
        sheets::id,
        ids
    )
    .load(conn)?;
    let mut initiative_ids: Vec<InitiativeId> = rows.iter().map(|r| r.initiative_id).collect();
    initiative_ids.sort_by_key(|i| i.0);
    initiative_ids.dedup();
    let contexts = load_contexts(conn, &initiative_ids)?;
    let mut texts = load_texts(conn, ids)?;
    let mut action_items = load_action_items(conn, ids)?;
    let mut indicators = load_indicators(conn, ids)?;
    let mut by_id: HashMap<SheetId, SheetRow> = rows.into_iter().map(|r| (r.id, r)).collect();
    let mut sheets = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(row) = by_id.remove(id) else {
            continue;
        };
        let Some(mut context) = contexts.get(&row.initiative_id).cloned() else {
            return Err(DbError::Query(diesel::result::Error::NotFound));
        };
        // A final sheet prints the names it was finalized with.
        if let Some(name) = row.department_name {
            context.department = name;
        }
        if let Some(names) = row.related_department_names {
            context.related_departments = names.lines().map(str::to_string).collect();
        }
        let (indicator_ids, indicators) = indicators.remove(id).unwrap_or_default();
        sheets.push(Sheet {
            id: row.id,
            fiscal_year: row.fiscal_year,
            status: row.status,
            version: row.version,
            context,
            content: SheetContent {
                texts: texts.remove(id).unwrap_or_default(),
                action_items: action_items.remove(id).unwrap_or_default(),
                indicators,
            },
            indicator_ids,
            return_reason: row.return_reason,
        });
    }
    Ok(sheets)
}

/// The plan, 推進項目, initiative, 所管課 and 関係課 of initiatives.
fn load_contexts(
    conn: &mut DbConnection,
    initiative_ids: &[InitiativeId],
) -> Result<HashMap<InitiativeId, SheetContext>, DbError> {
    let query = initiatives::table
        .inner_join(focus_areas::table.inner_join(plans::table))
        .inner_join(departments::table)
        .select((
            initiatives::id,
            (
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
            ),
        ))
        .into_boxed();
    let rows: Vec<(InitiativeId, ContextRow)> =
        by_ids!(query, initiatives::id, initiative_ids).load(conn)?;
    let query = initiative_departments::table
        .inner_join(departments::table)
        .order((
            initiative_departments::initiative_id,
            initiative_departments::position,
        ))
        .select((
            initiative_departments::initiative_id,
            departments::id,
            departments::name,
        ))
        .into_boxed();
    let related: Vec<(InitiativeId, DepartmentId, String)> =
        by_ids!(query, initiative_departments::initiative_id, initiative_ids).load(conn)?;
    let mut related_by: HashMap<InitiativeId, (Vec<DepartmentId>, Vec<String>)> = HashMap::new();
    for (initiative, id, name) in related {
        let entry = related_by.entry(initiative).or_default();
        entry.0.push(id);
        entry.1.push(name);
    }
    Ok(rows
        .into_iter()
        .map(|(initiative_id, ctx)| {
            let (related_department_ids, related_departments) =
                related_by.remove(&initiative_id).unwrap_or_default();
            let context = SheetContext {
                plan_id: ctx.plan_id,
                plan_name: ctx.plan_name,
                plan_first_year: ctx.plan_first_year,
                plan_last_year: ctx.plan_last_year,
                area_number: ctx.area_number,
                area_title: ctx.area_title,
                initiative_id,
                initiative_number: ctx.initiative_number,
                initiative_name: ctx.initiative_name,
                department_id: ctx.department_id,
                department: ctx.department,
                related_department_ids,
                related_departments,
            };
            (initiative_id, context)
        })
        .collect())
}

/// Every text field of each sheet. A key the registry no longer knows is skipped.
fn load_texts(
    conn: &mut DbConnection,
    ids: &[SheetId],
) -> Result<HashMap<SheetId, Texts>, DbError> {
    let query = sheet_texts::table
        .select((sheet_texts::sheet_id, sheet_texts::field, sheet_texts::text))
        .into_boxed();
    let rows: Vec<(SheetId, String, String)> =
        by_ids!(query, sheet_texts::sheet_id, ids).load(conn)?;
    let mut texts: HashMap<SheetId, Texts> = HashMap::new();
    for (sheet, key, text) in rows {
        if let Some(field) = Field::from_key(&key) {
            texts.entry(sheet).or_default().set(field, text);
        }
    }
    Ok(texts)
}

fn load_action_items(
    conn: &mut DbConnection,
    ids: &[SheetId],
) -> Result<HashMap<SheetId, Vec<ActionItem>>, DbError> {
    let query = action_items::table
        .order((action_items::sheet_id, action_items::position))
        .select((action_items::sheet_id, action_items::id, action_items::text))
        .into_boxed();
    let items: Vec<(SheetId, i32, String)> =
        by_ids!(query, action_items::sheet_id, ids).load(conn)?;
    let query = schedule_cells::table
        .inner_join(action_items::table)
        .order((schedule_cells::action_item_id, schedule_cells::fiscal_year))
        .select((
            schedule_cells::action_item_id,
            schedule_cells::fiscal_year,
            schedule_cells::value,
        ))
        .into_boxed();
    let cells: Vec<(i32, FiscalYear, String)> =
        by_ids!(query, action_items::sheet_id, ids).load(conn)?;
    let mut cells_by_item: HashMap<i32, Vec<(FiscalYear, String)>> = HashMap::new();
    for (item, year, value) in cells {
        cells_by_item.entry(item).or_default().push((year, value));
    }
    let mut by_sheet: HashMap<SheetId, Vec<ActionItem>> = HashMap::new();
    for (sheet, id, text) in items {
        by_sheet.entry(sheet).or_default().push(ActionItem {
            text,
            schedule: cells_by_item.remove(&id).unwrap_or_default(),
        });
    }
    Ok(by_sheet)
}

type SheetIndicators = (Vec<IndicatorId>, Vec<Indicator>);

fn load_indicators(
    conn: &mut DbConnection,
    ids: &[SheetId],
) -> Result<HashMap<SheetId, SheetIndicators>, DbError> {
    let query = indicators::table
        .order((indicators::sheet_id, indicators::position))
        .select((indicators::sheet_id, IndicatorRow::as_select()))
        .into_boxed();
    let rows: Vec<(SheetId, IndicatorRow)> =
        by_ids!(query, indicators::sheet_id, ids).load(conn)?;
    let query = indicator_values::table
        .inner_join(indicators::table)
        .select((
            indicator_values::indicator_id,
            indicator_values::fiscal_year,
            indicator_values::period,
            indicator_values::value_text,
        ))
        .into_boxed();
    let values: Vec<(IndicatorId, FiscalYear, Period, String)> =
        by_ids!(query, indicators::sheet_id, ids).load(conn)?;
    let mut by_indicator: HashMap<IndicatorId, Vec<(FiscalYear, Period, String)>> = HashMap::new();
    for (indicator, year, period, text) in values {
        by_indicator
            .entry(indicator)
            .or_default()
            .push((year, period, text));
    }
    let mut by_sheet: HashMap<SheetId, SheetIndicators> = HashMap::new();
    for (sheet, r) in rows {
        let mut values = by_indicator.remove(&r.id).unwrap_or_default();
        values.sort_by_key(|(y, p, _)| (*y, *p));
        let entry = by_sheet.entry(sheet).or_default();
        entry.0.push(r.id);
        entry.1.push(Indicator {
            name: r.name,
            method: r.method,
            baseline: r.baseline_text,
            baseline_year: r.baseline_year,
            target: r.target_text,
            target_year: r.target_year,
            values,
            direction: r.direction,
            status: r.status.unwrap_or_default(),
        });
    }
    Ok(by_sheet)
}

/// What a sheet's page is made from, read cheaply before a page made earlier
/// is reused: the sheet's version, and a stamp of the database's state that
/// changes whenever anything else the page shows may have. SQLite: the
/// newest audit entry (every change is audited, and SQLite's writers commit
/// one at a time, so every entry up to it is visible). PostgreSQL: the
/// snapshot itself (equal snapshots see the same data), since there ids are
/// handed out before commit, not in commit order. None: no such sheet.
pub fn view_stamp(
    conn: &mut DbConnection,
    sheet_id: SheetId,
) -> Result<Option<(i32, String)>, DbError> {
    super::read_tx(conn, |conn| {
        let version: Option<i32> = sheets::table
            .find(sheet_id)
            .select(sheets::version)
            .one_row(conn)?;
        let Some(version) = version else {
            return Ok(None);
        };
        let stamp = if matches!(conn, DbConnection::Sqlite(_)) {
            audit_log::table
                .select(diesel::dsl::max(audit_log::id))
                .get_result::<Option<i32>>(conn)?
                .unwrap_or(0)
                .to_string()
        } else {
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
                "pg_current_snapshot()::text",
            ))
            .get_result(conn)?
        };
        Ok(Some((version, stamp)))
    })
}

/// The sheet of an initiative for a fiscal year, if there is one.
pub fn find_id(
    conn: &mut DbConnection,
    initiative_id: InitiativeId,
    fiscal_year: FiscalYear,
) -> Result<Option<SheetId>, DbError> {
    Ok(sheets::table
        .filter(sheets::initiative_id.eq(initiative_id))
        .filter(sheets::fiscal_year.eq(fiscal_year))
        .select(sheets::id)
        .one_row(conn)?)
}

/// Writes the text fields that differ from `old` (all of them for a new
/// sheet). Empty texts are not stored.
fn write_texts(
    conn: &mut DbConnection,
    sheet_id: SheetId,
    old: &Texts,
    new: &Texts,
) -> Result<(), DbError> {
    let changed: Vec<Field> = Field::all()
        .filter(|f| old.get(*f) != new.get(*f))
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let keys: Vec<&str> = changed.iter().map(|f| f.key()).collect();
    diesel::delete(
        sheet_texts::table
            .filter(sheet_texts::sheet_id.eq(sheet_id))
            .filter(sheet_texts::field.eq_any(&keys)),
    )
    .execute(conn)?;
    // One statement per field: MultiConnection has no batch insert.
    for field in changed.iter().filter(|f| !new.get(**f).is_empty()) {
        diesel::insert_into(sheet_texts::table)
            .values((
                sheet_texts::sheet_id.eq(sheet_id),
                sheet_texts::field.eq(field.key()),
                sheet_texts::text.eq(new.get(*field)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A final sheet keeps the 所管課 and 関係課 names of the day it became final
/// (a later rename or merge must not change a record); any other sheet shows
/// today's names. Called whenever a sheet's state is written.
fn freeze_names(
    conn: &mut DbConnection,
    sheet_id: SheetId,
    status: SheetStatus,
) -> Result<(), DbError> {
    let names = if status == SheetStatus::Final {
        // A sheet that already holds names (finalized before, or a year
        // before its initiative moved to another 所管課) keeps them.
        let kept: (Option<String>, Option<String>) = sheets::table
            .find(sheet_id)
            .select((sheets::department_name, sheets::related_department_names))
            .one_row(conn)?
            .ok_or(diesel::result::Error::NotFound)?;
        if kept.0.is_some() {
            return Ok(());
        }
        let initiative_id: InitiativeId = sheets::table
            .find(sheet_id)
            .select(sheets::initiative_id)
            .one_row(conn)?
            .ok_or(diesel::result::Error::NotFound)?;
        let department: String = initiatives::table
            .inner_join(departments::table)
            .filter(initiatives::id.eq(initiative_id))
            .select(departments::name)
            .one_row(conn)?
            .ok_or(diesel::result::Error::NotFound)?;
        let related: Vec<String> = initiative_departments::table
            .inner_join(departments::table)
            .filter(initiative_departments::initiative_id.eq(initiative_id))
            .order(initiative_departments::position)
            .select(departments::name)
            .load(conn)?;
        (Some(department), Some(related.join("\n")))
    } else {
        // Reopened: today's names again, except on a past year's sheet (one
        // with a later sheet of the same initiative), which keeps the names
        // of its year even after its initiative moved to another 所管課.
        let (initiative_id, year): (InitiativeId, FiscalYear) = sheets::table
            .find(sheet_id)
            .select((sheets::initiative_id, sheets::fiscal_year))
            .one_row(conn)?
            .ok_or(diesel::result::Error::NotFound)?;
        let later: i64 = sheets::table
            .filter(sheets::initiative_id.eq(initiative_id))
            .filter(sheets::fiscal_year.gt(year))
            .count()
            .get_result(conn)?;
        if later > 0 {
            return Ok(());
        }
        (None, None)
    };
    diesel::update(sheets::table.find(sheet_id))
        .set((
            sheets::department_name.eq(names.0),
            sheets::related_department_names.eq(names.1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives the sheets of `initiative` before `year` that hold no names yet the
/// 所管課 and 関係課 names they have now, before the initiative moves to
/// another 所管課 from `year` on: those years stay as they were.
pub fn keep_names_before(
    conn: &mut DbConnection,
    initiative_id: InitiativeId,
    year: FiscalYear,
    department: &str,
    related: &[String],
) -> Result<usize, DbError> {
    Ok(diesel::update(
        sheets::table
            .filter(sheets::initiative_id.eq(initiative_id))
            .filter(sheets::fiscal_year.lt(year))
            .filter(sheets::department_name.is_null()),
    )
    .set((
        sheets::department_name.eq(department),
        sheets::related_department_names.eq(related.join("\n")),
    ))
    .execute(conn)?)
}

/// Creates a sheet with its rows; returns its id.
pub fn insert(
    conn: &mut DbConnection,
    initiative_id: InitiativeId,
    fiscal_year: FiscalYear,
    status: SheetStatus,
    content: &SheetContent,
) -> Result<SheetId, DbError> {
    let now = super::now();
    let sheet_id: SheetId = diesel::insert_into(sheets::table)
        .values((
            sheets::initiative_id.eq(initiative_id),
            sheets::fiscal_year.eq(fiscal_year),
            sheets::status.eq(status),
            sheets::version.eq(1),
            sheets::created_at.eq(now),
            sheets::updated_at.eq(now),
        ))
        .returning(sheets::id)
        .get_result(conn)?;
    freeze_names(conn, sheet_id, status)?;
    write_texts(conn, sheet_id, &Texts::default(), &content.texts)?;
    insert_action_items(conn, sheet_id, &content.action_items)?;
    for (pos, ind) in content.indicators.iter().enumerate() {
        let id = insert_indicator(conn, sheet_id, pos as i32 + 1, ind)?;
        insert_values(conn, id, ind)?;
    }
    Ok(sheet_id)
}

fn insert_action_items(
    conn: &mut DbConnection,
    sheet_id: SheetId,
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
    baseline_year: Option<FiscalYear>,
    target_text: &'a str,
    target_number: Option<f64>,
    target_unit: Option<String>,
    target_year: FiscalYear,
    direction: Option<Direction>,
    status: Option<&'a str>,
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
            direction: ind.direction,
            status: Some(ind.status.as_str()).filter(|s| !s.is_empty()),
        }
    }
}

fn insert_indicator(
    conn: &mut DbConnection,
    sheet_id: SheetId,
    position: i32,
    ind: &Indicator,
) -> Result<IndicatorId, DbError> {
    Ok(diesel::insert_into(indicators::table)
        .values((
            indicators::sheet_id.eq(sheet_id),
            IndicatorColumns::of(position, ind),
        ))
        .returning(indicators::id)
        .get_result(conn)?)
}

fn insert_values(
    conn: &mut DbConnection,
    indicator_id: IndicatorId,
    ind: &Indicator,
) -> Result<(), DbError> {
    for (year, period, text) in ind.values.iter().filter(|(_, _, v)| !v.is_empty()) {
        let measure = parse_measure(text);
        diesel::insert_into(indicator_values::table)
            .values((
                indicator_values::indicator_id.eq(indicator_id),
                indicator_values::fiscal_year.eq(year),
                indicator_values::period.eq(period),
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
    indicator_ids: &[Option<IndicatorId>],
    status: SheetStatus,
    return_reason: &str,
) -> Result<Option<i32>, DbError> {
    let updated = diesel::update(
        sheets::table
            .find(old.id)
            .filter(sheets::version.eq(expected_version)),
    )
    .set((
        sheets::status.eq(status),
        sheets::version.eq(expected_version + 1),
        sheets::return_reason.eq(return_reason),
        sheets::updated_at.eq(super::now()),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    // The names a sheet prints change only with its state (finalized, or
    // reopened); a save that keeps the state leaves them, and the write lock
    // is held for three statements fewer.
    if status != old.status {
        freeze_names(conn, old.id, status)?;
    }
    write_texts(conn, old.id, &old.content.texts, &new.texts)?;
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
        save_indicators(conn, old, new, indicator_ids)?;
    }
    Ok(Some(expected_version + 1))
}

/// Replaces the 目標 rows: rows the form continues keep their id (comments and
/// history refer to it), others are dropped or added.
fn save_indicators(
    conn: &mut DbConnection,
    old: &Sheet,
    new: &SheetContent,
    indicator_ids: &[Option<IndicatorId>],
) -> Result<(), DbError> {
    let kept: Vec<IndicatorId> = indicator_ids.iter().flatten().copied().collect();
    let dropped: Vec<IndicatorId> = old
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
                diesel::update(indicators::table.find(id))
                    .set(IndicatorColumns::of(position, ind))
                    .execute(conn)?;
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
    Ok(())
}

/// One row of the 取組事業一覧.
#[derive(Debug, Clone, PartialEq)]
pub struct ListEntry {
    pub sheet_id: SheetId,
    pub area_number: i32,
    pub area_title: String,
    pub initiative_number: i32,
    pub initiative_name: String,
    pub department_id: DepartmentId,
    pub department: String,
    pub related_department_ids: Vec<DepartmentId>,
    /// 関係計画名 as written on that year's sheet.
    pub related_plan: String,
    pub status: SheetStatus,
    pub version: i32,
    /// When the sheet last changed.
    pub updated_at: chrono::NaiveDateTime,
}

#[derive(Queryable)]
struct ListRow {
    sheet_id: SheetId,
    initiative_id: InitiativeId,
    area_number: i32,
    area_title: String,
    initiative_number: i32,
    initiative_name: String,
    department_id: DepartmentId,
    department: String,
    status: SheetStatus,
    version: i32,
    updated_at: chrono::NaiveDateTime,
    frozen_department: Option<String>,
}

/// The year's sheets in list order (推進項目, No.). Three queries.
pub fn list_for_year(
    conn: &mut DbConnection,
    plan_id: PlanId,
    fiscal_year: FiscalYear,
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
            sheets::status,
            sheets::version,
            sheets::updated_at,
            sheets::department_name,
        ))
        .load(conn)?;
    let related: Vec<(InitiativeId, DepartmentId)> = initiative_departments::table
        .inner_join(initiatives::table.inner_join(focus_areas::table))
        .filter(focus_areas::plan_id.eq(plan_id))
        .order((
            initiative_departments::initiative_id,
            initiative_departments::position,
        ))
        .select((
            initiative_departments::initiative_id,
            initiative_departments::department_id,
        ))
        .load(conn)?;
    // By initiative: looking each row's up in the whole list was quadratic
    // (4 million comparisons for 2,000 sheets).
    let mut related_by: HashMap<InitiativeId, Vec<DepartmentId>> = HashMap::new();
    for (initiative, department) in related {
        related_by.entry(initiative).or_default().push(department);
    }
    let plans: HashMap<SheetId, String> = sheet_texts::table
        .inner_join(sheets::table)
        .filter(sheets::fiscal_year.eq(fiscal_year))
        .filter(sheet_texts::field.eq(Field::in_slot(HeaderSlot::RelatedPlan).key()))
        .select((sheet_texts::sheet_id, sheet_texts::text))
        .load::<(SheetId, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| ListEntry {
            updated_at: r.updated_at,
            related_plan: plans.get(&r.sheet_id).cloned().unwrap_or_default(),
            sheet_id: r.sheet_id,
            area_number: r.area_number,
            area_title: r.area_title,
            initiative_number: r.initiative_number,
            initiative_name: r.initiative_name,
            department_id: r.department_id,
            department: r.frozen_department.unwrap_or(r.department),
            related_department_ids: related_by.remove(&r.initiative_id).unwrap_or_default(),
            status: r.status,
            version: r.version,
        })
        .collect())
}

/// Fiscal years that have sheets in a plan, newest first.
pub fn years(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<FiscalYear>, DbError> {
    Ok(sheets::table
        .inner_join(initiatives::table.inner_join(focus_areas::table))
        .filter(focus_areas::plan_id.eq(plan_id))
        .select(sheets::fiscal_year)
        .distinct()
        .order(sheets::fiscal_year.desc())
        .load(conn)?)
}

/// Sheets of `initiative` from `year` on that are still 作成中 and hold no
/// department input: never saved since they were made (version 1), no draft
/// being typed, no comment or opinion. Oldest first.
pub fn untouched_drafts_from(
    conn: &mut DbConnection,
    initiative_id: InitiativeId,
    year: FiscalYear,
) -> Result<Vec<(SheetId, FiscalYear)>, DbError> {
    use super::schema::{comments, opinions, pending_drafts};
    Ok(sheets::table
        .filter(sheets::initiative_id.eq(initiative_id))
        .filter(sheets::fiscal_year.ge(year))
        .filter(sheets::status.eq(SheetStatus::Draft))
        .filter(sheets::version.eq(1))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            pending_drafts::table.filter(pending_drafts::sheet_id.eq(sheets::id)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            comments::table.filter(comments::sheet_id.eq(sheets::id)),
        )))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            opinions::table.filter(opinions::sheet_id.eq(sheets::id)),
        )))
        .order(sheets::fiscal_year)
        .select((sheets::id, sheets::fiscal_year))
        .load(conn)?)
}

/// Deletes a sheet found by `untouched_drafts_from`. The history entries that
/// named it stay, without the link; reminders and notifications about it go.
pub fn remove_untouched(conn: &mut DbConnection, sheet_id: SheetId) -> Result<(), DbError> {
    use super::schema::{audit_log, notifications, reminders_sent};
    diesel::update(audit_log::table.filter(audit_log::sheet_id.eq(sheet_id)))
        .set(audit_log::sheet_id.eq(None::<SheetId>))
        .execute(conn)?;
    diesel::update(notifications::table.filter(notifications::sheet_id.eq(sheet_id)))
        .set(notifications::sheet_id.eq(None::<SheetId>))
        .execute(conn)?;
    diesel::delete(reminders_sent::table.filter(reminders_sent::sheet_id.eq(sheet_id)))
        .execute(conn)?;
    diesel::delete(sheets::table.find(sheet_id)).execute(conn)?;
    Ok(())
}
