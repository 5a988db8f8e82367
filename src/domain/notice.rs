//! Who is told what: the notifications a workflow step, a comment, a round or
//! a deadline causes, the reminder schedule, and the outbox's retry rules.
//! No HTTP, no SQL.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::coded::coded_enum;
use super::fiscal_year::{era_name, wareki_date, FiscalYear};
use super::permission::Role;
use super::workflow::Event;

/// Which side of a sheet hears of something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// 推進本部事務局: every active HQ account.
    Hq,
    /// The sheet's 所管課: its active staff accounts.
    Department,
}

impl Audience {
    /// The other side of a sheet from someone with `role` (for comments).
    pub fn other_side(role: Role) -> Self {
        match role {
            Role::Staff => Audience::Hq,
            Role::Hq | Role::Admin => Audience::Department,
        }
    }
}

/// Who hears of a workflow step: the department's steps go to HQ, HQ's to the
/// department; a draft save tells nobody.
pub fn step_audience(event: Event) -> Option<Audience> {
    match event {
        Event::Save => None,
        Event::Submit | Event::Withdraw => Some(Audience::Hq),
        Event::Return | Event::Confirm | Event::Evaluate | Event::Finalize | Event::Reopen => {
            Some(Audience::Department)
        }
    }
}

/// What one notification says: a short line for the お知らせ list and the mail
/// subject, and the mail's body (the link is added by the sender).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub message: String,
    pub body: String,
}

/// How a sheet is named in a notice: 「令和7年度 1-1 職員の…」.
pub fn sheet_title(year: FiscalYear, area: i32, number: i32, name: &str) -> String {
    format!("{} {area}-{number} {name}", era_name(year))
}

pub fn step_notice(event: Event, title: &str, actor: &str, reason: &str) -> Notice {
    let message = format!("「{title}」が{}されました", event.label());
    let mut body = format!(
        "{actor}さんが評価票「{title}」を{}しました。",
        event.label()
    );
    if !reason.trim().is_empty() {
        body.push_str(&format!("\n\n理由:\n{reason}"));
    }
    Notice { message, body }
}

pub fn comment_notice(title: &str, author: &str, place: &str, text: &str, reply: bool) -> Notice {
    let what = if reply { "返信" } else { "コメント" };
    Notice {
        message: format!("「{title}」に{what}があります"),
        body: format!("{author}さんが評価票「{title}」（{place}）に{what}しました。\n\n{text}"),
    }
}

pub fn round_notice(year: FiscalYear, round: &str, deadline: Option<NaiveDate>) -> Notice {
    let deadline = deadline.map_or("なし".to_string(), wareki_date);
    Notice {
        message: format!("{}{round}の受付が始まりました（締切 {deadline}）", era_name(year)),
        body: format!(
            "{}{round}の評価票の受付が始まりました。\n締切: {deadline}\n\n評価票を記入して提出してください。",
            era_name(year)
        ),
    }
}

/// A day before the deadline on which reminders go out, or the first day after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    DaysBefore(u32),
    Overdue,
}

impl Reminder {
    /// The key that, with the sheet and the round, makes it unique.
    pub fn key(self) -> String {
        match self {
            Reminder::DaysBefore(d) => format!("before-{d}"),
            Reminder::Overdue => "overdue".into(),
        }
    }

    pub fn notice(self, title: &str, deadline: NaiveDate) -> Notice {
        let deadline = wareki_date(deadline);
        let message = match self {
            Reminder::DaysBefore(d) => {
                format!("「{title}」の提出期限（{deadline}）まであと{d}日です")
            }
            Reminder::Overdue => format!("「{title}」の提出期限（{deadline}）を過ぎています"),
        };
        let body = format!("{message}。\nまだ提出されていません。記入して提出してください。");
        Notice { message, body }
    }
}

/// The reminder due on `today` for a round whose deadline is `deadline`, with
/// reminders `days` before it: the nearest reminder day already reached (so a
/// server that was down that day still sends it later, but only the newest
/// one), or 期限超過 from the day after the deadline.
pub fn reminder_due(deadline: NaiveDate, days: &[u32], today: NaiveDate) -> Option<Reminder> {
    if today > deadline {
        return Some(Reminder::Overdue);
    }
    let left = (deadline - today).num_days();
    days.iter()
        .copied()
        .filter(|d| i64::from(*d) >= left)
        .min()
        .map(Reminder::DaysBefore)
}

