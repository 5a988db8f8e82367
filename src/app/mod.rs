//! Use cases: one function per thing a user does. Each takes typed input,
//! asks the one permission table, runs in one transaction and writes its
//! audit entry. Handlers only translate HTTP to these calls and render.

pub mod import;
pub mod review;
pub mod round;
pub mod settings;
pub mod sheet;

use crate::db::DbError;
use crate::domain::permission::Denial;

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
