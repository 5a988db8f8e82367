//! The plan's structure page (as the 取組事業一覧 of the report: 推進項目 with
//! their 取組事業), where HQ edits it, and opening a fiscal year with a preview.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::csrf::CsrfForm;
use super::error::page_with_status;
use super::{require_page, run_use_case, see_other, with_conn, AppError, CurrentUser, Nav};
use crate::app::plan::{InitiativeInput, Opening};
use crate::app::{self, Checked, Refusal};
use crate::db::{self, DbPool};
use crate::domain::fiscal_year::{era_name, FiscalYear};
use crate::domain::ids::{AreaId, DepartmentId, InitiativeId};
use crate::domain::permission::Action;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/plan", web::get().to(structure))
        .route("/plan/new", web::post().to(create_plan))
        .route("/plan/areas/add", web::post().to(add_area))
        .route("/plan/areas/{id}", web::post().to(edit_area))
        .route("/plan/areas/{id}/move", web::post().to(move_area))
        .route(
            "/plan/initiatives/{id}/move",
            web::post().to(move_initiative),
        )
        .route("/plan/initiatives/new", web::get().to(new_initiative))
        .route("/plan/initiatives/new", web::post().to(add_initiative))
        .route(
            "/plan/initiatives/{id}",
            web::get().to(edit_initiative_form),
        )
        .route("/plan/initiatives/{id}", web::post().to(edit_initiative))
        .route("/plan/initiatives/{id}/retire", web::post().to(retire))
        .route("/plan/years/{year}", web::get().to(preview_year))
        .route("/plan/years/{year}/open", web::post().to(open_year));
}

struct InitiativeRow {
    id: InitiativeId,
    number: i32,
    name: String,
    department: String,
    related: String,
    related_plan: String,
    plan_years: String,
    target_scope: String,
    retired: String,
}

struct AreaView {
    id: AreaId,
    number: i32,
    title: String,
    retired: bool,
    initiatives: Vec<InitiativeRow>,
}

struct YearView {
    year: FiscalYear,
    label: String,
}

/// A refused form on the structure page: which one, and what was typed.
struct Refused {
    /// "plan", "area-add", or "area-{id}".
    form: String,
    refusal: Refusal,
    typed: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "plan/structure.html")]
struct StructurePage {
    nav: Option<Nav>,
    csrf: String,
    plan: Option<db::plan::Plan>,
    plan_label: String,
    areas: Vec<AreaView>,
    years: Vec<YearView>,
    may_open_years: bool,
    refused: Option<Refused>,
    /// Years offered when creating a plan.
    year_choices: Vec<YearView>,
}

impl StructurePage {
    /// What was typed in `field` of `form` when it was refused, else `stored`.
    fn typed(&self, form: impl AsRef<str>, field: &str, stored: impl ToString) -> String {
        match &self.refused {
            Some(r) if r.form == form.as_ref() => r
                .typed
                .iter()
                .find(|(k, _)| k == field)
                .map_or(String::new(), |(_, v)| v.clone()),
            _ => stored.to_string(),
        }
    }

    fn error(&self, form: impl AsRef<str>, field: &str) -> Option<&str> {
        self.refused
            .as_ref()
            .filter(|r| r.form == form.as_ref() && r.refusal.field == field)
            .map(|r| r.refusal.message.as_str())
    }
}

fn year_views(years: impl Iterator<Item = FiscalYear>) -> Vec<YearView> {
    years
        .map(|year| YearView {
            year,
            label: era_name(year),
        })
        .collect()
}

async fn structure(user: CurrentUser, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManagePlan)?;
    render(&user, &pool, None).await
}

