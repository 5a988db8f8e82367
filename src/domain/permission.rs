//! Who may do what, in one table: role × action × the acting user's relation
//! to the sheet's department. The sheet's state is the workflow's business
//! (`workflow::next`); `authorize` asks both.

use super::coded::coded_enum;
use super::ids::{DepartmentId, UserId};
use super::round::RoundKind;
use super::workflow::{self, Event, SheetStatus};

coded_enum! {
    /// What an account may do, with the permission table below.
    pub enum Role {
        /// 所管課 staff: write their department's sheets.
        Staff = ("staff", "所管課"),
        /// 推進本部事務局: check, return, evaluate.
        Hq = ("hq", "推進本部事務局"),
        /// Manages users.
        Admin = ("admin", "管理者"),
    }
}

/// The person acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
}

/// A sheet as permissions see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetAccess {
    /// 所管課
    pub department_id: DepartmentId,
    /// 関係課
    pub related_department_ids: Vec<DepartmentId>,
    pub status: SheetStatus,
    /// The round open for the sheet's fiscal year, if any.
    pub round: Option<RoundKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ViewSheet,
    ViewHistory,
    /// A workflow step on the sheet.
    Sheet(Event),
    /// Every sheet of every department (the HQ overview, the book).
    ViewAllSheets,
    ManageRounds,
    ManageChoices,
    ManageUsers,
    /// See one's own sessions (「ログイン中の端末」) and end the others.
    ManageOwnSessions,
    /// Changing one's own password.
    ChangeOwnPassword,
    /// 所管課: add, rename, merge, deactivate, order.
    ManageDepartments,
    /// The plan's structure: plans, 推進項目, 取組事業.
    ManagePlan,
    /// The administration history (who changed what outside the sheets).
    ViewAdminHistory,
    /// Loading a plan workbook (structure, departments, accounts) and downloading it.
    ImportPlan,
    /// A plan's 達成率 rule, rating bands and chart printing.
    ManageIndicatorRules,
    /// Setting an indicator's direction (増加/減少/維持/定性).
    SetIndicatorDirection,
    /// Read a sheet's comments.
    ViewComments,
    /// Write a comment or a reply on a sheet.
    Comment,
    /// Mark anyone's comment 解決済 (an author may always mark their own).
    ResolveAnyComment,
    /// One's own お知らせ and mail setting.
    ReadOwnNotifications,
    /// The mail outbox: failures, 再送.
    ManageOutbox,
    /// Read a sheet's 推進委員会意見 and replies.
    ViewOpinions,
    /// Record the committee's opinion on a sheet, and close it.
    RecordOpinion,
    /// Write the department's reply (対応・今後の方針).
    ReplyOpinion,
}

/// How the acting user must relate to the sheet's department.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Staff of the 所管課.
    Own,
    /// Staff of the 所管課 or of a 関係課.
    OwnOrRelated,
    /// Any sheet.
    Any,
    /// No sheet: only the acting user's own account (the use case asks for
    /// nothing but the actor's own rows).
    Oneself,
}

