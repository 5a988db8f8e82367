//! Use cases: one function per thing a user does. Each takes typed input,
//! asks the one permission table, runs in one transaction and writes its
//! audit entry. Handlers only translate HTTP to these calls and render.

pub mod account;
pub mod area_opinion;
pub mod comment;
pub mod department;
pub mod draft;
pub mod import;
pub mod indicator;
pub mod login;
pub mod mail;
pub mod notify;
pub mod opinion;
pub mod plan;
pub mod plan_import;
pub mod remind;
pub mod review;
pub mod round;
pub mod session;
pub mod settings;
pub mod sheet;
pub mod sheet_book;

use crate::db::{audit, DbConnection, DbError};
use crate::domain::audit::AuditAction;
use crate::domain::ids::SheetId;
use crate::domain::permission::{Actor, Denial};
use crate::domain::workflow::{Event, SheetStatus};

/// Why a use case did nothing: not allowed, or the database failed.
#[derive(Debug, thiserror::Error)]
pub enum UseCaseError {
    #[error(transparent)]
    Denied(#[from] Denial),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for UseCaseError {
    fn from(e: diesel::result::Error) -> Self {
        UseCaseError::Db(e.into())
    }
}

/// Input a use case refused, with the form field it belongs to and why: the
/// page shows the message at that field, with the form as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub message: String,
}

/// What a use case answers when the input itself may be refused.
pub type Checked<T> = Result<T, Refusal>;

pub(crate) fn refuse<T>(field: &'static str, message: impl Into<String>) -> Checked<T> {
    Err(Refusal {
        field,
        message: message.into(),
    })
}

/// Records a change by `actor` that concerns no sheet (rounds, choices, accounts).
pub(crate) fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    action: AuditAction,
    detail: String,
) -> Result<(), DbError> {
    audit::record(
        conn,
        audit::Entry::general(Some(actor.user_id), &actor.login, action, detail),
    )
}

/// Records a workflow step on a sheet; `detail` holds what changed (JSON).
fn record_step(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    event: Event,
    (from, to): (SheetStatus, SheetStatus),
    detail: serde_json::Value,
) -> Result<(), DbError> {
    audit::record(
        conn,
        audit::Entry {
            user_id: Some(actor.user_id),
            actor: &actor.login,
            action: AuditAction::Sheet(event),
            sheet_id: Some(sheet_id),
            from_status: Some(from),
            to_status: Some(to),
            detail: detail.to_string(),
        },
    )
}
