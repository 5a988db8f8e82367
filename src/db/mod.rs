//! Persistence: one connection type over SQLite and PostgreSQL, the pool, the
//! embedded migrations, and every query (one module per concept).

pub mod area_opinion;
pub mod audit;
pub mod choice;
pub mod comment;
pub mod department;
pub mod draft;
pub mod indicator;
pub mod notice;
pub mod opinion;
pub mod outbox;
pub mod plan;
pub mod reminder;
pub mod report;
pub mod round;
pub mod schema;
pub mod session;
pub mod sheet;
pub mod throttle;
pub mod types;
pub mod user;

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One binary, two databases; the variant is chosen from the URL scheme.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = Pool<ConnectionManager<DbConnection>>;
pub type PooledConn = PooledConnection<ConnectionManager<DbConnection>>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("データベースに接続できません: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("データベースの処理に失敗しました: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("データベースの構成に失敗しました: {0}")]
    Migration(String),
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Conflict(String),
}

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseLocation {
    /// `sqlite://data/hyoka.db` is relative to the working directory,
    /// `sqlite:///abs/path` absolute; `postgres://…` / `postgresql://…` go to PostgreSQL.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbError::Config(
                    "DATABASE_URL の SQLite ファイルのパスが空です（例: sqlite://data/hyoka.db）"
                        .into(),
                ));
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_string()))
        } else {
            Err(DbError::Config(format!(
                "DATABASE_URL「{url}」は使えません。sqlite://パス または postgres://… を指定してください"
            )))
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    fn connection_string(&self) -> String {
        match self {
            Self::Sqlite(p) => p.to_string_lossy().into_owned(),
            Self::Postgres(u) => u.clone(),
        }
    }
}

/// Per-connection SQLite settings; each pragma is its own statement.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(c) = conn {
            for pragma in [
                "PRAGMA busy_timeout = 5000;",
                "PRAGMA journal_mode = WAL;",
                "PRAGMA synchronous = NORMAL;",
                "PRAGMA foreign_keys = ON;",
            ] {
                c.batch_execute(pragma)
                    .map_err(diesel::r2d2::Error::QueryError)?;
            }
        }
        Ok(())
    }
}

/// SQLite's process-wide settings, made once before its first connection:
/// no memory statistics (with them SQLite takes one global mutex on every
/// allocation, and a loaded server's threads queue on it) and multi-thread
/// mode (a pooled connection is used by one thread at a time, so the
/// per-connection mutexes only cost). Too late (SQLite already started in
/// this process) leaves the defaults, which are correct, only slower.
fn configure_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config is called before any connection of ours
        // exists (and refuses with SQLITE_MISUSE, changing nothing, if
        // SQLite has already been initialized); the options take an int
        // or nothing, as passed.
        unsafe {
            libsqlite3_sys::sqlite3_config(
                libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS,
                0 as std::ffi::c_int,
            );
            libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MULTITHREAD);
        }
    });
}

/// Builds the pool. Establishing is done per variant: `DbConnection::establish`
/// would let SQLite accept any string.
/// Connections in the pool unless `HYOKA_DB_POOL` says otherwise: SQLite,
/// PostgreSQL. Chosen with `bench/run.sh` on two cores (README, Benchmark):
/// SQLite 2/4/8 gave the same saves/s and 8 the best sheet page; PostgreSQL
/// 4/8/16 per instance gave the most saves/s and the shortest tail at 4.
pub const DEFAULT_POOL: (u32, u32) = (8, 4);

pub fn connect(location: &DatabaseLocation, size: Option<u32>) -> Result<DbPool, DbError> {
    if let DatabaseLocation::Sqlite(path) = location {
        configure_sqlite();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbError::Config(format!("{} を作成できません: {e}", dir.display())))?;
        }
    }
    let manager = ConnectionManager::<DbConnection>::new(location.connection_string());
    let builder = Pool::builder().connection_timeout(Duration::from_secs(10));
    let pool = match location {
        // A file cannot drop a connection the way a server can, so no
        // `SELECT 1` before every checkout (one query of every request).
        DatabaseLocation::Sqlite(_) => builder
            .max_size(size.unwrap_or(DEFAULT_POOL.0))
            .test_on_check_out(false)
            .connection_customizer(Box::new(SqlitePragmas))
            .build(manager)?,
        DatabaseLocation::Postgres(_) => builder
            .max_size(size.unwrap_or(DEFAULT_POOL.1))
            .build(manager)?,
    };
    Ok(pool)
}

/// Applies the embedded migrations of the connection's backend. Two servers
/// starting together on one empty database would both create the tables (one
/// then fails), so they take turns: on PostgreSQL under [`setup_lock`], on
/// SQLite in one `BEGIN IMMEDIATE` transaction, whose write lock the other
/// waits for (busy_timeout) and after which it finds nothing pending.
pub fn migrate(conn: &mut DbConnection) -> Result<(), DbError> {
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    setup_lock(conn, |conn| match conn {
        DbConnection::Sqlite(c) => c.immediate_transaction(|c| {
            c.run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|_| ())
                .map_err(failed)
        }),
        DbConnection::Pg(c) => c
            .run_pending_migrations(PG_MIGRATIONS)
            .map(|_| ())
            .map_err(failed),
    })
}

