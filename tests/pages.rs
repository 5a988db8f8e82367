#![allow(clippy::unwrap_used)]
//! The read-only pages over HTTP: the 取組事業一覧 and the complete sheet.

mod common;

use common::{assert_in_order, expected_sheets, squash, visible_text, TestApp};
use hyoka::db;

#[tokio::test]
async fn list_page_holds_the_twelve_initiatives_in_order_with_departments() {
    let app = TestApp::seeded().await;
    let html = app.page("/sheets?year=2024").await;
    let text = squash(&visible_text(&html));
    assert!(text.contains("令和6年度 取組事業一覧"), "{text}");
    let rows = [
        ("(1) 働き方改革の推進", "超過勤務時間の縮減", "職員課"),
        ("", "年次有給休暇の取得促進", "職員課"),
        ("", "業務の効率化・簡素化の推進", "DX推進課"),
        ("(2) 人財育成の推進", "人事評価の見直し", "職員課"),
        ("", "研修制度の充実", "人材マネジメント課"),
        (
            "(3) デジタル化の推進",
            "行政手続きのオンライン化の推進",
            "DX推進課",
        ),
        ("", "データ活用基盤の整備・活用促進", "DX推進課"),
        ("", "内部事務のデジタル化の推進", "DX推進課"),
        (
            "(4) 公共施設等マネジメントの推進",
            "低未利用資産の利活用",
            "財産活用課",
        ),
        ("", "公共施設の再配置", "財産活用課"),
        (
            "(5) 協働の仕組みづくりの推進",
            "協働のシステムづくりの推進",
            "協働推進課",
        ),
        (
            "(6) 連携によるまちづくりの推進",
            "多様な主体との連携によるSDG sの推進",
            "連携共創課",
        ),
    ];
    let needles: Vec<String> = rows
        .iter()
        .flat_map(|(area, name, dept)| [area.to_string(), name.to_string(), dept.to_string()])
        .filter(|s| !s.is_empty())
        .collect();
    assert_in_order(&text, &needles);
    // Each row links to its sheet.
    let doc = scraper::Html::parse_document(&html);
    let links = scraper::Selector::parse("table.list a[href^='/sheets/']").unwrap();
    assert_eq!(doc.select(&links).count(), 12);
}

#[tokio::test]
async fn every_sheet_page_shows_every_value_in_paper_order() {
    let app = TestApp::seeded().await;
    let mut conn = app.pool.get().unwrap();
    let plan = db::plan::list(&mut conn).unwrap().remove(0);
    let entries = db::sheet::list_for_year(&mut conn, plan.id, 2024).unwrap();
    drop(conn);
    for (entry, want) in entries.iter().zip(expected_sheets()) {
        let html = app.page(&format!("/sheets/{}", entry.sheet_id)).await;
        let text = squash(&visible_text(&html));
        let heading = format!("({}) {} No.{}", want.area, entry.area_title, want.number);
        let mut needles = vec!["取組事業点検・評価票".to_string(), heading];
        needles.extend(want.values.iter().map(|v| squash(v)));
        assert_in_order(&text, &needles);
    }
}

#[tokio::test]
async fn sheet_page_labels_follow_the_fiscal_year() {
    let app = TestApp::seeded().await;
    let mut conn = app.pool.get().unwrap();
    let plan = db::plan::list(&mut conn).unwrap().remove(0);
    let id = db::sheet::list_for_year(&mut conn, plan.id, 2024).unwrap()[0].sheet_id;
    drop(conn);
    let text = squash(&visible_text(&app.page(&format!("/sheets/{id}")).await));
    let labels: Vec<String> = [
        "取組事業名",
        "関係計画名",
        "計画年数",
        "所管課",
        "関係課",
        "対象部局",
        "取組項目",
        "項目",
        "令和4年度",
        "令和5年度",
        "令和6年度",
        "令和7年度",
        "目標",
        "指標名",
        "評価方法",
        "当初値(R2)",
        "R4実績",
        "R5実績",
        "R6実績(上半期)",
        "現況値",
        "目標値(R7)",
        "関連する 取組事業",
        "特記事項",
        "取組内容",
        "令和6年度の実施内容",
        "令和6年度上半期の取組",
        "上半期進捗状況",
        "下半期への取組",
        "令和6年度下半期の取組",
        "令和6年度の効果・影響",
        "令和6年度の課題",
        "所管課評価",
        "推進本部評価",
        "次年度への取組",
    ]
    .map(String::from)
    .to_vec();
    assert_in_order(&text, &labels);
}

