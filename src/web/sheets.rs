//! 取組事業一覧 and the 点検・評価票 pages.

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::comments::{self, CommentsView, Typed};
use super::draft::{Poster, SheetPost};
use super::error::{page, page_with_status};
use super::form::{field, PostedForm};
use super::indicators::{sheet_panel, IndicatorPanel};
use super::opinions::{self, OpinionsView};
use super::page_cache::{PageCache, PageKey, Reads};
use super::see_other;
use super::{run_use_case, AppError, CurrentUser, Nav};
use crate::app::review::{self, hq_fields, ReviewInput, ReviewOutcome};
use crate::app::sheet::{self as sheet_use_case, entry_allows};
use crate::db::{self, DbPool};
use crate::domain::audit::actor_label;
use crate::domain::change::Change;
use crate::domain::draft::DraftToken;
use crate::domain::field::{Input, Texts};
use crate::domain::fiscal_year::{era_name, wareki_date, wareki_datetime, FiscalYear};
use crate::domain::ids::{PlanId, SheetId};
use crate::domain::permission::{authorize, Action};
use crate::domain::workflow::{Event, SheetStatus};
use crate::report::view::{SheetView, Text};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sheets", web::get().to(list))
        .route("/sheets/{id}", web::get().to(show))
        .route("/sheets/{id}/history", web::get().to(history))
        .route("/sheets/{id}/review", web::post().to(review));
}

#[derive(Deserialize)]
struct ListQuery {
    plan: Option<PlanId>,
    year: Option<FiscalYear>,
}

struct YearOption {
    year: FiscalYear,
    label: String,
    selected: bool,
}

struct AreaGroup {
    heading: String,
    /// The area's 推進委員会意見 page, for those with a sheet in it and HQ.
    opinions: Option<String>,
    rows: Vec<ListRow>,
}

struct ListRow {
    /// None when the user may not open the sheet.
    sheet_id: Option<SheetId>,
    number: i32,
    name: String,
    department: String,
    /// Merged cell: shown on the first of consecutive rows with the same plan.
    related_plan: Option<(String, usize)>,
    status: &'static str,
    /// Body fields marked 「前年度と同じ」/「ほぼ同じ」 (HQ only).
    copied: usize,
}

#[derive(Template)]
#[template(path = "sheets/list.html")]
struct ListPage {
    nav: Option<Nav>,
    plan_name: String,
    plan_id: PlanId,
    year_label: String,
    years: Vec<YearOption>,
    groups: Vec<AreaGroup>,
    /// HQ sees how many fields of each sheet repeat last year's.
    show_copied: bool,
}

#[derive(Template)]
#[template(path = "sheets/empty.html")]
struct EmptyPage {
    nav: Option<Nav>,
}

