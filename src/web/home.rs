//! The page after login: staff see their department's sheets; HQ and
//! administrators see every sheet, filterable, with the count per state.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::page;
use super::{with_conn, AppError, CurrentUser, Nav};
use crate::app::sheet::entry_allows;
use crate::db::plan::Plan;
use crate::db::round::RoundRow;
use crate::db::sheet::ListEntry;
use crate::db::{self, DbPool};
use crate::domain::fiscal_year::{era_name, wareki_date, wareki_datetime, FiscalYear};
use crate::domain::ids::{DepartmentId, SheetId};
use crate::domain::permission::{Action, Actor, Role};
use crate::domain::round::RoundKind;
use crate::domain::workflow::{self, Event, SheetStatus};

/// The filters as typed in the URL. Empty values (「すべて」) and anything that
/// does not name a year, state or department mean no filter.
#[derive(Deserialize)]
pub struct HomeQuery {
    year: Option<String>,
    status: Option<String>,
    department: Option<String>,
    /// Part of a 取組事業名.
    q: Option<String>,
}

struct Row {
    sheet_id: SheetId,
    heading: String,
    name: String,
    department: String,
    status: &'static str,
    status_code: &'static str,
    can_edit: bool,
    /// 「令和7年10月3日 14:05」, and by whom.
    updated: String,
    updated_by: String,
    /// The round's deadline has passed and the sheet is still to be submitted.
    overdue: bool,
}

struct Count {
    code: &'static str,
    label: &'static str,
    count: usize,
    selected: bool,
}

struct Opt {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Option<Nav>,
    staff: bool,
    department: String,
    plan_name: String,
    year: FiscalYear,
    year_label: String,
    years: Vec<Opt>,
    round: Option<&'static str>,
    deadline: Option<String>,
    counts: Vec<Count>,
    no_status_filter: bool,
    /// The name searched for, shown again in its box.
    q: String,
    departments: Vec<Opt>,
    rows: Vec<Row>,
    total: usize,
}

/// What the page shows for one plan and year.
struct HomeData {
    plan: Plan,
    years: Vec<FiscalYear>,
    year: FiscalYear,
    entries: Vec<ListEntry>,
    /// Who last changed each sheet.
    updated_by: HashMap<SheetId, String>,
    round: Option<RoundRow>,
}

fn load(
    conn: &mut db::DbConnection,
    year: Option<FiscalYear>,
) -> Result<Option<HomeData>, db::DbError> {
    let Some(plan) = db::plan::list(conn)?.into_iter().next() else {
        return Ok(None);
    };
    let years = db::sheet::years(conn, plan.id)?;
    let rounds = db::round::for_plan(conn, plan.id)?;
    // The year being written by default: the newest with an open round.
    let default_year = rounds
        .iter()
        .filter(|r| r.is_open())
        .map(|r| r.fiscal_year)
        .max()
        .or_else(|| years.first().copied());
    let Some(year) = year.filter(|y| years.contains(y)).or(default_year) else {
        return Ok(None);
    };
    let entries = db::sheet::list_for_year(conn, plan.id, year)?;
    let ids: Vec<SheetId> = entries.iter().map(|e| e.sheet_id).collect();
    let updated_by = db::audit::last_actors(conn, &ids)?;
    let round = db::round::open_round(conn, plan.id, year)?;
    Ok(Some(HomeData {
        plan,
        years,
        year,
        entries,
        updated_by,
        round,
    }))
}

pub async fn home(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<HomeQuery>,
) -> Result<HttpResponse, AppError> {
    let HomeQuery {
        year,
        status,
        department,
        q,
    } = query.into_inner();
    let year = year.and_then(|y| y.parse::<FiscalYear>().ok());
    let Some(data) = with_conn(&pool, move |conn| load(conn, year)).await? else {
        return Ok(super::see_other("/sheets"));
    };
    let status = status.as_deref().and_then(SheetStatus::from_code);
    let department = department.and_then(|d| d.parse::<DepartmentId>().ok());
    let name = q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(100)
        .collect::<String>();
    page(&view(&user, data, status, department, name))
}

