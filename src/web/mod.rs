//! The HTTP layer: routes, handlers per concept, errors, security headers.
//! Handlers translate requests into domain and `db` calls and render templates.

mod access_log;
mod account;
mod accounts;
mod admin;
mod area_opinions;
mod assets;
mod client;
mod comments;
mod csrf;
mod departments;
mod draft;
mod edit;
mod error;
mod form;
mod health;
mod history;
mod home;
mod indicators;
mod login;
mod notifications;
mod opinions;
mod outbox;
mod page_cache;
mod plan;
mod plan_book;
mod print_pass;
mod reports;
mod session;
mod session_list;
mod session_store;
mod setup;
mod sheet_book;
mod sheet_form;
mod sheets;
mod upload;

use std::net::TcpListener;

use actix_session::config::BrowserSession;
use actix_session::SessionMiddleware;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::http::Method;
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::{web, App, HttpResponse, HttpServer};

pub use client::parse_trusted as parse_trusted_proxies;
pub use error::AppError;
pub use session::CurrentUser;
pub use setup::new_token as new_setup_token;

use crate::app::UseCaseError;
use crate::config::Config;
use crate::db::{self, DbConnection, DbError, DbPool};
use crate::domain::permission::Role;

/// Content-Security-Policy: nothing from outside, no inline script.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `setup_token`: the database holds no account yet; only `/setup?token=…` works.
pub fn run(
    listener: TcpListener,
    pool: DbPool,
    config: &Config,
    setup_token: Option<String>,
) -> std::io::Result<Server> {
    let gate = web::Data::new(setup::SetupGate::new(setup_token));
    let key = match &config.session_key {
        Some(bytes) => Key::derive_from(bytes),
        None => Key::generate(),
    };
    let cookie_secure = config.cookie_secure;
    // Sessions live in the database; the cookie carries an id only.
    let idle_timeout = config.idle_timeout;
    let reads = page_cache::Reads::new(
        pool.clone(),
        db::inline_reads(&config.database).map_err(std::io::Error::other)?,
    );
    let store_reads = reads.clone();
    let sessions = move || session_store::DbSessionStore::new(store_reads.clone(), idle_timeout);
    let reads = web::Data::new(reads);
    let sheet_pages = web::Data::new(page_cache::PageCache::default());
    let pool = web::Data::new(pool);
    let settings = web::Data::new(config.clone());
    let print = web::Data::new(print_pass::PrintSettings::new(
        config.chromium.clone(),
        listener.local_addr()?,
        config.pdf_per_user,
    ));
    let uploads = web::Data::new(upload::Pending::default());
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(setup::gate))
            .wrap_fn(|req, srv| {
                use actix_web::dev::Service;
                let refused = req.method() == Method::POST && !csrf::same_origin(req.request());
                let call = (!refused).then(|| srv.call(req));
                async move {
                    match call {
                        Some(f) => f.await,
                        None => Err(AppError::Forbidden(
                            "別のサイトからの送信は受け付けません".into(),
                        )
                        .into()),
                    }
                }
            })
            .wrap(
                SessionMiddleware::builder(sessions(), key.clone())
                    .cookie_name("hyoka_session".into())
                    .cookie_secure(cookie_secure)
                    .cookie_http_only(true)
                    .cookie_same_site(SameSite::Lax)
                    .session_lifecycle(BrowserSession::default())
                    .build(),
            )
            .wrap(
                // A header the handler set wins: only the static assets set
                // their own Cache-Control (see `assets`); every other answer
                // may hold official data and stays out of shared browsers' caches.
                DefaultHeaders::new()
                    .add(("Cache-Control", "no-store"))
                    .add(("Content-Security-Policy", CSP))
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "same-origin"))
                    .add(("X-Frame-Options", "DENY")),
            )
            .wrap(from_fn(access_log::log_request))
            .app_data(pool.clone())
            .app_data(settings.clone())
            .app_data(web::FormConfig::default().limit(form::FORM_LIMIT))
            .app_data(web::PayloadConfig::new(form::FORM_LIMIT + 1))
            .app_data(print.clone())
            .app_data(gate.clone())
            .app_data(uploads.clone())
            .app_data(reads.clone())
            .app_data(sheet_pages.clone())
            .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
            .app_data(web::QueryConfig::default().error_handler(|_, _| {
                AppError::BadRequest("URL の指定が正しくありません".into()).into()
            }))
            .configure(routes)
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// Every route of the app, in one table that tests can mount too.
fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::home))
        .configure(setup::routes)
        .configure(login::routes)
        .configure(session_list::routes)
        .configure(sheets::routes)
        .configure(edit::routes)
        .configure(account::routes)
        .configure(admin::routes)
        .configure(accounts::routes)
        .configure(departments::routes)
        .configure(plan::routes)
        .configure(history::routes)
        .configure(comments::routes)
        .configure(notifications::routes)
        .configure(opinions::routes)
        .configure(area_opinions::routes)
        .configure(outbox::routes)
        .configure(reports::routes)
        .configure(plan_book::routes)
        .configure(sheet_book::routes)
        .configure(indicators::routes)
        .configure(assets::routes)
        .configure(health::routes)
        .default_service(web::to(not_found));
}

/// A management page (accounts, departments, the plan): anyone the table
/// does not allow gets "not found", as for another department's sheet.
pub fn require_page(
    user: &CurrentUser,
    action: crate::domain::permission::Action,
) -> Result<(), AppError> {
    crate::domain::permission::authorize(&user.actor, action, None)
        .map(|_| ())
        .map_err(|_| AppError::NotFound)
}

/// Answers 303 See Other: after every successful form post (post/redirect/get).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Runs blocking database work off the async threads.
pub async fn with_conn<T, F>(pool: &DbPool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    T: Send + 'static,
{
    run_use_case(pool, move |conn| f(conn).map_err(UseCaseError::from)).await
}

/// Runs a use case (which may refuse with a permission error) off the async threads.
pub async fn run_use_case<T, F>(pool: &DbPool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, UseCaseError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(DbError::from)?;
        f(&mut conn)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| match e {
        UseCaseError::Denied(d) => d.into(),
        UseCaseError::Db(d) => d.into(),
    })
}

/// The header of every page: who is logged in, and the logout form's token.
pub struct Nav {
    pub name: String,
    pub role: &'static str,
    pub csrf: String,
    pub hq: bool,
    pub admin: bool,
    /// Unread お知らせ.
    pub unread: i64,
}

impl Nav {
    pub fn of(user: &CurrentUser) -> Option<Nav> {
        Some(Nav {
            name: user.actor.display_name.clone(),
            role: user.actor.role.label(),
            csrf: user.csrf.clone(),
            hq: user.actor.role == Role::Hq,
            admin: user.actor.role == Role::Admin,
            unread: user.unread,
        })
    }
}
