//! The whole cycle over HTTP: a department writes and submits, HQ returns,
//! the department fixes and resubmits, HQ confirms the 上半期 round, the
//! 年度末 round follows, HQ evaluates and finalizes; history shows every step.

use hyoka::domain::fiscal_year::FiscalYear;
use hyoka::domain::permission::Role;
use hyoka::domain::sheet::Period;
use hyoka::domain::workflow::SheetStatus;

use crate::support::{assert_in_order, assert_redirect, text_of, Probe, TestApp};

#[tokio::test]
async fn a_sheet_goes_through_the_whole_year() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let hq = app.login_as(Role::Hq).await;
    let id = app.sheet_id(2025, 1, 1);
    let page = format!("/sheets/{id}");

    // The department writes the 上半期 fields and saves a draft.
    let resp = staff
        .fill_and_save(
            id,
            &[
                (
                    "h1_actions",
                    "①事前申請の徹底を周知した。\n②モデル職場を３課に拡大した。",
                ),
                ("i0_first_half", "月11.9時間"),
            ],
        )
        .await;
    assert_redirect(&resp, &format!("/sheets/{id}/edit"));
    let sheet = app.conn().load_sheet(id);
    assert_eq!(sheet.status, SheetStatus::Draft);
    assert_eq!(
        app.conn().text(id, "h1_actions"),
        "①事前申請の徹底を周知した。\n②モデル職場を３課に拡大した。"
    );
    assert_eq!(
        sheet.content.indicators[0].value(FiscalYear(2025), Period::FirstHalf),
        "月11.9時間"
    );

    // Submitting with required fields empty is refused with the list.
    let resp = staff.fill_and_submit(id, &[]).await;
    assert_eq!(resp.status().as_u16(), 422);
    let text = text_of(&resp.text().await.unwrap());
    assert!(
        text.contains("上半期進捗状況") && text.contains("下半期への取組"),
        "{text}"
    );
    assert_eq!(app.conn().status(id), SheetStatus::Draft);

    let resp = staff
        .fill_and_submit(
            id,
            &[("h1_progress", "順調"), ("h2_plan", "引き続き取り組む。")],
        )
        .await;
    assert_redirect(&resp, &page);
    assert_eq!(app.conn().status(id), SheetStatus::Submitted);
    // Submitted: the department can no longer edit.
    assert_eq!(staff.status_of(&format!("/sheets/{id}/edit")).await, 409);

    // HQ returns it; a reason is required.
    let resp = hq.return_sheet(id, "  ").await;
    assert_eq!(resp.status().as_u16(), 422);
    assert_eq!(app.conn().status(id), SheetStatus::Submitted);
    let resp = hq
        .return_sheet(id, "指標の上半期実績の根拠を追記してください。")
        .await;
    assert_redirect(&resp, &page);
    assert_eq!(app.conn().status(id), SheetStatus::Returned);

    // The department sees the reason, fixes and resubmits.
    let text = staff.page_text(&page).await;
    assert!(
        text.contains("指標の上半期実績の根拠を追記してください。"),
        "{text}"
    );
    let edit = staff.page_text(&format!("/sheets/{id}/edit")).await;
    assert!(edit.contains("指標の上半期実績の根拠を追記してください。"));
    let resp = staff
        .fill_and_submit(
            id,
            &[(
                "h2_plan",
                "引き続き取り組む。上半期実績は庶務事務システムの集計による。",
            )],
        )
        .await;
    assert_redirect(&resp, &page);
    assert_eq!(app.conn().status(id), SheetStatus::Submitted);

    // HQ confirms the 上半期 round.
    let resp = hq.confirm_sheet(id).await;
    assert_redirect(&resp, &page);
    assert_eq!(app.conn().status(id), SheetStatus::Confirmed);

    // HQ opens the 年度末 round.
    let resp = hq.open_round(2025, "year_end", &days_from_today(30)).await;
    assert_redirect(&resp, "/rounds");

    // The department writes the year-end fields; the 上半期 fields are read-only now.
    let resp = staff
        .fill_and_submit(
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
        )
        .await;
    assert_redirect(&resp, &page);
    assert_eq!(app.conn().status(id), SheetStatus::Submitted);
    assert_eq!(
        app.conn().text(id, "h1_actions"),
        "①事前申請の徹底を周知した。\n②モデル職場を３課に拡大した。",
        "a field outside the round is not changed"
    );
    assert_eq!(app.conn().text(id, "effects"), "月平均11.5時間となった。");

    // HQ evaluates (推進本部評価 from the list) and finalizes.
    let resp = hq
        .review(id, "evaluate", &[("hq_evaluation", "存在しない評価")])
        .await;
    assert_eq!(resp.status().as_u16(), 422);
    let resp = hq
        .evaluate_sheet(id, "継続推進", "着実に成果が出ている。")
        .await;
    assert_redirect(&resp, &page);
    assert_eq!(app.conn().status(id), SheetStatus::Evaluated);
    let resp = hq.finalize_sheet(id).await;
    assert_redirect(&resp, &page);
    assert_eq!(app.conn().status(id), SheetStatus::Final);
    assert_eq!(app.conn().text(id, "hq_evaluation"), "継続推進");

    // The sheet page shows 推進本部評価; the department sees it too.
    let text = staff.page_text(&page).await;
    assert_in_order(
        &text,
        &[
            "所管課評価",
            "継続推進",
            "(理由) 効果が出ているため。",
            "推進本部評価",
            "継続推進",
            "着実に成果が出ている。",
        ],
    );

    // The history page shows every step, who did it, and the field changes.
    let history = staff.page_text(&format!("/sheets/{id}/history")).await;
    assert_in_order(
        &history,
        &[
            // The demo's sheets were carried forward by the system, not a person.
            "システム",
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
        ],
    );
}

