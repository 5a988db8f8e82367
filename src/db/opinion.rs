//! 推進委員会意見 and the departments' replies.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::report::OpinionLine;
use super::schema::{departments, initiatives, opinions, sheets};
use super::{DbConnection, DbError};
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::ids::{OpinionId, PlanId, SheetId, UserId};

#[derive(Debug, Clone, Queryable)]
pub struct OpinionRow {
    pub id: OpinionId,
    pub sheet_id: SheetId,
    pub opinion: String,
    pub reply: String,
    pub closed: bool,
    pub created_at: NaiveDateTime,
    pub replied_at: Option<NaiveDateTime>,
}

const OPEN: &str = "open";
const CLOSED: &str = "closed";

fn row(
    r: (
        OpinionId,
        SheetId,
        String,
        String,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
    ),
) -> OpinionRow {
    OpinionRow {
        id: r.0,
        sheet_id: r.1,
        opinion: r.2,
        reply: r.3,
        closed: r.4 == CLOSED,
        created_at: r.5,
        replied_at: r.6,
    }
}

type Columns = (
    opinions::id,
    opinions::sheet_id,
    opinions::opinion,
    opinions::reply,
    opinions::status,
    opinions::created_at,
    opinions::replied_at,
);

const COLUMNS: Columns = (
    opinions::id,
    opinions::sheet_id,
    opinions::opinion,
    opinions::reply,
    opinions::status,
    opinions::created_at,
    opinions::replied_at,
);

pub fn insert(
    conn: &mut DbConnection,
    sheet_id: SheetId,
    opinion: &str,
    by: UserId,
    now: NaiveDateTime,
) -> Result<OpinionId, DbError> {
    Ok(diesel::insert_into(opinions::table)
        .values((
            opinions::sheet_id.eq(sheet_id),
            opinions::opinion.eq(opinion),
            opinions::status.eq(OPEN),
            opinions::created_by.eq(by),
            opinions::created_at.eq(now),
        ))
        .returning(opinions::id)
        .get_result(conn)?)
}

pub fn for_sheet(conn: &mut DbConnection, sheet_id: SheetId) -> Result<Vec<OpinionRow>, DbError> {
    let rows = opinions::table
        .filter(opinions::sheet_id.eq(sheet_id))
        .order(opinions::id)
        .select(COLUMNS)
        .load(conn)?;
    Ok(rows.into_iter().map(row).collect())
}

pub fn find(conn: &mut DbConnection, id: OpinionId) -> Result<Option<OpinionRow>, DbError> {
    let r = opinions::table
        .find(id)
        .select(COLUMNS)
        .first(conn)
        .optional()?;
    Ok(r.map(row))
}

pub fn set_reply(
    conn: &mut DbConnection,
    id: OpinionId,
    reply: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    Ok(
        diesel::update(opinions::table.find(id).filter(opinions::status.eq(OPEN)))
            .set((
                opinions::reply.eq(reply),
                opinions::replied_at.eq(Some(now)),
            ))
            .execute(conn)?
            == 1,
    )
}

pub fn close(conn: &mut DbConnection, id: OpinionId, now: NaiveDateTime) -> Result<bool, DbError> {
    Ok(
        diesel::update(opinions::table.find(id).filter(opinions::status.eq(OPEN)))
            .set((
                opinions::status.eq(CLOSED),
                opinions::closed_at.eq(Some(now)),
            ))
            .execute(conn)?
            == 1,
    )
}

/// The year's opinions in list order (推進項目, No.), for the book and Excel.
pub fn for_year(
    conn: &mut DbConnection,
    plan_id: PlanId,
    year: FiscalYear,
) -> Result<Vec<OpinionLine>, DbError> {
    use super::schema::focus_areas;
    #[derive(Queryable)]
    struct Row {
        area_number: i32,
        area_title: String,
        initiative_number: i32,
        initiative_name: String,
        department: String,
        opinion: String,
        reply: String,
        status: String,
    }
    let rows: Vec<Row> = opinions::table
        .inner_join(
            sheets::table.inner_join(
                initiatives::table
                    .inner_join(focus_areas::table)
                    .inner_join(departments::table),
            ),
        )
        .filter(sheets::fiscal_year.eq(year))
        .filter(focus_areas::plan_id.eq(plan_id))
        .order((focus_areas::number, initiatives::number, opinions::id))
        .select((
            focus_areas::number,
            focus_areas::title,
            initiatives::number,
            initiatives::name,
            departments::name,
            opinions::opinion,
            opinions::reply,
            opinions::status,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| OpinionLine {
            area_number: r.area_number,
            area_title: r.area_title,
            initiative: Some((r.initiative_number, r.initiative_name)),
            department: r.department,
            opinion: r.opinion,
            reply: r.reply,
            closed: r.status == CLOSED,
        })
        .collect())
}
