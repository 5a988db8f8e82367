//! The real app, served on a free port over a test database, and the people
//! who use it.

use std::sync::{Arc, Mutex, MutexGuard};

use hyoka::db::DbConnection;
use hyoka::demo::DemoAccount;
use hyoka::domain::permission::Role;
use hyoka::Config;

use super::client::Client;
use super::clock::TestClock;
use super::database::{demo_accounts, Fixture, TestDb};
use super::probe::{Probe, PASSWORD};

/// The login id of the HQ account in the seeded app.
const SEEDED_HQ: &str = "hq";

pub struct TestApp {
    address: String,
    /// The app's own account list: the demo's, or the seeded app's HQ.
    accounts: Vec<DemoAccount>,
    /// Accounts the app's start created (only a demo start on an empty database).
    created_at_start: Vec<DemoAccount>,
    /// The token of the setup address, when the app started without accounts.
    setup_token: Option<String>,
    /// Declared before `db`: closed before the database is dropped.
    conn: Mutex<DbConnection>,
    db: TestDb,
}

/// How to start a [`TestApp`]; see [`TestApp::init`].
pub struct TestAppBuilder {
    world: World,
    demo_at_start: bool,
    configure: Vec<Setting>,
}

/// A change to the app's settings, applied before it starts.
type Setting = Box<dyn FnOnce(&mut Config)>;

enum World {
    Fixture(Fixture),
    Existing(TestDb),
}

impl TestApp {
    /// The app as the first `cargo run` leaves it: FY2024's final sheets, FY2025
    /// carried forward with the 上半期 round open, one account per department
    /// (職員課 `shokuin`, DX推進課 `dx`, 人材マネジメント課 `jinzai`…), HQ
    /// `honbu`, administrator `admin`.
    pub async fn spawn() -> Self {
        Self::init().spawn().await
    }

    /// The app with only the seed report imported (FY2024, twelve final
    /// sheets) and one HQ account.
    pub async fn seeded() -> Self {
        Self::init().seeded().spawn().await
    }

    /// A builder: `TestApp::init().seeded().configure(|c| …).spawn().await`.
    pub fn init() -> TestAppBuilder {
        TestAppBuilder {
            world: World::Fixture(Fixture::Demo),
            demo_at_start: false,
            configure: Vec::new(),
        }
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn db(&self) -> &TestDb {
        &self.db
    }

    /// The test's own connection to the app's database (see [`Probe`]). Do
    /// not hold it across an `.await`.
    pub fn conn(&self) -> MutexGuard<'_, DbConnection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new browser, not logged in.
    pub fn anonymous(&self) -> Client {
        Client::new(&self.address)
    }

    /// A new browser logged in as `login` (an account of this app).
    pub async fn login(&self, login: &str) -> Client {
        let client = self.anonymous();
        client.login_ok(login, &self.password(login)).await;
        client
    }

    /// A second server on this app's database, as a second instance behind
    /// a load balancer would run; returns its address (`login_at`).
    pub async fn second_server(&self) -> String {
        let mut config = Config::new(self.db.url()).expect("config");
        config.bind = "127.0.0.1:0".into();
        let app = hyoka::Application::build(config)
            .await
            .expect("second server builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        address
    }

    /// A new browser logged in as `login` on the server at `address`.
    pub async fn login_at(&self, address: &str, login: &str) -> Client {
        let client = Client::new(address);
        client.login_ok(login, &self.password(login)).await;
        client
    }

    /// A new browser logged in as this app's HQ or administrator account.
    pub async fn login_as(&self, role: Role) -> Client {
        assert_ne!(
            role,
            Role::Staff,
            "staff belong to a department: use staff_of"
        );
        let login = self
            .accounts
            .iter()
            .find(|a| a.role == role)
            .unwrap_or_else(|| panic!("this app has no {role:?} account"))
            .login
            .clone();
        self.login(&login).await
    }

    /// A new browser logged in as the staff account of `department`.
    pub async fn staff_of(&self, department: &str) -> Client {
        let login = self
            .accounts
            .iter()
            .find(|a| a.role == Role::Staff && a.department.as_deref() == Some(department))
            .unwrap_or_else(|| panic!("this app has no account for {department}"))
            .login
            .clone();
        self.login(&login).await
    }

    /// The password of one of this app's accounts.
    pub fn password(&self, login: &str) -> String {
        self.accounts
            .iter()
            .find(|a| a.login == login)
            .unwrap_or_else(|| panic!("no account {login}"))
            .password
            .clone()
    }

    /// Accounts the app created when it started (the demo on an empty database).
    pub fn created_at_start(&self) -> &[DemoAccount] {
        &self.created_at_start
    }

    /// The one-time setup address (`/setup?token=…`) the start printed, if
    /// the database held no account.
    pub fn setup_path(&self) -> Option<String> {
        self.setup_token
            .as_ref()
            .map(|t| format!("/setup?token={t}"))
    }

    /// Id of the sheet of initiative (area) No.`number` in `year`.
    pub fn sheet_id(&self, year: i32, area: i32, number: i32) -> i32 {
        self.conn().sheet_id(year, area, number)
    }
}

impl TestAppBuilder {
    /// Only the seed report, no demo year; one HQ account.
    pub fn seeded(mut self) -> Self {
        self.world = World::Fixture(Fixture::Seeded);
        self
    }

    /// On a database the test prepared (accounts are the test's business).
    pub fn on(mut self, db: TestDb) -> Self {
        self.world = World::Existing(db);
        self
    }

    /// Starts as `cargo run` does, loading the demo if the database is empty.
    pub fn demo_at_start(mut self) -> Self {
        self.demo_at_start = true;
        self
    }

    /// Changes a setting (e.g. a short session timeout, no Chromium).
    pub fn configure(mut self, f: impl FnOnce(&mut Config) + 'static) -> Self {
        self.configure.push(Box::new(f));
        self
    }

    /// Runs the app on a clock the test moves.
    pub fn clock(self, clock: &TestClock) -> Self {
        let clock = clock.clone();
        self.configure(move |c| c.clock = Arc::new(clock))
    }

    pub async fn spawn(self) -> TestApp {
        let seeded = matches!(self.world, World::Fixture(Fixture::Seeded));
        let (db, mut accounts) = match self.world {
            World::Fixture(Fixture::Demo) => (TestDb::demo(), demo_accounts().to_vec()),
            World::Fixture(fixture) => (TestDb::new(fixture), Vec::new()),
            World::Existing(db) => (db, Vec::new()),
        };
        let mut config = Config::new(db.url()).expect("config");
        config.bind = "127.0.0.1:0".into();
        config.demo = self.demo_at_start;
        for f in self.configure {
            f(&mut config);
        }
        let app = hyoka::Application::build(config).await.expect("app builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let created_at_start = app.demo_accounts.clone().unwrap_or_default();
        let setup_token = app.setup_token.clone();
        tokio::spawn(app.run_until_stopped());
        let mut conn = db.connect();
        if seeded {
            conn.add_user(SEEDED_HQ, Role::Hq, None);
            accounts.push(DemoAccount {
                login: SEEDED_HQ.into(),
                password: PASSWORD.into(),
                role: Role::Hq,
                department: None,
            });
        }
        TestApp {
            address,
            accounts,
            created_at_start,
            setup_token,
            conn: Mutex::new(conn),
            db,
        }
    }
}
