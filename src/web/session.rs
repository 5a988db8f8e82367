//! The session: who is logged in and for how long. Handlers receive a typed
//! `CurrentUser` (or `MaybeUser`) and never read the session by hand.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use super::csrf::{csrf_token, renew_token};
use super::{with_conn, AppError};
use crate::config::Config;
use crate::db::{self, DbPool};
use crate::domain::ids::UserId;
use crate::domain::permission::Actor;
use crate::domain::session::SessionKeyHash;

// What a logged-in session holds; `session_store` keeps each of these in a
// column of its row, and everything else (the CSRF token) as JSON beside them.
pub(super) const USER_ID: &str = "uid";
pub(super) const LOGIN_AT: &str = "login_ms";
pub(super) const LAST_SEEN: &str = "seen_ms";
/// The absolute end, fixed at login.
pub(super) const EXPIRES_AT: &str = "exp_ms";
pub(super) const USER_AGENT: &str = "ua";
pub(super) const ADDRESS: &str = "addr";
/// Put in by the store when it loads a row, never saved: which row this is.
pub(super) const KEY_HASH: &str = "key_hash";

/// The pages a user holding a one-time password may open.
const ONE_TIME_PASSWORD_PATHS: &[&str] = &["/account/password", "/logout"];

/// Put in by the store when it loads a row, never saved: the account as read
/// in the same query as the session.
pub(super) const LOADED_USER: &str = "loaded_user";

/// The account of a logged-in session, as the store read it with the row.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct LoadedUser {
    id: UserId,
    login: String,
    display_name: String,
    role: String,
    department_id: Option<crate::domain::ids::DepartmentId>,
    active: bool,
    must_change_password: bool,
    /// Unread お知らせ, for the header.
    unread: i64,
}

impl From<(db::user::UserRow, i64)> for LoadedUser {
    fn from((u, unread): (db::user::UserRow, i64)) -> Self {
        Self {
            id: u.id,
            login: u.login,
            display_name: u.display_name,
            role: u.role.code().to_string(),
            department_id: u.department_id,
            active: u.active,
            must_change_password: u.must_change_password,
            unread,
        }
    }
}

impl LoadedUser {
    /// The actor, if the account is active (and its role known).
    fn actor(self) -> Option<Actor> {
        let role = crate::domain::permission::Role::from_code(&self.role)?;
        self.active.then_some(Actor {
            user_id: self.id,
            login: self.login,
            display_name: self.display_name,
            role,
            department_id: self.department_id,
        })
    }
}

/// The longest User-Agent kept for the list of sessions, in characters.
const USER_AGENT_MAX: usize = 200;

/// Milliseconds: second resolution would let a short timeout run up to a second long.
/// Milliseconds since the epoch by the app's clock (a test moves it instead
/// of sleeping past a timeout).
fn now_ts(config: &Config) -> i64 {
    let now = config.clock.now();
    now.and_local_timezone(chrono::Local)
        .earliest()
        .map_or_else(
            || now.and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
}

/// The logged-in user, with the session's CSRF token. Extracting it from a
/// request without a live session answers with a redirect to the login page.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub actor: Actor,
    pub csrf: String,
    /// Logged in with a one-time password an administrator issued.
    pub must_change_password: bool,
    /// Unread お知らせ, for the header.
    pub unread: i64,
}

/// The logged-in user if there is one; `expired` tells a session that timed out.
pub struct MaybeUser {
    pub user: Option<CurrentUser>,
    pub expired: bool,
}

impl MaybeUser {
    fn anonymous(expired: bool) -> Self {
        Self {
            user: None,
            expired,
        }
    }
}

fn app_data<T: 'static>(req: &HttpRequest) -> Result<web::Data<T>, AppError> {
    req.app_data::<web::Data<T>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(format!("{} missing", std::any::type_name::<T>())))
}

fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// True when the session has been idle too long, or is past its absolute end
/// (`HYOKA_SESSION_HOURS` after login). `db::session::delete_ended` removes
/// rows by the same rule.
fn timed_out(session: &Session, config: &Config, now: i64) -> bool {
    let seen = session.get::<i64>(LAST_SEEN).unwrap_or(None).unwrap_or(0);
    let expires = session.get::<i64>(EXPIRES_AT).unwrap_or(None).unwrap_or(0);
    now.saturating_sub(seen) > millis(config.idle_timeout) || now > expires
}

/// Whether to store that the session was used now. Every request would make
/// every page view a database write; once per tenth of the idle timeout (at
/// most every 10 s) keeps the timeout within that much of exact, erring on
/// the short side, and the list of sessions as fresh as anyone reads it.
fn seen_long_ago(session: &Session, config: &Config, now: i64) -> bool {
    let seen = session.get::<i64>(LAST_SEEN).unwrap_or(None).unwrap_or(0);
    let every = (millis(config.idle_timeout) / 10).min(10_000);
    now.saturating_sub(seen) >= every
}

