//! Test support: the real app on a free port over a database copied from a
//! template ([`TestApp`], [`TestDb`]), browsers with one helper per route
//! ([`Client`]), reading pages and forms ([`html`]), the seed's expected
//! values ([`seed`]), and the few direct looks into the database ([`Probe`]).
//!
//! ```ignore
//! let app = TestApp::spawn().await;                 // the demo, as `cargo run` leaves it
//! let staff = app.staff_of("職員課").await;
//! let hq = app.login_as(Role::Hq).await;
//! let id = app.sheet_id(2025, 1, 1);
//! staff.fill_and_submit(id, &[("h1_progress", "順調")]).await;
//! hq.return_sheet(id, "根拠を追記してください。").await;
//! assert_eq!(app.conn().status(id), SheetStatus::Returned);
//! ```
#![allow(dead_code)]

pub mod app;
pub mod browser;
pub mod chromium;
pub mod cli;
pub mod client;
pub mod clock;
pub mod database;
pub mod html;
pub mod probe;
pub mod seed;
pub mod skip;
pub mod smtp;

pub use app::TestApp;
pub use client::{assert_redirect, location, Client, EDIT_FORM};
pub use clock::TestClock;
pub use database::TestDb;
pub use html::{
    assert_in_order, attr_of, count, csrf_of, field_value, squash, text_of, visible_text, Form,
};
pub use probe::{field, sheet_text, Probe};
pub use seed::{expected_sheets, seed_report, stored_values, SEED};
