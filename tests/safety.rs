#![allow(clippy::unwrap_used)]
//! Nothing typed is lost (a colleague's save, an expired session, bad input),
//! logins are throttled, and bad requests get clear Japanese answers.

mod common;

use std::time::Duration;

use common::{csrf_of, form_fields, set, squash, visible_text, Session, TestApp};
use hyoka::domain::workflow::SheetStatus;

const EDIT_FORM: &str = "form.sheet-form";

async fn edit_form(web: &Session, id: i32) -> Vec<(String, String)> {
    form_fields(&web.page(&format!("/sheets/{id}/edit")).await, EDIT_FORM)
}

fn field(html: &str, name: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("[name='{name}']")).unwrap();
    let el = doc
        .select(&sel)
        .next()
        .unwrap_or_else(|| panic!("no field {name}"));
    match el.value().name() {
        "textarea" => el.text().collect(),
        _ => el.value().attr("value").unwrap_or("").to_string(),
    }
}

#[tokio::test]
async fn a_colleagues_save_is_never_overwritten_silently() {
    let app = TestApp::demo().await;
    let id = app.sheet_id(2025, 1, 2);
    let alice = app.login_as("shokuin").await;
    let bob = app.login_as("shokuin").await;
    let mut a = edit_form(&alice, id).await;
    let mut b = edit_form(&bob, id).await;

    set(&mut a, "h1_actions", "Aさんの文章：年休取得を周知した。");
    set(&mut a, "op", "save");
    assert_eq!(
        alice
            .post_pairs(&format!("/sheets/{id}/edit"), &a)
            .await
            .status()
            .as_u16(),
        303
    );

    set(
        &mut b,
        "h1_actions",
        "Bさんの文章：夏季休暇と合わせた取得を促した。",
    );
    set(&mut b, "op", "save");
    let resp = bob.post_pairs(&format!("/sheets/{id}/edit"), &b).await;
    assert_eq!(resp.status().as_u16(), 409);
    let html = resp.text().await.unwrap();
    // Bob's text is in the form; Alice's is shown beside it; nothing was overwritten.
    assert_eq!(
        field(&html, "h1_actions"),
        "Bさんの文章：夏季休暇と合わせた取得を促した。"
    );
    let text = squash(&visible_text(&html));
    assert!(text.contains("他の人が保存しました"), "{text}");
    common::assert_in_order(
        &text,
        &[
            "令和7年度上半期の取組",
            "Aさんの文章：年休取得を周知した。",
            "Bさんの文章：夏季休暇と合わせた取得を促した。",
        ]
        .map(String::from),
    );
    assert_eq!(
        app.load_sheet(id).content.body.h1_actions,
        "Aさんの文章：年休取得を周知した。"
    );

    // Bob merges and saves again from the re-shown form.
    let mut merged = form_fields(&html, EDIT_FORM);
    set(
        &mut merged,
        "h1_actions",
        "Aさんの文章：年休取得を周知した。\nBさんの文章：夏季休暇と合わせた取得を促した。",
    );
    set(&mut merged, "op", "save");
    assert_eq!(
        bob.post_pairs(&format!("/sheets/{id}/edit"), &merged)
            .await
            .status()
            .as_u16(),
        303
    );
    assert_eq!(
        app.load_sheet(id).content.body.h1_actions,
        "Aさんの文章：年休取得を周知した。\nBさんの文章：夏季休暇と合わせた取得を促した。"
    );
}

