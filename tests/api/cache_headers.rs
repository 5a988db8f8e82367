//! A shared office PC's browser cache must not keep official drafts (issue 9,
//! point 13): every answer to a logged-in user (pages, exports, PDFs) says
//! `Cache-Control: no-store`; the static assets keep their revalidated cache.

use hyoka::domain::permission::Role;

use crate::support::chromium::FakeChromium;
use crate::support::{Client, TestApp};

async fn cache_control(web: &Client, path: &str) -> String {
    let resp = web.get(path).await;
    assert!(
        resp.status().is_success() || resp.status().is_redirection(),
        "{path}: {}",
        resp.status()
    );
    resp.headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn logged_in_pages_exports_and_pdfs_are_not_stored() {
    let chromium = FakeChromium::new();
    let path = chromium.path();
    let app = TestApp::init()
        .configure(move |c| c.chromium = Some(path))
        .spawn()
        .await;
    let id = app.sheet_id(2025, 1, 1);
    let staff = app.staff_of("職員課").await;
    for path in [
        "/".to_string(),
        "/sheets".to_string(),
        format!("/sheets/{id}"),
        format!("/sheets/{id}/edit"),
        format!("/sheets/{id}/history"),
        format!("/sheets/{id}/print"),
        format!("/sheets/{id}/pages.css"),
        format!("/sheets/{id}/pdf"),
    ] {
        assert_eq!(cache_control(&staff, &path).await, "no-store", "{path}");
    }
    let hq = app.login_as(Role::Hq).await;
    for path in [
        "/reports",
        "/reports/2025?include_drafts=1",
        "/reports/2025/pages.css",
        "/reports/2025/pdf?include_drafts=1",
        "/reports/2025/export.xlsx?include_drafts=1",
        "/reports/2025/list.csv?include_drafts=1",
        "/reports/2025/indicators.csv?include_drafts=1",
        "/choices",
        "/rounds",
    ] {
        assert_eq!(cache_control(&hq, path).await, "no-store", "{path}");
    }
    let admin = app.login_as(Role::Admin).await;
    assert_eq!(cache_control(&admin, "/admin/users").await, "no-store");
    assert_eq!(chromium.urls().len(), 2, "both PDFs were rendered");
}

#[tokio::test]
async fn static_assets_keep_their_cache() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    for path in ["/static/css/app.css", "/static/js/form.js"] {
        let cache = cache_control(&staff, path).await;
        assert!(!cache.contains("no-store"), "{path}: {cache}");
        assert!(cache.contains("public"), "{path}: {cache}");
    }
}
