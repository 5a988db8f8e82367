//! 取組事業一覧 and the 点検・評価票 pages.

use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::error::page;
use super::{with_conn, AppError};
use crate::db::{self, DbPool};
use crate::domain::fiscal_year::era_name;
use crate::report::view::SheetView;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sheets", web::get().to(list))
        .route("/sheets/{id}", web::get().to(show));
}

#[derive(Deserialize)]
struct ListQuery {
    plan: Option<i32>,
    year: Option<i32>,
}

struct YearOption {
    year: i32,
    label: String,
    selected: bool,
}

struct AreaGroup {
    heading: String,
    rows: Vec<ListRow>,
}

struct ListRow {
    sheet_id: i32,
    number: i32,
    name: String,
    department: String,
    /// Merged cell: shown on the first of consecutive rows with the same plan.
    related_plan: Option<(String, usize)>,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "sheets/list.html")]
struct ListPage {
    plan_name: String,
    plan_id: i32,
    year_label: String,
    years: Vec<YearOption>,
    groups: Vec<AreaGroup>,
}

#[derive(Template)]
#[template(path = "sheets/empty.html")]
struct EmptyPage;

async fn list(
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let ListQuery { plan, year } = query.into_inner();
    let data = with_conn(&pool, move |conn| {
        let plan = match plan {
            Some(id) => db::plan::find(conn, id)?,
            None => db::plan::list(conn)?.into_iter().next(),
        };
        let Some(plan) = plan else {
            return Ok(None);
        };
        let years = db::sheet::years(conn, plan.id)?;
        let year = year.or_else(|| years.first().copied());
        let entries = match year {
            Some(y) => db::sheet::list_for_year(conn, plan.id, y)?,
            None => Vec::new(),
        };
        Ok(Some((plan, years, year, entries)))
    })
    .await?;
    let Some((plan, years, year, entries)) = data else {
        return page(&EmptyPage);
    };
    let Some(year) = year.filter(|y| years.contains(y)) else {
        return Err(AppError::NotFound);
    };

    let mut groups: Vec<AreaGroup> = Vec::new();
    for e in entries {
        let heading = format!("({}) {}", e.area_number, e.area_title);
        if groups.last().map(|g| &g.heading) != Some(&heading) {
            groups.push(AreaGroup {
                heading,
                rows: Vec::new(),
            });
        }
        if let Some(group) = groups.last_mut() {
            group.rows.push(ListRow {
                sheet_id: e.sheet_id,
                number: e.initiative_number,
                name: e.initiative_name,
                department: e.department,
                related_plan: Some((e.related_plan, 1)),
                status: e.status.label(),
            });
        }
    }
    for group in &mut groups {
        merge_equal_plans(&mut group.rows);
    }
    page(&ListPage {
        plan_name: plan.name,
        plan_id: plan.id,
        year_label: era_name(year),
        years: years
            .into_iter()
            .map(|y| YearOption {
                year: y,
                label: era_name(y),
                selected: y == year,
            })
            .collect(),
        groups,
    })
}

/// Folds runs of the same 推進する計画 into one cell spanning the run, as the
/// paper list does.
fn merge_equal_plans(rows: &mut [ListRow]) {
    let mut start = 0;
    while start < rows.len() {
        let plan = rows[start].related_plan.as_ref().map(|(p, _)| p.clone());
        let mut end = start + 1;
        while end < rows.len() && rows[end].related_plan.as_ref().map(|(p, _)| p) == plan.as_ref() {
            rows[end].related_plan = None;
            end += 1;
        }
        if let Some((_, span)) = rows[start].related_plan.as_mut() {
            *span = end - start;
        }
        start = end;
    }
}

#[derive(Template)]
#[template(path = "sheets/show.html")]
struct SheetPage {
    view: SheetView,
}

async fn show(pool: web::Data<DbPool>, path: web::Path<i32>) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let sheet = with_conn(&pool, move |conn| db::sheet::load(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    page(&SheetPage {
        view: SheetView::new(sheet),
    })
}
