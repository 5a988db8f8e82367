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
        .route("/account/email", web::post().to(change_email))
        .route("/account/mail", web::post().to(set_mail));
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    nav: Option<Nav>,
    csrf: String,
    error: Option<String>,
    notice: Option<String>,
    /// A one-time password is in use: no current password asked, no other page.
    forced: bool,
    email: String,
    email_error: Option<String>,
    /// The user turned notification mail off.
    mail_opt_out: bool,
}

#[derive(Deserialize)]
struct Done {
    ended: Option<usize>,
    email: Option<u8>,
    mail: Option<String>,
}

/// What the page shows besides the password form.
#[derive(Default)]
struct Shown {
    error: Option<String>,
    notice: Option<String>,
    /// The e-mail address as typed (None: the stored one).
    email: Option<String>,
    email_error: Option<String>,
}

async fn render(
    user: &CurrentUser,
    pool: &DbPool,
    status: StatusCode,
    shown: Shown,
) -> Result<HttpResponse, AppError> {
    let id = user.actor.user_id;
    let (stored, mail_opt_out) = with_conn(pool, move |conn| db::user::mail_setting(conn, id))
        .await?
        .unwrap_or((None, false));
    let email = shown.email.unwrap_or_else(|| stored.unwrap_or_default());
    let forced = user.must_change_password;
    let page = PasswordPage {
        // The one-time password's page leads nowhere else.
        nav: if forced { None } else { Nav::of(user) },
        csrf: user.csrf.clone(),
        error: shown.error,
        notice: shown.notice,
        forced,
        email,
        email_error: shown.email_error,
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
    let notice = match (query.ended, query.email, query.mail.as_deref()) {
        (Some(n), _, _) => Some(format!(
            "パスワードを変更しました。他の端末 {n} 件はログアウトしました。"
        )),
        (None, Some(_), _) => Some("メールアドレスを変更しました。".to_string()),
        (None, None, Some("off")) => {
            Some("お知らせのメールを受け取らない設定にしました。".to_string())
        }
        (None, None, Some(_)) => Some("お知らせのメールを受け取る設定にしました。".to_string()),
        (None, None, None) => None,
    };
    let shown = Shown {
        notice,
        ..Shown::default()
    };
    render(&user, &pool, StatusCode::OK, shown).await
}

async fn change_email(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let email = posted.get("email").trim().to_string();
    let actor = user.actor.clone();
    let typed = email.clone();
    let done = run_use_case(&pool, move |conn| {
        app::account::set_own_email(conn, &actor, &typed)
    })
    .await?;
    match done {
        Ok(()) => Ok(see_other("/account/password?email=1")),
        Err(refusal) => {
            let shown = Shown {
                email: Some(email),
                email_error: Some(refusal.message),
                ..Shown::default()
            };
            render(&user, &pool, StatusCode::UNPROCESSABLE_ENTITY, shown).await
        }
    }
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
    let refuse = |message: &str| {
        let shown = Shown {
            error: Some(message.into()),
            ..Shown::default()
        };
        render(&user, &pool, StatusCode::UNPROCESSABLE_ENTITY, shown)
    };
    let (current, new) = (posted.get("current"), posted.get("new"));
    if let Some(problem) = app::account::new_password_problem(new, posted.get("again")) {
        return refuse(&problem).await;
    }
    let login = user.actor.login.clone();
    let stored = with_conn(&pool, move |conn| db::user::find_by_login(conn, &login)).await?;
    let stored = stored.map(|u| u.password_hash);
    // Just logged in with the one-time password: it is not asked again.
    if !user.must_change_password && !verify_password(current.to_string(), stored).await? {
        return refuse("現在のパスワードが正しくありません").await;
    }
    if user.must_change_password
        && verify_password(new.to_string(), stored_again(&pool, &user).await?).await?
    {
        return refuse("一時パスワードとは別のパスワードにしてください").await;
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
    if user.must_change_password {
        return Ok(see_other("/"));
    }
    Ok(see_other(&format!("/account/password?ended={ended}")))
}

async fn stored_again(pool: &DbPool, user: &CurrentUser) -> Result<Option<String>, AppError> {
    let id = user.actor.user_id;
    let row = with_conn(pool, move |conn| db::user::find(conn, id)).await?;
    Ok(row.map(|u| u.password_hash))
}
