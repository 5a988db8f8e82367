//! Test support: a fresh database per test (SQLite file, or a PostgreSQL
//! database created for the test and dropped after), and the real app served
//! on a free port.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use hyoka::db::{self, DatabaseLocation, DbPool};
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
    pub client: reqwest::Client,
    pub pool: DbPool,
    pub db: TestDb,
}

impl TestApp {
    /// The app on an empty database with the demo loaded, as `cargo run` does.
    pub async fn demo() -> Self {
        Self::start(TestDb::new(), true).await
    }

    /// The app with only the seed report imported.
    pub async fn seeded() -> Self {
        let db = TestDb::new();
        seeded(&db);
        Self::start(db, false).await
    }

    /// The seeded app with settings changed (e.g. no Chromium).
    pub async fn seeded_with(configure: impl FnOnce(&mut Config)) -> Self {
        let db = TestDb::new();
        seeded(&db);
        Self::start_with(db, false, configure).await
    }

    async fn start(db: TestDb, demo: bool) -> Self {
        Self::start_with(db, demo, |_| {}).await
    }

    async fn start_with(db: TestDb, demo: bool, configure: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::new(&db.url).expect("config");
        config.bind = "127.0.0.1:0".into();
        config.demo = demo;
        configure(&mut config);
        let app = hyoka::Application::build(config).await.expect("app builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("client");
        let pool = db.pool();
        Self {
            address,
            client,
            pool,
            db,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
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
