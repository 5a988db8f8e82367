//! Nothing typed is lost (a colleague's save, an expired session, bad input),
//! logins are throttled, and bad requests get clear Japanese answers.

use std::time::Duration;

use hyoka::domain::fiscal_year::FiscalYear;
use hyoka::domain::permission::Role;
use hyoka::domain::sheet::Period;
use hyoka::domain::workflow::SheetStatus;

use crate::support::{
    assert_in_order, attr_of, csrf_of, field_value, location, text_of, visible_text, Form, Probe,
    TestApp, EDIT_FORM,
};

#[tokio::test]
async fn a_colleagues_save_is_never_overwritten_silently() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 2);
    let alice = app.staff_of("職員課").await;
    let bob = app.staff_of("職員課").await;
    let a = alice.edit_form(id).await;
    let b = bob.edit_form(id).await;

    let a = a.with("h1_actions", "Aさんの文章：年休取得を周知した。");
    assert_eq!(alice.save_sheet(id, &a).await.status().as_u16(), 303);

    let b = b.with(
        "h1_actions",
        "Bさんの文章：夏季休暇と合わせた取得を促した。",
    );
    let resp = bob.save_sheet(id, &b).await;
    assert_eq!(resp.status().as_u16(), 409);
    let html = resp.text().await.unwrap();
    // Bob's text is in the form; Alice's is shown beside it; nothing was overwritten.
    assert_eq!(
        field_value(&html, "h1_actions"),
        "Bさんの文章：夏季休暇と合わせた取得を促した。"
    );
    let text = text_of(&html);
    // Who saved in between, and when (in 和暦).
    assert!(text.contains("職員課 担当さんが令和"), "{text}");
    assert!(text.contains("に保存しました"), "{text}");
    assert_in_order(
        &text,
        &[
            "令和7年度上半期の取組",
            "Aさんの文章：年休取得を周知した。",
            "Bさんの文章：夏季休暇と合わせた取得を促した。",
        ],
    );
    assert_eq!(
        app.conn().text(id, "h1_actions"),
        "Aさんの文章：年休取得を周知した。"
    );

    // Bob merges and saves again from the re-shown form.
    let merged = Form::from_page(&html, EDIT_FORM).with(
        "h1_actions",
        "Aさんの文章：年休取得を周知した。\nBさんの文章：夏季休暇と合わせた取得を促した。",
    );
    assert_eq!(bob.save_sheet(id, &merged).await.status().as_u16(), 303);
    assert_eq!(
        app.conn().text(id, "h1_actions"),
        "Aさんの文章：年休取得を周知した。\nBさんの文章：夏季休暇と合わせた取得を促した。"
    );
}

#[tokio::test]
async fn a_save_after_the_session_expired_comes_back_after_login() {
    let app = TestApp::init()
        .configure(|c| c.idle_timeout = Duration::from_secs(1))
        .spawn()
        .await;
    let id = app.sheet_id(2025, 2, 2);
    let web = app.staff_of("人材マネジメント課").await;
    let form = web.edit_form(id).await;
    let before = app.conn().load_sheet(id);
    tokio::time::sleep(Duration::from_millis(2100)).await;

    let typed = "①新採用職員研修を拡充した。\n②キャリアデザイン研修を新設した。（長い文章を入力中にセッションが切れた）";
    let form = form.with("h1_actions", typed).with("i0_first_half", "順調");
    let resp = web.save_sheet(id, &form).await;
    assert_eq!(resp.status().as_u16(), 303);
    let login_page = location(&resp);
    assert!(
        login_page.starts_with("/login?") && login_page.contains("expired=1"),
        "{login_page}"
    );
    assert_eq!(
        app.conn().load_sheet(id),
        before,
        "nothing saved without a session"
    );

    // The login page explains, and sends the user back to the restored form.
    let html = web.page(&login_page).await;
    assert!(visible_text(&html).contains("セッションの有効期限が切れました"));
    let next = attr_of(&html, "input[name=next]", "value").unwrap();
    assert!(
        next.starts_with(&format!("/sheets/{id}/edit?draft=")),
        "{next}"
    );
    let login = "jinzai";
    let resp = web
        .login_from(&login_page, login, &app.password(login), &next)
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), next);
    let html = web.page(&next).await;
    assert_eq!(field_value(&html, "h1_actions"), typed);
    assert_eq!(field_value(&html, "i0_first_half"), "順調");
    assert!(visible_text(&html).contains("復元しました"));

    // Saving the restored form stores it.
    let restored = Form::from_page(&html, EDIT_FORM);
    assert_eq!(web.save_sheet(id, &restored).await.status().as_u16(), 303);
    assert_eq!(app.conn().text(id, "h1_actions"), typed);
}

