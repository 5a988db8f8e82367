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
        .route("/account/password", web::post().to(change))
        .route("/account/mail", web::post().to(set_mail));
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    nav: Option<Nav>,
    csrf: String,
    error: Option<String>,
    notice: Option<String>,
    /// The address mail goes to (None: no mail), and the user's opt-out.
    email: Option<String>,
    mail_opt_out: bool,
}

#[derive(Deserialize)]
struct Done {
    ended: Option<usize>,
    mail: Option<String>,
}

async fn render(
    pool: &DbPool,
    user: &CurrentUser,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Result<HttpResponse, AppError> {
    let me = user.actor.user_id;
    let (email, mail_opt_out) = with_conn(pool, move |conn| db::user::mail_setting(conn, me))
        .await?
        .unwrap_or((None, false));
    let page = PasswordPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        error,
        notice,
        email: email.filter(|e| !e.trim().is_empty()),
        mail_opt_out,
    };
    page_with_status(&page, status)
}

async fn form(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    authorize(&user.actor, Action::ChangeOwnPassword, None)?;
    let notice = match (&query.ended, query.mail.as_deref()) {
        (Some(n), _) => Some(format!(
            "パスワードを変更しました。他の端末 {n} 件はログアウトしました。"
        )),
        (None, Some("off")) => Some("お知らせのメールを受け取らない設定にしました。".into()),
        (None, Some(_)) => Some("お知らせのメールを受け取る設定にしました。".into()),
        (None, None) => None,
    };
    render(&pool, &user, StatusCode::OK, None, notice).await
}

/// The user's own mail setting: the box ticked means no mail.
async fn set_mail(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let off = posted.get("mail_opt_out") == "1";
    let actor = user.actor.clone();
    run_use_case(&pool, move |conn| {
        app::account::set_mail_opt_out(conn, &actor, off)
    })
    .await?;
    let done = if off { "off" } else { "on" };
    Ok(see_other(&format!("/account/password?mail={done}")))
}

async fn change(
    user: CurrentUser,
    session: Session,
    pool: web::Data<DbPool>,
    posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    authorize(&user.actor, Action::ChangeOwnPassword, None)?;
    // Passwords are never shown again: a refused form comes back empty.
    let refuse = |message: String| {
        render(
            &pool,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
            None,
        )
    };
    let (current, new) = (posted.get("current"), posted.get("new"));
    if let Some(problem) = app::account::new_password_problem(new, posted.get("again")) {
        return refuse(problem).await;
    }
    let login = user.actor.login.clone();
    let stored = with_conn(&pool, move |conn| db::user::find_by_login(conn, &login)).await?;
    let stored = stored.map(|u| u.password_hash);
    if !verify_password(current.to_string(), stored).await? {
        return refuse("現在のパスワードが正しくありません".into()).await;
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
