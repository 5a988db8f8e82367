//! The states a sheet passes through. The transitions themselves arrive with
//! the editing workflow; here are the states the data model stores.

/// Stored as the `code()` string; shown as the Japanese `label()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SheetStatus {
    /// 作成中: the department is writing.
    Draft,
    /// 提出済: submitted, waiting for HQ.
    Submitted,
    /// 差し戻し: HQ returned it with a reason.
    Returned,
    /// 確認済: HQ accepted the 上半期 round.
    Confirmed,
    /// 評価済: HQ recorded 推進本部評価 after 年度末.
    Evaluated,
    /// 確定: final, bound into the report.
    Final,
}

impl SheetStatus {
    pub const ALL: [SheetStatus; 6] = [
        Self::Draft,
        Self::Submitted,
        Self::Returned,
        Self::Confirmed,
        Self::Evaluated,
        Self::Final,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Confirmed => "confirmed",
            Self::Evaluated => "evaluated",
            Self::Final => "final",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "作成中",
            Self::Submitted => "提出済",
            Self::Returned => "差し戻し",
            Self::Confirmed => "確認済",
            Self::Evaluated => "評価済",
            Self::Final => "確定",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in SheetStatus::ALL {
            assert_eq!(SheetStatus::from_code(s.code()), Some(s));
        }
        assert_eq!(SheetStatus::from_code("nope"), None);
    }
}
