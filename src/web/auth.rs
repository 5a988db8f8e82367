//! Who is asking: the session, login and logout, the typed user every handler
//! receives, and the CSRF token that guards every form.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use tokio::sync::Semaphore;

use super::error::page;
use super::{with_conn, AppError};
use crate::config::Config;
use crate::db::{self, DbPool};
use crate::domain::permission::Actor;
use crate::domain::throttle::{address_key, free_failures, lock_after, login_key};

const USER_ID: &str = "uid";
const LOGIN_AT: &str = "login_ms";
const LAST_SEEN: &str = "seen_ms";
const CSRF: &str = "csrf";

/// Milliseconds: second resolution would let a short timeout run up to a second long.
fn now_ts() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The logged-in user, with the session's CSRF token. Extracting it from a
/// request without a live session answers with a redirect to the login page.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub actor: Actor,
    pub csrf: String,
}

/// The logged-in user if there is one; `expired` tells a session that timed out.
pub struct MaybeUser {
    pub user: Option<CurrentUser>,
    pub expired: bool,
}

fn config(req: &HttpRequest) -> Result<web::Data<Config>, AppError> {
    req.app_data::<web::Data<Config>>()
        .cloned()
        .ok_or_else(|| AppError::Internal("config missing".into()))
}

fn pool(req: &HttpRequest) -> Result<web::Data<DbPool>, AppError> {
    req.app_data::<web::Data<DbPool>>()
        .cloned()
        .ok_or_else(|| AppError::Internal("pool missing".into()))
}

/// Reads the session, enforcing the idle and absolute timeouts.
async fn load(req: &HttpRequest) -> Result<MaybeUser, AppError> {
    let session = req.get_session();
    let config = config(req)?;
    let uid = session.get::<i32>(USER_ID).unwrap_or(None);
    let Some(uid) = uid else {
        return Ok(MaybeUser {
            user: None,
            expired: false,
        });
    };
    let now = now_ts();
    let login_at = session.get::<i64>(LOGIN_AT).unwrap_or(None).unwrap_or(0);
    let seen = session.get::<i64>(LAST_SEEN).unwrap_or(None).unwrap_or(0);
    let idle = config.idle_timeout.as_millis() as i64;
    let absolute = config.absolute_timeout.as_millis() as i64;
    if now - seen > idle || now - login_at > absolute {
        session.purge();
        return Ok(MaybeUser {
            user: None,
            expired: true,
        });
    }
    let pool = pool(req)?;
    let row = with_conn(&pool, move |conn| {
        db::user::find(conn, crate::domain::ids::UserId(uid))
    })
    .await?;
    let Some(actor) = row.filter(|u| u.active).and_then(|u| u.actor()) else {
        session.purge();
        return Ok(MaybeUser {
            user: None,
            expired: true,
        });
    };
    let _ = session.insert(LAST_SEEN, now);
    let csrf = csrf_token(&session);
    Ok(MaybeUser {
        user: Some(CurrentUser { actor, csrf }),
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

/// The session's CSRF token, made on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF) {
        return token;
    }
    let token = crate::password::random_password(32);
    let _ = session.insert(CSRF, &token);
    token
}

/// True when `posted` is the session's token (compared in constant time).
pub fn csrf_matches(session: &Session, posted: &str) -> bool {
    let Ok(Some(token)) = session.get::<String>(CSRF) else {
        return false;
    };
    token.len() == posted.len()
        && token
            .bytes()
            .zip(posted.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The value of a posted field; empty when it was not posted.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
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
            if !form.bad_fields.is_empty() {
                return Err(AppError::BadRequest(BAD_ENCODING.into()));
            }
            if !csrf_posted(&session, &form.pairs) {
                return Err(AppError::Csrf);
            }
            Ok(CsrfForm(form.pairs))
        })
    }
}

pub const BAD_ENCODING: &str =
    "送信された内容に読み取れない文字が含まれています（文字コードは UTF-8 で送信してください）";

/// A urlencoded form body, decoded strictly: a field whose bytes are not UTF-8
/// is kept (lossily) and named in `bad_fields`, so the caller can re-show the
/// form with a message instead of silently changing what was typed.
pub struct PostedForm {
    pub pairs: Vec<(String, String)>,
    pub bad_fields: Vec<String>,
}

/// Largest form body accepted (a whole sheet of long prose fits many times).
pub const FORM_LIMIT: usize = 2 * 1024 * 1024;

