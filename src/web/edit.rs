//! The department's edit form: laid out like the paper sheet, works without
//! JavaScript, and never loses what was typed (validation errors, a
//! colleague's save in between, an expired session).

use actix_session::Session;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::{
    csrf::csrf_posted,
    form::{field, PostedForm, BAD_ENCODING},
    see_other,
    session::MaybeUser,
};
use actix_web::http::StatusCode;

use super::error::page_with_status;
use super::sheets::{load_with_draft, PageQuery};
use super::{run_use_case, with_conn, AppError, CurrentUser, Nav};
use crate::db::{self, DbPool};
use crate::domain::fiscal_year::{era_name, short};
use crate::domain::form::{diff, Change, FieldError, RowOp, SheetForm};
use crate::domain::permission::Action;
use crate::domain::round::{editable, Field, RoundKind};
use crate::domain::sheet::Period;
use crate::domain::workflow::Event;
use crate::sheet_edit::{self, EditContext, SaveOutcome};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sheets/{id}/edit", web::get().to(edit_form))
        .route("/sheets/{id}/edit", web::post().to(save));
}

/// One body row of the form, in paper order.
struct BodyField {
    name: &'static str,
    label: String,
    editable: bool,
    value: String,
    /// A dropdown instead of a textarea.
    options: Option<Vec<String>>,
}

struct ActionRowView {
    index: usize,
    text: String,
    cells: Vec<(i32, String, Vec<String>)>,
}

struct IndicatorRowView {
    index: usize,
    key: String,
    name: String,
    method: String,
    methods: Vec<String>,
    baseline: String,
    past: Vec<String>,
    first_half: String,
    current: String,
    full_year: String,
    target: String,
}

#[derive(Template)]
#[template(path = "sheets/edit.html")]
struct EditPage {
    nav: Option<Nav>,
    csrf: String,
    sheet_id: i32,
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
    schedule_labels: Vec<(i32, String)>,
    actions: Vec<ActionRowView>,
    can_rows: bool,
    can_indicators: bool,
    can_first_half: bool,
    can_year_end: bool,
    past_labels: Vec<String>,
    first_half_label: String,
    full_year_label: String,
    baseline_label: String,
    target_label: String,
    indicators: Vec<IndicatorRowView>,
    /// 関連する取組事業 and 特記事項.
    header_fields: Vec<BodyField>,
    body: Vec<BodyField>,
    dept_reason: BodyField,
    errors: Vec<FieldError>,
    missing: Vec<String>,
    conflict: Vec<Change>,
    notice: Option<String>,
}

