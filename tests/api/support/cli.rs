//! The `hyoka` command, as an operator runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use super::database::TestDb;

/// The built `hyoka` binary.
pub fn hyoka_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hyoka"))
}

/// Runs `hyoka args…` on `db`, typing `stdin`.
pub fn hyoka(db: &TestDb, args: &[&str], stdin: &str) -> Output {
    let mut child = hyoka_command()
        .args(args)
        .env("DATABASE_URL", db.url())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hyoka");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("type into hyoka");
    child.wait_with_output().expect("hyoka runs")
}

/// What a command printed, stdout then stderr.
pub fn printed(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
