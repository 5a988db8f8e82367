//! Cross-site request forgery: a synchronizer token kept in the session and
//! checked on every state-changing form, plus the Origin/Referer check that
//! `web::run` applies to every POST.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt, SessionInsertError};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use subtle::ConstantTimeEq;

use super::form::{field, PostedForm};
use super::AppError;

const CSRF: &str = "csrf";

fn new_token() -> String {
    crate::password::random_password(32)
}

/// The session's CSRF token, made on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF) {
        return token;
    }
    let token = new_token();
    let _ = session.insert(CSRF, &token);
    token
}

/// Replaces the session's token (at login, so a token seen before is void).
pub fn renew_token(session: &Session) -> Result<(), SessionInsertError> {
    session.insert(CSRF, new_token())
}

/// The session's token as it stands, without making one.
pub fn session_token(session: &Session) -> Option<String> {
    session.get::<String>(CSRF).ok().flatten()
}

/// True when `posted` is `token`. Compared in constant time so the answer's
/// timing tells nothing about how much of a guess was right.
pub fn token_matches(token: &str, posted: &str) -> bool {
    token.as_bytes().ct_eq(posted.as_bytes()).into()
}

/// True when `posted` is the session's token.
pub fn csrf_matches(session: &Session, posted: &str) -> bool {
    session_token(session).is_some_and(|token| token_matches(&token, posted))
}

/// True when the posted `csrf_token` is the session's.
pub fn csrf_posted(session: &Session, pairs: &[(String, String)]) -> bool {
    csrf_matches(session, field(pairs, "csrf_token"))
}

/// A posted form whose CSRF token has been checked against the session.
pub struct CsrfForm(pub Vec<(String, String)>);

impl CsrfForm {
    pub fn get(&self, name: &str) -> &str {
        field(&self.0, name)
    }
}

impl FromRequest for CsrfForm {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let form = PostedForm::from_request(req, payload);
        let session = req.get_session();
        Box::pin(async move {
            let form = form.await?;
            if let Some(message) = form.refusal() {
                return Err(AppError::BadRequest(message.into()));
            }
            if !csrf_posted(&session, &form.pairs) {
                return Err(AppError::Csrf);
            }
            Ok(CsrfForm(form.pairs))
        })
    }
}

/// A POST must come from our own pages: its Origin (or, without one, its
/// Referer) must name this host. A request with neither is let through to the
/// CSRF token check.
pub fn same_origin(req: &HttpRequest) -> bool {
    let host = req.connection_info().host().to_string();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let source = header("origin")
        .filter(|o| o != "null")
        .or_else(|| header("referer"));
    match source {
        None => true,
        Some(url) => url
            .split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or("") == host)
            .unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use actix_session::SessionExt;
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn token_matches_only_itself() {
        let req = TestRequest::default().to_http_request();
        let session = req.get_session();
        assert!(!csrf_matches(&session, ""), "no token yet");
        let token = csrf_token(&session);
        assert_eq!(csrf_token(&session), token, "made once, then kept");
        assert!(csrf_matches(&session, &token));
        assert!(!csrf_matches(&session, &token[..token.len() - 1]));
        assert!(!csrf_matches(&session, &format!("{token}x")));
        assert!(!csrf_matches(&session, ""));
        renew_token(&session).unwrap();
        assert!(!csrf_matches(&session, &token), "renewed at login");
    }
}
