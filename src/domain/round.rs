//! Reporting rounds: 上半期 (mid-year) and 年度末 (year-end). Which fields a
//! round lets the department write is in the field registry (`field.rs`).

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum RoundKind {
    FirstHalf,
    YearEnd,
}

impl RoundKind {
    pub const ALL: [RoundKind; 2] = [RoundKind::FirstHalf, RoundKind::YearEnd];

    pub fn code(self) -> &'static str {
        match self {
            RoundKind::FirstHalf => "h1",
            RoundKind::YearEnd => "year_end",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RoundKind::FirstHalf => "上半期",
            RoundKind::YearEnd => "年度末",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Whether a round accepts sheets.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum RoundStatus {
    Open,
    Closed,
}

impl RoundStatus {
    pub fn code(self) -> &'static str {
        match self {
            RoundStatus::Open => "open",
            RoundStatus::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [RoundStatus::Open, RoundStatus::Closed]
            .into_iter()
            .find(|s| s.code() == code)
    }
}