async fn list(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let ListQuery { plan, year } = query.into_inner();
    let show_copied = authorize(&user.actor, Action::ViewAllSheets, None).is_ok();
    let actor = user.actor.clone();
    let data = run_use_case(&pool, move |conn| {
        let plan = match plan {
            Some(id) => db::plan::find(conn, id)?,
            None => db::plan::list(conn)?.into_iter().next(),
        };
        let Some(plan) = plan else {
            return Ok(None);
        };
        let years = db::sheet::years(conn, plan.id)?;
        let year = year.or_else(|| years.first().copied());
        let entries = match year {
            Some(y) => db::sheet::list_for_year(conn, plan.id, y)?,
            None => Vec::new(),
        };
        let copied = match year {
            Some(y) if show_copied => crate::app::indicator::mark_counts(conn, &actor, plan.id, y)?,
            _ => Default::default(),
        };
        let areas = db::plan::areas(conn, plan.id)?;
        Ok(Some((plan, years, year, entries, copied, areas)))
    })
    .await?;
    let Some((plan, years, year, entries, copied, areas)) = data else {
        return page(&EmptyPage {
            nav: Nav::of(&user),
        });
    };
    let Some(year) = year.filter(|y| years.contains(y)) else {
        return Err(AppError::NotFound);
    };

    let mut groups: Vec<AreaGroup> = Vec::new();
    for e in entries {
        let visible = entry_allows(&user.actor, Action::ViewSheet, &e, None);
        let heading = format!("({}) {}", e.area_number, e.area_title);
        if groups.last().map(|g| &g.heading) != Some(&heading) {
            groups.push(AreaGroup {
                heading,
                opinions: None,
                rows: Vec::new(),
            });
        }
        if let Some(group) = groups.last_mut() {
            if group.opinions.is_none() && entry_allows(&user.actor, Action::ViewOpinions, &e, None)
            {
                group.opinions = areas
                    .iter()
                    .find(|a| a.number == e.area_number)
                    .map(|a| super::area_opinions::path(a.id, year));
            }
            group.rows.push(ListRow {
                sheet_id: visible.then_some(e.sheet_id),
                number: e.initiative_number,
                name: e.initiative_name,
                department: e.department,
                related_plan: Some((e.related_plan, 1)),
                status: e.status.label(),
                copied: copied.get(&e.sheet_id).copied().unwrap_or(0),
            });
        }
    }
    for group in &mut groups {
        crate::report::view::merge_runs(&mut group.rows, |r| &mut r.related_plan);
    }
    page(&ListPage {
        nav: Nav::of(&user),
        plan_name: plan.name,
        plan_id: plan.id,
        year_label: era_name(year),
        years: years
            .into_iter()
            .map(|y| YearOption {
                year: y,
                label: era_name(y),
                selected: y == year,
            })
            .collect(),
        groups,
        show_copied,
    })
}

/// One HQ step offered on the sheet page.
struct ReviewOption {
    op: &'static str,
    label: &'static str,
    /// One line saying what the step does (and, for 再開, how it differs from 差し戻し).
    hint: &'static str,
    /// The button's weight: the step that moves the sheet forward is
    /// primary, 差し戻し secondary, 再開 (undoing HQ's own steps) danger.
    class: &'static str,
}

impl ReviewOption {
    fn of(event: Event) -> Self {
        let (hint, class) = match event {
            Event::Return => (
                "所管課に修正を求めます。理由は所管課に表示され、所管課が直して再提出します。",
                "secondary",
            ),
            Event::Confirm => (
                "上半期の報告を受け付けます（確認済）。年度末ラウンドで所管課が続きを入力します。",
                "primary",
            ),
            Event::Evaluate => (
                "推進本部評価とコメントを記録します（評価済）。その後、確定できます。",
                "primary",
            ),
            Event::Finalize => (
                "実績報告書に綴じる最終版にします。取り消すには再開が必要です。",
                "primary",
            ),
            Event::Reopen => (
                "確認・評価・確定の後でも作成中に戻し、所管課が再び編集できるようにします。提出済の評価票の修正依頼には差し戻しを使います。",
                "danger",
            ),
            // The department's own steps are never offered here.
            Event::Save | Event::Submit | Event::Withdraw => ("", "secondary"),
        };
        Self {
            op: event.code(),
            label: event.label(),
            hint,
            class,
        }
    }
}

/// One of HQ's fields on the 評価 form.
struct HqFieldView {
    name: &'static str,
    label: String,
    /// A dropdown instead of a textarea.
    options: Option<Vec<String>>,
    value: String,
}

/// What the viewer can do on the sheet page.
#[derive(Default)]
struct Panel {
    can_edit: bool,
    /// The department may take its submission back (HQ has not acted yet).
    can_withdraw: bool,
    round: Option<&'static str>,
    deadline: Option<String>,
    reviews: Vec<ReviewOption>,
    /// HQ's own fields, written with 評価.
    hq_fields: Vec<HqFieldView>,
    /// Restored from a form posted after the session expired.
    reason: String,
    restored: bool,
    message: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "sheets/show.html")]
struct SheetPage {
    nav: Option<Nav>,
    csrf: String,
    panel: Panel,
    comments: CommentsView,
    opinions: OpinionsView,
    return_reason: Text,
    view: SheetView,
    indicators: IndicatorPanel,
}

/// `?draft=` brings back a form posted after the session expired (anything
/// but a draft token is refused before it reaches a query); `?done=` names
/// the step just completed.
#[derive(Deserialize)]
pub(super) struct PageQuery {
    pub draft: Option<DraftToken>,
    pub done: Option<String>,
}