#[tokio::test]
async fn a_save_after_the_session_expired_comes_back_after_login() {
    let app = TestApp::demo_with(|c| c.idle_timeout = Duration::from_secs(1)).await;
    let id = app.sheet_id(2025, 2, 2);
    let web = app.login_as("jinzai").await;
    let mut form = edit_form(&web, id).await;
    let before = app.load_sheet(id);
    tokio::time::sleep(Duration::from_millis(2100)).await;

    let typed = "①新採用職員研修を拡充した。\n②キャリアデザイン研修を新設した。（長い文章を入力中にセッションが切れた）";
    set(&mut form, "h1_actions", typed);
    set(&mut form, "i0_first_half", "順調");
    set(&mut form, "op", "save");
    let resp = web.post_pairs(&format!("/sheets/{id}/edit"), &form).await;
    assert_eq!(resp.status().as_u16(), 303);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("/login?") && location.contains("expired=1"),
        "{location}"
    );
    assert_eq!(
        app.load_sheet(id),
        before,
        "nothing saved without a session"
    );

    // The login page explains, and sends the user back to the restored form.
    let login_page = web.page(&location).await;
    assert!(visible_text(&login_page).contains("セッションの有効期限が切れました"));
    let next = {
        let doc = scraper::Html::parse_document(&login_page);
        let sel = scraper::Selector::parse("input[name=next]").unwrap();
        doc.select(&sel)
            .next()
            .unwrap()
            .value()
            .attr("value")
            .unwrap()
            .to_string()
    };
    assert!(
        next.starts_with(&format!("/sheets/{id}/edit?draft=")),
        "{next}"
    );
    let token = csrf_of(&login_page);
    let resp = web
        .post(
            "/login",
            &[
                ("csrf_token", &token),
                ("login", "jinzai"),
                ("password", &app.password("jinzai")),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(resp.headers()["location"].to_str().unwrap(), next);
    let html = web.page(&next).await;
    assert_eq!(field(&html, "h1_actions"), typed);
    assert_eq!(field(&html, "i0_first_half"), "順調");
    assert!(visible_text(&html).contains("復元しました"));

    // Saving the restored form stores it.
    let mut restored = form_fields(&html, EDIT_FORM);
    set(&mut restored, "op", "save");
    assert_eq!(
        web.post_pairs(&format!("/sheets/{id}/edit"), &restored)
            .await
            .status()
            .as_u16(),
        303
    );
    assert_eq!(app.load_sheet(id).content.body.h1_actions, typed);
}

#[tokio::test]
async fn bad_input_is_refused_in_japanese_and_the_form_keeps_what_was_typed() {
    let app = TestApp::demo().await;
    let id = app.sheet_id(2025, 1, 1);
    let web = app.login_as("shokuin").await;
    let before = app.load_sheet(id);

    // Oversized field: re-shown with the message next to it, text intact.
    let long = "あ".repeat(4001);
    let mut form = edit_form(&web, id).await;
    set(&mut form, "h1_actions", &long);
    set(&mut form, "h2_plan", "ちゃんと残るべき文章");
    set(&mut form, "op", "save");
    let resp = web.post_pairs(&format!("/sheets/{id}/edit"), &form).await;
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("4000文字以内で入力してください（現在4001文字）"));
    assert_eq!(
        field(&html, "h1_actions").chars().count(),
        4001,
        "never truncated"
    );
    assert_eq!(field(&html, "h2_plan"), "ちゃんと残るべき文章");

    // A choice that is not on the list.
    let mut form = edit_form(&web, id).await;
    set(&mut form, "h1_progress", "とても順調");
    set(&mut form, "a0_y2025", "やるかも");
    set(&mut form, "op", "save");
    let resp = web.post_pairs(&format!("/sheets/{id}/edit"), &form).await;
    assert_eq!(resp.status().as_u16(), 422);
    let text = visible_text(&resp.text().await.unwrap());
    assert!(text.contains("上半期進捗状況は一覧から選んでください"));
    assert!(text.contains("令和7年度の予定は一覧から選んでください"));

    // Invalid UTF-8 in a field: 400, the form re-shown with the field marked.
    let token = csrf_of(&web.page(&format!("/sheets/{id}/edit")).await);
    let body = format!(
        "csrf_token={token}&version={}&action_count=0&indicator_count=0&op=save&h1_actions=%E3%81%82%FF%FE",
        before.version
    );
    let resp = web
        .client
        .post(web.url(&format!("/sheets/{id}/edit")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Origin", web.address.clone())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert!(resp.text().await.unwrap().contains("UTF-8"));

    // Missing fields (no version, no row counts): a clear 400.
    let resp = web
        .post(
            &format!("/sheets/{id}/edit"),
            &[("csrf_token", &token), ("op", "save")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 400);
    assert!(resp.text().await.unwrap().contains("版番号"));

    // A forged sheet id, and another department's sheet: 404, never the data.
    let other = app.sheet_id(2025, 3, 1);
    for target in [999_999, other] {
        let resp = web
            .post(
                &format!("/sheets/{target}/edit"),
                &[
                    ("csrf_token", &token),
                    ("op", "save"),
                    ("version", "1"),
                    ("action_count", "0"),
                    ("indicator_count", "0"),
                ],
            )
            .await;
        assert_eq!(resp.status().as_u16(), 404, "sheet {target}");
        assert!(resp
            .text()
            .await
            .unwrap()
            .contains("ページが見つかりません"));
    }
    assert_eq!(
        web.get(&format!("/sheets/{other}")).await.status().as_u16(),
        404
    );
    assert_eq!(web.get("/sheets/abc/edit").await.status().as_u16(), 404);

    // Junk bodies never make the server fail.
    for body in [
        "",
        "%",
        "&&&==",
        "csrf_token=%ZZ",
        "version=99999999999999999999",
    ] {
        let resp = web
            .client
            .post(web.url(&format!("/sheets/{id}/edit")))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        assert!((400..500).contains(&status), "{body:?} → {status}");
    }
    let resp = web
        .client
        .post(web.url(&format!("/sheets/{id}/edit")))
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);

    assert_eq!(app.load_sheet(id), before, "nothing was saved");
}

#[tokio::test]
async fn row_operations_work_without_javascript_and_keep_the_text() {
    let app = TestApp::demo().await;
    let id = app.sheet_id(2025, 1, 2);
    let web = app.login_as("shokuin").await;
    let mut form = edit_form(&web, id).await;
    set(&mut form, "h1_actions", "入力途中の文章");
    set(&mut form, "op", "add_action");
    let resp = web.post_pairs(&format!("/sheets/{id}/edit"), &form).await;
    assert_eq!(resp.status().as_u16(), 200);
    let html = resp.text().await.unwrap();
    assert_eq!(field(&html, "h1_actions"), "入力途中の文章");
    let mut form = form_fields(&html, EDIT_FORM);
    assert!(form.iter().any(|(k, v)| k == "action_count" && v == "2"));
    set(&mut form, "a1_text", "②新しい項目");
    set(&mut form, "a1_y2025", "実施");
    set(&mut form, "op", "up_action:1");
    let html = web
        .post_pairs(&format!("/sheets/{id}/edit"), &form)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(field(&html, "a0_text"), "②新しい項目");
    let mut form = form_fields(&html, EDIT_FORM);
    set(&mut form, "op", "save");
    assert_eq!(
        web.post_pairs(&format!("/sheets/{id}/edit"), &form)
            .await
            .status()
            .as_u16(),
        303
    );
    let sheet = app.load_sheet(id);
    assert_eq!(sheet.content.action_items[0].text, "②新しい項目");
    assert_eq!(sheet.content.action_items[0].cell(2025), "実施");
    assert_eq!(
        sheet.content.action_items[1].text,
        "①取得促進に向けた環境づくり"
    );
    assert_eq!(sheet.content.body.h1_actions, "入力途中の文章");

    // Adding an indicator row keeps the existing rows' past values.
    let mut form = edit_form(&web, id).await;
    set(&mut form, "op", "add_indicator");
    let html = web
        .post_pairs(&format!("/sheets/{id}/edit"), &form)
        .await
        .text()
        .await
        .unwrap();
    let mut form = form_fields(&html, EDIT_FORM);
    set(&mut form, "i1_name", "新しい指標");
    set(&mut form, "i1_method", "定量");
    set(&mut form, "i1_target", "5件");
    set(&mut form, "op", "save");
    assert_eq!(
        web.post_pairs(&format!("/sheets/{id}/edit"), &form)
            .await
            .status()
            .as_u16(),
        303
    );
    let sheet = app.load_sheet(id);
    assert_eq!(sheet.content.indicators.len(), 2);
    assert_eq!(sheet.content.indicators[1].name, "新しい指標");
    assert_eq!(
        sheet.content.indicators[0].value(2023, hyoka::domain::sheet::Period::FullYear),
        "10.9日"
    );
}

#[tokio::test]
async fn six_wrong_passwords_lock_the_login_until_an_admin_unlocks_it() {
    let app = TestApp::demo().await;
    let web = app.session();
    for _ in 0..5 {
        let resp = web.login("shokuin", "wrong-password").await;
        assert_eq!(resp.status().as_u16(), 401);
        assert!(resp
            .text()
            .await
            .unwrap()
            .contains("ログインIDまたはパスワードが正しくありません"));
    }
    let resp = web.login("shokuin", "wrong-password").await;
    assert_eq!(resp.status().as_u16(), 429);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("一時的にログインできません"));
    // Even the right password is refused while locked.
    let resp = web.login("shokuin", &app.password("shokuin")).await;
    assert_eq!(resp.status().as_u16(), 429);

    // The administrator sees the lock and lifts it.
    let admin = app.login_as("admin").await;
    let text = squash(&visible_text(&admin.page("/admin/users").await));
    assert!(
        text.contains("ログインID shokuin") && text.contains("制限中"),
        "{text}"
    );
    let token = admin.csrf("/admin/users").await;
    let resp = admin
        .post(
            "/admin/unlock",
            &[("csrf_token", &token), ("key", "login:shokuin")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    web.login_ok("shokuin", &app.password("shokuin")).await;
}

#[tokio::test]
async fn logout_ends_the_session_and_pages_need_a_login() {
    let app = TestApp::demo().await;
    let web = app.login_as("honbu").await;
    assert_eq!(web.get("/").await.status().as_u16(), 200);
    let token = web.csrf("/").await;
    assert_eq!(
        web.post("/logout", &[("csrf_token", &token)])
            .await
            .status()
            .as_u16(),
        303
    );
    let resp = web.get("/sheets").await;
    assert_eq!(resp.status().as_u16(), 303);
    assert!(resp.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?next=/sheets"));
    // A status stays as it was for the sheet in the demo.
    assert_eq!(
        app.load_sheet(app.sheet_id(2025, 1, 1)).status,
        SheetStatus::Draft
    );
}

#[tokio::test]
async fn an_absolute_timeout_ends_even_a_busy_session() {
    let app = TestApp::demo_with(|c| c.absolute_timeout = Duration::from_secs(2)).await;
    let web = app.login_as("honbu").await;
    for _ in 0..3 {
        assert_eq!(web.get("/").await.status().as_u16(), 200);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(web.get("/").await.status().as_u16(), 303);
}
