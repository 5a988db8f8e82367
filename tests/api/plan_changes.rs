//! Changing the plan mid-way: an initiative moves to another 所管課 from a
//! given year, 推進項目 and 取組事業 are reordered, and retiring an initiative
//! removes the untouched sheets it no longer needs.

use hyoka::db;
use hyoka::domain::ids::InitiativeId;
use hyoka::domain::permission::Role;

use crate::support::{assert_redirect, text_of, Client, Probe, TestApp};

/// The initiative's edit form as stored, with `changes` applied.
async fn post_initiative(
    app: &TestApp,
    hq: &Client,
    id: InitiativeId,
    changes: &[(&str, &str)],
) -> reqwest::Response {
    let (stored, related) = {
        let mut conn = app.conn();
        (
            db::plan::initiative(&mut conn, id)
                .unwrap()
                .expect("initiative"),
            db::plan::related(&mut conn, id).unwrap(),
        )
    };
    let mut fields: Vec<(String, String)> = [
        ("area_id", stored.area_id.to_string()),
        ("number", stored.number.to_string()),
        ("name", stored.name.clone()),
        ("department_id", stored.department_id.to_string()),
        ("related_plan", stored.related_plan.clone()),
        ("plan_years", stored.plan_years.clone()),
        ("target_scope", stored.target_scope.clone()),
    ]
    .into_iter()
    .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    fields.extend(
        related
            .iter()
            .map(|d| ("related".to_string(), d.to_string())),
    );
    fields.extend(changes.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let page = format!("/plan/initiatives/{id}");
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    hq.post_from_page(&page, &page, &fields).await
}

#[tokio::test]
async fn a_move_from_a_year_leaves_earlier_years_with_the_old_department() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let r6 = app.sheet_id(2024, 1, 1);
    let r7 = app.sheet_id(2025, 1, 1);
    let (initiative, old) = {
        let s = app.conn().load_sheet(r7);
        (s.context.initiative_id, s.context.department)
    };
    assert_ne!(old, "財政課");
    let zaisei = app.conn().department_id("財政課");
    let old_staff = app.staff_of(&old).await;
    assert_eq!(
        old_staff.status_of(&format!("/sheets/{r7}/edit")).await,
        200
    );

    // A year outside the plan is refused at the field, with what was typed.
    let resp = post_initiative(
        &app,
        &hq,
        initiative,
        &[
            ("department_id", &zaisei.to_string()),
            ("applies_from", "2030"),
        ],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 422);
    let body = resp.text().await.unwrap();
    assert!(text_of(&body).contains("適用する年度はプランの期間から選んでください"));
    assert_eq!(app.conn().load_sheet(r7).context.department, old);

    let resp = post_initiative(
        &app,
        &hq,
        initiative,
        &[
            ("department_id", &zaisei.to_string()),
            ("applies_from", "2025"),
        ],
    )
    .await;
    assert_redirect(&resp, "/plan");
    assert_eq!(app.conn().load_sheet(r6).context.department, old);
    assert_eq!(app.conn().load_sheet(r7).context.department, "財政課");
    let book = hq.page_text("/reports/2024").await;
    assert!(book.contains(&old), "the 令和6年度 book keeps {old}");
    let sheet = hq.page_text(&format!("/sheets/{r7}")).await;
    assert!(sheet.contains("財政課"), "{sheet}");

    // The new department edits the 令和7年度 sheet; the old one no longer can.
    let new_staff = app.staff_of("財政課").await;
    assert_eq!(
        new_staff.status_of(&format!("/sheets/{r7}/edit")).await,
        200
    );
    // (403: it is still a 関係課 and may read the sheet, not edit it.)
    let refused = old_staff.status_of(&format!("/sheets/{r7}/edit")).await;
    assert!([403, 404].contains(&refused), "{refused}");

    // The 令和6年度 sheet keeps the old name even when it is reopened and
    // finalized again; the history says from when the move applies.
    let resp = hq.reopen_sheet(r6, "記載の誤りを直すため").await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(app.conn().load_sheet(r6).context.department, old);
    let admin = app.login_as(Role::Admin).await;
    let history = admin.page_text("/admin/history").await;
    assert!(
        history.contains("所管課 財政課") && history.contains("（令和7年度から適用）"),
        "{history}"
    );
}

