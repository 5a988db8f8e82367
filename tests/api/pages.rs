//! The read-only pages over HTTP: the 取組事業一覧 and the complete sheet.

use hyoka::domain::permission::Role;

use crate::support::{
    assert_in_order, count, expected_sheets, squash, text_of, visible_text, Probe, TestApp,
};

#[tokio::test]
async fn list_page_holds_the_twelve_initiatives_in_order_with_departments() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let html = hq.page("/sheets?year=2024").await;
    let text = text_of(&html);
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
    let needles: Vec<&str> = rows
        .iter()
        .flat_map(|(area, name, dept)| [*area, *name, *dept])
        .filter(|s| !s.is_empty())
        .collect();
    assert_in_order(&text, &needles);
    // Each row links to its sheet.
    assert_eq!(count(&html, "table.list a[href^='/sheets/']"), 12);
}

#[tokio::test]
async fn every_sheet_page_shows_every_value_in_paper_order() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let sheets = app.conn().sheets(2024);
    for (sheet, want) in sheets.iter().zip(expected_sheets()) {
        let text = hq.page_text(&format!("/sheets/{}", sheet.id)).await;
        let heading = format!(
            "({}) {} No.{}",
            want.area, sheet.context.area_title, want.number
        );
        let mut needles = vec!["取組事業点検・評価票".to_string(), heading];
        needles.extend(want.values.iter().map(|v| squash(v)));
        assert_in_order(&text, &needles);
    }
}

#[tokio::test]
async fn sheet_page_labels_follow_the_fiscal_year() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let id = app.sheet_id(2024, 1, 1);
    let text = hq.page_text(&format!("/sheets/{id}")).await;
    assert_in_order(
        &text,
        &[
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
        ],
    );
}

#[tokio::test]
async fn demo_year_sheet_shows_past_actuals_and_blank_texts() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let (years, fy2025) = {
        let mut conn = app.conn();
        (conn.years(), conn.sheet_ids(2025))
    };
    assert_eq!(years, vec![2025, 2024]);
    assert_eq!(fy2025.len(), 12);
    let text = hq.page_text(&format!("/sheets/{}", fy2025[0])).await;
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
        ],
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
        ],
    );
    assert!(text.contains("令和7年度上半期の取組"));
    assert!(text.contains("作成中"));
    // Default list is the newest year; the older one stays reachable.
    let list = hq.page_text("/sheets").await;
    assert!(list.contains("令和7年度 取組事業一覧"), "{list}");
    let old = hq.page_text("/sheets?year=2024").await;
    assert!(old.contains("令和6年度 取組事業一覧"));
}

#[tokio::test]
async fn user_text_is_never_rendered_as_html() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    // (3) No.1, which came with HTML lists.
    let id = app.sheet_id(2024, 3, 1);
    // Put markup into a stored text, as a department might type it.
    app.conn()
        .force_effects(id, "<script>alert(1)</script><b>太字</b>");
    let html = hq.page(&format!("/sheets/{id}")).await;
    assert!(!html.contains("<script>alert(1)"));
    // Shown as the characters typed, not as elements.
    assert!(visible_text(&html).contains("<script>alert(1)</script><b>太字</b>"));
    assert_eq!(count(&html, "script:not([src]), b"), 0);
    // (3) No.1 came with HTML lists: shown as lines, no list markup.
    assert!(!html.contains("<ul style"));
    assert!(!html.contains("<li>"));
}

#[tokio::test]
async fn unknown_sheets_and_years_get_a_japanese_404() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    for path in [
        "/sheets/99999",
        "/sheets/abc",
        "/sheets?year=1999",
        "/nothing-here",
    ] {
        let resp = hq.get(path).await;
        assert_eq!(resp.status().as_u16(), 404, "{path}");
        let body = resp.text().await.unwrap();
        assert!(body.contains("ページが見つかりません"), "{path}: {body}");
    }
}

#[tokio::test]
async fn pages_carry_security_headers_and_print_styles_without_outside_requests() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let resp = hq.get("/sheets").await;
    let csp = resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert!(resp.headers().contains_key("referrer-policy"));
    let html = resp.text().await.unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"));

    let css = hq.page("/static/css/print.css").await;
    assert!(css.contains("size: A4 portrait"));
    assert!(css.contains("break-inside: avoid"));
    assert!(css.contains("display: none"));
}

#[tokio::test]
async fn a_sheet_keeps_the_name_written_on_it_while_the_list_keeps_the_master_name() {
    // (3)-2 calls itself 「データ活用基盤の整備と活用促進」 on its sheet; the list
    // page of the same report says 「…整備・活用促進」. Both are official text.
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let on_sheet = "データ活用基盤の整備と活用促進";
    let master = "データ活用基盤の整備・活用促進";
    for year in [2024, 2025] {
        let id = app.sheet_id(year, 3, 2);
        let page = visible_text(&hq.page(&format!("/sheets/{id}")).await);
        assert!(page.contains(on_sheet), "{year}: {page}");
        assert!(!page.contains(master), "{year}");
        let print = visible_text(&hq.page(&format!("/sheets/{id}/print")).await);
        assert!(
            print.contains(on_sheet) && !print.contains(master),
            "{year}"
        );
    }
    let list = hq.page_text("/sheets?year=2024").await;
    assert!(list.contains(master) && !list.contains(on_sheet), "{list}");
}
