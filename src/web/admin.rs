//! HQ's settings (reporting rounds, dropdown choices) and the administrator's
//! user management (accounts, login locks).

use actix_web::{web, HttpResponse};
use askama::Template;

use super::{csrf::CsrfForm, see_other};
use actix_web::http::StatusCode;

use super::error::page_with_status;
use super::{run_use_case, with_conn, AppError, CurrentUser, Nav};
use crate::app;
use crate::db::{self, DbPool};
use crate::domain::field::ChoiceList;
use crate::domain::fiscal_year::{era_name, FiscalYear};
use crate::domain::ids::{ChoiceId, RoundId, UserId};
use crate::domain::permission::{authorize, Action};
use crate::domain::round::{deadline_problem, RoundKind};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/rounds", web::get().to(rounds))
        .route("/rounds/open", web::post().to(open_round))
        .route("/rounds/{id}/close", web::post().to(close_round))
        .route("/rounds/{id}/reminders", web::post().to(set_reminders))
        .route("/choices", web::get().to(choices))
        .route("/choices/add", web::post().to(add_choice))
        .route("/choices/{id}/toggle", web::post().to(toggle_choice))
        .route("/admin/users/{id}/active", web::post().to(set_user_active))
        .route("/admin/unlock", web::post().to(unlock));
}

fn require(user: &CurrentUser, action: Action) -> Result<(), AppError> {
    authorize(&user.actor, action, None)?;
    Ok(())
}

struct RoundView {
    id: Option<RoundId>,
    year: FiscalYear,
    year_label: String,
    kind: &'static str,
    kind_code: &'static str,
    open: bool,
    deadline: String,
    /// Days before the deadline for reminders (「3,1」), or what was typed.
    reminder_days: String,
}

#[derive(Template)]
#[template(path = "admin/rounds.html")]
struct RoundsPage {
    nav: Option<Nav>,
    csrf: String,
    plan_name: String,
    rounds: Vec<RoundView>,
    error: Option<String>,
}

async fn rounds(user: CurrentUser, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    require(&user, Action::ManageRounds)?;
    render_rounds(&user, &pool, None).await
}

async fn render_rounds(
    user: &CurrentUser,
    pool: &DbPool,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    render_rounds_typed(user, pool, error, None).await
}

/// The rounds page, with the reminder days typed for one round kept.
async fn render_rounds_typed(
    user: &CurrentUser,
    pool: &DbPool,
    error: Option<String>,
    typed: Option<(RoundId, String)>,
) -> Result<HttpResponse, AppError> {
    let data = with_conn(pool, |conn| {
        let Some(plan) = db::plan::list(conn)?.into_iter().next() else {
            return Ok(None);
        };
        let rows = db::round::for_plan(conn, plan.id)?;
        Ok(Some((plan, rows)))
    })
    .await?;
    let Some((plan, rows)) = data else {
        return Err(AppError::NotFound);
    };
    let mut rounds = Vec::new();
    for year in FiscalYear::span(plan.first_year, plan.last_year).rev() {
        for kind in RoundKind::ALL {
            let row = rows
                .iter()
                .find(|r| r.fiscal_year == year && r.kind == kind);
            rounds.push(RoundView {
                id: row.map(|r| r.id),
                year,
                year_label: era_name(year),
                kind: kind.label(),
                kind_code: kind.code(),
                open: row.is_some_and(|r| r.is_open()),
                deadline: row
                    .and_then(|r| r.deadline)
                    .map_or(String::new(), |d| d.format("%Y-%m-%d").to_string()),
                reminder_days: match (&typed, row) {
                    (Some((id, text)), Some(r)) if *id == r.id => text.clone(),
                    (_, Some(r)) => r.reminder_days.clone(),
                    (_, None) => String::new(),
                },
            });
        }
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page_with_status(
        &RoundsPage {
            nav: Nav::of(user),
            csrf: user.csrf.clone(),
            plan_name: plan.name,
            rounds,
            error,
        },
        status,
    )
}

async fn open_round(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    config: web::Data<crate::config::Config>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require(&user, Action::ManageRounds)?;
    let Ok(year) = form.get("year").parse::<FiscalYear>() else {
        return render_rounds(&user, &pool, Some("年度の指定が正しくありません".into())).await;
    };
    let Some(kind) = RoundKind::from_code(form.get("kind")) else {
        return render_rounds(
            &user,
            &pool,
            Some("ラウンドの指定が正しくありません".into()),
        )
        .await;
    };
    let deadline = match form.get("deadline") {
        "" => None,
        d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                return render_rounds(
                    &user,
                    &pool,
                    Some("締切日は 2025-10-31 のように入力してください".into()),
                )
                .await
            }
        },
    };
    let today = config.clock.now().date();
    if let Some(problem) = deadline.and_then(|d| deadline_problem(year, d, today)) {
        return render_rounds(&user, &pool, Some(problem)).await;
    }
    let actor = user.actor.clone();
    run_use_case(&pool, move |conn| {
        app::round::open(conn, &actor, year, kind, deadline)
    })
    .await?;
    Ok(see_other("/rounds"))
}