async fn show(
    req: HttpRequest,
    user: CurrentUser,
    pool: web::Data<DbPool>,
    reads: web::Data<Reads>,
    pages: web::Data<PageCache>,
    path: web::Path<SheetId>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    // A page with a restored form is made afresh; any other is kept for its
    // viewer and shown again while its stamp holds (`page_cache`).
    let key = match query.draft {
        Some(_) => None,
        None => reads
            .run(move |conn| db::sheet::view_stamp(conn, id))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map(|stamp| PageKey::new(id, stamp, &user, req.query_string())),
    };
    if let Some(page) = key.as_ref().and_then(|k| pages.get(k)) {
        return Ok(html(page));
    }
    let (actor, draft) = (user.actor.clone(), query.draft.clone());
    // The sheet, the kept form and everything else the page shows, on one
    // connection checkout.
    let (ctx, restored, extras) = run_use_case(&pool, move |conn| {
        db::read_tx(conn, |conn| {
            let (ctx, restored) = sheet_use_case::visible_with_draft(
                conn,
                &actor,
                id,
                Action::ViewSheet,
                draft.as_ref(),
            )?;
            let extras = sheet_use_case::page_extras(conn, &actor, &ctx)?;
            Ok((ctx, restored, extras))
        })
    })
    .await?;
    let mut panel = Panel {
        message: query.done.as_deref().map(done_message),
        ..Panel::default()
    };
    let typed = restored.map(|pairs| restore_review_input(&pairs));
    if let Some(t) = &typed {
        panel.reason = t.reason.clone();
        panel.restored = true;
    }
    panel.hq_fields = hq_field_views(&ctx, typed.as_ref().map(|t| &t.texts));
    let page = sheet_page(
        &user,
        ctx,
        panel,
        extras,
        (Typed::default(), Default::default()),
    )
    .render()
    .map(Bytes::from)
    .map_err(|e| AppError::Internal(e.to_string()))?;
    if let Some(key) = key {
        pages.put(key, page.clone());
    }
    Ok(html(page))
}

fn html(page: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page)
}

/// What HQ typed, shown again in the review forms.
struct Restored {
    reason: String,
    texts: Texts,
}

fn restore_review_input(pairs: &[(String, String)]) -> Restored {
    let mut texts = Texts::default();
    for f in hq_fields() {
        texts.set(f, field(pairs, f.key()));
    }
    Restored {
        reason: field(pairs, "reason").to_string(),
        texts,
    }
}

fn hq_field_views(ctx: &sheet_use_case::EditContext, typed: Option<&Texts>) -> Vec<HqFieldView> {
    let fy = ctx.sheet.fiscal_year;
    hq_fields()
        .map(|f| HqFieldView {
            name: f.key(),
            label: f.label(fy),
            options: match f.def().input {
                Input::Choice(list) => Some(ctx.choices.get(list).to_vec()),
                Input::Text(_) => None,
            },
            value: typed.map_or("", |t| t.get(f)).to_string(),
        })
        .collect()
}

/// The sheet page with what the viewer may do on it, for a sheet already
/// loaded (after a refused step).
async fn render(
    pool: &DbPool,
    user: &CurrentUser,
    ctx: sheet_use_case::EditContext,
    panel: Panel,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    render_with_typed(
        pool,
        user,
        ctx,
        panel,
        (Typed::default(), Default::default()),
        status,
    )
    .await
}

/// The sheet page again after a refused comment or opinion, with what was typed.
pub(super) async fn render_with(
    pool: &DbPool,
    user: &CurrentUser,
    ctx: sheet_use_case::EditContext,
    comment: Typed,
    opinion: opinions::Typed,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    render_with_typed(
        pool,
        user,
        ctx,
        Panel::default(),
        (comment, opinion),
        status,
    )
    .await
}

async fn render_with_typed(
    pool: &DbPool,
    user: &CurrentUser,
    ctx: sheet_use_case::EditContext,
    panel: Panel,
    typed: (Typed, opinions::Typed),
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor.clone();
    let (ctx, extras) = run_use_case(pool, move |conn| {
        let extras = sheet_use_case::page_extras(conn, &actor, &ctx)?;
        Ok((ctx, extras))
    })
    .await?;
    page_with_status(&sheet_page(user, ctx, panel, extras, typed), status)
}

