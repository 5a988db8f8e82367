//! A user changes their own password: the current one is checked, the new
//! one follows the same rules as `hyoka user passwd`, and the user's other
//! browsers are logged out.

use crate::support::TestApp;

#[tokio::test]
async fn a_user_changes_their_password_and_their_other_browsers_are_logged_out() {
    let app = TestApp::spawn().await;
    let here = app.staff_of("職員課").await;
    let elsewhere = app.staff_of("職員課").await;
    let old = app.password("shokuin");
    let change = |current: String, new: &'static str, again: &'static str| {
        let here = &here;
        async move {
            let token = here.csrf("/account/password").await;
            here.post_form(
                "/account/password",
                &[
                    ("csrf_token", token.as_str()),
                    ("current", current.as_str()),
                    ("new", new),
                    ("again", again),
                ],
            )
            .await
        }
    };
    for (current, new, again, message) in [
        (
            "wrong-password".to_string(),
            "a-new-password",
            "a-new-password",
            "現在のパスワードが正しくありません",
        ),
        (
            old.clone(),
            "a-new-password",
            "another-one",
            "確認用と一致しません",
        ),
        (old.clone(), "short", "short", "8文字以上"),
    ] {
        let resp = change(current, new, again).await;
        assert_eq!(resp.status(), 422);
        let body = resp.text().await.unwrap();
        assert!(body.contains(message), "{body}");
    }
    assert_eq!(elsewhere.status_of("/").await, 200, "nothing changed yet");

    let resp = change(old.clone(), "a-new-password", "a-new-password").await;
    assert_eq!(resp.status(), 303);
    let page = here.page("/account/password?ended=1").await;
    assert!(page.contains("パスワードを変更しました"));
    assert_eq!(
        here.status_of("/").await,
        200,
        "this browser stays logged in"
    );
    assert_ne!(
        elsewhere.status_of("/").await,
        200,
        "the other browser is logged out"
    );

    let refused = app.anonymous().login("shokuin", &old).await;
    assert_eq!(refused.status(), 401, "the old password no longer works");
    let accepted = app.anonymous().login("shokuin", "a-new-password").await;
    assert_eq!(accepted.status(), 303);
}
