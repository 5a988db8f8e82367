//! The results report over HTTP: the print view, the book, the reports page,
//! the Excel and CSV exports, and PDF links on a server without Chromium.
//! (PDF itself: `report_pdf`.)

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use hyoka::domain::fiscal_year::short;
use hyoka::domain::fiscal_year::FiscalYear;
use hyoka::domain::permission::Role;
use hyoka::domain::sheet::Period;

use crate::csv_injection::csv_text;
use crate::support::{
    assert_in_order, count, expected_sheets, sheet_text, squash, text_of, Probe, TestApp,
};

#[tokio::test]
async fn print_view_shows_every_value_in_paper_order_without_navigation() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let sheets = app.conn().sheets(2024);
    for (sheet, want) in sheets.iter().zip(expected_sheets()) {
        let html = hq.page(&format!("/sheets/{}/print", sheet.id)).await;
        assert_eq!(
            count(&html, ".site-header"),
            0,
            "no site navigation in print"
        );
        let text = text_of(&html);
        let mut needles = vec!["取組事業点検・評価票".to_string(), sheet.heading()];
        needles.extend(want.values.iter().map(|v| squash(v)));
        assert_in_order(&text, &needles);
        // The print styles and the sheet's running header.
        assert!(html.contains("/static/css/report.css"));
        assert!(html.contains(&format!("\"/sheets/{}/pages.css\"", sheet.id)));
        assert!(html.contains(&format!("id=\"sheet-{}\"", sheet.id)));
    }
}

#[tokio::test]
async fn running_headers_name_plan_area_and_number_per_sheet() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let sheets = app.conn().sheets(2024);
    let resp = hq.get("/reports/2024/pages.css").await;
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    let css = resp.text().await.unwrap();
    for s in &sheets {
        let page = format!("sheet-{}", s.id);
        assert!(
            css.contains(&format!("#{page}, #{page}-charts {{ page: {page}; }}")),
            "{css}"
        );
        assert!(css.contains(&format!("@page {page} {{")));
        assert!(css.contains(&format!("content: \"{}\"", s.heading())));
    }
    assert!(css.contains("第2次甲府市行政改革推進プラン（2022～2025）　令和6年度"));
    assert!(!css.contains("作成中"), "every FY2024 sheet is final");
    let print_css = hq.page("/static/css/print.css").await;
    assert!(print_css.contains("counter(page) \" / \" counter(pages)"));
    assert!(print_css.contains("size: A4 portrait"));
}

#[tokio::test]
async fn book_has_cover_list_and_every_sheet_in_order() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let sheets = app.conn().sheets(2024);
    let html = hq.page("/reports/2024").await;
    let text = text_of(&html);
    // Cover, computed from the data.
    let mut needles: Vec<String> = [
        "第2次甲府市行政改革推進プラン（2022～2025）",
        "令和6年度実績報告書",
        "令和7年3月末",
        "取組事業一覧",
    ]
    .map(String::from)
    .to_vec();
    // The list grouped by 推進項目.
    let mut last_area = 0;
    for s in &sheets {
        if s.context.area_number != last_area {
            needles.push(format!(
                "({}) {}",
                s.context.area_number, s.context.area_title
            ));
            last_area = s.context.area_number;
        }
        needles.push(s.context.initiative_name.clone());
        needles.push(s.context.department.clone());
    }
    // Then every sheet, whole, in order.
    for (s, want) in sheets.iter().zip(expected_sheets()) {
        needles.push("取組事業点検・評価票".into());
        needles.push(s.heading());
        needles.extend(want.values.iter().map(|v| squash(v)));
    }
    assert_in_order(&text, &needles);
    assert_eq!(count(&html, "article.sheet"), 12);
    assert!(!text.contains("作成中"));
    // Links to the PDF and the workbook of the same book.
    assert!(html.contains("/reports/2024/pdf?plan="));
    assert!(html.contains("/reports/2024/export.xlsx?plan="));
}

