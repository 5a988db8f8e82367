//! Forms posted without a live session (issue 9, point 5). A form is kept for
//! later only when it comes with this server's own session cookie — expired
//! is fine — and that session's CSRF token; it is given back only to that
//! user; how many are kept is capped; and a post without a login is answered
//! alike whether the sheet exists or not.

use std::time::Duration;

use hyoka::domain::draft::{MAX_PER_USER, MAX_TOTAL};
use hyoka::domain::permission::Role;

use crate::support::{
    attr_of, field_value, location, visible_text, Client, Form, Probe, TestApp, TestClock,
};

const MISSING: i32 = 999_999;

/// An app whose sessions time out after a second, on a clock the test moves
/// past that second (a real sleep would race the logins on a loaded machine).
struct ShortSessions {
    app: TestApp,
    clock: TestClock,
}

impl std::ops::Deref for ShortSessions {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl ShortSessions {
    fn let_sessions_expire(&self) {
        self.clock.advance(chrono::Duration::milliseconds(2100));
    }
}

async fn app_with_short_sessions() -> ShortSessions {
    let clock = TestClock::new();
    let app = TestApp::init()
        .clock(&clock)
        .configure(|c| c.idle_timeout = Duration::from_secs(1))
        .spawn()
        .await;
    ShortSessions { app, clock }
}

/// A post to the edit or review form of `id`: its status and where it leads,
/// with the id written as `{id}` so answers for different ids compare.
async fn post_to(web: &Client, path: &str, id: i32, body: &str, origin: bool) -> (u16, String) {
    let url = path.replace("{id}", &id.to_string());
    let request = if origin {
        web.post_request(&url)
    } else {
        web.bare_post_request(&url)
    };
    let resp = request
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let to = resp
        .headers()
        .get("location")
        .map_or(String::new(), |l| l.to_str().unwrap().to_string());
    (status, to.replace(&id.to_string(), "{id}"))
}

#[tokio::test]
async fn a_post_without_a_login_keeps_nothing_and_tells_nothing() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 1);
    // A megabyte of "restored" text, as the outside test planted it.
    let planted = format!(
        "op=save&version=1&action_count=0&indicator_count=0&h1_actions={}",
        "x".repeat(1_000_000)
    );
    // No cookie at all; and a cookie of a session that never logged in,
    // with that session's own token.
    let stranger = app.anonymous();
    let visitor = app.anonymous();
    let token = visitor.csrf("/login").await;
    let with_token = format!("csrf_token={token}&{planted}");
    for (web, body) in [(&stranger, &planted), (&visitor, &with_token)] {
        for path in ["/sheets/{id}/edit", "/sheets/{id}/review"] {
            for origin in [false, true] {
                let existing = post_to(web, path, id, body, origin).await;
                let missing = post_to(web, path, MISSING, body, origin).await;
                assert_eq!(existing.0, 303, "{path}");
                assert!(existing.1.starts_with("/login?"), "{existing:?}");
                assert!(!existing.1.contains("draft"), "{existing:?}");
                assert_eq!(
                    existing, missing,
                    "{path}: the answer tells whether the sheet exists"
                );
            }
        }
    }
    assert_eq!(app.conn().draft_count(), 0, "nothing kept");
}

#[tokio::test]
async fn an_expired_session_keeps_a_draft_only_with_its_own_token() {
    let app = app_with_short_sessions().await;
    let id = app.sheet_id(2025, 2, 2);
    let [a, b, c] = [
        app.staff_of("人材マネジメント課").await,
        app.staff_of("人材マネジメント課").await,
        app.staff_of("人材マネジメント課").await,
    ];
    let form_a = a.edit_form(id).await.with("h1_actions", "Aの入力");
    let form_b = b.edit_form(id).await.with("h1_actions", "Bの入力");
    let form_c = c.edit_form(id).await.with("h1_actions", "Cの入力");
    app.let_sessions_expire();

    // A's expired cookie with B's (real, but not A's) token; B's without one.
    let b_token = form_b.get("csrf_token").unwrap().to_string();
    let forged = form_a.with("csrf_token", &b_token);
    for (web, form) in [(&a, forged), (&b, form_b.without("csrf_token"))] {
        let resp = web.save_sheet(id, &form).await;
        assert_eq!(resp.status().as_u16(), 303);
        let to = location(&resp);
        assert!(to.starts_with("/login?") && !to.contains("draft"), "{to}");
        // The login page does not promise what was not kept.
        let text = visible_text(&web.page(&to).await);
        assert!(text.contains("セッションの有効期限が切れました"), "{text}");
        assert!(!text.contains("保存されています"), "{text}");
    }
    assert_eq!(
        app.conn().draft_count(),
        0,
        "nothing kept without the token"
    );

    // The real flow: C's own expired session and its token.
    let resp = c.save_sheet(id, &form_c).await;
    assert!(location(&resp).contains("draft"), "{}", location(&resp));
    assert_eq!(app.conn().draft_count(), 1);
}

