//! The department's edit form: laid out like the paper sheet, works without
//! JavaScript, and never loses what was typed (validation errors, a
//! colleague's save in between, an expired session). Fields come from the
//! registry; their HTML names from `sheet_form`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::draft::{Poster, SheetPost};
use super::error::page_with_status;
use super::form::{field, PostedForm};
use super::see_other;
use super::sheet_form::{self, action_cell_input, action_text_input, indicator_input};
use super::sheets::PageQuery;
use super::{run_use_case, with_conn, AppError, CurrentUser, Nav};
use crate::app::sheet::{self as sheet_use_case, EditContext, SaveOutcome};
use crate::db::{self, DbPool};
use crate::domain::change::{diff, Change};
use crate::domain::draft::DraftToken;
use crate::domain::field::{ChoiceList, Field, HeaderSlot, Input, Part, Place, Writer};
use crate::domain::fiscal_year::{era_name, short, wareki_date, wareki_datetime};
use crate::domain::form::{FieldError, IndicatorCell, SheetForm, MAX_ROWS};
use crate::domain::ids::SheetId;
use crate::domain::indicator::QUALITATIVE_METHOD;
use crate::domain::indicator::{propose_direction, Direction};
use crate::domain::permission::Action;
use crate::domain::round::RoundKind;
use crate::domain::sheet::Period;
use crate::domain::workflow::Event;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sheets/{id}/edit", web::get().to(edit_form))
        .route("/sheets/{id}/edit", web::post().to(save));
}

/// One text field of the form.
struct FieldView {
    name: &'static str,
    label: String,
    editable: bool,
    value: String,
    /// A dropdown instead of a textarea.
    options: Option<Vec<String>>,
    rows: u8,
    error: Option<String>,
    /// 「前年度と同じ」/「前年度とほぼ同じ」 when the text repeats last year's.
    mark: Option<&'static str>,
}

/// A body row in paper order, with the field printed beside it (if any).
struct BodyRowView {
    field: FieldView,
    beside: Option<FieldView>,
}

struct ActionRowView {
    index: usize,
    text_name: String,
    text: String,
    /// (input name, year label, value, options)
    cells: Vec<(String, String, String, Vec<String>)>,
}

/// One 目標 cell: its input name and value.
struct CellView {
    name: String,
    value: String,
}

struct IndicatorRowView {
    index: usize,
    key: String,
    name: CellView,
    method: CellView,
    methods: Vec<String>,
    direction: CellView,
    /// The direction the numbers suggest, shown as the 「自動」 choice.
    proposed: &'static str,
    baseline: CellView,
    past: Vec<String>,
    first_half: CellView,
    current: CellView,
    full_year: CellView,
    target: CellView,
    /// 定性の状況: offered on 定性 rows (and new rows, whose method is not
    /// chosen yet), so the form works without script.
    status: CellView,
    statuses: Vec<String>,
    show_status: bool,
}

/// A message in the summary at the top, linking to its input.
struct ErrorView {
    name: String,
    message: String,
}

#[derive(Template)]
#[template(path = "sheets/edit.html")]
struct EditPage {
    nav: Option<Nav>,
    csrf: String,
    sheet_id: SheetId,
    heading: String,
    name: String,
    year_label: String,
    status: &'static str,
    round: &'static str,
    deadline: Option<String>,
    related_plan: String,
    plan_years: String,
    department: String,
    related_departments: String,
    target_scope: String,
    return_reason: String,
    version: i32,
    draft: String,
    schedule_labels: Vec<String>,
    actions: Vec<ActionRowView>,
    can_rows: bool,
    can_indicators: bool,
    /// The 方向 choices besides 「自動」.
    directions: Vec<Direction>,
    can_first_half: bool,
    can_year_end: bool,
    past_labels: Vec<String>,
    first_half_label: String,
    full_year_label: String,
    baseline_label: String,
    target_label: String,
    indicators: Vec<IndicatorRowView>,
    /// 関連する取組事業 and 特記事項.
    header_fields: Vec<FieldView>,
    body: Vec<BodyRowView>,
    errors: Vec<ErrorView>,
    /// (input name, label) of each field 提出 still needs.
    missing: Vec<(String, String)>,
    /// Comments pinned to each field (by key), shown beside its label.
    comment_counts: std::collections::HashMap<String, usize>,
    conflict: Vec<Change>,
    /// 「DX推進課 担当さんが令和7年10月3日 14:05に」: who saved in between, and when.
    conflict_by: Option<String>,
    notice: Option<String>,
}

