//! 推進委員会意見 on a whole 推進項目 of a fiscal year. HQ records it and names
//! the department that answers, one of those owning a sheet in the area that
//! year (one reply, one author: several departments writing into one reply
//! would overwrite each other); that department replies while a round of the
//! year is open; HQ closes it. Departments with a sheet in the area (own or
//! 関係課) may read it, others get 404, exactly as for a sheet of theirs:
//! permissions ask the one table with the area's sheets.

use super::opinion::problem;
use super::{notify, UseCaseError};
use crate::db::area_opinion::{AreaOpinionRow, AreaRow, NewAreaOpinion};
use crate::db::sheet::ListEntry;
use crate::db::{self, audit, DbConnection};
use crate::domain::audit::AuditAction;
use crate::domain::fiscal_year::{era_name, FiscalYear};
use crate::domain::ids::{AreaId, AreaOpinionId, DepartmentId};
use crate::domain::notice::Notice;
use crate::domain::permission::{Action, Actor, Denial};
use crate::domain::round::RoundKind;
use crate::domain::workflow::WorkflowError;

use super::sheet::entry_allows;

/// A 推進項目 of one year with its sheets, as permissions see it.
pub struct AreaYear {
    pub area: AreaRow,
    pub year: FiscalYear,
    /// The area's sheets that year (list order).
    pub entries: Vec<ListEntry>,
    pub round: Option<RoundKind>,
}

impl AreaYear {
    /// How the area is named in headings, notices and the 履歴.
    pub fn label(&self) -> String {
        format!(
            "{} ({}) {}",
            era_name(self.year),
            self.area.number,
            self.area.title
        )
    }

    /// May `actor` do `action` on some sheet of the area (of `department`
    /// only, when given)? The same question the sheet's own page asks.
    pub fn allows(&self, actor: &Actor, action: Action, department: Option<DepartmentId>) -> bool {
        self.entries
            .iter()
            .filter(|e| department.is_none_or(|d| e.department_id == d))
            .any(|e| entry_allows(actor, action, e, self.round))
    }

    /// The departments owning a sheet in the area, once each, in list order.
    pub fn departments(&self) -> Vec<(DepartmentId, String)> {
        let mut out: Vec<(DepartmentId, String)> = Vec::new();
        for e in &self.entries {
            if !out.iter().any(|(d, _)| *d == e.department_id) {
                out.push((e.department_id, e.department.clone()));
            }
        }
        out
    }

    fn require(
        &self,
        actor: &Actor,
        action: Action,
        department: Option<DepartmentId>,
    ) -> Result<(), Denial> {
        if self.allows(actor, action, department) {
            Ok(())
        } else if self.allows(actor, Action::ViewOpinions, None) {
            Err(Denial::Forbidden)
        } else {
            Err(Denial::NotFound)
        }
    }
}

/// Loads the area and its year's sheets; 404 for someone who may not read
/// its opinions (no sheet of theirs in it), or an area without sheets that year.
pub fn load(
    conn: &mut DbConnection,
    actor: &Actor,
    area_id: AreaId,
    year: FiscalYear,
) -> Result<AreaYear, UseCaseError> {
    let area = db::area_opinion::area(conn, area_id)?.ok_or(Denial::NotFound)?;
    let entries: Vec<ListEntry> = db::sheet::list_for_year(conn, area.plan_id, year)?
        .into_iter()
        .filter(|e| e.area_number == area.number)
        .collect();
    let round = db::round::open_round(conn, area.plan_id, year)?.map(|r| r.kind);
    let scope = AreaYear {
        area,
        year,
        entries,
        round,
    };
    if !scope.allows(actor, Action::ViewOpinions, None) {
        return Err(Denial::NotFound.into());
    }
    Ok(scope)
}

fn log(
    conn: &mut DbConnection,
    actor: &Actor,
    action: AuditAction,
    scope: &AreaYear,
    text: &str,
) -> Result<(), UseCaseError> {
    let detail = serde_json::json!({ "reason": format!("{}: {text}", scope.label()) });
    audit::record(
        conn,
        audit::Entry::general(
            Some(actor.user_id),
            &actor.login,
            action,
            detail.to_string(),
        ),
    )?;
    Ok(())
}

