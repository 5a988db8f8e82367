//! Attacks on the login: guesses fired in parallel, an office's typos behind
//! one address, and `next` values that would send the user to another site
//! or break the redirect.

use std::sync::Arc;

use chrono::Duration;
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::support::{attr_of, location, Client, TestApp, TestClock};

const WRONG: &str = "wrong-password";

/// Failures allowed from one address before it locks (`FREE_FAILURES_ADDRESS`).
const ADDRESS_LIMIT: usize = 20;

/// One login with a wrong password for `login`; the answer's status.
async fn guess(web: &Client, login: &str) -> u16 {
    web.login(login, WRONG).await.status().as_u16()
}

/// `n` wrong logins, each for a different unknown login id (so only the
/// address's count can lock); their statuses.
async fn typos(web: &Client, tag: &str, n: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for i in 0..n {
        statuses.push(guess(web, &format!("typo-{tag}-{i}")).await);
    }
    statuses
}

#[tokio::test]
async fn guesses_fired_in_parallel_are_checked_no_more_than_the_lock_allows() {
    // The clock stands still, so the lock cannot run out during the test.
    let clock = TestClock::new();
    let app = TestApp::init().clock(&clock).spawn().await;
    const GUESSES: usize = 40;
    let barrier = Arc::new(Barrier::new(GUESSES));
    let mut guesses = JoinSet::new();
    for i in 0..GUESSES {
        let web = app.anonymous();
        let barrier = barrier.clone();
        guesses.spawn(async move {
            let token = web.csrf("/login").await;
            let password = format!("{WRONG}-{i}");
            let form = [
                ("csrf_token", token.as_str()),
                ("login", "shokuin"),
                ("password", password.as_str()),
                ("next", "/"),
            ];
            // Every guess is ready before any is sent.
            barrier.wait().await;
            web.post_form("/login", &form).await.status().as_u16()
        });
    }
    let statuses = guesses.join_all().await;
    let checked = statuses.iter().filter(|&&s| s == 401).count();
    let locked = statuses.iter().filter(|&&s| s == 429).count();
    // Five passwords were checked (the fifth failure sets the lock); every
    // other guess met the lock, however the requests interleaved.
    assert_eq!((checked, locked), (5, GUESSES - 5), "{statuses:?}");

    // The right password is refused while the login id is locked.
    let web = app.anonymous();
    let resp = web.login("shokuin", &app.password("shokuin")).await;
    assert_eq!(resp.status().as_u16(), 429);
}

#[tokio::test]
async fn an_addresss_failures_stop_counting_once_they_are_older_than_the_window() {
    let clock = TestClock::new();
    let app = TestApp::init().clock(&clock).spawn().await;
    let web = app.anonymous();

    // 10 typos now, 9 more ten minutes later: 19 within the 15-minute window.
    assert!(typos(&web, "a", 10).await.iter().all(|&s| s == 401));
    clock.advance(Duration::minutes(10));
    assert!(typos(&web, "b", 9).await.iter().all(|&s| s == 401));

    // Six minutes on, the first 10 no longer count but the 9 still do: 10
    // more typos fit (once 19 + 10 would have locked the whole address)...
    clock.advance(Duration::minutes(6));
    let statuses = typos(&web, "c", ADDRESS_LIMIT - 9).await;
    assert!(statuses.iter().all(|&s| s == 401), "{statuses:?}");
    // ... and the twentieth within the window locks the address, for
    // everyone behind it, the right password too.
    let resp = app
        .anonymous()
        .login("shokuin", &app.password("shokuin"))
        .await;
    assert_eq!(resp.status().as_u16(), 429);

    // Once the lock and the window have passed, the address may log in again.
    clock.advance(Duration::minutes(16));
    app.anonymous()
        .login_ok("shokuin", &app.password("shokuin"))
        .await;
}

#[tokio::test]
async fn a_successful_login_clears_the_addresss_count() {
    let clock = TestClock::new();
    let app = TestApp::init().clock(&clock).spawn().await;
    let web = app.anonymous();
    assert!(typos(&web, "a", ADDRESS_LIMIT - 1)
        .await
        .iter()
        .all(|&s| s == 401));

    // A colleague behind the same address logs in: the office's typos are forgiven.
    app.anonymous()
        .login_ok("shokuin", &app.password("shokuin"))
        .await;
    let statuses = typos(&web, "b", ADDRESS_LIMIT).await;
    assert!(statuses.iter().all(|&s| s == 401), "{statuses:?}");
    // The count starts again from there: twenty new failures lock.
    assert_eq!(guess(&web, "typo-c").await, 429);
}

