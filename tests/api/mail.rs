//! Notifications by mail over real SMTP: the app's background sender talks
//! to a small SMTP server on a loopback port (`support::smtp`). Each step of
//! the workflow and each comment reaches the other side; a mail server that
//! is down fails nothing the user does, the outbox shows it, and the mail
//! goes out once the server is back. Reminders follow a moved clock; two
//! servers on one database send each mail once.

use std::time::Duration;

use chrono::Duration as Days;
use hyoka::domain::permission::Role;
use hyoka::domain::workflow::SheetStatus;
use hyoka::mail::MailSettings;
use hyoka::Config;

use crate::support::smtp::{Mail, SmtpSink};
use crate::support::{assert_redirect, location, text_of, Probe, TestApp, TestClock};

const PUBLIC: &str = "http://hyoka.example.lg.jp";
const STAFF_MAIL: &str = "shokuin@example.lg.jp";
const HQ_MAIL: &str = "honbu@example.lg.jp";
const OTHER_MAIL: &str = "dx@example.lg.jp";
/// What 提出 needs in the 上半期 round.
const FILLED: [(&str, &str); 4] = [
    ("h1_actions", "事前申請の徹底を周知した。"),
    ("i0_first_half", "月11.9時間"),
    ("h1_progress", "順調"),
    ("h2_plan", "引き続き取り組む。"),
];

/// Mail on, through `sink`, looked at every 50 ms.
fn mail_to(sink: &SmtpSink) -> impl FnOnce(&mut Config) + 'static {
    let url = sink.url();
    move |c: &mut Config| {
        c.mail = Some(MailSettings {
            smtp_url: url,
            from: "hyoka@example.lg.jp".into(),
            public_url: PUBLIC.into(),
        });
        c.background_interval = Duration::from_millis(50);
        c.reminder_hour = 0;
    }
}

fn give_addresses(app: &TestApp) {
    let mut conn = app.conn();
    conn.set_email("shokuin", Some(STAFF_MAIL));
    conn.set_email("honbu", Some(HQ_MAIL));
    conn.set_email("dx", Some(OTHER_MAIL));
}

fn to<'a>(mails: &'a [Mail], address: &str) -> Vec<&'a Mail> {
    mails.iter().filter(|m| m.is_to(address)).collect()
}

/// Waits for the `n`th mail to `address` and returns it.
async fn nth_to(sink: &SmtpSink, address: &str, n: usize) -> Mail {
    let mails = sink.wait_until(|m| to(m, address).len() >= n).await;
    let mine = to(&mails, address);
    assert!(
        mine.len() >= n,
        "mail {n} to {address} never came; got {:?}",
        mails
            .iter()
            .map(|m| (&m.to, m.subject()))
            .collect::<Vec<_>>()
    );
    mine[n - 1].clone()
}

fn assert_mail(mail: &Mail, subject_part: &str, id: i32) {
    let subject = mail.subject();
    assert!(subject.contains(subject_part), "subject: {subject}");
    let body = mail.body();
    let link = format!("{PUBLIC}/sheets/{id}");
    assert!(body.contains(&link), "no link {link} in: {body}");
}

#[tokio::test]
async fn each_step_and_comment_reaches_the_other_side_by_mail() {
    let sink = SmtpSink::start();
    let app = TestApp::init().configure(mail_to(&sink)).spawn().await;
    give_addresses(&app);
    let staff = app.staff_of("職員課").await;
    let hq = app.login_as(Role::Hq).await;
    let id = app.sheet_id(2025, 1, 1);

    let resp = staff.fill_and_submit(id, &FILLED).await;
    assert_eq!(resp.status().as_u16(), 303);
    let mail = nth_to(&sink, HQ_MAIL, 1).await;
    assert_mail(&mail, "提出されました", id);
    assert_eq!(mail.from, "hyoka@example.lg.jp");

    hq.return_sheet(id, "根拠となる数値を追記してください。")
        .await;
    let mail = nth_to(&sink, STAFF_MAIL, 1).await;
    assert_mail(&mail, "差し戻しされました", id);
    assert!(mail.body().contains("根拠となる数値を追記してください。"));

    // HQ asks on 下半期への取組; the department answers.
    let resp = hq.comment(id, "h2_plan", "下半期の計画を具体的に。").await;
    assert_eq!(resp.status().as_u16(), 303);
    let mail = nth_to(&sink, STAFF_MAIL, 2).await;
    assert_mail(&mail, "コメントがあります", id);
    assert!(mail.body().contains("下半期の計画を具体的に。"));
    let comment: i32 = location(&resp)
        .rsplit_once("#comment-")
        .and_then(|(_, c)| c.parse().ok())
        .expect("comment anchor");
    let resp = staff.reply(id, comment, "10月に説明会を開きます。").await;
    assert_eq!(resp.status().as_u16(), 303);
    let mail = nth_to(&sink, HQ_MAIL, 2).await;
    assert_mail(&mail, "返信があります", id);
    assert!(mail.body().contains("10月に説明会を開きます。"));

    staff.fill_and_submit(id, &FILLED).await;
    assert_mail(&nth_to(&sink, HQ_MAIL, 3).await, "提出されました", id);
    hq.confirm_sheet(id).await;
    assert_mail(&nth_to(&sink, STAFF_MAIL, 3).await, "確認されました", id);
    assert_eq!(app.conn().status(id), SheetStatus::Confirmed);

    // Another department hears nothing of it.
    assert!(to(&sink.mails(), OTHER_MAIL).is_empty());
    // The department sees its お知らせ, with the unread count in the header.
    let home = staff.page("/").await;
    assert!(home.contains("unread-count"), "{home}");
    let list = text_of(&staff.page("/notifications").await);
    assert!(list.contains("差し戻しされました"), "{list}");
    assert!(list.contains("確認されました"), "{list}");
}

