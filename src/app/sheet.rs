//! The department writes its sheet: 一時保存 and 提出. One transaction ties the
//! permission check, validation, optimistic locking, the write and the audit
//! entry together. No HTTP here.

use diesel::Connection;

use super::{notify, record_step, UseCaseError};
use crate::db::sheet::ListEntry;
use crate::db::{self, DbConnection, DbError};
use crate::domain::change::diff;
use crate::domain::field::Field;
use crate::domain::form::{Choices, FieldError, SheetForm, Target};
use crate::domain::ids::SheetId;
use crate::domain::notice::{step_audience, step_notice};
use crate::domain::permission::{authorize, Action, Actor, Denial, SheetAccess};
use crate::domain::round::RoundKind;
use crate::domain::sheet::Sheet;
use crate::domain::workflow::{Event, SheetStatus, WorkflowError};

/// A sheet with what editing it needs to know.
pub struct EditContext {
    pub sheet: Sheet,
    pub round: Option<RoundKind>,
    pub deadline: Option<chrono::NaiveDate>,
    pub choices: Choices,
}

impl EditContext {
    pub fn access(&self) -> SheetAccess {
        access(&self.sheet, self.round)
    }
}

/// A list entry as permissions see it, so lists ask the same table as pages.
pub fn entry_access(entry: &ListEntry, round: Option<RoundKind>) -> SheetAccess {
    SheetAccess {
        department_id: entry.department_id,
        related_department_ids: entry.related_department_ids.clone(),
        status: entry.status,
        round,
    }
}

/// Whether `actor` may `action` the sheet of a list entry: the same question
/// the sheet's own page asks.
pub fn entry_allows(
    actor: &Actor,
    action: Action,
    entry: &ListEntry,
    round: Option<RoundKind>,
) -> bool {
    authorize(actor, action, Some(&entry_access(entry, round))).is_ok()
}

pub fn access(sheet: &Sheet, round: Option<RoundKind>) -> SheetAccess {
    SheetAccess {
        department_id: sheet.context.department_id,
        related_department_ids: sheet.context.related_department_ids.clone(),
        status: sheet.status,
        round,
    }
}

/// Loads a sheet with its round and choices; None when there is no such sheet.
pub fn context(conn: &mut DbConnection, sheet_id: SheetId) -> Result<Option<EditContext>, DbError> {
    let Some(sheet) = db::sheet::load(conn, sheet_id)? else {
        return Ok(None);
    };
    let round = db::round::open_round(conn, sheet.context.plan_id, sheet.fiscal_year)?;
    let choices = db::choice::active(conn)?;
    Ok(Some(EditContext {
        round: round.as_ref().map(|r| r.kind),
        deadline: round.and_then(|r| r.deadline),
        sheet,
        choices,
    }))
}

/// Loads a sheet the actor may see.
pub fn visible(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    action: Action,
) -> Result<EditContext, UseCaseError> {
    let ctx = context(conn, sheet_id)?.ok_or(Denial::NotFound)?;
    authorize(actor, action, Some(&ctx.access()))?;
    Ok(ctx)
}

/// What the sheet page shows besides the sheet, read on the same connection
/// checkout as the sheet (never loading it again): the comment and opinion
/// threads, the plan's 達成率 rule and bands, and, for whoever may see every
/// sheet, which fields repeat last year's.
pub struct PageExtras {
    pub comments: Vec<crate::db::comment::CommentRow>,
    pub opinions: Vec<crate::db::opinion::OpinionRow>,
    pub settings: crate::db::indicator::Settings,
    pub bands: Vec<crate::domain::indicator::Band>,
    pub marks: Vec<(Field, crate::domain::indicator::Likeness)>,
}

