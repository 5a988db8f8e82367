//! Sessions end on the server: a cookie kept after logout, after
//! `hyoka user passwd` or after the account was deactivated opens nothing and
//! saves nothing; a user sees their own logged-in browsers and logs out the
//! others; the database holds only hashes of the cookies' ids.

use std::time::Duration;

use actix_web::cookie::{Cookie, CookieJar, Key};
use hyoka::domain::permission::Role;
use hyoka::domain::session::SessionKeyHash;
use hyoka::Config;
use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};

use crate::support::cli::{hyoka, printed};
use crate::support::{assert_redirect, count, location, Client, Probe, TestApp};

const COOKIE: &str = "hyoka_session";
const STAFF: &str = "shokuin";

/// A browser whose session has ended: pages send it to the login page.
async fn assert_logged_out(web: &Client) {
    for path in ["/", "/sheets", "/sessions"] {
        let resp = web.get(path).await;
        assert_redirect(&resp, "/login");
    }
}

/// A save from a browser whose session has ended is not stored, and is not
/// answered as saved.
async fn assert_save_refused(app: &TestApp, web: &Client, id: i32, form: &crate::support::Form) {
    let before = app.conn().text(id, "h1_actions");
    let form = form
        .clone()
        .with("h1_actions", "終わったセッションからの書き込み");
    let resp = web.save_sheet(id, &form).await;
    let status = resp.status().as_u16();
    if status == 303 {
        let to = location(&resp);
        assert!(
            to.starts_with("/login"),
            "an ended session's save went to {to}"
        );
    } else {
        assert!(status >= 400, "an ended session's save answered {status}");
    }
    assert_eq!(app.conn().text(id, "h1_actions"), before, "nothing stored");
}

#[tokio::test]
async fn a_cookie_kept_after_logout_opens_nothing_and_saves_nothing() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 1);
    let web = app.staff_of("職員課").await;
    let form = web.edit_form(id).await;
    let kept = web.cookie_copy();
    assert_eq!(
        kept.status_of("/").await,
        200,
        "the copy works before logout"
    );

    assert_redirect(&web.logout().await, "/login");
    assert!(app.conn().session_keys(STAFF).is_empty(), "the row is gone");
    assert_logged_out(&kept).await;
    assert_save_refused(&app, &kept, id, &form).await;
    assert_logged_out(&web).await;
}

#[tokio::test]
async fn a_cookie_from_before_passwd_is_refused() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 1);
    let web = app.staff_of("職員課").await;
    let other_browser = app.staff_of("職員課").await;
    let form = web.edit_form(id).await;
    let kept = web.cookie_copy();

    let out = hyoka(
        app.db(),
        &["user", "passwd", "--login", STAFF],
        "a-new-password-2025\n",
    );
    assert!(out.status.success(), "{}", printed(&out));
    assert!(
        printed(&out).contains("2 件のセッションを終了"),
        "{}",
        printed(&out)
    );

    for browser in [&kept, &web, &other_browser] {
        assert_logged_out(browser).await;
    }
    assert_save_refused(&app, &kept, id, &form).await;
    // The new password logs in; the old one no longer does.
    let fresh = app.anonymous();
    let old = app.password(STAFF);
    assert_eq!(fresh.login(STAFF, &old).await.status().as_u16(), 401);
    fresh.login_ok(STAFF, "a-new-password-2025").await;
    assert_eq!(fresh.status_of("/").await, 200);
}

#[tokio::test]
async fn deactivating_an_account_ends_its_sessions_for_good() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 1);
    let web = app.staff_of("職員課").await;
    let form = web.edit_form(id).await;
    let kept = web.cookie_copy();
    let admin = app.login_as(Role::Admin).await;
    let user = app.conn().user_id(STAFF);

    assert_redirect(&admin.set_user_active(user, false).await, "/admin/users");
    assert_logged_out(&kept).await;
    assert_save_refused(&app, &kept, id, &form).await;
    // Switched on again, the account needs a new login: the old cookie
    // does not come back to life.
    assert_redirect(&admin.set_user_active(user, true).await, "/admin/users");
    assert_logged_out(&web).await;
    assert_save_refused(&app, &web, id, &form).await;
    assert_eq!(app.login(STAFF).await.status_of("/").await, 200);
}

#[tokio::test]
async fn the_sessions_page_lists_a_users_logins_and_logs_out_only_the_others() {
    let app = TestApp::spawn().await;
    let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
    let here = app.staff_of("職員課").await;
    let there = Client::with_user_agent(app.address(), firefox);
    there.login_ok(STAFF, &app.password(STAFF)).await;
    let colleague = app.staff_of("DX推進課").await;

    // Reached from the header of every page.
    let home = here.page("/").await;
    assert_eq!(count(&home, "header a[href='/sessions']"), 1);
    let html = here.page("/sessions").await;
    assert_eq!(count(&html, "table.sessions tbody tr"), 2, "two logins");
    assert_eq!(count(&html, "table.sessions tr.current"), 1);
    assert_eq!(
        count(&html, "table.sessions tbody tr:first-child.current"),
        1
    );
    let text = crate::support::text_of(&html);
    for expected in [
        "ログイン中の端末",
        "この端末",
        "Firefox（Linux）",
        "127.0.0.1",
        "令和",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    // Only one's own: the colleague sees one session, theirs.
    let theirs = colleague.page("/sessions").await;
    assert_eq!(count(&theirs, "table.sessions tbody tr"), 1);

    let resp = here.end_other_sessions().await;
    assert_redirect(&resp, "/sessions");
    let html = here.page(&location(&resp)).await;
    assert!(crate::support::text_of(&html).contains("他の端末 1 件をログアウトしました"));
    assert_eq!(count(&html, "table.sessions tbody tr"), 1);
    assert_eq!(count(&html, "form[action='/sessions/end-others']"), 0);
    assert_logged_out(&there).await;
    assert_eq!(here.status_of("/").await, 200, "this browser stays");
    assert_eq!(colleague.status_of("/").await, 200, "nobody else's");
}

#[tokio::test]
async fn every_role_sees_its_own_sessions_page() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let hq = app.login_as(Role::Hq).await;
    let admin = app.login_as(Role::Admin).await;
    for web in [&staff, &hq, &admin] {
        let html = web.page("/sessions").await;
        assert_eq!(count(&html, "table.sessions tbody tr"), 1);
        assert_eq!(count(&html, "table.sessions tr.current"), 1);
    }
    // Logging out others needs the page's token like every form.
    let resp = staff
        .post_form("/sessions/end-others", &[("csrf_token", "wrong")])
        .await;
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(app.anonymous().status_of("/sessions").await, 303);
}

