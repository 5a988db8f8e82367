//! What the audit log records: every workflow step and every change, by code.

use super::workflow::Event;

/// One kind of entry in the audit log (stored as its `code()`).
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
pub enum AuditAction {
    /// A workflow step on a sheet (一時保存, 提出, 差し戻し …).
    Sheet(Event),
    /// A sheet read from a results report.
    Import,
    /// A sheet created from last year's when a year was opened.
    CarryForward,
    /// A plan workbook loaded (structure, departments, accounts).
    PlanImport,
    RoundOpen,
    RoundClose,
    ChoiceAdd,
    ChoiceToggle,
    UserAdd,
    UserPasswd,
    UserActive,
    Unlock,
    /// 「他の端末をすべてログアウト」.
    SessionsEnd,
    /// The first administrator, made on the setup page.
    Setup,
    UserEdit,
    /// An administrator gave the account a one-time password.
    PasswordReset,
    OwnEmail,
    DepartmentAdd,
    DepartmentRename,
    DepartmentMerge,
    DepartmentActive,
    DepartmentOrder,
    PlanAdd,
    AreaAdd,
    AreaEdit,
    AreaRetire,
    InitiativeAdd,
    InitiativeEdit,
    InitiativeRetire,
    PlanOrder,
    /// HQ opened a fiscal year of a plan (sheets carried forward or blank).
    YearOpen,
    /// A plan's 達成率 rule, rating bands or chart printing.
    IndicatorRules,
    /// An indicator's direction.
    IndicatorDirection,
    /// A comment (or reply) on a sheet.
    Comment,
    /// A comment marked 解決済.
    CommentResolve,
    /// A round's reminder days changed.
    ReminderDays,
    /// An administrator sent a failed mail again.
    MailRetry,
    /// A user turned their mail on or off.
    MailSetting,
    /// HQ recorded a 推進委員会意見 on a sheet.
    OpinionRecord,
    /// The department wrote its reply to one.
    OpinionReply,
    /// HQ closed one.
    OpinionClose,
}

/// The entries that are not workflow steps: (action, code, label).
const OTHERS: &[(AuditAction, &str, &str)] = {
    use AuditAction as A;
    &[
        (A::Import, "import", "実績報告書から取り込み"),
        (A::CarryForward, "carry_forward", "前年度から作成"),
        (A::PlanImport, "plan_import", "計画ワークブックの取り込み"),
        (A::RoundOpen, "round_open", "受付開始"),
        (A::RoundClose, "round_close", "受付終了"),
        (A::ChoiceAdd, "choice_add", "選択肢の追加"),
        (A::ChoiceToggle, "choice_toggle", "選択肢の有効・無効"),
        (A::UserAdd, "user_add", "利用者の追加"),
        (A::UserPasswd, "user_passwd", "パスワード変更"),
        (A::UserActive, "user_active", "利用者の有効・無効"),
        (A::Unlock, "unlock", "ログイン制限の解除"),
        (A::SessionsEnd, "sessions_end", "他の端末のログアウト"),
        (A::Setup, "setup", "初期設定（最初の管理者）"),
        (A::UserEdit, "user_edit", "利用者の変更"),
        (A::PasswordReset, "password_reset", "パスワードの再発行"),
        (A::OwnEmail, "own_email", "メールアドレスの変更"),
        (A::DepartmentAdd, "department_add", "所管課の追加"),
        (A::DepartmentRename, "department_rename", "所管課の名称変更"),
        (A::DepartmentMerge, "department_merge", "所管課の統合"),
        (
            A::DepartmentActive,
            "department_active",
            "所管課の有効・無効",
        ),
        (A::DepartmentOrder, "department_order", "所管課の並び順"),
        (A::PlanAdd, "plan_add", "プランの作成"),
        (A::AreaAdd, "area_add", "推進項目の追加"),
        (A::AreaEdit, "area_edit", "推進項目の変更"),
        (A::AreaRetire, "area_retire", "推進項目の廃止"),
        (A::InitiativeAdd, "initiative_add", "取組事業の追加"),
        (A::InitiativeEdit, "initiative_edit", "取組事業の変更"),
        (A::InitiativeRetire, "initiative_retire", "取組事業の終了"),
        (A::PlanOrder, "plan_order", "推進項目・取組事業の並び順"),
        (A::YearOpen, "year_open", "年度の開始"),
        (
            A::IndicatorRules,
            "indicator_rules",
            "達成率の計算方法・評価区分の変更",
        ),
        (
            A::IndicatorDirection,
            "indicator_direction",
            "指標の方向の変更",
        ),
        (A::Comment, "comment", "コメント"),
        (A::CommentResolve, "comment_resolve", "コメントを解決済みに"),
        (A::ReminderDays, "reminder_days", "督促通知日の変更"),
        (A::MailRetry, "mail_retry", "メールの再送"),
        (A::MailSetting, "mail_setting", "メール受信の設定"),
        (A::OpinionRecord, "opinion_record", "推進委員会意見の記録"),
        (A::OpinionReply, "opinion_reply", "推進委員会意見への対応"),
        (
            A::OpinionClose,
            "opinion_close",
            "推進委員会意見を対応済みに",
        ),
    ]
};

impl AuditAction {
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::Sheet(event) => event.code(),
            other => OTHERS
                .iter()
                .find(|(a, _, _)| *a == other)
                .map_or("", |(_, code, _)| code),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditAction::Sheet(event) => event.label(),
            other => OTHERS
                .iter()
                .find(|(a, _, _)| *a == other)
                .map_or("", |(_, _, label)| label),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Event::from_code(code).map(AuditAction::Sheet).or_else(|| {
            OTHERS
                .iter()
                .find(|(_, c, _)| *c == code)
                .map(|(a, _, _)| *a)
        })
    }
}

/// Who an audit entry names, as users read it: a person's login stays as
/// recorded; the system and the command line get a Japanese name.
pub fn actor_label(actor: &str) -> &str {
    match actor {
        "system" => "システム",
        "cli" => "コマンド操作",
        "import" => "取り込み",
        "demo" => "デモデータの読み込み",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        let all = Event::ALL
            .into_iter()
            .map(AuditAction::Sheet)
            .chain(OTHERS.iter().map(|(a, _, _)| *a));
        for action in all {
            assert_eq!(AuditAction::from_code(action.code()), Some(action));
            assert!(!action.label().is_empty());
        }
    }
}
