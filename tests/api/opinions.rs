//! 推進委員会意見: HQ records the committee's opinion on a sheet, the
//! department replies, HQ closes it; the book binds the appendix
//! 「推進委員会意見と対応」 when asked (checked in the PDF's text) and the Excel
//! export has a worksheet of it. Another department sees none of it.

use std::io::Cursor;
use std::process::Command;

use calamine::{open_workbook_from_rs, Reader, Xlsx};
use hyoka::domain::permission::Role;

use crate::support::skip::{on_path, tools_present};
use crate::support::{location, text_of, Client, TestApp};

const OPINION: &str = "時間外勤務の削減効果を数値で示されたい。";
const REPLY: &str = "部署別の削減時間を年度末に公表します。";

async fn post(
    client: &Client,
    page: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = client.csrf(page).await;
    let mut form = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    client.post_form(path, &form).await
}

fn opinion_id(resp: &reqwest::Response) -> String {
    location(resp)
        .rsplit_once("#opinion-")
        .map(|(_, id)| id.to_string())
        .expect("opinion anchor")
}

#[tokio::test]
async fn an_opinion_and_its_reply_reach_the_book_appendix_and_the_workbook() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let staff = app.staff_of("職員課").await;
    let other = app.staff_of("DX推進課").await;
    let id = app.sheet_id(2025, 1, 1);
    let page = format!("/sheets/{id}");

    // An empty opinion is refused with the form shown again.
    let resp = post(&hq, &page, &format!("{page}/opinions"), &[("opinion", " ")]).await;
    assert_eq!(resp.status().as_u16(), 422);
    assert!(text_of(&resp.text().await.unwrap()).contains("推進委員会意見を入力してください"));

    let resp = post(
        &hq,
        &page,
        &format!("{page}/opinions"),
        &[("opinion", OPINION)],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 303);
    let o = opinion_id(&resp);
    let reply_path = format!("{page}/opinions/{o}/reply");

    // Another department: not found; the department itself replies.
    let resp = post(&other, "/", &reply_path, &[("reply", "横から")]).await;
    assert_eq!(resp.status().as_u16(), 404);
    assert!(text_of(&staff.page(&page).await).contains(OPINION));
    let resp = post(&staff, &page, &reply_path, &[("reply", "")]).await;
    assert_eq!(resp.status().as_u16(), 422);
    let resp = post(&staff, &page, &reply_path, &[("reply", REPLY)]).await;
    assert_eq!(resp.status().as_u16(), 303);
    let hq_list = text_of(&hq.page("/notifications").await);
    assert!(
        hq_list.contains("推進委員会意見に対応が記入されました"),
        "{hq_list}"
    );
    let resp = post(&hq, &page, &format!("{page}/opinions/{o}/close"), &[]).await;
    assert_eq!(resp.status().as_u16(), 303);
    let history = text_of(&staff.page(&format!("{page}/history")).await);
    for step in [
        "推進委員会意見の記録",
        "推進委員会意見への対応",
        "推進委員会意見を対応済みに",
    ] {
        assert!(history.contains(step), "{step}: {history}");
    }

    // The book: the appendix only when chosen.
    let plain = text_of(&hq.page("/reports/2025?include_drafts=1").await);
    assert!(!plain.contains(OPINION));
    let book = text_of(&hq.page("/reports/2025?include_drafts=1&opinions=1").await);
    assert!(book.contains("推進委員会意見と対応"), "{book}");
    assert!(book.contains(OPINION) && book.contains(REPLY) && book.contains("対応済"));

    // The workbook: a worksheet of its own.
    let resp = hq.get("/reports/2025/export.xlsx?include_drafts=1").await;
    assert_eq!(resp.status().as_u16(), 200);
    let bytes = resp.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range("推進委員会意見と対応").unwrap();
    let cells: Vec<String> = range.rows().flatten().map(|c| c.to_string()).collect();
    assert!(cells.contains(&OPINION.to_string()), "{cells:?}");
    assert!(cells.contains(&REPLY.to_string()), "{cells:?}");
    assert!(cells.contains(&"対応済".to_string()), "{cells:?}");

    // The PDF's text holds the appendix.
    let missing: Vec<&str> = ["pdftotext"].into_iter().filter(|t| !on_path(t)).collect();
    let mut missing = missing;
    if hyoka::report::pdf::find_chromium().is_none() {
        missing.push("chromium");
    }
    if !tools_present(
        &missing,
        "apt-get install chromium poppler-utils fonts-ipaexfont",
    ) {
        return;
    }
    let resp = hq
        .get("/reports/2025/pdf?include_drafts=1&opinions=1")
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let text = pdf_text(&resp.bytes().await.unwrap());
    for needle in ["推進委員会意見と対応", OPINION, REPLY] {
        assert!(text.contains(needle), "{needle} not in the PDF");
    }
}

/// The PDF's text without whitespace (pdftotext breaks lines inside values).
fn pdf_text(bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("hyoka-opinions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("book.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}