pub fn page_extras(
    conn: &mut DbConnection,
    actor: &Actor,
    ctx: &EditContext,
) -> Result<PageExtras, UseCaseError> {
    let (id, access) = (ctx.sheet.id, ctx.access());
    let comments = super::comment::list(conn, actor, id, &access)?;
    let opinions = super::opinion::list(conn, actor, id, &access)?;
    let (settings, bands) = super::indicator::rules_in_force(conn, ctx.sheet.context.plan_id)?;
    let marks = if authorize(actor, Action::ViewAllSheets, None).is_ok() {
        super::indicator::marks(&last_year(conn, ctx)?, &ctx.sheet.content.texts)
    } else {
        Vec::new()
    };
    Ok(PageExtras {
        comments,
        opinions,
        settings,
        bands,
        marks,
    })
}

/// What the edit form shows besides the sheet, read with it: the comment
/// thread (for the per-field counts) and the same initiative's texts a year
/// before (for the copy marks, compared with the form as it is shown).
pub struct FormExtras {
    pub comments: Vec<crate::db::comment::CommentRow>,
    pub last_year: crate::domain::field::Texts,
}

pub fn form_extras(
    conn: &mut DbConnection,
    actor: &Actor,
    ctx: &EditContext,
) -> Result<FormExtras, UseCaseError> {
    Ok(FormExtras {
        comments: super::comment::list(conn, actor, ctx.sheet.id, &ctx.access())?,
        last_year: last_year(conn, ctx)?,
    })
}

/// The same initiative's texts a year before (the copy marks' reference).
fn last_year(
    conn: &mut DbConnection,
    ctx: &EditContext,
) -> Result<crate::domain::field::Texts, DbError> {
    db::indicator::texts_of_initiative(
        conn,
        ctx.sheet.context.initiative_id,
        ctx.sheet.fiscal_year.prev(),
    )
}

/// A form kept for its user (`db::draft`), as posted: name → value.
pub type KeptForm = Vec<(String, String)>;

/// A sheet the actor may `action`, with the form kept under `draft` (if
/// any, and only if it is the actor's own): how the sheet page and the edit
/// form begin.
pub fn visible_with_draft(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    action: Action,
    draft: Option<&crate::domain::draft::DraftToken>,
) -> Result<(EditContext, Option<KeptForm>), UseCaseError> {
    let ctx = visible(conn, actor, sheet_id, action)?;
    let restored = match draft {
        Some(token) => db::draft::find(conn, token, actor.user_id, sheet_id)?,
        None => None,
    };
    Ok((ctx, restored))
}

pub enum SaveOutcome {
    Saved {
        version: i32,
        status: SheetStatus,
    },
    /// Nothing written: the form has errors; re-show it with them.
    Invalid {
        ctx: Box<EditContext>,
        errors: Vec<FieldError>,
    },
    /// Nothing written: submitting needs these fields filled.
    Missing {
        ctx: Box<EditContext>,
        missing: Vec<Field>,
    },
    /// Nothing written: someone saved the sheet after this form was opened.
    Stale {
        ctx: Box<EditContext>,
    },
}

/// Saves (and, with `submit`, submits) a department's form.
pub fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    form: &SheetForm,
    submit: bool,
) -> Result<SaveOutcome, UseCaseError> {
    save_from(conn, actor, sheet_id, form, submit, None)
}

/// Like `save`; `source` (e.g. "workbook") goes into the audit entry, so the
/// history says where the text came from.
pub fn save_from(
    conn: &mut DbConnection,
    actor: &Actor,
    sheet_id: SheetId,
    form: &SheetForm,
    submit: bool,
    source: Option<&str>,
) -> Result<SaveOutcome, UseCaseError> {
    let ctx = conn.transaction(|conn| context(conn, sheet_id))?;
    save_loaded(
        conn,
        actor,
        ctx.ok_or(Denial::NotFound)?,
        form,
        submit,
        source,
    )
}

