#![allow(clippy::unwrap_used)]
//! The user commands, and a start on an existing database creating nothing.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::{seeded, TestApp, TestDb};

fn hyoka(db: &TestDb, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hyoka"))
        .args(args)
        .env("DATABASE_URL", &db.url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test]
async fn user_commands_manage_accounts_that_can_log_in() {
    let db = TestDb::new();
    seeded(&db);

    let out = hyoka(
        &db,
        &[
            "user",
            "add",
            "--login",
            "tanaka",
            "--name",
            "田中 一郎",
            "--role",
            "staff",
            "--department",
            "D X推進課",
        ],
        "first-password-1\n",
    );
    assert!(out.status.success(), "{}", text(&out));
    // Refusals are explained.
    let out = hyoka(
        &db,
        &[
            "user", "add", "--login", "x", "--name", "x", "--role", "boss",
        ],
        "password-123\n",
    );
    assert!(!out.status.success() && text(&out).contains("staff / hq / admin"));
    let out = hyoka(
        &db,
        &[
            "user", "add", "--login", "y", "--name", "y", "--role", "staff",
        ],
        "password-123\n",
    );
    assert!(!out.status.success() && text(&out).contains("--department"));
    let out = hyoka(
        &db,
        &[
            "user",
            "add",
            "--login",
            "z",
            "--name",
            "z",
            "--role",
            "staff",
            "--department",
            "存在しない課",
        ],
        "password-123\n",
    );
    assert!(!out.status.success() && text(&out).contains("登録されていません"));
    let out = hyoka(
        &db,
        &[
            "user", "add", "--login", "short", "--name", "s", "--role", "hq",
        ],
        "abc\n",
    );
    assert!(!out.status.success() && text(&out).contains("8文字以上"));
    let out = hyoka(
        &db,
        &[
            "user", "add", "--login", "tanaka", "--name", "t", "--role", "hq",
        ],
        "password-123\n",
    );
    assert!(!out.status.success() && text(&out).contains("既に使われています"));

    let out = hyoka(&db, &["user", "list"], "");
    let listed = text(&out);
    assert!(
        listed.contains("tanaka") && listed.contains("DX推進課") && listed.contains("田中 一郎"),
        "{listed}"
    );

    let out = hyoka(
        &db,
        &["user", "passwd", "--login", "tanaka"],
        "second-password-2\n",
    );
    assert!(out.status.success(), "{}", text(&out));

    // The account works over HTTP with the new password only.
    let app = TestApp::start_on(db, false).await;
    let web = app.session();
    assert_eq!(
        web.login("tanaka", "first-password-1")
            .await
            .status()
            .as_u16(),
        401
    );
    web.login_ok("tanaka", "second-password-2").await;
    let home = common::visible_text(&web.page("/").await);
    assert!(home.contains("DX推進課 の評価票"), "{home}");

    // Lock it with wrong passwords, then unlock from the command line.
    let other = app.session();
    for _ in 0..6 {
        other.login("tanaka", "wrong").await;
    }
    assert_eq!(
        other
            .login("tanaka", "second-password-2")
            .await
            .status()
            .as_u16(),
        429
    );
    let listed = text(&hyoka(&app.db, &["user", "list"], ""));
    assert!(listed.contains("ログイン制限中"), "{listed}");
    let out = hyoka(&app.db, &["user", "unlock", "--login", "tanaka"], "");
    assert!(text(&out).contains("解除しました"), "{}", text(&out));
    other.login_ok("tanaka", "second-password-2").await;
}

#[tokio::test]
async fn a_start_on_an_existing_database_creates_nothing() {
    let db = TestDb::new();
    seeded(&db);
    let app = TestApp::start_on(db, true).await;
    assert!(
        app.accounts.is_empty(),
        "no demo accounts on a database with data"
    );
    let mut conn = app.pool.get().unwrap();
    assert_eq!(hyoka::db::user::count(&mut conn).unwrap(), 0);
    let plan = hyoka::db::plan::list(&mut conn).unwrap().remove(0);
    assert_eq!(
        hyoka::db::sheet::years(&mut conn, plan.id).unwrap(),
        vec![2024]
    );
}
