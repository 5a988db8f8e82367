//! Queries for the plan's structure: plans, 推進項目, 取組事業, departments, reports.

use diesel::prelude::*;

use super::schema::{
    departments, focus_areas, initiative_departments, initiatives, plans, reports,
};
use super::{DbConnection, DbError};
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::ids::{AreaId, DepartmentId, InitiativeId, PlanId};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = plans)]
pub struct Plan {
    pub id: PlanId,
    pub name: String,
    pub first_year: FiscalYear,
    pub last_year: FiscalYear,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = focus_areas)]
pub struct FocusArea {
    pub id: AreaId,
    pub number: i32,
    pub title: String,
    pub retired: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = initiatives)]
pub struct Initiative {
    pub id: InitiativeId,
    pub area_id: AreaId,
    pub number: i32,
    pub name: String,
    pub department_id: DepartmentId,
    /// What a new year's blank sheet starts with.
    pub related_plan: String,
    pub plan_years: String,
    pub target_scope: String,
    /// The first fiscal year without a sheet (None: active).
    pub retired_from: Option<FiscalYear>,
}

impl Initiative {
    /// True when the initiative gets a sheet in `year`.
    pub fn active_in(&self, year: FiscalYear) -> bool {
        self.retired_from.is_none_or(|r| year < r)
    }
}