fn sheet_page(
    user: &CurrentUser,
    ctx: sheet_use_case::EditContext,
    mut panel: Panel,
    extras: sheet_use_case::PageExtras,
    (comment, opinion): (Typed, opinions::Typed),
) -> SheetPage {
    let access = ctx.access();
    panel.can_edit = authorize(&user.actor, Action::Sheet(Event::Save), Some(&access)).is_ok();
    panel.round = ctx.round.map(|r| r.label());
    panel.deadline = ctx.deadline.map(wareki_date);
    panel.can_withdraw =
        authorize(&user.actor, Action::Sheet(Event::Withdraw), Some(&access)).is_ok();
    // The step forward first, then 差し戻し, then 再開 (undoing HQ's own steps).
    for event in [
        Event::Confirm,
        Event::Evaluate,
        Event::Finalize,
        Event::Return,
        Event::Reopen,
    ] {
        if authorize(&user.actor, Action::Sheet(event), Some(&access)).is_ok() {
            panel.reviews.push(ReviewOption::of(event));
        }
    }
    let comments = comments::build(&user.actor, &ctx, extras.comments, comment);
    let opinions = opinions::build(&user.actor, &ctx, extras.opinions, opinion);
    let return_reason = Text::new(&ctx.sheet.return_reason);
    let indicators = sheet_panel(
        user,
        &ctx.sheet,
        &extras.settings,
        &extras.bands,
        &extras.marks,
    );
    let mut view = SheetView::new(ctx.sheet);
    // The screen shows the state itself; the 「作成中」 stamp is for paper.
    view.draft = false;
    for row in &mut view.body {
        row.comments = comments.count(row.key);
        row.beside_comments = row.beside_key.map_or(0, |k| comments.count(k));
    }
    SheetPage {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        panel,
        comments,
        opinions,
        return_reason,
        view,
        indicators,
    }
}

/// HQ's steps: 差し戻し, 確認, 評価, 確定, 再開.
async fn review(
    poster: Poster,
    pool: web::Data<DbPool>,
    path: web::Path<SheetId>,
    body: PostedForm,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let post = SheetPost {
        sheet_id: id,
        action: Action::ViewSheet,
        pairs: &body.pairs,
        back: format!("/sheets/{id}"),
    };
    let user = match poster.user(&pool, post).await? {
        Ok(user) => user,
        Err(to_login) => return Ok(to_login),
    };
    if let Some(message) = body.refusal() {
        return reshow_review(&pool, &user, id, &body.pairs, message).await;
    }
    let pairs = body.pairs;
    let get = |name: &str| field(&pairs, name).to_string();
    let event = Event::from_code(&get("op"))
        .filter(|e| !matches!(e, Event::Save | Event::Submit))
        .ok_or_else(|| AppError::BadRequest("操作の指定が正しくありません".into()))?;
    let typed = restore_review_input(&pairs);
    let input = ReviewInput {
        version: get("version")
            .parse()
            .map_err(|_| AppError::BadRequest("版番号が正しくありません".into()))?,
        reason: typed.reason.clone(),
        texts: typed.texts.clone(),
        confirmed: get("confirm") == "1",
    };
    let actor = user.actor.clone();
    let outcome = run_use_case(&pool, move |conn| {
        let outcome = review::review(conn, &actor, id, event, &input)?;
        let ctx = match outcome {
            ReviewOutcome::Done => None,
            _ => Some(sheet_use_case::visible(
                conn,
                &actor,
                id,
                Action::ViewSheet,
            )?),
        };
        Ok((outcome, ctx))
    })
    .await?;
    let (outcome, ctx) = outcome;
    let Some(ctx) = ctx else {
        return Ok(see_other(&format!("/sheets/{id}?done={}", event.code())));
    };
    let mut panel = Panel {
        hq_fields: hq_field_views(&ctx, Some(&typed.texts)),
        reason: typed.reason,
        ..Panel::default()
    };
    let (status, message) = match outcome {
        ReviewOutcome::Invalid(problems) => (StatusCode::UNPROCESSABLE_ENTITY, problems.join(" ")),
        _ => (
            StatusCode::CONFLICT,
            "この評価票は他の人が更新しました。最新の内容を確認してから、もう一度操作してください（入力した内容は残しています）。"
                .to_string(),
        ),
    };
    panel.error = Some(message);
    render(&pool, &user, ctx, panel, status).await
}

