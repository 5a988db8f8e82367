//! 推進委員会意見 on a whole 推進項目: one small page per area and year, linked
//! from the area heading of 取組事業一覧. HQ records an opinion and names the
//! answering department, that department replies, HQ closes it. A refused
//! post re-shows the page with what was typed.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::csrf::CsrfForm;
use super::error::page_with_status;
use super::{run_use_case, see_other, AppError, CurrentUser, Nav};
use crate::app::area_opinion::{self, AreaYear};
use crate::db::area_opinion::AreaOpinionRow;
use crate::db::DbPool;
use crate::domain::fiscal_year::{wareki_datetime, FiscalYear};
use crate::domain::ids::{AreaId, AreaOpinionId, DepartmentId};
use crate::domain::permission::{Action, Actor};
use crate::report::view::Text;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/areas/{area}/opinions/{year}", web::get().to(show))
        .route("/areas/{area}/opinions/{year}", web::post().to(record))
        .route("/area-opinions/{id}/reply", web::post().to(reply))
        .route("/area-opinions/{id}/close", web::post().to(close));
}

/// The page of an area's opinions.
pub fn path(area: AreaId, year: FiscalYear) -> String {
    format!("/areas/{area}/opinions/{}", year.0)
}

struct Item {
    id: AreaOpinionId,
    at: String,
    department: String,
    opinion: Text,
    reply: Text,
    /// No reply written yet (「未記入」).
    reply_empty: bool,
    /// The reply box's text: the stored reply, or what was typed.
    reply_value: String,
    closed: bool,
    can_reply: bool,
    can_close: bool,
}

struct DepartmentOption {
    id: DepartmentId,
    name: String,
    selected: bool,
}

/// What was typed when a post was refused.
#[derive(Default)]
struct Typed {
    /// Which opinion's reply (None: a new opinion).
    reply_to: Option<AreaOpinionId>,
    department: Option<DepartmentId>,
    text: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "sheets/area_opinions.html")]
struct AreaOpinionsPage {
    nav: Option<Nav>,
    csrf: String,
    heading: String,
    list_link: String,
    form_action: String,
    items: Vec<Item>,
    can_record: bool,
    /// The reply needs an open round of the year.
    round_open: bool,
    departments: Vec<DepartmentOption>,
    text: String,
    error: Option<String>,
}

fn build(
    user: &CurrentUser,
    scope: AreaYear,
    rows: Vec<AreaOpinionRow>,
    typed: Typed,
) -> AreaOpinionsPage {
    let actor: &Actor = &user.actor;
    let can_record = scope.allows(actor, Action::RecordOpinion, None);
    let round_open = scope.round.is_some();
    let items = rows
        .into_iter()
        .map(|o| Item {
            reply_value: if typed.reply_to == Some(o.id) {
                typed.text.clone()
            } else {
                o.reply.clone()
            },
            can_reply: round_open
                && !o.closed()
                && scope.allows(actor, Action::ReplyOpinion, Some(o.department_id)),
            can_close: can_record && !o.closed(),
            closed: o.closed(),
            reply_empty: o.reply.trim().is_empty(),
            id: o.id,
            at: wareki_datetime(o.created_at),
            department: o.department,
            opinion: Text::new(&o.opinion),
            reply: Text::new(&o.reply),
        })
        .collect();
    let departments = scope
        .departments()
        .into_iter()
        .map(|(id, name)| DepartmentOption {
            selected: typed.department == Some(id),
            id,
            name,
        })
        .collect();
    let text = if typed.reply_to.is_none() {
        typed.text
    } else {
        String::new()
    };
    AreaOpinionsPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        heading: scope.label(),
        list_link: format!("/sheets?plan={}&year={}", scope.area.plan_id, scope.year.0),
        form_action: path(scope.area.id, scope.year),
        items,
        can_record,
        round_open,
        departments,
        text,
        error: typed.error,
    }
}

async fn render(
    pool: &DbPool,
    user: &CurrentUser,
    area: AreaId,
    year: FiscalYear,
    typed: Typed,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor.clone();
    let (scope, rows) = run_use_case(pool, move |conn| {
        area_opinion::list(conn, &actor, area, year)
    })
    .await?;
    page_with_status(&build(user, scope, rows, typed), status)
}

async fn show(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<(AreaId, FiscalYear)>,
) -> Result<HttpResponse, AppError> {
    let (area, year) = path.into_inner();
    render(&pool, &user, area, year, Typed::default(), StatusCode::OK).await
}

async fn record(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<(AreaId, FiscalYear)>,
    posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let (area, year) = path.into_inner();
    let text = posted.get("opinion").to_string();
    let department: Option<DepartmentId> = posted.get("department").parse().ok();
    let (actor, typed) = (user.actor.clone(), text.clone());
    let result = run_use_case(&pool, move |conn| {
        area_opinion::record(conn, &actor, area, year, department, &typed)
    })
    .await?;
    match result {
        Ok(o) => Ok(see_other(&format!(
            "{}#opinion-{o}",
            self::path(area, year)
        ))),
        Err(error) => {
            let typed = Typed {
                reply_to: None,
                department,
                text,
                error: Some(error),
            };
            render(
                &pool,
                &user,
                area,
                year,
                typed,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn reply(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<AreaOpinionId>,
    posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let text = posted.get("reply").to_string();
    let (actor, typed) = (user.actor.clone(), text.clone());
    let (o, result) = run_use_case(&pool, move |conn| {
        area_opinion::reply(conn, &actor, id, &typed)
    })
    .await?;
    let (area, year) = (o.area_id, o.fiscal_year);
    match result {
        Ok(()) => Ok(see_other(&format!(
            "{}#opinion-{id}",
            self::path(area, year)
        ))),
        Err(error) => {
            let typed = Typed {
                reply_to: Some(id),
                department: None,
                text,
                error: Some(error),
            };
            render(
                &pool,
                &user,
                area,
                year,
                typed,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn close(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<AreaOpinionId>,
    _posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = user.actor.clone();
    let o = run_use_case(&pool, move |conn| area_opinion::close(conn, &actor, id)).await?;
    Ok(see_other(&format!(
        "{}#opinion-{id}",
        self::path(o.area_id, o.fiscal_year)
    )))
}
