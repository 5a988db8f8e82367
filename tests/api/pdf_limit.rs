//! One user's PDFs must not hold up everyone else's (issue 9, point 15):
//! Chromium prints one PDF at a time, and 12 parallel PDFs from one session
//! made another user's wait 9.4 s. Each user may have `pdf_per_user` (2)
//! PDFs in the making; beyond that the answer comes at once, 429 with a
//! 「しばらくしてから」 page. Rendering is held by a fake Chromium, so nothing
//! here depends on timing.

use std::sync::Arc;
use std::time::Duration;

use crate::support::chromium::FakeChromium;
use crate::support::{Client, Probe, TestApp};

/// Asks for a PDF in the background; gives the status and the body's text.
fn ask(web: &Arc<Client>, path: &str) -> tokio::task::JoinHandle<(u16, String)> {
    let (web, path) = (Arc::clone(web), path.to_string());
    tokio::spawn(async move {
        let resp = web.get(&path).await;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    })
}

/// Only keeps a broken build from hanging the run; nothing is measured.
const GUARD: Duration = Duration::from_secs(120);

#[tokio::test]
async fn extra_pdfs_of_one_user_are_refused_at_once_and_another_users_is_accepted() {
    let chromium = FakeChromium::new();
    let fake = chromium.path();
    let app = TestApp::init()
        .configure(move |c| c.chromium = Some(fake))
        .spawn()
        .await;
    assert_eq!(hyoka::Config::new(app.db().url()).unwrap().pdf_per_user, 2);
    let own = format!("/sheets/{}/pdf", app.sheet_id(2025, 1, 1));
    let dx_sheet = app
        .conn()
        .sheets(2025)
        .into_iter()
        .find(|s| s.context.department == "DX推進課")
        .unwrap()
        .id;
    let a = Arc::new(app.staff_of("職員課").await);
    let b = Arc::new(app.staff_of("DX推進課").await);

    chromium.hold();
    let first = ask(&a, &own);
    chromium.wait_started(1).await;
    // Two more at once: one takes the user's second place and waits for
    // Chromium, the other is answered at once.
    let (mut second, mut third) = (ask(&a, &own), ask(&a, &own));
    let (refused, waiting) = tokio::time::timeout(GUARD, async {
        tokio::select! {
            r = &mut second => (r.unwrap(), third),
            r = &mut third => (r.unwrap(), second),
        }
    })
    .await
    .expect("the third PDF of one user is answered while the others are held");
    assert_eq!(refused.0, 429);
    assert!(refused.1.contains("しばらくしてから"), "{}", refused.1);
    assert!(refused.1.contains("1人 2 件まで"), "{}", refused.1);

    // Another user is not refused: their PDF waits its turn.
    let other = ask(&b, &format!("/sheets/{dx_sheet}/pdf"));
    chromium.release();
    for task in [first, waiting, other] {
        let (status, body) = tokio::time::timeout(GUARD, task).await.unwrap().unwrap();
        assert_eq!(status, 200);
        assert!(body.starts_with("%PDF"));
    }
    assert_eq!(chromium.urls().len(), 3, "the refused one never started");
    // Finished PDFs free their places.
    let (status, _) = ask(&a, &own).await.unwrap();
    assert_eq!(status, 200);
}
