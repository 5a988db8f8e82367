//! hyoka: 行政改革推進プラン 取組事業点検・評価票. A thin HTTP layer (`web`) over
//! a domain that knows nothing of HTTP (`domain`), with every query in `db`.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod app;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod generate;
pub mod import;
pub mod mail;
pub mod password;
pub mod report;
pub mod web;

use std::net::TcpListener;

use actix_web::dev::Server;

pub use config::Config;
use db::{DbError, DbPool};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0} で待ち受けできません: {1}")]
    Bind(String, std::io::Error),
    #[error("起動に失敗しました: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the database, applies migrations and, when asked, loads the demo into
/// an empty database. Returns the pool and the demo accounts if it loaded.
pub fn prepare_database(
    config: &Config,
) -> Result<(DbPool, Option<Vec<demo::DemoAccount>>), DbError> {
    let pool = db::connect(&config.database, config.db_pool)?;
    let mut conn = pool.get()?;
    // Under one lock, so a second server starting beside this one neither
    // migrates nor loads the demo at the same time.
    let demo = db::setup_lock(&mut conn, |conn| {
        db::migrate(conn)?;
        if config.demo {
            demo::load_if_empty(conn)
        } else {
            Ok(None)
        }
    })?;
    Ok((pool, demo))
}

/// The running server; built separately from running so tests can start the
/// real app on port 0.
pub struct Application {
    port: u16,
    server: Server,
    /// The outbox sender and reminders, run beside the server.
    background: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
    /// Accounts the demo created at this start (None when it did not load).
    pub demo_accounts: Option<Vec<demo::DemoAccount>>,
    /// The database holds no account: the first administrator is made at
    /// `/setup?token=…` with this token (a new one at each start).
    pub setup_token: Option<String>,
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let setup = config.clone();
        let (pool, demo_accounts, users) = actix_web::rt::task::spawn_blocking(move || {
            let (pool, demo) = prepare_database(&setup)?;
            let mut conn = pool.get()?;
            let users = db::user::count(&mut conn)?;
            drop(conn);
            Ok::<_, DbError>((pool, demo, users))
        })
        .await
        .map_err(|e| StartupError::Io(std::io::Error::other(e)))??;
        let setup_token = (users == 0).then(web::new_setup_token);
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| StartupError::Bind(config.bind.clone(), e))?;
        let port = listener.local_addr()?.port();
        let mailer = match &config.mail {
            Some(settings) => Some(mail::Mailer::new(settings).map_err(std::io::Error::other)?),
            None => None,
        };
        let background = Box::pin(mail::background(pool.clone(), config.clone(), mailer));
        let server = web::run(listener, pool, &config, setup_token.clone())?;
        Ok(Self {
            port,
            server,
            background,
            demo_accounts,
            setup_token,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the server stops; the background task stops with it.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tokio::select! {
            result = self.server => result,
            () = self.background => Ok(()),
        }
    }
}
