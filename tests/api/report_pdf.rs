//! PDF for real: headless Chromium prints the book and a sheet, poppler reads
//! them back. Needs `chromium`, `pdftotext`, `pdfinfo` and a Japanese font
//! (`.ci/run` installs them): a missing tool fails the test under CI and
//! skips it elsewhere, with a `SKIPPED <test>: missing …` line in the output.

use std::path::{Path, PathBuf};
use std::process::Command;

use hyoka::domain::permission::Role;
use reqwest::Response;

use crate::support::skip::{on_path, tools_present};
use crate::support::{assert_in_order, expected_sheets, Client, Probe, TestApp};

/// Whether the PDF tools are here (see `tools_present`).
fn pdf_tools_ready() -> bool {
    let mut missing: Vec<&str> = ["pdftotext", "pdfinfo"]
        .into_iter()
        .filter(|t| !on_path(t))
        .collect();
    if hyoka::report::pdf::find_chromium().is_none() {
        missing.push("chromium");
    }
    tools_present(
        &missing,
        "apt-get install chromium poppler-utils fonts-ipaexfont",
    )
}

/// Removes every whitespace character: pdftotext breaks lines inside values.
fn bare(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

struct Pdf {
    _dir: TempDir,
    path: PathBuf,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Pdf {
    fn new(bytes: &[u8], name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("hyoka-pdf-test-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.pdf");
        std::fs::write(&path, bytes).unwrap();
        Self {
            _dir: TempDir(dir),
            path,
        }
    }

    /// Each page's text in content order.
    fn pages(&self) -> Vec<String> {
        let out = run("pdftotext", &["-raw", "-enc", "UTF-8"], &self.path, &["-"]);
        let mut pages: Vec<String> = out.split('\u{c}').map(String::from).collect();
        // pdftotext ends every page with a form feed.
        if pages.last().is_some_and(|p| p.trim().is_empty()) {
            pages.pop();
        }
        pages
    }

    /// Page sizes in points, from pdfinfo.
    fn page_sizes(&self) -> Vec<(f64, f64)> {
        let info = run("pdfinfo", &[], &self.path, &[]);
        let count: u32 = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let last = count.to_string();
        let sizes = run("pdfinfo", &["-f", "1", "-l", &last], &self.path, &[]);
        let sizes: Vec<(f64, f64)> = sizes
            .lines()
            .filter(|l| l.starts_with("Page") && l.contains(" size: "))
            .map(|l| {
                let dims = l.split(" size: ").nth(1).unwrap();
                let mut it = dims.split_whitespace();
                let w: f64 = it.next().unwrap().parse().unwrap();
                it.next();
                let h: f64 = it.next().unwrap().parse().unwrap();
                (w, h)
            })
            .collect();
        assert_eq!(sizes.len(), count as usize);
        sizes
    }
}

fn run(tool: &str, args: &[&str], file: &Path, after: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(file)
        .args(after)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn is_a4_portrait((w, h): (f64, f64)) -> bool {
    (w - 595.3).abs() < 2.0 && (h - 841.9).abs() < 2.0
}

async fn pdf(web: &Client, path: &str) -> Vec<u8> {
    pdf_of(web.get(path).await, path).await
}

/// The PDF in a response, which must be one.
async fn pdf_of(resp: Response, path: &str) -> Vec<u8> {
    assert_eq!(resp.status().as_u16(), 200, "GET {path}");
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let bytes = resp.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"%PDF"));
    bytes
}

/// The book as PDF reproduces the report: cover, list, then every sheet on
/// pages of its own (at most two, none blank), every value of the seed on its
/// sheet's pages in paper order.
#[tokio::test]
async fn fy2024_book_pdf_reproduces_the_report() {
    if !pdf_tools_ready() {
        return;
    }
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let sheets = app.conn().sheets(2024);
    let expected = expected_sheets();
    assert_eq!(sheets.len(), 12);
    let file = Pdf::new(&pdf(&hq, "/reports/2024/pdf").await, "book");
    let sizes = file.page_sizes();
    assert!(sizes.iter().all(|s| is_a4_portrait(*s)), "{sizes:?}");
    let pages = file.pages();
    assert_eq!(pages.len(), sizes.len());
    let bare_pages: Vec<String> = pages.iter().map(|p| bare(p)).collect();
    let headings: Vec<String> = sheets.iter().map(|s| bare(&s.heading())).collect();
    let plan = bare(&sheets[0].context.plan_name);

    // Cover.
    assert_in_order(
        &bare_pages[0],
        &[
            plan.clone(),
            "令和6年度実績報告書".into(),
            "令和7年3月末".into(),
        ],
    );
    // Which sheet each page shows; the cover and the list show none.
    let owner: Vec<Option<usize>> = bare_pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let found: Vec<usize> = (0..headings.len())
                .filter(|k| page.contains(&headings[*k]))
                .collect();
            assert!(found.len() <= 1, "page {} shows sheets {found:?}", i + 1);
            found.first().copied()
        })
        .collect();
    let first_sheet_page = owner.iter().position(Option::is_some).unwrap();
    assert!(first_sheet_page >= 2, "cover and list come first");
    // The list: every initiative in order.
    let list: String = bare_pages[1..first_sheet_page].concat();
    let mut needles = vec!["取組事業一覧".to_string()];
    needles.extend(sheets.iter().map(|s| bare(&s.context.initiative_name)));
    assert_in_order(&list, &needles);

    let total = pages.len();
    for (i, page) in bare_pages.iter().enumerate() {
        // No blank page: something besides the running header and page number.
        let mut rest = page.replace(&plan, "").replace("令和6年度", "");
        if let Some(k) = owner[i] {
            rest = rest.replace(&headings[k], "");
        }
        rest = rest.replace(&format!("{}/{total}", i + 1), "");
        assert!(rest.len() > 20, "page {} is blank: {:?}", i + 1, pages[i]);
        if i >= first_sheet_page {
            assert!(owner[i].is_some(), "page {} belongs to no sheet", i + 1);
            // Page numbers in the footer.
            assert!(
                page.contains(&format!("{}/{total}", i + 1)),
                "page {}",
                i + 1
            );
        }
    }

    for (k, (sheet, want)) in sheets.iter().zip(&expected).enumerate() {
        let on: Vec<usize> = (0..total).filter(|i| owner[*i] == Some(k)).collect();
        assert!(!on.is_empty(), "sheet {} has no page", sheet.heading());
        assert!(
            on.len() <= 2,
            "{} takes {} pages",
            sheet.heading(),
            on.len()
        );
        assert_eq!(on.last().unwrap() - on[0] + 1, on.len(), "pages in a row");
        if k > 0 {
            let prev = (0..total).rev().find(|i| owner[*i] == Some(k - 1)).unwrap();
            assert_eq!(on[0], prev + 1, "sheets in list order");
        }
        let text: String = on.iter().map(|i| bare_pages[*i].as_str()).collect();
        let mut needles = vec!["取組事業点検・評価票".to_string(), headings[k].clone()];
        needles.extend(want.values.iter().map(|v| bare(v)));
        assert_in_order(&text, &needles);
        // The running header names the plan and the sheet on every page.
        for i in &on {
            assert!(bare_pages[*i].starts_with(&plan), "page {} header", i + 1);
        }
    }
    assert_eq!(owner.last().unwrap(), &Some(11), "ends with the last sheet");
}