/// Saves a form against the sheet as the handler loaded it (`ctx`, read
/// before any lock). Permission, validation and the diff are worked out on
/// that copy; only the write and its audit entry run in the write
/// transaction (on SQLite the database's one write lock), and the write
/// happens only if the sheet is still at the version read, so a save in
/// between is caught as it would be inside one transaction: every change of
/// a sheet, its state included, raises its version.
pub fn save_loaded(
    conn: &mut DbConnection,
    actor: &Actor,
    ctx: EditContext,
    form: &SheetForm,
    submit: bool,
    source: Option<&str>,
) -> Result<SaveOutcome, UseCaseError> {
    let event = if submit { Event::Submit } else { Event::Save };
    let to =
        authorize(actor, Action::Sheet(event), Some(&ctx.access()))?.ok_or(Denial::Forbidden)?;
    let round = ctx
        .round
        .ok_or(Denial::Workflow(WorkflowError::NoOpenRound))?;
    let fy = ctx.sheet.fiscal_year;
    let errors = form.validate(round, &ctx.choices, &ctx.sheet.content, fy);
    if !errors.is_empty() {
        return Ok(SaveOutcome::Invalid {
            ctx: Box::new(ctx),
            errors,
        });
    }
    if form.version != ctx.sheet.version {
        return Ok(SaveOutcome::Stale { ctx: Box::new(ctx) });
    }
    if submit {
        if let Some(refused) = refuse_submit(form, round) {
            return Ok(match refused {
                Refused::Missing(missing) => SaveOutcome::Missing {
                    ctx: Box::new(ctx),
                    missing,
                },
                Refused::Unconfirmed(errors) => SaveOutcome::Invalid {
                    ctx: Box::new(ctx),
                    errors,
                },
            });
        }
    }
    let (content, ids) = form.apply(&ctx.sheet.content, &ctx.sheet.indicator_ids, fy, round);
    let changes = diff(&ctx.sheet.content, &content, fy);
    // Submitting clears HQ's last return reason; saving keeps it in view.
    let reason = if submit {
        ""
    } else {
        ctx.sheet.return_reason.as_str()
    };
    let mut detail = serde_json::json!({ "round": round.code(), "changes": changes });
    if let Some(source) = source {
        detail["source"] = source.into();
    }
    let sheet_id = ctx.sheet.id;
    let written = db::write_tx(conn, |conn| {
        let Some(version) =
            db::sheet::save(conn, &ctx.sheet, form.version, &content, &ids, to, reason)?
        else {
            return Ok::<_, UseCaseError>(None);
        };
        record_step(conn, actor, sheet_id, event, (ctx.sheet.status, to), detail)?;
        if let Some(audience) = step_audience(event) {
            let title = notify::title(&ctx.sheet);
            let notice = step_notice(event, &title, &actor.display_name, "");
            notify::tell_sheet(conn, &ctx.sheet, audience, &notice)?;
        }
        Ok(Some(version))
    })?;
    match written {
        Some(version) => Ok(SaveOutcome::Saved {
            version,
            status: to,
        }),
        // Someone saved in between: show the sheet as it is now.
        None => {
            let now = conn.transaction(|conn| context(conn, sheet_id))?;
            Ok(SaveOutcome::Stale {
                ctx: Box::new(now.ok_or(Denial::NotFound)?),
            })
        }
    }
}

enum Refused {
    Missing(Vec<Field>),
    Unconfirmed(Vec<FieldError>),
}

/// Why a form may not be submitted as it is: fields still empty, or the
/// confirmation box not ticked.
fn refuse_submit(form: &SheetForm, round: RoundKind) -> Option<Refused> {
    let missing = form.missing_for_submit(round);
    if !missing.is_empty() {
        return Some(Refused::Missing(missing));
    }
    (!form.confirmed).then(|| {
        Refused::Unconfirmed(vec![FieldError {
            target: Target::Confirm,
            message:
                "提出する前に、確認欄にチェックを入れてください（入力内容は保存されていません）"
                    .into(),
        }])
    })
}
