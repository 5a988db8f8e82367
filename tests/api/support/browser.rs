//! A real headless Chromium driven over WebDriver (Debian's `chromium` and
//! `chromium-driver`), for tests that click and type as a user does. Each
//! [`Browser`] starts its own chromedriver on a free port and ends it (and the
//! Chromium it started) when dropped.
//!
//! [`Browser::check_page`] measures the page at 390, 683 and 1280 px (controls
//! at least 40 px wide, no overlapping controls or labels, the page never
//! wider than the window outside `.grid-scroll`/`.table-scroll`) and runs
//! axe-core (vendored under `tests/api/browser/axe-core`, MPL-2.0) for the
//! WCAG 2.0/2.1 A and AA rules. Problems are collected across pages and
//! reported together by [`Browser::finish`]. With `HYOKA_BROWSER_SHOTS=<dir>`
//! it also saves a screenshot of every checked page at every width.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use super::skip;

/// The widths every checked page is measured at: a phone, half of a 1366 px
/// laptop screen, a desktop.
pub const WIDTHS: [u32; 3] = [390, 683, 1280];
/// The width the test works at between checks.
const WORK_WIDTH: u32 = 1280;
const HEIGHT: u32 = 900;

const AXE: &str = include_str!("../browser/axe-core/axe.min.js");

/// Measures the page; returns its problems as sentences (see the module doc).
const LAYOUT_JS: &str = r#"
const out = [];
const vw = document.documentElement.clientWidth;
const describe = (e) => {
  let s = e.tagName.toLowerCase();
  if (e.id) s += '#' + e.id;
  else if (e.name) s += '[name=' + e.name + ']';
  else if (e.className && typeof e.className === 'string') s += '.' + e.className.trim().split(/\s+/).join('.');
  const t = (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
  return t ? s + ' "' + t.slice(0, 24) + '"' : s;
};
const shown = (e) => {
  if (e.closest('[hidden], [aria-hidden="true"]')) return false;
  if (!e.getClientRects().length) return false;
  const s = getComputedStyle(e);
  return s.visibility !== 'hidden' && s.display !== 'none';
};
// The part of e left visible by its ancestors' overflow clipping.
const clipped = (e) => {
  const r = e.getBoundingClientRect();
  let box = { l: r.left, t: r.top, r: r.right, b: r.bottom };
  for (let a = e.parentElement; a && a !== document.documentElement; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const c = a.getBoundingClientRect();
    box = { l: Math.max(box.l, c.left), t: Math.max(box.t, c.top), r: Math.min(box.r, c.right), b: Math.min(box.b, c.bottom) };
  }
  return box;
};
const pinned = (e) => {
  for (let a = e; a; a = a.parentElement) {
    const p = getComputedStyle(a).position;
    if (p === 'sticky' || p === 'fixed') return a;
  }
  return null;
};

const sw = document.documentElement.scrollWidth;
if (sw > vw) {
  const wide = [...document.body.querySelectorAll('*')].filter((e) => {
    if (e.parentElement && e.parentElement.closest('.grid-scroll, .table-scroll')) return false;
    return shown(e) && e.getBoundingClientRect().right > vw + 0.5;
  });
  out.push('page is ' + sw + ' px wide in a ' + vw + ' px window: ' + wide.slice(0, 6).map(describe).join(', '));
}

const controls = [...document.querySelectorAll(
  'input:not([type=hidden]), select, textarea, button, a.button-link')].filter(shown);
for (const e of controls) {
  // A checkbox is clicked through its label: the label is the target.
  const target = (e.type === 'checkbox' || e.type === 'radio')
    ? (e.closest('label') || document.querySelector('label[for="' + e.id + '"]') || e) : e;
  const w = target.getBoundingClientRect().width;
  if (w < 40) out.push(describe(target) + ' is ' + w.toFixed(1) + ' px wide');
}

const boxes = controls.concat([...document.querySelectorAll('label')].filter(shown))
  .map((e) => ({ e, box: clipped(e), pin: pinned(e) }))
  .filter((x) => x.box.r - x.box.l > 0 && x.box.b - x.box.t > 0);
for (let i = 0; i < boxes.length; i++) {
  for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
    // A sticky bar passes over the page by design (scroll-padding keeps the focused field clear).
    if (a.pin !== b.pin) continue;
    const w = Math.min(a.box.r, b.box.r) - Math.max(a.box.l, b.box.l);
    const h = Math.min(a.box.b, b.box.b) - Math.max(a.box.t, b.box.t);
    if (w > 1 && h > 1) out.push(describe(a.e) + ' overlaps ' + describe(b.e) + ' (' + w.toFixed(0) + 'x' + h.toFixed(0) + ' px)');
  }
}
return out;
"#;

