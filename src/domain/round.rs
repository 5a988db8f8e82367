//! Reporting rounds: 上半期 (mid-year) and 年度末 (year-end). The round decides
//! which fields of a sheet the department writes.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// Everything on a sheet a department can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Content,
    PlanForYear,
    H1Actions,
    H1Progress,
    H2Plan,
    H2Actions,
    Effects,
    Issues,
    DeptEvaluation,
    DeptReason,
    NextYear,
    RelatedInitiatives,
    SpecialNotes,
    /// 取組項目 rows and their schedule.
    ActionItems,
    /// The indicators themselves: name, 評価方法, 当初値, 目標値.
    IndicatorDefinitions,
    /// The year's 上半期 actual of each indicator.
    IndicatorFirstHalf,
    /// 現況値 and the year's full-year actual.
    IndicatorYearEnd,
}

/// Fields that belong to the plan rather than a round: written in either round.
const PLAN_LEVEL: &[Field] = &[
    Field::Content,
    Field::PlanForYear,
    Field::RelatedInitiatives,
    Field::SpecialNotes,
    Field::ActionItems,
    Field::IndicatorDefinitions,
];

const FIRST_HALF: &[Field] = &[
    Field::H1Actions,
    Field::H1Progress,
    Field::H2Plan,
    Field::IndicatorFirstHalf,
];

const YEAR_END: &[Field] = &[
    Field::H2Actions,
    Field::Effects,
    Field::Issues,
    Field::IndicatorYearEnd,
    Field::DeptEvaluation,
    Field::DeptReason,
    Field::NextYear,
];

/// Whether the department writes `field` in `round`.
pub fn editable(round: RoundKind, field: Field) -> bool {
    PLAN_LEVEL.contains(&field)
        || match round {
            RoundKind::FirstHalf => FIRST_HALF.contains(&field),
            RoundKind::YearEnd => YEAR_END.contains(&field),
        }
}

/// Text fields that must not be empty when the sheet is submitted in `round`.
pub fn required_for_submit(round: RoundKind) -> &'static [Field] {
    match round {
        RoundKind::FirstHalf => &[
            Field::Content,
            Field::H1Actions,
            Field::H1Progress,
            Field::H2Plan,
        ],
        RoundKind::YearEnd => &[
            Field::Content,
            Field::H2Actions,
            Field::Effects,
            Field::Issues,
            Field::DeptEvaluation,
            Field::DeptReason,
            Field::NextYear,
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_split_the_fields() {
        assert!(editable(RoundKind::FirstHalf, Field::H1Actions));
        assert!(!editable(RoundKind::FirstHalf, Field::Effects));
        assert!(editable(RoundKind::YearEnd, Field::Effects));
        assert!(!editable(RoundKind::YearEnd, Field::H1Progress));
        for round in RoundKind::ALL {
            assert!(editable(round, Field::ActionItems));
            for f in required_for_submit(round) {
                assert!(editable(round, *f), "{f:?} required but not editable");
            }
        }
    }
}
