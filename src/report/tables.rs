//! The year's data as flat tables, shared by the CSV files and the Excel
//! workbook. Every value is the text the department wrote, never a number.

use crate::db::report::BookData;
use crate::domain::field::{Field, Place};
use crate::domain::fiscal_year::{short, FiscalYear};
use crate::domain::sheet::{Period, Sheet};

pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn area(sheet: &Sheet) -> String {
    format!(
        "({}) {}",
        sheet.context.area_number, sheet.context.area_title
    )
}

/// 取組事業一覧 with each sheet's state and the fields the registry lists
/// (推進する計画, progress, both evaluations).
pub fn list_table(book: &BookData) -> Table {
    // Header fields describe the initiative and come before its state; body
    // fields (what was written that year) after it.
    let listed = |header: bool| -> Vec<Field> {
        Field::all()
            .filter(|f| f.def().list_column.is_some())
            .filter(|f| matches!(f.def().place, Place::Header(_)) == header)
            .collect()
    };
    let (before, after) = (listed(true), listed(false));
    let mut header: Vec<String> = ["推進項目", "No.", "取組事業", "計画所管課", "関係課"]
        .map(String::from)
        .to_vec();
    let headings = |fields: &[Field]| -> Vec<String> {
        fields
            .iter()
            .filter_map(|f| f.def().list_column)
            .map(String::from)
            .collect()
    };
    header.extend(headings(&before));
    header.push("状態".into());
    header.extend(headings(&after));
    let rows = book
        .sheets
        .iter()
        .map(|s| {
            let texts = |fields: &[Field]| -> Vec<String> {
                fields
                    .iter()
                    .map(|f| f.printed(s.content.texts.get(*f)))
                    .collect()
            };
            let mut row = vec![
                area(s),
                s.context.initiative_number.to_string(),
                s.context.initiative_name.clone(),
                s.context.department.clone(),
                s.context.related_departments.join("　"),
            ];
            row.extend(texts(&before));
            row.push(s.status.label().to_string());
            row.extend(texts(&after));
            row
        })
        .collect();
    Table { header, rows }
}

/// Every 目標 row with every value column of the year's sheets: 当初値,
/// one 実績 per past plan year, the year's 上半期 actual, 現況値, 目標値.
pub fn indicator_table(book: &BookData) -> Table {
    let year = book.fiscal_year;
    let past: Vec<FiscalYear> = FiscalYear::until(book.plan.first_year, year).collect();
    let mut header: Vec<String> = [
        "推進項目",
        "No.",
        "取組事業",
        "指標No.",
        "指標名",
        "評価方法",
    ]
    .map(String::from)
    .to_vec();
    header.push("当初値".into());
    header.push("当初値の年度".into());
    header.extend(past.iter().map(|y| format!("{}実績", short(*y))));
    header.push(format!("{}実績(上半期)", short(year)));
    header.push("現況値".into());
    header.push(format!("{}実績(通年)", short(year)));
    header.push("目標値".into());
    header.push("目標値の年度".into());
    let mut rows = Vec::new();
    for s in &book.sheets {
        for (i, ind) in s.content.indicators.iter().enumerate() {
            let mut row = vec![
                area(s),
                s.context.initiative_number.to_string(),
                s.context.initiative_name.clone(),
                (i + 1).to_string(),
                ind.name.clone(),
                ind.method.clone(),
                ind.baseline.clone(),
                ind.baseline_year.map(short).unwrap_or_default(),
            ];
            row.extend(
                past.iter()
                    .map(|y| ind.value(*y, Period::FullYear).to_string()),
            );
            row.push(ind.value(year, Period::FirstHalf).to_string());
            row.push(ind.value(year, Period::Current).to_string());
            row.push(ind.value(year, Period::FullYear).to_string());
            row.push(ind.target.clone());
            row.push(short(ind.target_year));
            rows.push(row);
        }
    }
    Table { header, rows }
}

/// The year's 推進委員会意見 and replies, grouped under their 推進項目 (an
/// opinion on the whole area first, its No. left blank).
pub fn opinion_table(book: &BookData) -> Table {
    let header = [
        "推進項目",
        "No.",
        "取組事業",
        "所管課",
        "推進委員会意見",
        "対応・今後の方針",
        "状態",
    ]
    .map(String::from)
    .to_vec();
    let rows = book
        .opinions
        .iter()
        .map(|o| {
            let (number, name) = o.initiative.as_ref().map_or(
                (String::new(), "推進項目全体".to_string()),
                |(n, name)| (n.to_string(), name.clone()),
            );
            vec![
                format!("({}) {}", o.area_number, o.area_title),
                number,
                name,
                o.department.clone(),
                o.opinion.clone(),
                o.reply.clone(),
                if o.closed { "対応済" } else { "対応中" }.to_string(),
            ]
        })
        .collect();
    Table { header, rows }
}
