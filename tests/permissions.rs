#![allow(clippy::unwrap_used)]
//! Every state-changing route × role × department × sheet state: only what
//! the rules allow goes through; everything else is refused and leaves the
//! data as it was. Missing or foreign CSRF tokens and foreign origins too.

mod common;

use common::{form_fields, set, Session, TestApp};
use diesel::prelude::*;
use hyoka::db::schema::{audit_log, sheets};
use hyoka::domain::workflow::SheetStatus;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    /// Staff of the sheet's 所管課 (職員課 for (2) No.1).
    Own,
    /// Staff of its 関係課 (人材マネジメント課).
    Related,
    /// Staff of an unrelated department.
    Other,
    Hq,
    Admin,
}

const STATES: [SheetStatus; 6] = [
    SheetStatus::Draft,
    SheetStatus::Submitted,
    SheetStatus::Returned,
    SheetStatus::Confirmed,
    SheetStatus::Evaluated,
    SheetStatus::Final,
];

/// What the rules say, written out independently of the code: the state the
/// sheet moves to, or None when the step must be refused (上半期 round open).
fn expected(who: Who, op: &str, state: SheetStatus) -> Option<SheetStatus> {
    use SheetStatus as S;
    match (who, op, state) {
        (Who::Own, "save", S::Draft | S::Returned) => Some(S::Draft),
        (Who::Own, "submit", S::Draft | S::Returned) => Some(S::Submitted),
        (Who::Hq, "return", S::Submitted) => Some(S::Returned),
        (Who::Hq, "confirm", S::Submitted) => Some(S::Confirmed),
        (Who::Hq, "finalize", S::Evaluated) => Some(S::Final),
        (Who::Hq, "reopen", S::Submitted | S::Confirmed | S::Evaluated | S::Final) => {
            Some(S::Draft)
        }
        _ => None,
    }
}

fn set_state(app: &TestApp, id: i32, state: SheetStatus) {
    let mut conn = app.pool.get().unwrap();
    diesel::update(sheets::table.find(id))
        .set(sheets::status.eq(state.code()))
        .execute(&mut conn)
        .unwrap();
}

fn audit_count(app: &TestApp) -> i64 {
    let mut conn = app.pool.get().unwrap();
    audit_log::table.count().get_result(&mut conn).unwrap()
}

