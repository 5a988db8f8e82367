//! A database per test, copied from a template that is built once per test
//! process (crates.io's `crates_io_test_db` pattern): `CREATE DATABASE …
//! TEMPLATE …` on PostgreSQL, a file copy on SQLite. Tests no longer migrate,
//! import the seed or hash the demo passwords one by one.
//!
//! Names on PostgreSQL (next to the database of `HYOKA_TEST_DATABASE_URL`,
//! here `base`): `base_t<pid>_<n>` per test and `base_t<pid>_template_<kind>`
//! per template. A test's database is dropped when its `TestDb` is; whatever
//! this process made is dropped when it exits, and `.ci/run` drops `base_t%`.
//! On SQLite everything lives under one temporary folder per process.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, OnceLock};
use std::thread::JoinHandle;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use hyoka::db::{self, DatabaseLocation, DbConnection};
use hyoka::demo::DemoAccount;

/// Set to a PostgreSQL URL of an existing database to run the suite against
/// PostgreSQL; each test's database is created beside it.
pub const PG_ENV: &str = "HYOKA_TEST_DATABASE_URL";

/// What a test database holds when the test receives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixture {
    /// Nothing, not even the tables (startup, `migrate`, imports from scratch).
    Empty,
    /// Migrated, with the seed report imported: FY2024's twelve final sheets.
    /// No accounts.
    Seeded,
    /// What the first `cargo run` leaves: the seed, FY2025 carried forward with
    /// the 上半期 round open, and the demo accounts (see [`demo_accounts`]).
    Demo,
}

/// One test's database; dropped with it.
pub struct TestDb {
    url: String,
    place: Place,
}

enum Place {
    Postgres { name: String },
    Sqlite { dir: PathBuf },
}

impl TestDb {
    /// A database with nothing in it.
    pub fn empty() -> Self {
        Self::new(Fixture::Empty)
    }

    /// A copy of the seeded template.
    pub fn seeded() -> Self {
        Self::new(Fixture::Seeded)
    }

    /// A copy of the demo template.
    pub fn demo() -> Self {
        Self::new(Fixture::Demo)
    }

    pub fn new(fixture: Fixture) -> Self {
        let template = match fixture {
            Fixture::Empty => None,
            kind => Some(template(kind)),
        };
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        match backend() {
            Backend::Postgres { server, .. } => {
                let name = format!("{}{n}", pg_prefix());
                let sql = match template {
                    Some(t) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{}\"", t.source),
                    None => format!("CREATE DATABASE \"{name}\""),
                };
                admin().batch_execute(&sql).expect("create test database");
                Self {
                    url: format!("{server}/{name}"),
                    place: Place::Postgres { name },
                }
            }
            Backend::Sqlite { root } => {
                let dir = root.join(n.to_string());
                std::fs::create_dir_all(&dir).expect("test folder");
                let file = dir.join("hyoka.db");
                if let Some(t) = template {
                    std::fs::copy(&t.source, &file).expect("copy the template database");
                }
                Self {
                    url: sqlite_url(&file),
                    place: Place::Sqlite { dir },
                }
            }
        }
    }

    /// `DATABASE_URL` of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.place, Place::Postgres { .. })
    }

    pub fn location(&self) -> DatabaseLocation {
        DatabaseLocation::parse(&self.url).expect("valid url")
    }

    /// One direct connection (SQLite: with the app's busy timeout and
    /// foreign keys), for a test that reads or writes behind the app.
    pub fn connect(&self) -> DbConnection {
        connect(&self.url)
    }

    /// Applies the migrations (for tests that start from [`Fixture::Empty`]).
    pub fn migrate(&self) {
        db::migrate(&mut self.connect()).expect("migrate");
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.place {
            // In the background: the next test need not wait for it. The
            // process joins these drops before it exits.
            Place::Postgres { name } => {
                let name = name.clone();
                let drop = std::thread::spawn(move || drop_pg_database(&name));
                PENDING_DROPS
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(drop);
            }
            Place::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

/// The accounts in every [`Fixture::Demo`] database, with their passwords.
pub fn demo_accounts() -> &'static [DemoAccount] {
    &template(Fixture::Demo).accounts
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Test databases being dropped.
static PENDING_DROPS: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// A direct connection: a pool would keep connections open to a template,
/// and PostgreSQL copies only a database nobody is connected to.
fn connect(url: &str) -> DbConnection {
    match DatabaseLocation::parse(url).expect("valid url") {
        DatabaseLocation::Postgres(url) => {
            DbConnection::Pg(PgConnection::establish(&url).expect("connect to PostgreSQL"))
        }
        DatabaseLocation::Sqlite(path) => {
            let mut conn =
                SqliteConnection::establish(&path.to_string_lossy()).expect("open the SQLite file");
            conn.batch_execute("PRAGMA busy_timeout = 5000;")
                .and_then(|()| conn.batch_execute("PRAGMA foreign_keys = ON;"))
                .expect("SQLite pragmas");
            DbConnection::Sqlite(conn)
        }
    }
}

fn sqlite_url(file: &std::path::Path) -> String {
    format!("sqlite://{}", file.display())
}

// ---- where the databases live ----

enum Backend {
    /// `server` is the URL without the database name; `base` the full URL.
    Postgres {
        server: String,
        base: String,
        base_db: String,
    },
    Sqlite {
        root: PathBuf,
    },
}

fn backend() -> &'static Backend {
    static BACKEND: OnceLock<Backend> = OnceLock::new();
    BACKEND.get_or_init(|| {
        register_cleanup();
        match std::env::var(PG_ENV) {
            Ok(base) if base.starts_with("postgres") => {
                let (server, base_db) = base.rsplit_once('/').expect("database URL has a path");
                Backend::Postgres {
                    server: server.to_string(),
                    base_db: base_db.to_string(),
                    base,
                }
            }
            _ => {
                let root = std::env::temp_dir().join(format!("hyoka-test-{}", std::process::id()));
                let _ = std::fs::remove_dir_all(&root);
                std::fs::create_dir_all(&root).expect("temp dir");
                Backend::Sqlite { root }
            }
        }
    })
}

/// Every PostgreSQL database this process makes starts with this.
fn pg_prefix() -> String {
    match backend() {
        Backend::Postgres { base_db, .. } => format!("{base_db}_t{}_", std::process::id()),
        Backend::Sqlite { .. } => unreachable!("PostgreSQL only"),
    }
}

/// A connection to the database named by `HYOKA_TEST_DATABASE_URL`, for
/// creating and dropping the others.
fn admin() -> PgConnection {
    match backend() {
        Backend::Postgres { base, .. } => {
            PgConnection::establish(base).expect("connect to PostgreSQL")
        }
        Backend::Sqlite { .. } => unreachable!("PostgreSQL only"),
    }
}

fn drop_pg_database(name: &str) {
    if let Backend::Postgres { base, .. } = backend() {
        if let Ok(mut admin) = PgConnection::establish(base) {
            let _ =
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        }
    }
}

// ---- templates ----

struct Template {
    /// The PostgreSQL database name, or the SQLite file path.
    source: String,
    accounts: Vec<DemoAccount>,
}

fn template(kind: Fixture) -> &'static Template {
    static SEEDED: OnceLock<Template> = OnceLock::new();
    static DEMO: OnceLock<Template> = OnceLock::new();
    let cell = match kind {
        Fixture::Seeded => &SEEDED,
        Fixture::Demo => &DEMO,
        Fixture::Empty => unreachable!("an empty database has no template"),
    };
    cell.get_or_init(|| build_template(kind))
}

