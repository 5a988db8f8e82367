//! A city starts from an empty server: the setup address, the first
//! administrator, departments and accounts, the plan, the first year, and a
//! department's first sheet submitted and confirmed.

use hyoka::domain::workflow::SheetStatus;

use crate::support::{assert_in_order, assert_redirect, text_of, Client, Probe, TestApp, TestDb};

const ADMIN_PASSWORD: &str = "kanri-no-password";

/// The value of the `<option>` (or checkbox) whose label is `label`.
pub fn option_value(html: &str, label: &str) -> String {
    let at = html
        .find(&format!(">{label}<"))
        .or_else(|| html.find(&format!("> {label}<")))
        .unwrap_or_else(|| panic!("no option {label}"));
    let before = &html[..at];
    let start = before.rfind("value=\"").expect("value") + 7;
    let end = start + before[start..].find('"').expect("quote");
    before[start..end].to_string()
}

/// The one-time password shown once on the page.
pub fn one_time_password(html: &str) -> String {
    let start = html
        .find("<code id=\"one-time-password\">")
        .expect("one-time password shown")
        + "<code id=\"one-time-password\">".len();
    let end = start + html[start..].find("</code>").expect("end");
    html[start..end].to_string()
}

/// A new empty server and its first administrator, logged in.
pub async fn set_up() -> (TestApp, Client) {
    let app = TestApp::init().on(TestDb::empty()).spawn().await;
    let setup = app
        .setup_path()
        .expect("a setup address on an empty database");
    let admin = app.anonymous();
    let resp = admin
        .post_from_page(
            &setup,
            "/setup",
            &[
                ("token", setup.trim_start_matches("/setup?token=")),
                ("login", "kanri"),
                ("name", "管理 太郎"),
                ("password", ADMIN_PASSWORD),
                ("again", ADMIN_PASSWORD),
            ],
        )
        .await;
    assert_redirect(&resp, "/admin/departments");
    (app, admin)
}

/// The administrator adds an account; returns its one-time password.
pub async fn add_account(admin: &Client, fields: &[(&str, &str)]) -> String {
    let resp = admin
        .post_from_page("/admin/users/new", "/admin/users/new", fields)
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    one_time_password(&resp.text().await.unwrap())
}

/// Logs in with a one-time password, is sent to choose a new one, does.
pub async fn first_login(app: &TestApp, login: &str, one_time: &str, new: &str) -> Client {
    let client = app.anonymous();
    client.login_ok(login, one_time).await;
    for page in ["/", "/sheets", "/plan"] {
        let resp = client.get(page).await;
        assert_redirect(&resp, "/account/password");
    }
    let form = client.page("/account/password").await;
    assert!(
        !form.contains("name=\"current\""),
        "no current password asked"
    );
    let resp = client
        .post_from_page(
            "/account/password",
            "/account/password",
            &[("new", new), ("again", new)],
        )
        .await;
    assert_redirect(&resp, "/");
    let home = client.get("/").await;
    let sent_to = home
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    assert_ne!(
        sent_to.as_deref(),
        Some("/account/password"),
        "free to go on"
    );
    assert_eq!(client.status_of("/account/password").await, 200);
    client
}

