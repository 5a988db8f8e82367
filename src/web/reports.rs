//! The results report: the printable sheet, the year's book, PDF through
//! headless Chromium, and the Excel and CSV exports. Handlers stay thin: load
//! with `db::report`, shape with `report`, answer.

use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;

use super::error::{page, page_with_status};
use super::print_pass::{print_viewer, PrintSettings};
use super::session::MaybeUser;
use super::{run_use_case, with_conn, AppError, CurrentUser, Nav};
use crate::db::report::{BookData, RunningHead, YearSummary};
use crate::db::{self, DbPool};
use crate::domain::fiscal_year::{era_name, short, FiscalYear};
use crate::domain::ids::{PlanId, SheetId};
use crate::domain::permission::{authorize, Action};
use crate::domain::workflow::SheetStatus;
use crate::report::book::{bound_sheet, page_rules, BookView, SheetCharts};
use crate::report::pdf::{Pdf, PdfError};
use crate::report::view::SheetView;
use crate::report::{csv, tables, xlsx};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/reports", web::get().to(index))
        .route("/reports/{year}", web::get().to(book))
        .route("/reports/{year}/pdf", web::get().to(book_pdf))
        .route("/reports/{year}/export.xlsx", web::get().to(export_xlsx))
        .route("/reports/{year}/list.csv", web::get().to(list_csv))
        .route(
            "/reports/{year}/indicators.csv",
            web::get().to(indicators_csv),
        )
        .route("/reports/{year}/pages.css", web::get().to(book_pages_css))
        .route("/sheets/{id}/print", web::get().to(print_sheet))
        .route("/sheets/{id}/pages.css", web::get().to(sheet_pages_css))
        .route("/sheets/{id}/pdf", web::get().to(sheet_pdf));
}

/// The book and the exports are HQ's (and the administrator's).
fn require_all(user: &CurrentUser) -> Result<(), AppError> {
    authorize(&user.actor, Action::ViewAllSheets, None)?;
    Ok(())
}

#[derive(Deserialize)]
struct BookQuery {
    plan: Option<PlanId>,
    /// 「1」 from the checkbox: bind sheets that are not final too.
    include_drafts: Option<String>,
    /// 「1」 from the checkbox: add the appendix 「推進委員会意見と対応」.
    opinions: Option<String>,
    /// 「1」 from the checkbox: print each sheet's indicator trend charts
    /// after it (a per-book choice, off so the paper layout stays exact).
    charts: Option<String>,
}

fn ticked(value: Option<&str>) -> bool {
    matches!(value, Some("1" | "on" | "true"))
}

impl BookQuery {
    fn include_drafts(&self) -> bool {
        ticked(self.include_drafts.as_deref())
    }

    fn include_opinions(&self) -> bool {
        ticked(self.opinions.as_deref())
    }

    fn charts(&self) -> bool {
        ticked(self.charts.as_deref())
    }
}

/// The query string that asks for the same book again.
fn book_query(plan: PlanId, include_drafts: bool, include_opinions: bool, charts: bool) -> String {
    let mut q = format!("?plan={plan}");
    if include_drafts {
        q.push_str("&include_drafts=1");
    }
    if include_opinions {
        q.push_str("&opinions=1");
    }
    if charts {
        q.push_str("&charts=1");
    }
    q
}

async fn load_book(
    pool: &DbPool,
    year: FiscalYear,
    query: &BookQuery,
) -> Result<BookData, AppError> {
    let (plan, drafts) = (query.plan, query.include_drafts());
    let opinions = query.include_opinions();
    with_conn(pool, move |conn| {
        match db::report::plan_for_year(conn, year, plan)? {
            Some(plan_id) => db::report::load_book(conn, plan_id, year, drafts, opinions),
            None => Ok(None),
        }
    })
    .await?
    .ok_or(AppError::NotFound)
}

struct YearRow {
    summary: YearSummary,
    label: String,
}

#[derive(Template)]
#[template(path = "report/index.html")]
struct IndexPage {
    nav: Option<Nav>,
    years: Vec<YearRow>,
    pdf_available: bool,
}

async fn index(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    settings: web::Data<PrintSettings>,
) -> Result<HttpResponse, AppError> {
    require_all(&user)?;
    let years = with_conn(&pool, db::report::year_summaries).await?;
    page(&IndexPage {
        nav: Nav::of(&user),
        years: years
            .into_iter()
            .map(|summary| YearRow {
                label: era_name(summary.fiscal_year),
                summary,
            })
            .collect(),
        pdf_available: settings.pdf_available(),
    })
}