/// The table. Anything not listed is refused.
const RULES: &[(Role, Action, Scope)] = {
    use Action as A;
    use Event as E;
    use Role as R;
    use Scope as S;
    &[
        (R::Staff, A::ViewSheet, S::OwnOrRelated),
        (R::Staff, A::ViewHistory, S::OwnOrRelated),
        (R::Staff, A::Sheet(E::Save), S::Own),
        (R::Staff, A::Sheet(E::Submit), S::Own),
        (R::Staff, A::Sheet(E::Withdraw), S::Own),
        (R::Hq, A::ViewSheet, S::Any),
        (R::Hq, A::ViewHistory, S::Any),
        (R::Hq, A::ViewAllSheets, S::Any),
        (R::Hq, A::Sheet(E::Return), S::Any),
        (R::Hq, A::Sheet(E::Confirm), S::Any),
        (R::Hq, A::Sheet(E::Evaluate), S::Any),
        (R::Hq, A::Sheet(E::Finalize), S::Any),
        (R::Hq, A::Sheet(E::Reopen), S::Any),
        (R::Hq, A::ManageRounds, S::Any),
        (R::Hq, A::ManageChoices, S::Any),
        (R::Admin, A::ViewSheet, S::Any),
        (R::Admin, A::ViewHistory, S::Any),
        (R::Admin, A::ViewAllSheets, S::Any),
        (R::Admin, A::ManageUsers, S::Any),
        (R::Admin, A::ManageDepartments, S::Any),
        (R::Admin, A::ViewAdminHistory, S::Any),
        (R::Hq, A::ManagePlan, S::Any),
        (R::Admin, A::ManagePlan, S::Any),
        (R::Hq, A::ImportPlan, S::Any),
        (R::Admin, A::ImportPlan, S::Any),
        (R::Staff, A::ManageOwnSessions, S::Oneself),
        (R::Staff, A::ChangeOwnPassword, S::Oneself),
        (R::Hq, A::ChangeOwnPassword, S::Oneself),
        (R::Admin, A::ChangeOwnPassword, S::Oneself),
        (R::Hq, A::ManageOwnSessions, S::Oneself),
        (R::Hq, A::ManageIndicatorRules, S::Any),
        (R::Hq, A::SetIndicatorDirection, S::Any),
        (R::Staff, A::SetIndicatorDirection, S::Own),
        (R::Admin, A::ManageOwnSessions, S::Oneself),
        (R::Staff, A::ViewComments, S::OwnOrRelated),
        (R::Hq, A::ViewComments, S::Any),
        (R::Admin, A::ViewComments, S::Any),
        (R::Staff, A::Comment, S::Own),
        (R::Hq, A::Comment, S::Any),
        (R::Hq, A::ResolveAnyComment, S::Any),
        (R::Staff, A::ReadOwnNotifications, S::Oneself),
        (R::Hq, A::ReadOwnNotifications, S::Oneself),
        (R::Admin, A::ReadOwnNotifications, S::Oneself),
        (R::Admin, A::ManageOutbox, S::Any),
        (R::Staff, A::ViewOpinions, S::OwnOrRelated),
        (R::Hq, A::ViewOpinions, S::Any),
        (R::Admin, A::ViewOpinions, S::Any),
        (R::Hq, A::RecordOpinion, S::Any),
        (R::Staff, A::ReplyOpinion, S::Own),
    ]
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denial {
    /// The sheet is not the actor's to see: answer as if it did not exist.
    #[error("ページが見つかりません")]
    NotFound,
    #[error("この操作を行う権限がありません")]
    Forbidden,
    #[error(transparent)]
    Workflow(#[from] workflow::WorkflowError),
}

fn in_scope(actor: &Actor, scope: Scope, sheet: Option<&SheetAccess>) -> bool {
    match (scope, sheet) {
        (Scope::Any, _) => true,
        (Scope::Oneself, sheet) => sheet.is_none(),
        (_, None) => false,
        (Scope::Own, Some(s)) => actor.department_id == Some(s.department_id),
        (Scope::OwnOrRelated, Some(s)) => actor
            .department_id
            .is_some_and(|d| d == s.department_id || s.related_department_ids.contains(&d)),
    }
}

/// May `actor` do `action` (on `sheet`)? For a workflow step, returns the state
/// the sheet moves to.
pub fn authorize(
    actor: &Actor,
    action: Action,
    sheet: Option<&SheetAccess>,
) -> Result<Option<SheetStatus>, Denial> {
    let allowed = RULES
        .iter()
        .any(|(r, a, scope)| *r == actor.role && *a == action && in_scope(actor, *scope, sheet));
    if !allowed {
        // Never reveal a sheet the actor may not even see.
        let visible = sheet.is_none_or(|_| {
            RULES.iter().any(|(r, a, scope)| {
                *r == actor.role && *a == Action::ViewSheet && in_scope(actor, *scope, sheet)
            })
        });
        return Err(if visible {
            Denial::Forbidden
        } else {
            Denial::NotFound
        });
    }
    match (action, sheet) {
        (Action::Sheet(event), Some(s)) => Ok(Some(workflow::next(s.status, event, s.round)?)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, dept: Option<i32>) -> Actor {
        Actor {
            user_id: UserId(1),
            login: "u".into(),
            display_name: "u".into(),
            role,
            department_id: dept.map(DepartmentId),
        }
    }

    fn sheet(status: SheetStatus) -> SheetAccess {
        SheetAccess {
            department_id: DepartmentId(10),
            related_department_ids: vec![DepartmentId(20)],
            status,
            round: Some(RoundKind::FirstHalf),
        }
    }

    #[test]
    fn staff_write_their_own_and_read_related() {
        let own = actor(Role::Staff, Some(10));
        let related = actor(Role::Staff, Some(20));
        let other = actor(Role::Staff, Some(30));
        let s = sheet(SheetStatus::Draft);
        assert_eq!(
            authorize(&own, Action::Sheet(Event::Submit), Some(&s)),
            Ok(Some(SheetStatus::Submitted))
        );
        assert!(authorize(&related, Action::ViewSheet, Some(&s)).is_ok());
        assert_eq!(
            authorize(&related, Action::Sheet(Event::Save), Some(&s)),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&other, Action::ViewSheet, Some(&s)),
            Err(Denial::NotFound)
        );
        assert_eq!(
            authorize(&other, Action::Sheet(Event::Save), Some(&s)),
            Err(Denial::NotFound)
        );
        assert_eq!(
            authorize(&own, Action::Sheet(Event::Return), Some(&s)),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&own, Action::ViewAllSheets, None),
            Err(Denial::Forbidden)
        );
        assert!(authorize(&own, Action::SetIndicatorDirection, Some(&s)).is_ok());
        assert_eq!(
            authorize(&related, Action::SetIndicatorDirection, Some(&s)),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&own, Action::ManageIndicatorRules, None),
            Err(Denial::Forbidden)
        );
        assert!(authorize(&actor(Role::Hq, None), Action::ManageIndicatorRules, None).is_ok());
    }

    #[test]
    fn comments_and_opinions_follow_the_sheet() {
        let own = actor(Role::Staff, Some(10));
        let related = actor(Role::Staff, Some(20));
        let other = actor(Role::Staff, Some(30));
        let hq = actor(Role::Hq, None);
        let s = sheet(SheetStatus::Submitted);
        for a in [Action::ViewComments, Action::Comment, Action::ReplyOpinion] {
            assert!(authorize(&own, a, Some(&s)).is_ok(), "{a:?}");
            assert_eq!(authorize(&other, a, Some(&s)), Err(Denial::NotFound));
        }
        // A 関係課 reads, never writes.
        assert!(authorize(&related, Action::ViewComments, Some(&s)).is_ok());
        assert!(authorize(&related, Action::ViewOpinions, Some(&s)).is_ok());
        assert_eq!(
            authorize(&related, Action::Comment, Some(&s)),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&own, Action::ResolveAnyComment, Some(&s)),
            Err(Denial::Forbidden)
        );
        for a in [
            Action::Comment,
            Action::ResolveAnyComment,
            Action::RecordOpinion,
        ] {
            assert!(authorize(&hq, a, Some(&s)).is_ok(), "{a:?}");
        }
        assert_eq!(
            authorize(&hq, Action::ManageOutbox, None),
            Err(Denial::Forbidden)
        );
        assert!(authorize(&actor(Role::Admin, None), Action::ManageOutbox, None).is_ok());
    }

    #[test]
    fn hq_reviews_and_state_is_checked() {
        let hq = actor(Role::Hq, None);
        assert!(matches!(
            authorize(
                &hq,
                Action::Sheet(Event::Return),
                Some(&sheet(SheetStatus::Draft))
            ),
            Err(Denial::Workflow(_))
        ));
        assert_eq!(
            authorize(
                &hq,
                Action::Sheet(Event::Return),
                Some(&sheet(SheetStatus::Submitted))
            ),
            Ok(Some(SheetStatus::Returned))
        );
        assert_eq!(
            authorize(
                &hq,
                Action::Sheet(Event::Save),
                Some(&sheet(SheetStatus::Draft))
            ),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&hq, Action::ManageUsers, None),
            Err(Denial::Forbidden)
        );
        let admin = actor(Role::Admin, None);
        assert!(authorize(&admin, Action::ManageUsers, None).is_ok());
        for role in [Role::Staff, Role::Hq, Role::Admin] {
            let own = authorize(&actor(role, Some(10)), Action::ManageOwnSessions, None);
            assert!(own.is_ok(), "{role:?} sees their own sessions");
        }
        assert_eq!(
            authorize(
                &admin,
                Action::Sheet(Event::Evaluate),
                Some(&sheet(SheetStatus::Submitted))
            ),
            Err(Denial::Forbidden)
        );
    }
}
