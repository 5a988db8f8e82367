//! The sheet workbook in the browser: download a sheet (or all of one's sheets
//! of a year) as Excel, upload it, see field by field what changes, confirm.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::csrf::CsrfForm;
use super::error::page_with_status;
use super::reports::download;
use super::upload::{self, Pending};
use super::{run_use_case, see_other, AppError, CurrentUser, Nav};
use crate::app::sheet::SaveOutcome;
use crate::app::sheet_book::{self, Row};
use crate::db::DbPool;
use crate::domain::fiscal_year::{era_name, FiscalYear};
use crate::domain::ids::SheetId;
use crate::import::sheet_book::parse_sheet_book;
use crate::import::workbook::Problem;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sheets/{id}/workbook", web::get().to(index))
        .route("/sheets/{id}/workbook.xlsx", web::get().to(download_one))
        .route("/sheets/{id}/workbook", web::post().to(preview))
        .route("/sheets/{id}/workbook/save", web::post().to(save))
        .route("/workbooks/{year}.xlsx", web::get().to(download_year));
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Template)]
#[template(path = "sheets/workbook.html")]
struct IndexPage {
    nav: Option<Nav>,
    csrf: String,
    sheet_id: SheetId,
    heading: String,
    year: FiscalYear,
    year_label: String,
    problems: Vec<Problem>,
}

#[derive(Template)]
#[template(path = "sheets/workbook_preview.html")]
struct PreviewPage {
    nav: Option<Nav>,
    csrf: String,
    sheet_id: SheetId,
    heading: String,
    year_label: String,
    stale: bool,
    rows: Vec<Row>,
    ignored: Vec<Row>,
    notes: Vec<Problem>,
    token: Option<String>,
    /// Messages from the save (validation) when it refused.
    errors: Vec<String>,
}

async fn index(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<SheetId>,
) -> Result<HttpResponse, AppError> {
    render_index(&user, &pool, path.into_inner(), Vec::new()).await
}

async fn render_index(
    user: &CurrentUser,
    pool: &DbPool,
    id: SheetId,
    problems: Vec<Problem>,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor.clone();
    let (_, sheet, _) = run_use_case(pool, move |conn| sheet_book::one(conn, &actor, id)).await?;
    let s = &sheet.view.sheet;
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page_with_status(
        &IndexPage {
            nav: Nav::of(user),
            csrf: user.csrf.clone(),
            sheet_id: id,
            heading: format!("{} {}", s.heading(), s.name()),
            year: s.fiscal_year,
            year_label: era_name(s.fiscal_year),
            problems,
        },
        status,
    )
}

async fn download_one(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<SheetId>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = user.actor.clone();
    let (plan, sheet, choices) =
        run_use_case(&pool, move |conn| sheet_book::one(conn, &actor, id)).await?;
    let name = format!(
        "{}_{}_({})-{}.xlsx",
        era_name(sheet.view.sheet.fiscal_year),
        "評価票",
        sheet.view.sheet.context.area_number,
        sheet.view.sheet.context.initiative_number
    );
    let bytes = build(plan, vec![sheet], choices).await?;
    Ok(download(bytes, XLSX, &name, &format!("sheet-{id}.xlsx")))
}

async fn download_year(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<FiscalYear>,
) -> Result<HttpResponse, AppError> {
    let year = path.into_inner();
    let actor = user.actor.clone();
    let (plan, sheets, choices) = run_use_case(&pool, move |conn| {
        sheet_book::all_of_year(conn, &actor, year)
    })
    .await?;
    if sheets.is_empty() {
        return Err(AppError::Conflict(format!(
            "{}に今入力できる評価票はありません",
            era_name(year)
        )));
    }
    let bytes = build(plan, sheets, choices).await?;
    let name = format!("{}_評価票.xlsx", era_name(year));
    Ok(download(bytes, XLSX, &name, &format!("sheets-{year}.xlsx")))
}