/// The sheet page again after a refused review post, with what HQ typed and why.
async fn reshow_review(
    pool: &DbPool,
    user: &CurrentUser,
    id: SheetId,
    pairs: &[(String, String)],
    message: &str,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor.clone();
    let ctx = run_use_case(pool, move |conn| {
        sheet_use_case::visible(conn, &actor, id, Action::ViewSheet)
    })
    .await?;
    let typed = restore_review_input(pairs);
    let panel = Panel {
        hq_fields: hq_field_views(&ctx, Some(&typed.texts)),
        reason: typed.reason,
        error: Some(message.to_string()),
        ..Panel::default()
    };
    render(pool, user, ctx, panel, StatusCode::BAD_REQUEST).await
}

/// The notice after a step, from the redirect's `done=` code.
fn done_message(code: &str) -> String {
    if code == "workbook" {
        return "Excel のブックの内容を一時保存しました。".into();
    }
    match Event::from_code(code) {
        Some(Event::Save) => "一時保存しました。",
        Some(Event::Submit) => "提出しました。推進本部事務局の確認をお待ちください。",
        Some(Event::Withdraw) => "提出を取り下げました。修正して、もう一度提出してください。",
        Some(Event::Return) => "差し戻しました。",
        Some(Event::Confirm) => "上半期の内容を確認済みにしました。",
        Some(Event::Evaluate) => "推進本部評価を記録しました。",
        Some(Event::Finalize) => "確定しました。",
        Some(Event::Reopen) => "再開しました。",
        None if code == "direction" => "指標の方向を変更しました。",
        None => "完了しました。",
    }
    .to_string()
}

struct HistoryRow {
    at: String,
    actor: String,
    action: String,
    from: String,
    to: String,
    reason: String,
    changes: Vec<Change>,
}

#[derive(Template)]
#[template(path = "sheets/history.html")]
struct HistoryPage {
    nav: Option<Nav>,
    sheet_id: SheetId,
    heading: String,
    name: String,
    year_label: String,
    rows: Vec<HistoryRow>,
}

fn status_label(status: Option<SheetStatus>) -> String {
    status.map_or(String::new(), |s| s.label().to_string())
}

async fn history(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<SheetId>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = user.actor.clone();
    let (ctx, entries) = run_use_case(&pool, move |conn| {
        let ctx = sheet_use_case::visible(conn, &actor, id, Action::ViewHistory)?;
        Ok((ctx, db::audit::for_sheet(conn, id)?))
    })
    .await?;
    let rows = entries
        .into_iter()
        .map(|e| {
            let detail: serde_json::Value =
                serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null);
            let changes = detail
                .get("changes")
                .and_then(|c| serde_json::from_value(c.clone()).ok())
                .unwrap_or_default();
            let reason = detail
                .get("reason")
                .and_then(|r| r.as_str())
                .map(str::to_string)
                .or_else(|| (!e.detail.starts_with('{')).then(|| e.detail.clone()))
                .or_else(|| {
                    (detail.get("source").and_then(|s| s.as_str()) == Some("workbook"))
                        .then(|| "Excel のブックから読み込み".to_string())
                })
                .unwrap_or_default();
            HistoryRow {
                at: wareki_datetime(e.at),
                actor: actor_label(&e.actor).to_string(),
                action: e.action.label().to_string(),
                from: status_label(e.from_status),
                to: status_label(e.to_status),
                reason,
                changes,
            }
        })
        .collect();
    page(&HistoryPage {
        nav: Nav::of(&user),
        sheet_id: id,
        heading: ctx.sheet.heading(),
        name: ctx.sheet.name().to_string(),
        year_label: era_name(ctx.sheet.fiscal_year),
        rows,
    })
}
