//! The HTTP layer: routes, handlers per concept, errors, security headers.
//! Handlers translate requests into domain and `db` calls and render templates.

mod assets;
mod error;
mod reports;
mod sheets;

use std::net::TcpListener;

use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, Logger};
use actix_web::{web, App, HttpResponse, HttpServer};

pub use error::AppError;

use crate::config::Config;
use crate::db::{DbConnection, DbError, DbPool};

/// Content-Security-Policy: nothing from outside, no inline script.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn run(listener: TcpListener, pool: DbPool, config: &Config) -> std::io::Result<Server> {
    let key = match &config.session_key {
        Some(bytes) => Key::derive_from(bytes),
        None => Key::generate(),
    };
    let cookie_secure = config.cookie_secure;
    let pool = web::Data::new(pool);
    let print = web::Data::new(reports::PrintSettings::new(
        config.chromium.clone(),
        listener.local_addr()?,
    ));
    let server = HttpServer::new(move || {
        App::new()
            .wrap(
                SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
                    .cookie_name("hyoka_session".into())
                    .cookie_secure(cookie_secure)
                    .cookie_http_only(true)
                    .cookie_same_site(SameSite::Lax)
                    .cookie_content_security(CookieContentSecurity::Private)
                    .session_lifecycle(PersistentSession::default())
                    .build(),
            )
            .wrap(
                DefaultHeaders::new()
                    .add(("Content-Security-Policy", CSP))
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "same-origin"))
                    .add(("X-Frame-Options", "DENY")),
            )
            .wrap(Logger::new("%r %s %Dms"))
            .app_data(pool.clone())
            .app_data(print.clone())
            .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
            .app_data(web::QueryConfig::default().error_handler(|_, _| {
                AppError::BadRequest("URL の指定が正しくありません".into()).into()
            }))
            .route("/", web::get().to(home))
            .configure(sheets::routes)
            .configure(reports::routes)
            .route("/static/{file:.*}", web::get().to(assets::serve))
            .default_service(web::to(not_found))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

async fn home() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", "/sheets"))
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
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(DbError::from)?;
        f(&mut conn)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(AppError::from)
}
