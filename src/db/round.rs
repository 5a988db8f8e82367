//! Reporting rounds per fiscal year.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::rounds;
use super::{DbConnection, DbError};
use crate::domain::round::RoundKind;

#[derive(Debug, Clone, Queryable)]
pub struct RoundRow {
    pub id: i32,
    pub plan_id: i32,
    pub fiscal_year: i32,
    pub kind: String,
    pub status: String,
    pub deadline: Option<NaiveDate>,
    pub opened_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
}

impl RoundRow {
    pub fn kind(&self) -> Option<RoundKind> {
        RoundKind::from_code(&self.kind)
    }

    pub fn is_open(&self) -> bool {
        self.status == "open"
    }
}

pub fn for_plan(conn: &mut DbConnection, plan_id: i32) -> Result<Vec<RoundRow>, DbError> {
    Ok(rounds::table
        .filter(rounds::plan_id.eq(plan_id))
        .order((rounds::fiscal_year.desc(), rounds::kind))
        .load(conn)?)
}

/// The open round of a year; 年度末 wins when both are open.
pub fn open_round(
    conn: &mut DbConnection,
    plan_id: i32,
    fiscal_year: i32,
) -> Result<Option<RoundRow>, DbError> {
    let open: Vec<RoundRow> = rounds::table
        .filter(rounds::plan_id.eq(plan_id))
        .filter(rounds::fiscal_year.eq(fiscal_year))
        .filter(rounds::status.eq("open"))
        .load(conn)?;
    Ok(open
        .iter()
        .find(|r| r.kind() == Some(RoundKind::YearEnd))
        .or_else(|| open.first())
        .cloned())
}

/// Opens (or re-opens) a round with its deadline.
pub fn open(
    conn: &mut DbConnection,
    plan_id: i32,
    fiscal_year: i32,
    kind: RoundKind,
    deadline: Option<NaiveDate>,
) -> Result<(), DbError> {
    let updated = diesel::update(
        rounds::table
            .filter(rounds::plan_id.eq(plan_id))
            .filter(rounds::fiscal_year.eq(fiscal_year))
            .filter(rounds::kind.eq(kind.code())),
    )
    .set((
        rounds::status.eq("open"),
        rounds::deadline.eq(deadline),
        rounds::opened_at.eq(Some(super::now())),
        rounds::closed_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    if updated == 0 {
        super::plan::open_round(conn, plan_id, fiscal_year, kind.code(), deadline)?;
    }
    Ok(())
}

pub fn close(conn: &mut DbConnection, id: i32) -> Result<bool, DbError> {
    Ok(diesel::update(rounds::table.find(id))
        .set((
            rounds::status.eq("closed"),
            rounds::closed_at.eq(Some(super::now())),
        ))
        .execute(conn)?
        == 1)
}

pub fn find(conn: &mut DbConnection, id: i32) -> Result<Option<RoundRow>, DbError> {
    Ok(rounds::table.find(id).first(conn).optional()?)
}