impl EditPage {
    /// How many comments are pinned to the field `name`.
    fn comments_on(&self, name: &str) -> usize {
        self.comment_counts.get(name).copied().unwrap_or(0)
    }

    /// The message for one row input, if it has one.
    fn err_owned(&self, name: String) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.message.clone())
    }
}

/// Options for a dropdown: the list, plus the current value if HQ has since
/// removed it, so a stored value is never silently changed.
fn options(list: &[String], current: &str) -> Vec<String> {
    let mut v = vec![String::new()];
    v.extend(list.iter().cloned());
    if !current.is_empty() && !list.iter().any(|c| c == current) {
        v.push(current.to_string());
    }
    v
}

/// What the page needs besides the form: the sheet, its round, the messages.
struct Build<'a> {
    ctx: &'a EditContext,
    form: &'a SheetForm,
    round: RoundKind,
    errors: HashMap<String, String>,
}

impl Build<'_> {
    fn field(&self, field: Field) -> FieldView {
        let def = field.def();
        let value = self.form.texts.get(field).to_string();
        let (options, rows) = match def.input {
            Input::Choice(list) => (Some(options(self.ctx.choices.get(list), &value)), 1),
            Input::Text(rows) => (None, rows),
        };
        FieldView {
            name: def.key,
            label: field.label(self.ctx.sheet.fiscal_year),
            editable: field.department_writes_in(self.round),
            // Fields the department does not write show what is stored.
            value: if field.department_writes_in(self.round) {
                value
            } else {
                self.ctx.sheet.content.texts.get(field).to_string()
            },
            options,
            rows,
            error: self.errors.get(def.key).cloned(),
            mark: None,
        }
    }

    fn body(&self) -> Vec<BodyRowView> {
        let stored = &self.ctx.sheet.content.texts;
        Field::all()
            .filter(|f| f.has_body_row(stored))
            .map(|f| BodyRowView {
                field: self.field(f),
                beside: f.beside().map(|b| self.field(b)),
            })
            .collect()
    }

    fn actions(&self) -> Vec<ActionRowView> {
        let schedule = self.ctx.choices.get(ChoiceList::Schedule);
        self.form
            .action_items
            .iter()
            .enumerate()
            .map(|(index, row)| ActionRowView {
                index,
                text_name: action_text_input(index),
                text: row.text.clone(),
                cells: row
                    .cells
                    .iter()
                    .map(|(y, v)| {
                        let name = action_cell_input(index, *y);
                        (name, era_name(*y), v.clone(), options(schedule, v))
                    })
                    .collect(),
            })
            .collect()
    }

    fn indicators(&self) -> Vec<IndicatorRowView> {
        let sheet = &self.ctx.sheet;
        let methods = self.ctx.choices.get(ChoiceList::Method);
        let statuses = self.ctx.choices.get(ChoiceList::QualitativeStatus);
        self.form
            .indicators
            .iter()
            .enumerate()
            .map(|(index, row)| {
                let stored = row.key.and_then(|k| {
                    let pos = sheet.indicator_ids.iter().position(|id| *id == k)?;
                    sheet.content.indicators.get(pos)
                });
                let cell = |c: IndicatorCell| CellView {
                    name: indicator_input(index, c),
                    value: row.get(c).to_string(),
                };
                IndicatorRowView {
                    index,
                    key: row.key.map_or(String::new(), |k| k.to_string()),
                    methods: options(methods, row.get(IndicatorCell::Method)),
                    past: sheet
                        .actual_years()
                        .iter()
                        .map(|y| stored.map_or("", |s| s.value(*y, Period::FullYear)).into())
                        .collect(),
                    name: cell(IndicatorCell::Name),
                    method: cell(IndicatorCell::Method),
                    direction: cell(IndicatorCell::Direction),
                    proposed: short_direction(propose_direction(
                        row.get(IndicatorCell::Method),
                        row.get(IndicatorCell::Baseline),
                        row.get(IndicatorCell::Target),
                    )),
                    baseline: cell(IndicatorCell::Baseline),
                    first_half: cell(IndicatorCell::FirstHalf),
                    current: cell(IndicatorCell::Current),
                    full_year: cell(IndicatorCell::FullYear),
                    target: cell(IndicatorCell::Target),
                    statuses: options(statuses, row.get(IndicatorCell::Status)),
                    show_status: {
                        let method = row.get(IndicatorCell::Method).trim();
                        method == QUALITATIVE_METHOD
                            || method.is_empty()
                            || !row.get(IndicatorCell::Status).is_empty()
                    },
                    status: cell(IndicatorCell::Status),
                }
            })
            .collect()
    }
}

