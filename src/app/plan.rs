//! The plan's structure as HQ keeps it: plans, 推進項目 and 取組事業, and
//! opening a fiscal year of a plan. Reusable by any importer of a plan: each
//! function checks its input, runs in one transaction and records what changed.

use super::{record, refuse, Checked, UseCaseError};
use crate::db::{self, audit, sheet, DbConnection, DbError};
use crate::domain::audit::AuditAction;
use crate::domain::field::{Field, HeaderSlot};
use crate::domain::fiscal_year::{era_name, FiscalYear};
use crate::domain::ids::{AreaId, DepartmentId, InitiativeId, PlanId};
use crate::domain::permission::{authorize, Action, Actor, Denial};
use crate::domain::sheet::SheetContent;
use crate::domain::text::has_refused_control;
use crate::domain::workflow::SheetStatus;

/// Longest plan name, 推進項目 title, 取組事業名, 関係計画名…, in characters.
pub const TITLE_MAX: usize = 200;

fn line_problem(what: &str, text: &str, required: bool) -> Option<String> {
    if required && text.is_empty() {
        Some(format!("{what}を入力してください"))
    } else if text.chars().count() > TITLE_MAX || has_refused_control(text) || text.contains('\n') {
        Some(format!(
            "{what}は改行なしの{TITLE_MAX}文字以内で入力してください"
        ))
    } else {
        None
    }
}

/// Creates a plan (name, first and last fiscal year). The newest plan is the
/// one the app works on.
pub fn create_plan(
    conn: &mut DbConnection,
    actor: &Actor,
    name: &str,
    first: Option<FiscalYear>,
    last: Option<FiscalYear>,
) -> Result<Checked<PlanId>, UseCaseError> {
    authorize(actor, Action::ManagePlan, None)?;
    let name = name.trim();
    if let Some(p) = line_problem("プラン名", name, true) {
        return Ok(refuse("name", p));
    }
    let Some(first) = first.filter(|y| (2000..=2100).contains(&y.0)) else {
        return Ok(refuse("first_year", "開始年度を選んでください"));
    };
    let Some(last) = last.filter(|y| (2000..=2100).contains(&y.0)) else {
        return Ok(refuse("last_year", "終了年度を選んでください"));
    };
    if last < first || last.0 - first.0 > 10 {
        return Ok(refuse(
            "last_year",
            "終了年度は開始年度から10年以内の、開始年度以降の年度にしてください",
        ));
    }
    db::write_tx(conn, |conn| {
        if db::plan::find_by_name(conn, name)?.is_some() {
            return Ok(refuse("name", format!("「{name}」は既にあります")));
        }
        let plan = db::plan::insert(conn, name, first, last)?;
        let detail = format!("「{name}」（{}〜{}）", era_name(first), era_name(last));
        record(conn, actor, AuditAction::PlanAdd, detail)?;
        Ok(Ok(plan.id))
    })
}

/// The plan the app works on: the newest.
pub fn current(conn: &mut DbConnection) -> Result<Option<db::plan::Plan>, DbError> {
    Ok(db::plan::list(conn)?.into_iter().next())
}

/// Adds a 推進項目 to a plan.
pub fn add_area(
    conn: &mut DbConnection,
    actor: &Actor,
    plan_id: PlanId,
    number: Option<i32>,
    title: &str,
) -> Result<Checked<AreaId>, UseCaseError> {
    authorize(actor, Action::ManagePlan, None)?;
    let title = title.trim();
    let Some(number) = number.filter(|n| (1..=99).contains(n)) else {
        return Ok(refuse("number", "番号は1〜99の数字で入力してください"));
    };
    if let Some(p) = line_problem("推進項目名", title, true) {
        return Ok(refuse("title", p));
    }
    db::write_tx(conn, |conn| {
        db::plan::find(conn, plan_id)?.ok_or(Denial::NotFound)?;
        if db::plan::find_area(conn, plan_id, number)?.is_some() {
            return Ok(refuse(
                "number",
                format!("推進項目({number})は既にあります"),
            ));
        }
        let area = db::plan::insert_area(conn, plan_id, number, title)?;
        let detail = format!("({number}) {title}");
        record(conn, actor, AuditAction::AreaAdd, detail)?;
        Ok(Ok(area.id))
    })
}

