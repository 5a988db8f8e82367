//! Who may read the running headers of printed sheets (issue 9, point 11):
//! `pages.css` names the plan, every sheet's 推進項目 and No. and which are
//! still 作成中. It was served to any client on this machine without a login,
//! which behind a reverse proxy on the same host is everyone. Now it follows
//! its page: the book's for HQ, a sheet's for whoever may see the sheet, and
//! Chromium only with a pass for that very file.

use hyoka::domain::permission::Role;

use crate::support::{Client, TestApp};

/// What a running-header stylesheet gives away: a page rule per sheet, its
/// heading and whether it is 【作成中】.
fn leaks(body: &str) -> bool {
    body.contains("@page") || body.contains("【作成中】") || body.contains("No.")
}

async fn assert_refused(web: &Client, path: &str, statuses: &[u16]) {
    let resp = web.get(path).await;
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap();
    assert!(statuses.contains(&status), "{path}: {status}");
    assert!(
        !leaks(&body),
        "{path} answered with running headers: {body}"
    );
}

#[tokio::test]
async fn running_headers_are_not_served_without_a_login() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 1);
    // The test runs on the server's machine: the loopback client the old
    // check let through.
    let anonymous = app.anonymous();
    for path in [
        "/reports/2025/pages.css".to_string(),
        "/reports/2025/pages.css?print_pass=guessed".to_string(),
        format!("/sheets/{id}/pages.css"),
        format!("/sheets/{id}/pages.css?print_pass=guessed"),
    ] {
        // Sent to the login page, like the print page itself.
        assert_refused(&anonymous, &path, &[303]).await;
    }
}

#[tokio::test]
async fn staff_read_only_the_running_header_of_sheets_they_may_see() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let own = app.sheet_id(2025, 1, 1);
    let other = app.sheet_id(2025, 3, 1);
    let css = staff.page(&format!("/sheets/{own}/pages.css")).await;
    assert!(css.contains(&format!("@page sheet-{own} ")), "{css}");
    assert_eq!(css.matches("@page").count(), 1, "only its own sheet: {css}");
    assert_refused(&staff, &format!("/sheets/{other}/pages.css"), &[404]).await;
    assert_refused(&staff, "/reports/2025/pages.css", &[403]).await;

    let hq = app.login_as(Role::Hq).await;
    let css = hq.page("/reports/2025/pages.css").await;
    assert_eq!(css.matches("@page").count(), 12, "the book's: every sheet");
}
