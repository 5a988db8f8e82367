//! Where 編集 is offered: the home page and the sheet page ask the same
//! permission function, so they agree in every state and round, and the link
//! they offer opens. And the edit page's script is served and runs.

use std::process::Command;

use hyoka::domain::permission::Role;
use hyoka::domain::workflow::SheetStatus;

use crate::support::skip::tools_present;
use crate::support::{Client, Probe, TestApp};

/// (home offers 編集, sheet page offers 編集, status of GET /sheets/{id}/edit)
async fn offers(staff: &Client, id: i32) -> (bool, bool, u16) {
    let link = format!("href=\"/sheets/{id}/edit\"");
    let home = staff.page("/").await;
    let sheet = staff.get(&format!("/sheets/{id}")).await;
    let sheet_offers = sheet.status() == 200 && sheet.text().await.unwrap().contains(&link);
    let edit = staff.status_of(&format!("/sheets/{id}/edit")).await;
    (home.contains(&link), sheet_offers, edit)
}

#[tokio::test]
async fn home_offers_edit_exactly_where_the_sheet_page_does() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let own = app.sheet_id(2025, 1, 1);
    // In the 上半期 round: a draft or returned sheet is the department's to
    // write; confirmed, submitted or final it is not.
    for (state, editable) in [
        (SheetStatus::Draft, true),
        (SheetStatus::Returned, true),
        (SheetStatus::Confirmed, false),
        (SheetStatus::Submitted, false),
        (SheetStatus::Final, false),
    ] {
        app.conn().force_status(own, state);
        let (home, page, edit) = offers(&staff, own).await;
        assert_eq!((home, page), (editable, editable), "{state:?} in 上半期");
        assert_eq!(edit == 200, editable, "{state:?}: edit answered {edit}");
    }

    // Another department's sheet: never offered, and its edit page does not exist.
    let other = app.sheet_id(2025, 3, 1);
    assert_ne!(app.conn().load_sheet(other).context.department, "職員課");
    let (home, page, edit) = offers(&staff, other).await;
    assert_eq!((home, page, edit), (false, false, 404));

    // In the 年度末 round a confirmed sheet is written again.
    let hq = app.login_as(Role::Hq).await;
    let deadline = chrono::Local::now().date_naive() + chrono::Days::new(30);
    let resp = hq
        .open_round(2025, "year_end", &deadline.format("%Y-%m-%d").to_string())
        .await;
    assert!(resp.status().is_redirection(), "{}", resp.status());
    app.conn().force_status(own, SheetStatus::Confirmed);
    let (home, page, edit) = offers(&staff, own).await;
    assert_eq!((home, page, edit), (true, true, 200), "confirmed in 年度末");
}

#[tokio::test]
async fn the_edit_page_script_is_served_and_runs() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);
    let html = staff.page(&format!("/sheets/{id}/edit")).await;
    assert!(html.contains("src=\"/static/js/form.js\""));
    let script = staff.get("/static/js/form.js").await;
    assert_eq!(script.status(), 200);
    let kind = script.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(kind.contains("javascript"), "{kind}");

    let Some(chromium) = hyoka::report::pdf::find_chromium() else {
        tools_present(&["chromium"], "apt-get install chromium");
        return;
    };
    // The page as the browser got it, its assets from the running app: the
    // script sizes each textarea to its text, so an inline height proves it ran.
    let dir = std::env::temp_dir().join(format!("hyoka-js-{}-{id}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("edit.html");
    let base = format!("<head><base href=\"{}/\">", staff.address());
    std::fs::write(&file, html.replacen("<head>", &base, 1)).unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            &format!("--user-data-dir={}", dir.join("profile").display()),
            "--dump-dom",
        ])
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<textarea"),
        "no DOM: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        dom.contains("style=\"height:"),
        "form.js did not run: no textarea was sized"
    );
}

#[tokio::test]
async fn a_department_withdraws_a_submission_before_hq_acts_and_not_after() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);
    let filled = [
        ("content", "取組内容"),
        ("h1_actions", "上半期に実施した。"),
        ("h1_progress", "順調"),
        ("h2_plan", "下半期も続ける。"),
    ];
    let resp = staff.fill_and_submit(id, &filled).await;
    assert!(resp.status().is_redirection(), "{}", resp.status());
    assert_eq!(app.conn().status(id), SheetStatus::Submitted);

    // Another department cannot take it back; its own department can.
    let other = app.staff_of("DX推進課").await;
    let token = other.csrf("/").await;
    let refused = other
        .post_review(
            id,
            &[("csrf_token", &token), ("op", "withdraw"), ("version", "2")],
        )
        .await;
    assert_eq!(refused.status(), 404);
    let page = staff.page(&format!("/sheets/{id}")).await;
    assert!(page.contains("提出を取り下げる"));
    let resp = staff.review(id, "withdraw", &[]).await;
    assert!(resp.status().is_redirection(), "{}", resp.status());
    assert_eq!(app.conn().status(id), SheetStatus::Draft);
    let (home, page, edit) = offers(&staff, id).await;
    assert_eq!((home, page, edit), (true, true, 200), "editable again");
    let history = staff.page_text(&format!("/sheets/{id}/history")).await;
    assert!(history.contains("取り下げ"), "{history}");

    // Once HQ has confirmed it, there is nothing to withdraw.
    let resp = staff.fill_and_submit(id, &filled).await;
    assert!(resp.status().is_redirection());
    let hq = app.login_as(Role::Hq).await;
    assert!(hq.confirm_sheet(id).await.status().is_redirection());
    let page = staff.page(&format!("/sheets/{id}")).await;
    assert!(!page.contains("提出を取り下げる"));
    let resp = staff.review(id, "withdraw", &[]).await;
    assert_eq!(resp.status(), 409, "a confirmed sheet is not withdrawn");
    assert_eq!(app.conn().status(id), SheetStatus::Confirmed);
}