#[tokio::test]
async fn demo_year_sheet_shows_past_actuals_and_blank_texts() {
    let app = TestApp::demo().await;
    let web = app.login_as("honbu").await;
    let mut conn = app.pool.get().unwrap();
    let plan = db::plan::list(&mut conn).unwrap().remove(0);
    assert_eq!(
        db::sheet::years(&mut conn, plan.id).unwrap(),
        vec![2025, 2024]
    );
    let entries = db::sheet::list_for_year(&mut conn, plan.id, 2025).unwrap();
    assert_eq!(entries.len(), 12);
    drop(conn);
    let text = squash(&visible_text(
        &web.page(&format!("/sheets/{}", entries[0].sheet_id)).await,
    ));
    assert_in_order(
        &text,
        &[
            "令和7年度",
            "R4実績",
            "R5実績",
            "R6実績",
            "R7実績(上半期)",
            "現況値",
            "目標値(R7)",
        ]
        .map(String::from),
    );
    // R4–R6 actuals carried forward: 月14.7時間, 月13.0時間 and FY2024's 現況値.
    assert_in_order(
        &text,
        &[
            "月12.8時間",
            "月14.7時間",
            "月13.0時間",
            "月12.2時間",
            "月10.2時間",
        ]
        .map(String::from),
    );
    assert!(text.contains("令和7年度上半期の取組"));
    assert!(text.contains("作成中"));
    // Default list is the newest year; the older one stays reachable.
    let list = squash(&visible_text(&web.page("/sheets").await));
    assert!(list.contains("令和7年度 取組事業一覧"), "{list}");
    let old = squash(&visible_text(&web.page("/sheets?year=2024").await));
    assert!(old.contains("令和6年度 取組事業一覧"));
}

#[tokio::test]
async fn user_text_is_never_rendered_as_html() {
    let app = TestApp::seeded().await;
    let mut conn = app.pool.get().unwrap();
    let plan = db::plan::list(&mut conn).unwrap().remove(0);
    let id = db::sheet::list_for_year(&mut conn, plan.id, 2024).unwrap()[5].sheet_id;
    // Put markup into a stored text, as a department might type it.
    use diesel::prelude::*;
    use hyoka::db::schema::sheets;
    diesel::update(sheets::table.find(id))
        .set(sheets::effects.eq("<script>alert(1)</script><b>太字</b>"))
        .execute(&mut conn)
        .unwrap();
    drop(conn);
    let html = app.page(&format!("/sheets/{id}")).await;
    assert!(!html.contains("<script>alert(1)"));
    // Shown as the characters typed, not as elements.
    assert!(visible_text(&html).contains("<script>alert(1)</script><b>太字</b>"));
    let doc = scraper::Html::parse_document(&html);
    let inline = scraper::Selector::parse("script:not([src]), b").unwrap();
    assert_eq!(doc.select(&inline).count(), 0);
    // (3) No.1 came with HTML lists: shown as lines, no list markup.
    assert!(!html.contains("<ul style"));
    assert!(!html.contains("<li>"));
}

#[tokio::test]
async fn unknown_sheets_and_years_get_a_japanese_404() {
    let app = TestApp::seeded().await;
    for path in [
        "/sheets/99999",
        "/sheets/abc",
        "/sheets?year=1999",
        "/nothing-here",
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status().as_u16(), 404, "{path}");
        let body = resp.text().await.unwrap();
        assert!(body.contains("ページが見つかりません"), "{path}: {body}");
    }
}

#[tokio::test]
async fn pages_carry_security_headers_and_print_styles_without_outside_requests() {
    let app = TestApp::seeded().await;
    let resp = app.get("/sheets").await;
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert!(resp.headers().contains_key("referrer-policy"));
    let html = resp.text().await.unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"));

    let css = app.get("/static/css/print.css").await;
    assert_eq!(css.status().as_u16(), 200);
    let css = css.text().await.unwrap();
    assert!(css.contains("size: A4 portrait"));
    assert!(css.contains("break-inside: avoid"));
    assert!(css.contains("display: none"));
}
