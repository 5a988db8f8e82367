//! Queries for the results report (実績報告書): the year's sheets loaded whole,
//! the years on offer, and the headings printed in each sheet's running header.

use diesel::prelude::*;

use super::plan::{self, Plan};
use super::schema::{focus_areas, initiatives, plans, sheets};
use super::{sheet, DbConnection, DbError};
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::ids::{PlanId, SheetId};
use crate::domain::sheet::{heading, Sheet};
use crate::domain::workflow::SheetStatus;

/// Everything the book and the exports print for one plan and fiscal year.
#[derive(Debug, Clone)]
pub struct BookData {
    pub plan: Plan,
    pub fiscal_year: FiscalYear,
    pub include_drafts: bool,
    /// As imported with the report (「令和7年3月末」), if there was one.
    pub report_date: Option<String>,
    /// Sheets in list order (推進項目, No.).
    pub sheets: Vec<Sheet>,
    /// Sheets of the year left out because they are not final.
    pub left_out: usize,
    /// Print the appendix 「推進委員会意見と対応」 (a choice on the book page).
    pub include_opinions: bool,
    /// The year's 推進委員会意見, grouped under their 推進項目 (the Excel
    /// worksheet always lists them; the book when `include_opinions`).
    pub opinions: Vec<OpinionLine>,
}

/// One 推進委員会意見 with its reply: on a whole 推進項目 (no initiative) or
/// on one sheet.
#[derive(Debug, Clone)]
pub struct OpinionLine {
    pub area_number: i32,
    pub area_title: String,
    /// No. and name of the 取組事業; None for an opinion on the whole area.
    pub initiative: Option<(i32, String)>,
    pub department: String,
    pub opinion: String,
    pub reply: String,
    pub closed: bool,
}

/// The year's opinions in 推進項目 order: the area's own first, then its
/// sheets' in No. order.
pub fn opinion_lines(
    conn: &mut DbConnection,
    plan_id: PlanId,
    fiscal_year: FiscalYear,
) -> Result<Vec<OpinionLine>, DbError> {
    let mut lines = super::area_opinion::for_year(conn, plan_id, fiscal_year)?;
    lines.extend(super::opinion::for_year(conn, plan_id, fiscal_year)?);
    // Stable: keeps each group's own order.
    lines.sort_by_key(|l| (l.area_number, l.initiative.as_ref().map(|i| i.0)));
    Ok(lines)
}

/// Loads the year's sheets in one read transaction, so the book is a consistent
/// snapshot even while departments keep writing. `None` when the plan has no
/// sheet in that year. The sheets come in a fixed number of queries
/// (`sheet::load_many`), however many there are.
pub fn load_book(
    conn: &mut DbConnection,
    plan_id: PlanId,
    fiscal_year: FiscalYear,
    include_drafts: bool,
    include_opinions: bool,
) -> Result<Option<BookData>, DbError> {
    conn.transaction(|conn| {
        let Some(plan) = plan::find(conn, plan_id)? else {
            return Ok(None);
        };
        let entries = sheet::list_for_year(conn, plan_id, fiscal_year)?;
        if entries.is_empty() {
            return Ok(None);
        }
        let total = entries.len();
        let ids: Vec<SheetId> = entries
            .iter()
            .filter(|e| include_drafts || e.status == SheetStatus::Final)
            .map(|e| e.sheet_id)
            .collect();
        let sheets = sheet::load_many(conn, &ids)?;
        let report_date = plan::report_date(conn, plan_id, fiscal_year)?;
        let opinions = opinion_lines(conn, plan_id, fiscal_year)?;
        Ok(Some(BookData {
            include_opinions,
            opinions,
            plan,
            fiscal_year,
            include_drafts,
            report_date,
            left_out: total - sheets.len(),
            sheets,
        }))
    })
}

