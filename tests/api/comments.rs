//! Comments on a sheet: pinned to a field and shown beside it for the
//! department and HQ (never for another department), answered, marked
//! 解決済 by HQ with an entry in the 履歴, escaped, never printed, and a
//! refused one comes back with its text.

use hyoka::domain::permission::Role;

use crate::support::{location, text_of, TestApp};

fn comment_id(resp: &reqwest::Response) -> i32 {
    location(resp)
        .rsplit_once("#comment-")
        .and_then(|(_, c)| c.parse().ok())
        .expect("comment anchor")
}

#[tokio::test]
async fn a_comment_on_the_second_half_plan_shows_beside_it_for_both_sides_only() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let hq = app.login_as(Role::Hq).await;
    let other = app.staff_of("DX推進課").await;
    let id = app.sheet_id(2025, 1, 1);
    let page = format!("/sheets/{id}");

    let resp = staff
        .comment(id, "h2_plan", "<b>下半期</b>は\n説明会を予定しています。")
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let first = comment_id(&resp);

    for (who, client) in [("department", &staff), ("HQ", &hq)] {
        let html = client.page(&page).await;
        let doc = scraper::Html::parse_document(&html);
        let group = scraper::Selector::parse("#comments-h2_plan").unwrap();
        let group = doc
            .select(&group)
            .next()
            .unwrap_or_else(|| panic!("{who}: {html}"));
        let text: String = group.text().collect();
        assert!(text.contains("下半期への取組"), "{who}: {text}");
        assert!(
            text.contains("<b>下半期</b>は"),
            "{who}: escaped text {text}"
        );
        assert!(!html.contains("<b>下半期</b>"), "{who}: never as HTML");
        assert!(
            group.inner_html().contains("は<br>説明会"),
            "{who}: line break kept"
        );
        // The count sits in the field's own row and links to the thread.
        assert!(
            html.contains("href=\"#comments-h2_plan\">コメント1件</a>"),
            "{who}: {html}"
        );
    }
    // The edit form shows the count beside the field too.
    let edit = staff.page(&format!("/sheets/{id}/edit")).await;
    assert!(
        edit.contains("#comments-h2_plan\">コメント1件</a>"),
        "{edit}"
    );
    // The printed sheet has none of it.
    let print = staff.page(&format!("/sheets/{id}/print")).await;
    assert!(!print.contains("説明会を予定"), "printed: {print}");

    // Another department: neither the sheet nor its comments exist.
    assert_eq!(other.status_of(&page).await, 404);
    let token = other.csrf("/").await;
    let resp = other
        .post_form(
            &format!("/sheets/{id}/comments"),
            &[
                ("csrf_token", token.as_str()),
                ("field", "sheet"),
                ("body", "横から失礼"),
            ],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 404);
    let resp = other
        .post_form(
            &format!("/sheets/{id}/comments/{first}/resolve"),
            &[("csrf_token", token.as_str())],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 404);
    // Nor its お知らせ: HQ's notification cannot be opened by the department.
    let list = hq.page("/notifications").await;
    assert!(text_of(&list).contains("コメントがあります"), "{list}");
    let nid = list
        .split("/notifications/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("a notification")
        .to_string();
    let token = other.csrf("/").await;
    let resp = other
        .post_form(
            &format!("/notifications/{nid}/open"),
            &[("csrf_token", token.as_str())],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 404);

    // HQ answers and resolves; the history records both.
    let resp = hq.reply(id, first, "承知しました。").await;
    assert_eq!(resp.status().as_u16(), 303);
    let resp = hq.resolve_comment(id, first).await;
    assert_eq!(resp.status().as_u16(), 303);
    let html = staff.page(&page).await;
    assert!(text_of(&html).contains("解決済"), "{html}");
    let history = text_of(&staff.page(&format!("/sheets/{id}/history")).await);
    assert!(history.contains("コメントを解決済みに"), "{history}");
    assert!(
        history.contains("返信（下半期への取組）: 承知しました。"),
        "{history}"
    );
}

#[tokio::test]
async fn a_refused_comment_comes_back_with_its_text_and_staff_resolve_only_their_own() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let hq = app.login_as(Role::Hq).await;
    let id = app.sheet_id(2025, 1, 1);

    let long = "あ".repeat(2001);
    let resp = staff.comment(id, "h1_actions", &long).await;
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().await.unwrap();
    assert!(text_of(&html).contains("2000文字以内"), "{html}");
    assert!(html.contains(&long), "the text is still in the box");
    assert!(
        html.contains("<option value=\"h1_actions\" selected>"),
        "the field stays chosen"
    );
    let resp = staff.comment(id, "sheet", "  ").await;
    assert_eq!(resp.status().as_u16(), 422);

    let resp = hq.comment(id, "sheet", "全体について").await;
    let theirs = comment_id(&resp);
    let resp = staff.resolve_comment(id, theirs).await;
    assert_eq!(resp.status().as_u16(), 403, "staff resolve only their own");
    let resp = staff.comment(id, "sheet", "こちらから").await;
    let mine = comment_id(&resp);
    let resp = staff.resolve_comment(id, mine).await;
    assert_eq!(resp.status().as_u16(), 303);
}

#[tokio::test]
async fn a_comment_on_the_paired_reason_is_counted_beside_it_and_survives_a_refused_save() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);
    let resp = staff.comment(id, "dept_reason", "理由を具体的に").await;
    assert_eq!(resp.status().as_u16(), 303);

    // The sheet page counts it in the reason's own cell, linking its thread.
    let html = staff.page(&format!("/sheets/{id}")).await;
    assert!(
        html.contains("href=\"#comments-dept_reason\">コメント1件</a>"),
        "{html}"
    );
    // So does the edit form, beside the reason's box.
    let edit = staff.page(&format!("/sheets/{id}/edit")).await;
    assert!(
        edit.contains("#comments-dept_reason\">コメント1件</a>"),
        "{edit}"
    );

    // A refused 提出 re-shows the form with the counts still there.
    let mut form = staff.edit_form(id).await;
    form.set("content", "取組内容（確認前）");
    let refused = staff
        .post_edit(id, &form.clone().with("op", "submit"))
        .await;
    assert_eq!(refused.status().as_u16(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("取組内容（確認前）"), "typed text kept");
    assert!(
        page.contains("#comments-dept_reason\">コメント1件</a>"),
        "{page}"
    );
}
