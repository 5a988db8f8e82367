//! The user commands, and a start on an existing database creating nothing.

use crate::support::cli::{hyoka, printed};
use crate::support::{Probe, TestApp, TestDb};

#[tokio::test]
async fn user_commands_manage_accounts_that_can_log_in() {
    let db = TestDb::seeded();

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
    assert!(out.status.success(), "{}", printed(&out));
    // Refusals are explained.
    let out = hyoka(
        &db,
        &[
            "user", "add", "--login", "x", "--name", "x", "--role", "boss",
        ],
        "password-123\n",
    );
    assert!(!out.status.success() && printed(&out).contains("staff / hq / admin"));
    let out = hyoka(
        &db,
        &[
            "user", "add", "--login", "y", "--name", "y", "--role", "staff",
        ],
        "password-123\n",
    );
    assert!(!out.status.success() && printed(&out).contains("--department"));
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
    assert!(!out.status.success() && printed(&out).contains("登録されていません"));
    let out = hyoka(
        &db,
        &[
            "user", "add", "--login", "short", "--name", "s", "--role", "hq",
        ],
        "abc\n",
    );
    assert!(!out.status.success() && printed(&out).contains("8文字以上"));
    let out = hyoka(
        &db,
        &[
            "user", "add", "--login", "tanaka", "--name", "t", "--role", "hq",
        ],
        "password-123\n",
    );
    assert!(!out.status.success() && printed(&out).contains("既に使われています"));

    let listed = printed(&hyoka(&db, &["user", "list"], ""));
    assert!(
        listed.contains("tanaka") && listed.contains("DX推進課") && listed.contains("田中 一郎"),
        "{listed}"
    );

    let out = hyoka(
        &db,
        &["user", "passwd", "--login", "tanaka"],
        "second-password-2\n",
    );
    assert!(out.status.success(), "{}", printed(&out));

    // The account works over HTTP with the new password only.
    let app = TestApp::init().on(db).spawn().await;
    let web = app.anonymous();
    assert_eq!(
        web.login("tanaka", "first-password-1")
            .await
            .status()
            .as_u16(),
        401
    );
    web.login_ok("tanaka", "second-password-2").await;
    let home = web.page_text("/").await;
    assert!(home.contains("DX推進課 の評価票"), "{home}");

    // Lock it with wrong passwords, then unlock from the command line.
    let other = app.anonymous();
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
    let listed = printed(&hyoka(app.db(), &["user", "list"], ""));
    assert!(listed.contains("ログイン制限中"), "{listed}");
    let out = hyoka(app.db(), &["user", "unlock", "--login", "tanaka"], "");
    assert!(printed(&out).contains("解除しました"), "{}", printed(&out));
    other.login_ok("tanaka", "second-password-2").await;
}

#[tokio::test]
async fn a_start_on_an_existing_database_creates_nothing() {
    let app = TestApp::init()
        .on(TestDb::seeded())
        .demo_at_start()
        .spawn()
        .await;
    assert!(
        app.created_at_start().is_empty(),
        "no demo accounts on a database with data"
    );
    let mut conn = app.conn();
    assert_eq!(conn.user_count(), 0);
    assert_eq!(conn.years(), vec![2024]);
}
