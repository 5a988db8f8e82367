//! The sheet workbook: downloading a department's sheets to fill in offline,
//! and reading an upload back as a 一時保存 through the same form, validation,
//! round rules and audit as the browser (`app::sheet::save_from`).

use super::sheet::{context, save_from, EditContext, SaveOutcome};
use super::UseCaseError;
use crate::db::{self, DbConnection};
use crate::domain::fiscal_year::{era_name, FiscalYear};
use crate::domain::form::SheetForm;
use crate::domain::ids::SheetId;
use crate::domain::permission::{authorize, Action, Actor, Denial};
use crate::domain::workflow::Event;
use crate::import::sheet_book::UploadedSheet;
use crate::import::workbook::Problem;
use crate::report::view::SheetView;
use crate::report::xlsx::EditableSheet;

/// A sheet ready to be written into a workbook, for a department that may save it now.
pub fn editable(ctx: EditContext) -> Option<EditableSheet> {
    let round = ctx.round?;
    let sheet = ctx.sheet;
    let form = SheetForm::from_content(
        &sheet.content,
        &sheet.indicator_ids,
        sheet.version,
        sheet.fiscal_year,
        &sheet.schedule_years(),
    );
    Some(EditableSheet {
        view: SheetView::new(sheet),
        round,
        form,
    })
}

/// The workbook of one sheet: the actor must be allowed to 一時保存 it now
/// (its department, an open round, a state that allows writing).
pub fn one(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
) -> Result<(String, EditableSheet, crate::domain::form::Choices), UseCaseError> {
    let ctx = context(conn, sheet_id)?.ok_or(Denial::NotFound)?;
    authorize(actor, Action::ViewSheet, Some(&ctx.access()))?;
    authorize(actor, Action::Sheet(Event::Save), Some(&ctx.access()))?;
    let plan = ctx.sheet.context.plan_name.clone();
    let choices = ctx.choices.clone();
    let sheet = editable(ctx).ok_or(Denial::Forbidden)?;
    Ok((plan, sheet, choices))
}

/// Every sheet of `year` the actor may 一時保存 now ("all my sheets").
pub fn all_of_year(
    conn: &mut DbConnection,
    actor: &Actor,
    year: FiscalYear,
) -> Result<(String, Vec<EditableSheet>, crate::domain::form::Choices), UseCaseError> {
    let plan = db::plan::list(conn)?
        .into_iter()
        .next()
        .ok_or(Denial::NotFound)?;
    let mut out = Vec::new();
    let mut choices = None;
    for entry in db::sheet::list_for_year(conn, plan.id, year)? {
        let Some(ctx) = context(conn, entry.sheet_id)? else {
            continue;
        };
        if authorize(actor, Action::Sheet(Event::Save), Some(&ctx.access())).is_err() {
            continue;
        }
        choices.get_or_insert_with(|| ctx.choices.clone());
        if let Some(s) = editable(ctx) {
            out.push(s);
        }
    }
    let choices = match choices {
        Some(c) => c,
        None => db::choice::active(conn)?,
    };
    Ok((plan.name, out, choices))
}

/// One row of the preview: a slot whose text differs somewhere.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    pub place: String,
    pub downloaded: String,
    pub stored: String,
    pub uploaded: String,
}

/// What saving an uploaded worksheet would do.
pub struct Review {
    pub sheet_id: SheetId,
    pub heading: String,
    pub year_label: String,
    /// The sheet was saved since the workbook was made: the three-way view.
    pub stale: bool,
    /// Writable cells whose upload differs from what is stored (or, when
    /// stale, from what was downloaded).
    pub rows: Vec<Row>,
    /// Locked cells someone changed anyway: ignored.
    pub ignored: Vec<Row>,
    /// The form a save posts (stored sheet + uploaded writable cells).
    pub form: SheetForm,
}

/// Checks an uploaded worksheet against the stored sheet; a refusal says why.
/// `expected` is the sheet whose page the upload came from (None: any of the
/// actor's sheets).
pub fn review(
    conn: &mut DbConnection,
    actor: &Actor,
    uploaded: &UploadedSheet,
    expected: Option<SheetId>,
) -> Result<Result<Review, Problem>, UseCaseError> {
    let refuse = |m: String| Ok(Err(Problem::at(uploaded.worksheet.clone(), m)));
    if expected.is_some_and(|id| id != uploaded.sheet_id) {
        let other = match context(conn, uploaded.sheet_id)? {
            Some(c) => format!("（{}）", c.sheet.heading()),
            None => String::new(),
        };
        return refuse(format!(
            "別の評価票{other}のブックです。この評価票のページでダウンロードしたブックを選んでください"
        ));
    }
    let Some(ctx) = context(conn, uploaded.sheet_id)? else {
        return refuse("このブックの評価票が見つかりません".into());
    };
    let sheet = &ctx.sheet;
    if sheet.fiscal_year != uploaded.fiscal_year {
        return refuse(format!(
            "{}のブックですが、この評価票は{}です",
            era_name(uploaded.fiscal_year),
            era_name(sheet.fiscal_year)
        ));
    }
    let access = ctx.access();
    if authorize(actor, Action::Sheet(Event::Save), Some(&access)).is_err() {
        let mine = authorize(actor, Action::ViewSheet, Some(&access)).is_ok()
            && actor.department_id == Some(sheet.context.department_id);
        return refuse(if mine {
            format!(
                "この評価票は今は保存できません（状態: {}、受付: {}）",
                sheet.status.label(),
                ctx.round.map_or("なし", |r| r.label())
            )
        } else {
            format!(
                "この評価票（所管課: {}）を保存する権限がありません",
                sheet.context.department
            )
        });
    }
    if ctx.round != Some(uploaded.round) {
        return refuse(format!(
            "このブックは{}{}の受付中に作ったものですが、その受付は終了しています。新しくダウンロードし直してください",
            era_name(uploaded.fiscal_year),
            uploaded.round.label()
        ));
    }
    let round = uploaded.round;
    let fy = sheet.fiscal_year;
    let stored = SheetForm::from_content(
        &sheet.content,
        &sheet.indicator_ids,
        sheet.version,
        fy,
        &sheet.schedule_years(),
    );
    let mut form = stored.clone();
    form.version = uploaded.version;
    let stale = uploaded.version != sheet.version;
    let mut rows = Vec::new();
    let mut ignored = Vec::new();
    for cell in &uploaded.cells {
        let now = cell.slot.get(&stored).to_string();
        let row = Row {
            label: cell.slot.label(fy),
            place: cell.place.clone(),
            downloaded: cell.downloaded.clone(),
            stored: now.clone(),
            uploaded: cell.uploaded.clone(),
        };
        if !cell.slot.writable(round) {
            if cell.uploaded != cell.downloaded {
                ignored.push(row);
            }
            continue;
        }
        cell.slot.set(&mut form, &cell.uploaded);
        let differs = cell.uploaded != now || (stale && cell.downloaded != now);
        if differs {
            rows.push(row);
        }
    }
    Ok(Ok(Review {
        sheet_id: sheet.id,
        heading: format!("{} {}", sheet.heading(), sheet.name()),
        year_label: era_name(fy),
        stale,
        rows,
        ignored,
        form,
    }))
}

/// Saves a reviewed upload as a 一時保存 (audit: from a workbook).
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    review: &Review,
) -> Result<SaveOutcome, UseCaseError> {
    save_from(
        conn,
        actor,
        review.sheet_id,
        &review.form,
        false,
        Some("workbook"),
    )
}
