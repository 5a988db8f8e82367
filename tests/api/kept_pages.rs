//! A sheet page is kept as rendered for its viewer and shown again while
//! nothing on it has changed (issue 14): shown again, it is never out of
//! date, never someone else's, and two servers on one database agree.

use hyoka::domain::permission::Role;

use crate::support::{Probe, TestApp};

#[tokio::test]
async fn a_sheet_page_shown_again_is_never_out_of_date() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let hq = app.login_as(Role::Hq).await;
    let admin = app.login_as(Role::Admin).await;
    let id = app.sheet_id(2025, 1, 1);
    let page = format!("/sheets/{id}");

    let first = staff.page(&page).await;
    assert_eq!(staff.page(&page).await, first, "nothing changed, same page");

    // HQ's comment changes the page, not the sheet (its version stays).
    let resp = hq
        .comment(id, "h2_plan", "日程が決まったら教えてください")
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    assert!(staff
        .page(&page)
        .await
        .contains("日程が決まったら教えてください"));

    // An administrator renames the 所管課: the page shows the new name.
    let dept = app.conn().department_id("職員課");
    let resp = admin
        .post_from_page(
            "/admin/departments",
            &format!("/admin/departments/{dept}/rename"),
            &[("name", "人事改革課")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    assert!(staff.page(&page).await.contains("人事改革課"));

    // The department's own save: the new text, and the notice of `?done=`.
    let resp = staff
        .fill_and_save(id, &[("h2_plan", "説明会を10月に開く。")])
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let saved = staff.page(&format!("{page}?done=save")).await;
    assert!(saved.contains("説明会を10月に開く。"));
    assert!(saved.contains("一時保存しました"));
    assert!(!staff.page(&page).await.contains("一時保存しました"));

    // What a kept page never gives away or lets through: another department
    // is refused as before, a made-up operation or a stale version writes
    // nothing, and a NUL in the query is only another key.
    let kept = staff.page(&page).await;
    let other = app.staff_of("DX推進課").await;
    assert_eq!(other.status_of(&page).await, 404);
    let audited = app.conn().audit_count();
    let form = staff.edit_form(id).await;
    let odd = staff
        .post_edit(id, &form.clone().with("op", "publish").with("h2_plan", "x"))
        .await;
    assert_eq!(odd.status().as_u16(), 400);
    let stale = staff
        .post_edit(
            id,
            &form
                .clone()
                .with("op", "save")
                .with("version", "1")
                .with("h2_plan", "古い版からの保存"),
        )
        .await;
    assert_eq!(stale.status().as_u16(), 409);
    assert_eq!(app.conn().audit_count(), audited, "nothing was written");
    assert_eq!(staff.page(&page).await, kept);
    assert_eq!(staff.status_of(&format!("{page}?done=%00save")).await, 200);
    assert_eq!(staff.page(&page).await, kept);

    // A page kept for HQ is HQ's: the department's page never carries HQ's
    // session token, and HQ's never the department's.
    let hq_page = hq.page(&page).await;
    let staff_page = staff.page(&page).await;
    let (hq_token, staff_token) = (hq.csrf(&page).await, staff.csrf(&page).await);
    assert_ne!(hq_token, staff_token);
    assert!(hq_page.contains(&hq_token) && !hq_page.contains(&staff_token));
    assert!(staff_page.contains(&staff_token) && !staff_page.contains(&hq_token));
}

#[tokio::test]
async fn two_servers_on_one_database_never_show_a_stale_sheet_page() {
    let app = TestApp::spawn().await;
    let other = app.second_server().await;
    let id = app.sheet_id(2025, 1, 1);
    let page = format!("/sheets/{id}");
    // The department reads on the first server; the administrator and the
    // department's second window work on the second.
    let staff = app.staff_of("職員課").await;
    let admin = app.login_at(&other, "admin").await;
    assert!(!staff.page(&page).await.contains("人事改革課"));

    // A change that is neither the sheet's nor a notice to its reader.
    let dept = app.conn().department_id("職員課");
    let resp = admin
        .post_from_page(
            "/admin/departments",
            &format!("/admin/departments/{dept}/rename"),
            &[("name", "人事改革課")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    assert!(staff.page(&page).await.contains("人事改革課"));

    // The department saves through the second server; the first shows it.
    let staff_there = app.login_at(&other, "shokuin").await;
    let resp = staff_there
        .fill_and_save(id, &[("h2_plan", "二台目で保存した計画。")])
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    assert!(staff.page(&page).await.contains("二台目で保存した計画。"));
}
