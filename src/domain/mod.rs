//! Pure types and rules of the 点検・評価票: no HTTP, no SQL.

pub mod department;
pub mod fiscal_year;
pub mod measure;
pub mod sheet;
pub mod workflow;
