//! HQ's settings (reporting rounds, dropdown choices) and the administrator's
//! user management (accounts, login locks).

use actix_web::{web, HttpResponse};
use askama::Template;

use super::{csrf::CsrfForm, see_other};
use actix_web::http::StatusCode;

use super::error::{page, page_with_status};
use super::{with_conn, AppError, CurrentUser, Nav};
use crate::db::{self, DbPool};
use crate::domain::fiscal_year::era_name;
use crate::domain::permission::{authorize, Action, Role};
use crate::domain::round::RoundKind;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/rounds", web::get().to(rounds))
        .route("/rounds/open", web::post().to(open_round))
        .route("/rounds/{id}/close", web::post().to(close_round))
        .route("/choices", web::get().to(choices))
        .route("/choices/add", web::post().to(add_choice))
        .route("/choices/{id}/toggle", web::post().to(toggle_choice))
        .route("/admin/users", web::get().to(users))
        .route("/admin/users/{id}/active", web::post().to(set_user_active))
        .route("/admin/unlock", web::post().to(unlock));
}

fn require(user: &CurrentUser, action: Action) -> Result<(), AppError> {
    authorize(&user.actor, action, None)?;
    Ok(())
}

fn audit(
    conn: &mut db::DbConnection,
    user: &CurrentUser,
    action: &str,
    detail: String,
) -> Result<(), db::DbError> {
    db::audit::record(
        conn,
        db::audit::Entry {
            user_id: Some(user.actor.user_id),
            actor: &user.actor.login,
            action,
            sheet_id: None,
            from_status: None,
            to_status: None,
            detail,
        },
    )
}

