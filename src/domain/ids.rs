//! Typed ids, so a `DepartmentId` can never be passed where a `SheetId` is
//! meant. They arrive typed from the URL path and reach the query typed; the
//! diesel mapping (an integer column on either backend) lives in `db::types`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            Serialize, Deserialize, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Integer)]
        #[serde(transparent)]
        pub struct $name(pub i32);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )*};
}

ids! {
    /// One 取組事業点検・評価票 of one fiscal year.
    SheetId;
    /// A 所管課.
    DepartmentId;
    /// A 取組事業, across the years.
    InitiativeId;
    /// A 推進項目.
    AreaId;
    /// A 行政改革推進プラン.
    PlanId;
    UserId;
    /// One 目標 row of a sheet.
    IndicatorId;
    /// A 受付期間 (上半期 or 年度末 of one fiscal year).
    RoundId;
    /// One dropdown choice HQ edits.
    ChoiceId;
    /// A comment on a sheet.
    CommentId;
    /// One お知らせ of one user.
    NotificationId;
    /// One mail waiting in (or sent from) the outbox.
    OutboxId;
    /// One 推進委員会意見 on a sheet.
    OpinionId;
    /// One 推進委員会意見 on a whole 推進項目 of one fiscal year.
    AreaOpinionId;
}
