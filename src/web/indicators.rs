//! Indicator pages: the board of a plan-year (filters, sorting, A4 landscape
//! print, xlsx and CSV), HQ's 達成率 rule and rating bands, an indicator's
//! direction, the sheet page's indicator panel and copy marks, and the search
//! across years.

use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::csrf::CsrfForm;
use super::error::page;
use super::{run_use_case, see_other, with_conn, AppError, CurrentUser, Nav};
use crate::app::indicator::{self as use_case, BoardData};
use crate::db::indicator::Settings;
use crate::db::{self, DbPool};
use crate::domain::fiscal_year::{era_name, short, FiscalYear};
use crate::domain::ids::{IndicatorId, PlanId, SheetId};
use crate::domain::indicator::{Band, Direction, Rule};
use crate::domain::permission::{authorize, Action, SheetAccess};
use crate::domain::sheet::Sheet;
use crate::report::csv;
use crate::report::indicators::{board_table, board_workbook, indicator_views, IndicatorView};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/indicators", web::get().to(board))
        .route("/indicators/export.csv", web::get().to(board_csv))
        .route("/indicators/export.xlsx", web::get().to(board_xlsx))
        .route("/indicators/settings", web::get().to(settings))
        .route("/indicators/settings", web::post().to(save_settings))
        .route(
            "/sheets/{id}/indicators/{indicator}/direction",
            web::post().to(set_direction),
        )
        .route("/search", web::get().to(search));
}

// ---------------------------------------------------------------- sheet page

/// What the sheet page shows below the sheet: each indicator's figure and
/// chart, and for HQ which body fields repeat last year's.
pub struct IndicatorPanel {
    pub views: Vec<IndicatorView>,
    pub rule: &'static str,
    pub can_direct: bool,
    pub directions: Vec<Direction>,
    /// (field label, mark) for HQ; empty for others.
    pub marks: Vec<(String, &'static str)>,
    pub show_marks: bool,
}

pub(super) fn sheet_panel(
    user: &CurrentUser,
    sheet: &Sheet,
    settings: &Settings,
    bands: &[Band],
    marks: &[(
        crate::domain::field::Field,
        crate::domain::indicator::Likeness,
    )],
) -> IndicatorPanel {
    let show_marks = authorize(&user.actor, Action::ViewAllSheets, None).is_ok();
    let access = SheetAccess {
        department_id: sheet.context.department_id,
        related_department_ids: sheet.context.related_department_ids.clone(),
        status: sheet.status,
        round: None,
    };
    let can_direct = authorize(&user.actor, Action::SetIndicatorDirection, Some(&access)).is_ok();
    IndicatorPanel {
        views: indicator_views(sheet, settings.rule, bands),
        rule: settings.rule.label(),
        can_direct,
        directions: Direction::ALL.to_vec(),
        marks: marks
            .iter()
            .map(|(f, l)| (f.label(sheet.fiscal_year), l.label()))
            .collect(),
        show_marks,
    }
}

async fn set_direction(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<(SheetId, IndicatorId)>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let (sheet_id, indicator_id) = path.into_inner();
    let direction = match form.get("direction") {
        "auto" => None,
        code => Some(
            Direction::from_code(code)
                .ok_or_else(|| AppError::BadRequest("方向の指定が正しくありません".into()))?,
        ),
    };
    let actor = user.actor.clone();
    run_use_case(&pool, move |conn| {
        use_case::set_direction(conn, &actor, sheet_id, indicator_id, direction)
    })
    .await?;
    Ok(see_other(&format!(
        "/sheets/{sheet_id}?done=direction#indicator-panel-title"
    )))
}

// ---------------------------------------------------------------- the board

#[derive(Deserialize, Default, Clone)]
struct BoardQuery {
    year: Option<FiscalYear>,
    plan: Option<PlanId>,
    area: Option<String>,
    department: Option<String>,
    band: Option<String>,
    /// 「1」: only indicators marked 「数値を確認してください」.
    check: Option<String>,
    sort: Option<String>,
}

impl BoardQuery {
    fn area(&self) -> Option<i32> {
        self.area.as_deref().and_then(|a| a.parse().ok())
    }

