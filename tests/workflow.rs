#![allow(clippy::unwrap_used)]
//! The whole cycle over HTTP: a department writes and submits, HQ returns,
//! the department fixes and resubmits, HQ confirms the 上半期 round, the
//! 年度末 round follows, HQ evaluates and finalizes; history shows every step.

mod common;

use common::{form_fields, set, squash, visible_text, Session, TestApp};
use hyoka::domain::workflow::SheetStatus;

const EDIT_FORM: &str = "form.sheet-form";

/// Opens the edit form, applies `fields`, presses `op`.
async fn fill_and_press(
    web: &Session,
    id: i32,
    fields: &[(&str, &str)],
    op: &str,
) -> reqwest::Response {
    let html = web.page(&format!("/sheets/{id}/edit")).await;
    let mut form = form_fields(&html, EDIT_FORM);
    for (k, v) in fields {
        set(&mut form, k, v);
    }
    set(&mut form, "op", op);
    web.post_pairs(&format!("/sheets/{id}/edit"), &form).await
}

async fn review(web: &Session, id: i32, op: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let html = web.page(&format!("/sheets/{id}")).await;
    let token = common::csrf_of(&html);
    let version = app_version(&html);
    let mut form: Vec<(&str, &str)> =
        vec![("csrf_token", &token), ("op", op), ("version", &version)];
    form.extend_from_slice(extra);
    web.post(&format!("/sheets/{id}/review"), &form).await
}

/// The version carried by the review forms on a sheet page.
fn app_version(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("form.review-form input[name=version]").unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or("0")
        .to_string()
}

fn assert_redirect(resp: &reqwest::Response, to: &str) {
    assert_eq!(resp.status().as_u16(), 303, "expected a redirect to {to}");
    let location = resp.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(to), "{location} is not {to}");
}

