//! The demo a new user meets: the customer's finished 令和6年度 report, and
//! 令和7年度 sheets carried forward from it with the 上半期 round open.

use crate::db::{self, DbConnection, DbError};
use crate::import::parse_report;

/// The customer's report (kept unedited as a test fixture).
pub const SEED_REPORT: &str = include_str!("../tests/fixtures/kofu_r6_report.txt");

/// Loads the demo into an empty database; does nothing when the database has
/// a plan already. Returns whether it loaded.
pub fn load_if_empty(conn: &mut DbConnection) -> Result<bool, DbError> {
    db::write_tx(conn, |conn| {
        if !db::plan::is_empty(conn)? {
            return Ok(false);
        }
        load(conn)?;
        Ok(true)
    })
}

fn load(conn: &mut DbConnection) -> Result<(), DbError> {
    let report = parse_report(SEED_REPORT).map_err(|e| DbError::Config(e.to_string()))?;
    let summary = db::import::import_report(conn, &report, "demo")?;
    db::sheet::carry_forward_year(conn, summary.plan_id, report.fiscal_year, "demo")?;
    let deadline = chrono::Local::now().date_naive() + chrono::Days::new(30);
    db::plan::open_round(
        conn,
        summary.plan_id,
        report.fiscal_year + 1,
        "h1",
        Some(deadline),
    )
}
