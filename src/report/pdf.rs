//! PDF through headless Chromium's print-to-PDF: Chromium opens the app's own
//! print page over loopback and prints it with the page's CSS (A4, running
//! headers, page numbers), so the PDF is exactly what browser printing gives.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Debian's package puts its launcher here.
pub const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";

/// Longest a PDF may take before Chromium is killed; the 12-sheet book takes
/// a few seconds.
pub const TIMEOUT: Duration = Duration::from_secs(90);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("Chromium が見つかりません: {0}")]
    Missing(String),
    #[error("Chromium が {0} 秒以内に終わりませんでした")]
    Timeout(u64),
    #[error("Chromium の実行に失敗しました: {0}")]
    Failed(String),
    /// The user already has as many PDFs in the making as allowed
    /// (`Config::pdf_per_user`); nothing was started.
    #[error("作成中の PDF が上限（{0} 件）に達しています")]
    Busy(usize),
}

/// The Chromium to use when none is configured: Debian's, else `chromium` on
/// the PATH, else none.
pub fn find_chromium() -> Option<PathBuf> {
    let debian = Path::new(DEFAULT_CHROMIUM);
    if is_executable(debian) {
        return Some(debian.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("chromium"))
            .find(|p| is_executable(p))
    })
}

pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Runs one Chromium at a time: each takes a few hundred MB, and printing in
/// turn is fast enough for a report.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A printed PDF, left in its file: a book of 2,000 sheets is tens of MB,
/// read out as it is sent rather than held in memory. The file and its
/// directory go when this is dropped.
pub struct Pdf {
    file: std::fs::File,
    _dir: TempDir,
}

impl std::io::Read for Pdf {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.file.read(buf)
    }
}

/// Prints `url` to PDF. Blocking: call it off the async threads.
pub fn print_to_pdf(chromium: &Path, url: &str, timeout: Duration) -> Result<Pdf, PdfError> {
    if !is_executable(chromium) {
        return Err(PdfError::Missing(chromium.display().to_string()));
    }
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = TempDir::new()?;
    let pdf = dir.path.join("out.pdf");
    let log = std::fs::File::create(dir.path.join("chromium.log"))
        .map_err(|e| PdfError::Failed(e.to_string()))?;
    let log_err = log
        .try_clone()
        .map_err(|e| PdfError::Failed(e.to_string()))?;
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--no-pdf-header-footer",
    ])
    .arg(format!(
        "--user-data-dir={}",
        dir.path.join("profile").display()
    ))
    .arg(format!("--print-to-pdf={}", pdf.display()))
    .arg(url)
    .stdin(Stdio::null())
    .stdout(log)
    .stderr(log_err);
    // Its own process group, so a timeout ends the renderer processes too.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .spawn()
        .map_err(|e| PdfError::Failed(format!("{}: {e}", chromium.display())))?;
    let status = wait_with_timeout(&mut child, timeout)?;
    if status.success() {
        if let Ok(mut file) = std::fs::File::open(&pdf) {
            let mut magic = [0u8; 4];
            if file.read_exact(&mut magic).is_ok()
                && &magic == b"%PDF"
                && file.seek(std::io::SeekFrom::Start(0)).is_ok()
            {
                return Ok(Pdf { file, _dir: dir });
            }
        }
    }
    let log = std::fs::read_to_string(dir.path.join("chromium.log")).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(5).collect();
    Err(PdfError::Failed(format!(
        "{status}; {}",
        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
    )))
}

fn wait_with_timeout(
    child: &mut Child,
    timeout: Duration,
) -> Result<std::process::ExitStatus, PdfError> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Ok(None) => {
                kill_group(child);
                return Err(PdfError::Timeout(timeout.as_secs()));
            }
            Err(e) => {
                kill_group(child);
                return Err(PdfError::Failed(e.to_string()));
            }
        }
    }
}

/// Kills Chromium and every process it started (same process group).
fn kill_group(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

/// A fresh private directory for one run (Chromium's profile and the PDF),
/// removed afterwards whatever happened.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> Result<Self, PdfError> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "hyoka-pdf-{}-{n}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        // create_dir fails on an existing path, so nobody can plant one for us.
        std::fs::create_dir(&path)
            .map_err(|e| PdfError::Failed(format!("{}: {e}", path.display())))?;
        Ok(Self { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_chromium_is_reported_not_run() {
        let err = print_to_pdf(
            Path::new("/nonexistent/chromium"),
            "http://127.0.0.1:1/",
            Duration::from_secs(1),
        );
        assert!(matches!(err, Err(PdfError::Missing(_))));
    }

    #[test]
    fn temp_dirs_are_removed() {
        let path = {
            let dir = TempDir::new().ok();
            let path = dir.as_ref().map(|d| d.path.clone());
            assert!(path.as_ref().is_some_and(|p| p.is_dir()));
            path
        };
        assert!(path.is_some_and(|p| !p.exists()));
    }
}