/// Changes a 推進項目's number and title, or retires it (refused while it
/// still has active initiatives) or brings it back.
pub fn edit_area(
    conn: &mut DbConnection,
    actor: &Actor,
    id: AreaId,
    number: Option<i32>,
    title: &str,
    retired: bool,
) -> Result<Checked<()>, UseCaseError> {
    authorize(actor, Action::ManagePlan, None)?;
    let title = title.trim();
    let Some(number) = number.filter(|n| (1..=99).contains(n)) else {
        return Ok(refuse("number", "番号は1〜99の数字で入力してください"));
    };
    if let Some(p) = line_problem("推進項目名", title, true) {
        return Ok(refuse("title", p));
    }
    db::write_tx(conn, |conn| {
        let (plan_id, old) = db::plan::area(conn, id)?.ok_or(Denial::NotFound)?;
        if let Some(other) = db::plan::find_area(conn, plan_id, number)? {
            if other.id != id {
                return Ok(refuse(
                    "number",
                    format!("推進項目({number})は既にあります"),
                ));
            }
        }
        if retired && !old.retired {
            let active = db::plan::active_initiatives_in(conn, id)?;
            if active > 0 {
                return Ok(refuse(
                    "retired",
                    format!("この推進項目には終了していない取組事業が {active} 件あります。先に終了するか別の推進項目へ移してください"),
                ));
            }
        }
        db::plan::update_area(conn, id, number, title, retired)?;
        let action = if retired != old.retired {
            AuditAction::AreaRetire
        } else {
            AuditAction::AreaEdit
        };
        let state = |r: bool| if r { "（廃止）" } else { "" };
        let detail = format!(
            "({}) {}{} → ({number}) {title}{}",
            old.number,
            old.title,
            state(old.retired),
            state(retired)
        );
        record(conn, actor, action, detail)?;
        Ok(Ok(()))
    })
}

/// The neighbour one place up (`up`) or down from `at`, if any.
fn neighbour(at: usize, up: bool, len: usize) -> Option<usize> {
    let other = if up { at.checked_sub(1) } else { Some(at + 1) };
    other.filter(|&o| o < len)
}

/// Moves a 推進項目 one place up or down. The list is ordered by number, as
/// the report prints it, so moving swaps the two numbers.
pub fn move_area(
    conn: &mut DbConnection,
    actor: &Actor,
    id: AreaId,
    up: bool,
) -> Result<(), UseCaseError> {
    authorize(actor, Action::ManagePlan, None)?;
    db::write_tx(conn, |conn| {
        let (plan_id, _) = db::plan::area(conn, id)?.ok_or(Denial::NotFound)?;
        let all = db::plan::areas(conn, plan_id)?;
        let at = all
            .iter()
            .position(|a| a.id == id)
            .ok_or(Denial::NotFound)?;
        let Some(other) = neighbour(at, up, all.len()) else {
            return Ok(());
        };
        let (a, b) = (&all[at], &all[other]);
        // Numbers are unique per plan: park one on a number never used.
        db::plan::update_area(conn, a.id, -a.number, &a.title, a.retired)?;
        db::plan::update_area(conn, b.id, a.number, &b.title, b.retired)?;
        db::plan::update_area(conn, a.id, b.number, &a.title, a.retired)?;
        let detail = format!(
            "推進項目「{}」を({})から({})へ、「{}」を({})へ",
            a.title, a.number, b.number, b.title, a.number
        );
        record(conn, actor, AuditAction::PlanOrder, detail)?;
        Ok(())
    })
}

/// Moves a 取組事業 one place up or down within its 推進項目, swapping the
/// two No. (the list and the report are ordered by No.).
pub fn move_initiative(
    conn: &mut DbConnection,
    actor: &Actor,
    id: InitiativeId,
    up: bool,
) -> Result<(), UseCaseError> {
    authorize(actor, Action::ManagePlan, None)?;
    db::write_tx(conn, |conn| {
        let this = db::plan::initiative(conn, id)?.ok_or(Denial::NotFound)?;
        let (plan_id, _) = db::plan::area(conn, this.area_id)?.ok_or(Denial::NotFound)?;
        let all: Vec<_> = db::plan::initiatives(conn, plan_id)?
            .into_iter()
            .filter(|i| i.area_id == this.area_id)
            .collect();
        let at = all
            .iter()
            .position(|i| i.id == id)
            .ok_or(Denial::NotFound)?;
        let Some(other) = neighbour(at, up, all.len()) else {
            return Ok(());
        };
        let (a, b) = (&all[at], &all[other]);
        // No. are unique per area: park one on a number never used.
        for (i, number) in [(a, -a.number), (b, a.number), (a, b.number)] {
            let moved = db::plan::Initiative {
                number,
                ..i.clone()
            };
            db::plan::update_initiative(conn, &moved)?;
        }
        let detail = format!(
            "取組事業「{}」をNo.{}からNo.{}へ、「{}」をNo.{}へ",
            a.name, a.number, b.number, b.name, a.number
        );
        record(conn, actor, AuditAction::PlanOrder, detail)?;
        Ok(())
    })
}

