//! The plan workbook: a city that is not Kofu loads its plan from Excel through
//! the preview and confirm pages; importing again changes nothing; an edited
//! copy changes exactly what was edited; the demo plan round-trips into an
//! empty database; bad files are refused and leave the database unchanged.

use hyoka::domain::permission::Role;
use rust_xlsxwriter::{Formula, Workbook};

use crate::support::probe::PASSWORD;
use crate::support::{Client, Probe, TestApp, TestDb};

const PLAN: &str = "第3次若葉市行政改革実施計画（2025～2028）";

/// The city's plan as rows: worksheet name → rows (first row = headings).
struct City {
    sheets: Vec<(&'static str, Vec<Vec<String>>)>,
}

fn rows(data: &[&[&str]]) -> Vec<Vec<String>> {
    data.iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

impl City {
    fn new() -> Self {
        let plan = rows(&[
            &["計画名", "初年度", "最終年度"],
            &[PLAN, "令和7年度", "2028"],
        ]);
        // Columns in another order and an extra column, as a city may keep them.
        let depts = rows(&[
            &["備考", "所管課名"],
            &["", "総務課"],
            &["", "財政課"],
            &["", "ＤＸ推進課"],
            &["", "人事課"],
            &["", "市民課"],
            &["", "契約管財課"],
        ]);
        let areas = rows(&[
            &["番号", "推進項目"],
            &["1", "持続可能な行財政運営"],
            &["2", "デジタル化による市民サービスの向上"],
            &["３", "人材の確保と育成"],
        ]);
        let mut inits = vec![vec![
            "推進項目番号",
            "No.",
            "取組事業名",
            "所管課",
            "関係課",
            "関係計画名",
            "計画年数",
            "対象部局",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()];
        let list: [(&str, &str, &str, &str, &str, &str); 8] = [
            (
                "1",
                "1",
                "公共施設の総量適正化",
                "契約管財課",
                "財政課、総務課",
                "公共施設等総合管理計画",
            ),
            ("1", "2", "補助金の見直し", "財政課", "", "財政健全化計画"),
            ("1", "3", "使用料・手数料の適正化", "財政課", "", ""),
            (
                "2",
                "1",
                "行政手続のオンライン化",
                "D X推進課",
                "市民課",
                "若葉市DX推進計画",
            ),
            (
                "2",
                "2",
                "窓口のキャッシュレス化",
                "市民課",
                "",
                "若葉市DX推進計画",
            ),
            ("2", "3", "庁内文書の電子化", "総務課", "", ""),
            ("3", "1", "職員研修の充実", "人事課", "", "人材育成基本方針"),
            ("3", "2", "働き方改革の推進", "人事課", "総務課", ""),
        ];
        for (a, n, name, dept, rel, plan) in list {
            inits.push(
                [
                    a,
                    n,
                    name,
                    dept,
                    rel,
                    plan,
                    "4年間（令和10年度まで）",
                    "全部局",
                ]
                .into_iter()
                .map(String::from)
                .collect(),
            );
        }
        let mut items = rows(&[&[
            "推進項目番号",
            "No.",
            "項目",
            "令和7年度",
            "令和8年度",
            "令和9年度",
            "令和10年度",
        ]]);
        for init in &inits[1..] {
            items.push(
                [
                    &init[0],
                    &init[1],
                    "①現状の調査",
                    "調査・検討",
                    "実施",
                    "実施",
                    "完了",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            );
        }
        items.push(rows(&[&["1", "1", "②施設の統廃合", "", "検討", "実施", "実施"]]).remove(0));
        let targets = rows(&[
            &[
                "推進項目番号",
                "No.",
                "指標名",
                "評価方法",
                "当初値",
                "当初値の年度",
                "目標値",
                "目標値の年度",
            ],
            &[
                "1",
                "1",
                "施設の延床面積",
                "定量",
                "211,94㎡",
                "R6",
                "200,000㎡",
                "R10",
            ],
            &[
                "2",
                "1",
                "オンライン化した手続数",
                "定量",
                "0件",
                "令和6年度",
                "120件",
                "",
            ],
            &[
                "2",
                "2",
                "キャッシュレス対応窓口",
                "定量",
                "0箇所",
                "2024",
                "8箇所",
                "2028年度",
            ],
            &["3", "1", "研修の満足度", "定性", "―", "", "向上", ""],
        ]);
        let users = rows(&[
            &["ログインID", "氏名", "役割", "所管課", "メールアドレス"],
            &[
                "kanzai1",
                "若葉 一郎",
                "所管課",
                "契約管財課",
                "kanzai1@example.jp",
            ],
            &["dx1", "若葉 二郎", "所管課", "DX推進課", ""],
            &[
                "gyokaku1",
                "若葉 花子",
                "推進本部",
                "",
                "gyokaku@example.jp",
            ],
        ]);
        Self {
            sheets: vec![
                ("計画", plan),
                ("所管課", depts),
                ("推進項目", areas),
                ("取組事業", inits),
                ("取組項目", items),
                ("目標", targets),
                ("利用者", users),
            ],
        }
    }

    fn set(&mut self, sheet: &str, row: usize, col: usize, value: &str) {
        let s = self.sheets.iter_mut().find(|(n, _)| *n == sheet).unwrap();
        s.1[row][col] = value.to_string();
    }

    fn xlsx(&self) -> Vec<u8> {
        let mut wb = Workbook::new();
        for (name, data) in &self.sheets {
            let ws = wb.add_worksheet();
            ws.set_name(*name).unwrap();
            for (r, row) in data.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }
}

/// An app on an empty database with one HQ account `importer`.
async fn empty_app() -> TestApp {
    let db = TestDb::empty();
    db.migrate();
    db.connect().add_user("importer", Role::Hq, None);
    TestApp::init().on(db).spawn().await
}

async fn hq_of(app: &TestApp) -> Client {
    let hq = app.anonymous();
    hq.login_ok("importer", PASSWORD).await;
    hq
}

/// Uploads `bytes` to the preview; returns (status, page HTML).
async fn preview(hq: &Client, bytes: &[u8]) -> (u16, String) {
    let token = hq.csrf("/admin/plan").await;
    let resp = hq
        .post_file(
            "/admin/plan/preview",
            &[("csrf_token", &token)],
            "plan.xlsx",
            bytes,
        )
        .await;
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// The confirm token on a preview page.
fn confirm_token(html: &str) -> Option<String> {
    crate::support::html::attr_of(html, "input[name=token]", "value")
}

async fn confirm(hq: &Client, html: &str) -> String {
    let token = confirm_token(html).expect("a confirm button");
    let csrf = crate::support::html::csrf_of(html);
    let resp = hq
        .post_form(
            "/admin/plan/import",
            &[("csrf_token", csrf.as_str()), ("token", token.as_str())],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 200);
    resp.text().await.unwrap()
}

fn text(html: &str) -> String {
    crate::support::html::text_of(html)
}

#[tokio::test]
async fn a_city_plan_loads_through_preview_and_confirm_and_reimports_unchanged() {
    let app = empty_app().await;
    let hq = hq_of(&app).await;
    let city = City::new();
    let (status, html) = preview(&hq, &city.xlsx()).await;
    assert_eq!(status, 200, "{}", text(&html));
    let page = text(&html);
    assert!(page.contains("取り込みの確認"), "{page}");
    assert!(
        page.contains("取組事業 (2) No.1 行政手続のオンライン化"),
        "{page}"
    );
    assert!(page.contains("所管課「DX推進課」"), "{page}");
    // Nothing is written before confirming.
    assert_eq!(app.conn().user_count(), 1);

    let done = text(&confirm(&hq, &html).await);
    assert!(done.contains("取り込みました"), "{done}");
    assert!(done.contains("仮パスワード"), "{done}");
    let password = one_time_password(&confirm_page_passwords(&done), "dx1");
    let dx = app.anonymous();
    dx.login_ok("dx1", &password).await;
    {
        use diesel::prelude::*;
        use hyoka::db::schema::users;
        let mut conn = app.conn();
        let (must, email): (bool, Option<String>) = users::table
            .filter(users::login.eq("kanzai1"))
            .select((users::must_change_password, users::email))
            .first(&mut *conn)
            .unwrap();
        assert!(must);
        assert_eq!(email.as_deref(), Some("kanzai1@example.jp"));
    }

    // Opening the first year: its sheets hold the workbook's structure.
    let token = hq.csrf("/rounds").await;
    let resp = hq
        .post_form(
            "/rounds/open",
            &[
                ("csrf_token", token.as_str()),
                ("year", "2025"),
                ("kind", "h1"),
                ("deadline", ""),
            ],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let list = hq.page_text("/sheets?year=2025").await;
    for name in [
        "公共施設の総量適正化",
        "補助金の見直し",
        "使用料・手数料の適正化",
        "行政手続のオンライン化",
        "窓口のキャッシュレス化",
        "庁内文書の電子化",
        "職員研修の充実",
        "働き方改革の推進",
    ] {
        assert!(list.contains(name), "{name} not on the list: {list}");
    }
    let id = app.sheet_id(2025, 1, 1);
    let sheet = hq.page_text(&format!("/sheets/{id}")).await;
    for value in [
        "公共施設等総合管理計画",
        "4年間（令和10年度まで）",
        "全部局",
        "契約管財課",
        "財政課",
        "総務課",
        "①現状の調査",
        "②施設の統廃合",
        "調査・検討",
        "施設の延床面積",
        "211,94㎡",
        "200,000㎡",
    ] {
        assert!(sheet.contains(value), "{value} not on the sheet: {sheet}");
    }
    let id = app.sheet_id(2025, 2, 2);
    let sheet = hq.page_text(&format!("/sheets/{id}")).await;
    assert!(
        sheet.contains("0箇所") && sheet.contains("8箇所"),
        "{sheet}"
    );

    // The same workbook again: nothing changes.
    let before = app.conn().table_counts();
    let users_before = app.conn().user_count();
    let (status, html) = preview(&hq, &city.xlsx()).await;
    assert_eq!(status, 200);
    assert!(text(&html).contains("変更はありません"), "{}", text(&html));
    assert!(confirm_token(&html).is_none());
    assert_eq!(app.conn().table_counts(), before);
    assert_eq!(app.conn().user_count(), users_before);

    // An edited copy changes exactly the edited cells.
    let mut edited = city.clone_edited();
    edited.set("取組事業", 2, 5, "第2次財政健全化計画");
    edited.set("目標", 3, 6, "10箇所");
    let (status, html) = preview(&hq, &edited.xlsx()).await;
    assert_eq!(status, 200);
    let page = text(&html);
    assert!(page.contains("変更（2 件）"), "{page}");
    assert!(page.contains("(1) No.2 関係計画名"), "{page}");
    assert!(page.contains("(2) No.2 目標 1行目"), "{page}");
    confirm(&hq, &html).await;
    let id = app.sheet_id(2025, 1, 2);
    assert!(hq
        .page_text(&format!("/sheets/{id}"))
        .await
        .contains("第2次財政健全化計画"));
    let id = app.sheet_id(2025, 2, 2);
    let sheet = hq.page_text(&format!("/sheets/{id}")).await;
    assert!(
        sheet.contains("10箇所") && !sheet.contains("8箇所"),
        "{sheet}"
    );
    let id = app.sheet_id(2025, 1, 3);
    assert!(!hq
        .page_text(&format!("/sheets/{id}"))
        .await
        .contains("第2次財政健全化計画"));
}

impl City {
    fn clone_edited(&self) -> City {
        City {
            sheets: self.sheets.clone(),
        }
    }
}

/// (login, password) rows of the result page's password table.
fn confirm_page_passwords(page: &str) -> String {
    page.to_string()
}

fn one_time_password(page: &str, login: &str) -> String {
    let after = page.split(login).nth(1).expect("login on the page");
    after
        .split_whitespace()
        .nth(2)
        .expect("password after the name")
        .to_string()
}

#[tokio::test]
async fn the_demo_plan_round_trips_into_an_empty_database() {
    let demo = TestApp::spawn().await;
    let hq = demo.login_as(Role::Hq).await;
    let resp = hq.get("/admin/plan/plan.xlsx").await;
    assert_eq!(resp.status().as_u16(), 200);
    let bytes = resp.bytes().await.unwrap().to_vec();

    let app = empty_app().await;
    let importer = hq_of(&app).await;
    let (status, html) = preview(&importer, &bytes).await;
    assert_eq!(status, 200, "{}", text(&html));
    confirm(&importer, &html).await;

    let structure = |conn: &mut hyoka::db::DbConnection, year: i32| {
        let sheets = conn.sheets(year);
        sheets
            .into_iter()
            .map(|s| {
                let mut c = s.content.clone();
                for ind in &mut c.indicators {
                    ind.values.clear();
                }
                let header: Vec<String> = [
                    hyoka::domain::field::HeaderSlot::RelatedPlan,
                    hyoka::domain::field::HeaderSlot::PlanYears,
                    hyoka::domain::field::HeaderSlot::TargetScope,
                ]
                .into_iter()
                .map(|slot| c.texts.slot(slot).to_string())
                .collect();
                (
                    s.context.area_number,
                    s.context.area_title.clone(),
                    s.context.initiative_number,
                    s.context.initiative_name.clone(),
                    s.context.department.clone(),
                    s.context.related_departments.clone(),
                    header,
                    c.action_items,
                    c.indicators,
                )
            })
            .collect::<Vec<_>>()
    };
    let original = structure(&mut demo.conn(), 2025);
    // An empty database has no sheets yet: the structure goes to the plan's first year.
    let copied = structure(&mut app.conn(), 2022);
    assert_eq!(original.len(), 12);
    assert_eq!(copied, original);
    // And exporting the copy gives the same workbook content again.
    let again = importer.get("/admin/plan/plan.xlsx").await;
    let (status, html) = preview(&importer, &again.bytes().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(text(&html).contains("変更はありません"), "{}", text(&html));
}

#[tokio::test]
async fn bad_files_are_refused_with_their_place_and_change_nothing() {
    let app = empty_app().await;
    let hq = hq_of(&app).await;
    let before = app.conn().table_counts();

    let mut unknown = City::new();
    unknown.set("取組事業", 6, 3, "企画課");
    let mut macro_book = Workbook::new();
    macro_book.add_worksheet();
    let vba = std::env::temp_dir().join(format!("hyoka-vba-{}.bin", std::process::id()));
    std::fs::write(&vba, b"\xD0\xCF\x11\xE0not really a vba project").unwrap();
    macro_book.add_vba_project(&vba).unwrap();
    let macro_bytes = macro_book.save_to_buffer().unwrap();
    let _ = std::fs::remove_file(&vba);
    let mut no_sheet = City::new();
    no_sheet.sheets.retain(|(n, _)| *n != "目標");
    let mut bad_year = City::new();
    bad_year.set("計画", 1, 1, "来年");

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not a zip",
            b"plain text, not a workbook".to_vec(),
            "Excel ブック（.xlsx）ではありません",
        ),
        (
            "encrypted",
            [
                &[0xD0u8, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
                &[0u8; 512][..],
            ]
            .concat(),
            "パスワード付き",
        ),
        ("macro", macro_bytes, "マクロを含むブック"),
        ("too large", vec![b'P'; 6 * 1024 * 1024], "大きすぎます"),
        (
            "unknown department",
            unknown.xlsx(),
            "取組事業!D7: 所管課「企画課」がありません（所管課シートに追加してください）",
        ),
        (
            "missing worksheet",
            no_sheet.xlsx(),
            "ワークシート「目標」がありません",
        ),
        (
            "bad year",
            bad_year.xlsx(),
            "計画!B2: 初年度「来年」を年度として読めません",
        ),
    ];
    for (what, bytes, message) in cases {
        let (status, html) = preview(&hq, &bytes).await;
        assert_eq!(status, 422, "{what}");
        let page = text(&html);
        assert!(page.contains(message), "{what}: {page}");
        assert!(confirm_token(&html).is_none(), "{what}");
        assert_eq!(app.conn().table_counts(), before, "{what}");
    }
}

#[tokio::test]
async fn a_formula_is_read_as_its_cached_value_and_reported() {
    let app = empty_app().await;
    let hq = hq_of(&app).await;
    let city = City::new();
    let mut wb = Workbook::new();
    for (name, data) in &city.sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in data.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if *name == "推進項目" && r == 1 && c == 0 {
                    ws.write_formula(1, 0, Formula::new("=0+1").set_result("1"))
                        .unwrap();
                } else {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
    }
    let (status, html) = preview(&hq, &wb.save_to_buffer().unwrap()).await;
    assert_eq!(status, 200, "{}", text(&html));
    let page = text(&html);
    assert!(page.contains("推進項目!A2: 数式は計算せず"), "{page}");
    assert!(page.contains("推進項目 (1) 持続可能な行財政運営"), "{page}");
}

#[tokio::test]
async fn staff_cannot_load_a_plan_and_the_cli_imports_one() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    assert_eq!(staff.status_of("/admin/plan").await, 403);
    assert_eq!(staff.status_of("/admin/plan/plan.xlsx").await, 403);

    let db = TestDb::empty();
    db.migrate();
    let file = std::env::temp_dir().join(format!("hyoka-plan-{}.xlsx", std::process::id()));
    std::fs::write(&file, City::new().xlsx()).unwrap();
    let path = file.to_str().unwrap();
    let out = crate::support::cli::hyoka(&db, &["import-plan", path, "--dry-run"], "");
    let printed = crate::support::cli::printed(&out);
    assert!(out.status.success(), "{printed}");
    assert!(
        printed.contains("作成: 取組事業 (3) No.2 働き方改革の推進"),
        "{printed}"
    );
    assert_eq!(db.connect().user_count(), 0);
    let out = crate::support::cli::hyoka(&db, &["import-plan", path], "");
    let printed = crate::support::cli::printed(&out);
    assert!(out.status.success(), "{printed}");
    assert!(printed.contains("仮パスワード"), "{printed}");
    assert_eq!(db.connect().user_count(), 3);
    let out = crate::support::cli::hyoka(&db, &["import-plan", path], "");
    assert!(crate::support::cli::printed(&out).contains("変更はありません"));
    let _ = std::fs::remove_file(&file);
}
