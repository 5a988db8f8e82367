//! The outbox as the background sender and the administrators see it. A
//! sender claims one mail at a time with a conditional UPDATE: only one of
//! two servers on one database can turn a due row into its own `sending`
//! row (PostgreSQL re-checks the condition after waiting for the other's row
//! lock; SQLite has one writer), so every mail is sent once.

use chrono::NaiveDateTime;
use diesel::dsl::{not, Eq};
use diesel::prelude::*;

use super::schema::outbox;
use super::{DbConnection, DbError};
use crate::domain::ids::OutboxId;
use crate::domain::notice::{claim_lease, retry_at, OutboxStatus, MAX_ATTEMPTS};

#[derive(Debug, Clone, Queryable)]
pub struct OutboxMail {
    pub id: OutboxId,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: String,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

type Columns = (
    outbox::id,
    outbox::recipient,
    outbox::subject,
    outbox::body,
    outbox::link,
    outbox::status,
    outbox::attempts,
    outbox::next_attempt_at,
    outbox::last_error,
    outbox::created_at,
    outbox::sent_at,
);

const COLUMNS: Columns = (
    outbox::id,
    outbox::recipient,
    outbox::subject,
    outbox::body,
    outbox::link,
    outbox::status,
    outbox::attempts,
    outbox::next_attempt_at,
    outbox::last_error,
    outbox::created_at,
    outbox::sent_at,
);

/// Mails a sender may take now: waiting and due (a new mail at once, a retry
/// at its time), or claimed by a sender whose lease ran out.
macro_rules! claimable {
    ($now:expr) => {
        outbox::status
            .eq(OutboxStatus::Pending)
            .and(outbox::attempts.eq(0).or(outbox::next_attempt_at.le($now)))
            .or(outbox::status
                .eq(OutboxStatus::Sending)
                .and(outbox::claimed_until.lt($now)))
    };
}

/// Up to `limit` mails that could be claimed now, oldest first.
pub fn due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<OutboxId>, DbError> {
    Ok(outbox::table
        .filter(claimable!(now))
        .order(outbox::id)
        .limit(limit)
        .select(outbox::id)
        .load(conn)?)
}

/// Takes one mail for this sender (`claim` is the sender's own token). None
/// when another sender took it first.
pub fn claim(
    conn: &mut DbConnection,
    id: OutboxId,
    claim: &str,
    now: NaiveDateTime,
) -> Result<Option<OutboxMail>, DbError> {
    let taken = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(claimable!(now)),
    )
    .set((
        outbox::status.eq(OutboxStatus::Sending),
        outbox::claim.eq(Some(claim)),
        outbox::claimed_until.eq(Some(now + claim_lease())),
    ))
    .execute(conn)?;
    if taken != 1 {
        return Ok(None);
    }
    Ok(outbox::table
        .find(id)
        .select(COLUMNS)
        .first(conn)
        .optional()?)
}

/// One mail, if this sender's claim still holds it.
type Mine<'a> = diesel::dsl::Filter<
    diesel::dsl::Filter<outbox::table, Eq<outbox::id, OutboxId>>,
    Eq<outbox::claim, &'a str>,
>;

fn mine(id: OutboxId, claim: &str) -> Mine<'_> {
    outbox::table
        .filter(outbox::id.eq(id))
        .filter(outbox::claim.eq(claim))
}

pub fn mark_sent(
    conn: &mut DbConnection,
    id: OutboxId,
    claim: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(mine(id, claim))
        .set((
            outbox::status.eq(OutboxStatus::Sent),
            outbox::sent_at.eq(Some(now)),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::last_error.eq(""),
            outbox::claim.eq(None::<String>),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt: try again later, or give up after `MAX_ATTEMPTS`.
pub fn mark_failed(
    conn: &mut DbConnection,
    mail: &OutboxMail,
    claim: &str,
    error: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let attempts = mail.attempts + 1;
    let status = if attempts >= MAX_ATTEMPTS {
        OutboxStatus::Failed
    } else {
        OutboxStatus::Pending
    };
    diesel::update(mine(mail.id, claim))
        .set((
            outbox::status.eq(status),
            outbox::attempts.eq(attempts),
            outbox::next_attempt_at.eq(retry_at(now, attempts)),
            outbox::last_error.eq(error),
            outbox::claim.eq(None::<String>),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// An administrator's 「再送」: the mail is due again at once.
pub fn retry_now(
    conn: &mut DbConnection,
    id: OutboxId,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    Ok(diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(not(outbox::status.eq(OutboxStatus::Sent)))
            .filter(not(outbox::status.eq(OutboxStatus::Sending))),
    )
    .set((
        outbox::status.eq(OutboxStatus::Pending),
        outbox::next_attempt_at.eq(now),
    ))
    .execute(conn)?
        == 1)
}

/// The newest mails, for the administrators' page.
pub fn newest(conn: &mut DbConnection, limit: i64) -> Result<Vec<OutboxMail>, DbError> {
    Ok(outbox::table
        .order(outbox::id.desc())
        .limit(limit)
        .select(COLUMNS)
        .load(conn)?)
}

/// How many mails stand in each state.
pub fn counts(conn: &mut DbConnection) -> Result<Vec<(OutboxStatus, i64)>, DbError> {
    Ok(outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(conn)?)
}