/// HQ records an opinion and names the answering department. `Ok(Err)` says
/// what to fix; nothing is written then.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    area_id: AreaId,
    year: FiscalYear,
    department: Option<DepartmentId>,
    text: &str,
) -> Result<Result<AreaOpinionId, String>, UseCaseError> {
    db::write_tx(conn, |conn| {
        let scope = load(conn, actor, area_id, year)?;
        scope.require(actor, Action::RecordOpinion, None)?;
        let Some(department) =
            department.filter(|d| scope.departments().iter().any(|(x, _)| x == d))
        else {
            return Ok(Err("対応する所管課を選んでください".into()));
        };
        if let Some(p) = problem("推進委員会意見", text) {
            return Ok(Err(p));
        }
        let new = NewAreaOpinion {
            area_id,
            fiscal_year: year,
            department_id: department,
            opinion: text,
            by: actor.user_id,
        };
        let id = db::area_opinion::insert(conn, &new, db::now())?;
        log(conn, actor, AuditAction::OpinionRecord, &scope, text)?;
        let label = scope.label();
        let notice = Notice {
            message: format!("推進項目「{label}」に推進委員会意見が記録されました"),
            body: format!(
                "推進項目「{label}」に推進委員会の意見が記録されました。対応・今後の方針を記入してください。\n\n{text}"
            ),
        };
        notify::tell_departments(conn, &[department], &notice)?;
        Ok(Ok(id))
    })
}

/// The opinion and the area it belongs to, for one who may read it.
fn opinion_in_scope(
    conn: &mut DbConnection,
    actor: &Actor,
    id: AreaOpinionId,
) -> Result<(AreaOpinionRow, AreaYear), UseCaseError> {
    let opinion = db::area_opinion::find(conn, id)?.ok_or(Denial::NotFound)?;
    let scope = load(conn, actor, opinion.area_id, opinion.fiscal_year)?;
    Ok((opinion, scope))
}

/// The named department writes (or rewrites) its reply while a round of the
/// year is open and the opinion is not closed.
pub fn reply(
    conn: &mut DbConnection,
    actor: &Actor,
    id: AreaOpinionId,
    text: &str,
) -> Result<(AreaOpinionRow, Result<(), String>), UseCaseError> {
    db::write_tx(conn, |conn| {
        let (opinion, scope) = opinion_in_scope(conn, actor, id)?;
        scope.require(actor, Action::ReplyOpinion, Some(opinion.department_id))?;
        if scope.round.is_none() {
            return Err(Denial::Workflow(WorkflowError::NoOpenRound).into());
        }
        if opinion.closed() {
            return Ok((
                opinion,
                Err("この意見は対応済みとして閉じられています".into()),
            ));
        }
        if let Some(p) = problem("対応・今後の方針", text) {
            return Ok((opinion, Err(p)));
        }
        db::area_opinion::set_reply(conn, id, text, db::now())?;
        log(conn, actor, AuditAction::OpinionReply, &scope, text)?;
        let label = scope.label();
        let notice = Notice {
            message: format!("推進項目「{label}」の推進委員会意見に対応が記入されました"),
            body: format!(
                "{}さん（{}）が推進項目「{label}」の推進委員会意見への対応を記入しました。\n\n{text}",
                actor.display_name, opinion.department
            ),
        };
        notify::tell_hq(conn, &notice)?;
        Ok((opinion, Ok(())))
    })
}

/// HQ closes an opinion (対応済).
pub fn close(
    conn: &mut DbConnection,
    actor: &Actor,
    id: AreaOpinionId,
) -> Result<AreaOpinionRow, UseCaseError> {
    db::write_tx(conn, |conn| {
        let (opinion, scope) = opinion_in_scope(conn, actor, id)?;
        scope.require(actor, Action::RecordOpinion, None)?;
        if db::area_opinion::close(conn, id, db::now())? {
            log(
                conn,
                actor,
                AuditAction::OpinionClose,
                &scope,
                &opinion.opinion,
            )?;
        }
        Ok(opinion)
    })
}

/// The area's opinions of the year, for one who may read them.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    area_id: AreaId,
    year: FiscalYear,
) -> Result<(AreaYear, Vec<AreaOpinionRow>), UseCaseError> {
    let scope = load(conn, actor, area_id, year)?;
    let rows = db::area_opinion::for_area(conn, area_id, year)?;
    Ok((scope, rows))
}
