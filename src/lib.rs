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
    let pool = db::connect(&config.database)?;
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
    /// Accounts the demo created at this start (None when it did not load).
    pub demo_accounts: Option<Vec<demo::DemoAccount>>,
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let setup = config.clone();
        let (pool, demo_accounts) =
            actix_web::rt::task::spawn_blocking(move || prepare_database(&setup))
                .await
                .map_err(|e| StartupError::Io(std::io::Error::other(e)))??;
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| StartupError::Bind(config.bind.clone(), e))?;
        let port = listener.local_addr()?.port();
        let server = web::run(listener, pool, &config)?;
        Ok(Self {
            port,
            server,
            demo_accounts,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