/// The signing key the tests give the server (HYOKA_SESSION_KEY).
fn key_bytes() -> Vec<u8> {
    (0..64u8).collect()
}

/// A cookie value the server with [`key_bytes`] accepts as its own
/// (encrypted, then percent-encoded as the server sends it).
fn sealed(value: &str) -> String {
    let mut jar = CookieJar::new();
    jar.private_mut(&Key::derive_from(&key_bytes()))
        .add(Cookie::new(COOKIE, value.to_string()));
    let value = jar.get(COOKIE).expect("sealed").value().to_string();
    utf8_percent_encode(&value, NON_ALPHANUMERIC).to_string()
}

/// What a cookie value of the server with [`key_bytes`] holds.
fn opened(value: &str) -> String {
    let value = percent_decode_str(value).decode_utf8().expect("utf-8");
    let mut jar = CookieJar::new();
    jar.add_original(Cookie::new(COOKIE, value.into_owned()));
    jar.private(&Key::derive_from(&key_bytes()))
        .get(COOKIE)
        .expect("a cookie of this server")
        .value()
        .to_string()
}

#[tokio::test]
async fn the_database_holds_only_a_hash_that_opens_nothing() {
    let app = TestApp::init()
        .configure(|c| c.session_key = Some(key_bytes()))
        .spawn()
        .await;
    let web = app.staff_of("職員課").await;
    let id = opened(&web.cookie(COOKIE).expect("session cookie"));
    let stored = app.conn().session_keys(STAFF);
    assert_eq!(stored, vec![SessionKeyHash::of(&id).as_str().to_string()]);
    assert!(!stored.contains(&id), "the id itself is not stored");

    // The test seals cookies as the server does: the id itself opens the session.
    let holder = app.anonymous();
    holder.set_cookie(COOKIE, &sealed(&id));
    assert_eq!(holder.status_of("/").await, 200);
    // Someone who read the table and can even seal cookies gets nowhere.
    let reader = app.anonymous();
    reader.set_cookie(COOKIE, &sealed(&stored[0]));
    assert_logged_out(&reader).await;
    // Nor does a cookie that carries a user itself, as the old cookie store's
    // did: users are logged in by a row only.
    let now = chrono::Utc::now().timestamp_millis();
    let user = app.conn().user_id(STAFF);
    let old_style = format!(
        r#"{{"uid":"{user}","login_ms":"{now}","seen_ms":"{now}","exp_ms":"{}","csrf":"\"x\""}}"#,
        now + 3_600_000
    );
    let forger = app.anonymous();
    forger.set_cookie(COOKIE, &sealed(&old_style));
    assert_logged_out(&forger).await;
    assert_eq!(web.status_of("/").await, 200, "the real cookie still works");
}

/// Another server on the app's database, as after a restart.
async fn restarted(app: &TestApp, session_key: Option<Vec<u8>>) -> String {
    let mut config = Config::new(app.db().url()).expect("config");
    config.bind = "127.0.0.1:0".into();
    config.session_key = session_key;
    let server = hyoka::Application::build(config).await.expect("builds");
    let address = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    address
}

#[tokio::test]
async fn sessions_survive_a_restart_with_the_same_key_and_logout_still_ends_them() {
    let app = TestApp::init()
        .configure(|c| c.session_key = Some(key_bytes()))
        .spawn()
        .await;
    let web = app.staff_of("職員課").await;

    let same_key = restarted(&app, Some(key_bytes())).await;
    let after_restart = web.cookie_copy_for(&same_key);
    assert_eq!(after_restart.status_of("/sessions").await, 200);
    let new_key = restarted(&app, None).await;
    assert_logged_out(&web.cookie_copy_for(&new_key)).await;

    assert_redirect(&after_restart.logout().await, "/login");
    assert_logged_out(&web).await;
}

#[tokio::test]
async fn sessions_ended_by_time_are_removed_at_the_next_login() {
    let app = TestApp::init()
        .configure(|c| c.idle_timeout = Duration::from_secs(1))
        .spawn()
        .await;
    let _idle = app.staff_of("職員課").await;
    assert_eq!(app.conn().session_keys(STAFF).len(), 1);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let _fresh = app.staff_of("DX推進課").await;
    assert!(
        app.conn().session_keys(STAFF).is_empty(),
        "the idle one is gone"
    );
    assert_eq!(app.conn().session_keys("dx").len(), 1, "the new one stays");
}
