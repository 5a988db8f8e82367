//! Settings from the command line and the environment, with defaults that run
//! out of the box.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::db::{DatabaseLocation, DbError};
use crate::domain::throttle::ADDRESS_WINDOW_MINUTES;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/hyoka.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseLocation,
    /// Address to listen on; port 0 picks a free one (tests).
    pub bind: String,
    /// Load the demo (the customer's FY2024 report plus FY2025 sheets) into an
    /// empty database at start.
    pub demo: bool,
    /// Send the session cookie only over HTTPS. Off by default: intranet
    /// servers often run plain HTTP, where a browser would drop a Secure cookie.
    pub cookie_secure: bool,
    /// Key for signing the session cookie (at least 64 bytes). Without one, a
    /// random key is made at start and sessions end when the server restarts.
    pub session_key: Option<Vec<u8>>,
    /// A session unused this long ends (default 30 minutes).
    pub idle_timeout: Duration,
    /// A session ends this long after login, used or not (default 12 hours).
    pub absolute_timeout: Duration,
    /// Headless Chromium for PDF output; without one the PDF links explain
    /// that browser printing still works.
    pub chromium: Option<PathBuf>,
    /// Failed logins from one client address count this long (default 15
    /// minutes), so a typo streak behind an office's proxy does not lock
    /// everyone out for good.
    pub login_address_window: Duration,
    /// The time the app goes by (tests put in one they can move).
    pub clock: Arc<dyn Clock>,
    /// How many PDFs one user may have in the making at once; beyond it the
    /// request is answered at once (429) instead of queueing before everyone
    /// else's (default 2).
    pub pdf_per_user: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client (none by default).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Mail: off (None) unless `HYOKA_SMTP_URL` is set.
    pub mail: Option<crate::mail::MailSettings>,
    /// From this hour of the day (0–23, default 8) the server sends the day's
    /// deadline reminders.
    pub reminder_hour: u32,
    /// How often the background task looks at the outbox and the reminders.
    pub background_interval: Duration,
    /// Connections in the pool (`HYOKA_DB_POOL`); None: `db::DEFAULT_POOL`.
    pub db_pool: Option<u32>,
}

impl Config {
    pub fn new(database_url: &str) -> Result<Self, DbError> {
        Ok(Self {
            database: DatabaseLocation::parse(database_url)?,
            bind: DEFAULT_BIND.to_string(),
            demo: false,
            cookie_secure: false,
            session_key: None,
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 60 * 60),
            chromium: crate::report::pdf::find_chromium(),
            login_address_window: Duration::from_secs(ADDRESS_WINDOW_MINUTES * 60),
            clock: Arc::new(SystemClock),
            pdf_per_user: 2,
            db_pool: None,
            trusted_proxies: Vec::new(),
            mail: None,
            reminder_hour: 8,
            background_interval: Duration::from_secs(30),
        })
    }
}
