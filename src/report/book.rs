//! The year's book as printed: cover, 取組事業一覧 grouped by 推進項目, then
//! every sheet in list order; and the CSS that gives each sheet its running
//! header.

use super::indicators::{chart, Chart};
use super::view::{page_name, SheetView};
use crate::db::report::{BookData, RunningHead};
use crate::domain::field::HeaderSlot;
use crate::domain::fiscal_year::{era_name, year_end_label, FiscalYear};
use crate::domain::ids::{PlanId, SheetId};
use crate::domain::indicator::direction_of;
use crate::domain::sheet::Sheet;

pub struct ListRowView {
    pub sheet_id: SheetId,
    pub number: i32,
    pub name: String,
    pub department: String,
    /// Merged cell: shown on the first of consecutive rows with the same plan.
    pub related_plan: Option<(String, usize)>,
    pub draft: bool,
}

/// One opinion of the appendix 「推進委員会意見と対応」.
pub struct OpinionView {
    /// 「No.3 取組事業名」, or 「推進項目全体」.
    pub subject: String,
    pub department: String,
    pub opinion: super::view::Text,
    pub reply: super::view::Text,
    /// No reply written yet (「未記入」).
    pub reply_empty: bool,
    pub closed: bool,
}

pub struct OpinionArea {
    pub heading: String,
    pub items: Vec<OpinionView>,
}

/// The appendix's opinions grouped under their 推進項目.
fn opinion_areas(lines: Vec<crate::db::report::OpinionLine>) -> Vec<OpinionArea> {
    let mut areas: Vec<OpinionArea> = Vec::new();
    for l in lines {
        let heading = format!("({}) {}", l.area_number, l.area_title);
        if areas.last().map(|a| &a.heading) != Some(&heading) {
            areas.push(OpinionArea {
                heading,
                items: Vec::new(),
            });
        }
        if let Some(area) = areas.last_mut() {
            area.items.push(OpinionView {
                subject: l
                    .initiative
                    .map_or("推進項目全体".to_string(), |(n, name)| {
                        format!("No.{n} {name}")
                    }),
                department: l.department,
                reply_empty: l.reply.trim().is_empty(),
                opinion: super::view::Text::new(&l.opinion),
                reply: super::view::Text::new(&l.reply),
                closed: l.closed,
            });
        }
    }
    areas
}

pub struct ListArea {
    pub heading: String,
    pub rows: Vec<ListRowView>,
}

pub struct BookView {
    pub plan_id: PlanId,
    pub plan_name: String,
    pub fiscal_year: FiscalYear,
    /// 「令和6年度実績報告書」
    pub title: String,
    /// 「令和7年3月末」
    pub date: String,
    pub include_drafts: bool,
    pub left_out: usize,
    pub areas: Vec<ListArea>,
    /// The appendix 「推進委員会意見と対応」; None when not chosen.
    pub opinions: Option<Vec<OpinionArea>>,
}

/// The trend charts printed after one sheet, on its own page.
pub struct SheetCharts {
    /// The sheet's page name with 「-charts」: it shares the sheet's running header.
    pub id: String,
    pub heading: String,
    /// (indicator name, chart) of each indicator with something to draw.
    pub charts: Vec<(String, Chart)>,
}

impl SheetCharts {
    fn of(sheet: &Sheet) -> Self {
        Self {
            id: format!("{}-charts", page_name(sheet.id)),
            heading: format!("{} {}　指標の推移", sheet.heading(), sheet.name()),
            charts: sheet
                .content
                .indicators
                .iter()
                .filter_map(|ind| Some((ind.name.clone(), chart(sheet, ind, direction_of(ind).0)?)))
                .collect(),
        }
    }
}

