//! Logging in and out: the login page, the throttled password check, and the
//! `next` page to return to.

use std::sync::OnceLock;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use tokio::sync::Semaphore;

use super::csrf::{csrf_token, CsrfForm};
use super::error::page;
use super::{see_other, session, with_conn, AppError};
use crate::app::{self, login::Attempt, login::Begun, login::LoginOutcome};
use crate::config::Config;
use crate::db::DbPool;
use crate::domain::text::LOGIN_MAX;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(login_form))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout));
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    nav: Option<super::Nav>,
    csrf: String,
    login: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    expired: Option<u8>,
    /// Set when what was being typed was kept (see `web::draft`).
    kept: Option<u8>,
}

/// Where to go after logging in: only a path on this site, else the home page.
/// The value ends up in the `Location` header, so it must be a path that
/// starts with exactly one `/` and holds only visible ASCII without a
/// backslash. A browser drops tabs and line breaks from a URL and reads `\`
/// as `/`, so `/<tab>/evil.example/` or `/\evil.example/` would take it to
/// `//evil.example/` (another site); a line break or a non-ASCII character
/// makes the header invalid. Paths this app makes are percent-encoded, so
/// they always pass.
fn safe_next(next: &str) -> String {
    let visible = next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if visible && next.starts_with('/') && !next.starts_with("//") {
        next.to_string()
    } else {
        "/".to_string()
    }
}

pub async fn login_form(
    session: Session,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = query.expired.map(|_| {
        let kept = match query.kept {
            Some(_) => "入力中の内容は保存されています。",
            None => "",
        };
        format!("セッションの有効期限が切れました。もう一度ログインしてください。{kept}")
    });
    page(&LoginPage {
        nav: None,
        csrf: csrf_token(&session),
        login: String::new(),
        next: safe_next(query.next.as_deref().unwrap_or("/")),
        error: None,
        notice,
    })
}

/// The login page again, with what was typed (never the password) and why.
fn login_again(
    session: &Session,
    login: &str,
    next: &str,
    status: StatusCode,
    error: &str,
) -> Result<HttpResponse, AppError> {
    let mut response = page(&LoginPage {
        nav: None,
        csrf: csrf_token(session),
        login: login.to_string(),
        next: next.to_string(),
        error: Some(error.to_string()),
        notice: None,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn login(
    req: HttpRequest,
    session: Session,
    pool: web::Data<DbPool>,
    settings: web::Data<Config>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let login = form.get("login").trim().to_string();
    let password = form.get("password").to_string();
    let next = safe_next(form.get("next"));
    let again = |status, error| login_again(&session, &login, &next, status, error);
    if login.is_empty() || password.is_empty() {
        return again(
            StatusCode::UNAUTHORIZED,
            "ログインIDとパスワードを入力してください",
        );
    }
    if login.chars().count() > LOGIN_MAX {
        // No account has such an id; refused before any query, and not
        // echoed back into the page.
        return login_again(
            &session,
            "",
            &next,
            StatusCode::UNAUTHORIZED,
            "ログインIDまたはパスワードが正しくありません",
        );
    }
    let attempt = Attempt {
        address: super::client::client_address(&req, &settings.trusted_proxies),
        login: login.clone(),
    };
    let window = chrono::Duration::from_std(settings.login_address_window)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let now = settings.clock.now();
    let (attempt, begun) = with_conn(&pool, move |conn| {
        let begun = app::login::begin(conn, &attempt, window, now)?;
        Ok((attempt, begun))
    })
    .await?;
    let Begun::Admitted { user } = begun else {
        return again(
            StatusCode::TOO_MANY_REQUESTS,
            "ログインの失敗が続いたため、一時的にログインできません。しばらく待つか、管理者に解除を依頼してください",
        );
    };
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let ok = verify_password(password, stored).await?;
    let outcome = with_conn(&pool, move |conn| {
        app::login::finish(conn, &attempt, user, ok)
    })
    .await?;
    let LoginOutcome::LoggedIn(user) = outcome else {
        return again(
            StatusCode::UNAUTHORIZED,
            "ログインIDまたはパスワードが正しくありません",
        );
    };
    session::start(&req, &session, user.id)?;
    Ok(see_other(&next))
}

pub async fn logout(session: Session, _form: CsrfForm) -> HttpResponse {
    session::end(&session);
    see_other("/login")
}

/// Bounds how many argon2 hashes run at once: each takes ~19 MiB and a core.
fn hashing_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| Semaphore::new(2))
}

/// Checks a password off the async threads; `stored` None (an unknown login
/// id) costs the same argon2 work, see `password::check_login`.
pub(super) async fn verify_password(
    password: String,
    stored: Option<String>,
) -> Result<bool, AppError> {
    let _permit = hashing_slots()
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    actix_web::rt::task::spawn_blocking(move || {
        crate::password::check_login(&password, stored.as_deref())
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn paths_on_this_site_are_kept() {
        for path in [
            "/",
            "/sheets",
            "/sheets/12/edit?draft=abc-123",
            "/reports/2025?view=list&x=%2F%2F",
            "/%09/evil.example/",
            "/login?next=%2F%2Fevil.example",
        ] {
            assert_eq!(safe_next(path), path);
        }
    }

    #[test]
    fn anything_that_could_leave_the_site_or_break_the_header_goes_home() {
        for next in [
            "",
            "sheets",
            "https://evil.example/",
            "//evil.example/",
            "///evil.example/",
            "/\\evil.example/",
            "\\/evil.example/",
            "/\\/evil.example/",
            "/\t/evil.example/",
            "\t//evil.example/",
            "/\n/evil.example/",
            "/\r\n/evil.example/",
            "/sheets\r\nSet-Cookie: a=b",
            "/\u{0}",
            "/\u{1b}x",
            "/\u{7f}",
            "/ /evil.example/",
            "/シート",
            "/\u{3000}/evil.example/",
        ] {
            assert_eq!(safe_next(next), "/", "{next:?}");
        }
    }
}
