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

/// `hyoka serve` on `db` on a free port, stopped when dropped; everything it
/// prints (standard output, where the log goes too) is collected.
pub struct Served {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`, as the server printed it.
    pub url: String,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

/// Only keeps a broken server from hanging the run; nothing is measured.
const PRINT_GUARD: std::time::Duration = std::time::Duration::from_secs(60);

impl Served {
    /// Starts the server with `env` on top of `DATABASE_URL` and `HYOKA_BIND`.
    pub fn start(db: &TestDb, env: &[(&str, &str)]) -> Self {
        let mut cmd = hyoka_command();
        cmd.args(["serve"])
            .env("DATABASE_URL", db.url())
            .env("HYOKA_BIND", "127.0.0.1:0")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("start hyoka serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let _ = tx.send(line);
            }
        });
        let mut served = Self {
            child,
            url: String::new(),
            lines,
            seen: Vec::new(),
        };
        let line = served.wait_for(|l| l.contains("http://"));
        let at = &line[line.find("http://").expect("address")..];
        served.url = at[..at.find(' ').unwrap_or(at.len())]
            .trim_end_matches('/')
            .to_string();
        served
    }

    /// Waits for a printed line that `wanted` accepts and returns it.
    pub fn wait_for(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        if let Some(line) = self.seen.iter().find(|l| wanted(l)) {
            return line.clone();
        }
        loop {
            let line = self
                .lines
                .recv_timeout(PRINT_GUARD)
                .unwrap_or_else(|_| panic!("not printed; printed so far: {:#?}", self.seen));
            self.seen.push(line.clone());
            if wanted(&line) {
                return line;
            }
        }
    }

    /// Every line printed so far (as far as read by `wait_for`).
    pub fn printed(&self) -> &[String] {
        &self.seen
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