/// One sheet as bound: its page, and after it its chart page when HQ chose
/// charts (off by default, so the paper layout stays exact) and it has any.
pub fn bound_sheet(sheet: Sheet, charts: bool) -> (SheetView, Option<SheetCharts>) {
    let charts = charts
        .then(|| SheetCharts::of(&sheet))
        .filter(|c| !c.charts.is_empty());
    (SheetView::new(sheet), charts)
}

impl BookView {
    /// The book's frame (cover, 取組事業一覧, appendix) and its sheets in
    /// list order, which the caller turns into pages a few at a time
    /// ([`bound_sheet`]) so the whole book is never held as pages at once.
    pub fn new(book: BookData) -> (Self, Vec<Sheet>) {
        let mut areas: Vec<ListArea> = Vec::new();
        for s in &book.sheets {
            let ctx = &s.context;
            let heading = format!("({}) {}", ctx.area_number, ctx.area_title);
            if areas.last().map(|a| &a.heading) != Some(&heading) {
                areas.push(ListArea {
                    heading,
                    rows: Vec::new(),
                });
            }
            if let Some(area) = areas.last_mut() {
                area.rows.push(ListRowView {
                    sheet_id: s.id,
                    number: ctx.initiative_number,
                    name: ctx.initiative_name.clone(),
                    department: ctx.department.clone(),
                    related_plan: Some((
                        s.content.texts.slot(HeaderSlot::RelatedPlan).to_string(),
                        1,
                    )),
                    draft: s.status != crate::domain::workflow::SheetStatus::Final,
                });
            }
        }
        for area in &mut areas {
            crate::report::view::merge_runs(&mut area.rows, |r| &mut r.related_plan);
        }
        let view = Self {
            plan_id: book.plan.id,
            plan_name: book.plan.name,
            fiscal_year: book.fiscal_year,
            title: format!("{}実績報告書", era_name(book.fiscal_year)),
            date: book
                .report_date
                .unwrap_or_else(|| year_end_label(book.fiscal_year)),
            include_drafts: book.include_drafts,
            left_out: book.left_out,
            areas,
            opinions: book.include_opinions.then(|| opinion_areas(book.opinions)),
        };
        (view, book.sheets)
    }
}

/// CSS for the sheets of one fiscal year: each sheet is its own named page
/// whose margin boxes carry the plan name, the year, the sheet's 推進項目 and
/// No., and 「作成中」 while it is not final. Served as a file because the
/// Content-Security-Policy allows no inline style.
pub fn page_rules(fiscal_year: FiscalYear, heads: &[RunningHead]) -> String {
    let year = era_name(fiscal_year);
    let mut css = String::from("/* Running headers of each sheet (generated). */\n");
    for h in heads {
        let page = page_name(h.sheet_id);
        let left = format!("{}　{}", h.plan_name, year);
        let right = if h.draft {
            format!("【作成中】　{}", h.heading)
        } else {
            h.heading.clone()
        };
        css.push_str(&format!(
            "#{page}, #{page}-charts {{ page: {page}; }}\n@page {page} {{ @top-left {{ content: \"{}\"; }} @top-right {{ content: \"{}\"; }} }}\n",
            css_string(&left),
            css_string(&right),
        ));
    }
    css
}

/// The inside of a double-quoted CSS string: quotes and backslashes escaped,
/// line breaks and other control characters turned into spaces.
fn css_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_heads_are_escaped_css_strings() {
        let css = page_rules(
            FiscalYear(2024),
            &[RunningHead {
                sheet_id: SheetId(7),
                plan_name: "プラン\"}\\\n<x>".into(),
                heading: "(1) 働き方改革の推進 No.1".into(),
                draft: true,
            }],
        );
        // The sheet and its trend charts (when bound) share the header.
        assert!(css.contains("#sheet-7, #sheet-7-charts { page: sheet-7; }"));
        assert!(
            css.contains(r#"content: "プラン\"}\\ <x>　令和6年度";"#),
            "{css}"
        );
        assert!(css.contains("【作成中】　(1) 働き方改革の推進 No.1"));
    }
}