#[tokio::test]
async fn hq_chooses_whether_sheets_that_are_not_final_are_bound() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    // FY2025 is being written: nothing final yet.
    let (articles, marks) = ("article.sheet", "article.sheet .draft-mark");
    let html = hq.page("/reports/2025").await;
    assert_eq!(count(&html, articles), 0);
    let text = text_of(&html);
    assert!(text.contains("令和7年度実績報告書"));
    assert!(
        text.contains("令和8年3月末"),
        "computed end of the fiscal year"
    );
    assert!(text.contains("確定していない評価票 12 件は含めていません"));

    let html = hq.page("/reports/2025?include_drafts=1").await;
    assert_eq!(count(&html, articles), 12);
    assert_eq!(count(&html, marks), 12, "each draft sheet is marked");
    let css = hq.page("/reports/2025/pages.css").await;
    assert_eq!(
        css.matches("【作成中】").count(),
        12,
        "and so is every page"
    );

    // Final sheets never carry the mark, drafts included or not.
    let html = hq.page("/reports/2024?include_drafts=1").await;
    assert_eq!(count(&html, articles), 12);
    assert_eq!(count(&html, marks), 0);
}

#[tokio::test]
async fn reports_page_offers_each_year_and_format() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let html = hq.page("/reports").await;
    let text = text_of(&html);
    assert_in_order(
        &text,
        &[
            "実績報告書",
            "令和7年度",
            "評価票 12 件（うち確定 0 件）",
            "令和6年度",
            "評価票 12 件（うち確定 12 件）",
        ],
    );
    assert!(text.contains("確定していない評価票も含める"));
    for path in [
        "/reports/2024/pdf",
        "/reports/2024/export.xlsx",
        "/reports/2024/list.csv",
        "/reports/2024/indicators.csv",
        "action=\"/reports/2024\"",
    ] {
        assert!(html.contains(path), "{path}");
    }
    assert!(html.contains("name=\"include_drafts\""));
    // Every page's navigation leads here.
    assert!(hq.page("/sheets").await.contains("href=\"/reports\""));
}

#[tokio::test]
async fn unknown_years_and_sheets_are_404() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    for path in [
        "/reports/1999",
        "/reports/1999/pdf",
        "/reports/1999/export.xlsx",
        "/reports/1999/list.csv",
        "/reports/abc",
        "/sheets/99999/print",
        "/sheets/99999/pdf",
    ] {
        let resp = hq.get(path).await;
        assert_eq!(resp.status().as_u16(), 404, "{path}");
    }
}

fn xlsx(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

fn text_at(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => panic!("({row},{col}) is not text: {other:?}"),
    }
}