#[tokio::test]
async fn a_city_starts_from_an_empty_server() {
    let (app, admin) = set_up().await;
    let setup = app.setup_path().unwrap();

    // Before setup nothing else was reachable; after it, the address is gone.
    assert_eq!(admin.status_of(&setup).await, 404);

    // Departments and the HQ account.
    for name in ["企画課", "財政課", "情報政策課"] {
        let resp = admin
            .post_from_page(
                "/admin/departments",
                "/admin/departments/add",
                &[("name", name)],
            )
            .await;
        assert_redirect(&resp, "/admin/departments");
    }
    // In the order added, as every list of departments shows them.
    let filter = admin.page_text("/admin/users").await;
    assert_in_order(&filter, &["所属 すべて 企画課", "財政課", "情報政策課"]);
    let hq_once = add_account(
        &admin,
        &[
            ("login", "honbu"),
            ("name", "本部 花子"),
            ("role", "hq"),
            ("department", ""),
            ("email", "honbu@city.example.jp"),
        ],
    )
    .await;
    let hq = first_login(&app, "honbu", &hq_once, "honbu-new-password").await;

    // HQ creates the plan, its two areas and four initiatives.
    let resp = hq
        .post_from_page(
            "/plan",
            "/plan/new",
            &[
                ("name", "第1次行政改革推進プラン"),
                ("first_year", "2025"),
                ("last_year", "2027"),
            ],
        )
        .await;
    assert_redirect(&resp, "/plan");
    for (number, title) in [("1", "働き方改革の推進"), ("2", "デジタル化の推進")] {
        let resp = hq
            .post_from_page(
                "/plan",
                "/plan/areas/add",
                &[("number", number), ("title", title)],
            )
            .await;
        assert_redirect(&resp, "/plan");
    }
    let form = hq.page("/plan/initiatives/new").await;
    let area = |n: &str| {
        option_value(
            &form,
            match n {
                "1" => "(1) 働き方改革の推進",
                _ => "(2) デジタル化の推進",
            },
        )
    };
    let dept = |name: &str| option_value(&form, name);
    let (kikaku, zaisei, joho) = (dept("企画課"), dept("財政課"), dept("情報政策課"));
    let initiatives = [
        ("1", "1", "時間外勤務の縮減", &kikaku, vec![&zaisei, &joho]),
        ("1", "2", "財政の見える化", &zaisei, vec![]),
        ("2", "1", "行政手続のオンライン化", &joho, vec![&kikaku]),
        ("2", "2", "会議のペーパーレス化", &kikaku, vec![]),
    ];
    for (a, number, name, dept, related) in &initiatives {
        let area_id = area(a);
        let mut fields = vec![
            ("area_id", area_id.as_str()),
            ("number", *number),
            ("name", *name),
            ("department_id", dept.as_str()),
            ("related_plan", "第1次行政改革推進プラン"),
            ("plan_years", "3年間（令和9年度まで）"),
            ("target_scope", "全部局"),
        ];
        for r in related {
            fields.push(("related", r.as_str()));
        }
        let resp = hq
            .post_from_page("/plan/initiatives/new", "/plan/initiatives/new", &fields)
            .await;
        assert_redirect(&resp, "/plan");
    }
    let structure = hq.page_text("/plan").await;
    assert!(
        structure.contains("時間外勤務の縮減 企画課 財政課、情報政策課"),
        "{structure}"
    );

    // The first year: a preview, then four blank sheets; again: nothing more.
    let preview = hq.page_text("/plan/years/2025").await;
    assert_eq!(
        preview.matches("新しく作成（白紙）").count(),
        4,
        "{preview}"
    );
    let resp = hq
        .post_from_page(
            "/plan/years/2025",
            "/plan/years/2025/open",
            &[("confirm", "1")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(app.conn().sheet_ids(2025).len(), 4);
    let again = hq.page_text("/plan/years/2025").await;
    assert_eq!(
        again.matches("作成済み（変更しない）").count(),
        4,
        "{again}"
    );
    assert!(again.contains("作成する評価票はありません"), "{again}");
    let resp = hq
        .post_from_page(
            "/plan/years/2025",
            "/plan/years/2025/open",
            &[("confirm", "1")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(app.conn().sheet_ids(2025).len(), 4, "never made twice");
    let id = app.sheet_id(2025, 1, 1);
    let sheet = app.conn().load_sheet(id);
    assert_eq!(sheet.context.department, "企画課");
    assert_eq!(sheet.context.related_departments, ["財政課", "情報政策課"]);
    let resp = hq.open_round(2025, "h1", "2027-03-31").await;
    assert_redirect(&resp, "/rounds");

    // A staff account of 企画課 with a one-time password.
    let once = add_account(
        &admin,
        &[
            ("login", "kikaku1"),
            ("name", "企画 一郎"),
            ("role", "staff"),
            ("department", &kikaku),
            ("email", ""),
        ],
    )
    .await;
    let staff = first_login(&app, "kikaku1", &once, "kikaku-new-password").await;
    let home = staff.page_text("/").await;
    for own in ["時間外勤務の縮減", "会議のペーパーレス化"] {
        assert!(home.contains(own), "{own}: {home}");
    }
    assert!(!home.contains("財政の見える化"), "{home}");
    let other = app.sheet_id(2025, 1, 2);
    assert_eq!(staff.status_of(&format!("/sheets/{other}")).await, 404);

    // It writes and submits its sheet; HQ confirms it.
    let resp = staff
        .fill_and_submit(
            id,
            &[
                ("content", "ノー残業デーを徹底する。"),
                ("h1_actions", "毎週水曜日に一斉消灯を実施した。"),
                ("h1_progress", "順調"),
                ("h2_plan", "引き続き取り組む。"),
            ],
        )
        .await;
    let status = resp.status().as_u16();
    assert_eq!(status, 303, "{}", text_of(&resp.text().await.unwrap()));
    assert_eq!(app.conn().status(id), SheetStatus::Submitted);
    let resp = hq.confirm_sheet(id).await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(app.conn().status(id), SheetStatus::Confirmed);

    // Every step is in the administration history, for administrators only.
    let history = admin.page_text("/admin/history").await;
    for step in [
        "初期設定（最初の管理者）",
        "所管課の追加",
        "利用者の追加",
        "プランの作成",
        "推進項目の追加",
        "取組事業の追加",
        "年度の開始",
    ] {
        assert!(history.contains(step), "{step}: {history}");
    }
    assert_eq!(hq.status_of("/admin/history").await, 404);
    assert_eq!(staff.status_of("/admin/history").await, 404);
}

#[tokio::test]
async fn before_setup_every_page_shows_the_notice() {
    let app = TestApp::init().on(TestDb::empty()).spawn().await;
    let visitor = app.anonymous();
    for path in ["/", "/login", "/sheets", "/admin/users"] {
        let resp = visitor.get(path).await;
        assert_eq!(resp.status().as_u16(), 503, "{path}");
        let text = text_of(&resp.text().await.unwrap());
        assert!(text.contains("初期設定がまだ済んでいません"), "{text}");
    }
    // Monitoring works before the city is set up: the process alone, then
    // a round trip to the database.
    for path in ["/healthz", "/readyz"] {
        let resp = visitor.get(path).await;
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        assert_eq!(resp.text().await.unwrap(), "ok\n", "{path}");
    }
    assert_eq!(visitor.status_of("/setup?token=guess").await, 404);
    assert_eq!(visitor.status_of("/setup").await, 404);
    let setup = app.setup_path().unwrap();
    let page = visitor.page(&setup).await;
    // A refused form keeps what was typed (never the password).
    let token = setup.trim_start_matches("/setup?token=");
    let resp = visitor
        .post_from_page(
            &setup,
            "/setup",
            &[
                ("token", token),
                ("login", "kanri"),
                ("name", "管理 太郎"),
                ("password", "short"),
                ("again", "short"),
            ],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 422);
    let body = resp.text().await.unwrap();
    assert!(body.contains("value=\"管理 太郎\""), "{body}");
    assert!(page.contains("最初の管理者"));
    // A wrong token is refused even with a valid form.
    let resp = visitor
        .post_from_page(
            &setup,
            "/setup",
            &[
                ("token", "wrong"),
                ("login", "kanri"),
                ("name", "管理"),
                ("password", ADMIN_PASSWORD),
                ("again", ADMIN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(app.conn().user_count(), 0);
}

#[tokio::test]
async fn the_demo_and_existing_accounts_need_no_setup() {
    let app = TestApp::spawn().await;
    assert!(app.setup_path().is_none());
    assert_eq!(app.anonymous().status_of("/login").await, 200);
    assert_eq!(app.anonymous().status_of("/setup?token=x").await, 404);
}
