//! A stand-in for headless Chromium (`Config::chromium`), for tests that need
//! the PDF path without the real browser: a shell script that notes the URL
//! it was asked to print, waits while the test holds it, and writes a tiny
//! PDF. Holding it makes a render last exactly as long as the test wants.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub struct FakeChromium {
    dir: PathBuf,
}

impl FakeChromium {
    pub fn new() -> Self {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("hyoka-fake-chromium-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("fake chromium folder");
        let script = format!(
            r#"#!/bin/sh
dir='{}'
out=''
url=''
for a in "$@"; do
  case "$a" in
    --print-to-pdf=*) out="${{a#--print-to-pdf=}}" ;;
    -*) ;;
    *) url="$a" ;;
  esac
done
echo "$url" >> "$dir/urls"
while [ -e "$dir/hold" ]; do sleep 0.05; done
printf '%%PDF-1.4\n%% fake\n' > "$out"
"#,
            dir.display()
        );
        let path = dir.join("chromium");
        std::fs::write(&path, script).expect("write fake chromium");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .expect("make it executable");
        Self { dir }
    }

    /// The "browser" to configure as `Config::chromium`.
    pub fn path(&self) -> PathBuf {
        self.dir.join("chromium")
    }

    /// From now on every render waits until [`release`](Self::release).
    pub fn hold(&self) {
        std::fs::write(self.dir.join("hold"), b"").expect("hold");
    }

    pub fn release(&self) {
        let _ = std::fs::remove_file(self.dir.join("hold"));
    }

    /// The URLs asked for so far, in order.
    pub fn urls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("urls"))
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect()
    }

    /// Waits until `n` renders have started. The limit only keeps a broken
    /// test from hanging; nothing is measured.
    pub async fn wait_started(&self, n: usize) {
        let give_up = Instant::now() + Duration::from_secs(120);
        while self.urls().len() < n {
            assert!(Instant::now() < give_up, "Chromium was never started");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for FakeChromium {
    fn drop(&mut self) {
        self.release();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
