//! The access log (issue 9, point 14): the `Logger` middleware logged through
//! `log`, which nothing bridged to the `tracing` subscriber, so no request was
//! ever logged. Now the real binary prints one line per request: method, path
//! without the query, status, milliseconds and the user's id, never the query
//! string or a password.

use std::collections::HashMap;

use crate::support::cli::Served;
use crate::support::database::demo_accounts;
use crate::support::{Client, Probe, TestDb};

/// The `key=value` fields of an access-log line.
fn fields(line: &str) -> HashMap<&str, &str> {
    line.split_whitespace()
        .filter_map(|w| w.split_once('='))
        .collect()
}

/// Waits for the access-log line of `method path` answered with `status`.
fn access_line(server: &mut Served, method: &str, path: &str, status: u16) -> String {
    let status = status.to_string();
    server.wait_for(|l| {
        let f = fields(l);
        l.contains("hyoka::access")
            && f.get("method") == Some(&method)
            && f.get("path") == Some(&path)
            && f.get("status") == Some(&status.as_str())
    })
}

#[tokio::test]
async fn the_server_logs_each_request_without_query_or_password() {
    let db = TestDb::demo();
    let password = demo_accounts()
        .iter()
        .find(|a| a.login == "shokuin")
        .unwrap()
        .password
        .clone();
    let user_id = db.connect().user_id("shokuin").to_string();
    // RUST_LOG as an operator leaves it: unset, the default level.
    let mut server = Served::start(&db, &[("HYOKA_CHROMIUM", "none")]);
    let web = Client::new(&server.url);

    let login_page = "/login?next=%2Fsheets&pass=query-secret-1";
    assert_eq!(web.status_of(login_page).await, 200);
    web.login_ok("shokuin", &password).await;
    assert_eq!(web.status_of("/sheets?q=query-secret-2").await, 200);
    assert_eq!(web.status_of("/sheets/999999").await, 404);
    // A refusal by a middleware (a POST from another site) is logged too.
    let resp = web
        .bare_post_request("/logout")
        .header("Origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);

    let anonymous = fields(&access_line(&mut server, "GET", "/login", 200))
        .get("user")
        .map(|u| u.to_string());
    assert_eq!(anonymous.as_deref(), Some("-"));
    access_line(&mut server, "POST", "/login", 303);
    let line = access_line(&mut server, "GET", "/sheets", 200);
    let f = fields(&line);
    assert_eq!(f.get("user"), Some(&user_id.as_str()), "{line}");
    assert!(
        f.get("ms").is_some_and(|ms| ms.parse::<u64>().is_ok()),
        "{line}"
    );
    let line = access_line(&mut server, "GET", "/sheets/999999", 404);
    assert_eq!(fields(&line).get("user"), Some(&user_id.as_str()), "{line}");
    access_line(&mut server, "POST", "/logout", 403);

    for line in server.printed() {
        assert!(!line.contains(&password), "password logged: {line}");
        assert!(!line.contains("query-secret"), "query logged: {line}");
        if line.contains("hyoka::access") {
            assert!(!line.contains('?'), "query logged: {line}");
            assert!(!line.contains('\u{1b}'), "colour codes in a log: {line}");
        }
    }
}