async fn build(
    plan: String,
    sheets: Vec<crate::report::xlsx::EditableSheet>,
    choices: crate::domain::form::Choices,
) -> Result<Vec<u8>, AppError> {
    web::block(move || crate::report::xlsx::sheet_workbook(&plan, &sheets, &choices))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Reads an upload (from the form or the pending store) into a review of `id`.
async fn review(
    user: &CurrentUser,
    pool: &DbPool,
    id: SheetId,
    bytes: Vec<u8>,
) -> Result<Result<(sheet_book::Review, Vec<Problem>), Vec<Problem>>, AppError> {
    let book = web::block(move || parse_sheet_book(bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let book = match book {
        Ok(b) => b,
        Err(problems) => return Ok(Err(problems)),
    };
    // A year's workbook holds several sheets: take this page's, else the first
    // (which `review` then refuses as another sheet's).
    let mut sheets = book.sheets;
    let at = sheets.iter().position(|s| s.sheet_id == id).unwrap_or(0);
    let Some(uploaded) = (at < sheets.len()).then(|| sheets.swap_remove(at)) else {
        return Ok(Err(vec![Problem::file("ブックに評価票がありません")]));
    };
    let actor = user.actor.clone();
    let reviewed = run_use_case(pool, move |conn| {
        sheet_book::review(conn, &actor, &uploaded, Some(id))
    })
    .await?;
    Ok(reviewed.map(|r| (r, book.notes)).map_err(|p| vec![p]))
}

async fn preview(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    pending: web::Data<Pending>,
    path: web::Path<SheetId>,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let upload = match upload::read(&user, form).await {
        Ok(u) => u,
        Err(AppError::BadRequest(message)) => {
            return render_index(&user, &pool, id, vec![Problem::file(message)]).await
        }
        Err(e) => return Err(e),
    };
    let (r, notes) = match review(&user, &pool, id, upload.file.clone()).await? {
        Ok(r) => r,
        Err(problems) => return render_index(&user, &pool, id, problems).await,
    };
    let token =
        (!r.stale && !r.rows.is_empty()).then(|| pending.put(user.actor.user_id, upload.file));
    render_preview(&user, r, notes, token, Vec::new(), StatusCode::OK)
}

fn render_preview(
    user: &CurrentUser,
    r: sheet_book::Review,
    notes: Vec<Problem>,
    token: Option<String>,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let status = if r.stale {
        StatusCode::CONFLICT
    } else {
        status
    };
    page_with_status(
        &PreviewPage {
            nav: Nav::of(user),
            csrf: user.csrf.clone(),
            sheet_id: r.sheet_id,
            heading: r.heading,
            year_label: r.year_label,
            stale: r.stale,
            rows: r.rows,
            ignored: r.ignored,
            notes,
            token,
            errors,
        },
        status,
    )
}

async fn save(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    pending: web::Data<Pending>,
    path: web::Path<SheetId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let token = form.get("token").to_string();
    let Some(bytes) = pending.get(user.actor.user_id, &token) else {
        let expired =
            Problem::file("確認の有効期限が切れました。もう一度ファイルを選んで読み込んでください");
        return render_index(&user, &pool, id, vec![expired]).await;
    };
    // Checked again: the sheet may have changed since the preview.
    let (r, notes) = match review(&user, &pool, id, bytes).await? {
        Ok(r) => r,
        Err(problems) => return render_index(&user, &pool, id, problems).await,
    };
    if r.stale {
        pending.forget(&token);
        return render_preview(&user, r, notes, None, Vec::new(), StatusCode::CONFLICT);
    }
    let actor = user.actor.clone();
    let form_r = r.form.clone();
    let sheet_id = r.sheet_id;
    let outcome = run_use_case(&pool, move |conn| {
        let review = sheet_book::Review {
            sheet_id,
            heading: String::new(),
            year_label: String::new(),
            stale: false,
            rows: Vec::new(),
            ignored: Vec::new(),
            form: form_r,
        };
        sheet_book::save(conn, &actor, &review)
    })
    .await?;
    match outcome {
        SaveOutcome::Saved { .. } => {
            pending.forget(&token);
            Ok(see_other(&format!("/sheets/{id}?done=workbook")))
        }
        SaveOutcome::Invalid { errors, .. } => {
            pending.forget(&token);
            let messages = errors.into_iter().map(|e| e.message).collect();
            render_preview(
                &user,
                r,
                notes,
                None,
                messages,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        SaveOutcome::Missing { .. } => Ok(see_other(&format!("/sheets/{id}?done=workbook"))),
        SaveOutcome::Stale { .. } => {
            pending.forget(&token);
            let mut r = r;
            r.stale = true;
            render_preview(&user, r, notes, None, Vec::new(), StatusCode::CONFLICT)
        }
    }
}