async fn close_round(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<RoundId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require(&user, Action::ManageRounds)?;
    // Closing stops every department's writing at once: asked in the form.
    if form.get("confirm") != "1" {
        let message = "受付を「終了」する前に、確認欄にチェックを入れてください";
        return render_rounds(&user, &pool, Some(message.into())).await;
    }
    let id = path.into_inner();
    let actor = user.actor.clone();
    run_use_case(&pool, move |conn| app::round::close(conn, &actor, id)).await?;
    Ok(see_other("/rounds"))
}

/// HQ sets a round's reminder days.
async fn set_reminders(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<RoundId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require(&user, Action::ManageRounds)?;
    let id = path.into_inner();
    let text = form.get("reminder_days").to_string();
    let actor = user.actor.clone();
    let typed = text.clone();
    let result = run_use_case(&pool, move |conn| {
        app::round::set_reminder_days(conn, &actor, id, &typed)
    })
    .await?;
    match result {
        Ok(()) => Ok(see_other("/rounds")),
        Err(problem) => render_rounds_typed(&user, &pool, Some(problem), Some((id, text))).await,
    }
}

struct ChoiceListView {
    code: &'static str,
    name: &'static str,
    items: Vec<db::choice::ChoiceRow>,
}

#[derive(Template)]
#[template(path = "admin/choices.html")]
struct ChoicesPage {
    nav: Option<Nav>,
    csrf: String,
    lists: Vec<ChoiceListView>,
    error: Option<String>,
}

async fn choices(user: CurrentUser, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    require(&user, Action::ManageChoices)?;
    render_choices(&user, &pool, None).await
}

async fn render_choices(
    user: &CurrentUser,
    pool: &DbPool,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let rows = with_conn(pool, db::choice::all).await?;
    let lists = ChoiceList::ALL
        .into_iter()
        .map(|list| ChoiceListView {
            code: list.code(),
            name: list.label(),
            items: rows.iter().filter(|r| r.list == list).cloned().collect(),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page_with_status(
        &ChoicesPage {
            nav: Nav::of(user),
            csrf: user.csrf.clone(),
            lists,
            error,
        },
        status,
    )
}

async fn add_choice(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require(&user, Action::ManageChoices)?;
    let Some(list) = ChoiceList::from_code(form.get("list")) else {
        return render_choices(&user, &pool, Some("一覧の指定が正しくありません".into())).await;
    };
    let value = form.get("value").to_string();
    let actor = user.actor.clone();
    let added = run_use_case(&pool, move |conn| {
        app::settings::add_choice(conn, &actor, list, &value)
    })
    .await?;
    if let Err(message) = added {
        return render_choices(&user, &pool, Some(message)).await;
    }
    Ok(see_other("/choices"))
}

async fn toggle_choice(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<ChoiceId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let active = form.get("active") == "1";
    let actor = user.actor.clone();
    run_use_case(&pool, move |conn| {
        app::settings::set_choice_active(conn, &actor, id, active)
    })
    .await?;
    Ok(see_other("/choices"))
}

async fn set_user_active(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<UserId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let active = form.get("active") == "1";
    let actor = user.actor.clone();
    run_use_case(&pool, move |conn| {
        app::settings::set_user_active(conn, &actor, id, active)
    })
    .await?
    .map_err(AppError::Conflict)?;
    Ok(see_other("/admin/users"))
}

async fn unlock(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let key = form.get("key").to_string();
    let actor = user.actor.clone();
    run_use_case(&pool, move |conn| app::settings::unlock(conn, &actor, &key)).await?;
    Ok(see_other("/admin/users"))
}