/// The plan of a book that has sheets (what the book's PDF names), without
/// loading them: None when the plan has no sheet that year.
pub fn book_plan(
    conn: &mut DbConnection,
    fiscal_year: FiscalYear,
    asked: Option<PlanId>,
) -> Result<Option<Plan>, DbError> {
    let Some(plan_id) = plan_for_year(conn, fiscal_year, asked)? else {
        return Ok(None);
    };
    let sheets: i64 = sheets::table
        .inner_join(initiatives::table.inner_join(focus_areas::table))
        .filter(focus_areas::plan_id.eq(plan_id))
        .filter(sheets::fiscal_year.eq(fiscal_year))
        .count()
        .get_result(conn)?;
    if sheets == 0 {
        return Ok(None);
    }
    plan::find(conn, plan_id)
}

/// The plan whose book for `fiscal_year` is meant: the one asked for, else the
/// newest plan with sheets in that year.
pub fn plan_for_year(
    conn: &mut DbConnection,
    fiscal_year: FiscalYear,
    asked: Option<PlanId>,
) -> Result<Option<PlanId>, DbError> {
    if asked.is_some() {
        return Ok(asked);
    }
    let with_sheets: Vec<PlanId> = sheets::table
        .inner_join(initiatives::table.inner_join(focus_areas::table))
        .filter(sheets::fiscal_year.eq(fiscal_year))
        .select(focus_areas::plan_id)
        .distinct()
        .load(conn)?;
    Ok(plan::list(conn)?
        .into_iter()
        .map(|p| p.id)
        .find(|id| with_sheets.contains(id)))
}

/// One plan and fiscal year on the reports page.
#[derive(Debug, Clone, PartialEq)]
pub struct YearSummary {
    pub plan_id: PlanId,
    pub plan_name: String,
    pub fiscal_year: FiscalYear,
    pub sheets: usize,
    pub final_sheets: usize,
}

/// Every plan and year that has sheets, newest first, with how many are final.
/// One query.
pub fn year_summaries(conn: &mut DbConnection) -> Result<Vec<YearSummary>, DbError> {
    let rows: Vec<(PlanId, String, FiscalYear, FiscalYear, SheetStatus)> = sheets::table
        .inner_join(initiatives::table.inner_join(focus_areas::table.inner_join(plans::table)))
        .select((
            plans::id,
            plans::name,
            plans::last_year,
            sheets::fiscal_year,
            sheets::status,
        ))
        .load(conn)?;
    let mut out: Vec<(FiscalYear, YearSummary)> = Vec::new();
    for (plan_id, plan_name, last_year, fiscal_year, status) in rows {
        let i = match out
            .iter()
            .position(|(_, s)| s.plan_id == plan_id && s.fiscal_year == fiscal_year)
        {
            Some(i) => i,
            None => {
                out.push((
                    last_year,
                    YearSummary {
                        plan_id,
                        plan_name,
                        fiscal_year,
                        sheets: 0,
                        final_sheets: 0,
                    },
                ));
                out.len() - 1
            }
        };
        let summary = &mut out[i].1;
        summary.sheets += 1;
        if status == SheetStatus::Final {
            summary.final_sheets += 1;
        }
    }
    out.sort_by_key(|(last_year, s)| {
        (
            std::cmp::Reverse(s.fiscal_year),
            std::cmp::Reverse(*last_year),
            std::cmp::Reverse(s.plan_id),
        )
    });
    Ok(out.into_iter().map(|(_, s)| s).collect())
}

/// What a sheet's running header says on every printed page.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningHead {
    pub sheet_id: SheetId,
    pub plan_name: String,
    pub heading: String,
    pub draft: bool,
}

/// The running headers of every sheet of a fiscal year, whatever its plan or
/// state. One query.
pub fn running_heads(
    conn: &mut DbConnection,
    fiscal_year: FiscalYear,
) -> Result<Vec<RunningHead>, DbError> {
    let rows: Vec<(SheetId, String, i32, String, i32, SheetStatus)> = sheets::table
        .inner_join(initiatives::table.inner_join(focus_areas::table.inner_join(plans::table)))
        .filter(sheets::fiscal_year.eq(fiscal_year))
        .order(sheets::id)
        .select((
            sheets::id,
            plans::name,
            focus_areas::number,
            focus_areas::title,
            initiatives::number,
            sheets::status,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(sheet_id, plan_name, area, title, number, status)| RunningHead {
                sheet_id,
                plan_name,
                heading: heading(area, &title, number),
                draft: status != SheetStatus::Final,
            },
        )
        .collect())
}
