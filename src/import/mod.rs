//! Readers of outside formats. Each reader turns a file into plain data
//! (`ParsedReport`); writing it into the database is `db::import`'s job.

mod convert;
pub mod plan_book;
#[cfg(test)]
mod properties;
pub mod report_text;
pub mod sheet_book;
pub mod workbook;

pub use report_text::parse_report;

use crate::domain::field::Texts;
use crate::domain::fiscal_year::FiscalYear;

/// A refusal to read a file: the 1-based line and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}行目: {message}")]
pub struct ImportError {
    pub line: usize,
    pub message: String,
}

/// Something the file says that we accepted but a person should look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportWarning {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}行目: {}", self.line, self.message)
    }
}

/// One results report (実績報告書) as written in the text export.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedReport {
    /// e.g. 「第2次甲府市行政改革推進プラン（2022～2025）」
    pub plan_name: String,
    /// First and last fiscal year of the plan, from the 「（2022～2025）」 in its name.
    pub first_year: FiscalYear,
    pub last_year: FiscalYear,
    /// Fiscal year the report covers (令和6年度 → 2024).
    pub fiscal_year: FiscalYear,
    /// e.g. 「令和7年3月末」, kept as written.
    pub report_date: String,
    /// 推進項目 in order of the list page, titles as the list page spells them (the master).
    pub areas: Vec<ParsedArea>,
    /// Initiatives in list-page order; names as the list page spells them (the master).
    pub initiatives: Vec<ParsedInitiative>,
    /// Differences between list page and sheets, unknown spellings etc.
    pub warnings: Vec<ImportWarning>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedArea {
    pub number: i32,
    pub title: String,
}

/// A list-page row joined with its sheet (matched by area number and No.).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedInitiative {
    pub area_number: i32,
    pub number: i32,
    /// Master name (list page).
    pub name: String,
    /// 計画所管課, normalised (「D X推進課」 → 「DX推進課」).
    pub department: String,
    /// 関係課, split and normalised, in the order written. May repeat the 所管課.
    pub related_departments: Vec<String>,
    pub sheet: ParsedSheet,
}

/// One 取組事業点検・評価票 for the report's fiscal year. Text values exactly as
/// written, except HTML list cells, which become plain lines.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedSheet {
    /// Line of the 「取組事業点検・評価票」 title.
    pub line: usize,
    /// Name as the sheet spells it (may differ from the master name).
    pub name_on_sheet: String,
    /// Every text field: the header's as written on the sheet, the body's rows.
    pub texts: Texts,
    /// Fiscal years of the 取組項目 columns (令和4年度 … 令和7年度 → 2022 … 2025).
    pub schedule_years: Vec<FiscalYear>,
    pub action_items: Vec<ParsedActionItem>,
    /// Year in 「当初値 (R2)」, if any.
    pub baseline_year: Option<FiscalYear>,
    /// Years of the 「R4実績」… columns, in order.
    pub actual_years: Vec<FiscalYear>,
    /// Year in 「目標値 (R7)」.
    pub target_year: FiscalYear,
    pub indicators: Vec<ParsedIndicator>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedActionItem {
    /// 項目 text as written, e.g. 「①管理監督職によるマネジメント体制の確立」.
    pub text: String,
    /// One cell per `schedule_years`, "" where blank.
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedIndicator {
    pub name: String,
    /// 評価方法: 定量 / 定性.
    pub method: String,
    pub baseline: String,
    /// One per `actual_years`.
    pub actuals: Vec<String>,
    /// The report year's 上半期 actual.
    pub half_year: String,
    /// 現況値.
    pub current: String,
    /// 目標値.
    pub target: String,
}
