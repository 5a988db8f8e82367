//! The user's own password: current password, the new one twice. Changing it
//! logs out the user's other browsers.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::csrf::CsrfForm;
use super::error::page_with_status;
use super::login::verify_password;
use super::{run_use_case, see_other, session, with_conn, AppError, CurrentUser, Nav};
use crate::app;
use crate::db::{self, DbPool};
use crate::domain::permission::{authorize, Action};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/password", web::get().to(form))
        .route("/account/password", web::post().to(change));
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    nav: Option<Nav>,
    csrf: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct Done {
    ended: Option<usize>,
}

fn render(
    user: &CurrentUser,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Result<HttpResponse, AppError> {
    let page = PasswordPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        error,
        notice,
    };
    page_with_status(&page, status)
}

async fn form(user: CurrentUser, query: web::Query<Done>) -> Result<HttpResponse, AppError> {
    authorize(&user.actor, Action::ChangeOwnPassword, None)?;
    let notice = query
        .ended
        .map(|n| format!("パスワードを変更しました。他の端末 {n} 件はログアウトしました。"));
    render(&user, StatusCode::OK, None, notice)
}

async fn change(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    authorize(&user.actor, Action::ChangeOwnPassword, None)?;
    // Passwords are never shown again: a refused form comes back empty.
    let refuse = |message: &str| {
        render(
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message.into()),
            None,
        )
    };
    let (current, new) = (posted.get("current"), posted.get("new"));
    if let Some(problem) = app::account::new_password_problem(new, posted.get("again")) {
        return refuse(&problem);
    }
    let login = user.actor.login.clone();
    let stored = with_conn(&pool, move |conn| db::user::find_by_login(conn, &login)).await?;
    let stored = stored.map(|u| u.password_hash);
    if !verify_password(current.to_string(), stored).await? {
        return refuse("現在のパスワードが正しくありません");
    }
    let new = new.to_string();
    let hash = actix_web::rt::task::spawn_blocking(move || crate::password::hash(&new))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    let current = session::key_hash(&session)
        .ok_or_else(|| AppError::Internal("session without a row".into()))?;
    let actor = user.actor.clone();
    let ended = run_use_case(&pool, move |conn| {
        app::account::set_own_password(conn, &actor, &hash, &current)
    })
    .await?;
    Ok(see_other(&format!("/account/password?ended={ended}")))
}
