//! A user's own sessions (「ログイン中の端末」): the list, and logging out
//! every other browser (ASVS 3.3.4). Only ever the actor's own rows.

use chrono::NaiveDateTime;

use super::{record, UseCaseError};
use crate::db::session::Ended;
use crate::db::{self, DbConnection};
use crate::domain::audit::AuditAction;
use crate::domain::permission::{authorize, Action, Actor};
use crate::domain::session::SessionKeyHash;

/// One logged-in browser of the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionListing {
    pub started: NaiveDateTime,
    pub last_used: NaiveDateTime,
    pub user_agent: String,
    pub address: String,
    /// The browser asking.
    pub current: bool,
}

/// The actor's sessions that have not ended: the one asking first, then the
/// most recently used.
pub fn list_own(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &SessionKeyHash,
    by: Ended,
) -> Result<Vec<SessionListing>, UseCaseError> {
    authorize(actor, Action::ManageOwnSessions, None)?;
    let rows = db::session::live_for_user(conn, actor.user_id, by)?;
    let mut list: Vec<SessionListing> = rows
        .into_iter()
        .map(|r| SessionListing {
            current: &r.key_hash == current,
            started: r.created_at,
            last_used: r.last_seen_at,
            user_agent: r.user_agent,
            address: r.address,
        })
        .collect();
    list.sort_by_key(|s| !s.current);
    Ok(list)
}

/// Logs out every other browser of the actor; returns how many.
pub fn end_others(
    conn: &mut DbConnection,
    actor: &Actor,
    current: &SessionKeyHash,
) -> Result<usize, UseCaseError> {
    authorize(actor, Action::ManageOwnSessions, None)?;
    db::write_tx(conn, |conn| {
        let ended = db::session::delete_others(conn, actor.user_id, current)?;
        let detail = format!("他の端末のセッション {ended} 件を終了");
        record(conn, actor, AuditAction::SessionsEnd, detail)?;
        Ok(ended)
    })
}
