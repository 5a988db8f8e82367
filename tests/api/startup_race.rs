//! Two servers started together on one empty database (issue 9, point 12):
//! on PostgreSQL one of them exited (`duplicate key value violates unique
//! constraint "pg_type_typname_nsp_index"`, 6 of 6 trials) because both
//! created the tables at once. Now setting up takes turns, the demo included,
//! on both databases.

use hyoka::{Application, Config};

use crate::support::{Probe, TestDb};

fn config(db: &TestDb) -> Config {
    let mut config = Config::new(db.url()).unwrap();
    config.bind = "127.0.0.1:0".into();
    config.demo = true;
    config
}

#[tokio::test]
async fn two_servers_starting_together_on_an_empty_database_both_start() {
    // A few fresh databases: one race may by chance not overlap.
    for _ in 0..3 {
        let db = TestDb::empty();
        let (one, two) = tokio::join!(
            Application::build(config(&db)),
            Application::build(config(&db))
        );
        let (one, two) = (one.expect("first server"), two.expect("second server"));
        // The demo went in once: one server loaded it, the other found data.
        let loaded: Vec<_> = [&one, &two]
            .iter()
            .filter_map(|app| app.demo_accounts.clone())
            .collect();
        assert_eq!(loaded.len(), 1, "exactly one server loaded the demo");
        let mut conn = db.connect();
        assert_eq!(conn.user_count(), loaded[0].len() as i64);
        assert_eq!(conn.years(), [2025, 2024]);
        assert_eq!(conn.sheet_ids(2025).len(), 12);
    }
}