async fn render(
    user: &CurrentUser,
    pool: &DbPool,
    refused: Option<Refused>,
) -> Result<HttpResponse, AppError> {
    let loaded = with_conn(pool, |conn| {
        let Some(plan) = app::plan::current(conn)? else {
            return Ok(None);
        };
        let areas = db::plan::areas(conn, plan.id)?;
        let initiatives = db::plan::initiatives(conn, plan.id)?;
        let related = db::plan::related_of_plan(conn, plan.id)?;
        let departments = db::department::all(conn)?;
        Ok(Some((plan, areas, initiatives, related, departments)))
    })
    .await?;
    let this_year = FiscalYear::containing(crate::db::now().date());
    let mut page_data = StructurePage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        plan: None,
        plan_label: String::new(),
        areas: Vec::new(),
        years: Vec::new(),
        may_open_years: super::require_page(user, Action::ManageRounds).is_ok(),
        refused,
        year_choices: year_views(FiscalYear::span(
            this_year.prev(),
            FiscalYear(this_year.0 + 5),
        )),
    };
    if let Some((plan, areas, initiatives, related, departments)) = loaded {
        let name_of = |id: DepartmentId| {
            departments
                .iter()
                .find(|d| d.id == id)
                .map_or(String::new(), |d| d.name.clone())
        };
        page_data.areas = areas
            .into_iter()
            .map(|a| AreaView {
                initiatives: initiatives
                    .iter()
                    .filter(|i| i.area_id == a.id)
                    .map(|i| InitiativeRow {
                        id: i.id,
                        number: i.number,
                        name: i.name.clone(),
                        department: name_of(i.department_id),
                        related: related
                            .iter()
                            .filter(|(r, _)| *r == i.id)
                            .map(|(_, d)| name_of(*d))
                            .collect::<Vec<_>>()
                            .join("、"),
                        related_plan: i.related_plan.clone(),
                        plan_years: i.plan_years.clone(),
                        target_scope: i.target_scope.clone(),
                        retired: i
                            .retired_from
                            .map_or(String::new(), |y| format!("{}から終了", era_name(y))),
                    })
                    .collect(),
                id: a.id,
                number: a.number,
                title: a.title,
                retired: a.retired,
            })
            .collect();
        page_data.years = year_views(FiscalYear::span(plan.first_year, plan.last_year));
        page_data.plan_label = format!(
            "{}〜{}",
            era_name(plan.first_year),
            era_name(plan.last_year)
        );
        page_data.plan = Some(plan);
    }
    let status = if page_data.refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page_with_status(&page_data, status)
}

/// Back to the structure page, or the page again with the refusal at its form.
async fn done<T>(
    user: &CurrentUser,
    pool: &DbPool,
    form_name: String,
    posted: &CsrfForm,
    result: Checked<T>,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(_) => Ok(see_other("/plan")),
        Err(refusal) => {
            let refused = Refused {
                form: form_name,
                refusal,
                typed: posted.0.clone(),
            };
            render(user, pool, Some(refused)).await
        }
    }
}

async fn create_plan(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManagePlan)?;
    let name = form.get("name").to_string();
    let first = form.get("first_year").parse().ok();
    let last = form.get("last_year").parse().ok();
    let actor = user.actor.clone();
    let result = run_use_case(&pool, move |conn| {
        app::plan::create_plan(conn, &actor, &name, first, last)
    })
    .await?;
    done(&user, &pool, "plan".into(), &form, result).await
}

async fn current_plan(pool: &DbPool) -> Result<db::plan::Plan, AppError> {
    with_conn(pool, app::plan::current)
        .await?
        .ok_or(AppError::NotFound)
}

async fn add_area(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManagePlan)?;
    let plan = current_plan(&pool).await?;
    let number = form.get("number").trim().parse().ok();
    let title = form.get("title").to_string();
    let actor = user.actor.clone();
    let result = run_use_case(&pool, move |conn| {
        app::plan::add_area(conn, &actor, plan.id, number, &title)
    })
    .await?;
    done(&user, &pool, "area-add".into(), &form, result).await
}

async fn edit_area(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<AreaId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManagePlan)?;
    let id = path.into_inner();
    let number = form.get("number").trim().parse().ok();
    let title = form.get("title").to_string();
    let retired = form.get("retired") == "1";
    let actor = user.actor.clone();
    let result = run_use_case(&pool, move |conn| {
        app::plan::edit_area(conn, &actor, id, number, &title, retired)
    })
    .await?;
    done(&user, &pool, format!("area-{id}"), &form, result).await
}

async fn move_area(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<AreaId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManagePlan)?;
    let id = path.into_inner();
    let up = form.get("direction") == "up";
    let actor = user.actor.clone();
    run_use_case(&pool, move |conn| {
        app::plan::move_area(conn, &actor, id, up)
    })
    .await?;
    Ok(see_other("/plan"))
}

async fn move_initiative(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<InitiativeId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManagePlan)?;
    let id = path.into_inner();
    let up = form.get("direction") == "up";
    let actor = user.actor.clone();
    run_use_case(&pool, move |conn| {
        app::plan::move_initiative(conn, &actor, id, up)
    })
    .await?;
    Ok(see_other("/plan"))
}

