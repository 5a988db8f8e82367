//! The 取組事業点検・評価票: everything printed on one sheet, and the rules that
//! lay it out (column and row labels depend on the sheet's fiscal year).

use super::fiscal_year::{era_name, short};
use super::workflow::SheetStatus;

/// Which value of an indicator a cell holds for a fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// 上半期実績
    FirstHalf,
    /// 通年実績 (shown as 「R5実績」 on later sheets)
    FullYear,
    /// 現況値 at the end of the year
    Current,
}

impl Period {
    pub fn code(self) -> &'static str {
        match self {
            Period::FirstHalf => "h1",
            Period::FullYear => "year",
            Period::Current => "current",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Period::FirstHalf, Period::FullYear, Period::Current]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

/// The plan, focus area and initiative a sheet belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetContext {
    pub plan_name: String,
    pub plan_first_year: i32,
    pub plan_last_year: i32,
    pub area_number: i32,
    pub area_title: String,
    pub plan_id: i32,
    pub initiative_id: i32,
    pub initiative_number: i32,
    pub initiative_name: String,
    /// 所管課
    pub department_id: i32,
    pub department: String,
    /// 関係課, in the order written.
    pub related_department_ids: Vec<i32>,
    pub related_departments: Vec<String>,
}

/// Header text fields, as the department wrote them that year.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SheetHeader {
    /// 関係計画名
    pub related_plan: String,
    /// 計画年数
    pub plan_years: String,
    /// 対象部局
    pub target_scope: String,
    /// 関連する取組事業
    pub related_initiatives: String,
    /// 特記事項
    pub special_notes: String,
}

/// One 取組項目 row with its schedule cell per plan year.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionItem {
    pub text: String,
    /// (fiscal year, value) in year order; blank cells are absent.
    pub schedule: Vec<(i32, String)>,
}

impl ActionItem {
    pub fn cell(&self, fiscal_year: i32) -> &str {
        self.schedule
            .iter()
            .find(|(y, _)| *y == fiscal_year)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// One 目標 row. Values are text exactly as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Indicator {
    pub name: String,
    /// 評価方法: 定量 / 定性
    pub method: String,
    pub baseline: String,
    pub baseline_year: Option<i32>,
    pub target: String,
    pub target_year: i32,
    /// (fiscal year, period, text), sorted.
    pub values: Vec<(i32, Period, String)>,
}

impl Indicator {
    pub fn value(&self, fiscal_year: i32, period: Period) -> &str {
        self.values
            .iter()
            .find(|(y, p, _)| *y == fiscal_year && *p == period)
            .map_or("", |(_, _, v)| v.as_str())
    }
}

/// The body rows, label column on the left.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SheetBody {
    pub content: String,
    pub plan_for_year: String,
    pub h1_actions: String,
    pub h1_progress: String,
    pub h2_plan: String,
    pub h2_actions: String,
    pub effects: String,
    pub issues: String,
    pub dept_evaluation: String,
    /// Kept as written, with its 「(理由)」 prefix where the department wrote one.
    pub dept_reason: String,
    pub hq_evaluation: String,
    pub hq_comment: String,
    pub next_year: String,
}

/// What a department writes for one year: compared as a whole on re-import.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SheetContent {
    pub header: SheetHeader,
    pub action_items: Vec<ActionItem>,
    pub indicators: Vec<Indicator>,
    pub body: SheetBody,
}

/// A stored sheet with its context.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub id: i32,
    pub fiscal_year: i32,
    pub status: SheetStatus,
    pub version: i32,
    pub context: SheetContext,
    pub content: SheetContent,
    /// Stored id of each indicator, parallel to `content.indicators`.
    pub indicator_ids: Vec<i32>,
    /// HQ's reason when it last returned or reopened the sheet.
    pub return_reason: String,
}

/// 「(1) 働き方改革の推進 No.1」
pub fn heading(area_number: i32, area_title: &str, number: i32) -> String {
    format!("({area_number}) {area_title} No.{number}")
}

impl Sheet {
    pub fn heading(&self) -> String {
        heading(
            self.context.area_number,
            &self.context.area_title,
            self.context.initiative_number,
        )
    }