/// A 取組事業 as HQ types it.
#[derive(Debug, Clone, Default)]
pub struct InitiativeInput {
    pub area_id: Option<AreaId>,
    pub number: Option<i32>,
    pub name: String,
    pub department_id: Option<DepartmentId>,
    /// 関係課, in order; several allowed.
    pub related: Vec<DepartmentId>,
    pub related_plan: String,
    pub plan_years: String,
    pub target_scope: String,
    /// When editing: the fiscal year a change of 所管課 or 関係課 applies
    /// from. Sheets of earlier years keep the names they have; `None` applies
    /// it to every sheet not yet final.
    pub applies_from: Option<FiscalYear>,
}

/// Checks an initiative against the plan: area of this plan and in use, No.
/// free in the area, departments active and distinct.
fn check_initiative(
    conn: &mut DbConnection,
    plan_id: PlanId,
    input: &InitiativeInput,
    except: Option<InitiativeId>,
) -> Result<Checked<db::plan::Initiative>, UseCaseError> {
    let Some(area_id) = input.area_id else {
        return Ok(refuse("area_id", "推進項目を選んでください"));
    };
    match db::plan::area(conn, area_id)? {
        Some((p, area)) if p == plan_id && !area.retired => {}
        _ => return Ok(refuse("area_id", "推進項目を選んでください")),
    }
    let Some(number) = input.number.filter(|n| (1..=999).contains(n)) else {
        return Ok(refuse("number", "No.は1〜999の数字で入力してください"));
    };
    if let Some(other) = db::plan::find_initiative(conn, area_id, number)? {
        if Some(other.id) != except {
            return Ok(refuse(
                "number",
                format!(
                    "この推進項目には No.{number}「{}」が既にあります",
                    other.name
                ),
            ));
        }
    }
    let name = input.name.trim();
    for (field, what, text, required) in [
        ("name", "取組事業名", name, true),
        (
            "related_plan",
            "関係計画名",
            input.related_plan.trim(),
            false,
        ),
        ("plan_years", "計画年数", input.plan_years.trim(), false),
        ("target_scope", "対象部局", input.target_scope.trim(), false),
    ] {
        if let Some(p) = line_problem(what, text, required) {
            return Ok(refuse(field, p));
        }
    }
    let Some(department_id) = input.department_id else {
        return Ok(refuse("department_id", "所管課を選んでください"));
    };
    let active = |conn: &mut DbConnection, id| -> Result<bool, DbError> {
        Ok(db::department::find(conn, id)?.is_some_and(|d| d.active))
    };
    if !active(conn, department_id)? {
        return Ok(refuse("department_id", "有効な所管課を選んでください"));
    }
    for (i, r) in input.related.iter().enumerate() {
        if *r == department_id {
            return Ok(refuse("related", "所管課を関係課にはできません"));
        }
        if input.related[..i].contains(r) {
            return Ok(refuse("related", "同じ関係課が二度選ばれています"));
        }
        if !active(conn, *r)? {
            return Ok(refuse("related", "有効な関係課を選んでください"));
        }
    }
    Ok(Ok(db::plan::Initiative {
        id: except.unwrap_or(InitiativeId(0)),
        area_id,
        number,
        name: name.to_string(),
        department_id,
        related_plan: input.related_plan.trim().to_string(),
        plan_years: input.plan_years.trim().to_string(),
        target_scope: input.target_scope.trim().to_string(),
        retired_from: None,
    }))
}

/// An initiative as the history shows it, with department names.
fn describe(
    conn: &mut DbConnection,
    i: &db::plan::Initiative,
    related: &[DepartmentId],
) -> Result<String, DbError> {
    let mut name = |id: DepartmentId| -> Result<String, DbError> {
        Ok(db::department::find(conn, id)?.map_or_else(|| id.to_string(), |d| d.name))
    };
    let department = name(i.department_id)?;
    let related = related
        .iter()
        .map(|d| name(*d))
        .collect::<Result<Vec<_>, _>>()?
        .join("・");
    let related = if related.is_empty() {
        "なし".to_string()
    } else {
        related
    };
    Ok(format!(
        "No.{} {}（所管課 {department}、関係課 {related}、関係計画名 {}、計画年数 {}、対象部局 {}）",
        i.number, i.name, i.related_plan, i.plan_years, i.target_scope
    ))
}

