//! First run: while the database holds no account, every page answers with
//! a short notice, and only the one-time setup address printed at start
//! (`/setup?token=…`) works. It creates the first administrator.

use std::sync::Mutex;

use actix_session::Session;
use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::csrf::{csrf_token, token_matches, CsrfForm};
use super::error::page_with_status;
use super::{run_use_case, see_other, session, with_conn, AppError};
use crate::app::account::AccountInput;
use crate::app::{self, Refusal};
use crate::db::{self, DbPool};
use crate::domain::permission::Role;

/// The setup token while no account exists; None once one does.
pub struct SetupGate {
    token: Mutex<Option<String>>,
}

impl SetupGate {
    pub fn new(token: Option<String>) -> Self {
        Self {
            token: Mutex::new(token),
        }
    }

    fn pending(&self) -> Option<String> {
        self.token.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn close(&self) {
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// A fresh token for the setup address (each start makes a new one).
pub fn new_token() -> String {
    crate::password::random_password(32)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/setup", web::get().to(form))
        .route("/setup", web::post().to(create));
}

/// Middleware: while setup is pending, everything but the setup page and the
/// static files answers with the notice. An account made meanwhile on the
/// command line ends the pending state too.
pub async fn gate(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let gate = req.app_data::<web::Data<SetupGate>>().cloned();
    let pool = req.app_data::<web::Data<DbPool>>().cloned();
    if let (Some(gate), Some(pool)) = (gate, pool) {
        let path = req.path();
        // Monitoring asks before anyone has set the city up.
        let open_anyway =
            matches!(path, "/setup" | "/healthz" | "/readyz") || path.starts_with("/static/");
        if gate.pending().is_some() && !open_anyway {
            let users = with_conn(&pool, db::user::count).await?;
            if users == 0 {
                return Err(AppError::SetupPending.into());
            }
            gate.close();
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    nav: Option<super::Nav>,
    csrf: String,
    token: String,
    login: String,
    name: String,
    email: String,
    refusal: Option<Refusal>,
}

impl SetupPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.refusal
            .as_ref()
            .filter(|r| r.field == field)
            .map(|r| r.message.as_str())
    }
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// The token must be the one printed at this start; otherwise the page does
/// not exist (nothing tells a visitor that setup is pending).
fn check_token(gate: &SetupGate, posted: &str) -> Result<String, AppError> {
    match gate.pending() {
        Some(token) if token_matches(&token, posted) => Ok(token),
        _ => Err(AppError::NotFound),
    }
}

async fn form(
    session: Session,
    gate: web::Data<SetupGate>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let token = check_token(&gate, query.token.as_deref().unwrap_or(""))?;
    let page = SetupPage {
        nav: None,
        csrf: csrf_token(&session),
        token,
        login: String::new(),
        name: String::new(),
        email: String::new(),
        refusal: None,
    };
    page_with_status(&page, StatusCode::OK)
}

async fn create(
    req: HttpRequest,
    session: Session,
    gate: web::Data<SetupGate>,
    pool: web::Data<DbPool>,
    posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let token = check_token(&gate, posted.get("token"))?;
    let input = AccountInput {
        login: posted.get("login").trim().to_string(),
        name: posted.get("name").trim().to_string(),
        role: Some(Role::Admin),
        department_id: None,
        email: posted.get("email").trim().to_string(),
    };
    let again = |refusal: Refusal| {
        let page = SetupPage {
            nav: None,
            csrf: csrf_token(&session),
            token: token.clone(),
            login: input.login.clone(),
            name: input.name.clone(),
            email: input.email.clone(),
            refusal: Some(refusal),
        };
        page_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let password = posted.get("password").to_string();
    if let Some(problem) = app::account::new_password_problem(&password, posted.get("again")) {
        return again(Refusal {
            field: "password",
            message: problem,
        });
    }
    let hash = actix_web::rt::task::spawn_blocking(move || crate::password::hash(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    let made = input.clone();
    let created = run_use_case(&pool, move |conn| {
        app::account::create_first_admin(conn, &made, &hash)
    })
    .await?;
    let id = match created {
        Ok(id) => id,
        Err(refusal) => return again(refusal),
    };
    gate.close();
    session::start(&req, &session, id)?;
    Ok(see_other("/admin/departments"))
}
