//! HQ opens and closes the reporting rounds (受付期間). Opening a new year's
//! 上半期 round carries last year's sheets forward.

use chrono::NaiveDate;

use super::{notify, record, UseCaseError};
use crate::db::{self, audit, sheet, DbConnection, DbError};
use crate::domain::audit::AuditAction;
use crate::domain::fiscal_year::{era_name, wareki_date, FiscalYear};
use crate::domain::ids::{PlanId, RoundId};
use crate::domain::notice::{format_reminder_days, parse_reminder_days, round_notice};
use crate::domain::permission::{authorize, Action, Actor, Denial};
use crate::domain::round::RoundKind;
use crate::domain::sheet::carry_forward;
use crate::domain::workflow::SheetStatus;

/// Opens (or re-opens) a round of the current plan.
pub fn open(
    conn: &mut DbConnection,
    actor: &Actor,
    fiscal_year: FiscalYear,
    kind: RoundKind,
    deadline: Option<NaiveDate>,
) -> Result<(), UseCaseError> {
    authorize(actor, Action::ManageRounds, None)?;
    db::write_tx(conn, |conn| {
        let plan = db::plan::list(conn)?
            .into_iter()
            .next()
            .ok_or_else(|| DbError::Conflict("プランがありません".into()))?;
        if fiscal_year < plan.first_year || fiscal_year > plan.last_year {
            return Err(DbError::Conflict("プランの期間外の年度です".into()).into());
        }
        db::round::open(conn, plan.id, fiscal_year, kind, deadline)?;
        // A new year starts from last year's sheets (only those missing).
        if kind == RoundKind::FirstHalf {
            carry_forward_year(conn, plan.id, fiscal_year.prev(), Some(actor))?;
        }
        let detail = format!(
            "{}{}を開始（締切 {}）",
            era_name(fiscal_year),
            kind.label(),
            deadline.map_or("なし".into(), wareki_date)
        );
        record(conn, actor, AuditAction::RoundOpen, detail)?;
        let departments = db::notice::departments_with_sheets(conn, fiscal_year)?;
        let notice = round_notice(fiscal_year, kind.label(), deadline);
        notify::tell_departments(conn, &departments, &notice)?;
        Ok(())
    })
}

/// Closes a round; `Denial::NotFound` when there is no such round.
pub fn close(conn: &mut DbConnection, actor: &Actor, id: RoundId) -> Result<(), UseCaseError> {
    authorize(actor, Action::ManageRounds, None)?;
    db::write_tx(conn, |conn| {
        let round = db::round::find(conn, id)?.ok_or(Denial::NotFound)?;
        db::round::close(conn, id)?;
        let detail = format!(
            "{}{}を終了",
            era_name(round.fiscal_year),
            round.kind.label()
        );
        record(conn, actor, AuditAction::RoundClose, detail)?;
        Ok(())
    })
}

/// Opens `from_year.next()` for every initiative of the plan that has a sheet in
/// `from_year` and none in the next year: the new sheets are 作成中. `actor` is
/// None when the system does it (loading the demo). Returns how many it made.
pub fn carry_forward_year(
    conn: &mut DbConnection,
    plan_id: PlanId,
    from_year: FiscalYear,
    actor: Option<&Actor>,
) -> Result<usize, DbError> {
    db::write_tx(conn, |conn| {
        let mut created = 0;
        for initiative in db::plan::initiatives(conn, plan_id)? {
            if !initiative.active_in(from_year.next()) {
                continue;
            }
            let (Some(prev_id), None) = (
                sheet::find_id(conn, initiative.id, from_year)?,
                sheet::find_id(conn, initiative.id, from_year.next())?,
            ) else {
                continue;
            };
            let Some(prev) = sheet::load(conn, prev_id)? else {
                continue;
            };
            let content = carry_forward(&prev.content, from_year);
            let id = sheet::insert(
                conn,
                initiative.id,
                from_year.next(),
                SheetStatus::Draft,
                &content,
            )?;
            audit::record(
                conn,
                audit::Entry {
                    user_id: actor.map(|a| a.user_id),
                    actor: actor.map_or("system", |a| a.login.as_str()),
                    action: AuditAction::CarryForward,
                    sheet_id: Some(id),
                    from_status: None,
                    to_status: Some(SheetStatus::Draft),
                    detail: format!("{}の評価票から作成", era_name(from_year)),
                },
            )?;
            created += 1;
        }
        Ok(created)
    })
}

/// HQ sets the days before the deadline on which reminders go out (「3,1」;
/// empty: none before the deadline, the overdue one still goes). `Ok(Err)`
/// says what to fix; nothing is written then.
pub fn set_reminder_days(
    conn: &mut DbConnection,
    actor: &Actor,
    id: RoundId,
    text: &str,
) -> Result<Result<(), String>, UseCaseError> {
    authorize(actor, Action::ManageRounds, None)?;
    let days = match parse_reminder_days(text) {
        Ok(days) => days,
        Err(problem) => return Ok(Err(problem)),
    };
    db::write_tx(conn, |conn| {
        let round = db::round::find(conn, id)?.ok_or(Denial::NotFound)?;
        let stored = format_reminder_days(&days);
        db::reminder::set_days(conn, id, &stored)?;
        let detail = format!(
            "{}{}の督促: 締切の{}日前",
            era_name(round.fiscal_year),
            round.kind.label(),
            if stored.is_empty() {
                "—".into()
            } else {
                stored.replace(',', "・")
            }
        );
        record(conn, actor, AuditAction::ReminderDays, detail)?;
        Ok(Ok(()))
    })
}