#[tokio::test]
async fn workbook_holds_every_indicator_value_exactly_as_written() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let sheets = app.conn().sheets(2024);
    let resp = hq.get("/reports/2024/export.xlsx").await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = resp.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    let mut wb = xlsx(resp.bytes().await.unwrap().to_vec());

    let mut names = vec!["一覧".to_string(), "指標".to_string()];
    names.extend(sheets.iter().map(|s| {
        format!(
            "({})-{}",
            s.context.area_number, s.context.initiative_number
        )
    }));
    names.push("推進委員会意見と対応".to_string());
    assert_eq!(wb.sheet_names(), names);

    // 一覧: state and both evaluations of each sheet.
    let list = wb.worksheet_range("一覧").unwrap();
    let header: Vec<String> = (0..11).map(|c| text_at(&list, 0, c)).collect();
    assert_eq!(header[6], "状態");
    assert_eq!(header[8], "所管課評価");
    assert_eq!(header[10], "推進本部評価");
    for (i, s) in sheets.iter().enumerate() {
        let r = i as u32 + 1;
        assert_eq!(text_at(&list, r, 2), s.context.initiative_name);
        assert_eq!(text_at(&list, r, 6), "確定");
        assert_eq!(text_at(&list, r, 8), sheet_text(s, "dept_evaluation"));
        assert_eq!(text_at(&list, r, 10), sheet_text(s, "hq_evaluation"));
    }

    // 指標: every indicator, every value column, as text.
    let table = wb.worksheet_range("指標").unwrap();
    let header: Vec<String> = (0..15).map(|c| text_at(&table, 0, c)).collect();
    assert_eq!(
        header[6..],
        [
            "当初値",
            "当初値の年度",
            "R4実績",
            "R5実績",
            "R6実績(上半期)",
            "現況値",
            "R6実績(通年)",
            "目標値",
            "目標値の年度"
        ]
    );
    let mut r = 1;
    let mut checked = 0;
    for s in &sheets {
        for ind in &s.content.indicators {
            let row: Vec<String> = (0..15).map(|c| text_at(&table, r, c)).collect();
            let want = vec![
                format!("({}) {}", s.context.area_number, s.context.area_title),
                s.context.initiative_number.to_string(),
                s.context.initiative_name.clone(),
                row[3].clone(),
                ind.name.clone(),
                ind.method.clone(),
                ind.baseline.clone(),
                ind.baseline_year.map(short).unwrap_or_default(),
                ind.value(FiscalYear(2022), Period::FullYear).to_string(),
                ind.value(FiscalYear(2023), Period::FullYear).to_string(),
                ind.value(FiscalYear(2024), Period::FirstHalf).to_string(),
                ind.value(FiscalYear(2024), Period::Current).to_string(),
                ind.value(FiscalYear(2024), Period::FullYear).to_string(),
                ind.target.clone(),
                short(ind.target_year),
            ];
            assert_eq!(row, want, "indicator row {r}");
            checked += ind.values.len() + 2;
            r += 1;
        }
    }
    assert!(
        checked > 50,
        "the seed has many indicator values ({checked})"
    );
    assert_eq!(text_at(&table, r, 0), "", "no extra rows");

    // One worksheet per sheet, laid out like the paper: every value in paper
    // order, and each indicator row's cells side by side as on the form.
    for (s, want) in sheets.iter().zip(expected_sheets()) {
        let name = format!(
            "({})-{}",
            s.context.area_number, s.context.initiative_number
        );
        let range = wb.worksheet_range(&name).unwrap();
        let (rows, cols) = (range.end().unwrap().0, range.end().unwrap().1);
        let mut cells = Vec::new();
        for r in 0..=rows {
            for c in 0..=cols {
                cells.push(text_at(&range, r, c));
            }
        }
        let joined = squash(&cells.join(" "));
        let mut needles = vec!["取組事業点検・評価票".to_string(), s.heading()];
        needles.extend(want.values.iter().map(|v| squash(v)));
        assert_in_order(&joined, &needles);
        for ind in &s.content.indicators {
            let row = (0..=rows)
                .find(|r| text_at(&range, *r, 1) == ind.name)
                .unwrap_or_else(|| panic!("{name}: row of {}", ind.name));
            let got: Vec<String> = (2..=cols).map(|c| text_at(&range, row, c)).collect();
            let mut expected = vec![ind.method.clone()];
            expected.extend(s.indicator_cells(ind).iter().map(|v| v.to_string()));
            assert_eq!(got, expected, "{name}");
        }
        // The paper's merged cells: 取組事業名 spans two rows, its value three columns.
        let merges = wb.merge_cells_by_sheet_name(&name).unwrap();
        assert!(merges.iter().any(|d| d.start == (2, 1) && d.end == (3, 3)));
    }
}