    /// Plan years shown as 取組項目 columns.
    pub fn schedule_years(&self) -> Vec<i32> {
        (self.context.plan_first_year..=self.context.plan_last_year).collect()
    }

    /// Years whose full-year actual has its own 目標 column: from the plan's first
    /// year up to the year before the sheet's.
    pub fn actual_years(&self) -> Vec<i32> {
        (self.context.plan_first_year..self.fiscal_year).collect()
    }

    /// 「当初値(R2)」 when every indicator has the same baseline year, else 「当初値」.
    pub fn baseline_label(&self) -> String {
        let mut years = self.content.indicators.iter().map(|i| i.baseline_year);
        match years.next() {
            Some(Some(first)) if years.all(|y| y == Some(first)) => {
                format!("当初値({})", short(first))
            }
            _ => "当初値".to_string(),
        }
    }

    /// 「目標値(R7)」: the indicators' target year, the plan's last year by default.
    pub fn target_label(&self) -> String {
        let year = self
            .content
            .indicators
            .first()
            .map_or(self.context.plan_last_year, |i| i.target_year);
        format!("目標値({})", short(year))
    }

    /// Column labels of the 目標 table after 指標名 and 評価方法.
    pub fn indicator_columns(&self) -> Vec<String> {
        let mut cols = vec![self.baseline_label()];
        cols.extend(
            self.actual_years()
                .into_iter()
                .map(|y| format!("{}実績", short(y))),
        );
        cols.push(format!("{}実績(上半期)", short(self.fiscal_year)));
        cols.push("現況値".to_string());
        cols.push(self.target_label());
        cols
    }

    /// Cells of one 目標 row, in the order of `indicator_columns`.
    pub fn indicator_cells<'a>(&self, indicator: &'a Indicator) -> Vec<&'a str> {
        let mut cells = vec![indicator.baseline.as_str()];
        cells.extend(
            self.actual_years()
                .into_iter()
                .map(|y| indicator.value(y, Period::FullYear)),
        );
        cells.push(indicator.value(self.fiscal_year, Period::FirstHalf));
        cells.push(indicator.value(self.fiscal_year, Period::Current));
        cells.push(indicator.target.as_str());
        cells
    }

    /// The body rows in paper order: (label, text).
    pub fn body_rows(&self) -> Vec<BodyRow<'_>> {
        let fy = era_name(self.fiscal_year);
        let b = &self.content.body;
        vec![
            BodyRow::new("取組内容".into(), &b.content),
            BodyRow::new(format!("{fy}の実施内容"), &b.plan_for_year),
            BodyRow::new(format!("{fy}上半期の取組"), &b.h1_actions),
            BodyRow::new("上半期進捗状況".into(), &b.h1_progress),
            BodyRow::new("下半期への取組".into(), &b.h2_plan),
            BodyRow::new(format!("{fy}下半期の取組"), &b.h2_actions),
            BodyRow::new(format!("{fy}の効果・影響"), &b.effects),
            BodyRow::new(format!("{fy}の課題"), &b.issues),
            BodyRow {
                label: "所管課評価".into(),
                text: &b.dept_evaluation,
                reason: Some(reason_with_prefix(&b.dept_reason)),
            },
            BodyRow::new("推進本部評価".into(), &b.hq_evaluation),
            BodyRow::new("次年度への取組".into(), &b.next_year),
        ]
    }
}

pub struct BodyRow<'a> {
    pub label: String,
    pub text: &'a str,
    /// Only 所管課評価 has the third cell, 「(理由) …」.
    pub reason: Option<String>,
}

impl<'a> BodyRow<'a> {
    fn new(label: String, text: &'a str) -> Self {
        Self {
            label,
            text,
            reason: None,
        }
    }
}

/// The reason as printed: kept as written when it carries its 「(理由)」 label,
/// labelled otherwise; empty stays empty.
pub fn reason_with_prefix(reason: &str) -> String {
    let trimmed = reason.trim_start();
    if trimmed.is_empty() || trimmed.starts_with("(理由)") || trimmed.starts_with("（理由）")
    {
        reason.to_string()
    } else {
        format!("(理由) {reason}")
    }
}

