//! Tests that need outside tools (Chromium, poppler) skip visibly where the
//! tools are missing, and fail under CI.

use std::io::Write;

/// True when nothing is `missing`. Otherwise, under CI (`CI` set) the test
/// fails; elsewhere it prints `SKIPPED <test>: missing …` and the caller
/// returns early. The line goes to the process's stderr directly: libtest
/// captures `eprintln!` of passing tests, so plain `cargo test` would hide it.
pub fn tools_present(missing: &[&str], install: &str) -> bool {
    if missing.is_empty() {
        return true;
    }
    let current = std::thread::current();
    let test = current.name().unwrap_or("a test");
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run {test}, but these are missing: {missing:?} ({install})"
    );
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: missing {} ({install})",
        missing.join(", ")
    );
    false
}

/// Whether `tool` is an executable file on PATH.
pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}