    fn text(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }

    fn only_checks(&self) -> bool {
        matches!(self.check.as_deref(), Some("1" | "on"))
    }

    /// The query string asking for the same rows (for the export links).
    fn query_string(&self, year: FiscalYear, plan: PlanId) -> String {
        let enc = |s: &str| super::error::encode_query(s);
        let mut q = format!("year={year}&plan={plan}");
        for (name, value) in [
            ("area", &self.area),
            ("department", &self.department),
            ("band", &self.band),
            ("check", &self.check),
            ("sort", &self.sort),
        ] {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                q.push_str(&format!("&{name}={}", enc(v)));
            }
        }
        q
    }
}

/// Sort orders offered on the board: (code, label).
const SORTS: &[(&str, &str)] = &[
    ("area", "推進項目・No.順"),
    ("percent_asc", "達成率の低い順"),
    ("percent_desc", "達成率の高い順"),
    ("department", "所管課順"),
];

struct Option_ {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "indicators/board.html")]
struct BoardPage {
    nav: Option<Nav>,
    plan_name: String,
    year_label: String,
    plan_id: PlanId,
    rule: &'static str,
    years: Vec<Option_>,
    areas: Vec<Option_>,
    departments: Vec<Option_>,
    bands: Vec<Option_>,
    sorts: Vec<Option_>,
    only_checks: bool,
    actual_headers: Vec<String>,
    rows: Vec<IndicatorView>,
    total: usize,
    export_query: String,
    can_manage: bool,
}

async fn load_board(
    pool: &DbPool,
    user: &CurrentUser,
    query: &BoardQuery,
) -> Result<(BoardData, Vec<FiscalYear>), AppError> {
    let actor = user.actor.clone();
    let (year, plan) = (query.year, query.plan);
    run_use_case(pool, move |conn| {
        let plan_id = match plan {
            Some(p) => Some(p),
            None => db::plan::list(conn)?.into_iter().next().map(|p| p.id),
        };
        let Some(plan_id) = plan_id else {
            return Err(crate::domain::permission::Denial::NotFound.into());
        };
        let years = db::sheet::years(conn, plan_id)?;
        let year = year
            .or_else(|| years.first().copied())
            .ok_or(crate::domain::permission::Denial::NotFound)?;
        let data = use_case::board(conn, &actor, year, Some(plan_id))?
            .ok_or(crate::domain::permission::Denial::NotFound)?;
        Ok((data, years))
    })
    .await
}

