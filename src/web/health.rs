//! Liveness and readiness for monitoring (and the benchmark's bare route).

use actix_web::{web, HttpResponse};

use super::{with_conn, AppError};
use crate::db::{self, DbPool};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz));
}

/// The process answers: no session, no database.
async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok\n")
}

/// The database answers too: one round trip through the pool.
async fn readyz(pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    match with_conn(&pool, db::ping).await {
        Ok(()) => Ok(HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("ok\n")),
        Err(e) => {
            tracing::warn!("readiness check failed: {e:?}");
            Ok(HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("データベースに接続できません\n"))
        }
    }
}
