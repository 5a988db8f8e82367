//! お知らせ: the user's own notifications, newest first. Opening one marks it
//! read and goes to its sheet.

use actix_web::{web, HttpResponse};
use askama::Template;

use super::csrf::CsrfForm;
use super::error::page;
use super::{run_use_case, see_other, AppError, CurrentUser, Nav};
use crate::db::{self, DbPool};
use crate::domain::fiscal_year::wareki_datetime;
use crate::domain::ids::NotificationId;
use crate::domain::permission::{authorize, Action};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/notifications", web::get().to(list))
        .route("/notifications/read", web::post().to(read_all))
        .route("/notifications/{id}/open", web::post().to(open));
}

/// How many the page shows.
const SHOWN: i64 = 200;

struct Item {
    id: NotificationId,
    message: String,
    at: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "notifications/list.html")]
struct ListPage {
    nav: Option<Nav>,
    csrf: String,
    items: Vec<Item>,
}

async fn list(user: CurrentUser, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    authorize(&user.actor, Action::ReadOwnNotifications, None)?;
    let me = user.actor.user_id;
    let rows = run_use_case(&pool, move |conn| {
        Ok(db::notice::for_user(conn, me, SHOWN)?)
    })
    .await?;
    let items = rows
        .into_iter()
        .map(|n| Item {
            id: n.id,
            message: n.message,
            at: wareki_datetime(n.created_at),
            unread: n.read_at.is_none(),
        })
        .collect();
    page(&ListPage {
        nav: Nav::of(&user),
        csrf: user.csrf.clone(),
        items,
    })
}

/// Marks one read and opens its sheet (another user's id is not found).
async fn open(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<NotificationId>,
    _posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    authorize(&user.actor, Action::ReadOwnNotifications, None)?;
    let (me, id) = (user.actor.user_id, path.into_inner());
    let sheet = run_use_case(&pool, move |conn| {
        Ok(db::notice::mark_read(conn, me, id, db::now())?)
    })
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(see_other(
        &sheet.map_or("/notifications".to_string(), |s| format!("/sheets/{s}")),
    ))
}

async fn read_all(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    _posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    authorize(&user.actor, Action::ReadOwnNotifications, None)?;
    let me = user.actor.user_id;
    run_use_case(&pool, move |conn| {
        Ok(db::notice::mark_all_read(conn, me, db::now())?)
    })
    .await?;
    Ok(see_other("/notifications"))
}
