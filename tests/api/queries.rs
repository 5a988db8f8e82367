//! Showing a sheet costs a fixed number of queries, whatever its row count.
//! (This module tests `hyoka::db` itself, so it calls it directly.)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::Connection;
use hyoka::db::{self, DbConnection};
use hyoka::domain::fiscal_year::FiscalYear;
use hyoka::domain::ids::SheetId;
use hyoka::domain::sheet::{ActionItem, Indicator, Period};
use hyoka::domain::workflow::SheetStatus;

use crate::support::{Probe, TestDb};

struct CountQueries(Arc<AtomicUsize>);

impl Instrumentation for CountQueries {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn queries_to_load(conn: &mut DbConnection, id: i32) -> usize {
    let count = Arc::new(AtomicUsize::new(0));
    conn.set_instrumentation(CountQueries(count.clone()));
    let sheet = db::sheet::load(conn, SheetId(id)).unwrap().unwrap();
    conn.set_instrumentation(CountQueries(Arc::new(AtomicUsize::new(0))));
    assert_eq!(sheet.id, SheetId(id));
    count.load(Ordering::SeqCst)
}

#[test]
fn loading_a_sheet_takes_the_same_queries_for_few_and_many_rows() {
    let db = TestDb::seeded();
    let mut conn = db.connect();
    let first = conn.sheet_ids(2024)[0];
    let small = conn.load_sheet(first);

    // The same sheet with 40 取組項目 and 30 indicators, as another year.
    let mut big = small.content.clone();
    for i in 0..40 {
        big.action_items.push(ActionItem {
            text: format!("追加項目{i}"),
            schedule: vec![
                (FiscalYear(2022), "実施".into()),
                (FiscalYear(2025), "検討".into()),
            ],
        });
    }
    for i in 0..30 {
        big.indicators.push(Indicator {
            name: format!("指標{i}"),
            method: "定量".into(),
            baseline: "1件".into(),
            baseline_year: Some(FiscalYear(2020)),
            target: "9件".into(),
            target_year: FiscalYear(2025),
            values: vec![
                (FiscalYear(2022), Period::FullYear, "2件".into()),
                (FiscalYear(2023), Period::FirstHalf, "3件".into()),
            ],
            direction: None,
            status: String::new(),
        });
    }
    let big_id = db::sheet::insert(
        &mut conn,
        small.context.initiative_id,
        FiscalYear(2023),
        SheetStatus::Draft,
        &big,
    )
    .unwrap();

    let few = queries_to_load(&mut conn, first);
    let many = queries_to_load(&mut conn, big_id.0);
    assert!(few > 0);
    assert_eq!(few, many, "queries grow with rows");
    let loaded = conn.load_sheet(big_id.0);
    assert_eq!(
        loaded.content.action_items.len(),
        small.content.action_items.len() + 40
    );
    assert_eq!(
        loaded.content.indicators.len(),
        small.content.indicators.len() + 30
    );
}
