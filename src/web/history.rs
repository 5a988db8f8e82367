//! The administration history: who changed accounts, departments, the plan,
//! rounds and choices, when, and what it was before and after.

use actix_web::{web, HttpResponse};
use askama::Template;

use super::error::page;
use super::{require_page, with_conn, AppError, CurrentUser, Nav};
use crate::db::{self, DbPool};
use crate::domain::audit::actor_label;
use crate::domain::fiscal_year::wareki_datetime;
use crate::domain::permission::Action;

/// The newest entries shown.
const SHOWN: i64 = 500;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/history", web::get().to(history));
}

struct EntryView {
    at: String,
    actor: String,
    action: &'static str,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/history.html")]
struct HistoryPage {
    nav: Option<Nav>,
    entries: Vec<EntryView>,
    shown: i64,
}

async fn history(user: CurrentUser, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ViewAdminHistory)?;
    let rows = with_conn(&pool, |conn| db::audit::administration(conn, SHOWN)).await?;
    page(&HistoryPage {
        nav: Nav::of(&user),
        entries: rows
            .into_iter()
            .map(|e| EntryView {
                at: wareki_datetime(e.at),
                actor: actor_label(&e.actor).to_string(),
                action: e.action.label(),
                detail: e.detail,
            })
            .collect(),
        shown: SHOWN,
    })
}
