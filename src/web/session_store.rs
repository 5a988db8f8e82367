//! Where sessions live: an actix-session `SessionStore` over our own database,
//! so every handler keeps using actix-session's `Session` while a session can
//! be ended from the server (logout, `hyoka user passwd`, deactivation,
//! 「他の端末をすべてログアウト」).
//!
//! A logged-in session is a `sessions` row, found by the SHA-256 of a random
//! id; the cookie (encrypted by the middleware) carries that id and nothing
//! else. A session without a user (a visitor holding the login form's CSRF
//! token) keeps that little state in its cookie instead, as the cookie store
//! did: an anonymous request never writes to the database, so nobody can fill
//! it without an account. Such a cookie can never carry a user.

use std::collections::HashMap;
use std::time::Duration;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as Ttl;
use anyhow::{anyhow, Context};
use chrono::{Local, NaiveDateTime, TimeZone};

use super::page_cache::Reads;
use super::session::{
    LoadedUser, ADDRESS, EXPIRES_AT, KEY_HASH, LAST_SEEN, LOADED_USER, LOGIN_AT, USER_AGENT,
    USER_ID,
};
use crate::db;
use crate::db::session::{Ended, SessionRow};
use crate::db::user::UserRow;
use crate::domain::ids::UserId;
use crate::domain::session::SessionKeyHash;

/// What actix-session keeps per session: key → JSON value.
type State = HashMap<String, String>;

pub struct DbSessionStore {
    /// The session of every request is a short read (`Reads::run`); its
    /// writes go to the blocking pool (`Reads::block`).
    reads: Reads,
    /// Sessions unused this long are removed when someone logs in.
    idle: Duration,
}

impl DbSessionStore {
    pub fn new(reads: Reads, idle: Duration) -> Self {
        Self { reads, idle }
    }

    /// A new logged-in session under a fresh id. Sessions that have ended by
    /// time are removed here too: cheap, and often enough, as every session
    /// begins with a login.
    async fn insert(&self, state: State) -> anyhow::Result<SessionKey> {
        let id = new_session_id();
        let Some(row) = to_row(SessionKeyHash::of(&id), state)? else {
            return Err(anyhow!("a logged-in session has no user"));
        };
        let idle = self.idle;
        self.reads
            .block(move |conn| {
                db::write_tx(conn, |conn| {
                    db::session::delete_ended(conn, Ended::now_with_idle(idle))?;
                    db::session::insert(conn, &row)
                })
            })
            .await?;
        Ok(SessionKey::try_from(id)?)
    }
}

/// 256 random bits from the operating system, as hex.
fn new_session_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How a cookie's session key is read: an anonymous state kept in the cookie
/// (a JSON object), or the id of a `sessions` row.
enum Key<'a> {
    InCookie(&'a str),
    Row(SessionKeyHash),
}

fn key_of(key: &SessionKey) -> Key<'_> {
    let key = key.as_ref();
    if key.starts_with('{') {
        Key::InCookie(key)
    } else {
        Key::Row(SessionKeyHash::of(key))
    }
}

/// The state an anonymous cookie holds. One that names a user (a cookie made
/// by the old cookie store, say) is no session at all: users are only ever
/// logged in by a row.
fn cookie_state(json: &str) -> Result<Option<State>, serde_json::Error> {
    let state: State = serde_json::from_str(json)?;
    let names_user = state.contains_key(USER_ID) || state.contains_key(LOADED_USER);
    Ok((!names_user).then_some(state))
}

/// An anonymous state as its cookie carries it.
fn in_cookie(state: &State) -> anyhow::Result<SessionKey> {
    Ok(SessionKey::try_from(serde_json::to_string(state)?)?)
}

/// The row for a logged-in state (None for an anonymous one): the keys the
/// table has columns for become columns, the rest goes to `data`.
fn to_row(key_hash: SessionKeyHash, mut state: State) -> anyhow::Result<Option<SessionRow>> {
    let Some(user) = state.remove(USER_ID) else {
        return Ok(None);
    };
    state.remove(KEY_HASH);
    state.remove(LOADED_USER);
    let mut take = |key: &str| {
        state
            .remove(key)
            .with_context(|| format!("the session has no {key}"))
    };
    let user_id: UserId = serde_json::from_str(&user)?;
    let created_at = from_millis(&take(LOGIN_AT)?)?;
    let last_seen_at = from_millis(&take(LAST_SEEN)?)?;
    let expires_at = from_millis(&take(EXPIRES_AT)?)?;
    let user_agent: String = serde_json::from_str(&take(USER_AGENT)?)?;
    let address: String = serde_json::from_str(&take(ADDRESS)?)?;
    Ok(Some(SessionRow {
        key_hash,
        user_id,
        data: serde_json::to_string(&state)?,
        created_at,
        last_seen_at,
        expires_at,
        user_agent,
        address,
    }))
}

/// The state a row stands for, with the row's key hash so a page can tell
/// which of a user's sessions is the one asking, and the user's account as
/// read with it (so `web::session` needs no second query).
fn from_row(row: SessionRow, user: Option<(UserRow, i64)>) -> anyhow::Result<State> {
    let mut state: State = serde_json::from_str(&row.data)?;
    let json = |v: &str| serde_json::to_string(v);
    state.insert(USER_ID.into(), serde_json::to_string(&row.user_id)?);
    state.insert(LOGIN_AT.into(), to_millis(row.created_at).to_string());
    state.insert(LAST_SEEN.into(), to_millis(row.last_seen_at).to_string());
    state.insert(EXPIRES_AT.into(), to_millis(row.expires_at).to_string());
    state.insert(USER_AGENT.into(), json(&row.user_agent)?);
    state.insert(ADDRESS.into(), json(&row.address)?);
    state.insert(KEY_HASH.into(), json(row.key_hash.as_str())?);
    if let Some(user) = user {
        state.insert(
            LOADED_USER.into(),
            serde_json::to_string(&LoadedUser::from(user))?,
        );
    }
    Ok(state)
}