#[derive(Template)]
#[template(path = "print/book.html")]
struct BookPage {
    book: BookView,
    query: String,
    pdf_available: bool,
    /// The running headers of the year's sheets (`book_pages_css`).
    pages_css: String,
    /// Where the sheets go: the frame is split here and the sheets streamed
    /// in between.
    sheets_mark: &'static str,
}

/// A run of the book's sheets (`BookPage::sheets_mark`).
#[derive(Template)]
#[template(path = "print/book_sheets.html")]
struct BookSheets {
    sheets: Vec<(SheetView, Option<SheetCharts>)>,
}

const SHEETS_MARK: &str = "<!--hyoka:sheets-->";

/// Sheets rendered per piece of the streamed book: big enough that a piece
/// is worth a write, small enough that few pages are ever held at once.
const SHEETS_PER_PIECE: usize = 20;

async fn book(
    req: HttpRequest,
    maybe: MaybeUser,
    pool: web::Data<DbPool>,
    settings: web::Data<PrintSettings>,
    year: web::Path<FiscalYear>,
    query: web::Query<BookQuery>,
) -> Result<HttpResponse, AppError> {
    let viewer = print_viewer(&req, maybe, &settings).await?;
    if let Some(user) = &viewer {
        require_all(user)?;
    }
    let data = load_book(&pool, *year, &query).await?;
    let charts = query.charts();
    let query = book_query(
        data.plan.id,
        data.include_drafts,
        data.include_opinions,
        charts,
    );
    let (book, sheets) = BookView::new(data);
    let frame = BookPage {
        pages_css: settings.linked(&format!("/reports/{}/pages.css", *year), &viewer),
        query,
        book,
        pdf_available: settings.pdf_available(),
        sheets_mark: SHEETS_MARK,
    }
    .render()
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let (head, tail) = frame
        .split_once(SHEETS_MARK)
        .ok_or_else(|| AppError::Internal("the book has no place for its sheets".into()))?;
    let (head, tail) = (
        web::Bytes::from(head.to_string()),
        web::Bytes::from(tail.to_string()),
    );
    // The sheets are turned into pages on a blocking thread, a piece at a
    // time, as fast as the client reads them: 2,000 sheets never sit in
    // memory as one 40 MB page. A client that goes away stops the work.
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<web::Bytes>>(2);
    actix_web::rt::task::spawn_blocking(move || {
        let mut sheets = sheets.into_iter();
        loop {
            let piece: Vec<_> = sheets
                .by_ref()
                .take(SHEETS_PER_PIECE)
                .map(|s| bound_sheet(s, charts))
                .collect();
            if piece.is_empty() {
                break;
            }
            let html = BookSheets { sheets: piece }
                .render()
                .map(web::Bytes::from)
                .map_err(std::io::Error::other);
            if tx.blocking_send(html).is_err() {
                break;
            }
        }
    });
    let sheets = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|piece| (piece, rx))
    });
    let body = futures_util::stream::once(async move { Ok(head) })
        .chain(sheets)
        .chain(futures_util::stream::once(async move { Ok(tail) }));
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .streaming(body))
}

#[derive(Template)]
#[template(path = "print/sheet.html")]
struct PrintPage {
    view: SheetView,
    pdf_available: bool,
    /// The sheet's running header (`sheet_pages_css`).
    pages_css: String,
}

async fn print_sheet(
    req: HttpRequest,
    maybe: MaybeUser,
    pool: web::Data<DbPool>,
    settings: web::Data<PrintSettings>,
    path: web::Path<SheetId>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let viewer = print_viewer(&req, maybe, &settings).await?;
    let pages_css = settings.linked(&format!("/sheets/{id}/pages.css"), &viewer);
    let sheet = load_visible(&pool, viewer, id).await?;
    page(&PrintPage {
        pages_css,
        view: SheetView::new(sheet),
        pdf_available: settings.pdf_available(),
    })
}

