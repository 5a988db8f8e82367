//! The access log: one line per request through `tracing` (target
//! `hyoka::access`, level info): method, path without the query string,
//! status, milliseconds, and the logged-in user's id (`-` for none). The query
//! string and bodies are never logged: they may carry a search, a pass or a
//! password.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpRequest};

use crate::domain::ids::UserId;

/// Who made the request, noted by the session once it has checked the login.
#[derive(Debug, Clone, Copy)]
struct LoggedIn(UserId);

/// Notes the logged-in user of `req` for its access-log line.
pub fn note_user(req: &HttpRequest, user: UserId) {
    req.extensions_mut().insert(LoggedIn(user));
}

/// The middleware (`middleware::from_fn`): outermost, so it sees the status
/// the client gets, refusals by other middleware included.
pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_string();
    let result = next.call(req).await;
    let (status, user) = match &result {
        Ok(res) => (
            res.status(),
            res.request().extensions().get::<LoggedIn>().map(|u| u.0),
        ),
        Err(e) => (e.as_response_error().status_code(), None),
    };
    tracing::info!(
        target: "hyoka::access",
        method = %method,
        path = %path,
        status = status.as_u16(),
        ms = started.elapsed().as_millis() as u64,
        user = %user.map_or("-".to_string(), |u| u.to_string()),
    );
    result
}