/// The session keeps milliseconds since the epoch; the table, local time as
/// every other table does.
fn from_millis(json: &str) -> anyhow::Result<NaiveDateTime> {
    let ms: i64 = serde_json::from_str(json)?;
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.naive_local())
        .with_context(|| format!("{ms} is no time"))
}

fn to_millis(t: NaiveDateTime) -> i64 {
    Local
        .from_local_datetime(&t)
        .earliest()
        .map_or_else(|| t.and_utc().timestamp_millis(), |t| t.timestamp_millis())
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let hash = match key_of(key) {
            Key::InCookie(json) => {
                return cookie_state(json).map_err(|e| LoadError::Deserialization(e.into()))
            }
            Key::Row(hash) => hash,
        };
        let row = self
            .reads
            .run(move |conn| db::session::find_with_user(conn, &hash))
            .await
            .map_err(LoadError::Other)?;
        row.map(|(session, user, unread)| from_row(session, Some((user, unread))))
            .transpose()
            .map_err(LoadError::Deserialization)
    }

    async fn save(&self, state: State, _ttl: &Ttl) -> Result<SessionKey, SaveError> {
        if !state.contains_key(USER_ID) {
            return in_cookie(&state).map_err(SaveError::Serialization);
        }
        self.insert(state).await.map_err(SaveError::Other)
    }

    async fn update(
        &self,
        key: SessionKey,
        state: State,
        ttl: &Ttl,
    ) -> Result<SessionKey, UpdateError> {
        let hash = match key_of(&key) {
            // An anonymous cookie has nothing stored to update; a login
            // without `renew` still gets a fresh id.
            Key::InCookie(_) => return self.save(state, ttl).await.map_err(save_to_update),
            Key::Row(hash) => hash,
        };
        if !state.contains_key(USER_ID) {
            // The user was taken out of a logged-in session: it is over.
            self.reads
                .block(move |conn| db::session::delete(conn, &hash))
                .await
                .map_err(UpdateError::Other)?;
            return in_cookie(&state).map_err(UpdateError::Serialization);
        }
        let row = to_row(hash, state)
            .map_err(UpdateError::Serialization)?
            .ok_or_else(|| UpdateError::Other(anyhow!("a logged-in session has no user")))?;
        // A session ended while this request ran stays ended: the row is
        // not written again, and the next request finds none.
        self.reads
            .block(move |conn| db::session::update(conn, &row))
            .await
            .map_err(UpdateError::Other)?;
        Ok(key)
    }

    async fn update_ttl(&self, _key: &SessionKey, _ttl: &Ttl) -> anyhow::Result<()> {
        // Timeouts are `web::session`'s business, checked on every request.
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> anyhow::Result<()> {
        match key_of(key) {
            Key::InCookie(_) => Ok(()),
            Key::Row(hash) => {
                self.reads
                    .block(move |conn| db::session::delete(conn, &hash))
                    .await
            }
        }
    }
}

fn save_to_update(e: SaveError) -> UpdateError {
    match e {
        SaveError::Serialization(e) => UpdateError::Serialization(e),
        SaveError::Other(e) => UpdateError::Other(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logged_in() -> State {
        let now: i64 = 1_736_000_000_123;
        [
            (USER_ID, "7".to_string()),
            (LOGIN_AT, now.to_string()),
            (LAST_SEEN, (now + 5).to_string()),
            (EXPIRES_AT, (now + 3_600_000).to_string()),
            (USER_AGENT, "\"Firefox/121.0\"".to_string()),
            (ADDRESS, "\"192.0.2.1\"".to_string()),
            ("csrf", "\"token\"".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    #[test]
    fn a_logged_in_state_round_trips_through_its_row() {
        let hash = SessionKeyHash::of("id");
        let row = to_row(hash.clone(), logged_in()).unwrap().unwrap();
        assert_eq!(row.user_id, UserId(7));
        assert_eq!(row.data, r#"{"csrf":"\"token\""}"#);
        assert_eq!(row.user_agent, "Firefox/121.0");
        let mut back = from_row(row, None).unwrap();
        assert_eq!(
            back.remove(KEY_HASH),
            Some(format!("\"{}\"", hash.as_str()))
        );
        assert_eq!(back, logged_in());
    }

    #[test]
    fn an_anonymous_state_has_no_row_and_a_cookie_never_carries_a_user() {
        let mut anonymous = State::new();
        anonymous.insert("csrf".into(), "\"t\"".into());
        assert_eq!(
            to_row(SessionKeyHash::of("id"), anonymous.clone()).unwrap(),
            None
        );
        let key = in_cookie(&anonymous).unwrap();
        let Key::InCookie(json) = key_of(&key) else {
            panic!("an anonymous state stays in its cookie");
        };
        assert_eq!(cookie_state(json).unwrap(), Some(anonymous));
        // What the old cookie store kept: a whole logged-in session.
        let old = serde_json::to_string(&logged_in()).unwrap();
        assert_eq!(cookie_state(&old).unwrap(), None);
    }

    #[test]
    fn session_ids_are_random_and_never_look_like_a_state() {
        let (a, b) = (new_session_id(), new_session_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        let key = SessionKey::try_from(a).unwrap();
        assert!(matches!(key_of(&key), Key::Row(_)));
    }
}