/// 「↓」 for a direction in the narrow 評価方法 cell; 「定性」 has no arrow.
fn short_direction(d: Direction) -> &'static str {
    match d.arrow() {
        "" => d.label(),
        arrow => arrow,
    }
}

fn build(
    user: &CurrentUser,
    ctx: &EditContext,
    form: &SheetForm,
    round: RoundKind,
    errors: &[FieldError],
) -> EditPage {
    let errors: Vec<ErrorView> = errors
        .iter()
        .map(|e| ErrorView {
            name: sheet_form::input_name(e.target),
            message: e.message.clone(),
        })
        .collect();
    let b = Build {
        ctx,
        form,
        round,
        errors: errors
            .iter()
            .map(|e| (e.name.clone(), e.message.clone()))
            .collect(),
    };
    let sheet = &ctx.sheet;
    let fy = sheet.fiscal_year;
    let slot = |s| sheet.content.texts.slot(s).to_string();
    EditPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        sheet_id: sheet.id,
        heading: sheet.heading(),
        name: sheet.name().to_string(),
        year_label: era_name(fy),
        status: sheet.status.label(),
        round: round.label(),
        deadline: ctx.deadline.map(wareki_date),
        related_plan: slot(HeaderSlot::RelatedPlan),
        plan_years: slot(HeaderSlot::PlanYears),
        department: sheet.context.department.clone(),
        related_departments: sheet.context.related_departments.join("　"),
        target_scope: slot(HeaderSlot::TargetScope),
        return_reason: sheet.return_reason.clone(),
        version: form.version,
        draft: String::new(),
        schedule_labels: sheet.schedule_years().into_iter().map(era_name).collect(),
        actions: b.actions(),
        can_rows: Part::ActionItems.department_writes_in(round),
        can_indicators: Part::IndicatorDefinitions.department_writes_in(round),
        directions: Direction::ALL.to_vec(),
        can_first_half: Part::IndicatorFirstHalf.department_writes_in(round),
        can_year_end: Part::IndicatorYearEnd.department_writes_in(round),
        past_labels: sheet
            .actual_years()
            .into_iter()
            .map(|y| format!("{}実績", short(y)))
            .collect(),
        first_half_label: format!("{}実績(上半期)", short(fy)),
        full_year_label: format!("{}実績(通年)", short(fy)),
        baseline_label: sheet.baseline_label(),
        target_label: sheet.target_label(),
        indicators: b.indicators(),
        header_fields: Field::all()
            // The header cells the department writes; the plan's are above.
            .filter(|f| matches!(f.def().place, Place::Header(_)))
            .filter(|f| f.def().writer != Writer::Plan)
            .map(|f| b.field(f))
            .collect(),
        body: b.body(),
        errors,
        missing: Vec::new(),
        comment_counts: Default::default(),
        conflict: Vec::new(),
        conflict_by: None,
        notice: None,
    }
}

fn respond(status: StatusCode, page_data: &EditPage) -> Result<HttpResponse, AppError> {
    page_with_status(page_data, status)
}

fn no_round() -> AppError {
    AppError::Conflict("受付期間（ラウンド）が開いていないため編集できません".into())
}