/// Posts `typed` on an expired session and returns the link (with `?draft=`)
/// the login page sends its owner back to.
async fn leave_a_draft(app: &ShortSessions, web: &Client, id: i32, typed: &str) -> String {
    let form = web.edit_form(id).await.with("h1_actions", typed);
    app.let_sessions_expire();
    let resp = web.save_sheet(id, &form).await;
    assert_eq!(resp.status().as_u16(), 303);
    let html = web.page(&location(&resp)).await;
    assert!(visible_text(&html).contains("入力中の内容は保存されています"));
    let next = attr_of(&html, "input[name=next]", "value").unwrap();
    assert!(next.contains("draft="), "{next}");
    assert_eq!(app.conn().draft_count(), 1);
    next
}

#[tokio::test]
async fn a_draft_comes_back_only_to_the_user_who_left_it() {
    let app = app_with_short_sessions().await;
    let id = app.sheet_id(2025, 2, 2);
    let stored = app.conn().text(id, "h1_actions");
    app.conn()
        .add_user("jinzai2", Role::Staff, Some("人材マネジメント課"));
    let owner = app.staff_of("人材マネジメント課").await;
    let typed = "本人だけが復元できる文章";
    let next = leave_a_draft(&app, &owner, id, typed).await;
    let token = next.split("draft=").nth(1).unwrap().to_string();

    // A colleague of the same department follows the same link.
    let colleague = app.anonymous();
    let resp = colleague
        .login_then("jinzai2", crate::support::probe::PASSWORD, &next)
        .await;
    assert_eq!(location(&resp), next);
    let html = colleague.page(&next).await;
    assert_eq!(field_value(&html, "h1_actions"), stored);
    assert!(!visible_text(&html).contains("復元しました"));
    // Saving with the owner's token in the form leaves the owner's draft.
    let form = Form::from_page(&html, crate::support::EDIT_FORM).with("draft", &token);
    assert_eq!(colleague.save_sheet(id, &form).await.status().as_u16(), 303);
    assert_eq!(app.conn().draft_count(), 1);

    // The owner gets it back.
    let resp = owner
        .login_then("jinzai", &app.password("jinzai"), &next)
        .await;
    assert_eq!(location(&resp), next);
    let html = owner.page(&next).await;
    assert_eq!(field_value(&html, "h1_actions"), typed);
}

#[tokio::test]
async fn drafts_are_capped_per_user_and_in_all() {
    let app = app_with_short_sessions().await;
    let id = app.sheet_id(2025, 2, 2);
    let other = app.sheet_id(2025, 1, 1);
    let jinzai = app.staff_of("人材マネジメント課").await;
    let shokuin = app.staff_of("職員課").await;
    let form_j = jinzai
        .edit_form(id)
        .await
        .with("h1_actions", "上限を超えた入力");
    let form_s = shokuin
        .edit_form(other)
        .await
        .with("h1_actions", "全体の上限");
    app.let_sessions_expire();

    let refused = |html: &str| visible_text(html).contains("保管できませんでした");
    app.conn().add_drafts("jinzai", id, MAX_PER_USER as usize);
    let resp = jinzai.save_sheet(id, &form_j).await;
    assert_eq!(resp.status().as_u16(), 429);
    assert!(refused(&resp.text().await.unwrap()));
    assert_eq!(app.conn().draft_count(), MAX_PER_USER);

    // 職員課 has none of its own, but all drafts together are at the cap.
    let rest = (MAX_TOTAL - MAX_PER_USER) as usize;
    app.conn().add_drafts("jinzai", id, rest);
    let resp = shokuin.save_sheet(other, &form_s).await;
    assert_eq!(resp.status().as_u16(), 429);
    assert!(refused(&resp.text().await.unwrap()));
    assert_eq!(app.conn().draft_count(), MAX_TOTAL);
}