#[tokio::test]
async fn a_mail_server_that_is_down_fails_nothing_and_the_mail_goes_later() {
    let mut sink = SmtpSink::start();
    sink.stop();
    let clock = TestClock::new();
    let app = TestApp::init()
        .clock(&clock)
        .configure(mail_to(&sink))
        .spawn()
        .await;
    give_addresses(&app);
    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);

    let resp = staff.fill_and_submit(id, &FILLED).await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(app.conn().status(id), SheetStatus::Submitted);

    // The sender tried, failed, and will try again; the administrator sees why.
    let mut tries = 0;
    while app
        .conn()
        .outbox()
        .iter()
        .all(|(_, _, attempts)| *attempts == 0)
    {
        tries += 1;
        assert!(tries < 600, "the sender never tried");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let outbox = app.conn().outbox();
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    assert_eq!(outbox[0].0, HQ_MAIL);
    assert_eq!(outbox[0].1, "pending");
    let admin = app.login_as(Role::Admin).await;
    let page = text_of(&admin.page("/admin/mail").await);
    assert!(
        page.contains(HQ_MAIL) && page.contains("再送待ち"),
        "{page}"
    );
    assert!(page.contains("今すぐ再送"), "{page}");

    // Back up; once the retry is due, the mail goes out, once.
    sink.restart();
    clock.advance(Days::minutes(3));
    let mail = nth_to(&sink, HQ_MAIL, 1).await;
    assert_mail(&mail, "提出されました", id);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.mails().len(), 1);
    assert_eq!(app.conn().outbox()[0].1, "sent");
    let page = text_of(&admin.page("/admin/mail").await);
    assert!(page.contains("送信済み"), "{page}");
}

#[tokio::test]
async fn turning_mail_off_keeps_the_notice_in_hyoka_only() {
    let sink = SmtpSink::start();
    let app = TestApp::init().configure(mail_to(&sink)).spawn().await;
    give_addresses(&app);
    let hq = app.login_as(Role::Hq).await;
    let token = hq.csrf("/account/password").await;
    let resp = hq
        .post_form(
            "/account/mail",
            &[("csrf_token", token.as_str()), ("mail_opt_out", "1")],
        )
        .await;
    assert_redirect(&resp, "/account/password?mail=off");
    let page = hq.page("/account/password").await;
    assert!(
        page.contains("name=\"mail_opt_out\" value=\"1\" checked"),
        "{page}"
    );

    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);
    staff.fill_and_submit(id, &FILLED).await;
    let list = text_of(&hq.page("/notifications").await);
    assert!(list.contains("提出されました"), "{list}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(app.conn().outbox().is_empty());
    assert!(sink.mails().is_empty());
}

/// The 2025 sheets of a department.
fn sheets_of(app: &TestApp, department: &str) -> Vec<i32> {
    app.conn()
        .sheets(2025)
        .into_iter()
        .filter(|s| s.context.department == department)
        .map(|s| s.id.0)
        .collect()
}

#[tokio::test]
async fn reminders_reach_unsubmitted_departments_once_on_each_day() {
    let sink = SmtpSink::start();
    let clock = TestClock::new();
    let app = TestApp::init()
        .clock(&clock)
        .configure(mail_to(&sink))
        .spawn()
        .await;
    give_addresses(&app);
    // 職員課 has submitted everything; DX推進課 nothing.
    let done = sheets_of(&app, "職員課");
    let waiting = sheets_of(&app, "DX推進課");
    assert!(!done.is_empty() && !waiting.is_empty());
    for id in &done {
        app.conn().force_status(*id, SheetStatus::Submitted);
    }
    let hq = app.login_as(Role::Hq).await;
    let deadline = (clock_now(&clock) + Days::days(5))
        .format("%Y-%m-%d")
        .to_string();
    let resp = hq.open_round(2025, "h1", &deadline).await;
    assert_redirect(&resp, "/rounds");
    // Opening told every department with a sheet.
    nth_to(&sink, OTHER_MAIL, 1).await;
    nth_to(&sink, STAFF_MAIL, 1).await;
    let about = |mails: &[Mail], address: &str, part: &str| {
        to(mails, address)
            .iter()
            .filter(|m| m.subject().contains(part))
            .count()
    };

    for (days, part) in [(2, "あと3日"), (2, "あと1日"), (2, "過ぎています")] {
        clock.advance(Days::days(days));
        let mails = sink
            .wait_until(|m| about(m, OTHER_MAIL, part) >= waiting.len())
            .await;
        assert_eq!(about(&mails, OTHER_MAIL, part), waiting.len(), "{part}");
        // A later tick on the same day sends nothing more.
        clock.advance(Days::hours(1));
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mails = sink.mails();
        assert_eq!(
            about(&mails, OTHER_MAIL, part),
            waiting.len(),
            "{part} twice"
        );
        assert_eq!(
            about(&mails, STAFF_MAIL, part),
            0,
            "{part} to a department that submitted"
        );
    }
    let list = text_of(&app.staff_of("DX推進課").await.page("/notifications").await);
    assert!(list.contains("過ぎています"), "{list}");
}

