//! How typed ids and the domain's enums are stored: ids as integer columns,
//! enums as their `code()` in text columns, on either backend. With these,
//! queries take and return `SheetId`, `SheetStatus`… and nothing parses a
//! column by hand.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Integer, Text};

use crate::domain::audit::AuditAction;
use crate::domain::field::ChoiceList;
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::ids::{
    AreaId, AreaOpinionId, ChoiceId, CommentId, DepartmentId, IndicatorId, InitiativeId,
    NotificationId, OpinionId, OutboxId, PlanId, RoundId, SheetId, UserId,
};
use crate::domain::indicator::{Direction, Rule};
use crate::domain::notice::OutboxStatus;
use crate::domain::permission::Role;
use crate::domain::round::{RoundKind, RoundStatus};
use crate::domain::session::SessionKeyHash;
use crate::domain::sheet::Period;
use crate::domain::workflow::{Event, SheetStatus};

macro_rules! integer_ids {
    ($($id:ty),*) => {$(
        impl<DB: Backend> ToSql<Integer, DB> for $id
        where
            i32: ToSql<Integer, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl<DB: Backend> FromSql<Integer, DB> for $id
        where
            i32: FromSql<Integer, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                i32::from_sql(bytes).map(Self)
            }
        }
    )*};
}

integer_ids!(
    FiscalYear,
    SheetId,
    DepartmentId,
    InitiativeId,
    AreaId,
    PlanId,
    UserId,
    IndicatorId,
    RoundId,
    ChoiceId,
    CommentId,
    NotificationId,
    OutboxId,
    OpinionId,
    AreaOpinionId
);

macro_rules! text_codes {
    ($($ty:ty),*) => {$(
        impl<DB: Backend> ToSql<Text, DB> for $ty
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.code().to_sql(out)
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $ty
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let code = String::from_sql(bytes)?;
                <$ty>::from_code(&code).ok_or_else(|| {
                    format!("不明な値「{code}」（{}）", stringify!($ty)).into()
                })
            }
        }
    )*};
}

text_codes!(
    SheetStatus,
    Role,
    RoundKind,
    RoundStatus,
    Period,
    ChoiceList,
    Event,
    AuditAction,
    Direction,
    Rule,
    OutboxStatus
);

/// A session's key hash is stored as the text it is.
impl<DB: Backend> ToSql<Text, DB> for SessionKeyHash
where
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.as_str().to_sql(out)
    }
}

impl<DB: Backend> FromSql<Text, DB> for SessionKeyHash
where
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        String::from_sql(bytes).map(SessionKeyHash::from_stored)
    }
}