fn view(
    user: &CurrentUser,
    data: HomeData,
    status: Option<SheetStatus>,
    department: Option<DepartmentId>,
    name: String,
) -> HomePage {
    let actor = &user.actor;
    let staff = actor.role == Role::Staff;
    let round = data.round.as_ref().map(|r| r.kind);
    // Staff see their own department's sheets here; 関係課 sheets are on the list page.
    let mine: Vec<ListEntry> = data
        .entries
        .into_iter()
        .filter(|e| !staff || actor.department_id == Some(e.department_id))
        .collect();
    let mut departments: Vec<(DepartmentId, String)> = mine
        .iter()
        .map(|e| (e.department_id, e.department.clone()))
        .collect();
    departments.sort();
    departments.dedup();
    let counts = counts(&mine, status);
    let past_deadline = data
        .round
        .as_ref()
        .and_then(|r| r.deadline)
        .is_some_and(|deadline| chrono::Local::now().date_naive() > deadline);
    let filter = Filter {
        status,
        department,
        name: name.clone(),
        updated_by: data.updated_by,
        round,
        past_deadline,
    };
    let rows = rows(actor, &mine, &filter);
    let department_name = actor
        .department_id
        .and_then(|d| departments.iter().find(|(id, _)| *id == d))
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    HomePage {
        nav: Nav::of(user),
        staff,
        department: department_name,
        plan_name: data.plan.name,
        year: data.year,
        year_label: era_name(data.year),
        years: data
            .years
            .iter()
            .map(|y| Opt {
                value: y.to_string(),
                label: era_name(*y),
                selected: *y == data.year,
            })
            .collect(),
        round: round.map(|k| k.label()),
        deadline: data.round.and_then(|r| r.deadline).map(wareki_date),
        counts,
        no_status_filter: status.is_none(),
        q: name,
        departments: departments
            .into_iter()
            .map(|(id, name)| Opt {
                value: id.to_string(),
                label: name,
                selected: department == Some(id),
            })
            .collect(),
        total: rows.len(),
        rows,
    }
}

/// How many of the shown sheets are in each state.
fn counts(entries: &[ListEntry], selected: Option<SheetStatus>) -> Vec<Count> {
    SheetStatus::ALL
        .iter()
        .map(|s| Count {
            code: s.code(),
            label: s.label(),
            count: entries.iter().filter(|e| e.status == *s).count(),
            selected: selected == Some(*s),
        })
        .collect()
}

/// What the list shows and what it knows about the round.
struct Filter {
    status: Option<SheetStatus>,
    department: Option<DepartmentId>,
    /// Shown only when the 取組事業名 contains it (empty: all).
    name: String,
    updated_by: HashMap<SheetId, String>,
    round: Option<RoundKind>,
    /// The open round's deadline has passed.
    past_deadline: bool,
}

fn rows(actor: &Actor, entries: &[ListEntry], filter: &Filter) -> Vec<Row> {
    let round = filter.round;
    entries
        .iter()
        .filter(|e| filter.status.is_none_or(|s| e.status == s))
        .filter(|e| filter.department.is_none_or(|d| e.department_id == d))
        .filter(|e| e.initiative_name.contains(filter.name.as_str()))
        .map(|e| Row {
            sheet_id: e.sheet_id,
            heading: format!("({}) No.{}", e.area_number, e.initiative_number),
            name: e.initiative_name.clone(),
            department: e.department.clone(),
            status: e.status.label(),
            status_code: e.status.code(),
            // The same question the sheet page asks before offering 編集.
            can_edit: entry_allows(actor, Action::Sheet(Event::Save), e, round),
            updated: wareki_datetime(e.updated_at),
            updated_by: filter
                .updated_by
                .get(&e.sheet_id)
                .cloned()
                .unwrap_or_default(),
            // Overdue: past the deadline and still to be submitted in this round.
            overdue: filter.past_deadline
                && round.is_some_and(|r| workflow::next(e.status, Event::Submit, Some(r)).is_ok()),
        })
        .collect()
}
