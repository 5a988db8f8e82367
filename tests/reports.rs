#![allow(clippy::unwrap_used)]
//! The results report over HTTP: the print view, the book, the reports page,
//! and PDF links on a server without Chromium.
//! (PDF itself: tests/report_pdf.rs.)

mod common;

use common::{assert_in_order, expected_sheets, squash, visible_text, TestApp};
use hyoka::db;
use hyoka::domain::sheet::Sheet;

/// The seed's FY2024 sheets as stored, in list order.
fn stored_sheets(app: &TestApp) -> Vec<Sheet> {
    let mut conn = app.pool.get().unwrap();
    let plan = db::plan::list(&mut conn).unwrap().remove(0);
    db::sheet::list_for_year(&mut conn, plan.id, 2024)
        .unwrap()
        .into_iter()
        .map(|e| db::sheet::load(&mut conn, e.sheet_id).unwrap().unwrap())
        .collect()
}

#[tokio::test]
async fn print_view_shows_every_value_in_paper_order_without_navigation() {
    let app = TestApp::seeded().await;
    let sheets = stored_sheets(&app);
    for (sheet, want) in sheets.iter().zip(expected_sheets()) {
        let html = app.page(&format!("/sheets/{}/print", sheet.id)).await;
        let doc = scraper::Html::parse_document(&html);
        let nav = scraper::Selector::parse(".site-header").unwrap();
        assert_eq!(doc.select(&nav).count(), 0, "no site navigation in print");
        let text = squash(&visible_text(&html));
        let mut needles = vec!["取組事業点検・評価票".to_string(), sheet.heading()];
        needles.extend(want.values.iter().map(|v| squash(v)));
        assert_in_order(&text, &needles);
        // The print styles and the running header of its year.
        assert!(html.contains("/static/css/report.css"));
        assert!(html.contains("/reports/2024/pages.css"));
        assert!(html.contains(&format!("id=\"sheet-{}\"", sheet.id)));
    }
}

#[tokio::test]
async fn running_headers_name_plan_area_and_number_per_sheet() {
    let app = TestApp::seeded().await;
    let sheets = stored_sheets(&app);
    let resp = app.get("/reports/2024/pages.css").await;
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    let css = resp.text().await.unwrap();
    for s in &sheets {
        let page = format!("sheet-{}", s.id);
        assert!(
            css.contains(&format!("#{page} {{ page: {page}; }}")),
            "{css}"
        );
        assert!(css.contains(&format!("@page {page} {{")));
        assert!(css.contains(&format!("content: \"{}\"", s.heading())));
    }
    assert!(css.contains("第2次甲府市行政改革推進プラン（2022～2025）　令和6年度"));
    assert!(!css.contains("作成中"), "every FY2024 sheet is final");
    let report_css = app.page("/static/css/report.css").await;
    assert!(report_css.contains("counter(page) \" / \" counter(pages)"));
    assert!(report_css.contains("size: A4 portrait"));
}

#[tokio::test]
async fn book_has_cover_list_and_every_sheet_in_order() {
    let app = TestApp::seeded().await;
    let sheets = stored_sheets(&app);
    let html = app.page("/reports/2024").await;
    let text = squash(&visible_text(&html));
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
    let doc = scraper::Html::parse_document(&html);
    let articles = scraper::Selector::parse("article.sheet").unwrap();
    assert_eq!(doc.select(&articles).count(), 12);
    assert!(!text.contains("作成中"));
    // Links to the PDF and the workbook of the same book.
    assert!(html.contains("/reports/2024/pdf?plan="));
}

#[tokio::test]
async fn hq_chooses_whether_sheets_that_are_not_final_are_bound() {
    let app = TestApp::demo().await;
    // FY2025 is being written: nothing final yet.
    let html = app.page("/reports/2025").await;
    let doc = scraper::Html::parse_document(&html);
    let articles = scraper::Selector::parse("article.sheet").unwrap();
    let marks = scraper::Selector::parse("article.sheet .draft-mark").unwrap();
    assert_eq!(doc.select(&articles).count(), 0);
    let text = squash(&visible_text(&html));
    assert!(text.contains("令和7年度実績報告書"));
    assert!(
        text.contains("令和8年3月末"),
        "computed end of the fiscal year"
    );
    assert!(text.contains("確定していない評価票 12 件は含めていません"));

    let html = app.page("/reports/2025?include_drafts=1").await;
    let doc = scraper::Html::parse_document(&html);
    assert_eq!(doc.select(&articles).count(), 12);
    assert_eq!(doc.select(&marks).count(), 12, "each draft sheet is marked");
    let css = app.page("/reports/2025/pages.css").await;
    assert_eq!(
        css.matches("【作成中】").count(),
        12,
        "and so is every page"
    );

    // Final sheets never carry the mark, drafts included or not.
    let html = app.page("/reports/2024?include_drafts=1").await;
    let doc = scraper::Html::parse_document(&html);
    assert_eq!(doc.select(&articles).count(), 12);
    assert_eq!(doc.select(&marks).count(), 0);
}

#[tokio::test]
async fn reports_page_offers_each_year_and_format() {
    let app = TestApp::demo().await;
    let html = app.page("/reports").await;
    let text = squash(&visible_text(&html));
    assert_in_order(
        &text,
        &[
            "実績報告書",
            "令和7年度",
            "評価票 12 件（うち確定 0 件）",
            "令和6年度",
            "評価票 12 件（うち確定 12 件）",
        ]
        .map(String::from),
    );
    assert!(text.contains("確定していない評価票も含める"));
    for path in ["/reports/2024/pdf", "action=\"/reports/2024\""] {
        assert!(html.contains(path), "{path}");
    }
    assert!(html.contains("name=\"include_drafts\""));
    // Every page's navigation leads here.
    assert!(app.page("/sheets").await.contains("href=\"/reports\""));
}

#[tokio::test]
async fn unknown_years_and_sheets_are_404() {
    let app = TestApp::seeded().await;
    for path in [
        "/reports/1999",
        "/reports/1999/pdf",
        "/reports/abc",
        "/sheets/99999/print",
        "/sheets/99999/pdf",
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status().as_u16(), 404, "{path}");
    }
}

#[tokio::test]
async fn without_chromium_the_pdf_links_explain_and_printing_still_works() {
    let app = TestApp::seeded_with(|c| c.chromium = Some("/nonexistent/chromium".into())).await;
    let id = stored_sheets(&app)[0].id;
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
        let resp = app.get(&pdf).await;
        assert_eq!(resp.status().as_u16(), 503, "{pdf}");
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = resp.text().await.unwrap();
        let text = squash(&visible_text(&html));
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
    let html = app.page(&format!("/sheets/{id}/print")).await;
    assert!(html.contains("このサーバーでは PDF を作成できません"));
    assert!(squash(&visible_text(&html)).contains("超過勤務時間の縮減"));
    assert!(app
        .page("/reports/2024")
        .await
        .contains("このサーバーでは PDF を作成できません"));
    assert!(app.page("/reports").await.contains("PDF は作成できません"));
}
