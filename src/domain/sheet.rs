//! The 取組事業点検・評価票: everything printed on one sheet, and the rules that
//! lay it out (column and row labels depend on the sheet's fiscal year).

use super::coded::coded_enum;
use super::field::{Field, HeaderSlot, Texts};
use super::fiscal_year::{short, FiscalYear};
use super::ids::{DepartmentId, IndicatorId, InitiativeId, PlanId, SheetId};
use super::indicator::Direction;
use super::workflow::SheetStatus;

coded_enum! {
    /// Which value of an indicator a cell holds for a fiscal year.
    #[derive(PartialOrd, Ord)]
    pub enum Period {
        FirstHalf = ("h1", "上半期実績"),
        /// Shown as 「R5実績」 on later sheets.
        FullYear = ("year", "通年実績"),
        /// At the end of the year.
        Current = ("current", "現況値"),
    }
}

/// The plan, focus area and initiative a sheet belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetContext {
    pub plan_name: String,
    pub plan_first_year: FiscalYear,
    pub plan_last_year: FiscalYear,
    pub area_number: i32,
    pub area_title: String,
    pub plan_id: PlanId,
    pub initiative_id: InitiativeId,
    pub initiative_number: i32,
    pub initiative_name: String,
    /// 所管課
    pub department_id: DepartmentId,
    pub department: String,
    /// 関係課, in the order written.
    pub related_department_ids: Vec<DepartmentId>,
    pub related_departments: Vec<String>,
}

/// One 取組項目 row with its schedule cell per plan year.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionItem {
    pub text: String,
    /// (fiscal year, value) in year order; blank cells are absent.
    pub schedule: Vec<(FiscalYear, String)>,
}

impl ActionItem {
    pub fn cell(&self, fiscal_year: FiscalYear) -> &str {
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
    pub baseline_year: Option<FiscalYear>,
    pub target: String,
    pub target_year: FiscalYear,
    /// (fiscal year, period, text), sorted.
    pub values: Vec<(FiscalYear, Period, String)>,
    /// Set by the department or HQ; None = proposed from 当初値 and 目標値
    /// (`indicator::direction_of`).
    pub direction: Option<Direction>,
    /// A 定性 indicator's status for the sheet's year, from the
    /// 「定性の状況」 choice list; empty = not chosen.
    pub status: String,
}

impl Indicator {
    pub fn value(&self, fiscal_year: FiscalYear, period: Period) -> &str {
        self.values
            .iter()
            .find(|(y, p, _)| *y == fiscal_year && *p == period)
            .map_or("", |(_, _, v)| v.as_str())
    }
}

/// What a department writes for one year: compared as a whole on re-import.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SheetContent {
    /// Every text field of the registry.
    pub texts: Texts,
    pub action_items: Vec<ActionItem>,
    pub indicators: Vec<Indicator>,
}

/// A stored sheet with its context.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub id: SheetId,
    pub fiscal_year: FiscalYear,
    pub status: SheetStatus,
    pub version: i32,
    pub context: SheetContext,
    pub content: SheetContent,
    /// Stored id of each indicator, parallel to `content.indicators`.
    pub indicator_ids: Vec<IndicatorId>,
    /// HQ's reason when it last returned or reopened the sheet.
    pub return_reason: String,
}

/// 「(1) 働き方改革の推進 No.1」
pub fn heading(area_number: i32, area_title: &str, number: i32) -> String {
    format!("({area_number}) {area_title} No.{number}")
}

impl Sheet {
    /// 取組事業名 as written on this year's sheet; the master name where the
    /// sheet has none of its own.
    pub fn name(&self) -> &str {
        match self.content.texts.slot(HeaderSlot::InitiativeName) {
            "" => &self.context.initiative_name,
            written => written,
        }
    }

    pub fn heading(&self) -> String {
        heading(
            self.context.area_number,
            &self.context.area_title,
            self.context.initiative_number,
        )
    }

    /// Plan years shown as 取組項目 columns.
    pub fn schedule_years(&self) -> Vec<FiscalYear> {
        FiscalYear::span(self.context.plan_first_year, self.context.plan_last_year).collect()
    }