#[tokio::test]
async fn one_sheet_pdf_is_at_most_two_a4_pages_with_every_value() {
    if !pdf_tools_ready() {
        return;
    }
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let sheets = app.conn().sheets(2024);
    let want = expected_sheets().remove(0);
    // One print (Chromium is slow): its headers, then its pages.
    let path = format!("/sheets/{}/pdf", sheets[0].id);
    let resp = hq.get(&path).await;
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let file = Pdf::new(&pdf_of(resp, &path).await, "sheet");
    let sizes = file.page_sizes();
    assert!((1..=2).contains(&sizes.len()), "{} pages", sizes.len());
    assert!(sizes.iter().all(|s| is_a4_portrait(*s)));
    let pages: Vec<String> = file.pages().iter().map(|p| bare(p)).collect();
    let heading = bare(&sheets[0].heading());
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(&heading), "running header on page {}", i + 1);
        assert!(page.contains(&format!("{}/{}", i + 1, pages.len())));
    }
    let mut needles = vec!["取組事業点検・評価票".to_string(), heading];
    needles.extend(want.values.iter().map(|v| bare(v)));
    assert_in_order(&pages.concat(), &needles);
}

#[tokio::test]
async fn draft_sheets_print_with_the_mark_on_every_page() {
    if !pdf_tools_ready() {
        return;
    }
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let file = Pdf::new(
        &pdf(&hq, "/reports/2025/pdf?include_drafts=1").await,
        "drafts",
    );
    let pages = file.pages();
    // Cover, list, then twelve sheets, each on its own page(s), and every
    // page of a draft sheet carries 「作成中」 in its running header.
    assert!(pages[0].contains("令和7年度実績報告書"));
    let first = pages
        .iter()
        .position(|p| p.contains("取組事業点検・評価票"))
        .unwrap();
    assert!(first >= 2);
    let sheet_pages = &pages[first..];
    assert_eq!(
        sheet_pages
            .iter()
            .filter(|p| p.contains("取組事業点検・評価票"))
            .count(),
        12
    );
    for (i, page) in sheet_pages.iter().enumerate() {
        assert!(
            page.contains("【作成中】"),
            "page {}: {page}",
            first + i + 1
        );
    }
}
