//! 推進委員会意見 on a whole 推進項目: HQ records it from the area's page (linked
//! from 取組事業一覧) and names the answering department; that department
//! replies, another without a sheet in the area gets 404; HQ closes it. Each
//! step is in the administration history and tells the other side; the book's
//! appendix (when chosen) and the Excel worksheet list it under its 推進項目,
//! beside the opinions on single sheets.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use hyoka::domain::permission::Role;

use crate::support::{location, text_of, TestApp};

const DEPARTMENTS: [&str; 8] = [
    "職員課",
    "DX推進課",
    "人材マネジメント課",
    "財産活用課",
    "協働推進課",
    "連携共創課",
    "法制課",
    "財政課",
];

/// The first link on `html` starting with `prefix`.
fn link(html: &str, prefix: &str) -> Option<String> {
    let start = html.find(&format!("href=\"{prefix}"))? + 6;
    let end = start + html[start..].find('"')?;
    Some(html[start..end].to_string())
}

/// The value of the `<option>` naming `label`.
fn option_value(html: &str, label: &str) -> Option<String> {
    let end = html.find(&format!("\">{label}</option>"))?;
    let start = html[..end].rfind("value=\"")? + 7;
    Some(html[start..end].to_string())
}

#[tokio::test]
async fn an_opinion_on_an_area_is_answered_by_the_named_department_only_and_bound_in_the_book() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let staff = app.staff_of("職員課").await;

    // 取組事業一覧 links each 推進項目 to its opinions page.
    let list = hq.page("/sheets?year=2025").await;
    let page = link(&list, "/areas/").expect("area opinions link");
    assert!(page.ends_with("/opinions/2025"), "{page}");
    let html = hq.page(&page).await;
    let shokuin = option_value(&html, "職員課").expect("職員課 owns a sheet in area 1");

    // Refused: no department chosen; the text stays in the box.
    let resp = hq
        .post_from_page(
            &page,
            &page,
            &[("department", ""), ("opinion", "意見の下書き")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 422);
    let body = resp.text().await.unwrap();
    assert!(
        text_of(&body).contains("対応する所管課を選んでください"),
        "{body}"
    );
    assert!(body.contains("意見の下書き"), "typed text kept");

    let opinion = "<b>推進項目全体</b>として\n成果指標を見直すこと。";
    let resp = hq
        .post_from_page(
            &page,
            &page,
            &[("department", shokuin.as_str()), ("opinion", opinion)],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let id: i32 = location(&resp)
        .rsplit_once("#opinion-")
        .and_then(|(_, o)| o.parse().ok())
        .expect("opinion anchor");

    // The named department sees it (escaped) and may answer.
    let html = staff.page(&page).await;
    assert!(
        text_of(&html).contains("<b>推進項目全体</b>として"),
        "{html}"
    );
    assert!(!html.contains("<b>推進項目全体</b>"), "never as HTML");
    assert!(
        html.contains(&format!("/area-opinions/{id}/reply")),
        "{html}"
    );
    assert!(text_of(&staff.page("/notifications").await).contains("推進委員会意見が記録されました"));
    let resp = staff
        .post_from_page(
            &page,
            &format!("/area-opinions/{id}/reply"),
            &[("reply", "  ")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 422);
    let resp = staff
        .post_from_page(
            &page,
            &format!("/area-opinions/{id}/reply"),
            &[("reply", "指標を令和8年度から改めます。")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    assert!(text_of(&hq.page("/notifications").await).contains("対応が記入されました"));

    // Departments: the list links the page exactly for those who may open
    // it; one without a sheet in the area gets 404 and cannot answer; one
    // with a sheet there but not named gets 403.
    let mut outsiders = 0;
    for name in DEPARTMENTS.iter().filter(|d| **d != "職員課") {
        let other = app.staff_of(name).await;
        let status = other.status_of(&page).await;
        let listed = other.page("/sheets?year=2025").await.contains(&page);
        assert_eq!(listed, status == 200, "{name}: {status}");
        let token = other.csrf("/").await;
        let resp = other
            .post_form(
                &format!("/area-opinions/{id}/reply"),
                &[("csrf_token", token.as_str()), ("reply", "横から")],
            )
            .await;
        if status == 404 {
            outsiders += 1;
            assert_eq!(resp.status().as_u16(), 404, "{name}");
        } else {
            assert_eq!(resp.status().as_u16(), 403, "{name}");
        }
    }
    assert!(outsiders > 0, "some department has no sheet in area 1");
    // Staff record and close nothing.
    let resp = staff
        .post_from_page(&page, &format!("/area-opinions/{id}/close"), &[])
        .await;
    assert_eq!(resp.status().as_u16(), 403);

    // An opinion on one sheet of the area too, for the appendix's grouping.
    let sheet = app.sheet_id(2025, 1, 1);
    let resp = hq
        .post_from_page(
            &format!("/sheets/{sheet}"),
            &format!("/sheets/{sheet}/opinions"),
            &[("opinion", "個別の取組への意見")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);

    // HQ closes it; the reply is then read-only, and the history has all three.
    let resp = hq
        .post_from_page(&page, &format!("/area-opinions/{id}/close"), &[])
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let html = staff.page(&page).await;
    assert!(text_of(&html).contains("対応済"), "{html}");
    assert!(!html.contains(&format!("/area-opinions/{id}/reply")));
    let admin = app.login_as(Role::Admin).await;
    let history = text_of(&admin.page("/admin/history").await);
    for step in ["推進委員会意見の記録", "推進委員会意見への対応"] {
        assert!(history.contains(step), "{step}: {history}");
    }
    assert!(
        history.contains("指標を令和8年度から改めます。"),
        "{history}"
    );

    // The book's appendix when chosen, grouped under the 推進項目.
    let book = hq.page("/reports/2025?include_drafts=1").await;
    assert!(!book.contains("推進委員会意見と対応"), "not chosen");
    let book = text_of(&hq.page("/reports/2025?include_drafts=1&opinions=1").await);
    let appendix = &book[book.find("付録 推進委員会意見と対応").expect("appendix")..];
    let whole = appendix.find("推進項目全体").expect("area opinion");
    let single = appendix.find("個別の取組への意見").expect("sheet opinion");
    assert!(whole < single, "the area's own first: {appendix}");
    assert!(
        appendix.contains("指標を令和8年度から改めます。"),
        "{appendix}"
    );
    assert!(
        appendix.starts_with("付録 推進委員会意見と対応 (1)"),
        "{appendix}"
    );

    // The Excel worksheet.
    let resp = hq.get("/reports/2025/export.xlsx?include_drafts=1").await;
    assert_eq!(resp.status().as_u16(), 200);
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(resp.bytes().await.unwrap().to_vec())).unwrap();
    let ws = wb.worksheet_range("推進委員会意見と対応").unwrap();
    let cell = |r: u32, c: u32| match ws.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    };
    assert_eq!(cell(0, 4), "推進委員会意見");
    assert!(cell(1, 0).starts_with("(1) "), "{}", cell(1, 0));
    assert_eq!(cell(1, 2), "推進項目全体");
    assert_eq!(cell(1, 3), "職員課");
    assert_eq!(cell(1, 4), opinion);
    assert_eq!(cell(1, 5), "指標を令和8年度から改めます。");
    assert_eq!(cell(1, 6), "対応済");
    assert_eq!(cell(2, 1), "1");
    assert_eq!(cell(2, 4), "個別の取組への意見");
}