async fn edit_form(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<SheetId>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let draft_token = query.draft.clone();
    let actor = user.actor.clone();
    // The sheet, the kept form, the comments and last year's texts on one
    // connection checkout.
    let (ctx, draft, extras) = run_use_case(&pool, move |conn| {
        db::read_tx(conn, |conn| {
            let (ctx, draft) = sheet_use_case::visible_with_draft(
                conn,
                &actor,
                id,
                Action::Sheet(Event::Save),
                draft_token.as_ref(),
            )?;
            let extras = sheet_use_case::form_extras(conn, &actor, &ctx)?;
            Ok((ctx, draft, extras))
        })
    })
    .await?;
    let round = ctx.round.ok_or_else(no_round)?;
    let schedule_years = ctx.sheet.schedule_years();
    let restored = draft.and_then(|pairs| sheet_form::parse(&pairs, &schedule_years).ok());
    let form = restored.clone().unwrap_or_else(|| {
        SheetForm::from_content(
            &ctx.sheet.content,
            &ctx.sheet.indicator_ids,
            ctx.sheet.version,
            ctx.sheet.fiscal_year,
            &schedule_years,
        )
    });
    let mut view = build(&user, &ctx, &form, round, &[]);
    view.comment_counts =
        super::comments::build(&user.actor, &ctx, extras.comments, Default::default()).counts;
    let marks = crate::app::indicator::marks(&extras.last_year, &form.texts);
    for row in &mut view.body {
        let fields = std::iter::once(&mut row.field).chain(row.beside.as_mut());
        for f in fields {
            f.mark = marks
                .iter()
                .find(|(field, _)| field.key() == f.name)
                .map(|(_, l)| l.label());
        }
    }
    if restored.is_some() {
        view.draft = query
            .draft
            .as_ref()
            .map_or(String::new(), |t| t.to_string());
        view.notice = Some(
            "セッションが切れる前に入力された内容を復元しました。内容を確認して保存してください。"
                .into(),
        );
    } else if query.done.as_deref() == Some("save") {
        view.notice = Some("一時保存しました。".into());
    }
    respond(StatusCode::OK, &view)
}

async fn comment_counts(
    pool: &DbPool,
    user: &CurrentUser,
    ctx: &EditContext,
) -> Result<std::collections::HashMap<String, usize>, AppError> {
    Ok(super::comments::load(pool, user, ctx, Default::default())
        .await?
        .counts)
}

/// A posted form and what re-showing it needs.
struct Posted {
    user: CurrentUser,
    form: SheetForm,
    /// The restored draft this form continues (removed once saved).
    draft: Option<DraftToken>,
    round: RoundKind,
}

impl Posted {
    /// The form again, with the per-field comment counts the GET shows.
    async fn reshow(
        &self,
        pool: &DbPool,
        ctx: &EditContext,
        errors: &[FieldError],
    ) -> Result<EditPage, AppError> {
        let mut view = build(&self.user, ctx, &self.form, self.round, errors);
        view.draft = self.draft.as_ref().map_or(String::new(), |t| t.to_string());
        view.comment_counts = comment_counts(pool, &self.user, ctx).await?;
        Ok(view)
    }
}

/// What the one database turn of a posted form found: the form to show
/// again, or what the save did.
enum Posting {
    Reshow(Box<EditContext>, SheetForm, RoundKind),
    Saved(SheetForm, RoundKind, SaveOutcome),
}