#[tokio::test]
async fn the_years_full_year_actual_shows_on_the_sheet_and_its_print() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let deadline = chrono::Local::now().date_naive() + chrono::Days::new(30);
    let resp = hq
        .open_round(2025, "year_end", &deadline.format("%Y-%m-%d").to_string())
        .await;
    assert!(resp.status().is_redirection());
    let id = app.sheet_id(2025, 1, 1);
    let page = hq.page_text(&format!("/sheets/{id}")).await;
    assert!(
        !page.contains("R7実績(通年)"),
        "no column while nothing is written"
    );

    let staff = app.staff_of("職員課").await;
    let resp = staff
        .fill_and_save(id, &[("i0_full_year", "月11.9時間")])
        .await;
    assert!(resp.status().is_redirection(), "{}", resp.status());
    for path in [format!("/sheets/{id}"), format!("/sheets/{id}/print")] {
        let text = hq.page_text(&path).await;
        crate::support::assert_in_order(
            &text,
            &["現況値", "R7実績(通年)", "目標値(R7)", "月11.9時間"],
        );
    }
}

#[tokio::test]
async fn irreversible_steps_ask_first_in_the_form_itself() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);
    // 提出 without ticking the box: refused at the box, everything typed kept.
    let mut form = staff.edit_form(id).await;
    for (k, v) in [
        ("content", "取組内容（確認前）"),
        ("h1_actions", "上半期に実施した。"),
        ("h1_progress", "順調"),
        ("h2_plan", "下半期も続ける。"),
    ] {
        form.set(k, v);
    }
    let unticked = staff
        .post_edit(id, &form.clone().with("op", "submit"))
        .await;
    assert_eq!(unticked.status(), 422);
    let page = unticked.text().await.unwrap();
    assert!(page.contains("確認欄にチェック") && page.contains("href=\"#f-confirm\""));
    assert!(
        page.contains("取組内容（確認前）"),
        "the typed text is kept"
    );
    assert_eq!(app.conn().status(id), SheetStatus::Draft);
    assert_ne!(
        app.conn().text(id, "content"),
        "取組内容（確認前）",
        "nothing stored"
    );
    assert!(staff
        .submit_sheet(id, &form)
        .await
        .status()
        .is_redirection());

    // 確定 and 再開 ask HQ the same way; 終了 of a round too.
    let hq = app.login_as(Role::Hq).await;
    let final_id = app.sheet_id(2024, 1, 1);
    let resp = hq.review(final_id, "reopen", &[("reason", "訂正")]).await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("確認欄にチェック"));
    assert_eq!(app.conn().status(final_id), SheetStatus::Final);
    let rounds = hq.page("/rounds").await;
    assert!(rounds.contains("終了します"));
    let token = hq.csrf("/rounds").await;
    let close = rounds
        .split("action=\"/rounds/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let path = format!("/rounds/{close}");
    let resp = hq.post_form(&path, &[("csrf_token", token.as_str())]).await;
    assert_eq!(resp.status(), 422, "{path}");
    let home = staff.page("/").await;
    assert!(home.contains("受付中のラウンド"), "the round is still open");
}

#[tokio::test]
async fn a_refused_form_links_each_problem_to_its_field() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);
    // 提出 with required fields empty: each missing field is a link to it.
    let form = staff.edit_form(id).await;
    let page = staff.submit_sheet(id, &form).await.text().await.unwrap();
    for key in ["h1_actions", "h1_progress", "h2_plan"] {
        assert!(page.contains(&format!("href=\"#f-{key}\"")), "{key}");
        assert!(
            page.contains(&format!("id=\"f-{key}\"")),
            "{key} is there to go to"
        );
    }
    assert!(page.contains("class=\"error form-errors\" role=\"alert\" tabindex=\"-1\""));
    // A value not in the list: the field says so itself, tied to its message.
    let resp = staff
        .fill_and_save(id, &[("h1_progress", "すごく順調")])
        .await;
    assert_eq!(resp.status(), 422);
    let page = resp.text().await.unwrap();
    assert!(page.contains("href=\"#f-h1_progress\""));
    assert!(page.contains("aria-invalid=\"true\" aria-describedby=\"e-h1_progress\""));
    assert!(page.contains("id=\"e-h1_progress\""));
}

#[tokio::test]
async fn row_buttons_name_their_row_and_come_back_to_it() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);
    let page = staff.page(&format!("/sheets/{id}/edit")).await;
    assert!(page.contains("aria-label=\"項目2を上へ\""));
    assert!(page.contains("aria-label=\"目標1を削除\""));
    // The button's own action carries the anchor of the row it leads to.
    let add = format!("formaction=\"/sheets/{id}/edit#row-action-3\"");
    assert!(page.contains(&add), "add leads to the new (fourth) row");
    let up = format!("formaction=\"/sheets/{id}/edit#row-action-0\"");
    assert!(page.contains(&up));
    // The page after 行を追加 holds that row, to scroll to and focus.
    let resp = staff.fill_and_press(id, &[], "add_action").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("id=\"row-action-3\""));
}
