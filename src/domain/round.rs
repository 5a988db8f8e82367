//! Reporting rounds: 上半期 (mid-year) and 年度末 (year-end). Which fields a
//! round lets the department write is in the field registry (`field.rs`).

use super::coded::coded_enum;

coded_enum! {
    /// The two reporting rounds of a fiscal year.
    pub enum RoundKind {
        FirstHalf = ("h1", "上半期"),
        YearEnd = ("year_end", "年度末"),
    }
}

coded_enum! {
    /// Whether a round accepts sheets.
    pub enum RoundStatus {
        Open = ("open", "受付中"),
        Closed = ("closed", "終了"),
    }
}
