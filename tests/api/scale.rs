//! At the size of a prefecture (`hyoka::generate`): the year's book binds
//! every one of 2,000 sheets, and a page costs the same number of queries
//! with 12 sheets in the database as with hundreds. Nothing here is timed;
//! the benchmark (`bench/run.sh`) measures speed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use hyoka::db::DatabaseLocation;
use hyoka::generate::{generate, Generated, Size, CURRENT_YEAR};

use crate::support::database::demo_accounts;
use crate::support::{Client, TestApp, TestDb};

const PASSWORD: &str = "generated-accounts-password";

/// Writes a generated plan into `db` (whose app may be running).
fn generate_into(db: &TestDb, sheets: usize) -> Generated {
    let hash = hyoka::password::hash(PASSWORD).expect("hash");
    let size = Size {
        sheets,
        years: 1,
        seed: 7,
    };
    generate(&mut db.connect(), size, &hash).expect("generate")
}

#[tokio::test]
async fn the_book_of_2000_generated_sheets_binds_every_sheet() {
    let db = TestDb::demo();
    let made = generate_into(&db, 2000);
    assert_eq!(made.sheets, 2000);
    let app = TestApp::init().on(db).spawn().await;
    let hq = app.anonymous();
    hq.login_ok(&made.hq_login, PASSWORD).await;

    let started = Instant::now();
    let resp = hq
        .get(&format!(
            "/reports/{}?plan={}&include_drafts=1",
            CURRENT_YEAR.0, made.plan_id
        ))
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    let html = resp.text().await.expect("the whole book");
    // Not asserted: a test never asserts a time. Seen for the README.
    eprintln!(
        "book of 2000 sheets: {} bytes in {:?}",
        html.len(),
        started.elapsed()
    );
    assert_eq!(html.matches("<article class=\"sheet").count(), 2000);
    assert!(html.contains("（2000）"), "the last initiative is bound");
    assert!(html.trim_end().ends_with("</html>"), "the book is complete");
    // The book is streamed a few sheets at a time: every sheet comes once,
    // in the order of the 取組事業一覧, and the list comes before them all.
    let listed: Vec<&str> = ids_after(&html, "<a href=\"#");
    let bound: Vec<&str> = ids_after(&html, "\" id=\"");
    let bound: Vec<&str> = bound.into_iter().filter(|id| listed.contains(id)).collect();
    assert_eq!(listed.len(), 2000);
    assert_eq!(listed, bound, "the sheets follow the list, each once");
}

/// The `sheet-N` names that follow each `marker` in the page, in order.
fn ids_after<'a>(html: &'a str, marker: &str) -> Vec<&'a str> {
    html.match_indices(marker)
        .map(|(i, _)| &html[i + marker.len()..])
        .filter(|rest| rest.starts_with("sheet-"))
        .map(|rest| &rest[..rest.find('"').unwrap_or(rest.len())])
        .collect()
}

// ---- counting the queries the running server makes ----

/// Query counters per database (the URL each connection is opened with).
fn watched() -> &'static Mutex<HashMap<String, Arc<AtomicUsize>>> {
    static WATCHED: OnceLock<Mutex<HashMap<String, Arc<AtomicUsize>>>> = OnceLock::new();
    WATCHED.get_or_init(Default::default)
}

/// Counts the queries of a connection to a watched database; every other
/// connection of the test binary counts nothing.
struct Watch(Option<Arc<AtomicUsize>>);

impl Instrumentation for Watch {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartEstablishConnection { url, .. } => {
                let watched = watched().lock().unwrap_or_else(|e| e.into_inner());
                self.0 = watched.get(url).cloned();
            }
            InstrumentationEvent::StartQuery { .. } => {
                if let Some(count) = &self.0 {
                    count.fetch_add(1, Ordering::SeqCst);
                }
            }
            _ => {}
        }
    }
}

fn watch(db: &TestDb) -> Arc<AtomicUsize> {
    fn new_watch() -> Option<Box<dyn Instrumentation>> {
        Some(Box::new(Watch(None)))
    }
    diesel::connection::set_default_instrumentation(new_watch).expect("instrumentation");
    let url = match db.location() {
        DatabaseLocation::Sqlite(path) => path.to_string_lossy().into_owned(),
        DatabaseLocation::Postgres(url) => url,
    };
    let count = Arc::new(AtomicUsize::new(0));
    watched()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(url, count.clone());
    count
}

/// Queries the server makes for one page, asked by a browser that has just
/// logged in (so the session's 'last seen' is fresh and not written again).
async fn queries_for(app: &TestApp, count: &AtomicUsize, login: &str, path: &str) -> usize {
    let password = demo_accounts()
        .iter()
        .find(|a| a.login == login)
        .map(|a| a.password.clone())
        .expect("demo account");
    let browser: Client = app.anonymous();
    browser.login_ok(login, &password).await;
    let before = count.load(Ordering::SeqCst);
    let resp = browser.get(path).await;
    assert_eq!(resp.status().as_u16(), 200, "{path}");
    let _ = resp.text().await;
    count.load(Ordering::SeqCst) - before
}

#[tokio::test]
async fn a_page_costs_the_same_queries_with_12_sheets_as_with_hundreds() {
    let db = TestDb::demo();
    let count = watch(&db);
    let app = TestApp::init().on(db).spawn().await;
    // 職員課's (1) No.1 of the year being written.
    let sheet = app.sheet_id(CURRENT_YEAR.0, 1, 1);
    let pages = [
        ("shokuin", format!("/sheets/{sheet}")),
        ("shokuin", format!("/sheets/{sheet}/edit")),
        ("honbu", format!("/sheets/{sheet}")),
        ("shokuin", "/sheets".to_string()),
        ("honbu", "/".to_string()),
    ];
    let mut few = Vec::new();
    for (login, path) in &pages {
        few.push(queries_for(&app, &count, login, path).await);
    }

    generate_into(app.db(), 500);

    for ((login, path), before) in pages.iter().zip(few) {
        let after = queries_for(&app, &count, login, path).await;
        eprintln!("{path}: {before} queries, {after} with 500 more sheets");
        assert!(before > 0, "{path} was counted");
        assert_eq!(
            before, after,
            "{path}: {before} queries with 12 sheets, {after} with 500 more"
        );
    }
}