#[tokio::test]
async fn csv_files_are_utf8_with_bom_and_hold_the_values_as_written() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let sheets = app.conn().sheets(2024);
    let resp = hq.get("/reports/2024/list.csv").await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "BOM first, for Excel");
    let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
    assert!(text.starts_with("推進項目,No.,取組事業,計画所管課"));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 12);
    for (row, s) in rows.iter().zip(&sheets) {
        assert_eq!(&row[2], s.context.initiative_name);
        assert_eq!(&row[6], "確定");
        assert_eq!(&row[8], sheet_text(s, "dept_evaluation"));
        assert_eq!(&row[10], sheet_text(s, "hq_evaluation"));
    }

    let bytes = hq
        .get("/reports/2024/indicators.csv")
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let indicators: Vec<_> = sheets
        .iter()
        .flat_map(|s| s.content.indicators.iter())
        .collect();
    assert_eq!(rows.len(), indicators.len());
    // A value such as 「-」 (none) is escaped like any cell that could start a
    // formula (see `csv_injection`).
    for (row, ind) in rows.iter().zip(indicators) {
        assert_eq!(row[4], csv_text(&ind.name));
        assert_eq!(row[6], csv_text(&ind.baseline));
        let current = ind.value(FiscalYear(2024), Period::Current);
        assert_eq!(row[11], csv_text(current));
        let full_year = ind.value(FiscalYear(2024), Period::FullYear);
        assert_eq!(row[12], csv_text(full_year));
        assert_eq!(row[13], csv_text(&ind.target));
    }
    // 「月12.8時間」 stays text.
    assert!(std::str::from_utf8(&bytes[3..])
        .unwrap()
        .contains(",月12.8時間,"));
}

#[tokio::test]
async fn without_chromium_the_pdf_links_explain_and_printing_still_works() {
    let app = TestApp::init()
        .seeded()
        .configure(|c| c.chromium = Some("/nonexistent/chromium".into()))
        .spawn()
        .await;
    let hq = app.login_as(Role::Hq).await;
    let id = app.sheet_id(2024, 1, 1);
    for (pdf, print) in [
        (
            format!("/sheets/{id}/pdf"),
            format!("href=\"/sheets/{id}/print\""),
        ),
        (
            "/reports/2024/pdf".to_string(),
            "href=\"/reports/2024?plan=".to_string(),
        ),
    ] {
        let resp = hq.get(&pdf).await;
        assert_eq!(resp.status().as_u16(), 503, "{pdf}");
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = resp.text().await.unwrap();
        let text = text_of(&html);
        assert!(text.contains("Chromium がない"), "{text}");
        assert!(
            text.contains("ブラウザの印刷機能で PDF に保存できます"),
            "{text}"
        );
        assert!(
            html.contains(&print),
            "{pdf} links to the print view: {html}"
        );
    }
    // The print view and the book still work, and say so.
    let html = hq.page(&format!("/sheets/{id}/print")).await;
    assert!(html.contains("このサーバーでは PDF を作成できません"));
    assert!(text_of(&html).contains("超過勤務時間の縮減"));
    assert!(hq
        .page("/reports/2024")
        .await
        .contains("このサーバーでは PDF を作成できません"));
    assert!(hq.page("/reports").await.contains("PDF は作成できません"));
}

/// Every download names its year in 和暦, in the Japanese name and in the
/// ASCII name for old clients alike; no Western year appears.
#[tokio::test]
async fn download_names_give_the_year_in_wareki() {
    let chromium = crate::support::chromium::FakeChromium::new();
    let fake = chromium.path();
    let app = TestApp::init()
        .seeded()
        .configure(move |c| c.chromium = Some(fake))
        .spawn()
        .await;
    let hq = app.login_as(Role::Hq).await;
    let sheet = format!("/sheets/{}/pdf", app.sheet_id(2024, 1, 1));
    for (path, ascii) in [
        ("/reports/2024/export.xlsx", "report-R6.xlsx"),
        ("/reports/2024/list.csv", "list-R6.csv"),
        ("/reports/2024/indicators.csv", "indicators-R6.csv"),
        ("/reports/2024/pdf", "report-R6.pdf"),
        (sheet.as_str(), "-R6.pdf"),
    ] {
        let resp = hq.get(path).await;
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        let disposition = resp.headers()["content-disposition"].to_str().unwrap();
        let name = disposition
            .split("filename*=UTF-8''")
            .nth(1)
            .unwrap_or_else(|| panic!("{path}: {disposition}"));
        let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
        assert!(
            name.starts_with("令和6年度") || name.contains("_令和6年度"),
            "{path}: {name}"
        );
        assert!(disposition.contains(ascii), "{path}: {disposition}");
        assert!(
            !disposition.contains("2024") && !name.contains("2024"),
            "{path}: {disposition} {name}"
        );
    }
}