/// Plans, the newest first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<Plan>, DbError> {
    Ok(plans::table
        .order((plans::last_year.desc(), plans::id.desc()))
        .select(Plan::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: PlanId) -> Result<Option<Plan>, DbError> {
    Ok(plans::table
        .find(id)
        .select(Plan::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_name(conn: &mut DbConnection, name: &str) -> Result<Option<Plan>, DbError> {
    Ok(plans::table
        .filter(plans::name.eq(name))
        .select(Plan::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert(
    conn: &mut DbConnection,
    name: &str,
    first: FiscalYear,
    last: FiscalYear,
) -> Result<Plan, DbError> {
    let id = diesel::insert_into(plans::table)
        .values((
            plans::name.eq(name),
            plans::first_year.eq(first),
            plans::last_year.eq(last),
            plans::created_at.eq(super::now()),
        ))
        .returning(plans::id)
        .get_result(conn)?;
    Ok(Plan {
        id,
        name: name.to_string(),
        first_year: first,
        last_year: last,
    })
}

pub fn is_empty(conn: &mut DbConnection) -> Result<bool, DbError> {
    let n: i64 = plans::table.count().get_result(conn)?;
    Ok(n == 0)
}

pub fn areas(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<FocusArea>, DbError> {
    Ok(focus_areas::table
        .filter(focus_areas::plan_id.eq(plan_id))
        .order(focus_areas::number)
        .select(FocusArea::as_select())
        .load(conn)?)
}

pub fn find_area(
    conn: &mut DbConnection,
    plan_id: PlanId,
    number: i32,
) -> Result<Option<FocusArea>, DbError> {
    Ok(focus_areas::table
        .filter(focus_areas::plan_id.eq(plan_id))
        .filter(focus_areas::number.eq(number))
        .select(FocusArea::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_area(
    conn: &mut DbConnection,
    plan_id: PlanId,
    number: i32,
    title: &str,
) -> Result<FocusArea, DbError> {
    let id = diesel::insert_into(focus_areas::table)
        .values((
            focus_areas::plan_id.eq(plan_id),
            focus_areas::number.eq(number),
            focus_areas::title.eq(title),
        ))
        .returning(focus_areas::id)
        .get_result(conn)?;
    Ok(FocusArea {
        id,
        number,
        title: title.to_string(),
        retired: false,
    })
}

/// The department of that exact name, created when missing.
pub fn department_id(conn: &mut DbConnection, name: &str) -> Result<DepartmentId, DbError> {
    if let Some(id) = departments::table
        .filter(departments::name.eq(name))
        .select(departments::id)
        .first(conn)
        .optional()?
    {
        return Ok(id);
    }
    super::department::insert(conn, name)
}

pub fn department_names(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    Ok(departments::table
        .order((departments::position, departments::id))
        .select(departments::name)
        .load(conn)?)
}

pub fn find_initiative(
    conn: &mut DbConnection,
    area_id: AreaId,
    number: i32,
) -> Result<Option<Initiative>, DbError> {
    Ok(initiatives::table
        .filter(initiatives::area_id.eq(area_id))
        .filter(initiatives::number.eq(number))
        .select(Initiative::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_initiative(
    conn: &mut DbConnection,
    area_id: AreaId,
    number: i32,
    name: &str,
    department_id: DepartmentId,
    related_department_ids: &[DepartmentId],
) -> Result<Initiative, DbError> {
    let id = diesel::insert_into(initiatives::table)
        .values((
            initiatives::area_id.eq(area_id),
            initiatives::number.eq(number),
            initiatives::name.eq(name),
            initiatives::department_id.eq(department_id),
        ))
        .returning(initiatives::id)
        .get_result(conn)?;
    set_related(conn, id, related_department_ids)?;
    Ok(Initiative {
        id,
        area_id,
        number,
        name: name.to_string(),
        department_id,
        related_plan: String::new(),
        plan_years: String::new(),
        target_scope: String::new(),
        retired_from: None,
    })
}

/// Replaces an initiative's 関係課 (in the order given).
pub fn set_related(
    conn: &mut DbConnection,
    initiative_id: InitiativeId,
    related_department_ids: &[DepartmentId],
) -> Result<(), DbError> {
    diesel::delete(
        initiative_departments::table
            .filter(initiative_departments::initiative_id.eq(initiative_id)),
    )
    .execute(conn)?;
    for (pos, dept) in related_department_ids.iter().enumerate() {
        diesel::insert_into(initiative_departments::table)
            .values((
                initiative_departments::initiative_id.eq(initiative_id),
                initiative_departments::position.eq(pos as i32 + 1),
                initiative_departments::department_id.eq(dept),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The 関係課 of an initiative, in order.
pub fn related(
    conn: &mut DbConnection,
    initiative_id: InitiativeId,
) -> Result<Vec<DepartmentId>, DbError> {
    Ok(initiative_departments::table
        .filter(initiative_departments::initiative_id.eq(initiative_id))
        .order(initiative_departments::position)
        .select(initiative_departments::department_id)
        .load(conn)?)
}

pub fn initiative(
    conn: &mut DbConnection,
    id: InitiativeId,
) -> Result<Option<Initiative>, DbError> {
    Ok(initiatives::table
        .find(id)
        .select(Initiative::as_select())
        .first(conn)
        .optional()?)
}

/// An initiative's fields as HQ edits them (its 関係課 through `set_related`).
pub fn update_initiative(conn: &mut DbConnection, i: &Initiative) -> Result<(), DbError> {
    diesel::update(initiatives::table.find(i.id))
        .set((
            initiatives::area_id.eq(i.area_id),
            initiatives::number.eq(i.number),
            initiatives::name.eq(&i.name),
            initiatives::department_id.eq(i.department_id),
            initiatives::related_plan.eq(&i.related_plan),
            initiatives::plan_years.eq(&i.plan_years),
            initiatives::target_scope.eq(&i.target_scope),
            initiatives::retired_from.eq(i.retired_from),
        ))
        .execute(conn)?;
    Ok(())
}

/// Active initiatives (not retired) whose 所管課 is `department_id`.
pub fn active_initiatives_of(
    conn: &mut DbConnection,
    department_id: DepartmentId,
) -> Result<i64, DbError> {
    Ok(initiatives::table
        .filter(initiatives::department_id.eq(department_id))
        .filter(initiatives::retired_from.is_null())
        .count()
        .get_result(conn)?)
}

/// Active initiatives (not retired) of a 推進項目.
pub fn active_initiatives_in(conn: &mut DbConnection, area_id: AreaId) -> Result<i64, DbError> {
    Ok(initiatives::table
        .filter(initiatives::area_id.eq(area_id))
        .filter(initiatives::retired_from.is_null())
        .count()
        .get_result(conn)?)
}

pub fn area(conn: &mut DbConnection, id: AreaId) -> Result<Option<(PlanId, FocusArea)>, DbError> {
    Ok(focus_areas::table
        .find(id)
        .select((focus_areas::plan_id, FocusArea::as_select()))
        .first(conn)
        .optional()?)
}

pub fn update_area(
    conn: &mut DbConnection,
    id: AreaId,
    number: i32,
    title: &str,
    retired: bool,
) -> Result<(), DbError> {
    diesel::update(focus_areas::table.find(id))
        .set((
            focus_areas::number.eq(number),
            focus_areas::title.eq(title),
            focus_areas::retired.eq(retired),
        ))
        .execute(conn)?;
    Ok(())
}

/// Each initiative's 関係課 ids, for a whole plan at once.
pub fn related_of_plan(
    conn: &mut DbConnection,
    plan_id: PlanId,
) -> Result<Vec<(InitiativeId, DepartmentId)>, DbError> {
    Ok(initiative_departments::table
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
        .load(conn)?)
}

/// Initiatives of a plan in list order.
pub fn initiatives(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<Initiative>, DbError> {
    Ok(initiatives::table
        .inner_join(focus_areas::table)
        .filter(focus_areas::plan_id.eq(plan_id))
        .order((focus_areas::number, initiatives::number))
        .select(Initiative::as_select())
        .load(conn)?)
}

/// The report date printed on the cover (「令和7年3月末」), if the year has a report.
pub fn report_date(
    conn: &mut DbConnection,
    plan_id: PlanId,
    fiscal_year: FiscalYear,
) -> Result<Option<String>, DbError> {
    Ok(reports::table
        .filter(reports::plan_id.eq(plan_id))
        .filter(reports::fiscal_year.eq(fiscal_year))
        .select(reports::report_date)
        .first(conn)
        .optional()?)
}

pub fn insert_report(
    conn: &mut DbConnection,
    plan_id: PlanId,
    fiscal_year: FiscalYear,
    report_date: &str,
) -> Result<(), DbError> {
    diesel::insert_into(reports::table)
        .values((
            reports::plan_id.eq(plan_id),
            reports::fiscal_year.eq(fiscal_year),
            reports::report_date.eq(report_date),
        ))
        .execute(conn)?;
    Ok(())
}

/// Changes a plan's years (a plan workbook said so).
pub fn set_years(
    conn: &mut DbConnection,
    id: PlanId,
    first: FiscalYear,
    last: FiscalYear,
) -> Result<(), DbError> {
    diesel::update(plans::table.find(id))
        .set((plans::first_year.eq(first), plans::last_year.eq(last)))
        .execute(conn)?;
    Ok(())
}

pub fn set_area_title(conn: &mut DbConnection, id: AreaId, title: &str) -> Result<(), DbError> {
    diesel::update(focus_areas::table.find(id))
        .set(focus_areas::title.eq(title))
        .execute(conn)?;
    Ok(())
}

/// 関係課 names of an initiative, in the order written.
pub fn related_names(conn: &mut DbConnection, id: InitiativeId) -> Result<Vec<String>, DbError> {
    Ok(initiative_departments::table
        .inner_join(departments::table)
        .filter(initiative_departments::initiative_id.eq(id))
        .order(initiative_departments::position)
        .select(departments::name)
        .load(conn)?)
}

pub fn department_name(conn: &mut DbConnection, id: DepartmentId) -> Result<String, DbError> {
    Ok(departments::table
        .find(id)
        .select(departments::name)
        .first(conn)?)
}

/// Rewrites an initiative's master name, 所管課 and 関係課 (the plan workbook).
pub fn set_name_and_departments(
    conn: &mut DbConnection,
    id: InitiativeId,
    name: &str,
    department_id: DepartmentId,
    related_department_ids: &[DepartmentId],
) -> Result<(), DbError> {
    diesel::update(initiatives::table.find(id))
        .set((
            initiatives::name.eq(name),
            initiatives::department_id.eq(department_id),
        ))
        .execute(conn)?;
    diesel::delete(
        initiative_departments::table.filter(initiative_departments::initiative_id.eq(id)),
    )
    .execute(conn)?;
    for (pos, dept) in related_department_ids.iter().enumerate() {
        diesel::insert_into(initiative_departments::table)
            .values((
                initiative_departments::initiative_id.eq(id),
                initiative_departments::position.eq(pos as i32 + 1),
                initiative_departments::department_id.eq(dept),
            ))
            .execute(conn)?;
    }
    Ok(())
}
