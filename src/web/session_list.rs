//! 「ログイン中の端末」: the logged-in user's own sessions, and logging out
//! every other browser (ASVS 3.3.4).

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::csrf::CsrfForm;
use super::error::page;
use super::{run_use_case, see_other, session, AppError, CurrentUser, Nav};
use crate::app;
use crate::config::Config;
use crate::db::session::Ended;
use crate::db::DbPool;
use crate::domain::fiscal_year::wareki_datetime;
use crate::domain::session::{browser_label, SessionKeyHash};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sessions", web::get().to(sessions))
        .route("/sessions/end-others", web::post().to(end_others));
}

struct SessionView {
    started: String,
    last_used: String,
    browser: String,
    user_agent: String,
    address: String,
    current: bool,
}

impl From<app::session::SessionListing> for SessionView {
    fn from(s: app::session::SessionListing) -> Self {
        Self {
            started: wareki_datetime(s.started),
            last_used: wareki_datetime(s.last_used),
            browser: browser_label(&s.user_agent),
            user_agent: s.user_agent,
            address: s.address,
            current: s.current,
        }
    }
}

#[derive(Template)]
#[template(path = "auth/sessions.html")]
struct SessionsPage {
    nav: Option<Nav>,
    csrf: String,
    sessions: Vec<SessionView>,
    others: usize,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct SessionsQuery {
    /// How many were just logged out.
    ended: Option<usize>,
}

/// The session this request belongs to: a logged-in request always has one.
fn current(session: &Session) -> Result<SessionKeyHash, AppError> {
    session::key_hash(session).ok_or_else(|| AppError::Internal("session without a row".into()))
}

async fn sessions(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    config: web::Data<Config>,
    query: web::Query<SessionsQuery>,
) -> Result<HttpResponse, AppError> {
    let current = current(&session)?;
    let actor = user.actor.clone();
    let by = Ended::now_with_idle(config.idle_timeout);
    let list = run_use_case(&pool, move |conn| {
        app::session::list_own(conn, &actor, &current, by)
    })
    .await?;
    let sessions: Vec<SessionView> = list.into_iter().map(SessionView::from).collect();
    page(&SessionsPage {
        nav: Nav::of(&user),
        csrf: user.csrf.clone(),
        others: sessions.iter().filter(|s| !s.current).count(),
        sessions,
        notice: query
            .ended
            .map(|n| format!("他の端末 {n} 件をログアウトしました。")),
    })
}

async fn end_others(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    _form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let current = current(&session)?;
    let actor = user.actor.clone();
    let ended = run_use_case(&pool, move |conn| {
        app::session::end_others(conn, &actor, &current)
    })
    .await?;
    Ok(see_other(&format!("/sessions?ended={ended}")))
}