/// The running headers of every sheet of a year, for the book (see
/// `report::book::page_rules`): as the book itself, HQ's, or Chromium's with a
/// pass for this very file.
async fn book_pages_css(
    req: HttpRequest,
    maybe: MaybeUser,
    pool: web::Data<DbPool>,
    settings: web::Data<PrintSettings>,
    year: web::Path<FiscalYear>,
) -> Result<HttpResponse, AppError> {
    if let Some(user) = print_viewer(&req, maybe, &settings).await? {
        require_all(&user)?;
    }
    let year = *year;
    let heads = with_conn(&pool, move |conn| db::report::running_heads(conn, year)).await?;
    Ok(stylesheet(page_rules(year, &heads)))
}

/// One sheet's running header, for its print page: for whoever may see the
/// sheet, or Chromium with a pass for this very file.
async fn sheet_pages_css(
    req: HttpRequest,
    maybe: MaybeUser,
    pool: web::Data<DbPool>,
    settings: web::Data<PrintSettings>,
    path: web::Path<SheetId>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let viewer = print_viewer(&req, maybe, &settings).await?;
    // The loaded sheet carries everything its running header says.
    let sheet = load_visible(&pool, viewer, id).await?;
    let head = RunningHead {
        sheet_id: sheet.id,
        plan_name: sheet.context.plan_name.clone(),
        heading: sheet.heading(),
        draft: sheet.status != SheetStatus::Final,
    };
    Ok(stylesheet(page_rules(sheet.fiscal_year, &[head])))
}

fn stylesheet(css: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .body(css)
}

#[derive(Template)]
#[template(path = "report/pdf_unavailable.html")]
struct PdfUnavailablePage<'a> {
    nav: Option<Nav>,
    message: &'a str,
    print_url: &'a str,
}

#[derive(Template)]
#[template(path = "report/pdf_busy.html")]
struct PdfBusyPage<'a> {
    nav: Option<Nav>,
    limit: usize,
    print_url: &'a str,
}

/// A PDF that could not be made: without a usable Chromium the page says why
/// and points to the print view, which prints (and saves as PDF) from any
/// browser; a user with too many PDFs in the making is asked to come back.
fn pdf_failed(
    user: &CurrentUser,
    error: &PdfError,
    print_url: &str,
) -> Result<HttpResponse, AppError> {
    use actix_web::http::StatusCode;
    let (status, message) = match error {
        PdfError::Busy(limit) => {
            let body = PdfBusyPage {
                nav: Nav::of(user),
                limit: *limit,
                print_url,
            };
            return page_with_status(&body, StatusCode::TOO_MANY_REQUESTS);
        }
        PdfError::Missing(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "このサーバーには PDF の作成に使う Chromium がないため、PDF を作成できません。",
        ),
        PdfError::Timeout(_) | PdfError::Failed(_) => {
            tracing::error!("pdf: {error}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "PDF の作成に失敗しました。",
            )
        }
    };
    let body = PdfUnavailablePage {
        nav: Nav::of(user),
        message,
        print_url,
    };
    page_with_status(&body, status)
}

async fn sheet_pdf(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    settings: web::Data<PrintSettings>,
    path: web::Path<SheetId>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let sheet = load_visible(&pool, Some(user.clone()), id).await?;
    let print_url = format!("/sheets/{id}/print");
    match settings.print(&print_url, user.actor.user_id).await {
        Ok(pdf) => Ok(pdf_download(
            pdf,
            &format!(
                "{}_{}_{}.pdf",
                era_name(sheet.fiscal_year),
                sheet.heading(),
                sheet.name()
            ),
            &format!("sheet-{id}-{}.pdf", short(sheet.fiscal_year)),
        )),
        Err(e) => pdf_failed(&user, &e, &print_url),
    }
}

async fn book_pdf(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    settings: web::Data<PrintSettings>,
    year: web::Path<FiscalYear>,
    query: web::Query<BookQuery>,
) -> Result<HttpResponse, AppError> {
    require_all(&user)?;
    let year = *year;
    // Looked up first so an unknown year is a 404, not a PDF of the error
    // page; only the plan, not the 2,000 sheets Chromium is about to load.
    let asked = query.plan;
    let plan = with_conn(&pool, move |conn| db::report::book_plan(conn, year, asked))
        .await?
        .ok_or(AppError::NotFound)?;
    let print_url = format!(
        "/reports/{year}{}",
        book_query(
            plan.id,
            query.include_drafts(),
            query.include_opinions(),
            query.charts()
        )
    );
    match settings.print(&print_url, user.actor.user_id).await {
        Ok(pdf) => Ok(pdf_download(
            pdf,
            &format!("{}_{}.pdf", plan.name, book_title(year)),
            &format!("report-{}.pdf", short(year)),
        )),
        Err(e) => pdf_failed(&user, &e, &print_url),
    }
}