struct RoundView {
    id: Option<i32>,
    year: i32,
    year_label: String,
    kind: &'static str,
    kind_code: &'static str,
    open: bool,
    deadline: String,
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
    for year in (plan.first_year..=plan.last_year).rev() {
        for kind in RoundKind::ALL {
            let row = rows
                .iter()
                .find(|r| r.fiscal_year == year && r.kind() == Some(kind));
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
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require(&user, Action::ManageRounds)?;
    let Ok(year) = form.get("year").parse::<i32>() else {
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
    let u = user.clone();
    with_conn(&pool, move |conn| {
        db::write_tx(conn, |conn| {
            let plan = db::plan::list(conn)?
                .into_iter()
                .next()
                .ok_or_else(|| db::DbError::Conflict("プランがありません".into()))?;
            if year < plan.first_year || year > plan.last_year {
                return Err(db::DbError::Conflict("プランの期間外の年度です".into()));
            }
            db::round::open(conn, plan.id, year, kind, deadline)?;
            // A new year starts from last year's sheets (only those missing).
            if kind == RoundKind::FirstHalf {
                db::sheet::carry_forward_year(conn, plan.id, year - 1, &u.actor.login)?;
            }
            audit(
                conn,
                &u,
                "round_open",
                format!(
                    "{}{}を開始（締切 {}）",
                    era_name(year),
                    kind.label(),
                    deadline.map_or("なし".into(), |d| d.to_string())
                ),
            )
        })
    })
    .await?;
    Ok(see_other("/rounds"))
}

async fn close_round(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<i32>,
    _form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require(&user, Action::ManageRounds)?;
    let id = path.into_inner();
    let u = user.clone();
    let found = with_conn(&pool, move |conn| {
        db::write_tx(conn, |conn| {
            let Some(round) = db::round::find(conn, id)? else {
                return Ok(false);
            };
            db::round::close(conn, id)?;
            let label = round.kind().map_or("", |k| k.label());
            audit(
                conn,
                &u,
                "round_close",
                format!("{}{}を終了", era_name(round.fiscal_year), label),
            )?;
            Ok(true)
        })
    })
    .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/rounds"))
}

struct ChoiceList {
    code: &'static str,
    name: &'static str,
    items: Vec<db::choice::ChoiceRow>,
}

#[derive(Template)]
#[template(path = "admin/choices.html")]
struct ChoicesPage {
    nav: Option<Nav>,
    csrf: String,
    lists: Vec<ChoiceList>,
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
    let lists = db::choice::LISTS
        .iter()
        .map(|(code, name)| ChoiceList {
            code,
            name,
            items: rows.iter().filter(|r| r.list == *code).cloned().collect(),
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
    let list = form.get("list").to_string();
    let value = form.get("value").trim().to_string();
    if !db::choice::LISTS.iter().any(|(c, _)| *c == list) {
        return render_choices(&user, &pool, Some("一覧の指定が正しくありません".into())).await;
    }
    if value.is_empty() || value.chars().count() > 50 {
        return render_choices(
            &user,
            &pool,
            Some("選択肢は1〜50文字で入力してください".into()),
        )
        .await;
    }
    let u = user.clone();
    with_conn(&pool, move |conn| {
        db::write_tx(conn, |conn| {
            db::choice::add(conn, &list, &value)?;
            audit(conn, &u, "choice_add", format!("{list}: {value}"))
        })
    })
    .await?;
    Ok(see_other("/choices"))
}

async fn toggle_choice(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<i32>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require(&user, Action::ManageChoices)?;
    let id = path.into_inner();
    let active = form.get("active") == "1";
    let u = user.clone();
    let found = with_conn(&pool, move |conn| {
        db::write_tx(conn, |conn| {
            let ok = db::choice::set_active(conn, id, active)?;
            if ok {
                audit(
                    conn,
                    &u,
                    "choice_toggle",
                    format!("選択肢 {id} を{}", if active { "有効" } else { "無効" }),
                )?;
            }
            Ok(ok)
        })
    })
    .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/choices"))
}

struct UserView {
    id: i32,
    login: String,
    name: String,
    role: &'static str,
    department: String,
    active: bool,
}

struct LockView {
    key: String,
    what: String,
    failures: i32,
    locked_until: String,
    locked: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    nav: Option<Nav>,
    csrf: String,
    users: Vec<UserView>,
    locks: Vec<LockView>,
}

async fn users(user: CurrentUser, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    require(&user, Action::ManageUsers)?;
    let (list, locks) = with_conn(&pool, |conn| {
        Ok((db::user::list(conn)?, db::throttle::list(conn)?))
    })
    .await?;
    let now = db::now();
    page(&UsersPage {
        nav: Nav::of(&user),
        csrf: user.csrf.clone(),
        users: list
            .into_iter()
            .map(|u| UserView {
                id: u.id,
                login: u.login,
                name: u.display_name,
                role: Role::from_code(&u.role).map_or("", |r| r.label()),
                department: u.department.unwrap_or_default(),
                active: u.active,
            })
            .collect(),
        locks: locks
            .into_iter()
            .map(|l| LockView {
                what: match l.key.split_once(':') {
                    Some(("login", id)) => format!("ログインID {id}"),
                    Some(("addr", a)) => format!("接続元 {a}"),
                    _ => l.key.clone(),
                },
                key: l.key,
                failures: l.failures,
                locked: l.locked_until.is_some_and(|t| t > now),
                locked_until: l
                    .locked_until
                    .map_or(String::new(), |t| t.format("%Y-%m-%d %H:%M").to_string()),
            })
            .collect(),
    })
}

async fn set_user_active(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<i32>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require(&user, Action::ManageUsers)?;
    let id = path.into_inner();
    let active = form.get("active") == "1";
    if id == user.actor.user_id && !active {
        return Err(AppError::Conflict("自分自身を無効にはできません".into()));
    }
    let u = user.clone();
    let found = with_conn(&pool, move |conn| {
        db::write_tx(conn, |conn| {
            let ok = db::user::set_active(conn, id, active)?;
            if ok {
                audit(
                    conn,
                    &u,
                    "user_active",
                    format!("利用者 {id} を{}", if active { "有効" } else { "無効" }),
                )?;
            }
            Ok(ok)
        })
    })
    .await?;
    if !found {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/admin/users"))
}

async fn unlock(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require(&user, Action::ManageUsers)?;
    let key = form.get("key").to_string();
    let u = user.clone();
    with_conn(&pool, move |conn| {
        db::write_tx(conn, |conn| {
            if db::throttle::clear(conn, &key)? {
                audit(conn, &u, "unlock", format!("ログイン制限を解除: {key}"))?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(see_other("/admin/users"))
}