const AXE_RUN_JS: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
  .then((r) => done(r.violations.map((v) => v.id + ': ' + v.help + ' — ' +
    v.nodes.slice(0, 4).map((n) => n.target.join(' ') + ' ' + n.html.slice(0, 140)).join(' | '))))
  .catch((e) => done(['axe failed: ' + e]));
"#;

/// chromedriver and, once made, its session. Dropped without
/// [`Browser::finish`] (a failed test), it ends the session first, so
/// chromedriver closes its Chromium, then ends chromedriver.
struct Driver {
    child: Child,
    port: u16,
    session: Option<String>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            // A plain blocking request: there is no runtime to await on in drop.
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let _ = write!(
                    stream,
                    "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                );
                let _ = stream.read(&mut [0; 512]);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Browser {
    client: Client,
    base: String,
    problems: Vec<String>,
    shots: Option<std::path::PathBuf>,
    /// Declared last: dropped after the client.
    _driver: Driver,
}

impl Browser {
    /// A headless Chromium on the app at `base`, or `None` after a visible
    /// skip when Chromium or chromedriver is missing (a failure under CI).
    pub async fn start(base: &str) -> Option<Self> {
        let missing: Vec<&str> = ["chromium", "chromedriver"]
            .into_iter()
            .filter(|tool| !skip::on_path(tool))
            .collect();
        if !skip::tools_present(&missing, "apt-get install chromium chromium-driver") {
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut driver = Driver {
            child: Command::new("chromedriver")
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start chromedriver"),
            port,
            session: None,
        };
        let give_up = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < give_up, "chromedriver never listened");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--lang=en-US",
                format!("--window-size={WORK_WIDTH},{HEIGHT}"),
            ] }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session with Chromium");
        driver.session = client
            .session_id()
            .await
            .ok()
            .flatten()
            .map(|id| id.to_string());
        let shots = std::env::var_os("HYOKA_BROWSER_SHOTS").map(std::path::PathBuf::from);
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir).expect("screenshot folder");
        }
        Some(Self {
            client,
            base: base.trim_end_matches('/').to_string(),
            problems: Vec::new(),
            shots,
            _driver: driver,
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Opens `path` as if typed into the address bar.
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// The current path (and query, fragment).
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        url.as_str()
            .strip_prefix(&self.base)
            .unwrap_or(url.as_str())
            .to_string()
    }

    pub async fn find(&self, css: &str) -> Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => panic!("no {css} on {}: {e}", self.path().await),
        }
    }

    /// The visible button labelled `label` (inside `scope`, a CSS selector).
    pub async fn button(&self, scope: &str, label: &str) -> Element {
        let scope = self.find(scope).await;
        for b in scope
            .find_all(Locator::Css("button"))
            .await
            .expect("buttons")
        {
            let text = b.text().await.unwrap_or_default();
            if text.trim() == label && b.is_displayed().await.unwrap_or(false) {
                return b;
            }
        }
        panic!("no visible button 「{label}」 on {}", self.path().await)
    }

    /// The text of the page's `main`.
    pub async fn text(&self) -> String {
        self.find("main").await.text().await.expect("text of main")
    }

    /// The current value of a field.
    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    /// Replaces the text of a field by typing.
    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.scroll_to(&e).await;
        e.clear().await.expect("clear");
        e.send_keys(text).await.expect("type");
    }

    /// Picks the option labelled `label` in a dropdown.
    pub async fn choose(&self, css: &str, label: &str) {
        let e = self.find(css).await;
        self.scroll_to(&e).await;
        e.select_by_label(label)
            .await
            .unwrap_or_else(|err| panic!("choose 「{label}」 in {css}: {err}"));
    }

    /// Clicks something that does not leave the page (a checkbox).
    pub async fn tick(&self, css: &str) {
        let e = self.find(css).await;
        self.scroll_to(&e).await;
        e.click().await.expect("click");
    }

    /// Clicks `e` and waits until the page it leads to has loaded.
    pub async fn click_and_wait(&self, e: Element) {
        self.scroll_to(&e).await;
        self.mark_page().await;
        e.click().await.expect("click");
        self.wait_new_page().await;
    }

    /// Clicks the element `css` and waits for the next page.
    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.click_and_wait(e).await;
    }

    /// Types Enter in `css` and waits for the next page.
    pub async fn press_enter(&self, css: &str) {
        let e = self.find(css).await;
        self.mark_page().await;
        e.send_keys(&char::from(Key::Enter).to_string())
            .await
            .expect("Enter");
        self.wait_new_page().await;
    }

    /// Logs in through the login form.
    pub async fn login(&self, login: &str, password: &str) {
        self.goto("/login").await;
        self.type_into("#login", login).await;
        self.type_into("#password", password).await;
        let submit = self.button("main form", "ログイン").await;
        self.click_and_wait(submit).await;
        assert!(
            !self.path().await.starts_with("/login"),
            "login as {login} failed: {}",
            self.text().await
        );
    }

    pub async fn logout(&self) {
        let b = self.button("header", "ログアウト").await;
        self.click_and_wait(b).await;
    }

    /// The id of the table row holding the focused element, once the page's
    /// script has placed the focus (within a few seconds).
    pub async fn focused_row(&self) -> String {
        let give_up = Instant::now() + Duration::from_secs(5);
        loop {
            let v = self
                .client
                .execute(
                    "const a = document.activeElement; const r = a && a.closest('tr'); \
                     return r ? r.id : 'no row (' + location.href + ', focus on ' + (a ? a.outerHTML.slice(0, 80) : 'nothing') + ')';",
                    vec![],
                )
                .await
                .expect("focused row");
            let row = v.as_str().unwrap_or_default().to_string();
            if !row.starts_with("no row") || Instant::now() > give_up {
                return row;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Measures the page at every width and runs axe-core; see the module doc.
    pub async fn check_page(&mut self, name: &str) {
        for width in WIDTHS {
            self.resize(width, HEIGHT).await;
            let found = self
                .client
                .execute(LAYOUT_JS, vec![])
                .await
                .expect("layout script");
            for p in strings(&found) {
                self.problems.push(format!("{name} at {width} px: {p}"));
            }
            self.screenshot(name, width).await;
        }
        self.resize(WORK_WIDTH, HEIGHT).await;
        let has_axe = self
            .client
            .execute("return typeof axe !== 'undefined';", vec![])
            .await
            .expect("probe axe");
        if has_axe != Value::Bool(true) {
            self.client
                .execute(AXE, vec![])
                .await
                .expect("inject axe-core");
        }
        let violations = self
            .client
            .execute_async(AXE_RUN_JS, vec![])
            .await
            .expect("axe-core run");
        for v in strings(&violations) {
            self.problems.push(format!("{name}: axe {v}"));
        }
    }

    /// Ends the session; fails with every problem [`check_page`](Self::check_page) found.
    pub async fn finish(mut self) {
        let problems = std::mem::take(&mut self.problems);
        if let Some(dir) = &self.shots {
            let _ = std::fs::write(dir.join("problems.txt"), problems.join("\n"));
        }
        if self.client.clone().close().await.is_ok() {
            self._driver.session = None;
        }
        assert!(
            problems.is_empty(),
            "{} problems in the browser:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }

    async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize");
        // The window's outer size includes nothing in headless mode, but
        // wait for the layout to follow.
        for _ in 0..50 {
            let w = self
                .client
                .execute("return window.innerWidth;", vec![])
                .await
                .expect("innerWidth");
            if w.as_u64() == Some(u64::from(width)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the window never became {width} px wide");
    }

    async fn screenshot(&self, name: &str, width: u32) {
        let Some(dir) = &self.shots else { return };
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(u64::from(HEIGHT))
            .min(6000) as u32;
        self.resize(width, height).await;
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{name}-{width}.png")), png);
        }
        self.resize(width, HEIGHT).await;
    }

    async fn scroll_to(&self, e: &Element) {
        let arg = serde_json::to_value(e).expect("element as argument");
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', inline: 'center'});",
                vec![arg],
            )
            .await
            .expect("scroll into view");
    }

    /// Marks the current document so [`wait_new_page`](Self::wait_new_page)
    /// knows when it was replaced.
    async fn mark_page(&self) {
        self.client
            .execute("window.__hyokaOldPage = true;", vec![])
            .await
            .expect("mark page");
    }

    async fn wait_new_page(&self) {
        let give_up = Instant::now() + Duration::from_secs(30);
        loop {
            let loaded = self
                .client
                .execute(
                    "return window.__hyokaOldPage === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(loaded, Ok(Value::Bool(true))) {
                return;
            }
            assert!(Instant::now() < give_up, "the next page never loaded");
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().map_or_else(|| s.to_string(), String::from))
                .collect()
        })
        .unwrap_or_default()
}