/// The PostgreSQL advisory lock that setting up the database takes: any
/// number that no other application on the server uses ("hyoka" in ASCII).
const SETUP_LOCK: i64 = 0x68_79_6f_6b_61;

/// Runs `f` while no other hyoka sets up the same database: on PostgreSQL
/// under a session advisory lock (it may be taken again inside `f`, as
/// `migrate` does), released afterwards whatever `f` returned. SQLite needs
/// none here: its writes take the database's one write lock (`write_tx`).
pub fn setup_lock<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    if matches!(conn, DbConnection::Sqlite(_)) {
        return f(conn);
    }
    let lock = |conn: &mut DbConnection, sql: &str| {
        diesel::sql_query(sql)
            .bind::<diesel::sql_types::BigInt, _>(SETUP_LOCK)
            .execute(conn)
    };
    lock(conn, "SELECT pg_advisory_lock($1)")?;
    let result = f(conn);
    let unlocked = lock(conn, "SELECT pg_advisory_unlock($1)");
    let value = result?;
    unlocked?;
    Ok(value)
}

/// `.first()` without its `LIMIT ?`, for a lookup by a unique key (at most
/// one row can come). SQLite plans a statement by a bound LIMIT's value and
/// so prepares a cached statement again every time it runs with one: the
/// session lookup of every request spent about 6% of a sheet page's CPU
/// being parsed again.
pub trait OneRow: RunQueryDsl<DbConnection> + Sized {
    fn one_row<'query, U>(self, conn: &mut DbConnection) -> QueryResult<Option<U>>
    where
        Self: diesel::query_dsl::LoadQuery<'query, DbConnection, U>,
    {
        self.load_iter::<U, diesel::connection::DefaultLoadingMode>(conn)?
            .next()
            .transpose()
    }
}

impl<T: RunQueryDsl<DbConnection>> OneRow for T {}

/// A few SQLite connections for short reads made right on the server's
/// async threads (the session of every request): handing a 20 µs lookup to
/// the blocking pool and back costs more than the lookup. One connection per
/// server thread, apart from the main pool, so such a read never waits for a
/// connection a writer holds; in WAL mode it never waits for a writer
/// either. None for PostgreSQL, where every query is a network round trip
/// and stays off the async threads.
pub fn inline_reads(location: &DatabaseLocation) -> Result<Option<DbPool>, DbError> {
    let DatabaseLocation::Sqlite(_) = location else {
        return Ok(None);
    };
    configure_sqlite();
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let manager = ConnectionManager::<DbConnection>::new(location.connection_string());
    let pool = Pool::builder()
        .max_size(u32::try_from(threads).unwrap_or(u32::MAX).max(1))
        .test_on_check_out(false)
        .connection_customizer(Box::new(SqlitePragmas))
        .build(manager)?;
    Ok(Some(pool))
}

static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` in a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so the
/// write lock is taken up front and waits on busy_timeout instead of failing
/// half-way when another writer holds it.
pub fn write_tx<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    // Inside an outer transaction this becomes a savepoint.
    let depth = match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()
        }
        DbConnection::Pg(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()
        }
    }?;
    if depth.is_some() {
        return conn.transaction(f);
    }
    // One SQLite writer of this process at a time, queued on a mutex:
    // writers left to SQLite's busy handler sleep and retry (1 ms, then
    // longer, up to 100 ms a try), which gave saves under load a long tail.
    // Another process on the same file still waits on busy_timeout. The
    // mutex is not reentrant: a write transaction must never open another on
    // a second connection (nested ones on the same connection are savepoints,
    // above, and take no lock).
    let _writer = match conn {
        DbConnection::Sqlite(c) => {
            let guard = SQLITE_WRITER
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            Some(guard)
        }
        DbConnection::Pg(c) => {
            AnsiTransactionManager::begin_transaction(c)?;
            None
        }
    };
    match f(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// Runs the reads of one page in one snapshot. On SQLite that is one read
/// transaction: without it every statement takes and drops its own WAL read
/// lock (a mutex the server's threads share, and a system call each way),
/// which was the largest single cost of the sheet page's fifteen queries.
/// PostgreSQL runs `f` as it is: a transaction there is two more round trips.
pub fn read_tx<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(_) => conn.transaction(f),
        DbConnection::Pg(_) => f(conn),
    }
}

/// Refreshes the planner's statistics after a bulk load. PostgreSQL plans
/// the sheet page's `= ANY(…)` lookups as sequential scans until it has
/// them (measured: 118 against 435 sheet pages/s on 4,000 fresh sheets);
/// autovacuum would get there, later. SQLite keeps only the row counts
/// (`sqlite_stat1`): with the value samples of `sqlite_stat4` it re-plans a
/// cached statement each time a bound value is compared with an indexed
/// column, which is every statement of every page.
pub fn analyze(conn: &mut DbConnection) -> Result<(), DbError> {
    conn.batch_execute("ANALYZE")?;
    if let DbConnection::Sqlite(c) = conn {
        let samples: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat4')",
        ))
        .get_result(c)?;
        if samples > 0 {
            c.batch_execute("DELETE FROM sqlite_stat4; ANALYZE sqlite_schema;")?;
        }
    }
    Ok(())
}

/// One round trip to the database (readiness).
pub fn ping(conn: &mut DbConnection) -> Result<(), DbError> {
    diesel::sql_query("SELECT 1").execute(conn)?;
    Ok(())
}

pub fn now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}