impl EditPage {
    /// The message for one input, if it has one.
    fn err(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.message.as_str())
    }

    fn err_owned(&self, name: String) -> Option<String> {
        self.err(&name).map(str::to_string)
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

fn build(user: &CurrentUser, ctx: &EditContext, form: &SheetForm, round: RoundKind) -> EditPage {
    let sheet = &ctx.sheet;
    let fy = sheet.fiscal_year;
    let schedule_years = sheet.schedule_years();
    let can = |f: Field| editable(round, f);
    let text_field = |field: Field, name: &'static str, options: Option<Vec<String>>| BodyField {
        name,
        label: crate::domain::form::field_label(field, fy),
        editable: can(field),
        value: form.text(field).to_string(),
        options,
    };
    let body = vec![
        text_field(Field::Content, "content", None),
        text_field(Field::PlanForYear, "plan_for_year", None),
        text_field(Field::H1Actions, "h1_actions", None),
        text_field(
            Field::H1Progress,
            "h1_progress",
            Some(options(&ctx.choices.progress, &form.h1_progress)),
        ),
        text_field(Field::H2Plan, "h2_plan", None),
        text_field(Field::H2Actions, "h2_actions", None),
        text_field(Field::Effects, "effects", None),
        text_field(Field::Issues, "issues", None),
        text_field(
            Field::DeptEvaluation,
            "dept_evaluation",
            Some(options(&ctx.choices.evaluation, &form.dept_evaluation)),
        ),
        BodyField {
            name: "hq_evaluation",
            label: "推進本部評価".into(),
            editable: false,
            value: sheet.content.body.hq_evaluation.clone(),
            options: None,
        },
        text_field(Field::NextYear, "next_year", None),
    ];
    let past_years = sheet.actual_years();
    let indicators = form
        .indicators
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let stored = row.key.and_then(|k| {
                sheet
                    .indicator_ids
                    .iter()
                    .position(|id| *id == k)
                    .and_then(|p| sheet.content.indicators.get(p))
            });
            IndicatorRowView {
                index,
                key: row.key.map_or(String::new(), |k| k.to_string()),
                name: row.name.clone(),
                method: row.method.clone(),
                methods: options(&ctx.choices.method, &row.method),
                baseline: row.baseline.clone(),
                past: past_years
                    .iter()
                    .map(|y| {
                        stored
                            .map_or("", |s| s.value(*y, Period::FullYear))
                            .to_string()
                    })
                    .collect(),
                first_half: row.first_half.clone(),
                current: row.current.clone(),
                full_year: row.full_year.clone(),
                target: row.target.clone(),
            }
        })
        .collect();
    EditPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        sheet_id: sheet.id,
        heading: sheet.heading(),
        name: sheet.context.initiative_name.clone(),
        year_label: era_name(fy),
        status: sheet.status.label(),
        round: round.label(),
        deadline: ctx.deadline.map(|d| d.format("%Y年%-m月%-d日").to_string()),
        related_plan: sheet.content.header.related_plan.clone(),
        plan_years: sheet.content.header.plan_years.clone(),
        department: sheet.context.department.clone(),
        related_departments: sheet.context.related_departments.join("　"),
        target_scope: sheet.content.header.target_scope.clone(),
        return_reason: sheet.return_reason.clone(),
        version: form.version,
        draft: String::new(),
        schedule_labels: schedule_years.iter().map(|y| (*y, era_name(*y))).collect(),
        actions: form
            .action_items
            .iter()
            .enumerate()
            .map(|(index, row)| ActionRowView {
                index,
                text: row.text.clone(),
                cells: row
                    .cells
                    .iter()
                    .map(|(y, v)| (*y, v.clone(), options(&ctx.choices.schedule, v)))
                    .collect(),
            })
            .collect(),
        can_rows: can(Field::ActionItems),
        can_indicators: can(Field::IndicatorDefinitions),
        can_first_half: can(Field::IndicatorFirstHalf),
        can_year_end: can(Field::IndicatorYearEnd),
        past_labels: past_years
            .iter()
            .map(|y| format!("{}実績", short(*y)))
            .collect(),
        first_half_label: format!("{}実績(上半期)", short(fy)),
        full_year_label: format!("{}実績(通年)", short(fy)),
        baseline_label: sheet.baseline_label(),
        target_label: sheet.target_label(),
        indicators,
        header_fields: vec![
            text_field(Field::RelatedInitiatives, "related_initiatives", None),
            text_field(Field::SpecialNotes, "special_notes", None),
        ],
        body,
        dept_reason: text_field(Field::DeptReason, "dept_reason", None),
        errors: Vec::new(),
        missing: Vec::new(),
        conflict: Vec::new(),
        notice: None,
    }
}

fn respond(status: u16, page_data: &EditPage) -> Result<HttpResponse, AppError> {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    page_with_status(page_data, code)
}

async fn edit_form(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<i32>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (ctx, draft) = load_with_draft(
        &pool,
        &user,
        id,
        Action::Sheet(Event::Save),
        query.draft.clone(),
    )
    .await?;
    let round = ctx.round.ok_or_else(|| {
        AppError::Conflict("受付期間（ラウンド）が開いていないため編集できません".into())
    })?;
    let schedule_years = ctx.sheet.schedule_years();
    let restored = draft.and_then(|pairs| SheetForm::from_pairs(&pairs, &schedule_years).ok());
    let form = restored.clone().unwrap_or_else(|| {
        SheetForm::from_content(
            &ctx.sheet.content,
            &ctx.sheet.indicator_ids,
            ctx.sheet.version,
            ctx.sheet.fiscal_year,
            &schedule_years,
        )
    });
    let mut view = build(&user, &ctx, &form, round);
    if restored.is_some() {
        view.draft = query.draft.clone().unwrap_or_default();
        view.notice = Some(
            "セッションが切れる前に入力された内容を復元しました。内容を確認して保存してください。"
                .into(),
        );
    } else if query.done.as_deref() == Some("save") {
        view.notice = Some("一時保存しました。".into());
    }
    respond(200, &view)
}

