//! The integration tests: one binary, one module per part of the app. Each
//! test starts the real app (or the `hyoka` command) on its own database,
//! copied from a template built once per run; see `support`.
//!
//! SQLite by default; set `HYOKA_TEST_DATABASE_URL=postgres://…/<existing db>`
//! to run them on PostgreSQL.
#![allow(clippy::unwrap_used)]

mod support;

mod access_log;
mod account;
mod administration;
mod area_opinions;
mod browser;
mod cache_headers;
mod cli;
mod comments;
mod csv_injection;
mod drafts;
mod editing;
mod first_run;
mod form_input;
mod home;
mod import;
mod indicators;
mod kept_pages;
mod login;
mod mail;
mod opinions;
mod pages;
mod pdf_limit;
mod permissions;
mod plan_book;
mod plan_changes;
mod queries;
mod report_access;
mod report_pdf;
mod reports;
mod safety;
mod scale;
mod sessions;
mod sheet_book;
mod startup;
mod startup_race;
mod workflow;
