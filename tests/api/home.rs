//! HQ's overview on ホーム: filters that never error, when and by whom each
//! sheet last changed (in 和暦), and which sheets are past the deadline.

use diesel::prelude::*;
use hyoka::db::schema::rounds;
use hyoka::domain::permission::Role;
use hyoka::domain::workflow::SheetStatus;

use crate::support::{Probe, TestApp};

#[tokio::test]
async fn hq_sees_last_update_and_overdue_sheets_and_filters_never_error() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    // すべて in both dropdowns sends empty values: the page, not a bare error.
    let page = hq.page("/?year=2025&status=&department=").await;
    assert!(page.contains("ログアウト"), "the menu is there");
    assert!(page.contains("最終更新"));
    // The demo's sheets were made by the system when the year was opened.
    assert!(page.contains("令和"), "dates in 和暦");
    assert!(!page.contains("期限超過"), "the deadline is 30 days away");

    // A department saves one sheet: it becomes the last update, by that person.
    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);
    let resp = staff
        .fill_and_save(id, &[("content", "取組内容を更新した。")])
        .await;
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let page = hq.page("/?year=2025").await;
    assert!(page.contains("職員課 担当"), "who saved it is shown");

    // Past the deadline, every sheet not yet submitted is marked; a submitted one is not.
    let submitted = app.sheet_id(2025, 1, 2);
    {
        let mut conn = app.conn();
        conn.force_status(submitted, SheetStatus::Submitted);
        diesel::update(rounds::table)
            .set(rounds::deadline.eq(chrono::NaiveDate::from_ymd_opt(2020, 4, 1)))
            .execute(&mut *conn)
            .unwrap();
    }
    let page = hq.page("/?year=2025").await;
    assert_eq!(
        page.matches("期限超過").count(),
        11,
        "12 sheets, one submitted"
    );
}

#[tokio::test]
async fn hq_searches_the_list_by_name() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let page = hq.page("/?year=2025&status=&department=&q=デジタル").await;
    assert!(page.contains("内部事務のデジタル化の推進"));
    assert!(!page.contains("超過勤務時間の縮減"));
    assert!(
        page.contains("value=\"デジタル\""),
        "the search is shown again"
    );
    let none = hq
        .page("/?year=2025&q=%E3%81%82%E3%82%8A%E3%81%88%E3%81%AA%E3%81%84")
        .await;
    assert!(none.contains("0 件"));
}
