//! メール送信 for administrators: whether mail is on, what waits, what failed
//! and why; 再送 makes a mail due again at once.

use actix_web::{web, HttpResponse};
use askama::Template;

use super::csrf::CsrfForm;
use super::error::page;
use super::{run_use_case, see_other, AppError, CurrentUser, Nav};
use crate::app;
use crate::config::Config;
use crate::db::DbPool;
use crate::domain::fiscal_year::wareki_datetime;
use crate::domain::ids::OutboxId;
use crate::domain::notice::OutboxStatus;
use crate::domain::permission::{authorize, Action};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/mail", web::get().to(show))
        .route("/admin/mail/{id}/retry", web::post().to(retry));
}

struct Row {
    id: OutboxId,
    recipient: String,
    subject: String,
    status: &'static str,
    failed: bool,
    can_retry: bool,
    attempts: i32,
    next: String,
    error: String,
    created: String,
    sent: String,
}

#[derive(Template)]
#[template(path = "admin/mail.html")]
struct MailPage {
    nav: Option<Nav>,
    csrf: String,
    /// The SMTP server without its password, or None when mail is off.
    server: Option<String>,
    counts: Vec<(&'static str, i64)>,
    rows: Vec<Row>,
}

async fn show(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    config: web::Data<Config>,
) -> Result<HttpResponse, AppError> {
    authorize(&user.actor, Action::ManageOutbox, None)?;
    let actor = user.actor.clone();
    let app::mail::Overview { mails, counts } =
        run_use_case(&pool, move |conn| app::mail::overview(conn, &actor)).await?;
    let rows = mails
        .into_iter()
        .map(|m| Row {
            id: m.id,
            recipient: m.recipient,
            subject: m.subject,
            // A mail that failed and waits for its next try says so.
            status: if m.status == OutboxStatus::Pending && m.attempts > 0 {
                "再送待ち"
            } else {
                m.status.label()
            },
            failed: m.status == OutboxStatus::Failed
                || (m.status == OutboxStatus::Pending && m.attempts > 0),
            can_retry: matches!(m.status, OutboxStatus::Failed | OutboxStatus::Pending)
                && m.attempts > 0,
            attempts: m.attempts,
            next: if m.status == OutboxStatus::Pending && m.attempts > 0 {
                wareki_datetime(m.next_attempt_at)
            } else {
                String::new()
            },
            error: m.last_error,
            created: wareki_datetime(m.created_at),
            sent: m.sent_at.map(wareki_datetime).unwrap_or_default(),
        })
        .collect();
    page(&MailPage {
        nav: Nav::of(&user),
        csrf: user.csrf.clone(),
        server: config
            .mail
            .as_ref()
            .map(|m| crate::mail::redact(&m.smtp_url)),
        counts: counts.into_iter().map(|(s, n)| (s.label(), n)).collect(),
        rows,
    })
}

async fn retry(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    config: web::Data<Config>,
    path: web::Path<OutboxId>,
    _posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor.clone();
    let (id, now) = (path.into_inner(), config.clock.now());
    run_use_case(&pool, move |conn| app::mail::retry(conn, &actor, id, now)).await?;
    Ok(see_other("/admin/mail"))
}