#[tokio::test]
async fn bad_input_is_refused_in_japanese_and_the_form_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 1);
    let web = app.staff_of("職員課").await;
    let before = app.conn().load_sheet(id);
    let edit = format!("/sheets/{id}/edit");

    // Oversized field: re-shown with the message next to it, text intact.
    let long = "あ".repeat(4001);
    let form = web
        .edit_form(id)
        .await
        .with("h1_actions", &long)
        .with("h2_plan", "ちゃんと残るべき文章");
    let resp = web.save_sheet(id, &form).await;
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("4000文字以内で入力してください（現在4001文字）"));
    assert_eq!(
        field_value(&html, "h1_actions").chars().count(),
        4001,
        "never truncated"
    );
    assert_eq!(field_value(&html, "h2_plan"), "ちゃんと残るべき文章");

    // A choice that is not on the list.
    let form = web
        .edit_form(id)
        .await
        .with("h1_progress", "とても順調")
        .with("a0_y2025", "やるかも");
    let resp = web.save_sheet(id, &form).await;
    assert_eq!(resp.status().as_u16(), 422);
    let text = visible_text(&resp.text().await.unwrap());
    assert!(text.contains("上半期進捗状況は一覧から選んでください"));
    assert!(text.contains("令和7年度の予定は一覧から選んでください"));

    // Invalid UTF-8 in a field: 400, the form re-shown with the field marked.
    let token = csrf_of(&web.page(&edit).await);
    let body = format!(
        "csrf_token={token}&version={}&action_count=0&indicator_count=0&op=save&h1_actions=%E3%81%82%FF%FE",
        before.version
    );
    let resp = web
        .post_request(&edit)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert!(resp.text().await.unwrap().contains("UTF-8"));

    // Missing fields (no version, no row counts): a clear 400.
    let resp = web
        .post_form(&edit, &[("csrf_token", token.as_str()), ("op", "save")])
        .await;
    assert_eq!(resp.status().as_u16(), 400);
    assert!(resp.text().await.unwrap().contains("版番号"));

    // A forged sheet id, and another department's sheet: 404, never the data.
    let other = app.sheet_id(2025, 3, 1);
    for target in [999_999, other] {
        let resp = web
            .post_form(
                &format!("/sheets/{target}/edit"),
                &[
                    ("csrf_token", token.as_str()),
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
    assert_eq!(web.status_of(&format!("/sheets/{other}")).await, 404);
    assert_eq!(web.status_of("/sheets/abc/edit").await, 404);

    // Junk bodies never make the server fail.
    for body in [
        "",
        "%",
        "&&&==",
        "csrf_token=%ZZ",
        "version=99999999999999999999",
    ] {
        let resp = web
            .bare_post_request(&edit)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        assert!((400..500).contains(&status), "{body:?} → {status}");
    }
    let resp = web
        .bare_post_request(&edit)
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);

    assert_eq!(app.conn().load_sheet(id), before, "nothing was saved");
}

#[tokio::test]
async fn row_operations_work_without_javascript_and_keep_the_text() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 2);
    let web = app.staff_of("職員課").await;
    let form = web.edit_form(id).await.with("h1_actions", "入力途中の文章");
    let resp = web.press(id, &form, "add_action").await;
    assert_eq!(resp.status().as_u16(), 200);
    let html = resp.text().await.unwrap();
    assert_eq!(field_value(&html, "h1_actions"), "入力途中の文章");
    let form = Form::from_page(&html, EDIT_FORM);
    assert_eq!(form.get("action_count"), Some("2"));
    let form = form.with("a1_text", "②新しい項目").with("a1_y2025", "実施");
    let html = web
        .press(id, &form, "up_action:1")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(field_value(&html, "a0_text"), "②新しい項目");
    let form = Form::from_page(&html, EDIT_FORM);
    assert_eq!(web.save_sheet(id, &form).await.status().as_u16(), 303);
    let sheet = app.conn().load_sheet(id);
    assert_eq!(sheet.content.action_items[0].text, "②新しい項目");
    assert_eq!(sheet.content.action_items[0].cell(FiscalYear(2025)), "実施");
    assert_eq!(
        sheet.content.action_items[1].text,
        "①取得促進に向けた環境づくり"
    );
    assert_eq!(app.conn().text(id, "h1_actions"), "入力途中の文章");

    // Adding an indicator row keeps the existing rows' past values.
    let form = web.edit_form(id).await;
    let html = web
        .press(id, &form, "add_indicator")
        .await
        .text()
        .await
        .unwrap();
    let form = Form::from_page(&html, EDIT_FORM)
        .with("i1_name", "新しい指標")
        .with("i1_method", "定量")
        .with("i1_target", "5件");
    assert_eq!(web.save_sheet(id, &form).await.status().as_u16(), 303);
    let sheet = app.conn().load_sheet(id);
    assert_eq!(sheet.content.indicators.len(), 2);
    assert_eq!(sheet.content.indicators[1].name, "新しい指標");
    assert_eq!(
        sheet.content.indicators[0].value(FiscalYear(2023), Period::FullYear),
        "10.9日"
    );
}

#[tokio::test]
async fn six_wrong_passwords_lock_the_login_until_an_admin_unlocks_it() {
    let app = TestApp::spawn().await;
    let web = app.anonymous();
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
    let admin = app.login_as(Role::Admin).await;
    let text = admin.page_text("/admin/users").await;
    assert!(
        text.contains("ログインID shokuin") && text.contains("制限中"),
        "{text}"
    );
    let resp = admin.unlock("login:shokuin").await;
    assert_eq!(resp.status().as_u16(), 303);
    web.login_ok("shokuin", &app.password("shokuin")).await;
}

#[tokio::test]
async fn logout_ends_the_session_and_pages_need_a_login() {
    let app = TestApp::spawn().await;
    let web = app.login_as(Role::Hq).await;
    assert_eq!(web.status_of("/").await, 200);
    assert_eq!(web.logout().await.status().as_u16(), 303);
    let resp = web.get("/sheets").await;
    assert_eq!(resp.status().as_u16(), 303);
    assert!(location(&resp).starts_with("/login?next=/sheets"));
    // A status stays as it was for the sheet in the demo.
    let id = app.sheet_id(2025, 1, 1);
    assert_eq!(app.conn().status(id), SheetStatus::Draft);
}

#[tokio::test]
async fn an_absolute_timeout_ends_even_a_busy_session() {
    let app = TestApp::init()
        .configure(|c| c.absolute_timeout = Duration::from_secs(2))
        .spawn()
        .await;
    let web = app.login_as(Role::Hq).await;
    for _ in 0..3 {
        assert_eq!(web.status_of("/").await, 200);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(web.status_of("/").await, 303);
}
