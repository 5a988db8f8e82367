//! Every state-changing route × role × department × sheet state: only what
//! the rules allow goes through; everything else is refused and leaves the
//! data as it was. Missing or foreign CSRF tokens and foreign origins too.

use hyoka::domain::permission::Role;
use hyoka::domain::workflow::SheetStatus;

use crate::support::{Probe, TestApp};

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

#[tokio::test]
async fn every_sheet_step_by_every_role_in_every_state() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 2, 1);
    let sessions = [
        (Who::Own, app.staff_of("職員課").await),
        (Who::Related, app.staff_of("人材マネジメント課").await),
        (Who::Other, app.staff_of("DX推進課").await),
        (Who::Hq, app.login_as(Role::Hq).await),
        (Who::Admin, app.login_as(Role::Admin).await),
    ];
    // A complete edit form, as the department's browser posts it.
    let edit = sessions[0]
        .1
        .edit_form(id)
        .await
        .with("content", "取組内容")
        .with("h1_actions", "上半期の取組")
        .with("h1_progress", "順調")
        .with("h2_plan", "下半期への取組");

    let ops = [
        "save", "submit", "return", "confirm", "evaluate", "finalize", "reopen",
    ];
    let mut checked = 0;
    for (who, web) in &sessions {
        // The session's token, as any of its pages carries it; the version
        // is the sheet's, as a form opened just before would hold it.
        let token = web.csrf_token().await;
        for state in STATES {
            for op in ops {
                app.conn().force_status(id, state);
                let (before, audits) = {
                    let mut conn = app.conn();
                    (conn.load_sheet(id), conn.audit_count())
                };
                let version = before.version.to_string();
                let resp = if op == "save" || op == "submit" {
                    let form = edit
                        .clone()
                        .with("csrf_token", &token)
                        .with("version", &version);
                    web.press(id, &form, op).await
                } else {
                    web.post_review(
                        id,
                        &[
                            ("csrf_token", token.as_str()),
                            ("op", op),
                            ("version", &version),
                            ("reason", "理由"),
                            ("hq_evaluation", "継続推進"),
                            ("confirm", "1"),
                        ],
                    )
                    .await
                };
                let status = resp.status().as_u16();
                let (after, audits_after) = {
                    let mut conn = app.conn();
                    (conn.load_sheet(id), conn.audit_count())
                };
                let case = format!("{who:?} {op} in {state:?}");
                match expected(*who, op, state) {
                    Some(to) => {
                        assert_eq!(status, 303, "{case}: allowed but got {status}");
                        assert_eq!(after.status, to, "{case}");
                        assert_eq!(after.version, before.version + 1, "{case}");
                        assert_eq!(audits_after, audits + 1, "{case}: not audited");
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
                        assert_eq!(audits_after, audits, "{case}");
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
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 1);
    let staff = app.staff_of("職員課").await;
    let hq = app.login_as(Role::Hq).await;
    let form = staff
        .edit_form(id)
        .await
        .with("h1_actions", "改ざんされた内容")
        .with("op", "save");
    let foreign = hq.csrf_token().await;
    let before = app.conn().load_sheet(id);

    let missing = form.clone().without("csrf_token");
    let wrong = form.clone().with("csrf_token", &foreign);
    for bad in [missing, wrong] {
        let resp = staff.post_edit(id, &bad).await;
        assert_eq!(resp.status().as_u16(), 403);
        assert!(resp
            .text()
            .await
            .unwrap()
            .contains("フォームの有効期限が切れたか"));
    }
    // The right token from another site's page.
    let path = format!("/sheets/{id}/edit");
    let resp = staff
        .bare_post_request(&path)
        .header("Origin", "http://evil.example")
        .form(form.pairs())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let resp = staff
        .bare_post_request(&path)
        .header("Referer", "http://evil.example/page")
        .form(form.pairs())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(app.conn().load_sheet(id), before);

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
        let audits = app.conn().audit_count();
        let mut with_foreign = fields.clone();
        with_foreign.push(("csrf_token", "not-the-token"));
        assert_eq!(
            hq.post_form(&path, &fields).await.status().as_u16(),
            403,
            "{path}"
        );
        assert_eq!(
            hq.post_form(&path, &with_foreign).await.status().as_u16(),
            403,
            "{path}"
        );
        assert_eq!(app.conn().audit_count(), audits, "{path}");
    }
}

#[tokio::test]
async fn settings_routes_by_role() {
    let app = TestApp::spawn().await;
    let who = [
        ("職員課 staff", app.staff_of("職員課").await, false, false),
        ("HQ", app.login_as(Role::Hq).await, true, false),
        ("admin", app.login_as(Role::Admin).await, false, true),
    ];
    for (name, web, hq, admin) in who {
        let token = web.csrf_token().await;
        let audits = app.conn().audit_count();
        type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, bool);
        let cases: Vec<Case> = vec![
            (
                "/rounds/open",
                vec![("year", "2025"), ("kind", "year_end"), ("deadline", "")],
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
            let status = web.post_form(path, &fields).await.status().as_u16();
            if ok {
                assert_eq!(status, 303, "{name} {path}");
                allowed += 1;
            } else {
                assert_eq!(status, 403, "{name} {path}");
            }
        }
        for page in ["/rounds", "/choices"] {
            let status = web.status_of(page).await;
            assert_eq!(status, if hq { 200 } else { 403 }, "{name} {page}");
        }
        // Account management is not there at all for anyone but administrators.
        let status = web.status_of("/admin/users").await;
        assert_eq!(status, if admin { 200 } else { 404 }, "{name}");
        // Rounds and choices leave a trace; a no-op unlock does not.
        let traced = if hq { allowed } else { 0 };
        assert_eq!(app.conn().audit_count(), audits + traced as i64, "{name}");
    }
    // HQ's new choice is offered in the department's year-end form.
    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);
    let html = staff.page(&format!("/sheets/{id}/edit")).await;
    assert!(html.contains("大幅な見直し"));
}

#[tokio::test]
async fn the_book_and_exports_are_hqs_and_staff_print_only_what_they_may_see() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
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
        assert_eq!(staff.status_of(path).await, 403, "{path}");
    }
    // The navigation offers the book only to those who may open it.
    assert!(!staff.page("/").await.contains("href=\"/reports\""));
    assert_eq!(staff.status_of(&format!("/sheets/{own}/print")).await, 200);
    assert_eq!(
        staff.status_of(&format!("/sheets/{other}/print")).await,
        404
    );
    assert_eq!(staff.status_of(&format!("/sheets/{other}/pdf")).await, 404);

    // Without a session (or with a made-up pass) the print pages ask for a login.
    let anonymous = app.anonymous();
    for path in [
        format!("/sheets/{own}/print"),
        format!("/sheets/{own}/print?print_pass=guessed"),
        "/reports/2024?print_pass=guessed".to_string(),
        format!("/sheets/{own}/pdf"),
    ] {
        assert_eq!(anonymous.status_of(&path).await, 303, "{path}");
    }
    let admin = app.login_as(Role::Admin).await;
    assert!(admin.page("/").await.contains("href=\"/reports\""));
    assert_eq!(admin.status_of("/reports/2024").await, 200);
}