fn build_template(kind: Fixture) -> Template {
    let label = format!("{kind:?}").to_lowercase();
    let (source, url) = match backend() {
        Backend::Postgres { server, .. } => {
            let name = format!("{}template_{label}", pg_prefix());
            // Anew, should an earlier attempt in this process have failed half-way.
            drop_pg_database(&name);
            admin()
                .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                .expect("create template database");
            let url = format!("{server}/{name}");
            (name, url)
        }
        Backend::Sqlite { root } => {
            let file = root.join(format!("template-{label}.db"));
            let _ = std::fs::remove_file(&file);
            (file.to_string_lossy().into_owned(), sqlite_url(&file))
        }
    };
    // Closed when this function returns, before the first copy: PostgreSQL
    // copies only a database nobody is connected to, and a closed SQLite
    // file holds everything (no WAL beside it).
    let mut conn = connect(&url);
    db::migrate(&mut conn).expect("migrate the template");
    let accounts = match kind {
        Fixture::Seeded => {
            let report = super::seed::seed_report();
            ::hyoka::app::import::import_report(&mut conn, &report, "test")
                .expect("import the seed");
            Vec::new()
        }
        Fixture::Demo => hyoka::demo::load_if_empty(&mut conn)
            .expect("load the demo")
            .expect("the template was empty"),
        Fixture::Empty => unreachable!(),
    };
    Template { source, accounts }
}

// ---- cleanup when the test process ends ----

extern "C" {
    /// From the C library every Rust program on Unix links: runs `callback`
    /// when the process exits normally, which libtest does after the last test
    /// (`exit(101)` when one failed). Rust has no other hook after all tests.
    fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
}

fn register_cleanup() {
    static ONCE: Once = Once::new();
    // SAFETY: `atexit` only stores the function pointer; the callback
    // catches every panic, as unwinding out of an `extern "C"` fn would abort.
    ONCE.call_once(|| unsafe {
        atexit(clean_up_at_exit);
    });
}

extern "C" fn clean_up_at_exit() {
    let _ = std::panic::catch_unwind(|| match backend() {
        Backend::Postgres { base, .. } => {
            let pending =
                std::mem::take(&mut *PENDING_DROPS.lock().unwrap_or_else(|e| e.into_inner()));
            for drop in pending {
                let _ = drop.join();
            }
            drop_own_pg_databases(base);
        }
        Backend::Sqlite { root } => {
            let _ = std::fs::remove_dir_all(root);
        }
    });
}

/// Drops the templates and any test database this process left behind.
fn drop_own_pg_databases(base: &str) {
    #[derive(diesel::QueryableByName)]
    struct Database {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let Ok(mut admin) = PgConnection::establish(base) else {
        return;
    };
    let prefix = pg_prefix();
    let names: Vec<Database> =
        diesel::sql_query("SELECT datname::text AS datname FROM pg_database")
            .load(&mut admin)
            .unwrap_or_default();
    for Database { datname } in names {
        if datname.starts_with(&prefix) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{datname}\" WITH (FORCE)"
            ));
        }
    }
}