#[tokio::test]
async fn areas_and_initiatives_move_up_and_down_without_javascript() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let (one, two, area_two) = (
        app.sheet_id(2025, 1, 1),
        app.sheet_id(2025, 1, 2),
        app.sheet_id(2025, 2, 1),
    );
    let first = app.conn().load_sheet(one).context;
    let second = app.conn().load_sheet(two).context;

    // 取組事業 No.2 goes up: the two swap numbers.
    let resp = hq
        .post_from_page(
            "/plan",
            &format!("/plan/initiatives/{}/move", second.initiative_id),
            &[("direction", "up")],
        )
        .await;
    assert_redirect(&resp, "/plan");
    let moved = app.conn().load_sheet(two).context;
    assert_eq!(moved.initiative_number, 1);
    let page = hq.page_text("/plan").await;
    let a = page.find(&second.initiative_name).unwrap();
    let b = page.find(&first.initiative_name).unwrap();
    assert!(a < b, "moved up on the structure page");
    // The top one cannot go further up: nothing changes.
    let resp = hq
        .post_from_page(
            "/plan",
            &format!("/plan/initiatives/{}/move", second.initiative_id),
            &[("direction", "up")],
        )
        .await;
    assert_redirect(&resp, "/plan");
    assert_eq!(app.conn().load_sheet(two).context.initiative_number, 1);

    // 推進項目 (1) goes down.
    let area_one = {
        let mut conn = app.conn();
        let plan = hyoka::app::plan::current(&mut conn).unwrap().unwrap();
        db::plan::areas(&mut conn, plan.id).unwrap()[0].clone()
    };
    let resp = hq
        .post_from_page(
            "/plan",
            &format!("/plan/areas/{}/move", area_one.id),
            &[("direction", "down")],
        )
        .await;
    assert_redirect(&resp, "/plan");
    assert_eq!(app.conn().load_sheet(one).context.area_number, 2);
    assert_eq!(app.conn().load_sheet(area_two).context.area_number, 1);

    let admin = app.login_as(Role::Admin).await;
    let history = admin.page_text("/admin/history").await;
    assert!(history.contains("推進項目・取組事業の並び順"), "{history}");
    assert!(
        history.contains(&format!(
            "取組事業「{}」をNo.2からNo.1へ",
            second.initiative_name
        )),
        "{history}"
    );

    // Staff cannot reorder (404, like every plan page).
    let staff = app.staff_of(&first.department).await;
    let resp = staff
        .post_form(
            &format!("/plan/initiatives/{}/move", first.initiative_id),
            &[
                ("direction", "up"),
                ("csrf_token", &staff.csrf_token().await),
            ],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 404);
}

#[tokio::test]
async fn retiring_removes_untouched_drafts_and_keeps_sheets_with_input() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let untouched = app.sheet_id(2025, 1, 1);
    let written = app.sheet_id(2025, 1, 2);
    let a = app.conn().load_sheet(untouched).context;
    let b = app.conn().load_sheet(written).context;
    let staff = app.staff_of(&b.department).await;
    let resp = staff.fill_and_save(written, &[]).await;
    assert!(resp.status().is_redirection() || resp.status().is_success());
    let before = app.conn().sheets(2025).len();

    for i in [a.initiative_id, b.initiative_id] {
        let page = format!("/plan/initiatives/{i}");
        let resp = hq
            .post_from_page(&page, &format!("{page}/retire"), &[("from_year", "2025")])
            .await;
        assert_redirect(&resp, "/plan");
    }
    let left: Vec<i32> = app.conn().sheets(2025).iter().map(|s| s.id.0).collect();
    assert_eq!(left.len(), before - 1);
    assert!(!left.contains(&untouched), "the untouched draft is gone");
    assert!(left.contains(&written), "the sheet with input stays");
    let earlier = app.sheet_id(2024, 1, 1);
    app.conn().load_sheet(earlier);

    let admin = app.login_as(Role::Admin).await;
    let history = admin.page_text("/admin/history").await;
    assert!(
        history.contains(&format!(
            "{} を令和7年度から終了（未入力の作成中の評価票を削除: 令和7年度）",
            a.initiative_name
        )),
        "{history}"
    );
    assert!(
        history.contains(&format!("{} を令和7年度から終了", b.initiative_name)),
        "{history}"
    );
}
