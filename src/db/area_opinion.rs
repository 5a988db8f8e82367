//! 推進委員会意見 on a whole 推進項目 of a fiscal year, and the reply of the
//! department HQ named to answer it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::report::OpinionLine;
use super::schema::{area_opinions, departments, focus_areas};
use super::{DbConnection, DbError};
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::ids::{AreaId, AreaOpinionId, DepartmentId, PlanId, UserId};

const OPEN: &str = "open";
const CLOSED: &str = "closed";

/// A 推進項目 as the opinion pages name it.
#[derive(Debug, Clone, Queryable)]
pub struct AreaRow {
    pub id: AreaId,
    pub plan_id: PlanId,
    pub number: i32,
    pub title: String,
}

pub fn area(conn: &mut DbConnection, id: AreaId) -> Result<Option<AreaRow>, DbError> {
    Ok(focus_areas::table
        .find(id)
        .select((
            focus_areas::id,
            focus_areas::plan_id,
            focus_areas::number,
            focus_areas::title,
        ))
        .first(conn)
        .optional()?)
}

#[derive(Debug, Clone, Queryable)]
pub struct AreaOpinionRow {
    pub id: AreaOpinionId,
    pub area_id: AreaId,
    pub fiscal_year: FiscalYear,
    pub department_id: DepartmentId,
    pub department: String,
    pub opinion: String,
    pub reply: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub replied_at: Option<NaiveDateTime>,
}

impl AreaOpinionRow {
    pub fn closed(&self) -> bool {
        self.status == CLOSED
    }
}

type Columns = (
    area_opinions::id,
    area_opinions::area_id,
    area_opinions::fiscal_year,
    area_opinions::department_id,
    departments::name,
    area_opinions::opinion,
    area_opinions::reply,
    area_opinions::status,
    area_opinions::created_at,
    area_opinions::replied_at,
);

const COLUMNS: Columns = (
    area_opinions::id,
    area_opinions::area_id,
    area_opinions::fiscal_year,
    area_opinions::department_id,
    departments::name,
    area_opinions::opinion,
    area_opinions::reply,
    area_opinions::status,
    area_opinions::created_at,
    area_opinions::replied_at,
);

pub struct NewAreaOpinion<'a> {
    pub area_id: AreaId,
    pub fiscal_year: FiscalYear,
    pub department_id: DepartmentId,
    pub opinion: &'a str,
    pub by: UserId,
}

pub fn insert(
    conn: &mut DbConnection,
    new: &NewAreaOpinion,
    now: NaiveDateTime,
) -> Result<AreaOpinionId, DbError> {
    Ok(diesel::insert_into(area_opinions::table)
        .values((
            area_opinions::area_id.eq(new.area_id),
            area_opinions::fiscal_year.eq(new.fiscal_year),
            area_opinions::department_id.eq(new.department_id),
            area_opinions::opinion.eq(new.opinion),
            area_opinions::status.eq(OPEN),
            area_opinions::created_by.eq(new.by),
            area_opinions::created_at.eq(now),
        ))
        .returning(area_opinions::id)
        .get_result(conn)?)
}

pub fn for_area(
    conn: &mut DbConnection,
    area_id: AreaId,
    year: FiscalYear,
) -> Result<Vec<AreaOpinionRow>, DbError> {
    Ok(area_opinions::table
        .inner_join(departments::table)
        .filter(area_opinions::area_id.eq(area_id))
        .filter(area_opinions::fiscal_year.eq(year))
        .order(area_opinions::id)
        .select(COLUMNS)
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: AreaOpinionId) -> Result<Option<AreaOpinionRow>, DbError> {
    Ok(area_opinions::table
        .inner_join(departments::table)
        .filter(area_opinions::id.eq(id))
        .select(COLUMNS)
        .first(conn)
        .optional()?)
}

pub fn set_reply(
    conn: &mut DbConnection,
    id: AreaOpinionId,
    reply: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    Ok(diesel::update(
        area_opinions::table
            .find(id)
            .filter(area_opinions::status.eq(OPEN)),
    )
    .set((
        area_opinions::reply.eq(reply),
        area_opinions::replied_at.eq(Some(now)),
    ))
    .execute(conn)?
        == 1)
}

pub fn close(
    conn: &mut DbConnection,
    id: AreaOpinionId,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    Ok(diesel::update(
        area_opinions::table
            .find(id)
            .filter(area_opinions::status.eq(OPEN)),
    )
    .set((
        area_opinions::status.eq(CLOSED),
        area_opinions::closed_at.eq(Some(now)),
    ))
    .execute(conn)?
        == 1)
}

/// The year's opinions on whole 推進項目, in 推進項目 order.
pub fn for_year(
    conn: &mut DbConnection,
    plan_id: PlanId,
    year: FiscalYear,
) -> Result<Vec<OpinionLine>, DbError> {
    let rows: Vec<(i32, String, String, String, String, String)> = area_opinions::table
        .inner_join(focus_areas::table)
        .inner_join(departments::table)
        .filter(area_opinions::fiscal_year.eq(year))
        .filter(focus_areas::plan_id.eq(plan_id))
        .order((focus_areas::number, area_opinions::id))
        .select((
            focus_areas::number,
            focus_areas::title,
            departments::name,
            area_opinions::opinion,
            area_opinions::reply,
            area_opinions::status,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| OpinionLine {
            area_number: r.0,
            area_title: r.1,
            initiative: None,
            department: r.2,
            opinion: r.3,
            reply: r.4,
            closed: r.5 == CLOSED,
        })
        .collect())
}