/// Lines of a text cell as the paper shows them: explicit line breaks, and a new
/// line before a list marker (①…⑳, ●, ・) that follows a space — the exported
/// text lost the sheet's line breaks there. The stored text is not changed.
pub fn display_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let mut current = String::new();
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            if c.is_whitespace() {
                if let Some(&next) = chars.peek() {
                    if is_list_marker(next) && !current.trim().is_empty() {
                        lines.push(std::mem::take(&mut current));
                        continue;
                    }
                }
            }
            current.push(c);
        }
        lines.push(current);
    }
    lines
}

fn is_list_marker(c: char) -> bool {
    ('①'..='⑳').contains(&c) || c == '●' || c == '・'
}

/// Next year's sheet from this year's: header, 取組項目, indicators and their
/// past values copied; the year's own texts left blank. The year's 現況値
/// becomes its full-year actual (the 「R6実績」 column of the R7 sheet) unless one
/// was recorded.
pub fn carry_forward(prev: &SheetContent, prev_year: i32) -> SheetContent {
    let indicators = prev
        .indicators
        .iter()
        .map(|ind| {
            let mut ind = ind.clone();
            let has_full_year = ind
                .values
                .iter()
                .any(|(y, p, _)| *y == prev_year && *p == Period::FullYear);
            if !has_full_year {
                let current = ind.value(prev_year, Period::Current).to_string();
                if !current.is_empty() {
                    ind.values.push((prev_year, Period::FullYear, current));
                    ind.values.sort_by_key(|(y, p, _)| (*y, *p));
                }
            }
            ind
        })
        .collect();
    SheetContent {
        header: prev.header.clone(),
        action_items: prev.action_items.clone(),
        indicators,
        body: SheetBody {
            // 取組内容 describes the initiative over the whole plan.
            content: prev.body.content.clone(),
            ..SheetBody::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_before_markers_after_space() {
        assert_eq!(
            display_lines("①周知する。 ②分析する。 ・ 他市の事例"),
            vec!["①周知する。", "②分析する。", "・ 他市の事例"]
        );
        assert_eq!(display_lines("検討・実施"), vec!["検討・実施"]);
        assert_eq!(display_lines("a\nb"), vec!["a", "b"]);
        assert_eq!(display_lines(""), vec![""]);
    }

    #[test]
    fn carry_forward_copies_structure_and_past_values_and_blanks_the_year() {
        let prev = SheetContent {
            header: SheetHeader {
                related_plan: "計画".into(),
                ..Default::default()
            },
            action_items: vec![ActionItem {
                text: "①項目".into(),
                schedule: vec![(2024, "実施".into())],
            }],
            indicators: vec![Indicator {
                name: "指標".into(),
                values: vec![
                    (2023, Period::FullYear, "5件".into()),
                    (2024, Period::FirstHalf, "2件".into()),
                    (2024, Period::Current, "6件".into()),
                ],
                ..Default::default()
            }],
            body: SheetBody {
                content: "取組内容".into(),
                h1_actions: "上半期".into(),
                hq_evaluation: "継続推進".into(),
                ..Default::default()
            },
        };
        let next = carry_forward(&prev, 2024);
        assert_eq!(next.header, prev.header);
        assert_eq!(next.action_items, prev.action_items);
        assert_eq!(next.indicators[0].value(2024, Period::FullYear), "6件");
        assert_eq!(next.indicators[0].value(2023, Period::FullYear), "5件");
        assert_eq!(next.body.content, "取組内容");
        assert_eq!(next.body.h1_actions, "");
        assert_eq!(next.body.hq_evaluation, "");
    }

    #[test]
    fn reason_prefix() {
        assert_eq!(reason_with_prefix("(理由) x"), "(理由) x");
        assert_eq!(reason_with_prefix("（理由）x"), "（理由）x");
        assert_eq!(reason_with_prefix("x"), "(理由) x");
        assert_eq!(reason_with_prefix(""), "");
    }
}
