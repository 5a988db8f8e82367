//! The seed report, and what it says on each sheet read straight from its
//! tab cells, independently of the importer.

use hyoka::domain::sheet::Sheet;

use super::probe::sheet_text;

pub const SEED: &str = include_str!("../../fixtures/kofu_r6_report.txt");

/// The parsed seed report.
pub fn seed_report() -> hyoka::import::ParsedReport {
    hyoka::import::parse_report(SEED).expect("seed parses")
}

/// What the seed text says on one sheet, read straight from the tab cells
/// (independently of the importer): every non-empty cell that is not a label,
/// in paper order.
pub struct ExpectedSheet {
    pub area: i32,
    pub number: i32,
    pub values: Vec<String>,
}

/// Spellings the importer unifies (DOMAIN.md, "Quirks"): sheet spelling → stored.
const UNIFIED: &[(&str, &str)] = &[
    ("D×推進課", "DX推進課"),
    ("D X推進課", "DX推進課"),
    // Initiative names are not unified: each sheet shows the name written on
    // it; only the list keeps the master (list page) name.
];

pub fn expected_sheets() -> Vec<ExpectedSheet> {
    let mut sheets: Vec<ExpectedSheet> = Vec::new();
    let mut lines = SEED.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "取組事業点検・評価票" {
            let heading = lines
                .by_ref()
                .find(|l| !l.trim().is_empty())
                .expect("heading");
            let area: i32 = heading[1..heading.find(')').expect(")")]
                .parse()
                .expect("area number");
            let number: i32 = heading[heading.rfind("No.").expect("No.") + 3..]
                .trim()
                .parse()
                .expect("No.");
            sheets.push(ExpectedSheet {
                area,
                number,
                values: Vec::new(),
            });
            continue;
        }
        let Some(sheet) = sheets.last_mut() else {
            continue;
        };
        for cell in line.split('\t') {
            if cell.trim().is_empty() || is_label(cell) {
                continue;
            }
            let value = if cell.trim_start().starts_with("<ul") {
                html_list_lines(cell)
            } else {
                cell.to_string()
            };
            let value = UNIFIED
                .iter()
                .find(|(from, _)| *from == value)
                .map_or(value.clone(), |(_, to)| to.to_string());
            sheet.values.push(value);
        }
    }
    sheets
}

fn html_list_lines(cell: &str) -> String {
    cell.split("<li>")
        .skip(1)
        .map(|part| part.split("</li>").next().unwrap_or("").trim().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_label(cell: &str) -> bool {
    let c: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    const EXACT: &[&str] = &[
        "取組事業名",
        "関係計画名",
        "計画年数",
        "所管課",
        "関係課",
        "対象部局",
        "取組項目",
        "項目",
        "目標",
        "指標名",
        "評価方法",
        "現況値",
        "関連する取組事業",
        "特記事項",
        "取組内容",
        "上半期進捗状況",
        "所管課評価",
        "推進本部評価",
        "当初値",
    ];
    if EXACT.contains(&c.as_str()) || c.starts_with("当初値(") || c.starts_with("目標値(") {
        return true;
    }
    // 令和4年度 (schedule column)
    if c.starts_with("令和") && c.ends_with("年度") && c.chars().count() <= 5 {
        return true;
    }
    // R4実績, R6実績(上半期)
    if c.starts_with('R') && (c.ends_with("実績") || c.ends_with("実績(上半期)")) {
        return true;
    }
    let short = c.chars().count() <= 14;
    short
        && ((c.starts_with("令和")
            && ["の取組", "実施内容", "効果・影響", "の課題"]
                .iter()
                .any(|s| c.ends_with(s)))
            || c.ends_with("向けての取組")
            || c.ends_with("への取組"))
}

/// A stored sheet's non-empty values in paper order.
pub fn stored_values(sheet: &Sheet) -> Vec<String> {
    let ctx = &sheet.context;
    let c = &sheet.content;
    let mut v = vec![
        sheet.name().to_string(),
        sheet_text(sheet, "related_plan").to_string(),
        sheet_text(sheet, "plan_years").to_string(),
        ctx.department.clone(),
        ctx.related_departments.join(" "),
        sheet_text(sheet, "target_scope").to_string(),
    ];
    for item in &c.action_items {
        v.push(item.text.clone());
        v.extend(
            sheet
                .schedule_years()
                .iter()
                .map(|y| item.cell(*y).to_string()),
        );
    }
    for ind in &c.indicators {
        v.push(ind.name.clone());
        v.push(ind.method.clone());
        v.extend(sheet.indicator_cells(ind).iter().map(|s| s.to_string()));
    }
    v.push(sheet_text(sheet, "related_initiatives").to_string());
    v.push(sheet_text(sheet, "special_notes").to_string());
    // The body's text fields in paper order.
    v.extend(
        [
            "content",
            "plan_for_year",
            "h1_actions",
            "h1_progress",
            "h2_plan",
            "h2_actions",
            "effects",
            "issues",
            "dept_evaluation",
            "dept_reason",
            "hq_evaluation",
            "next_year",
        ]
        .map(|key| sheet_text(sheet, key).to_string()),
    );
    v.retain(|s| !s.trim().is_empty());
    v
}