#[tokio::test]
async fn hq_can_reopen_a_final_sheet_with_a_reason() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let id = app.sheet_id(2024, 2, 1);
    assert_eq!(app.conn().status(id), SheetStatus::Final);
    let resp = hq.review(id, "reopen", &[]).await;
    assert_eq!(resp.status().as_u16(), 422);
    let resp = hq.reopen_sheet(id, "誤記の訂正のため").await;
    assert_redirect(&resp, &format!("/sheets/{id}"));
    assert_eq!(app.conn().status(id), SheetStatus::Draft);
    let history = hq.page_text(&format!("/sheets/{id}/history")).await;
    assert!(
        history.contains("再開") && history.contains("誤記の訂正のため"),
        "{history}"
    );
}

#[tokio::test]
async fn home_pages_show_the_departments_sheets_and_hq_counts() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("DX推進課").await;
    let text = staff.page_text("/").await;
    assert!(text.contains("DX推進課 の評価票（令和7年度）"), "{text}");
    assert!(text.contains("上半期") && text.contains("締切"));
    // The demo's deadline is 30 days from today, written in 和暦.
    let deadline = chrono::Local::now().date_naive() + chrono::Days::new(30);
    let wareki = hyoka::domain::fiscal_year::wareki_date(deadline);
    assert!(wareki.starts_with("令和"));
    assert!(text.contains(&format!("締切: {wareki}")), "{text}");
    for mine in [
        "業務の効率化・簡素化の推進",
        "行政手続きのオンライン化の推進",
        "データ活用基盤の整備・活用促進",
        "内部事務のデジタル化の推進",
    ] {
        assert!(text.contains(mine), "{mine}");
    }
    assert!(!text.contains("超過勤務時間の縮減"));

    let hq = app.login_as(Role::Hq).await;
    let text = hq.page_text("/").await;
    assert!(text.contains("作成中 12"), "{text}");
    assert!(text.contains("12 件"));
    let dx_id = app.conn().department_id("DX推進課");
    let text = hq
        .page_text(&format!("/?year=2025&department={dx_id}"))
        .await;
    assert!(text.contains("4 件"), "{text}");
    let text = hq.page_text("/?year=2025&status=submitted").await;
    assert!(text.contains("0 件"), "{text}");
}

#[tokio::test]
async fn opening_a_new_years_first_round_carries_the_sheets_forward() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    assert_eq!(app.conn().years(), vec![2024]);
    let resp = hq.open_round(2025, "h1", &days_from_today(10)).await;
    assert_redirect(&resp, "/rounds");
    assert_eq!(app.conn().years(), vec![2025, 2024]);
    let id = app.sheet_id(2025, 4, 2);
    let sheet = app.conn().load_sheet(id);
    assert_eq!(sheet.status, SheetStatus::Draft);
    assert_eq!(
        sheet.content.indicators[1].value(FiscalYear(2024), Period::FullYear),
        "4.32%"
    );
    assert_eq!(app.conn().text(id, "h2_actions"), "");
    // Opening it again (a new deadline) creates nothing more.
    let resp = hq.open_round(2025, "h1", &days_from_today(20)).await;
    assert_redirect(&resp, "/rounds");
    assert_eq!(app.conn().sheet_ids(2025).len(), 12);
    // A bad date is explained.
    let resp = hq.open_round(2025, "h1", "10月末").await;
    assert_eq!(resp.status().as_u16(), 422);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("締切日は 2025-10-31 のように入力してください"));
    // Deadlines outside the year's span, or already past, are refused with the reason.
    for (date, reason) in [
        ("0007-02-02", "以降の日付にしてください"),
        ("2099-03-31", "までの日付にしてください"),
        (days_from_today(-1).as_str(), "過去の日付"),
    ] {
        let resp = hq.open_round(2025, "h1", date).await;
        assert_eq!(resp.status().as_u16(), 422, "{date}");
        let body = resp.text().await.unwrap();
        assert!(body.contains(reason), "{date}: {body}");
    }
}

/// A deadline `days` from today (negative: in the past), as the date input sends it.
fn days_from_today(days: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}
