//! The page after login: staff see their department's sheets; HQ and
//! administrators see every sheet, filterable, with the count per state.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::page;
use super::{with_conn, AppError, CurrentUser, Nav};
use crate::db::{self, DbPool};
use crate::domain::fiscal_year::era_name;
use crate::domain::permission::Role;
use crate::domain::workflow::SheetStatus;

#[derive(Deserialize)]
pub struct HomeQuery {
    year: Option<i32>,
    status: Option<String>,
    department: Option<i32>,
}

struct Row {
    sheet_id: i32,
    heading: String,
    name: String,
    department: String,
    status: &'static str,
    status_code: &'static str,
    can_edit: bool,
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
    year: i32,
    year_label: String,
    years: Vec<Opt>,
    round: Option<&'static str>,
    deadline: Option<String>,
    counts: Vec<Count>,
    no_status_filter: bool,
    departments: Vec<Opt>,
    rows: Vec<Row>,
    total: usize,
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
    } = query.into_inner();
    let data = with_conn(&pool, move |conn| {
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
        let year = year.or(default_year);
        let entries = match year {
            Some(y) => db::sheet::list_for_year(conn, plan.id, y)?,
            None => Vec::new(),
        };
        let round = match year {
            Some(y) => db::round::open_round(conn, plan.id, y)?,
            None => None,
        };
        Ok(Some((plan, years, year, entries, round)))
    })
    .await?;
    let Some((plan, years, Some(year), entries, round)) = data else {
        return Ok(super::auth::see_other("/sheets"));
    };
    let actor = &user.actor;
    let staff = actor.role == Role::Staff;
    let mine: Vec<_> = entries
        .into_iter()
        .filter(|e| !staff || actor.department_id == Some(e.department_id))
        .collect();
    let counts_base = mine.clone();
    let status_filter = status.as_deref().and_then(SheetStatus::from_code);
    let mut departments: Vec<(i32, String)> = counts_base
        .iter()
        .map(|e| (e.department_id, e.department.clone()))
        .collect();
    departments.sort();
    departments.dedup();
    let rows: Vec<Row> = mine
        .into_iter()
        .filter(|e| status_filter.is_none_or(|s| e.status == s))
        .filter(|e| department.is_none_or(|d| e.department_id == d))
        .map(|e| Row {
            sheet_id: e.sheet_id,
            heading: format!("({}) No.{}", e.area_number, e.initiative_number),
            name: e.initiative_name,
            department: e.department,
            status: e.status.label(),
            status_code: e.status.code(),
            can_edit: staff
                && round.is_some()
                && matches!(
                    e.status,
                    SheetStatus::Draft | SheetStatus::Returned | SheetStatus::Confirmed
                ),
        })
        .collect();
    let department_name = actor
        .department_id
        .and_then(|d| departments.iter().find(|(id, _)| *id == d))
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    page(&HomePage {
        nav: Nav::of(&user),
        staff,
        department: department_name,
        plan_name: plan.name,
        year,
        year_label: era_name(year),
        years: years
            .iter()
            .map(|y| Opt {
                value: y.to_string(),
                label: era_name(*y),
                selected: *y == year,
            })
            .collect(),
        round: round.as_ref().and_then(|r| r.kind()).map(|k| k.label()),
        deadline: round
            .and_then(|r| r.deadline)
            .map(|d| d.format("%Y年%-m月%-d日").to_string()),
        counts: SheetStatus::ALL
            .iter()
            .map(|s| Count {
                code: s.code(),
                label: s.label(),
                count: counts_base.iter().filter(|e| e.status == *s).count(),
                selected: status_filter == Some(*s),
            })
            .collect(),
        no_status_filter: status_filter.is_none(),
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
    })
}
