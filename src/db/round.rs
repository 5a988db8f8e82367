//! Reporting rounds per fiscal year.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::rounds;
use super::{DbConnection, DbError};
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::ids::{PlanId, RoundId};
use crate::domain::round::{RoundKind, RoundStatus};

#[derive(Debug, Clone, Queryable)]
pub struct RoundRow {
    pub id: RoundId,
    pub plan_id: PlanId,
    pub fiscal_year: FiscalYear,
    pub kind: RoundKind,
    pub status: RoundStatus,
    pub deadline: Option<NaiveDate>,
    pub opened_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    /// Days before the deadline on which reminders go out (「3,1」).
    pub reminder_days: String,
}

impl RoundRow {
    pub fn is_open(&self) -> bool {
        self.status == RoundStatus::Open
    }
}

pub fn for_plan(conn: &mut DbConnection, plan_id: PlanId) -> Result<Vec<RoundRow>, DbError> {
    Ok(rounds::table
        .filter(rounds::plan_id.eq(plan_id))
        .order((rounds::fiscal_year.desc(), rounds::kind))
        .load(conn)?)
}

/// The open round of a year; 年度末 wins when both are open.
pub fn open_round(
    conn: &mut DbConnection,
    plan_id: PlanId,
    fiscal_year: FiscalYear,
) -> Result<Option<RoundRow>, DbError> {
    let open: Vec<RoundRow> = rounds::table
        .filter(rounds::plan_id.eq(plan_id))
        .filter(rounds::fiscal_year.eq(fiscal_year))
        .filter(rounds::status.eq(RoundStatus::Open))
        .load(conn)?;
    Ok(open
        .iter()
        .find(|r| r.kind == RoundKind::YearEnd)
        .or_else(|| open.first())
        .cloned())
}

/// Opens (or re-opens) a round with its deadline.
pub fn open(
    conn: &mut DbConnection,
    plan_id: PlanId,
    fiscal_year: FiscalYear,
    kind: RoundKind,
    deadline: Option<NaiveDate>,
) -> Result<(), DbError> {
    let updated = diesel::update(
        rounds::table
            .filter(rounds::plan_id.eq(plan_id))
            .filter(rounds::fiscal_year.eq(fiscal_year))
            .filter(rounds::kind.eq(kind)),
    )
    .set((
        rounds::status.eq(RoundStatus::Open),
        rounds::deadline.eq(deadline),
        rounds::opened_at.eq(Some(super::now())),
        rounds::closed_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(rounds::table)
            .values((
                rounds::plan_id.eq(plan_id),
                rounds::fiscal_year.eq(fiscal_year),
                rounds::kind.eq(kind),
                rounds::status.eq(RoundStatus::Open),
                rounds::deadline.eq(deadline),
                rounds::opened_at.eq(Some(super::now())),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn close(conn: &mut DbConnection, id: RoundId) -> Result<bool, DbError> {
    Ok(diesel::update(rounds::table.find(id))
        .set((
            rounds::status.eq(RoundStatus::Closed),
            rounds::closed_at.eq(Some(super::now())),
        ))
        .execute(conn)?
        == 1)
}

pub fn find(conn: &mut DbConnection, id: RoundId) -> Result<Option<RoundRow>, DbError> {
    Ok(rounds::table.find(id).first(conn).optional()?)
}
