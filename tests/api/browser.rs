//! The app in a real headless Chromium, used by clicking and typing only
//! (`support/browser.rs`): the yearly cycle from both sides, Enter in the
//! sheet's one-line fields, focus on an added row. Every page of the cycle is
//! measured at 390, 683 and 1280 px and checked with axe-core. Skipped
//! visibly without Chromium and chromedriver; a failure under CI.

use hyoka::domain::workflow::SheetStatus;

use crate::support::browser::Browser;
use crate::support::{Probe, TestApp, TestDb};

const STAFF: &str = "shokuin";
const HQ: &str = "honbu";

/// A deadline `days` from today as the date field takes it typed in an
/// en-US Chromium (MMDDYYYY; the segments advance by themselves).
fn typed_date(days: u64) -> String {
    (chrono::Local::now().date_naive() + chrono::Days::new(days))
        .format("%m%d%Y")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn yearly_cycle_in_chromium() {
    let app = TestApp::spawn().await;
    let Some(mut b) = Browser::start(app.address()).await else {
        return;
    };
    let id = app.sheet_id(2025, 1, 1);
    let show = format!("/sheets/{id}");
    let edit_link = format!("a[href='/sheets/{id}/edit']");
    let show_link = format!("main a[href='/sheets/{id}']");

    // 上半期: the department fills its fields, saves, submits.
    b.goto("/").await;
    assert!(b.path().await.starts_with("/login"));
    b.check_page("login").await;
    b.login(STAFF, &app.password(STAFF)).await;
    b.check_page("home-staff").await;
    b.click(&edit_link).await;
    b.check_page("edit-h1").await;
    b.type_into("#f-h1_actions", "①事前申請を徹底した。").await;
    b.choose("#f-h1_progress", "順調").await;
    b.type_into("#f-h2_plan", "引き続き取り組む。").await;
    b.type_into("#f-i0_first_half", "月11.9時間").await;
    let save = b.button("form.sheet-form", "一時保存").await;
    b.click_and_wait(save).await;
    assert!(b.text().await.contains("一時保存しました。"));
    assert_eq!(b.value("#f-i0_first_half").await, "月11.9時間");
    b.tick("#f-confirm").await;
    let submit = b.button("form.sheet-form", "提出").await;
    b.click_and_wait(submit).await;
    assert!(b.path().await.starts_with(&show));
    assert_eq!(app.conn().status(id), SheetStatus::Submitted);
    b.check_page("show-submitted-staff").await;
    b.logout().await;

    // HQ returns it with a reason.
    b.login(HQ, &app.password(HQ)).await;
    b.check_page("home-hq").await;
    b.click(&show_link).await;
    b.check_page("show-submitted-hq").await;
    b.type_into("#reason-return", "上半期実績の根拠を追記してください。")
        .await;
    let ret = b.button("main", "差し戻し").await;
    b.click_and_wait(ret).await;
    assert_eq!(app.conn().status(id), SheetStatus::Returned);
    b.logout().await;

    // The department reads the reason, fixes and resubmits.
    b.login(STAFF, &app.password(STAFF)).await;
    b.click(&edit_link).await;
    assert!(b
        .text()
        .await
        .contains("上半期実績の根拠を追記してください。"));
    b.check_page("edit-returned").await;
    b.type_into(
        "#f-h2_plan",
        "引き続き取り組む。実績は庶務事務システムの集計による。",
    )
    .await;
    b.tick("#f-confirm").await;
    let submit = b.button("form.sheet-form", "提出").await;
    b.click_and_wait(submit).await;
    assert_eq!(app.conn().status(id), SheetStatus::Submitted);
    b.logout().await;

    // HQ confirms the 上半期 round and opens the 年度末 round.
    b.login(HQ, &app.password(HQ)).await;
    b.click(&show_link).await;
    let confirm = b.button("main", "確認").await;
    b.click_and_wait(confirm).await;
    assert_eq!(app.conn().status(id), SheetStatus::Confirmed);
    b.check_page("show-confirmed-hq").await;
    b.click("header a[href='/rounds']").await;
    b.check_page("rounds").await;
    let year_end = "form:has(input[name=kind][value=year_end]):has(input[name=year][value='2025'])";
    b.type_into(&format!("{year_end} input[name=deadline]"), &typed_date(30))
        .await;
    let open = b.button(year_end, "開始").await;
    b.click_and_wait(open).await;
    assert!(b.text().await.contains("年度末"), "{}", b.text().await);
    b.logout().await;

    // 年度末: the department writes the year-end fields and submits.
    b.login(STAFF, &app.password(STAFF)).await;
    b.click(&edit_link).await;
    b.check_page("edit-year-end").await;
    for (field, text) in [
        ("h2_actions", "パソコンシャットダウンを実施した。"),
        ("effects", "月平均11.5時間となった。"),
        ("issues", "●年度末の長時間労働。"),
        ("dept_reason", "(理由) 効果が出ているため。"),
        ("next_year", "ノー残業デー+1を徹底する。"),
        ("i0_current", "月11.5時間"),
        ("i0_full_year", "月11.6時間"),
    ] {
        b.type_into(&format!("#f-{field}"), text).await;
    }
    b.choose("#f-dept_evaluation", "継続推進").await;
    b.tick("#f-confirm").await;
    let submit = b.button("form.sheet-form", "提出").await;
    b.click_and_wait(submit).await;
    assert_eq!(app.conn().status(id), SheetStatus::Submitted);
    assert_eq!(app.conn().text(id, "effects"), "月平均11.5時間となった。");
    b.logout().await;

    // HQ evaluates and finalizes.
    b.login(HQ, &app.password(HQ)).await;
    b.click(&show_link).await;
    b.check_page("show-year-end-hq").await;
    b.choose("#hq-hq_evaluation", "継続推進").await;
    b.type_into("#hq-hq_comment", "着実に成果が出ている。")
        .await;
    let evaluate = b.button("main", "評価").await;
    b.click_and_wait(evaluate).await;
    assert_eq!(app.conn().status(id), SheetStatus::Evaluated);
    b.tick("form:has(input[name=op][value=finalize]) input[name=confirm]")
        .await;
    let finalize = b.button("main", "確定").await;
    b.click_and_wait(finalize).await;
    assert_eq!(app.conn().status(id), SheetStatus::Final);
    b.check_page("show-final-hq").await;

    // The print view and the history.
    b.click(&format!("a[href='/sheets/{id}/print']")).await;
    let print = b.text().await;
    for typed in [
        "月平均11.5時間となった。",
        "月11.6時間",
        "着実に成果が出ている。",
    ] {
        assert!(print.contains(typed), "print lacks {typed}: {print}");
    }
    b.check_page("print").await;
    b.goto(&show).await;
    b.click(&format!("a[href='/sheets/{id}/history']")).await;
    let history = b.text().await;
    for step in [
        "差し戻し",
        "確認",
        "評価",
        "確定",
        "上半期実績の根拠を追記してください。",
    ] {
        assert!(history.contains(step), "history lacks {step}: {history}");
    }
    b.check_page("history").await;
    b.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn enter_keeps_values_and_an_added_row_has_the_focus() {
    let app = TestApp::spawn().await;
    let Some(mut b) = Browser::start(app.address()).await else {
        return;
    };
    let id = app.sheet_id(2025, 1, 1);
    let edit = format!("/sheets/{id}/edit");
    b.login(STAFF, &app.password(STAFF)).await;
    b.goto(&edit).await;
    let names = [b.value("#f-i0_name").await, b.value("#f-i1_name").await];

    // Every kind of one-line field in the 上半期 round, in the second row
    // too: Enter saves (一時保存), never moves or deletes a row.
    for (field, typed) in [
        ("i0_baseline", "月12.0時間"),
        ("i1_first_half", "3件"),
        ("i1_target", "100%以上"),
    ] {
        let css = format!("#f-{field}");
        b.type_into(&css, typed).await;
        b.press_enter(&css).await;
        assert!(b.path().await.starts_with(&edit), "{}", b.path().await);
        assert!(b.text().await.contains("一時保存しました。"), "{field}");
        assert_eq!(b.value(&css).await, typed, "{field} after Enter");
        b.goto(&edit).await;
        assert_eq!(b.value(&css).await, typed, "{field} stored");
        assert_eq!(
            [b.value("#f-i0_name").await, b.value("#f-i1_name").await],
            names,
            "rows kept their order"
        );
    }

    // A row added comes back with the cursor in it.
    let add = b.button("form.sheet-form", "目標の行を追加").await;
    b.click_and_wait(add).await;
    assert_eq!(b.focused_row().await, "row-indicator-2");
    let add = b.button("form.sheet-form", "取組項目の行を追加").await;
    b.click_and_wait(add).await;
    assert_eq!(b.focused_row().await, "row-action-3");
    let save = b.button("form.sheet-form", "一時保存").await;
    b.click_and_wait(save).await;
    b.check_page("edit-added-rows").await;
    b.logout().await;

    // The 年度末 fields (現況値, 通年実績) and HQ's search box.
    b.login(HQ, &app.password(HQ)).await;
    b.click("header a[href='/rounds']").await;
    let year_end = "form:has(input[name=kind][value=year_end]):has(input[name=year][value='2025'])";
    b.type_into(&format!("{year_end} input[name=deadline]"), &typed_date(30))
        .await;
    let open = b.button(year_end, "開始").await;
    b.click_and_wait(open).await;
    b.goto("/").await;
    let search = "main #q";
    b.type_into(search, "超過勤務").await;
    b.press_enter(search).await;
    assert_eq!(b.value(search).await, "超過勤務");
    assert!(b.text().await.contains("超過勤務時間の縮減"));
    b.logout().await;

    b.login(STAFF, &app.password(STAFF)).await;
    b.goto(&edit).await;
    for (field, typed) in [("i1_current", "5件"), ("i0_full_year", "月11.6時間")] {
        let css = format!("#f-{field}");
        b.type_into(&css, typed).await;
        b.press_enter(&css).await;
        assert!(b.text().await.contains("一時保存しました。"), "{field}");
        assert_eq!(b.value(&css).await, typed, "{field} after Enter");
        b.goto(&edit).await;
        assert_eq!(b.value(&css).await, typed, "{field} stored");
    }
    b.finish().await;
}

/// Opens `path`, ticks nothing, and presses the button labelled `label` in
/// the form posting to `action`.
async fn press(b: &Browser, action: &str, label: &str) {
    let button = b.button(&format!("form[action='{action}']"), label).await;
    b.click_and_wait(button).await;
}

/// The administrator adds an account in the browser; returns the one-time
/// password the page shows once.
async fn add_account(b: &Browser, login: &str, name: &str, role: &str, dept: &str) -> String {
    b.goto("/admin/users/new").await;
    b.type_into("#login", login).await;
    b.type_into("#name", name).await;
    b.choose("#role", role).await;
    b.choose("#department", dept).await;
    press(b, "/admin/users/new", "追加して一時パスワードを発行").await;
    b.find("#one-time-password")
        .await
        .text()
        .await
        .expect("one-time password")
}

/// Logs in with a one-time password and chooses a new one, as the app asks.
async fn first_login(b: &Browser, login: &str, one_time: &str, new: &str) {
    b.login(login, one_time).await;
    assert!(b.path().await.starts_with("/account/password"));
    b.type_into("#new", new).await;
    b.type_into("#again", new).await;
    press(b, "/account/password", "変更する").await;
    let path = b.path().await;
    assert!(!path.starts_with("/account/password"), "{path}");
}

/// The first-run path of a new city, clicked through in one browser session:
/// setup page, departments, HQ account, plan, first year, a staff account
/// with a one-time password, its sheet submitted and confirmed.
#[tokio::test(flavor = "multi_thread")]
async fn a_city_starts_in_chromium() {
    let app = TestApp::init().on(TestDb::empty()).spawn().await;
    let setup = app.setup_path().expect("a setup address");
    let Some(b) = Browser::start(app.address()).await else {
        return;
    };

    b.goto(&setup).await;
    b.type_into("#login", "kanri").await;
    b.type_into("#name", "管理 太郎").await;
    b.type_into("#password", "kanri-no-password").await;
    b.type_into("#again", "kanri-no-password").await;
    press(&b, "/setup", "管理者を作成する").await;
    assert!(b.path().await.starts_with("/admin/departments"));
    for name in ["企画課", "財政課", "情報政策課"] {
        b.type_into("#new-name", name).await;
        press(&b, "/admin/departments/add", "追加").await;
    }
    let hq_once = add_account(&b, "honbu", "本部 花子", "推進本部事務局", "なし").await;
    b.logout().await;

    first_login(&b, "honbu", &hq_once, "honbu-new-password").await;
    b.goto("/plan").await;
    b.type_into("#plan-name", "第1次行政改革推進プラン").await;
    b.choose("#first-year", "令和7年度").await;
    b.choose("#last-year", "令和9年度").await;
    press(&b, "/plan/new", "プランを作成").await;
    for (number, title) in [("1", "働き方改革の推進"), ("2", "デジタル化の推進")] {
        b.type_into("form[action='/plan/areas/add'] input[name=number]", number)
            .await;
        b.type_into("form[action='/plan/areas/add'] input[name=title]", title)
            .await;
        press(&b, "/plan/areas/add", "追加").await;
    }
    let dept = |name: &str| app.conn().department_id(name);
    let (zaisei, joho) = (dept("財政課"), dept("情報政策課"));
    for (area, number, name, owner, related) in [
        (
            "(1) 働き方改革の推進",
            "1",
            "時間外勤務の縮減",
            "企画課",
            vec![zaisei, joho],
        ),
        (
            "(2) デジタル化の推進",
            "1",
            "行政手続のオンライン化",
            "情報政策課",
            vec![],
        ),
    ] {
        b.click("a[href='/plan/initiatives/new']").await;
        b.choose("#area_id", area).await;
        b.type_into("#number", number).await;
        b.type_into("#name", name).await;
        b.choose("#department_id", owner).await;
        for r in related {
            b.tick(&format!("input[name=related][value='{r}']")).await;
        }
        press(&b, "/plan/initiatives/new", "追加").await;
        assert_eq!(b.path().await, "/plan");
    }
    assert!(b.text().await.contains("財政課、情報政策課"));
    b.click("a[href='/plan/years/2025']").await;
    assert_eq!(b.text().await.matches("新しく作成（白紙）").count(), 2);
    b.tick("form[action='/plan/years/2025/open'] input[name=confirm]")
        .await;
    press(&b, "/plan/years/2025/open", "評価票を作成").await;
    assert_eq!(app.conn().sheet_ids(2025).len(), 2);
    b.goto("/rounds").await;
    let first_half = "form:has(input[name=kind][value=h1]):has(input[name=year][value='2025'])";
    b.type_into(
        &format!("{first_half} input[name=deadline]"),
        &typed_date(30),
    )
    .await;
    let open = b.button(first_half, "開始").await;
    b.click_and_wait(open).await;
    b.logout().await;

    b.login("kanri", "kanri-no-password").await;
    let once = add_account(&b, "kikaku1", "企画 一郎", "所管課", "企画課").await;
    b.logout().await;

    first_login(&b, "kikaku1", &once, "kikaku-new-password").await;
    let home = b.text().await;
    assert!(home.contains("時間外勤務の縮減"), "{home}");
    assert!(!home.contains("行政手続のオンライン化"), "{home}");
    let id = app.sheet_id(2025, 1, 1);
    b.click(&format!("a[href='/sheets/{id}/edit']")).await;
    b.type_into("#f-content", "ノー残業デーを徹底する。").await;
    b.type_into("#f-h1_actions", "毎週水曜日に一斉消灯を実施した。")
        .await;
    b.choose("#f-h1_progress", "順調").await;
    b.type_into("#f-h2_plan", "引き続き取り組む。").await;
    b.tick("#f-confirm").await;
    let submit = b.button("form.sheet-form", "提出").await;
    b.click_and_wait(submit).await;
    assert_eq!(app.conn().status(id), SheetStatus::Submitted);
    b.logout().await;

    b.login("honbu", "honbu-new-password").await;
    b.goto(&format!("/sheets/{id}")).await;
    let confirm = b.button("main", "確認").await;
    b.click_and_wait(confirm).await;
    assert_eq!(app.conn().status(id), SheetStatus::Confirmed);
    b.finish().await;
}
