//! The results report (実績報告書) and the printed sheet: view data for the
//! templates, the book, PDF through headless Chromium, and the Excel and CSV
//! exports. No HTTP and no SQL here: `web::reports` serves these, `db::report`
//! loads their data.

pub mod book;
pub mod csv;
pub mod indicators;
pub mod pdf;
pub mod plan_book;
pub mod tables;
pub mod view;
pub mod xlsx;
