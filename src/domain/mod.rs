//! Pure types and rules of the 点検・評価票: no HTTP, no SQL.

pub mod account;
pub mod audit;
pub mod change;
mod coded;
pub mod department;
pub mod draft;
pub mod field;
pub mod fiscal_year;
pub mod form;
pub mod ids;
pub mod indicator;
pub mod measure;
pub mod notice;
pub mod permission;
pub mod round;
pub mod session;
pub mod sheet;
pub mod slot;
pub mod text;
pub mod throttle;
pub mod workflow;