/// Adds a 取組事業 to a 推進項目 of `plan_id`.
pub fn add_initiative(
    conn: &mut DbConnection,
    actor: &Actor,
    plan_id: PlanId,
    input: &InitiativeInput,
) -> Result<Checked<InitiativeId>, UseCaseError> {
    authorize(actor, Action::ManagePlan, None)?;
    db::write_tx(conn, |conn| {
        let new = match check_initiative(conn, plan_id, input, None)? {
            Ok(i) => i,
            Err(r) => return Ok(Err(r)),
        };
        let made = db::plan::insert_initiative(
            conn,
            new.area_id,
            new.number,
            &new.name,
            new.department_id,
            &input.related,
        )?;
        let stored = db::plan::Initiative { id: made.id, ..new };
        db::plan::update_initiative(conn, &stored)?;
        let detail = describe(conn, &stored, &input.related)?;
        record(conn, actor, AuditAction::InitiativeAdd, detail)?;
        Ok(Ok(made.id))
    })
}

/// Changes a 取組事業: its area or No., name, 所管課, 関係課 and the header
/// texts new sheets start with. Sheets not yet final show the change at
/// once; final sheets keep what they printed.
pub fn edit_initiative(
    conn: &mut DbConnection,
    actor: &Actor,
    id: InitiativeId,
    input: &InitiativeInput,
) -> Result<Checked<()>, UseCaseError> {
    authorize(actor, Action::ManagePlan, None)?;
    db::write_tx(conn, |conn| {
        let old = db::plan::initiative(conn, id)?.ok_or(Denial::NotFound)?;
        let (plan_id, _) = db::plan::area(conn, old.area_id)?.ok_or(Denial::NotFound)?;
        let new = match check_initiative(conn, plan_id, input, Some(id))? {
            Ok(i) => db::plan::Initiative {
                retired_from: old.retired_from,
                ..i
            },
            Err(r) => return Ok(Err(r)),
        };
        let old_related = db::plan::related(conn, id)?;
        let before = describe(conn, &old, &old_related)?;
        let mut from = String::new();
        if let Some(year) = input.applies_from {
            let plan = db::plan::find(conn, plan_id)?.ok_or(Denial::NotFound)?;
            if year < plan.first_year || year > plan.last_year {
                return Ok(refuse(
                    "applies_from",
                    "適用する年度はプランの期間から選んでください",
                ));
            }
            // Earlier years keep the names they were written under (the
            // snapshot final sheets already keep), so their sheets and
            // books print the old 所管課; later sheets follow the move.
            if new.department_id != old.department_id || input.related != old_related {
                let department = db::plan::department_name(conn, old.department_id)?;
                let related = db::plan::related_names(conn, id)?;
                db::sheet::keep_names_before(conn, id, year, &department, &related)?;
            }
            from = format!("（{}から適用）", era_name(year));
        }
        db::plan::update_initiative(conn, &new)?;
        db::plan::set_related(conn, id, &input.related)?;
        let detail = format!("{before} → {}{from}", describe(conn, &new, &input.related)?);
        record(conn, actor, AuditAction::InitiativeEdit, detail)?;
        Ok(Ok(()))
    })
}

/// Retires a 取組事業 from `from_year` on (no sheet from that year; earlier
/// sheets stay), or brings it back (`None`).
pub fn retire_initiative(
    conn: &mut DbConnection,
    actor: &Actor,
    id: InitiativeId,
    from_year: Option<FiscalYear>,
) -> Result<Checked<()>, UseCaseError> {
    authorize(actor, Action::ManagePlan, None)?;
    db::write_tx(conn, |conn| {
        let old = db::plan::initiative(conn, id)?.ok_or(Denial::NotFound)?;
        let (plan_id, _) = db::plan::area(conn, old.area_id)?.ok_or(Denial::NotFound)?;
        let plan = db::plan::find(conn, plan_id)?.ok_or(Denial::NotFound)?;
        if let Some(year) = from_year {
            if year < plan.first_year || year > plan.last_year.next() {
                return Ok(refuse(
                    "from_year",
                    "終了する年度はプランの期間から選んでください",
                ));
            }
        }
        let new = db::plan::Initiative {
            retired_from: from_year,
            ..old.clone()
        };
        db::plan::update_initiative(conn, &new)?;
        let detail = match from_year {
            Some(y) => {
                // Sheets already made for the retired years go when nobody
                // has written in them (only HQ retires, and this entry says
                // which); a sheet with any department input stays.
                let mut removed = Vec::new();
                for (sheet_id, year) in db::sheet::untouched_drafts_from(conn, id, y)? {
                    db::sheet::remove_untouched(conn, sheet_id)?;
                    removed.push(era_name(year));
                }
                let removed = if removed.is_empty() {
                    String::new()
                } else {
                    format!("（未入力の作成中の評価票を削除: {}）", removed.join("・"))
                };
                format!(
                    "No.{} {} を{}から終了{removed}",
                    old.number,
                    old.name,
                    era_name(y)
                )
            }
            None => format!("No.{} {} の終了を取り消し", old.number, old.name),
        };
        record(conn, actor, AuditAction::InitiativeRetire, detail)?;
        Ok(Ok(()))
    })
}