/// Reads the session, enforcing the idle and absolute timeouts; an account
/// deactivated (or deleted) since login ends the session too.
async fn load(req: &HttpRequest) -> Result<MaybeUser, AppError> {
    let session = req.get_session();
    let Some(uid) = session.get::<UserId>(USER_ID).unwrap_or(None) else {
        return Ok(MaybeUser::anonymous(false));
    };
    let config = app_data::<Config>(req)?;
    let now = now_ts(&config);
    if timed_out(&session, &config, now) {
        session.purge();
        return Ok(MaybeUser::anonymous(true));
    }
    let loaded = session
        .get::<LoadedUser>(LOADED_USER)
        .unwrap_or(None)
        .filter(|u| u.id == uid);
    let loaded = match loaded {
        Some(user) => Some(user),
        None => {
            let pool = app_data::<DbPool>(req)?;
            let found = with_conn(&pool, move |conn| {
                let Some(row) = db::user::find(conn, uid)? else {
                    return Ok(None);
                };
                let unread = db::notice::unread_count(conn, uid)?;
                Ok(Some(LoadedUser::from((row, unread))))
            })
            .await?;
            found
        }
    };
    let Some(user) = loaded.filter(|u| u.active) else {
        session.purge();
        return Ok(MaybeUser::anonymous(true));
    };
    // A one-time password from an administrator: nothing but choosing a new
    // one (or logging out) until that is done.
    if user.must_change_password && !ONE_TIME_PASSWORD_PATHS.contains(&req.path()) {
        return Err(AppError::PasswordChangeRequired);
    }
    let (must_change_password, unread) = (user.must_change_password, user.unread);
    let Some(actor) = user.actor() else {
        session.purge();
        return Ok(MaybeUser::anonymous(true));
    };
    if seen_long_ago(&session, &config, now) {
        let _ = session.insert(LAST_SEEN, now);
    }
    super::access_log::note_user(req, actor.user_id);
    let csrf = csrf_token(&session);
    Ok(MaybeUser {
        user: Some(CurrentUser {
            actor,
            csrf,
            must_change_password,
            unread,
        }),
        expired: false,
    })
}

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { load(&req).await })
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let maybe = load(&req).await?;
            maybe.user.ok_or_else(|| AppError::LoginRequired {
                next: login_return_path(&req),
                expired: maybe.expired,
            })
        })
    }
}

/// Where to come back after logging in: the page asked for (GET only).
fn login_return_path(req: &HttpRequest) -> String {
    if req.method() == actix_web::http::Method::GET {
        req.uri()
            .path_and_query()
            .map_or("/".to_string(), |p| p.to_string())
    } else {
        "/".to_string()
    }
}

/// Starts a logged-in session under a new session id (so an id planted before
/// login is worthless) with a fresh CSRF token and nothing from before login.
/// The browser and address are kept for the list of the user's sessions.
pub fn start(req: &HttpRequest, session: &Session, user_id: UserId) -> Result<(), AppError> {
    let config = app_data::<Config>(req)?;
    session.renew();
    session.clear();
    let now = now_ts(&config);
    let expires = now.saturating_add(millis(config.absolute_timeout));
    session
        .insert(USER_ID, user_id)
        .and_then(|_| session.insert(LOGIN_AT, now))
        .and_then(|_| session.insert(LAST_SEEN, now))
        .and_then(|_| session.insert(EXPIRES_AT, expires))
        .and_then(|_| session.insert(USER_AGENT, user_agent(req)))
        .and_then(|_| session.insert(ADDRESS, client_address(req)))
        .and_then(|_| renew_token(session))
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The browser's User-Agent, shortened and without control characters (it
/// is only shown, never trusted).
fn user_agent(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::USER_AGENT)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(USER_AGENT_MAX)
        .collect()
}

/// The address the request came from, as the login throttle counts it.
fn client_address(req: &HttpRequest) -> String {
    let trusted =
        app_data::<Config>(req).map_or_else(|_| Vec::new(), |c| c.trusted_proxies.clone());
    super::client::client_address(req, &trusted)
}

/// Ends the session: its row is deleted and the cookie cleared.
pub fn end(session: &Session) {
    session.purge();
}

/// Which stored session this request belongs to (None when logged out).
pub fn key_hash(session: &Session) -> Option<SessionKeyHash> {
    session
        .get::<String>(KEY_HASH)
        .unwrap_or(None)
        .map(SessionKeyHash::from_stored)
}