fn clock_now(clock: &TestClock) -> chrono::NaiveDateTime {
    use hyoka::clock::Clock;
    clock.now()
}

#[tokio::test]
async fn hyoka_remind_twice_in_a_day_sends_nothing_the_second_time() {
    use crate::support::cli::{hyoka_command, printed};
    let sink = SmtpSink::start();
    let app = TestApp::spawn().await;
    give_addresses(&app);
    let waiting = sheets_of(&app, "DX推進課");
    let hq = app.login_as(Role::Hq).await;
    let deadline = (hyoka::db::now() + Days::days(3))
        .format("%Y-%m-%d")
        .to_string();
    hq.open_round(2025, "h1", &deadline).await;
    let remind = || {
        let out = hyoka_command()
            .arg("remind")
            .env("DATABASE_URL", app.db().url())
            .env("HYOKA_SMTP_URL", sink.url())
            .env("HYOKA_MAIL_FROM", "hyoka@example.lg.jp")
            .env("HYOKA_PUBLIC_URL", PUBLIC)
            .output()
            .expect("hyoka remind runs");
        assert!(out.status.success(), "{}", printed(&out));
        printed(&out)
    };
    let first = remind();
    let reminded = to(&sink.mails(), OTHER_MAIL)
        .iter()
        .filter(|m| m.subject().contains("あと3日"))
        .count();
    assert_eq!(reminded, waiting.len(), "{first}");
    let before = sink.mails().len();
    let second = remind();
    assert!(second.contains("督促を 0 件"), "{second}");
    assert_eq!(sink.mails().len(), before, "{second}");
}

#[tokio::test]
async fn two_servers_on_one_database_send_each_mail_once() {
    let sink = SmtpSink::start();
    let app = TestApp::init().configure(mail_to(&sink)).spawn().await;
    // Every account gets an address, so a round opening makes many mails.
    let logins = [
        "shokuin", "dx", "jinzai", "zaisan", "kyodo", "renkei", "hosei", "zaisei",
    ];
    for login in logins {
        app.conn()
            .set_email(login, Some(&format!("{login}@example.lg.jp")));
    }
    let mut config = Config::new(app.db().url()).expect("config");
    config.bind = "127.0.0.1:0".into();
    mail_to(&sink)(&mut config);
    let second = hyoka::Application::build(config).await.expect("second app");
    tokio::spawn(second.run_until_stopped());

    let hq = app.login_as(Role::Hq).await;
    let deadline = (hyoka::db::now() + Days::days(30))
        .format("%Y-%m-%d")
        .to_string();
    for _ in 0..3 {
        hq.open_round(2025, "h1", &deadline).await;
    }
    let queued = app.conn().outbox().len();
    assert!(queued >= 12, "{queued}");
    let mails = sink.wait_for(queued).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.mails().len(), queued, "{mails:?}");
    assert!(app.conn().outbox().iter().all(|(_, s, _)| s == "sent"));
}

#[tokio::test]
async fn hq_sets_the_reminder_days_on_the_rounds_page() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let round: i32 = {
        let page = hq.page("/rounds").await;
        page.split("/rounds/")
            .filter_map(|s| s.split('/').next())
            .find_map(|s| s.parse().ok())
            .expect("an open round")
    };
    let path = format!("/rounds/{round}/reminders");
    let token = hq.csrf("/rounds").await;
    let resp = hq
        .post_form(
            &path,
            &[("csrf_token", token.as_str()), ("reminder_days", "2、7")],
        )
        .await;
    assert_redirect(&resp, "/rounds");
    assert!(hq.page("/rounds").await.contains("value=\"7,2\""));
    let resp = hq
        .post_form(
            &path,
            &[("csrf_token", token.as_str()), ("reminder_days", "7,x")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 422);
    let html = resp.text().await.unwrap();
    assert!(text_of(&html).contains("通知する日は1〜60の数字"), "{html}");
    assert!(html.contains("value=\"7,x\""), "what was typed stays");
    let staff = app.staff_of("職員課").await;
    let token = staff.csrf("/").await;
    let resp = staff
        .post_form(
            &path,
            &[("csrf_token", token.as_str()), ("reminder_days", "1")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 403);
}
