//! Administration on the demo: renaming and merging departments leaves final
//! sheets as printed; accounts are reset; every refusal is shown at its field.

use hyoka::domain::permission::Role;

use crate::first_run::{first_login, one_time_password, option_value};
use crate::support::cli::{hyoka, printed};
use crate::support::{assert_redirect, text_of, Client, Probe, TestApp, TestDb};

async fn post(client: &Client, page: &str, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let resp = client.post_from_page(page, path, fields).await;
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

#[tokio::test]
async fn renaming_and_merging_keep_final_sheets_as_printed() {
    let app = TestApp::spawn().await;
    let admin = app.login_as(Role::Admin).await;
    let final_id = app.sheet_id(2024, 1, 1);
    let open_id = app.sheet_id(2025, 1, 1);
    let old = app.conn().load_sheet(final_id).context.department;
    let dept = app.conn().department_id(&old);

    let (status, _) = post(
        &admin,
        "/admin/departments",
        &format!("/admin/departments/{dept}/rename"),
        &[("name", "人事改革課")],
    )
    .await;
    assert_eq!(status, 303);
    // Today's pages show the new name; the final sheet keeps its own.
    assert_eq!(
        app.conn().load_sheet(open_id).context.department,
        "人事改革課"
    );
    assert_eq!(app.conn().load_sheet(final_id).context.department, old);
    let printed = admin.page_text(&format!("/sheets/{final_id}/print")).await;
    assert!(
        printed.contains(&old) && !printed.contains("人事改革課"),
        "{printed}"
    );
    let current = admin.page_text(&format!("/sheets/{open_id}")).await;
    assert!(current.contains("人事改革課"), "{current}");
    let hq = app.login_as(Role::Hq).await;
    let book = hq.page_text("/reports/2024").await;
    assert!(book.contains(&old) && !book.contains("人事改革課"));

    // Merge DX推進課 into it: initiatives, links and users move.
    let dx = app.conn().department_id("DX推進課");
    let dx_final = app
        .conn()
        .sheets(2024)
        .into_iter()
        .find(|s| s.context.department == "DX推進課")
        .expect("a DX sheet")
        .id;
    let (status, _) = post(
        &admin,
        "/admin/departments",
        &format!("/admin/departments/{dx}/merge"),
        &[("into", &dept.to_string()), ("confirm", "1")],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        app.conn().load_sheet(dx_final.0).context.department,
        "DX推進課"
    );
    let moved = app
        .conn()
        .sheets(2025)
        .into_iter()
        .filter(|s| s.context.department == "DX推進課")
        .count();
    assert_eq!(moved, 0, "no open sheet names the merged department");
    // The DX account now belongs to the merged department and sees its sheets.
    let dx_staff = app.staff_of("DX推進課").await;
    assert_eq!(dx_staff.status_of(&format!("/sheets/{open_id}")).await, 200);
    let list = admin.page_text("/admin/departments").await;
    assert!(list.contains("無効（人事改革課に統合）"), "{list}");
    let history = admin.page_text("/admin/history").await;
    assert!(
        history.contains(&format!("「{old}」→「人事改革課」")),
        "{history}"
    );
    assert!(
        history.contains("「DX推進課」を「人事改革課」に統合"),
        "{history}"
    );
}

#[tokio::test]
async fn refusals_are_shown_at_the_field_with_what_was_typed() {
    let app = TestApp::spawn().await;
    let admin = app.login_as(Role::Admin).await;
    let hq = app.login_as(Role::Hq).await;
    let shokuin = app.conn().department_id("職員課");
    let dx = app.conn().department_id("DX推進課");
    let page = "/admin/departments";

    let (status, body) = post(
        &admin,
        page,
        &format!("/admin/departments/{shokuin}/merge"),
        &[("into", &shokuin.to_string()), ("confirm", "1")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(text_of(&body).contains("同じ課には統合できません"));
    let (status, body) = post(
        &admin,
        page,
        &format!("/admin/departments/{shokuin}/merge"),
        &[("into", &dx.to_string())],
    )
    .await;
    assert_eq!(status, 422, "unconfirmed merge");
    assert!(text_of(&body).contains("確認欄にチェック"));
    let (status, body) = post(
        &admin,
        page,
        &format!("/admin/departments/{shokuin}/rename"),
        &[("name", "DX推進課")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(text_of(&body).contains("「DX推進課」は既にあります"));
    let (status, body) = post(
        &admin,
        page,
        &format!("/admin/departments/{shokuin}/active"),
        &[("active", "0")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        text_of(&body).contains("の所管課です"),
        "{}",
        text_of(&body)
    );
    let (status, body) = post(&admin, page, "/admin/departments/add", &[("name", "")]).await;
    assert_eq!(status, 422);
    assert!(text_of(&body).contains("課名を入力してください"));

    // Accounts: a staff account needs a department; the form keeps the input.
    let (status, body) = post(
        &admin,
        "/admin/users/new",
        "/admin/users/new",
        &[
            ("login", "tanaka"),
            ("name", "田中 次郎"),
            ("role", "staff"),
            ("department", ""),
            ("email", "tanaka@example"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(text_of(&body).contains("所属課を選んでください"));
    assert!(body.contains("value=\"田中 次郎\"") && body.contains("value=\"tanaka\""));
    let (status, body) = post(
        &admin,
        "/admin/users/new",
        "/admin/users/new",
        &[
            ("login", "dx"),
            ("name", "重複"),
            ("role", "hq"),
            ("department", ""),
            ("email", ""),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(text_of(&body).contains("既に使われています"));
    let me = app.conn().user_id("admin");
    let (status, body) = post(
        &admin,
        &format!("/admin/users/{me}"),
        &format!("/admin/users/{me}"),
        &[("role", "hq"), ("department", ""), ("email", "")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(text_of(&body).contains("自分自身の管理者の役割は外せません"));

    // The plan: a No. already used in the area; an area still in use.
    let form = hq.page("/plan/initiatives/new").await;
    let area = option_value(&form, "(1) 働き方改革の推進");
    let (status, body) = post(
        &hq,
        "/plan/initiatives/new",
        "/plan/initiatives/new",
        &[
            ("area_id", &area),
            ("number", "1"),
            ("name", "新しい取組"),
            ("department_id", &shokuin.to_string()),
            ("related", &shokuin.to_string()),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(text_of(&body).contains("No.1"), "{}", text_of(&body));
    assert!(body.contains("value=\"新しい取組\""));
    let (status, body) = post(
        &hq,
        "/plan",
        &format!("/plan/areas/{area}"),
        &[
            ("number", "1"),
            ("title", "働き方改革の推進"),
            ("retired", "1"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(text_of(&body).contains("終了していない取組事業が"));
    let (status, body) = post(
        &hq,
        "/plan",
        "/plan/areas/add",
        &[("number", "1"), ("title", "重複")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(text_of(&body).contains("推進項目(1)は既にあります"));
}

#[tokio::test]
async fn a_reset_password_is_shown_once_and_must_be_replaced() {
    let app = TestApp::spawn().await;
    let admin = app.login_as(Role::Admin).await;
    let dx = app.staff_of("DX推進課").await;
    let id = app.conn().user_id("dx");
    let resp = admin
        .post_from_page(
            &format!("/admin/users/{id}"),
            &format!("/admin/users/{id}/reset"),
            &[],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    let once = one_time_password(&resp.text().await.unwrap());
    // Its sessions ended; the old password no longer works.
    assert_eq!(dx.get("/").await.status().as_u16(), 303);
    let resp = app.anonymous().login("dx", &app.password("dx")).await;
    assert_eq!(resp.status().as_u16(), 401);
    let dx = first_login(&app, "dx", &once, "dx-own-new-password").await;
    // The user's own e-mail address, checked.
    let resp = dx
        .post_from_page(
            "/account/password",
            "/account/email",
            &[("email", "not an address")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 422);
    let resp = dx
        .post_from_page(
            "/account/password",
            "/account/email",
            &[("email", "dx@city.example.jp")],
        )
        .await;
    assert_redirect(&resp, "/account/password?email=1");
    let users = admin.page_text("/admin/users?q=dx").await;
    assert!(users.contains("dx@city.example.jp"), "{users}");
    let history = admin.page_text("/admin/history").await;
    assert!(history.contains("パスワードの再発行"));
}

#[tokio::test]
async fn only_administrators_and_hq_see_these_pages() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let hq = app.login_as(Role::Hq).await;
    let admin = app.login_as(Role::Admin).await;
    for path in [
        "/admin/departments",
        "/admin/users",
        "/admin/users/new",
        "/admin/history",
        "/plan",
        "/plan/initiatives/new",
        "/plan/years/2025",
    ] {
        assert_eq!(staff.status_of(path).await, 404, "staff {path}");
    }
    for path in ["/admin/departments", "/admin/users", "/admin/history"] {
        assert_eq!(hq.status_of(path).await, 404, "hq {path}");
        assert_eq!(admin.status_of(path).await, 200, "admin {path}");
    }
    for path in ["/plan", "/plan/initiatives/new", "/plan/years/2025"] {
        assert_eq!(hq.status_of(path).await, 200, "hq {path}");
    }
    // A staff post to these forms is refused as not found, and changes nothing.
    let token = staff.csrf_token().await;
    let resp = staff
        .post_form(
            "/admin/departments/add",
            &[("csrf_token", token.as_str()), ("name", "新しい課")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 404);
    // The demo's HQ preview of 令和7年度: everything exists already.
    let preview = hq.page_text("/plan/years/2025").await;
    assert!(preview.contains("作成する評価票はありません"), "{preview}");
}

#[tokio::test]
async fn the_command_line_adds_an_account_with_an_email_address() {
    let db = TestDb::seeded();
    // A refused address is refused before the password is read (no input).
    let add = |login: &str, email: &str, input: &str| {
        let args = [
            "user", "add", "--login", login, "--name", "鈴木", "--role", "hq", "--email", email,
        ];
        hyoka(&db, &args, input)
    };
    let out = add("sato", "sato-at-city", "");
    assert!(!out.status.success(), "{}", printed(&out));
    assert!(
        printed(&out).contains("メールアドレス"),
        "{}",
        printed(&out)
    );
    let out = add("suzuki", "suzuki@city.example.jp", "a-long-password\n");
    assert!(out.status.success(), "{}", printed(&out));
    let app = TestApp::init().on(db).spawn().await;
    let suzuki = app.anonymous();
    suzuki.login_ok("suzuki", "a-long-password").await;
    let page = suzuki.page("/account/password").await;
    assert!(page.contains("value=\"suzuki@city.example.jp\""), "{page}");
}