/// The most reminder days a round may have, and the furthest before the deadline.
pub const REMINDER_DAYS_MAX: usize = 5;
pub const REMINDER_DAY_LIMIT: u32 = 60;
pub const DEFAULT_REMINDER_DAYS: &str = "3,1";

/// Reads 「3,1」 (also 「3、1」 or spaces) into days, largest first; the error
/// says what to fix.
pub fn parse_reminder_days(text: &str) -> Result<Vec<u32>, String> {
    let mut days = Vec::new();
    for part in text
        .split([',', '、', '，', ' ', '　'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let day: u32 = part
            .parse()
            .ok()
            .filter(|d| (1..=REMINDER_DAY_LIMIT).contains(d))
            .ok_or_else(|| {
                format!("通知する日は1〜{REMINDER_DAY_LIMIT}の数字をカンマで区切って入力してください（例: 3,1）")
            })?;
        if !days.contains(&day) {
            days.push(day);
        }
    }
    if days.len() > REMINDER_DAYS_MAX {
        return Err(format!(
            "通知する日は{REMINDER_DAYS_MAX}つまでにしてください"
        ));
    }
    days.sort_unstable_by(|a, b| b.cmp(a));
    Ok(days)
}

/// Days as stored and shown: 「3,1」.
pub fn format_reminder_days(days: &[u32]) -> String {
    days.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

coded_enum! {
    /// Where a mail in the outbox stands.
    pub enum OutboxStatus {
        /// Waiting for its (next) attempt.
        Pending = ("pending", "送信待ち"),
        /// Claimed by a sender right now.
        Sending = ("sending", "送信中"),
        Sent = ("sent", "送信済み"),
        /// Given up after [`MAX_ATTEMPTS`]; an administrator may send it again.
        Failed = ("failed", "送信失敗"),
    }
}

/// Attempts before a mail is marked failed (about a day of retries).
pub const MAX_ATTEMPTS: i32 = 8;

/// How long a sender may hold a claim before another may take the mail over
/// (a sender that died mid-send).
pub fn claim_lease() -> Duration {
    Duration::minutes(5)
}

/// When to try again after `attempts` failed attempts: 1, 2, 4 … minutes,
/// at most 4 hours apart.
pub fn retry_at(now: NaiveDateTime, attempts: i32) -> NaiveDateTime {
    let minutes = 1i64 << attempts.clamp(0, 8);
    now + Duration::minutes(minutes.min(240))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_nearest_reminder_day_reached_is_due() {
        let deadline = d(2025, 10, 10);
        let days = [3, 1];
        assert_eq!(reminder_due(deadline, &days, d(2025, 10, 6)), None);
        let three = Some(Reminder::DaysBefore(3));
        assert_eq!(reminder_due(deadline, &days, d(2025, 10, 7)), three);
        assert_eq!(reminder_due(deadline, &days, d(2025, 10, 8)), three);
        let one = Some(Reminder::DaysBefore(1));
        assert_eq!(reminder_due(deadline, &days, d(2025, 10, 9)), one);
        assert_eq!(reminder_due(deadline, &days, d(2025, 10, 10)), one);
        let over = Some(Reminder::Overdue);
        assert_eq!(reminder_due(deadline, &days, d(2025, 10, 11)), over);
        assert_eq!(reminder_due(deadline, &[], d(2025, 10, 9)), None);
    }

    #[test]
    fn reminder_days_are_read_checked_and_sorted() {
        assert_eq!(parse_reminder_days("1, 3"), Ok(vec![3, 1]));
        assert_eq!(parse_reminder_days("7、3、3"), Ok(vec![7, 3]));
        assert_eq!(parse_reminder_days(""), Ok(vec![]));
        assert!(parse_reminder_days("0").is_err());
        assert!(parse_reminder_days("abc").is_err());
        assert!(parse_reminder_days("1,2,3,4,5,6").is_err());
        assert_eq!(format_reminder_days(&[3, 1]), "3,1");
    }

    #[test]
    fn retries_back_off_up_to_four_hours() {
        let now = d(2025, 4, 1).and_hms_opt(9, 0, 0).unwrap();
        assert_eq!(retry_at(now, 1) - now, Duration::minutes(2));
        assert_eq!(retry_at(now, 20) - now, Duration::minutes(240));
        assert_eq!(
            step_audience(Event::Submit),
            Some(Audience::Hq),
            "the department's steps go to HQ"
        );
        assert_eq!(step_audience(Event::Save), None);
    }
}
