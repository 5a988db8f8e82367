//! Short reads right on the async threads, and the sheet page kept as last
//! rendered for a viewer, reused while nothing it shows has changed.
//!
//! A sheet page is made from the sheet (its `version` rises with every
//! change to it) and from much else: names, the round, choices, comments,
//! opinions, the 達成率 rules. Rather than tracking each of those, the key
//! holds a stamp of the whole database (`db::sheet::view_stamp`) read before
//! the page is made: any audited change anywhere makes a new key. The viewer
//! is part of the key (what a page offers depends on who asks, and its forms
//! carry the session's CSRF token), so a page is never shown to anyone but
//! the one it was made for. Each server keeps its own pages; two servers stay
//! correct because the stamp comes from the database they share.

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::web::{self, Bytes};

use super::CurrentUser;
use crate::db::{DbConnection, DbError, DbPool};
use crate::domain::ids::{SheetId, UserId};

/// Short reads (a session, a page's stamp): on SQLite from their own
/// connections right on the async thread (`db::inline_reads`); on
/// PostgreSQL on the blocking pool, as every other query.
#[derive(Clone)]
pub struct Reads {
    pool: DbPool,
    inline: Option<DbPool>,
}

impl Reads {
    pub fn new(pool: DbPool, inline: Option<DbPool>) -> Self {
        Self { pool, inline }
    }

    pub async fn run<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        if let Some(inline) = &self.inline {
            let mut conn = inline.get().map_err(DbError::from)?;
            return Ok(f(&mut conn)?);
        }
        self.block(f).await
    }

    /// Any work (a write too) on the blocking pool, off the async threads.
    pub async fn block<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let result = web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?;
        Ok(result?)
    }
}

/// Everything a kept sheet page was made from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    sheet: SheetId,
    version: i32,
    stamp: String,
    user: UserId,
    csrf: String,
    unread: i64,
    /// `?done=` adds a notice to the page.
    query: String,
}

impl PageKey {
    pub fn new(
        sheet: SheetId,
        (version, stamp): (i32, String),
        user: &CurrentUser,
        query: &str,
    ) -> Self {
        Self {
            sheet,
            version,
            stamp,
            user: user.actor.user_id,
            csrf: user.csrf.clone(),
            unread: user.unread,
            query: query.to_string(),
        }
    }
}

/// Kept pages, at most `BUDGET` bytes of them; when full it starts afresh
/// (stale pages are never hit again anyway, so there is little to keep).
#[derive(Default)]
pub struct PageCache {
    pages: Mutex<Pages>,
}

#[derive(Default)]
struct Pages {
    by_key: HashMap<PageKey, Bytes>,
    bytes: usize,
}

const BUDGET: usize = 16 * 1024 * 1024;

impl PageCache {
    pub fn get(&self, key: &PageKey) -> Option<Bytes> {
        self.lock().by_key.get(key).cloned()
    }

    pub fn put(&self, key: PageKey, page: Bytes) {
        let mut pages = self.lock();
        if pages.bytes + page.len() > BUDGET {
            *pages = Pages::default();
        }
        pages.bytes += page.len();
        if let Some(old) = pages.by_key.insert(key, page) {
            pages.bytes -= old.len();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pages> {
        self.pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
