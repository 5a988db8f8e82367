//! Mail over SMTP (lettre) and the background task that empties the outbox
//! and sends the reminders. Sending never happens inside a user's action:
//! the action writes the outbox row, this task delivers it.

use std::time::Duration;

use chrono::{NaiveDateTime, Timelike};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{Message, SmtpTransport, Transport};

use crate::config::Config;
use crate::db::outbox::OutboxMail;
use crate::db::{self, DbConnection, DbError, DbPool};

/// Where and how mail goes (`HYOKA_SMTP_URL`, `HYOKA_MAIL_FROM`, `HYOKA_PUBLIC_URL`).
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://host:25`, `smtps://user:pass@host:465`, `smtp://host:587?tls=required`.
    pub smtp_url: String,
    pub from: String,
    /// Put in front of each link (`http://hyoka.example.lg.jp`).
    pub public_url: String,
}

/// A ready SMTP transport with the sender's address.
#[derive(Clone)]
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
    public_url: String,
}

impl Mailer {
    /// Checks the settings; the error says which one is wrong.
    pub fn new(settings: &MailSettings) -> Result<Self, String> {
        let transport = SmtpTransport::from_url(&settings.smtp_url)
            .map_err(|e| {
                format!(
                    "HYOKA_SMTP_URL「{}」が正しくありません: {e}",
                    redact(&settings.smtp_url)
                )
            })?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = settings.from.parse().map_err(|e| {
            format!(
                "HYOKA_MAIL_FROM「{}」が正しくありません: {e}",
                settings.from
            )
        })?;
        Ok(Self {
            transport,
            from,
            public_url: settings.public_url.trim_end_matches('/').to_string(),
        })
    }

    /// The mail as sent: Japanese subject, plain text body in base64 (UTF-8
    /// survives any relay), the link to the sheet at the end.
    fn message(&self, mail: &OutboxMail) -> Result<Message, String> {
        let to: Mailbox = mail
            .recipient
            .parse()
            .map_err(|e| format!("宛先「{}」が正しくありません: {e}", mail.recipient))?;
        let text = format!(
            "{}\n\n{}{}\n\n-- \n行政改革推進プラン 取組事業点検・評価票システム（hyoka）からの自動送信です。\nメールが不要な方は、hyoka の「アカウント」で受け取らない設定にできます。\n",
            mail.body, self.public_url, mail.link
        );
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(
                Body::new_with_encoding(text, ContentTransferEncoding::Base64)
                    .map_err(|_| "本文を作れません".to_string())?,
            )
            .map_err(|e| e.to_string())
    }

    pub fn send(&self, mail: &OutboxMail) -> Result<(), String> {
        let message = self.message(mail)?;
        self.transport
            .send(&message)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// Sends every mail due at `now` that this sender (`claim`) can take;
/// returns how many went out.
pub fn deliver_due(
    conn: &mut DbConnection,
    mailer: &Mailer,
    claim: &str,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let mut sent = 0;
    for id in db::outbox::due(conn, now, 50)? {
        let Some(mail) = db::outbox::claim(conn, id, claim, now)? else {
            continue;
        };
        match mailer.send(&mail) {
            Ok(()) => {
                db::outbox::mark_sent(conn, mail.id, claim, now)?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(mail = %mail.id, %error, "メールを送信できませんでした");
                db::outbox::mark_failed(conn, &mail, claim, &error, now)?;
            }
        }
    }
    Ok(sent)
}

/// One round of background work: reminders once the configured hour has
/// come, then the outbox.
fn tick(
    pool: &DbPool,
    config: &Config,
    mailer: Option<&Mailer>,
    claim: &str,
) -> Result<(), String> {
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let now = config.clock.now();
    if now.hour() >= config.reminder_hour {
        crate::app::remind::run(&mut conn, now).map_err(|e| e.to_string())?;
    }
    if let Some(mailer) = mailer {
        deliver_due(&mut conn, mailer, claim, now).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Runs forever beside the web server: every `config.background_interval`.
pub async fn background(pool: DbPool, config: Config, mailer: Option<Mailer>) {
    use rand::distributions::{Alphanumeric, DistString};
    // This server's claim on the mails it sends (another server has its own).
    let claim = Alphanumeric.sample_string(&mut rand::thread_rng(), 24);
    loop {
        tokio::time::sleep(config.background_interval).await;
        let (pool, config, mailer, claim) =
            (pool.clone(), config.clone(), mailer.clone(), claim.clone());
        let done = actix_web::rt::task::spawn_blocking(move || {
            tick(&pool, &config, mailer.as_ref(), &claim)
        })
        .await;
        match done {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "通知の送信処理に失敗しました"),
            Err(e) => tracing::warn!(error = %e, "通知の送信処理が止まりました"),
        }
    }
}