#[derive(Template)]
#[template(path = "plan/initiative.html")]
struct InitiativePage {
    nav: Option<Nav>,
    csrf: String,
    id: Option<InitiativeId>,
    areas: Vec<db::plan::FocusArea>,
    departments: Vec<(DepartmentId, String)>,
    area_id: String,
    number: String,
    name: String,
    department_id: String,
    related: Vec<String>,
    related_plan: String,
    plan_years: String,
    target_scope: String,
    retired_from: String,
    /// The 適用する年度 chosen (edit form).
    applies_from: String,
    years: Vec<YearView>,
    refusal: Option<Refusal>,
}

impl InitiativePage {
    fn error(&self, field: &str) -> Option<&str> {
        self.refusal
            .as_ref()
            .filter(|r| r.field == field)
            .map(|r| r.message.as_str())
    }

    fn is_related(&self, id: &DepartmentId) -> bool {
        self.related.contains(&id.to_string())
    }
}

/// The initiative form, filled from `posted` (as typed) or `stored`.
async fn initiative_page(
    user: &CurrentUser,
    pool: &DbPool,
    id: Option<InitiativeId>,
    fill: impl FnOnce(&mut InitiativePage),
    refusal: Option<Refusal>,
) -> Result<HttpResponse, AppError> {
    let plan = current_plan(pool).await?;
    let (areas, departments) = with_conn(pool, move |conn| {
        Ok((db::plan::areas(conn, plan.id)?, db::department::all(conn)?))
    })
    .await?;
    let mut page_data = InitiativePage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        id,
        areas: areas.into_iter().filter(|a| !a.retired).collect(),
        departments: departments
            .into_iter()
            .filter(|d| d.active)
            .map(|d| (d.id, d.name))
            .collect(),
        area_id: String::new(),
        number: String::new(),
        name: String::new(),
        department_id: String::new(),
        related: Vec::new(),
        related_plan: String::new(),
        plan_years: String::new(),
        target_scope: String::new(),
        retired_from: String::new(),
        applies_from: String::new(),
        years: year_views(FiscalYear::span(plan.first_year, plan.last_year)),
        refusal,
    };
    fill(&mut page_data);
    let status = if page_data.refusal.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page_with_status(&page_data, status)
}

fn fill_posted(form: &CsrfForm) -> impl FnOnce(&mut InitiativePage) + '_ {
    move |p| {
        p.area_id = form.get("area_id").to_string();
        p.number = form.get("number").to_string();
        p.name = form.get("name").to_string();
        p.department_id = form.get("department_id").to_string();
        p.related = values(form, "related");
        p.related_plan = form.get("related_plan").to_string();
        p.plan_years = form.get("plan_years").to_string();
        p.target_scope = form.get("target_scope").to_string();
        p.applies_from = form.get("applies_from").to_string();
    }
}

/// Every value posted under `name` (checkboxes).
fn values(form: &CsrfForm, name: &str) -> Vec<String> {
    form.0
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

fn posted_initiative(form: &CsrfForm) -> InitiativeInput {
    InitiativeInput {
        area_id: form.get("area_id").parse().ok(),
        number: form.get("number").trim().parse().ok(),
        name: form.get("name").to_string(),
        department_id: form.get("department_id").parse().ok(),
        related: values(form, "related")
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect(),
        related_plan: form.get("related_plan").to_string(),
        plan_years: form.get("plan_years").to_string(),
        target_scope: form.get("target_scope").to_string(),
        applies_from: form.get("applies_from").parse().ok(),
    }
}

async fn new_initiative(
    user: CurrentUser,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManagePlan)?;
    initiative_page(
        &user,
        &pool,
        None,
        |p| p.target_scope = "全部局".into(),
        None,
    )
    .await
}

async fn add_initiative(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManagePlan)?;
    let plan = current_plan(&pool).await?;
    let input = posted_initiative(&form);
    let actor = user.actor.clone();
    let result = run_use_case(&pool, move |conn| {
        app::plan::add_initiative(conn, &actor, plan.id, &input)
    })
    .await?;
    match result {
        Ok(_) => Ok(see_other("/plan")),
        Err(refusal) => {
            initiative_page(&user, &pool, None, fill_posted(&form), Some(refusal)).await
        }
    }
}

async fn edit_initiative_form(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<InitiativeId>,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManagePlan)?;
    let id = path.into_inner();
    let (stored, related) = with_conn(&pool, move |conn| {
        Ok((
            db::plan::initiative(conn, id)?,
            db::plan::related(conn, id)?,
        ))
    })
    .await?;
    let stored = stored.ok_or(AppError::NotFound)?;
    let fill = move |p: &mut InitiativePage| {
        p.area_id = stored.area_id.to_string();
        p.number = stored.number.to_string();
        p.name = stored.name;
        p.department_id = stored.department_id.to_string();
        p.related = related.iter().map(|d| d.to_string()).collect();
        p.related_plan = stored.related_plan;
        p.plan_years = stored.plan_years;
        p.target_scope = stored.target_scope;
        p.retired_from = stored.retired_from.map_or(String::new(), |y| y.to_string());
    };
    initiative_page(&user, &pool, Some(id), fill, None).await
}

