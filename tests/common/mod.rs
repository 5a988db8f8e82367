//! Test support: a fresh database per test (SQLite file, or a PostgreSQL
//! database created for the test and dropped after), and the real app served
//! on a free port.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use hyoka::db::{self, DatabaseLocation, DbPool};
use hyoka::domain::permission::Role;
use hyoka::Config;

pub const SEED: &str = include_str!("../fixtures/kofu_r6_report.txt");

/// Set to a PostgreSQL URL to run the suite against PostgreSQL; each test
/// creates its own database next to it.
pub const PG_ENV: &str = "HYOKA_TEST_DATABASE_URL";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub struct TestDb {
    pub url: String,
    pg: Option<(String, String)>,
    dir: Option<PathBuf>,
}

impl TestDb {
    pub fn new() -> Self {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        match std::env::var(PG_ENV) {
            Ok(base) if base.starts_with("postgres") => {
                let (server, base_db) = base.rsplit_once('/').expect("database URL has a path");
                let name = format!("{base_db}_t{pid}_{n}");
                let mut admin = PgConnection::establish(&base).expect("connect to PostgreSQL");
                admin
                    .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                    .expect("create test database");
                Self {
                    url: format!("{server}/{name}"),
                    pg: Some((base, name)),
                    dir: None,
                }
            }
            _ => {
                let dir = std::env::temp_dir().join(format!("hyoka-test-{pid}-{n}"));
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).expect("temp dir");
                Self {
                    url: format!("sqlite://{}", dir.join("hyoka.db").display()),
                    pg: None,
                    dir: Some(dir),
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    pub fn location(&self) -> DatabaseLocation {
        DatabaseLocation::parse(&self.url).expect("valid url")
    }

    /// A migrated pool on this database.
    pub fn pool(&self) -> DbPool {
        let pool = db::connect(&self.location()).expect("pool");
        db::migrate(&mut pool.get().expect("conn")).expect("migrate");
        pool
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, name)) = &self.pg {
            if let Ok(mut admin) = PgConnection::establish(base) {
                let _ = admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
            }
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The parsed seed report.
pub fn seed_report() -> hyoka::import::ParsedReport {
    hyoka::import::parse_report(SEED).expect("seed parses")
}

/// A pool with the seed imported (no demo year).
pub fn seeded(db: &TestDb) -> DbPool {
    let pool = db.pool();
    let mut conn = pool.get().expect("conn");
    db::import::import_report(&mut conn, &seed_report(), "test").expect("import");
    pool
}

pub struct TestApp {
    pub address: String,
    pub pool: DbPool,
    pub db: TestDb,
    /// The default browser session.
    pub web: Session,
    /// Accounts made by the demo (empty without it).
    pub accounts: Vec<hyoka::demo::DemoAccount>,
}

impl TestApp {
    /// The app on an empty database with the demo loaded, as `cargo run` does.
    pub async fn demo() -> Self {
        Self::start(TestDb::new(), true, |_| {}).await
    }

    pub async fn demo_with(tune: impl FnOnce(&mut Config)) -> Self {
        Self::start(TestDb::new(), true, tune).await
    }

    /// The app with only the seed report imported, and the default session
    /// logged in as an HQ user.
    pub async fn seeded() -> Self {
        let db = TestDb::new();
        seeded(&db);
        let app = Self::start(db, false, |_| {}).await;
        app.add_user("hq", Role::Hq, None);
        app.web.login_ok("hq", PASSWORD).await;
        app
    }

    /// The seeded app with settings changed (e.g. no Chromium); the default
    /// session is logged in as HQ.
    pub async fn seeded_with(configure: impl FnOnce(&mut Config)) -> Self {
        let db = TestDb::new();
        seeded(&db);
        let app = Self::start(db, false, configure).await;
        app.add_user("hq", Role::Hq, None);
        app.web.login_ok("hq", PASSWORD).await;
        app
    }

    /// The app on an existing database.
    pub async fn start_on(db: TestDb, demo: bool) -> Self {
        Self::start(db, demo, |_| {}).await
    }

    async fn start(db: TestDb, demo: bool, tune: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::new(&db.url).expect("config");
        config.bind = "127.0.0.1:0".into();
        config.demo = demo;
        tune(&mut config);
        let app = hyoka::Application::build(config).await.expect("app builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let accounts = app.demo_accounts.clone().unwrap_or_default();
        tokio::spawn(app.run_until_stopped());
        let pool = db.pool();
        Self {
            web: Session::new(&address),
            address,
            pool,
            db,
            accounts,
        }
    }

    /// A second, independent browser.
    pub fn session(&self) -> Session {
        Session::new(&self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.web.get(path).await
    }

    pub async fn page(&self, path: &str) -> String {
        self.web.page(path).await
    }

    /// The password of a demo account.
    pub fn password(&self, login: &str) -> String {
        self.accounts
            .iter()
            .find(|a| a.login == login)
            .unwrap_or_else(|| panic!("no demo account {login}"))
            .password
            .clone()
    }

    /// Adds an account with password `PASSWORD`.
    pub fn add_user(&self, login: &str, role: Role, department: Option<&str>) {
        let mut conn = self.pool.get().expect("conn");
        let department_id =
            department.map(|d| db::plan::department_id(&mut conn, d).expect("department"));
        db::user::insert(
            &mut conn,
            db::user::NewUser {
                login,
                display_name: login,
                role,
                department_id,
                password_hash: &hyoka::password::hash(PASSWORD).expect("hash"),
            },
        )
        .expect("user");
    }

    /// A new session logged in as a demo account.
    pub async fn login_as(&self, login: &str) -> Session {
        let s = self.session();
        s.login_ok(login, &self.password(login)).await;
        s
    }

    /// Id of the sheet of initiative (area, No.) in `year`.
    pub fn sheet_id(&self, year: i32, area: i32, number: i32) -> i32 {
        let mut conn = self.pool.get().expect("conn");
        let plan = db::plan::list(&mut conn).expect("plans").remove(0);
        db::sheet::list_for_year(&mut conn, plan.id, year)
            .expect("list")
            .into_iter()
            .find(|e| e.area_number == area && e.initiative_number == number)
            .expect("sheet")
            .sheet_id
    }

    pub fn load_sheet(&self, id: i32) -> hyoka::domain::sheet::Sheet {
        let mut conn = self.pool.get().expect("conn");
        db::sheet::load(&mut conn, id)
            .expect("load")
            .expect("sheet")
    }
}

pub const PASSWORD: &str = "correct-horse-battery";

/// One browser: its own cookies.
pub struct Session {
    pub address: String,
    pub client: reqwest::Client,
}

impl Session {
    pub fn new(address: &str) -> Self {
        Self {
            address: address.to_string(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .cookie_store(true)
                .build()
                .expect("client"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// GET a page that must answer 200; returns its HTML.
    pub async fn page(&self, path: &str) -> String {
        let resp = self.get(path).await;
        assert_eq!(resp.status().as_u16(), 200, "GET {path}");
        resp.text().await.expect("body")
    }

    /// POSTs a form as the browser would (with an Origin header).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("Origin", self.address.clone())
            .form(form)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_pairs(&self, path: &str, form: &[(String, String)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("Origin", self.address.clone())
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// The CSRF token of the page at `path`.
    pub async fn csrf(&self, path: &str) -> String {
        let html = self.page(path).await;
        csrf_of(&html)
    }

    pub async fn login(&self, login: &str, password: &str) -> reqwest::Response {
        let token = self.csrf("/login").await;
        self.post(
            "/login",
            &[
                ("csrf_token", &token),
                ("login", login),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }

    pub async fn login_ok(&self, login: &str, password: &str) {
        let resp = self.login(login, password).await;
        assert_eq!(resp.status().as_u16(), 303, "login {login}");
    }
}

/// The first csrf_token hidden input of a page.
pub fn csrf_of(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("input[name=csrf_token]").expect("selector");
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("csrf token on page")
        .to_string()
}

/// Every input of the first form matching `selector`, as a browser would post it
/// (selected options, textareas; buttons left out).
pub fn form_fields(html: &str, selector: &str) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(html);
    let form_sel = scraper::Selector::parse(selector).expect("selector");
    let form = doc.select(&form_sel).next().expect("form on page");
    let mut out = Vec::new();
    let fields = scraper::Selector::parse("input, textarea, select").expect("selector");
    for el in form.select(&fields) {
        let v = el.value();
        let Some(name) = v.attr("name") else { continue };
        match v.name() {
            "textarea" => out.push((name.to_string(), el.text().collect::<String>())),
            "select" => {
                let opt = scraper::Selector::parse("option").expect("selector");
                let options: Vec<_> = el.select(&opt).collect();
                let chosen = options
                    .iter()
                    .find(|o| o.value().attr("selected").is_some())
                    .or(options.first());
                let value = chosen
                    .map(|o| {
                        o.value()
                            .attr("value")
                            .map_or_else(|| o.text().collect(), str::to_string)
                    })
                    .unwrap_or_default();
                out.push((name.to_string(), value));
            }
            _ => {
                if v.attr("type") == Some("submit") {
                    continue;
                }
                out.push((name.to_string(), v.attr("value").unwrap_or("").to_string()));
            }
        }
    }
    out
}

/// Sets (or adds) a field in a posted form.
pub fn set(form: &mut Vec<(String, String)>, name: &str, value: &str) {
    match form.iter_mut().find(|(k, _)| k == name) {
        Some(f) => f.1 = value.to_string(),
        None => form.push((name.to_string(), value.to_string())),
    }
}

/// The visible text of an HTML page, whitespace-separated.
pub fn visible_text(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let body = scraper::Selector::parse("body").expect("selector");
    doc.select(&body)
        .flat_map(|b| b.text())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Asserts that every needle occurs in `haystack`, each after the previous one.
pub fn assert_in_order(haystack: &str, needles: &[String]) {
    let mut from = 0;
    for needle in needles {
        match haystack[from..].find(needle.as_str()) {
            Some(i) => from += i + needle.len(),
            None => panic!(
                "「{needle}」 not found after position {from} (found anywhere: {})",
                haystack.contains(needle.as_str())
            ),
        }
    }
}

/// What the seed text says on one sheet, read straight from the tab cells
/// (independently of the importer): every non-empty cell that is not a label,
/// in paper order.
pub struct ExpectedSheet {
    pub area: i32,
    pub number: i32,
    pub values: Vec<String>,
}

/// Spellings the importer unifies (DOMAIN.md, "Quirks"): sheet spelling → stored.
const UNIFIED: &[(&str, &str)] = &[
    ("D×推進課", "DX推進課"),
    ("D X推進課", "DX推進課"),
    // The list page's names are the master names.
    (
        "データ活用基盤の整備と活用促進",
        "データ活用基盤の整備・活用促進",
    ),
    (
        "多様な主体との連携によるSDGsの推進",
        "多様な主体との連携によるSDG sの推進",
    ),
];

pub fn expected_sheets() -> Vec<ExpectedSheet> {
    let mut sheets: Vec<ExpectedSheet> = Vec::new();
    let mut lines = SEED.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "取組事業点検・評価票" {
            let heading = lines
                .by_ref()
                .find(|l| !l.trim().is_empty())
                .expect("heading");
            let area: i32 = heading[1..heading.find(')').expect(")")]
                .parse()
                .expect("area number");
            let number: i32 = heading[heading.rfind("No.").expect("No.") + 3..]
                .trim()
                .parse()
                .expect("No.");
            sheets.push(ExpectedSheet {
                area,
                number,
                values: Vec::new(),
            });
            continue;
        }
        let Some(sheet) = sheets.last_mut() else {
            continue;
        };
        for cell in line.split('\t') {
            if cell.trim().is_empty() || is_label(cell) {
                continue;
            }
            let value = if cell.trim_start().starts_with("<ul") {
                html_list_lines(cell)
            } else {
                cell.to_string()
            };
            let value = UNIFIED
                .iter()
                .find(|(from, _)| *from == value)
                .map_or(value.clone(), |(_, to)| to.to_string());
            sheet.values.push(value);
        }
    }
    sheets
}

fn html_list_lines(cell: &str) -> String {
    cell.split("<li>")
        .skip(1)
        .map(|part| part.split("</li>").next().unwrap_or("").trim().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_label(cell: &str) -> bool {
    let c: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    const EXACT: &[&str] = &[
        "取組事業名",
        "関係計画名",
        "計画年数",
        "所管課",
        "関係課",
        "対象部局",
        "取組項目",
        "項目",
        "目標",
        "指標名",
        "評価方法",
        "現況値",
        "関連する取組事業",
        "特記事項",
        "取組内容",
        "上半期進捗状況",
        "所管課評価",
        "推進本部評価",
        "当初値",
    ];
    if EXACT.contains(&c.as_str()) || c.starts_with("当初値(") || c.starts_with("目標値(") {
        return true;
    }
    // 令和4年度 (schedule column)
    if c.starts_with("令和") && c.ends_with("年度") && c.chars().count() <= 5 {
        return true;
    }
    // R4実績, R6実績(上半期)
    if c.starts_with('R') && (c.ends_with("実績") || c.ends_with("実績(上半期)")) {
        return true;
    }
    let short = c.chars().count() <= 14;
    short
        && ((c.starts_with("令和")
            && ["の取組", "実施内容", "効果・影響", "の課題"]
                .iter()
                .any(|s| c.ends_with(s)))
            || c.ends_with("向けての取組")
            || c.ends_with("への取組"))
}

/// A stored sheet's non-empty values in paper order.
pub fn stored_values(sheet: &hyoka::domain::sheet::Sheet) -> Vec<String> {
    let ctx = &sheet.context;
    let c = &sheet.content;
    let mut v = vec![
        ctx.initiative_name.clone(),
        c.header.related_plan.clone(),
        c.header.plan_years.clone(),
        ctx.department.clone(),
        ctx.related_departments.join(" "),
        c.header.target_scope.clone(),
    ];
    for item in &c.action_items {
        v.push(item.text.clone());
        v.extend(
            sheet
                .schedule_years()
                .iter()
                .map(|y| item.cell(*y).to_string()),
        );
    }
    for ind in &c.indicators {
        v.push(ind.name.clone());
        v.push(ind.method.clone());
        v.extend(sheet.indicator_cells(ind).iter().map(|s| s.to_string()));
    }
    v.push(c.header.related_initiatives.clone());
    v.push(c.header.special_notes.clone());
    let b = &c.body;
    v.extend(
        [
            &b.content,
            &b.plan_for_year,
            &b.h1_actions,
            &b.h1_progress,
            &b.h2_plan,
            &b.h2_actions,
            &b.effects,
            &b.issues,
            &b.dept_evaluation,
            &b.dept_reason,
            &b.hq_evaluation,
            &b.next_year,
        ]
        .map(|s| s.to_string()),
    );
    v.retain(|s| !s.trim().is_empty());
    v
}

/// Collapses every whitespace run into one space.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
