//! Who may read the running headers of printed sheets (issue 9, point 11):
//! `pages.css` names the plan, every sheet's 推進項目 and No. and which are
//! still 作成中. It was served to any client on this machine without a login,
//! which behind a reverse proxy on the same host is everyone. Now it follows
//! its page: the book's for HQ, a sheet's for whoever may see the sheet, and
//! Chromium only with a pass for that very file.

use hyoka::domain::permission::Role;

use crate::support::chromium::FakeChromium;
use crate::support::{attr_of, Client, TestApp};

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

/// The path and query of a URL on the app.
fn path_of(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    rest[rest.find('/').unwrap()..].to_string()
}

#[tokio::test]
async fn chromium_opens_the_print_page_and_its_stylesheet_each_with_its_own_pass() {
    let chromium = FakeChromium::new();
    let path = chromium.path();
    let app = TestApp::init()
        .configure(move |c| c.chromium = Some(path))
        .spawn()
        .await;
    let own = app.sheet_id(2025, 1, 1);
    let other = app.sheet_id(2025, 3, 1);
    let staff = app.staff_of("職員課").await;
    assert_eq!(staff.status_of(&format!("/sheets/{own}/pdf")).await, 200);
    // What Chromium was given, and what it then asks for, without a session.
    let page = path_of(&chromium.urls()[0]);
    let (bare, page_pass) = page.split_once("?print_pass=").unwrap();
    assert_eq!(bare, format!("/sheets/{own}/print"));
    let chromium_client = app.anonymous();
    let html = chromium_client.page(&page).await;
    let css = attr_of(&html, "link[href*='pages.css']", "href").unwrap();
    let (css_bare, css_pass) = css.split_once("?print_pass=").unwrap();
    assert_eq!(css_bare, format!("/sheets/{own}/pages.css"));
    assert_ne!(css_pass, page_pass);
    let rules = chromium_client.page(&css).await;
    assert!(rules.contains(&format!("@page sheet-{own} ")), "{rules}");
    // Each pass opens its own path only.
    for path in [
        format!("/sheets/{own}/pages.css?print_pass={page_pass}"),
        format!("/sheets/{own}/print?print_pass={css_pass}"),
        format!("/sheets/{other}/pages.css?print_pass={css_pass}"),
        format!("/reports/2025/pages.css?print_pass={css_pass}"),
    ] {
        assert_refused(&chromium_client, &path, &[303]).await;
    }
}