#[tokio::test]
async fn a_sheet_goes_through_the_whole_year() {
    let app = TestApp::demo().await;
    let staff = app.login_as("shokuin").await;
    let hq = app.login_as("honbu").await;
    let id = app.sheet_id(2025, 1, 1);

    // The department writes the 上半期 fields and saves a draft.
    let resp = fill_and_press(
        &staff,
        id,
        &[
            (
                "h1_actions",
                "①事前申請の徹底を周知した。\n②モデル職場を３課に拡大した。",
            ),
            ("i0_first_half", "月11.9時間"),
        ],
        "save",
    )
    .await;
    assert_redirect(&resp, &format!("/sheets/{id}/edit"));
    let sheet = app.load_sheet(id);
    assert_eq!(sheet.status, SheetStatus::Draft);
    assert_eq!(
        sheet.content.body.h1_actions,
        "①事前申請の徹底を周知した。\n②モデル職場を３課に拡大した。"
    );
    assert_eq!(
        sheet.content.indicators[0].value(2025, hyoka::domain::sheet::Period::FirstHalf),
        "月11.9時間"
    );

    // Submitting with required fields empty is refused with the list.
    let resp = fill_and_press(&staff, id, &[], "submit").await;
    assert_eq!(resp.status().as_u16(), 422);
    let text = squash(&visible_text(&resp.text().await.unwrap()));
    assert!(
        text.contains("上半期進捗状況") && text.contains("下半期への取組"),
        "{text}"
    );
    assert_eq!(app.load_sheet(id).status, SheetStatus::Draft);

    let resp = fill_and_press(
        &staff,
        id,
        &[("h1_progress", "順調"), ("h2_plan", "引き続き取り組む。")],
        "submit",
    )
    .await;
    assert_redirect(&resp, &format!("/sheets/{id}"));
    assert_eq!(app.load_sheet(id).status, SheetStatus::Submitted);
    // Submitted: the department can no longer edit.
    assert_eq!(
        staff
            .get(&format!("/sheets/{id}/edit"))
            .await
            .status()
            .as_u16(),
        409
    );

    // HQ returns it; a reason is required.
    let resp = review(&hq, id, "return", &[("reason", "  ")]).await;
    assert_eq!(resp.status().as_u16(), 422);
    assert_eq!(app.load_sheet(id).status, SheetStatus::Submitted);
    let resp = review(
        &hq,
        id,
        "return",
        &[("reason", "指標の上半期実績の根拠を追記してください。")],
    )
    .await;
    assert_redirect(&resp, &format!("/sheets/{id}"));
    assert_eq!(app.load_sheet(id).status, SheetStatus::Returned);

    // The department sees the reason, fixes and resubmits.
    let page = squash(&visible_text(&staff.page(&format!("/sheets/{id}")).await));
    assert!(
        page.contains("指標の上半期実績の根拠を追記してください。"),
        "{page}"
    );
    let edit = squash(&visible_text(
        &staff.page(&format!("/sheets/{id}/edit")).await,
    ));
    assert!(edit.contains("指標の上半期実績の根拠を追記してください。"));
    let resp = fill_and_press(
        &staff,
        id,
        &[(
            "h2_plan",
            "引き続き取り組む。上半期実績は庶務事務システムの集計による。",
        )],
        "submit",
    )
    .await;
    assert_redirect(&resp, &format!("/sheets/{id}"));
    assert_eq!(app.load_sheet(id).status, SheetStatus::Submitted);

    // HQ confirms the 上半期 round.
    let resp = review(&hq, id, "confirm", &[]).await;
    assert_redirect(&resp, &format!("/sheets/{id}"));
    assert_eq!(app.load_sheet(id).status, SheetStatus::Confirmed);

    // HQ opens the 年度末 round.
    let token = hq.csrf("/rounds").await;
    let resp = hq
        .post(
            "/rounds/open",
            &[
                ("csrf_token", &token),
                ("year", "2025"),
                ("kind", "year_end"),
                ("deadline", "2026-03-31"),
            ],
        )
        .await;
    assert_redirect(&resp, "/rounds");

    // The department writes the year-end fields; the 上半期 fields are read-only now.
    let resp = fill_and_press(
        &staff,
        id,
        &[
            ("h1_actions", "書き換えの試み"),
            ("h2_actions", "パソコンシャットダウンを実施した。"),
            ("effects", "月平均11.5時間となった。"),
            ("issues", "●年度末の長時間労働。"),
            ("dept_evaluation", "継続推進"),
            ("dept_reason", "(理由) 効果が出ているため。"),
            ("next_year", "ノー残業デー+1を徹底する。"),
            ("i0_current", "月11.5時間"),
        ],
        "submit",
    )
    .await;
    assert_redirect(&resp, &format!("/sheets/{id}"));
    let sheet = app.load_sheet(id);
    assert_eq!(sheet.status, SheetStatus::Submitted);
    assert_eq!(
        sheet.content.body.h1_actions, "①事前申請の徹底を周知した。\n②モデル職場を３課に拡大した。",
        "a field outside the round is not changed"
    );
    assert_eq!(sheet.content.body.effects, "月平均11.5時間となった。");

    // HQ evaluates (推進本部評価 from the list) and finalizes.
    let resp = review(&hq, id, "evaluate", &[("hq_evaluation", "存在しない評価")]).await;
    assert_eq!(resp.status().as_u16(), 422);
    let resp = review(
        &hq,
        id,
        "evaluate",
        &[
            ("hq_evaluation", "継続推進"),
            ("hq_comment", "着実に成果が出ている。"),
        ],
    )
    .await;
    assert_redirect(&resp, &format!("/sheets/{id}"));
    assert_eq!(app.load_sheet(id).status, SheetStatus::Evaluated);
    let resp = review(&hq, id, "finalize", &[]).await;
    assert_redirect(&resp, &format!("/sheets/{id}"));
    let sheet = app.load_sheet(id);
    assert_eq!(sheet.status, SheetStatus::Final);
    assert_eq!(sheet.content.body.hq_evaluation, "継続推進");

    // The sheet page shows 推進本部評価; the department sees it too.
    let text = squash(&visible_text(&staff.page(&format!("/sheets/{id}")).await));
    common::assert_in_order(
        &text,
        &[
            "所管課評価",
            "継続推進",
            "(理由) 効果が出ているため。",
            "推進本部評価",
            "継続推進",
            "着実に成果が出ている。",
        ]
        .map(String::from),
    );

    // The history page shows every step, who did it, and the field changes.
    let history = squash(&visible_text(
        &staff.page(&format!("/sheets/{id}/history")).await,
    ));
    common::assert_in_order(
        &history,
        &[
            "demo",
            "前年度から作成",
            "shokuin",
            "一時保存",
            "令和7年度上半期の取組",
            "①事前申請の徹底を周知した。",
            "R7上半期:月11.9時間",
            "shokuin",
            "提出",
            "作成中 → 提出済",
            "honbu",
            "差し戻し",
            "提出済 → 差し戻し",
            "指標の上半期実績の根拠を追記してください。",
            "shokuin",
            "提出",
            "差し戻し → 提出済",
            "下半期への取組",
            "honbu",
            "確認",
            "提出済 → 確認済",
            "shokuin",
            "提出",
            "確認済 → 提出済",
            "令和7年度の効果・影響",
            "月平均11.5時間となった。",
            "honbu",
            "評価",
            "提出済 → 評価済",
            "推進本部評価",
            "継続推進",
            "honbu",
            "確定",
            "評価済 → 確定",
        ]
        .map(String::from),
    );
}