    /// Years whose full-year actual has its own 目標 column: from the plan's first
    /// year up to the year before the sheet's.
    pub fn actual_years(&self) -> Vec<FiscalYear> {
        FiscalYear::until(self.context.plan_first_year, self.fiscal_year).collect()
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

    /// Whether any indicator holds the year's own full-year actual (typed at
    /// 年度末 as 「R7実績(通年)」). The official form has no such column; the
    /// sheet shows it only when something was written there, so nothing a
    /// department typed is invisible and a sheet without it keeps the paper layout.
    pub fn shows_full_year(&self) -> bool {
        self.content
            .indicators
            .iter()
            .any(|i| !i.value(self.fiscal_year, Period::FullYear).is_empty())
    }

    /// Column labels of the 目標 table after 指標名 and 評価方法: 当初値, one
    /// 実績 per plan year before the sheet's, the year's 上半期 actual, 現況値,
    /// the year's 通年 actual (only when written), 目標値.
    pub fn indicator_columns(&self) -> Vec<String> {
        let mut cols = vec![self.baseline_label()];
        cols.extend(
            self.actual_years()
                .into_iter()
                .map(|y| format!("{}実績", short(y))),
        );
        cols.push(format!("{}実績(上半期)", short(self.fiscal_year)));
        cols.push("現況値".to_string());
        if self.shows_full_year() {
            cols.push(format!("{}実績(通年)", short(self.fiscal_year)));
        }
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
        if self.shows_full_year() {
            cells.push(indicator.value(self.fiscal_year, Period::FullYear));
        }
        cells.push(indicator.target.as_str());
        cells
    }

    /// The body rows in paper order, from the registry: a field placed beside
    /// another shares its row; a field printed only when written is left out
    /// while empty.
    pub fn body_rows(&self) -> Vec<BodyRow<'_>> {
        let texts = &self.content.texts;
        Field::all()
            .filter(|f| f.has_body_row(texts))
            .map(|f| BodyRow {
                field: f,
                label: f.label(self.fiscal_year),
                text: texts.get(f),
                beside: f.beside().map(|b| b.printed(texts.get(b))),
            })
            .collect()
    }
}

pub struct BodyRow<'a> {
    pub field: Field,
    pub label: String,
    pub text: &'a str,
    /// The third cell, for a row with a field beside it (「(理由) …」).
    pub beside: Option<String>,
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
pub fn carry_forward(prev: &SheetContent, prev_year: FiscalYear) -> SheetContent {
    let indicators = prev
        .indicators
        .iter()
        .map(|ind| {
            let mut ind = ind.clone();
            // Each year states its own status.
            ind.status.clear();
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
    let mut texts = Texts::default();
    for field in Field::all().filter(|f| f.def().carried_forward) {
        texts.set(field, prev.texts.get(field));
    }
    SheetContent {
        texts,
        action_items: prev.action_items.clone(),
        indicators,
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

    /// A field by its label on a 令和6年度 sheet.
    fn field(label: &str) -> Field {
        Field::from_label(label, FiscalYear(2024))
            .unwrap()
            .expect(label)
    }

    #[test]
    fn carry_forward_copies_structure_and_past_values_and_blanks_the_year() {
        let mut texts = Texts::default();
        texts.set(field("関係計画名"), "計画");
        texts.set(field("取組内容"), "取組内容");
        texts.set(field("令和6年度上半期の取組"), "上半期");
        texts.set(field("推進本部評価"), "継続推進");
        let prev = SheetContent {
            texts,
            action_items: vec![ActionItem {
                text: "①項目".into(),
                schedule: vec![(FiscalYear(2024), "実施".into())],
            }],
            indicators: vec![Indicator {
                name: "指標".into(),
                values: vec![
                    (FiscalYear(2023), Period::FullYear, "5件".into()),
                    (FiscalYear(2024), Period::FirstHalf, "2件".into()),
                    (FiscalYear(2024), Period::Current, "6件".into()),
                ],
                direction: Some(Direction::Decrease),
                ..Default::default()
            }],
        };
        let next = carry_forward(&prev, FiscalYear(2024));
        assert_eq!(next.texts.get(field("関係計画名")), "計画");
        assert_eq!(next.indicators[0].direction, Some(Direction::Decrease));
        assert_eq!(next.action_items, prev.action_items);
        assert_eq!(
            next.indicators[0].value(FiscalYear(2024), Period::FullYear),
            "6件"
        );
        assert_eq!(
            next.indicators[0].value(FiscalYear(2023), Period::FullYear),
            "5件"
        );
        assert_eq!(next.texts.get(field("取組内容")), "取組内容");
        assert_eq!(next.texts.get(field("令和6年度上半期の取組")), "");
        assert_eq!(next.texts.get(field("推進本部評価")), "");
    }
}
