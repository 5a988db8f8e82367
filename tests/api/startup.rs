//! `cargo run` in an empty directory: creates the database, loads the demo,
//! serves it and says where; settings are checked.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use crate::support::cli::hyoka_command;
use crate::support::{count, text_of, Client, TestDb};

/// The server process, stopped when the test ends, passed or not.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn bare_start_in_an_empty_directory_serves_the_demo() {
    let db = TestDb::empty();
    let dir = std::env::temp_dir().join(format!("hyoka-empty-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = hyoka_command();
    cmd.current_dir(&dir)
        .env("HYOKA_BIND", "127.0.0.1:0")
        .env_remove("DATABASE_URL")
        .env_remove("HYOKA_DEMO")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if db.is_postgres() {
        // The same start on PostgreSQL, with the demo asked for.
        cmd.env("DATABASE_URL", db.url()).env("HYOKA_DEMO", "1");
    }
    let mut child = Child(cmd.spawn().unwrap());
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut printed = Vec::new();
    let url = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server prints its address");
        printed.push(line.clone());
        if let Some(i) = line.find("http://") {
            let rest = &line[i..];
            break rest[..rest.find(' ').unwrap_or(rest.len())].to_string();
        }
    };
    assert!(
        printed.iter().any(|l| l.contains("デモデータ")),
        "{printed:?}"
    );
    if !db.is_postgres() {
        assert!(
            dir.join("data/hyoka.db").exists(),
            "SQLite file created under data/"
        );
    }
    // The demo accounts were printed once, before the address.
    let honbu = printed
        .iter()
        .find(|l| l.trim_start().starts_with("honbu "))
        .unwrap_or_else(|| panic!("no HQ account printed: {printed:?}"));
    let password = honbu.split_whitespace().nth(1).unwrap().to_string();
    for login in [
        "shokuin", "dx", "jinzai", "zaisan", "kyodo", "renkei", "admin",
    ] {
        assert!(
            printed
                .iter()
                .any(|l| l.trim_start().starts_with(&format!("{login} "))),
            "{login} not printed: {printed:?}"
        );
    }
    let web = Client::new(&url);
    // Anonymous visitors are sent to the login page.
    assert_eq!(web.status_of("/sheets").await, 303);
    web.login_ok("honbu", &password).await;
    let html = web.page("/sheets").await;
    let text = text_of(&html);
    assert_eq!(count(&html, "table.list a[href^='/sheets/']"), 12, "{text}");
    assert!(
        text.contains("超過勤務時間の縮減") && text.contains("多様な主体との連携によるSDG sの推進")
    );
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unknown_database_scheme_is_refused_clearly() {
    let out = hyoka_command()
        .args(["migrate"])
        .env("DATABASE_URL", "mysql://localhost/hyoka")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("DATABASE_URL") && stderr.contains("postgres://"),
        "{stderr}"
    );
}

#[test]
fn migrate_command_prepares_the_database() {
    let db = TestDb::empty();
    let out = hyoka_command()
        .args(["migrate"])
        .env("DATABASE_URL", db.url())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pool = hyoka::db::connect(&db.location(), None).unwrap();
    let mut conn = pool.get().unwrap();
    assert!(hyoka::db::plan::is_empty(&mut conn).unwrap());
}

#[test]
fn database_urls_are_read_as_documented() {
    use hyoka::db::DatabaseLocation;
    use std::path::PathBuf;
    assert_eq!(
        DatabaseLocation::parse("sqlite://data/hyoka.db").unwrap(),
        DatabaseLocation::Sqlite(PathBuf::from("data/hyoka.db"))
    );
    assert_eq!(
        DatabaseLocation::parse("sqlite:///var/lib/hyoka.db").unwrap(),
        DatabaseLocation::Sqlite(PathBuf::from("/var/lib/hyoka.db"))
    );
    assert!(DatabaseLocation::parse("postgres://u@h/db")
        .unwrap()
        .is_postgres());
    assert!(DatabaseLocation::parse("postgresql://u@h/db")
        .unwrap()
        .is_postgres());
    assert!(DatabaseLocation::parse("file.db").is_err());
    assert!(DatabaseLocation::parse("sqlite://").is_err());
}