/// The rows after the filters, in the chosen order.
fn board_rows(data: &BoardData, query: &BoardQuery) -> Vec<IndicatorView> {
    let mut rows: Vec<IndicatorView> = data
        .sheets
        .iter()
        .flat_map(|s| indicator_views(s, data.settings.rule, &data.bands))
        .filter(|v| query.area().is_none_or(|a| v.area_number == a))
        .filter(|v| {
            let d = BoardQuery::text(&query.department);
            d.is_empty() || v.department == d
        })
        .filter(|v| {
            let b = BoardQuery::text(&query.band);
            b.is_empty() || v.band.as_ref().is_some_and(|band| band.label == b)
        })
        .filter(|v| !query.only_checks() || v.needs_check())
        .collect();
    let by_percent = |a: &IndicatorView, b: &IndicatorView| {
        // Indicators without a figure go last either way.
        match (a.percent, b.percent) {
            (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
    };
    match query.sort.as_deref() {
        Some("percent_asc") => rows.sort_by(by_percent),
        Some("percent_desc") => rows.sort_by(|a, b| match (a.percent, b.percent) {
            (Some(_), Some(_)) => by_percent(b, a),
            _ => by_percent(a, b),
        }),
        Some("department") => rows.sort_by(|a, b| a.department.cmp(&b.department)),
        _ => {}
    }
    rows
}

fn options(values: Vec<(String, String)>, selected: &str) -> Vec<Option_> {
    values
        .into_iter()
        .map(|(value, label)| Option_ {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

async fn board(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<BoardQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (data, years) = load_board(&pool, &user, &query).await?;
    let all = board_rows(&data, &BoardQuery::default());
    let mut areas: Vec<(String, String)> = all
        .iter()
        .map(|v| (v.area_number.to_string(), v.area.clone()))
        .collect();
    areas.dedup();
    let mut departments: Vec<String> = all.iter().map(|v| v.department.clone()).collect();
    departments.sort();
    departments.dedup();
    let rows = board_rows(&data, &query);
    page(&BoardPage {
        nav: Nav::of(&user),
        plan_name: data.plan_name.clone(),
        year_label: era_name(data.fiscal_year),
        plan_id: data.plan_id,
        rule: data.settings.rule.label(),
        years: options(
            years
                .iter()
                .map(|y| (y.to_string(), era_name(*y)))
                .collect(),
            &data.fiscal_year.to_string(),
        ),
        areas: options(areas, BoardQuery::text(&query.area)),
        departments: options(
            departments.into_iter().map(|d| (d.clone(), d)).collect(),
            BoardQuery::text(&query.department),
        ),
        bands: options(
            data.bands
                .iter()
                .map(|b| (b.label.clone(), format!("{}{}", b.symbol, b.label)))
                .collect(),
            BoardQuery::text(&query.band),
        ),
        sorts: options(
            SORTS
                .iter()
                .map(|(c, l)| (c.to_string(), l.to_string()))
                .collect(),
            query.sort.as_deref().unwrap_or("area"),
        ),
        only_checks: query.only_checks(),
        actual_headers: actual_headers(&data),
        total: all.len(),
        rows,
        export_query: query.query_string(data.fiscal_year, data.plan_id),
        can_manage: authorize(&user.actor, Action::ManageIndicatorRules, None).is_ok(),
    })
}

/// 「R4実績」… for the plan years before the board's year.
fn actual_headers(data: &BoardData) -> Vec<String> {
    data.sheets.first().map_or_else(Vec::new, |s| {
        s.actual_years()
            .into_iter()
            .map(|y| format!("{}実績", short(y)))
            .collect()
    })
}

fn attachment(name: &str, content_type: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.as_bytes().to_vec(),
            })],
        })
        .body(body)
}

async fn board_csv(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<BoardQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (data, _) = load_board(&pool, &user, &query).await?;
    let table = board_table(&actual_headers(&data), &board_rows(&data, &query));
    let bytes = csv::to_csv(&table).map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!("{}_指標一覧.csv", era_name(data.fiscal_year));
    Ok(attachment(&name, "text/csv; charset=utf-8", bytes))
}

