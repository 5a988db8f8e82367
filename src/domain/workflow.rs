//! The workflow of a sheet as one explicit state machine:
//!
//! 作成中 --提出--> 提出済 --差し戻し--> 差し戻し --保存--> 作成中 …
//! 提出済 --確認 (上半期)--> 確認済 --保存 (年度末)--> 作成中 …
//! 提出済 --評価 (年度末)--> 評価済 --確定--> 確定
//! HQ may reopen a submitted, confirmed, evaluated or final sheet (→ 作成中).

use super::coded::coded_enum;
use super::round::RoundKind;

coded_enum! {
    /// The state of a sheet.
    pub enum SheetStatus {
        /// The department is writing.
        Draft = ("draft", "作成中"),
        /// Submitted, waiting for HQ.
        Submitted = ("submitted", "提出済"),
        /// HQ returned it with a reason.
        Returned = ("returned", "差し戻し"),
        /// HQ accepted the 上半期 round.
        Confirmed = ("confirmed", "確認済"),
        /// HQ recorded 推進本部評価 after 年度末.
        Evaluated = ("evaluated", "評価済"),
        /// Final, bound into the report.
        Final = ("final", "確定"),
    }
}

coded_enum! {
    /// What someone does to a sheet.
    pub enum Event {
        /// By the department.
        Save = ("save", "一時保存"),
        /// By the department.
        Submit = ("submit", "提出"),
        /// By the department: takes a submission back while HQ has not acted.
        Withdraw = ("withdraw", "取り下げ"),
        /// By HQ, with a reason.
        Return = ("return", "差し戻し"),
        /// By HQ: accepts the 上半期 round.
        Confirm = ("confirm", "確認"),
        /// By HQ: records 推進本部評価 after 年度末.
        Evaluate = ("evaluate", "評価"),
        /// By HQ.
        Finalize = ("finalize", "確定"),
        /// By HQ, with a reason.
        Reopen = ("reopen", "再開"),
    }
}

/// Why a transition is refused, in the user's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("受付期間（ラウンド）が開いていないため、この評価票は編集・提出できません")]
    NoOpenRound,
    #[error("「{status}」の評価票には「{event}」できません")]
    NotAllowed {
        status: &'static str,
        event: &'static str,
    },
}

/// The state after `event`, given the round open for the sheet's year.
pub fn next(
    from: SheetStatus,
    event: Event,
    round: Option<RoundKind>,
) -> Result<SheetStatus, WorkflowError> {
    use Event as E;
    use RoundKind as R;
    use SheetStatus as S;
    let department_event = matches!(event, E::Save | E::Submit | E::Withdraw);
    if department_event && round.is_none() {
        return Err(WorkflowError::NoOpenRound);
    }
    let to = match (from, event, round) {
        (S::Draft | S::Returned, E::Save, _) => Some(S::Draft),
        (S::Confirmed, E::Save, Some(R::YearEnd)) => Some(S::Draft),
        (S::Draft | S::Returned, E::Submit, _) => Some(S::Submitted),
        (S::Confirmed, E::Submit, Some(R::YearEnd)) => Some(S::Submitted),
        (S::Submitted, E::Withdraw, _) => Some(S::Draft),
        (S::Submitted, E::Return, _) => Some(S::Returned),
        (S::Submitted, E::Confirm, Some(R::FirstHalf)) => Some(S::Confirmed),
        (S::Submitted, E::Evaluate, Some(R::YearEnd)) => Some(S::Evaluated),
        (S::Evaluated, E::Finalize, _) => Some(S::Final),
        (S::Submitted | S::Confirmed | S::Evaluated | S::Final, E::Reopen, _) => Some(S::Draft),
        _ => None,
    };
    to.ok_or(WorkflowError::NotAllowed {
        status: from.label(),
        event: event.label(),
    })
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

    #[test]
    fn the_whole_cycle() {
        use Event as E;
        use RoundKind as R;
        use SheetStatus as S;
        let h1 = Some(R::FirstHalf);
        let ye = Some(R::YearEnd);
        let mut s = S::Draft;
        for (event, round, want) in [
            (E::Save, h1, S::Draft),
            (E::Submit, h1, S::Submitted),
            (E::Return, h1, S::Returned),
            (E::Save, h1, S::Draft),
            (E::Submit, h1, S::Submitted),
            (E::Confirm, h1, S::Confirmed),
            (E::Save, ye, S::Draft),
            (E::Submit, ye, S::Submitted),
            (E::Evaluate, ye, S::Evaluated),
            (E::Finalize, ye, S::Final),
            (E::Reopen, None, S::Draft),
        ] {
            s = next(s, event, round).unwrap_or_else(|e| panic!("{event:?}: {e}"));
            assert_eq!(s, want);
        }
    }

    #[test]
    fn refusals() {
        use Event as E;
        use RoundKind as R;
        use SheetStatus as S;
        assert_eq!(
            next(S::Draft, E::Save, None),
            Err(WorkflowError::NoOpenRound)
        );
        assert!(next(S::Submitted, E::Save, Some(R::FirstHalf)).is_err());
        assert!(next(S::Final, E::Save, Some(R::YearEnd)).is_err());
        assert!(next(S::Confirmed, E::Save, Some(R::FirstHalf)).is_err());
        assert!(next(S::Submitted, E::Confirm, Some(R::YearEnd)).is_err());
        assert!(next(S::Submitted, E::Evaluate, Some(R::FirstHalf)).is_err());
        assert!(next(S::Draft, E::Return, Some(R::FirstHalf)).is_err());
        assert!(next(S::Draft, E::Reopen, None).is_err());
        assert!(next(S::Submitted, E::Finalize, None).is_err());
        assert_eq!(
            next(S::Submitted, E::Withdraw, Some(R::FirstHalf)),
            Ok(S::Draft)
        );
        assert!(next(S::Submitted, E::Withdraw, None).is_err());
        assert!(next(S::Confirmed, E::Withdraw, Some(R::YearEnd)).is_err());
        assert!(next(S::Evaluated, E::Withdraw, Some(R::YearEnd)).is_err());
    }
}
