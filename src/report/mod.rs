//! The results report (実績報告書) and the printed sheet: view data for the
//! templates, the book, and PDF through headless Chromium. No HTTP and no SQL
//! here: `web::reports` serves these, `db::report` loads their data.

pub mod book;
pub mod pdf;
pub mod view;