async fn edit_initiative(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<InitiativeId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManagePlan)?;
    let id = path.into_inner();
    let input = posted_initiative(&form);
    let actor = user.actor.clone();
    let result = run_use_case(&pool, move |conn| {
        app::plan::edit_initiative(conn, &actor, id, &input)
    })
    .await?;
    match result {
        Ok(()) => Ok(see_other("/plan")),
        Err(refusal) => {
            initiative_page(&user, &pool, Some(id), fill_posted(&form), Some(refusal)).await
        }
    }
}

async fn retire(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<InitiativeId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManagePlan)?;
    let id = path.into_inner();
    let from_year = form.get("from_year").parse::<FiscalYear>().ok();
    let actor = user.actor.clone();
    let result = run_use_case(&pool, move |conn| {
        app::plan::retire_initiative(conn, &actor, id, from_year)
    })
    .await?;
    match result {
        Ok(()) => Ok(see_other("/plan")),
        Err(refusal) => {
            let stored = with_conn(&pool, move |conn| db::plan::initiative(conn, id))
                .await?
                .ok_or(AppError::NotFound)?;
            let fill = move |p: &mut InitiativePage| {
                p.area_id = stored.area_id.to_string();
                p.number = stored.number.to_string();
                p.name = stored.name;
                p.department_id = stored.department_id.to_string();
                p.related_plan = stored.related_plan;
                p.plan_years = stored.plan_years;
                p.target_scope = stored.target_scope;
            };
            initiative_page(&user, &pool, Some(id), fill, Some(refusal)).await
        }
    }
}

struct PreviewRow {
    label: String,
    department: String,
    opening: &'static str,
    creates: bool,
}

#[derive(Template)]
#[template(path = "plan/year.html")]
struct YearPage {
    nav: Option<Nav>,
    csrf: String,
    plan_name: String,
    year: FiscalYear,
    year_label: String,
    rows: Vec<PreviewRow>,
    to_create: usize,
    error: Option<String>,
}

async fn preview_year(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<FiscalYear>,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageRounds)?;
    render_year(&user, &pool, path.into_inner(), None).await
}

async fn render_year(
    user: &CurrentUser,
    pool: &DbPool,
    year: FiscalYear,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let plan = current_plan(pool).await?;
    if year < plan.first_year || year > plan.last_year {
        return Err(AppError::NotFound);
    }
    let actor = user.actor.clone();
    let (plan_id, plan_name) = (plan.id, plan.name.clone());
    let (preview, areas, departments) = run_use_case(pool, move |conn| {
        Ok((
            app::plan::preview_year(conn, &actor, plan_id, year)?,
            db::plan::areas(conn, plan_id)?,
            db::department::all(conn)?,
        ))
    })
    .await?;
    let rows: Vec<PreviewRow> = preview
        .into_iter()
        .map(|(i, opening)| PreviewRow {
            label: format!(
                "({}) No.{} {}",
                areas
                    .iter()
                    .find(|a| a.id == i.area_id)
                    .map_or(0, |a| a.number),
                i.number,
                i.name
            ),
            department: departments
                .iter()
                .find(|d| d.id == i.department_id)
                .map_or(String::new(), |d| d.name.clone()),
            opening: opening.label(),
            creates: opening != Opening::Exists,
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page_with_status(
        &YearPage {
            nav: Nav::of(user),
            csrf: user.csrf.clone(),
            plan_name,
            year,
            year_label: era_name(year),
            to_create: rows.iter().filter(|r| r.creates).count(),
            rows,
            error,
        },
        status,
    )
}

async fn open_year(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<FiscalYear>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageRounds)?;
    let year = path.into_inner();
    if form.get("confirm") != "1" {
        let message = "作成する前に、確認欄にチェックを入れてください".to_string();
        return render_year(&user, &pool, year, Some(message)).await;
    }
    let plan = current_plan(&pool).await?;
    let actor = user.actor.clone();
    let result = run_use_case(&pool, move |conn| {
        app::plan::open_year(conn, &actor, plan.id, year)
    })
    .await?;
    match result {
        Ok(_) => Ok(see_other(&format!("/sheets?year={year}"))),
        Err(refusal) => render_year(&user, &pool, year, Some(refusal.message)).await,
    }
}
