//! What a hand-made request can put in a form (issue 9, points 7–9): control
//! characters and oversized identifiers are refused in Japanese before they
//! reach the database (on SQLite and PostgreSQL alike), two rows for one
//! indicator are refused, and a form of very many pairs costs no more per
//! pair than a small one.

use std::time::{Duration, Instant};

use hyoka::domain::permission::Role;
use hyoka::domain::workflow::SheetStatus;

use crate::support::{field_value, text_of, Client, Probe, TestApp};

const CONTROL: &str = "制御文字";

#[tokio::test]
async fn a_control_character_in_a_sheet_field_is_refused_and_the_form_keeps_the_text() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 1);
    let web = app.staff_of("職員課").await;
    let before = app.conn().load_sheet(id);
    let audit = app.conn().audit_count();

    for typed in ["前半\0後半", "エスケープ\u{1b}[31m"] {
        let form = web
            .edit_form(id)
            .await
            .with("h1_actions", typed)
            .with("h2_plan", "残るべき文章");
        let resp = web.save_sheet(id, &form).await;
        assert_eq!(resp.status().as_u16(), 400, "{typed:?}");
        let html = resp.text().await.unwrap();
        assert!(text_of(&html).contains(CONTROL), "{typed:?}");
        assert_eq!(field_value(&html, "h2_plan"), "残るべき文章");
        assert!(field_value(&html, "h1_actions").starts_with(&typed[..6]));
    }
    // A draft token with a NUL in the hidden field: refused, not committed.
    let form = web.edit_form(id).await.with("draft", "\0");
    let resp = web.save_sheet(id, &form).await;
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(app.conn().load_sheet(id), before, "nothing stored");
    assert_eq!(app.conn().audit_count(), audit);

    // Tab and line breaks are ordinary text.
    let resp = web
        .fill_and_save(id, &[("h1_actions", "一行目\r\n\t二行目")])
        .await;
    assert_eq!(resp.status().as_u16(), 303);
}

#[tokio::test]
async fn a_control_character_in_a_review_is_refused_and_the_reason_kept() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 1);
    app.conn().force_status(id, SheetStatus::Submitted);
    let hq = app.login_as(Role::Hq).await;
    let resp = hq.return_sheet(id, "理由の途中に\0NUL").await;
    assert_eq!(resp.status().as_u16(), 400);
    let html = resp.text().await.unwrap();
    assert!(text_of(&html).contains(CONTROL));
    assert!(field_value(&html, "reason").starts_with("理由の途中に"));
    assert_eq!(app.conn().status(id), SheetStatus::Submitted);
}

#[tokio::test]
async fn a_nul_or_an_enormous_login_id_is_a_clean_refusal() {
    let app = TestApp::spawn().await;
    let web = app.anonymous();
    let password = app.password("shokuin");
    for (login, expected) in [
        ("shokuin\0".to_string(), 400),
        ("a".repeat(2_000_000), 401),
        ("b".repeat(65), 401),
    ] {
        let resp = web.login(&login, &password).await;
        assert_eq!(resp.status().as_u16(), expected, "{}", login.len());
        let text = text_of(&resp.text().await.unwrap());
        assert!(
            text.contains(CONTROL) || text.contains("ログインIDまたはパスワードが正しくありません"),
            "{}",
            &text[..text.len().min(300)]
        );
    }
    assert_eq!(
        web.login("shokuin", "pass\0word").await.status().as_u16(),
        400
    );
    // None of it counted against the account.
    web.login_ok("shokuin", &password).await;
}

#[tokio::test]
async fn a_draft_parameter_that_is_not_a_token_is_refused() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 1);
    let web = app.staff_of("職員課").await;
    let long = "a".repeat(2000);
    for query in ["%00", "abc", long.as_str()] {
        for page in [format!("/sheets/{id}/edit"), format!("/sheets/{id}")] {
            let resp = web.get(&format!("{page}?draft={query}")).await;
            assert_eq!(resp.status().as_u16(), 400, "{page}?draft={query:.10}");
            assert!(text_of(&resp.text().await.unwrap()).contains("URL の指定が正しくありません"));
        }
    }
}

#[tokio::test]
async fn two_rows_for_one_indicator_are_refused() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 2);
    let web = app.staff_of("職員課").await;
    let before = app.conn().load_sheet(id);
    let audit = app.conn().audit_count();
    let form = web.edit_form(id).await;
    let key = form.get("i0_key").unwrap().to_string();
    assert!(!key.is_empty(), "the sheet has a stored indicator");
    let form = form
        .with("indicator_count", "2")
        .with("i0_first_half", "一つ目の行の実績")
        .with("i1_key", &key)
        .with("i1_name", "二つ目の行")
        .with("i1_first_half", "二つ目の行の実績");
    let resp = web.save_sheet(id, &form).await;
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().await.unwrap();
    assert!(text_of(&html).contains("同じ目標の行が二つ送信されました"));
    assert_eq!(field_value(&html, "i1_first_half"), "二つ目の行の実績");
    assert_eq!(app.conn().load_sheet(id), before, "nothing stored");
    assert_eq!(app.conn().audit_count(), audit, "nothing in the history");
}

/// The shortest of `runs` timings of `f`.
async fn fastest<F, Fut>(runs: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        f().await;
        best = best.min(start.elapsed());
    }
    best
}

async fn post_pairs(web: &Client, path: &str, token: &str, pairs: usize) -> u16 {
    // `x` alone is a pair (an empty value): 700,000 of them fit in 2 MiB.
    let body = format!("csrf_token={token}&{}", "x&".repeat(pairs));
    web.post_request(path)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Not a wall-clock limit: the large form is timed against the small one in
/// the same test, so a slow machine slows both.
#[tokio::test]
async fn a_form_of_many_pairs_costs_no_more_per_pair_than_a_small_one() {
    const SMALL: usize = 700;
    const LARGE: usize = 700_000;
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 1);
    let web = app.staff_of("職員課").await;
    let token = web.csrf(&format!("/sheets/{id}/edit")).await;
    let path = format!("/sheets/{id}/edit");
    let (web, path, token) = (&web, path.as_str(), token.as_str());
    let small = fastest(10, move || async move {
        let status = post_pairs(web, path, token, SMALL).await;
        assert_eq!(status, 400, "no version: refused after decoding");
    })
    .await;
    let large = fastest(3, move || async move {
        let status = post_pairs(web, path, token, LARGE).await;
        assert_eq!(status, 400, "refused, not failed");
    })
    .await;
    // 1000 times the pairs; a linear cost would allow up to 1000 times the
    // time, a quadratic one a million. The form is refused well within 50.
    assert!(
        large < small * 50,
        "{LARGE} pairs took {large:?}, {SMALL} pairs {small:?}"
    );
    // And the server still answers a normal page.
    assert_eq!(web.status_of("/").await, 200);
}