impl FromRequest for PostedForm {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_form = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_form {
                return Err(AppError::BadRequest(
                    "フォームの形式で送信してください".into(),
                ));
            }
            let bytes = body
                .await
                .map_err(|_| AppError::BadRequest("送信された内容が大きすぎます".into()))?;
            if bytes.len() > FORM_LIMIT {
                return Err(AppError::BadRequest("送信された内容が大きすぎます".into()));
            }
            Ok(decode_form(&bytes))
        })
    }
}

fn decode_form(body: &[u8]) -> PostedForm {
    let mut pairs = Vec::new();
    let mut bad_fields = Vec::new();
    for part in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match part.iter().position(|b| *b == b'=') {
            Some(i) => (&part[..i], &part[i + 1..]),
            None => (part, &b""[..]),
        };
        let key = String::from_utf8_lossy(&percent_decode(k)).into_owned();
        let raw = percent_decode(v);
        let value = match String::from_utf8(raw) {
            Ok(v) => v,
            Err(e) => {
                bad_fields.push(key.clone());
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        };
        pairs.push((key, value));
    }
    PostedForm { pairs, bad_fields }
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Bounds how many argon2 hashes run at once: each takes ~19 MiB and a core.
fn hashing_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| Semaphore::new(2))
}

/// Verifies a password off the async threads. `stored` None checks the dummy
/// hash, so an unknown login id costs the same time as a known one.
pub async fn verify_password(password: String, stored: Option<String>) -> Result<bool, AppError> {
    let _permit = hashing_slots()
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    actix_web::rt::task::spawn_blocking(move || match stored {
        Some(hash) => crate::password::verify(&password, &hash),
        None => {
            crate::password::verify(&password, crate::password::dummy_hash());
            false
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))
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
}

/// Only paths on this site: never an outside address.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
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
        "セッションの有効期限が切れました。もう一度ログインしてください。入力中の内容は保存されています。".to_string()
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

pub async fn login(
    req: HttpRequest,
    session: Session,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let pool = pool(&req)?;
    let login = form.get("login").trim().to_string();
    let password = form.get("password").to_string();
    let next = safe_next(form.get("next"));
    let address = req
        .peer_addr()
        .map_or("unknown".to_string(), |a| a.ip().to_string());
    let keys = [login_key(&login), address_key(&address)];
    let again = |error: &str| {
        page(&LoginPage {
            nav: None,
            csrf: csrf_token(&session),
            login: login.clone(),
            next: next.clone(),
            error: Some(error.to_string()),
            notice: None,
        })
        .map(|mut r| {
            *r.status_mut() = actix_web::http::StatusCode::UNAUTHORIZED;
            r
        })
    };
    if login.is_empty() || password.is_empty() {
        return again("ログインIDとパスワードを入力してください");
    }

    let lookup_keys = keys.clone();
    let lookup_login = login.clone();
    let (user, locked) = with_conn(&pool, move |conn| {
        let now = db::now();
        let mut locked = false;
        for key in &lookup_keys {
            if let Some(row) = db::throttle::get(conn, key)? {
                locked |= row.locked_until.is_some_and(|t| t > now);
            }
        }
        Ok((db::user::find_by_login(conn, &lookup_login)?, locked))
    })
    .await?;
    if locked {
        let mut r = again(
            "ログインの失敗が続いたため、一時的にログインできません。しばらく待つか、管理者に解除を依頼してください",
        )?;
        *r.status_mut() = actix_web::http::StatusCode::TOO_MANY_REQUESTS;
        return Ok(r);
    }
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let ok = verify_password(password, stored).await?;
    let user = user.filter(|u| ok && u.active);
    let Some(user) = user else {
        let failed_keys = keys.clone();
        with_conn(&pool, move |conn| {
            db::write_tx(conn, |conn| {
                let now = db::now();
                for key in &failed_keys {
                    let failures = db::throttle::get(conn, key)?.map_or(0, |r| r.failures) + 1;
                    db::throttle::record_failure(
                        conn,
                        key,
                        failures,
                        lock_after(failures, free_failures(key), now),
                    )?;
                }
                Ok(())
            })
        })
        .await?;
        return again("ログインIDまたはパスワードが正しくありません");
    };
    let clear_key = keys[0].clone();
    with_conn(&pool, move |conn| db::throttle::clear(conn, &clear_key)).await?;

    session.renew();
    let now = now_ts();
    session
        .insert(USER_ID, user.id)
        .and_then(|_| session.insert(LOGIN_AT, now))
        .and_then(|_| session.insert(LAST_SEEN, now))
        .and_then(|_| session.insert(CSRF, crate::password::random_password(32)))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(see_other(&next))
}

pub async fn logout(session: Session, _form: CsrfForm) -> HttpResponse {
    session.purge();
    see_other("/login")
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}