async fn board_xlsx(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<BoardQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (data, _) = load_board(&pool, &user, &query).await?;
    let rows = board_rows(&data, &query);
    let bytes = board_workbook(&actual_headers(&data), &rows, &era_name(data.fiscal_year))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!("{}_指標一覧.xlsx", era_name(data.fiscal_year));
    Ok(attachment(
        &name,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}

// ---------------------------------------------------------------- settings

struct BandRow {
    label: String,
    symbol: String,
    colour: String,
    min: String,
}

#[derive(Template)]
#[template(path = "indicators/settings.html")]
struct SettingsPage {
    nav: Option<Nav>,
    csrf: String,
    plan_id: PlanId,
    plan_name: String,
    rules: Vec<(&'static str, &'static str, bool)>,
    bands: Vec<BandRow>,
    problems: Vec<String>,
    saved: bool,
}

/// Rows offered on the form: the bands plus blank ones to add.
const BAND_ROWS: usize = 8;

fn settings_page(
    user: &CurrentUser,
    plan: (PlanId, String),
    settings: Settings,
    bands: Vec<BandRow>,
    problems: Vec<String>,
    saved: bool,
) -> Result<HttpResponse, AppError> {
    let mut bands = bands;
    while bands.len() < BAND_ROWS {
        bands.push(BandRow {
            label: String::new(),
            symbol: String::new(),
            colour: "#777777".into(),
            min: String::new(),
        });
    }
    let status = if problems.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::BAD_REQUEST
    };
    super::error::page_with_status(
        &SettingsPage {
            nav: Nav::of(user),
            csrf: user.csrf.clone(),
            plan_id: plan.0,
            plan_name: plan.1,
            rules: Rule::ALL
                .iter()
                .map(|r| (r.code(), r.label(), *r == settings.rule))
                .collect(),
            bands,
            problems,
            saved,
        },
        status,
    )
}

#[derive(Deserialize)]
struct SettingsQuery {
    plan: Option<PlanId>,
    saved: Option<String>,
}

async fn find_plan(pool: &DbPool, plan: Option<PlanId>) -> Result<(PlanId, String), AppError> {
    let plan = with_conn(pool, move |conn| match plan {
        Some(id) => db::plan::find(conn, id),
        None => Ok(db::plan::list(conn)?.into_iter().next()),
    })
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((plan.id, plan.name))
}

async fn settings(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<SettingsQuery>,
) -> Result<HttpResponse, AppError> {
    authorize(&user.actor, Action::ManageIndicatorRules, None)?;
    let plan = find_plan(&pool, query.plan).await?;
    let actor = user.actor.clone();
    let plan_id = plan.0;
    let (settings, bands) =
        run_use_case(&pool, move |conn| use_case::rules(conn, &actor, plan_id)).await?;
    let rows = bands
        .into_iter()
        .map(|b| BandRow {
            min: b.min.map(|m| m.to_string()).unwrap_or_default(),
            label: b.label,
            symbol: b.symbol,
            colour: b.colour,
        })
        .collect();
    settings_page(
        &user,
        plan,
        settings,
        rows,
        Vec::new(),
        query.saved.is_some(),
    )
}

async fn save_settings(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    authorize(&user.actor, Action::ManageIndicatorRules, None)?;
    let plan_id: Option<PlanId> = form.get("plan").parse().ok().map(PlanId);
    let plan = find_plan(&pool, plan_id).await?;
    let rule = Rule::from_code(form.get("rule"));
    let settings = Settings {
        rule: rule.unwrap_or(Rule::Progress),
    };
    let mut problems = Vec::new();
    if rule.is_none() {
        problems.push("達成率の計算方法を選んでください".to_string());
    }
    let mut rows = Vec::new();
    let mut bands = Vec::new();
    for i in 0..BAND_ROWS {
        let get = |name: &str| form.get(&format!("{name}-{i}")).trim().to_string();
        let row = BandRow {
            label: get("label"),
            symbol: get("symbol"),
            colour: get("colour"),
            min: get("min"),
        };
        if row.label.is_empty() && row.symbol.is_empty() && row.min.is_empty() {
            continue;
        }
        let min = if row.min.is_empty() {
            None
        } else {
            match row.min.parse::<f64>() {
                Ok(m) if m.is_finite() => Some(m),
                _ => {
                    problems.push(format!(
                        "{}行目: 下限は数字で入力してください（空欄は最も低い区分）",
                        rows.len() + 1
                    ));
                    None
                }
            }
        };
        bands.push(Band {
            label: row.label.clone(),
            symbol: row.symbol.clone(),
            colour: row.colour.clone(),
            min,
        });
        rows.push(row);
    }
    if problems.is_empty() {
        let actor = user.actor.clone();
        let plan_id = plan.0;
        let saved = run_use_case(&pool, move |conn| {
            use_case::save_rules(conn, &actor, plan_id, settings, bands)
        })
        .await?;
        match saved {
            Ok(()) => {
                return Ok(see_other(&format!(
                    "/indicators/settings?plan={plan_id}&saved=1"
                )))
            }
            Err(p) => problems = p,
        }
    }
    settings_page(&user, plan, settings, rows, problems, false)
}

// ---------------------------------------------------------------- search

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

/// A hit's text around the word: (before, word, after), each shown escaped.
struct Snippet {
    before: String,
    word: String,
    after: String,
}

struct SearchRow {
    sheet_id: SheetId,
    year: String,
    sheet: String,
    department: String,
    field: String,
    snippet: Snippet,
}

#[derive(Template)]
#[template(path = "indicators/search.html")]
struct SearchPage {
    nav: Option<Nav>,
    q: String,
    rows: Vec<SearchRow>,
    error: Option<String>,
    searched: bool,
}

/// Longest search word, in characters.
const SEARCH_MAX: usize = 100;
/// Characters shown on each side of the word.
const SNIPPET_SIDE: usize = 40;

fn snippet(text: &str, word: &str) -> Snippet {
    let chars: Vec<char> = text.chars().collect();
    let word_chars: Vec<char> = word.chars().collect();
    let lower = |c: &char| c.to_ascii_lowercase();
    let at = (0..chars.len()).find(|&i| {
        chars.len() - i >= word_chars.len()
            && chars[i..i + word_chars.len()]
                .iter()
                .map(lower)
                .eq(word_chars.iter().map(lower))
    });
    let Some(at) = at else {
        return Snippet {
            before: chars.iter().take(SNIPPET_SIDE * 2).collect(),
            word: String::new(),
            after: String::new(),
        };
    };
    let end = at + word_chars.len();
    let start = at.saturating_sub(SNIPPET_SIDE);
    let stop = (end + SNIPPET_SIDE).min(chars.len());
    let mut before: String = chars[start..at].iter().collect();
    if start > 0 {
        before.insert(0, '…');
    }
    let mut after: String = chars[end..stop].iter().collect();
    if stop < chars.len() {
        after.push('…');
    }
    Snippet {
        before,
        word: chars[at..end].iter().collect(),
        after,
    }
}

async fn search(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.q.clone().unwrap_or_default();
    let word = q.trim().to_string();
    let mut error = None;
    let mut rows = Vec::new();
    if word.chars().count() > SEARCH_MAX {
        error = Some(format!(
            "検索語は{SEARCH_MAX}文字以内で入力してください（{}文字）",
            word.chars().count()
        ));
    } else if !word.is_empty() {
        let actor = user.actor.clone();
        let w = word.clone();
        let hits = run_use_case(&pool, move |conn| use_case::search(conn, &actor, &w)).await?;
        rows = hits
            .into_iter()
            .map(|h| SearchRow {
                sheet_id: h.sheet_id,
                year: era_name(h.fiscal_year),
                sheet: format!(
                    "({})-{} {}",
                    h.area_number, h.initiative_number, h.initiative_name
                ),
                department: h.department,
                field: h.field.label(h.fiscal_year),
                snippet: snippet(&h.text, &word),
            })
            .collect();
    }
    page(&SearchPage {
        nav: Nav::of(&user),
        searched: !word.is_empty() && error.is_none(),
        q,
        rows,
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_cut_around_the_word() {
        let s = snippet("毎週水曜日をノー残業デーとする", "ノー残業デー");
        assert_eq!(
            (s.before.as_str(), s.word.as_str(), s.after.as_str()),
            ("毎週水曜日を", "ノー残業デー", "とする")
        );
        let long = "あ".repeat(100) + "語" + &"い".repeat(100);
        let s = snippet(&long, "語");
        assert_eq!(s.before.chars().count(), SNIPPET_SIDE + 1);
        assert!(s.after.ends_with('…'));
    }
}
