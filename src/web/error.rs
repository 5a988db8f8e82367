//! One error type for every handler; the user sees a clear Japanese message
//! while the cause goes to the log.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::db::DbError;
use crate::domain::permission::Denial;

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Conflict(m) => AppError::Conflict(m),
            other => AppError::Db(other),
        }
    }
}

impl From<Denial> for AppError {
    fn from(d: Denial) -> Self {
        match d {
            Denial::NotFound => AppError::NotFound,
            Denial::Forbidden => AppError::Forbidden(d.to_string()),
            Denial::Workflow(e) => AppError::Conflict(e.to_string()),
        }
    }
}

/// Percent-encodes a value for a query string.
pub fn encode_query(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("ページが見つかりません")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("ログインしてください")]
    LoginRequired { next: String, expired: bool },
    /// The user logged in with a one-time password: 「パスワードの変更」 first.
    #[error("新しいパスワードを設定してください")]
    PasswordChangeRequired,
    /// No account exists yet: only the setup address works.
    #[error("初期設定がまだ済んでいません。サーバーを起動したときに表示された設定用アドレス（/setup?token=…）を開いて、最初の管理者を作成してください")]
    SetupPending,
    #[error("フォームの有効期限が切れたか、正しくない送信です。ページを開き直してからもう一度操作してください")]
    Csrf,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    /// Refused for now: a cap is reached (429).
    #[error("{0}")]
    TooMany(String),
    #[error("データベースの処理に失敗しました")]
    Db(DbError),
    #[error("内部エラーが発生しました")]
    Internal(String),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    nav: Option<super::Nav>,
    status: u16,
    message: &'a str,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::LoginRequired { .. } | AppError::PasswordChangeRequired => {
                StatusCode::SEE_OTHER
            }
            AppError::SetupPending => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Csrf | AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::LoginRequired { next, expired } = self {
            let mut location = format!("/login?next={}", encode_query(next));
            if *expired {
                location.push_str("&expired=1");
            }
            return HttpResponse::SeeOther()
                .insert_header(("Location", location))
                .finish();
        }
        if let AppError::PasswordChangeRequired = self {
            return HttpResponse::SeeOther()
                .insert_header(("Location", "/account/password"))
                .finish();
        }
        match self {
            AppError::Db(e) => tracing::error!("database: {e}"),
            AppError::Internal(e) => tracing::error!("internal: {e}"),
            _ => {}
        }
        let status = self.status_code();
        let message = self.to_string();
        let page = ErrorPage {
            nav: None,
            status: status.as_u16(),
            message: &message,
        };
        let body = page
            .render()
            .unwrap_or_else(|_| format!("{} {}", status.as_u16(), message));
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body)
    }
}

/// Renders a template as a 200 page.
pub fn page(template: &impl Template) -> Result<HttpResponse, AppError> {
    page_with_status(template, StatusCode::OK)
}

/// Renders a template with another status: a form re-shown after a refusal
/// (422, 409, 400) still carries everything typed.
pub fn page_with_status(
    template: &impl Template,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let body = template
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}