fn book_title(year: FiscalYear) -> String {
    format!("{}実績報告書", era_name(year))
}

async fn export_xlsx(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    year: web::Path<FiscalYear>,
    query: web::Query<BookQuery>,
) -> Result<HttpResponse, AppError> {
    require_all(&user)?;
    let data = load_book(&pool, *year, &query).await?;
    let name = format!("{}_{}.xlsx", data.plan.name, book_title(data.fiscal_year));
    let bytes = web::block(move || xlsx::workbook(&data))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &name,
        &format!("report-{}.xlsx", short(*year)),
    ))
}

/// The two tables HQ downloads as CSV.
#[derive(Clone, Copy)]
enum CsvTable {
    List,
    Indicators,
}

async fn list_csv(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    year: web::Path<FiscalYear>,
    query: web::Query<BookQuery>,
) -> Result<HttpResponse, AppError> {
    table_csv(user, &pool, *year, &query, CsvTable::List).await
}

async fn indicators_csv(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    year: web::Path<FiscalYear>,
    query: web::Query<BookQuery>,
) -> Result<HttpResponse, AppError> {
    table_csv(user, &pool, *year, &query, CsvTable::Indicators).await
}

async fn table_csv(
    user: CurrentUser,
    pool: &DbPool,
    year: FiscalYear,
    query: &BookQuery,
    which: CsvTable,
) -> Result<HttpResponse, AppError> {
    require_all(&user)?;
    let data = load_book(pool, year, query).await?;
    let (table, name, ascii) = match which {
        CsvTable::List => (tables::list_table(&data), "取組事業一覧", "list"),
        CsvTable::Indicators => (tables::indicator_table(&data), "指標", "indicators"),
    };
    csv_download(
        &table,
        &format!("{}_{name}.csv", era_name(year)),
        &format!("{ascii}-{}.csv", short(year)),
    )
}

fn csv_download(
    table: &tables::Table,
    name: &str,
    ascii_name: &str,
) -> Result<HttpResponse, AppError> {
    let bytes = csv::to_csv(table).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(bytes, "text/csv; charset=utf-8", name, ascii_name))
}

/// A file download named in Japanese (RFC 6266 `filename*`), with an ASCII
/// name for old clients. Both name the year in 和暦 (「令和7年度」, 「R7」), as
/// the book does.
pub(super) fn download(bytes: Vec<u8>, mime: &str, name: &str, ascii_name: &str) -> HttpResponse {
    attachment(mime, name, ascii_name).body(bytes)
}

/// A printed PDF as a download, read from its file a piece at a time.
fn pdf_download(pdf: Pdf, name: &str, ascii_name: &str) -> HttpResponse {
    let pieces = futures_util::stream::unfold(Some(pdf), |pdf| async move {
        let mut pdf = pdf?;
        let mut piece = vec![0u8; 256 * 1024];
        match std::io::Read::read(&mut pdf, &mut piece) {
            Ok(0) => None,
            Ok(n) => {
                piece.truncate(n);
                Some((Ok(web::Bytes::from(piece)), Some(pdf)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    attachment("application/pdf", name, ascii_name).streaming(pieces)
}

/// The headers of a download named `name` (`ascii_name` for old browsers).
fn attachment(mime: &str, name: &str, ascii_name: &str) -> actix_web::HttpResponseBuilder {
    let name: String = name
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii_name.to_string()),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.into_bytes(),
            }),
        ],
    };
    let mut response = HttpResponse::Ok();
    response.content_type(mime).insert_header(disposition);
    response
}

/// A sheet the viewer may see; Chromium's pass was checked for this very page.
async fn load_visible(
    pool: &DbPool,
    viewer: Option<CurrentUser>,
    id: SheetId,
) -> Result<crate::domain::sheet::Sheet, AppError> {
    match viewer {
        Some(user) => Ok(run_use_case(pool, move |conn| {
            crate::app::sheet::visible(conn, &user.actor, id, Action::ViewSheet)
        })
        .await?
        .sheet),
        None => with_conn(pool, move |conn| db::sheet::load(conn, id))
            .await?
            .ok_or(AppError::NotFound),
    }
}