#[tokio::test]
async fn hq_can_reopen_a_final_sheet_with_a_reason() {
    let app = TestApp::demo().await;
    let hq = app.login_as("honbu").await;
    let id = app.sheet_id(2024, 2, 1);
    assert_eq!(app.load_sheet(id).status, SheetStatus::Final);
    let resp = review(&hq, id, "reopen", &[]).await;
    assert_eq!(resp.status().as_u16(), 422);
    let resp = review(&hq, id, "reopen", &[("reason", "誤記の訂正のため")]).await;
    assert_redirect(&resp, &format!("/sheets/{id}"));
    assert_eq!(app.load_sheet(id).status, SheetStatus::Draft);
    let history = squash(&visible_text(
        &hq.page(&format!("/sheets/{id}/history")).await,
    ));
    assert!(
        history.contains("再開") && history.contains("誤記の訂正のため"),
        "{history}"
    );
}

#[tokio::test]
async fn home_pages_show_the_departments_sheets_and_hq_counts() {
    let app = TestApp::demo().await;
    let staff = app.login_as("dx").await;
    let text = squash(&visible_text(&staff.page("/").await));
    assert!(text.contains("DX推進課 の評価票（令和7年度）"), "{text}");
    assert!(text.contains("上半期") && text.contains("締切"));
    for mine in [
        "業務の効率化・簡素化の推進",
        "行政手続きのオンライン化の推進",
        "データ活用基盤の整備・活用促進",
        "内部事務のデジタル化の推進",
    ] {
        assert!(text.contains(mine), "{mine}");
    }
    assert!(!text.contains("超過勤務時間の縮減"));

    let hq = app.login_as("honbu").await;
    let text = squash(&visible_text(&hq.page("/").await));
    assert!(text.contains("作成中 12"), "{text}");
    assert!(text.contains("12 件"));
    let dx_id = {
        let mut conn = app.pool.get().unwrap();
        hyoka::db::plan::department_id(&mut conn, "DX推進課").unwrap()
    };
    let text = squash(&visible_text(
        &hq.page(&format!("/?year=2025&department={dx_id}")).await,
    ));
    assert!(text.contains("4 件"), "{text}");
    let text = squash(&visible_text(
        &hq.page("/?year=2025&status=submitted").await,
    ));
    assert!(text.contains("0 件"), "{text}");
}

#[tokio::test]
async fn opening_a_new_years_first_round_carries_the_sheets_forward() {
    let app = TestApp::seeded().await;
    let plan_id = {
        let mut conn = app.pool.get().unwrap();
        hyoka::db::plan::list(&mut conn).unwrap()[0].id
    };
    let years = || {
        let mut conn = app.pool.get().unwrap();
        hyoka::db::sheet::years(&mut conn, plan_id).unwrap()
    };
    assert_eq!(years(), vec![2024]);
    let token = app.web.csrf("/rounds").await;
    let resp = app
        .web
        .post(
            "/rounds/open",
            &[
                ("csrf_token", &token),
                ("year", "2025"),
                ("kind", "h1"),
                ("deadline", "2025-10-31"),
            ],
        )
        .await;
    assert_redirect(&resp, "/rounds");
    assert_eq!(years(), vec![2025, 2024]);
    let id = app.sheet_id(2025, 4, 2);
    let sheet = app.load_sheet(id);
    assert_eq!(sheet.status, SheetStatus::Draft);
    assert_eq!(
        sheet.content.indicators[1].value(2024, hyoka::domain::sheet::Period::FullYear),
        "4.32%"
    );
    assert_eq!(sheet.content.body.h2_actions, "");
    // Opening it again (a new deadline) creates nothing more.
    let resp = app
        .web
        .post(
            "/rounds/open",
            &[
                ("csrf_token", &token),
                ("year", "2025"),
                ("kind", "h1"),
                ("deadline", "2025-11-15"),
            ],
        )
        .await;
    assert_redirect(&resp, "/rounds");
    let mut conn = app.pool.get().unwrap();
    assert_eq!(
        hyoka::db::sheet::list_for_year(&mut conn, plan_id, 2025)
            .unwrap()
            .len(),
        12
    );
    // A bad date is explained.
    drop(conn);
    let resp = app
        .web
        .post(
            "/rounds/open",
            &[
                ("csrf_token", &token),
                ("year", "2025"),
                ("kind", "h1"),
                ("deadline", "10月末"),
            ],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 422);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("締切日は 2025-10-31 のように入力してください"));
}