/// What opening a year does to one initiative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// Copied from last year's sheet.
    CarryForward,
    /// No sheet last year: a blank one.
    Blank,
    /// The year's sheet exists and is left as it is.
    Exists,
}

impl Opening {
    pub fn label(self) -> &'static str {
        match self {
            Opening::CarryForward => "前年度から引き継いで作成",
            Opening::Blank => "新しく作成（白紙）",
            Opening::Exists => "作成済み（変更しない）",
        }
    }
}

/// Per active initiative of the plan, what opening `year` would do.
pub fn preview_year(
    conn: &mut DbConnection,
    actor: &Actor,
    plan_id: PlanId,
    year: FiscalYear,
) -> Result<Vec<(db::plan::Initiative, Opening)>, UseCaseError> {
    authorize(actor, Action::ManageRounds, None)?;
    let mut out = Vec::new();
    for initiative in db::plan::initiatives(conn, plan_id)? {
        if !initiative.active_in(year) {
            continue;
        }
        let opening = if sheet::find_id(conn, initiative.id, year)?.is_some() {
            Opening::Exists
        } else if sheet::find_id(conn, initiative.id, year.prev())?.is_some() {
            Opening::CarryForward
        } else {
            Opening::Blank
        };
        out.push((initiative, opening));
    }
    Ok(out)
}

/// Opens `year` of the plan: one sheet per active initiative, carried
/// forward from the year before where there is one, blank otherwise. Only
/// missing sheets are made; none is overwritten. Returns (carried, blank).
pub fn open_year(
    conn: &mut DbConnection,
    actor: &Actor,
    plan_id: PlanId,
    year: FiscalYear,
) -> Result<Checked<(usize, usize)>, UseCaseError> {
    authorize(actor, Action::ManageRounds, None)?;
    db::write_tx(conn, |conn| {
        let plan = db::plan::find(conn, plan_id)?.ok_or(Denial::NotFound)?;
        if year < plan.first_year || year > plan.last_year {
            return Ok(refuse("year", "プランの期間外の年度です"));
        }
        let carried = super::round::carry_forward_year(conn, plan_id, year.prev(), Some(actor))?;
        let mut blank = 0;
        for initiative in db::plan::initiatives(conn, plan_id)? {
            if !initiative.active_in(year) || sheet::find_id(conn, initiative.id, year)?.is_some() {
                continue;
            }
            let id = sheet::insert(
                conn,
                initiative.id,
                year,
                SheetStatus::Draft,
                &blank_content(&initiative),
            )?;
            audit::record(
                conn,
                audit::Entry {
                    user_id: Some(actor.user_id),
                    actor: &actor.login,
                    action: AuditAction::YearOpen,
                    sheet_id: Some(id),
                    from_status: None,
                    to_status: Some(SheetStatus::Draft),
                    detail: "新しい取組事業の評価票を作成".into(),
                },
            )?;
            blank += 1;
        }
        let detail = format!(
            "{}「{}」: 前年度から {carried} 件、新規 {blank} 件を作成",
            era_name(year),
            plan.name
        );
        record(conn, actor, AuditAction::YearOpen, detail)?;
        Ok(Ok((carried, blank)))
    })
}

/// A new initiative's first sheet: the header texts HQ entered, the rest empty.
fn blank_content(initiative: &db::plan::Initiative) -> SheetContent {
    let mut content = SheetContent::default();
    for (slot, text) in [
        (HeaderSlot::RelatedPlan, &initiative.related_plan),
        (HeaderSlot::PlanYears, &initiative.plan_years),
        (HeaderSlot::TargetScope, &initiative.target_scope),
    ] {
        content.texts.set(Field::in_slot(slot), text.as_str());
    }
    content
}