async fn save(
    poster: Poster,
    pool: web::Data<DbPool>,
    path: web::Path<SheetId>,
    body: PostedForm,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let PostedForm { pairs, bad_fields } = body;
    let post = SheetPost {
        sheet_id: id,
        action: Action::Sheet(Event::Save),
        pairs: &pairs,
        back: format!("/sheets/{id}/edit"),
    };
    let user = match poster.user(&pool, post).await? {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    let op = field(&pairs, "op").to_string();
    let row_op = sheet_form::parse_row_op(&op);
    let submit = match op.as_str() {
        "save" | "" => Some(false),
        "submit" => Some(true),
        _ => None,
    };
    if row_op.is_none() && submit.is_none() {
        return Err(AppError::BadRequest("操作の指定が正しくありません".into()));
    }
    // A plain save writes on the same connection checkout that loaded the
    // sheet; the sheet as just loaded is the one the save checks and diffs
    // against, and the write itself is version-checked.
    let write = submit.filter(|_| bad_fields.is_empty() && row_op.is_none());
    // A draft field that is not a token names no draft.
    let draft = field(&pairs, "draft").parse().ok();
    let actor = user.actor.clone();
    let posting = run_use_case(&pool, move |conn| {
        let ctx = sheet_use_case::visible(conn, &actor, id, Action::Sheet(Event::Save))?;
        let Some(round) = ctx.round else {
            return Ok(Err(no_round()));
        };
        let form = match sheet_form::parse(&pairs, &ctx.sheet.schedule_years()) {
            Ok(form) => form,
            Err(message) => return Ok(Err(AppError::BadRequest(message))),
        };
        Ok(Ok(match write {
            Some(submit) => {
                let outcome = sheet_use_case::save_loaded(conn, &actor, ctx, &form, submit, None)?;
                Posting::Saved(form, round, outcome)
            }
            None => Posting::Reshow(Box::new(ctx), form, round),
        }))
    })
    .await??;
    match posting {
        Posting::Saved(form, round, outcome) => {
            let posted = Posted {
                form,
                draft,
                user,
                round,
            };
            after_save(&pool, id, write.unwrap_or(false), outcome, posted).await
        }
        Posting::Reshow(ctx, form, round) => {
            let mut posted = Posted {
                form,
                draft,
                user,
                round,
            };
            if !bad_fields.is_empty() {
                // Re-show what arrived, with the fields that cannot be taken
                // as typed (bytes that are not UTF-8, control characters) marked.
                let mut view = posted.reshow(&pool, &ctx, &[]).await?;
                view.errors = bad_fields
                    .iter()
                    .map(|bad| ErrorView {
                        name: bad.name.clone(),
                        message: bad.problem.message().into(),
                    })
                    .collect();
                return respond(StatusCode::BAD_REQUEST, &view);
            }
            let schedule_years = ctx.sheet.schedule_years();
            let added = row_op.is_none_or(|op| posted.form.apply_row_op(op, &schedule_years));
            let mut view = posted.reshow(&pool, &ctx, &[]).await?;
            if !added {
                view.notice = Some(format!("行は{MAX_ROWS}行までです"));
            }
            respond(StatusCode::OK, &view)
        }
    }
}

/// Redirects after a save, or re-shows the form with why nothing was written.
async fn after_save(
    pool: &DbPool,
    id: SheetId,
    submit: bool,
    outcome: SaveOutcome,
    mut posted: Posted,
) -> Result<HttpResponse, AppError> {
    match outcome {
        SaveOutcome::Saved { .. } => {
            if let Some(token) = posted.draft {
                let owner = posted.user.actor.user_id;
                with_conn(pool, move |conn| db::draft::remove(conn, &token, owner)).await?;
            }
            Ok(see_other(&if submit {
                format!("/sheets/{id}?done=submit")
            } else {
                format!("/sheets/{id}/edit?done=save")
            }))
        }
        SaveOutcome::Invalid { ctx, errors } => respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            &posted.reshow(pool, &ctx, &errors).await?,
        ),
        SaveOutcome::Missing { ctx, missing } => {
            let mut view = posted.reshow(pool, &ctx, &[]).await?;
            let fy = ctx.sheet.fiscal_year;
            view.missing = missing
                .into_iter()
                .map(|f| (f.key().to_string(), f.label(fy)))
                .collect();
            respond(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        SaveOutcome::Stale { ctx } => {
            // Show the user's text beside what is stored now; the form keeps
            // theirs and carries the current version, so saving again merges.
            let sheet = &ctx.sheet;
            let fy = sheet.fiscal_year;
            let round = posted.round;
            let (mine, _) = posted
                .form
                .apply(&sheet.content, &sheet.indicator_ids, fy, round);
            let conflict = diff(&sheet.content, &mine, fy);
            posted.form.version = sheet.version;
            let sheet_id = sheet.id;
            let last =
                with_conn(pool, move |conn| db::audit::last_for_sheet(conn, sheet_id)).await?;
            let mut view = posted.reshow(pool, &ctx, &[]).await?;
            view.conflict = conflict;
            view.conflict_by =
                last.map(|(at, who)| format!("{who}さんが{}に", wareki_datetime(at)));
            respond(StatusCode::CONFLICT, &view)
        }
    }
}
