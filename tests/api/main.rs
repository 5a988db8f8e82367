//! The integration tests: one binary, one module per part of the app. Each
//! test starts the real app (or the `hyoka` command) on its own database,
//! copied from a template built once per run; see `support`.
//!
//! SQLite by default; set `HYOKA_TEST_DATABASE_URL=postgres://…/<existing db>`
//! to run them on PostgreSQL.
#![allow(clippy::unwrap_used)]

mod support;

mod cli;
mod drafts;
mod editing;
mod form_input;
mod import;
mod pages;
mod permissions;
mod queries;
mod report_pdf;
mod reports;
mod safety;
mod startup;
mod workflow;