async fn save(
    maybe: MaybeUser,
    session: Session,
    pool: web::Data<DbPool>,
    path: web::Path<i32>,
    body: PostedForm,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let PostedForm { pairs, bad_fields } = body;
    let Some(user) = maybe.user else {
        // The session ended while the user was typing: keep everything posted
        // and bring it back after they log in again.
        return super::sheets::stash_for_login(&pool, id, &pairs, format!("/sheets/{id}/edit"))
            .await;
    };
    if !csrf_posted(&session, &pairs) {
        return Err(AppError::Csrf);
    }
    let get = |name: &str| field(&pairs, name);
    let op = get("op").to_string();
    let draft = get("draft").to_string();
    let actor = user.actor.clone();
    let ctx = run_use_case(&pool, move |conn| {
        sheet_edit::visible(conn, &actor, id, Action::Sheet(Event::Save))
    })
    .await?;
    let round = ctx.round.ok_or_else(|| {
        AppError::Conflict("受付期間（ラウンド）が開いていないため編集できません".into())
    })?;
    let schedule_years = ctx.sheet.schedule_years();
    let mut form = SheetForm::from_pairs(&pairs, &schedule_years).map_err(AppError::BadRequest)?;

    if !bad_fields.is_empty() {
        // Re-show what arrived, with the fields that held undecodable bytes marked.
        let mut view = build(&user, &ctx, &form, round);
        view.draft = draft;
        view.errors = bad_fields
            .iter()
            .map(|name| FieldError {
                name: name.clone(),
                message: BAD_ENCODING.into(),
            })
            .collect();
        return respond(400, &view);
    }
    if let Some(row_op) = RowOp::parse(&op) {
        let ok = form.apply_row_op(row_op, &schedule_years);
        let mut view = build(&user, &ctx, &form, round);
        view.draft = draft;
        if !ok {
            view.notice = Some(format!("行は{}行までです", crate::domain::form::MAX_ROWS));
        }
        return respond(200, &view);
    }
    let submit = match op.as_str() {
        "save" | "" => false,
        "submit" => true,
        _ => return Err(AppError::BadRequest("操作の指定が正しくありません".into())),
    };
    let actor = user.actor.clone();
    let posted = form.clone();
    let outcome = run_use_case(&pool, move |conn| {
        sheet_edit::save(conn, &actor, id, &posted, submit)
    })
    .await?;
    match outcome {
        SaveOutcome::Saved { .. } => {
            if !draft.is_empty() {
                with_conn(&pool, move |conn| db::draft::remove(conn, &draft)).await?;
            }
            Ok(see_other(&if submit {
                format!("/sheets/{id}?done=submit")
            } else {
                format!("/sheets/{id}/edit?done=save")
            }))
        }
        SaveOutcome::Invalid { ctx, errors } => {
            let mut view = build(&user, &ctx, &form, round);
            view.draft = draft;
            view.errors = errors;
            respond(422, &view)
        }
        SaveOutcome::Missing { ctx, missing } => {
            let mut view = build(&user, &ctx, &form, round);
            view.draft = draft;
            view.missing = missing;
            respond(422, &view)
        }
        SaveOutcome::Stale { ctx } => {
            // Show the user's text beside what is stored now; the form keeps
            // theirs and carries the current version, so saving again merges.
            let fy = ctx.sheet.fiscal_year;
            let (mine, _) = form.apply(&ctx.sheet.content, &ctx.sheet.indicator_ids, fy, round);
            let conflict = diff(&ctx.sheet.content, &mine, fy);
            form.version = ctx.sheet.version;
            let mut view = build(&user, &ctx, &form, round);
            view.draft = draft;
            view.conflict = conflict;
            respond(409, &view)
        }
    }
}
