//! The administrators' side of the outbox.

use chrono::NaiveDateTime;

use super::{record, UseCaseError};
use crate::db::outbox::OutboxMail;
use crate::db::{self, DbConnection};
use crate::domain::audit::AuditAction;
use crate::domain::ids::OutboxId;
use crate::domain::notice::OutboxStatus;
use crate::domain::permission::{authorize, Action, Actor, Denial};

/// The newest mails, and how many are in each state.
pub type Overview = (Vec<OutboxMail>, Vec<(OutboxStatus, i64)>);

/// The newest mails and the count per state.
pub fn overview(conn: &mut DbConnection, actor: &Actor) -> Result<Overview, UseCaseError> {
    authorize(actor, Action::ManageOutbox, None)?;
    Ok((db::outbox::newest(conn, 200)?, db::outbox::counts(conn)?))
}

/// 再送: a mail that failed is due again at once.
pub fn retry(
    conn: &mut DbConnection,
    actor: &Actor,
    id: OutboxId,
    now: NaiveDateTime,
) -> Result<(), UseCaseError> {
    authorize(actor, Action::ManageOutbox, None)?;
    db::write_tx(conn, |conn| {
        if !db::outbox::retry_now(conn, id, now)? {
            return Err(Denial::NotFound.into());
        }
        record(
            conn,
            actor,
            AuditAction::MailRetry,
            format!("メール {id} を再送"),
        )?;
        Ok(())
    })
}