#[tokio::test]
async fn every_sheet_step_by_every_role_in_every_state() {
    let app = TestApp::demo().await;
    let id = app.sheet_id(2025, 2, 1);
    let sessions = [
        (Who::Own, app.login_as("shokuin").await),
        (Who::Related, app.login_as("jinzai").await),
        (Who::Other, app.login_as("dx").await),
        (Who::Hq, app.login_as("honbu").await),
        (Who::Admin, app.login_as("admin").await),
    ];
    // A complete edit form, as the department's browser posts it.
    let own = &sessions[0].1;
    let mut edit = form_fields(
        &own.page(&format!("/sheets/{id}/edit")).await,
        "form.sheet-form",
    );
    for (k, v) in [
        ("content", "取組内容"),
        ("h1_actions", "上半期の取組"),
        ("h1_progress", "順調"),
        ("h2_plan", "下半期への取組"),
    ] {
        set(&mut edit, k, v);
    }

    let ops = [
        "save", "submit", "return", "confirm", "evaluate", "finalize", "reopen",
    ];
    let mut checked = 0;
    for (who, web) in &sessions {
        let token = common::csrf_of(&web.page("/").await);
        for state in STATES {
            for op in ops {
                set_state(&app, id, state);
                let before = app.load_sheet(id);
                let audits = audit_count(&app);
                let version = before.version.to_string();
                let resp = if op == "save" || op == "submit" {
                    let mut form = edit.clone();
                    set(&mut form, "csrf_token", &token);
                    set(&mut form, "version", &version);
                    set(&mut form, "op", op);
                    web.post_pairs(&format!("/sheets/{id}/edit"), &form).await
                } else {
                    web.post(
                        &format!("/sheets/{id}/review"),
                        &[
                            ("csrf_token", token.as_str()),
                            ("op", op),
                            ("version", &version),
                            ("reason", "理由"),
                            ("hq_evaluation", "継続推進"),
                        ],
                    )
                    .await
                };
                let status = resp.status().as_u16();
                let after = app.load_sheet(id);
                let case = format!("{who:?} {op} in {state:?}");
                match expected(*who, op, state) {
                    Some(to) => {
                        assert_eq!(status, 303, "{case}: allowed but got {status}");
                        assert_eq!(after.status, to, "{case}");
                        assert_eq!(after.version, before.version + 1, "{case}");
                        assert_eq!(audit_count(&app), audits + 1, "{case}: not audited");
                    }
                    None => {
                        assert!(
                            (400..500).contains(&status),
                            "{case}: refused with {status}"
                        );
                        if *who == Who::Other {
                            assert_eq!(
                                status, 404,
                                "{case}: another department's sheet must look absent"
                            );
                        }
                        assert_eq!(after, before, "{case}: data changed");
                        assert_eq!(audit_count(&app), audits, "{case}");
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 5 * 6 * 7);
}

#[tokio::test]
async fn missing_or_foreign_csrf_tokens_and_foreign_origins_are_refused() {
    let app = TestApp::demo().await;
    let id = app.sheet_id(2025, 1, 1);
    let staff = app.login_as("shokuin").await;
    let hq = app.login_as("honbu").await;
    let mut form = form_fields(
        &staff.page(&format!("/sheets/{id}/edit")).await,
        "form.sheet-form",
    );
    set(&mut form, "h1_actions", "改ざんされた内容");
    set(&mut form, "op", "save");
    let foreign = common::csrf_of(&hq.page("/").await);
    let before = app.load_sheet(id);

    let mut missing = form.clone();
    missing.retain(|(k, _)| k != "csrf_token");
    let mut wrong = form.clone();
    set(&mut wrong, "csrf_token", &foreign);
    for bad in [missing, wrong] {
        let resp = staff.post_pairs(&format!("/sheets/{id}/edit"), &bad).await;
        assert_eq!(resp.status().as_u16(), 403);
        assert!(resp
            .text()
            .await
            .unwrap()
            .contains("フォームの有効期限が切れたか"));
    }
    // The right token from another site's page.
    let resp = staff
        .client
        .post(staff.url(&format!("/sheets/{id}/edit")))
        .header("Origin", "http://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let resp = staff
        .client
        .post(staff.url(&format!("/sheets/{id}/edit")))
        .header("Referer", "http://evil.example/page")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(app.load_sheet(id), before);

    // Review, rounds, choices, users and logout check the token too.
    for (path, fields) in [
        (
            format!("/sheets/{id}/review"),
            vec![("op", "return"), ("version", "1"), ("reason", "x")],
        ),
        (
            "/rounds/open".to_string(),
            vec![("year", "2025"), ("kind", "year_end")],
        ),
        (
            "/choices/add".to_string(),
            vec![("list", "progress"), ("value", "新しい")],
        ),
        ("/admin/unlock".to_string(), vec![("key", "login:x")]),
    ] {
        let audits = audit_count(&app);
        let mut with_foreign = fields.clone();
        with_foreign.push(("csrf_token", "not-the-token"));
        assert_eq!(
            hq.post(&path, &fields).await.status().as_u16(),
            403,
            "{path}"
        );
        assert_eq!(
            hq.post(&path, &with_foreign).await.status().as_u16(),
            403,
            "{path}"
        );
        assert_eq!(audit_count(&app), audits, "{path}");
    }
}

#[tokio::test]
async fn settings_routes_by_role() {
    let app = TestApp::demo().await;
    let who = [
        ("shokuin", false, false),
        ("honbu", true, false),
        ("admin", false, true),
    ];
    for (login, hq, admin) in who {
        let web: Session = app.login_as(login).await;
        let token = common::csrf_of(&web.page("/").await);
        let audits = audit_count(&app);
        type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, bool);
        let cases: Vec<Case> = vec![
            (
                "/rounds/open",
                vec![
                    ("year", "2025"),
                    ("kind", "year_end"),
                    ("deadline", "2026-03-31"),
                ],
                hq,
            ),
            (
                "/choices/add",
                vec![("list", "evaluation"), ("value", "大幅な見直し")],
                hq,
            ),
            ("/admin/unlock", vec![("key", "login:nobody")], admin),
        ];
        let mut allowed = 0;
        for (path, mut fields, ok) in cases {
            fields.push(("csrf_token", &token));
            let status = web.post(path, &fields).await.status().as_u16();
            if ok {
                assert_eq!(status, 303, "{login} {path}");
                allowed += 1;
            } else {
                assert_eq!(status, 403, "{login} {path}");
            }
        }
        for page in ["/rounds", "/choices"] {
            let status = web.get(page).await.status().as_u16();
            assert_eq!(status, if hq { 200 } else { 403 }, "{login} {page}");
        }
        let status = web.get("/admin/users").await.status().as_u16();
        assert_eq!(status, if admin { 200 } else { 403 }, "{login}");
        // Rounds and choices leave a trace; a no-op unlock does not.
        let traced = if hq { allowed } else { 0 };
        assert_eq!(audit_count(&app), audits + traced as i64, "{login}");
    }
    // HQ's new choice is offered in the department's year-end form.
    let staff = app.login_as("shokuin").await;
    let id = app.sheet_id(2025, 1, 1);
    let html = staff.page(&format!("/sheets/{id}/edit")).await;
    assert!(html.contains("大幅な見直し"));
}

#[tokio::test]
async fn the_book_and_exports_are_hqs_and_staff_print_only_what_they_may_see() {
    let app = TestApp::demo().await;
    let staff = app.login_as("shokuin").await;
    let own = app.sheet_id(2024, 1, 1);
    let other = app.sheet_id(2024, 3, 1);
    for path in [
        "/reports",
        "/reports/2024",
        "/reports/2024/export.xlsx",
        "/reports/2024/list.csv",
        "/reports/2024/indicators.csv",
        "/reports/2024/pdf",
    ] {
        assert_eq!(staff.get(path).await.status().as_u16(), 403, "{path}");
    }
    // The navigation offers the book only to those who may open it.
    assert!(!staff.page("/").await.contains("href=\"/reports\""));
    assert_eq!(
        staff
            .get(&format!("/sheets/{own}/print"))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        staff
            .get(&format!("/sheets/{other}/print"))
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        staff
            .get(&format!("/sheets/{other}/pdf"))
            .await
            .status()
            .as_u16(),
        404
    );

    // Without a session (or with a made-up pass) the print pages ask for a login.
    let anonymous = app.session();
    for path in [
        format!("/sheets/{own}/print"),
        format!("/sheets/{own}/print?print_pass=guessed"),
        "/reports/2024?print_pass=guessed".to_string(),
        format!("/sheets/{own}/pdf"),
    ] {
        assert_eq!(anonymous.get(&path).await.status().as_u16(), 303, "{path}");
    }
    let admin = app.login_as("admin").await;
    assert!(admin.page("/").await.contains("href=\"/reports\""));
    assert_eq!(admin.get("/reports/2024").await.status().as_u16(), 200);
}
