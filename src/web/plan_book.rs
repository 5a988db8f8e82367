//! The plan workbook in the browser: HQ downloads the template or the current
//! plan, uploads a workbook, sees the preview, and confirms.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::csrf::CsrfForm;
use super::error::page_with_status;
use super::reports::download;
use super::upload::{self, Pending};
use super::{run_use_case, with_conn, AppError, CurrentUser, Nav};
use crate::app::plan_import::{self, Outcome};
use crate::db::{self, DbPool};
use crate::domain::fiscal_year::{era_name, FiscalYear};
use crate::domain::permission::{authorize, Action};
use crate::import::plan_book::parse_plan_book;
use crate::import::workbook::Problem;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/plan", web::get().to(index))
        .route("/admin/plan/template.xlsx", web::get().to(template))
        .route("/admin/plan/plan.xlsx", web::get().to(export))
        .route("/admin/plan/preview", web::post().to(preview))
        .route("/admin/plan/import", web::post().to(confirm));
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Template)]
#[template(path = "admin/plan.html")]
struct IndexPage {
    nav: Option<Nav>,
    csrf: String,
    plan_name: Option<String>,
    problems: Vec<Problem>,
}

/// What the preview and the result pages show.
#[derive(Template)]
#[template(path = "admin/plan_result.html")]
struct ResultPage {
    nav: Option<Nav>,
    csrf: String,
    /// Some(token) on the preview: the confirm form posts it.
    token: Option<String>,
    year_label: String,
    outcome: Outcome,
}

fn require(user: &CurrentUser) -> Result<(), AppError> {
    authorize(&user.actor, Action::ImportPlan, None)?;
    Ok(())
}

async fn index(user: CurrentUser, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    require(&user)?;
    render_index(&user, &pool, Vec::new()).await
}

async fn render_index(
    user: &CurrentUser,
    pool: &DbPool,
    problems: Vec<Problem>,
) -> Result<HttpResponse, AppError> {
    let plan = with_conn(pool, |conn| Ok(db::plan::list(conn)?.into_iter().next())).await?;
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page_with_status(
        &IndexPage {
            nav: Nav::of(user),
            csrf: user.csrf.clone(),
            plan_name: plan.map(|p| p.name),
            problems,
        },
        status,
    )
}

async fn template(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    config: web::Data<crate::config::Config>,
) -> Result<HttpResponse, AppError> {
    require(&user)?;
    let lists = with_conn(&pool, plan_import::lists).await?;
    let first = fiscal_year_of(config.clock.now().date());
    let bytes = plan_import::template(first);
    let bytes = web::block(move || crate::report::plan_book::write(&bytes, &lists))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(
        bytes,
        XLSX,
        "計画ワークブック_ひな形.xlsx",
        "plan-template.xlsx",
    ))
}

fn fiscal_year_of(d: chrono::NaiveDate) -> FiscalYear {
    use chrono::Datelike;
    FiscalYear(if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    })
}

async fn export(user: CurrentUser, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    require(&user)?;
    let actor = user.actor.clone();
    let data = run_use_case(&pool, move |conn| {
        let Some(plan) = db::plan::list(conn)?.into_iter().next() else {
            return Ok(None);
        };
        let book = plan_import::export(conn, &actor, plan.id)?;
        Ok(book.map(|b| (b, plan_import::lists(conn))))
    })
    .await?;
    let Some((book, lists)) = data else {
        return Err(AppError::NotFound);
    };
    let lists = lists.map_err(AppError::Db)?;
    let name = format!("{}_計画ワークブック.xlsx", book.name);
    let bytes = web::block(move || crate::report::plan_book::write(&book, &lists))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(bytes, XLSX, &name, "plan.xlsx"))
}

async fn preview(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    pending: web::Data<Pending>,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    require(&user)?;
    let upload = match upload::read(&user, form).await {
        Ok(u) => u,
        Err(AppError::BadRequest(message)) => {
            return render_index(&user, &pool, vec![Problem::file(message)]).await
        }
        Err(e) => return Err(e),
    };
    let bytes = upload.file.clone();
    let book = web::block(move || parse_plan_book(bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let book = match book {
        Ok(b) => b,
        Err(problems) => return render_index(&user, &pool, problems).await,
    };
    let actor = user.actor.clone();
    let outcome = run_use_case(&pool, move |conn| {
        plan_import::preview(conn, Some(&actor), &book)
    })
    .await?;
    let token = (outcome.problems.is_empty() && outcome.changes_anything())
        .then(|| pending.put(user.actor.user_id, upload.file));
    result_page(&user, token, outcome)
}

fn result_page(
    user: &CurrentUser,
    token: Option<String>,
    outcome: Outcome,
) -> Result<HttpResponse, AppError> {
    let status = if outcome.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page_with_status(
        &ResultPage {
            nav: Nav::of(user),
            csrf: user.csrf.clone(),
            token,
            year_label: era_name(outcome.structure_year),
            outcome,
        },
        status,
    )
}

async fn confirm(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    pending: web::Data<Pending>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require(&user)?;
    let token = form.get("token").to_string();
    let Some(bytes) = pending.get(user.actor.user_id, &token) else {
        return render_index(
            &user,
            &pool,
            vec![Problem::file(
                "確認の有効期限が切れました。もう一度ファイルを選んで取り込んでください",
            )],
        )
        .await;
    };
    // Checked again: the database may have changed since the preview.
    let book = web::block(move || parse_plan_book(bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|problems| {
            AppError::BadRequest(problems.first().map_or(String::new(), |p| p.to_string()))
        })?;
    let actor = user.actor.clone();
    let outcome = run_use_case(&pool, move |conn| {
        let logins = plan_import::new_logins(conn, &book)?;
        let passwords = plan_import::make_passwords(&logins).map_err(crate::db::DbError::Config)?;
        plan_import::apply(conn, Some(&actor), &book, &passwords)
    })
    .await?;
    pending.forget(&token);
    result_page(&user, None, outcome)
}