#[tokio::test]
async fn logins_and_typos_from_one_address_at_once_never_fail_the_server() {
    let app = TestApp::spawn().await;
    // Successes clear the address's count (deleting its row) while typos
    // count against it. Fewer than the address's limit in all, and one login
    // per account, so every answer is known whatever the order.
    let accounts = ["shokuin", "dx", "jinzai", "zaisan", "kyodo", "renkei"];
    const TYPOS: usize = 12;
    let barrier = Arc::new(Barrier::new(accounts.len() + TYPOS));
    let mut logins = JoinSet::new();
    let tries = accounts
        .iter()
        .map(|&a| (a.to_string(), app.password(a), 303))
        .chain((0..TYPOS).map(|i| (format!("typo-{i}"), WRONG.to_string(), 401)));
    for (login, password, expected) in tries {
        let web = app.anonymous();
        let barrier = barrier.clone();
        logins.spawn(async move {
            let token = web.csrf("/login").await;
            let form = [
                ("csrf_token", token.as_str()),
                ("login", login.as_str()),
                ("password", password.as_str()),
                ("next", "/"),
            ];
            barrier.wait().await;
            let status = web.post_form("/login", &form).await.status().as_u16();
            (login, status, expected)
        });
    }
    for (login, status, expected) in logins.join_all().await {
        assert_eq!(status, expected, "{login}");
    }
}

/// `next` values that would take the browser to another site, or make the
/// `Location` header invalid: in a query string, and as the form posts them.
const HOSTILE_NEXT: &[(&str, &str)] = &[
    ("/%09/evil.example/", "/\t/evil.example/"),
    ("%09//evil.example/", "\t//evil.example/"),
    ("/%5Cevil.example/", "/\\evil.example/"),
    ("/%5C/evil.example/", "/\\/evil.example/"),
    ("//evil.example/", "//evil.example/"),
    ("/%0A/evil.example/", "/\n/evil.example/"),
    ("/%0D%0A/evil.example/", "/\r\n/evil.example/"),
    (
        "/sheets%0D%0ASet-Cookie:%20x=1",
        "/sheets\r\nSet-Cookie: x=1",
    ),
    ("https://evil.example/", "https://evil.example/"),
];

#[tokio::test]
async fn next_never_leads_off_the_site() {
    let app = TestApp::spawn().await;
    let password = app.password("shokuin");
    for (query, posted) in HOSTILE_NEXT {
        let web = app.anonymous();
        // The login page does not carry it into its form...
        let login_page = format!("/login?next={query}");
        let html = web.page(&login_page).await;
        let kept = attr_of(&html, "input[name=next]", "value").unwrap();
        assert_eq!(kept, "/", "{query}");
        // ... and a hand-made form with it logs in and goes home.
        let resp = web
            .login_from(&login_page, "shokuin", &password, posted)
            .await;
        assert_eq!(resp.status().as_u16(), 303, "{posted:?}");
        assert_eq!(location(&resp), "/", "{posted:?}");
    }

    // A path on this site is still where the login goes.
    let resp = app
        .anonymous()
        .login_then("shokuin", &password, "/sheets?year=2025")
        .await;
    assert_eq!(location(&resp), "/sheets?year=2025");
}

#[tokio::test]
async fn a_line_break_in_next_is_a_redirect_home_never_a_server_error() {
    let app = TestApp::spawn().await;
    let password = app.password("shokuin");
    for next in ["/sheets\n", "/\r\nX-Injected: 1", "/sheets\r", "/シート"] {
        let resp = app.anonymous().login_then("shokuin", &password, next).await;
        assert_eq!(resp.status().as_u16(), 303, "{next:?}");
        assert_eq!(location(&resp), "/", "{next:?}");
        assert!(resp.headers().get("x-injected").is_none());
    }
}

/// A wrong login as a proxy would forward it for client `from`.
async fn forwarded_typo(web: &Client, from: &str, i: usize) -> u16 {
    let token = web.csrf("/login").await;
    let login = format!("typo-{from}-{i}");
    web.post_request("/login")
        .header("X-Forwarded-For", from)
        .form(&[
            ("csrf_token", token.as_str()),
            ("login", login.as_str()),
            ("password", WRONG),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_counts_for_itself_and_forgers_do_not() {
    // The test's own address plays the reverse proxy.
    let trusted = TestApp::init()
        .configure(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()])
        .spawn()
        .await;
    let web = trusted.anonymous();
    for i in 0..ADDRESS_LIMIT {
        assert_eq!(forwarded_typo(&web, "10.9.9.1", i).await, 401);
    }
    assert_eq!(
        forwarded_typo(&web, "10.9.9.1", 99).await,
        429,
        "that client is locked"
    );
    assert_eq!(
        forwarded_typo(&web, "10.9.9.2", 0).await,
        401,
        "its colleague is not"
    );

    // Without the setting the header is ignored: varying it does not dodge the lock.
    let plain = TestApp::spawn().await;
    let web = plain.anonymous();
    for i in 0..ADDRESS_LIMIT {
        let from = format!("10.9.9.{i}");
        assert_eq!(forwarded_typo(&web, &from, i).await, 401);
    }
    assert_eq!(forwarded_typo(&web, "10.9.9.200", 0).await, 429);
}
