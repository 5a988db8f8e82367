//! Indicators as the sheet page, the board and the printed sheet show them:
//! direction, the year's actual, 達成率, band or the check mark, and a trend
//! chart drawn as SVG on the server (crisp in print, no JavaScript). Numbers
//! come from `domain::indicator`; this only shapes them for templates.

use crate::domain::fiscal_year::{axis_label, era_name, short, FiscalYear};
use crate::domain::ids::{IndicatorId, SheetId};
use crate::domain::indicator::{
    achievement, band_for, direction_of, latest_actual, percent_label, read, Band, Direction,
    Inputs, Outcome, Reading, Rule,
};
use rust_xlsxwriter::{ColNum, Color, Format, RowNum, Workbook, XlsxError};

use super::tables::Table;
use crate::domain::sheet::{Indicator, Period, Sheet};

/// A band as shown: a coloured mark with its symbol, so print in black and
/// white still tells bands apart.
#[derive(Debug, Clone, PartialEq)]
pub struct BandView {
    pub label: String,
    pub symbol: String,
    pub colour: String,
}

impl From<&Band> for BandView {
    fn from(b: &Band) -> Self {
        Self {
            label: b.label.clone(),
            symbol: b.symbol.clone(),
            colour: b.colour.clone(),
        }
    }
}

/// One indicator row of the panel or the board.
pub struct IndicatorView {
    pub sheet_id: SheetId,
    pub indicator_id: Option<IndicatorId>,
    /// 「(1) 働き方改革の推進」
    pub area: String,
    pub area_number: i32,
    /// 「(1)-1」
    pub number: String,
    pub initiative_number: i32,
    pub initiative: String,
    pub department: String,
    pub name: String,
    pub method: String,
    pub direction: Direction,
    /// Proposed from the numbers, not set by anyone.
    pub direction_proposed: bool,
    pub baseline: String,
    /// (「R4」, value) for each plan year before the sheet's.
    pub actuals: Vec<(String, String)>,
    /// The actual the figure is computed from, with what it is (「R6 現況値」).
    pub actual: String,
    pub actual_label: String,
    pub target: String,
    pub percent: Option<f64>,
    pub percent_label: String,
    /// A qualitative indicator's status as written.
    pub status: String,
    pub band: Option<BandView>,
    /// Why there is no figure: shown with 「数値を確認してください」.
    pub check: Option<&'static str>,
    pub chart: Option<Chart>,
}

impl IndicatorView {
    pub fn needs_check(&self) -> bool {
        self.check.is_some()
    }

    pub fn direction_label(&self) -> String {
        format!("{}{}", self.direction.arrow(), self.direction.label())
    }
}

/// Every indicator of a sheet, in 目標 order.
pub fn indicator_views(sheet: &Sheet, rule: Rule, bands: &[Band]) -> Vec<IndicatorView> {
    sheet
        .content
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| view(sheet, sheet.indicator_ids.get(i).copied(), ind, rule, bands))
        .collect()
}

fn view(
    sheet: &Sheet,
    id: Option<IndicatorId>,
    ind: &Indicator,
    rule: Rule,
    bands: &[Band],
) -> IndicatorView {
    let year = sheet.fiscal_year;
    let (direction, direction_proposed) = direction_of(ind);
    let latest = latest_actual(ind, year);
    let actual = latest.map_or("", |(_, v)| v);
    let outcome = achievement(
        rule,
        Inputs {
            direction,
            baseline: &ind.baseline,
            baseline_year: ind.baseline_year,
            target: &ind.target,
            target_year: ind.target_year,
            actual,
            year,
            status: &ind.status,
        },
    );
    let (percent, status, check) = match &outcome {
        Outcome::Percent(p) => (Some(*p), String::new(), None),
        Outcome::Status(s) => (None, s.clone(), None),
        Outcome::NoActual => (None, String::new(), None),
        Outcome::NeedsCheck(c) => (None, String::new(), Some(c.reason())),
    };
    let ctx = &sheet.context;
    IndicatorView {
        sheet_id: sheet.id,
        indicator_id: id,
        area: format!("({}) {}", ctx.area_number, ctx.area_title),
        area_number: ctx.area_number,
        number: format!("({})-{}", ctx.area_number, ctx.initiative_number),
        initiative_number: ctx.initiative_number,
        initiative: sheet.name().to_string(),
        department: ctx.department.clone(),
        name: ind.name.clone(),
        method: ind.method.clone(),
        direction,
        direction_proposed,
        baseline: ind.baseline.clone(),
        actuals: sheet
            .actual_years()
            .into_iter()
            .map(|y| (short(y), ind.value(y, Period::FullYear).to_string()))
            .collect(),
        actual: actual.to_string(),
        actual_label: latest.map_or_else(String::new, |(p, _)| {
            format!("{} {}", short(year), period_label(p))
        }),
        target: ind.target.clone(),
        percent,
        percent_label: percent.map(percent_label).unwrap_or_default(),
        status,
        band: percent.and_then(|p| band_for(bands, p)).map(BandView::from),
        check,
        chart: chart(sheet, ind, direction),
    }
}

fn period_label(p: Period) -> &'static str {
    match p {
        Period::FirstHalf => "上半期",
        Period::FullYear => "通年",
        Period::Current => "現況値",
    }
}

/// One marked value on a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPoint {
    pub x: f64,
    pub y: f64,
    pub year: FiscalYear,
    /// 「baseline」「actual」「half」: the marker's shape.
    pub kind: &'static str,
    /// 「令和6年度 現況値 月12.2時間」, the marker's tooltip.
    pub label: String,
}

/// A trend chart: baseline, each year's actual, the year's 上半期 actual, the
/// target as a dashed line, the direction arrow.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub title: String,
    pub desc: String,
    /// The baseline and year-end actuals, one per year, oldest first.
    pub points: Vec<ChartPoint>,
    /// The 上半期 actual of the sheet's year, drawn apart from the year-end line.
    pub half: Option<ChartPoint>,
    /// `points` joined, for `<polyline points=…>`.
    pub line: String,
    pub target_y: f64,
    pub target_label: String,
    pub x_labels: Vec<(f64, String)>,
    /// Lowest and highest values on the axis, with their heights.
    pub y_labels: Vec<(f64, String)>,
    pub arrow: &'static str,
    pub plot_left: f64,
    pub plot_right: f64,
}

const WIDTH: f64 = 340.0;
const HEIGHT: f64 = 150.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 26.0;

fn number_in(text: &str, unit: &str) -> Option<f64> {
    match read(text) {
        Reading::Number(m) if m.unit == unit => Some(m.number),
        _ => None,
    }
}

/// None for a qualitative indicator or one whose target is not a number:
/// there is nothing to draw.
pub fn chart(sheet: &Sheet, ind: &Indicator, direction: Direction) -> Option<Chart> {
    if direction == Direction::Qualitative {
        return None;
    }
    let Reading::Number(target) = read(&ind.target) else {
        return None;
    };
    let unit = target.unit.clone();
    let year = sheet.fiscal_year;
    // (year, kind, period label, text, number)
    let mut values: Vec<(FiscalYear, &'static str, &'static str, &str, f64)> = Vec::new();
    if let (Some(by), Some(n)) = (ind.baseline_year, number_in(&ind.baseline, &unit)) {
        values.push((by, "baseline", "当初値", &ind.baseline, n));
    }
    for y in sheet.actual_years() {
        let text = ind.value(y, Period::FullYear);
        if let Some(n) = number_in(text, &unit) {
            values.push((y, "actual", "実績", text, n));
        }
    }
    let year_end = [Period::Current, Period::FullYear]
        .into_iter()
        .map(|p| (p, ind.value(year, p)))
        .find(|(_, v)| number_in(v, &unit).is_some());
    if let Some((p, text)) = year_end {
        let n = number_in(text, &unit).unwrap_or_default();
        values.push((year, "actual", period_label(p), text, n));
    }
    let half_text = ind.value(year, Period::FirstHalf);
    let half = number_in(half_text, &unit).map(|n| (year, "half", "上半期", half_text, n));
    values.sort_by_key(|v| v.0);
    values.dedup_by_key(|v| v.0);

    let first = values.first().map_or(year, |v| v.0).min(year);
    let last = ind.target_year.max(year);
    let numbers = values
        .iter()
        .chain(half.iter())
        .map(|v| v.4)
        .chain([target.number]);
    let (lo, hi) = numbers.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), n| {
        (lo.min(n), hi.max(n))
    });
    let pad = if hi > lo { (hi - lo) * 0.1 } else { 1.0 };
    // A count starts at zero, so the slope is not exaggerated.
    let (lo, hi) = (if lo >= 0.0 { 0.0 } else { lo - pad }, hi + pad);
    let span_years = f64::from((last.0 - first.0).max(1));
    let x = |y: FiscalYear| LEFT + (WIDTH - LEFT - RIGHT) * f64::from(y.0 - first.0) / span_years;
    let y = |n: f64| TOP + (HEIGHT - TOP - BOTTOM) * (hi - n) / (hi - lo);
    let point = |v: &(FiscalYear, &'static str, &'static str, &str, f64)| ChartPoint {
        x: round1(x(v.0)),
        y: round1(y(v.4)),
        year: v.0,
        kind: v.1,
        label: format!("{} {} {}", era_name(v.0), v.2, v.3),
    };
    let points: Vec<ChartPoint> = values.iter().map(point).collect();
    let half = half.as_ref().map(point);
    let line = points
        .iter()
        .map(|p| format!("{},{}", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" ");
    let desc = {
        let mut parts: Vec<String> = values
            .iter()
            .map(|v| format!("{} {} {}", era_name(v.0), v.2, v.3))
            .collect();
        if let Some(h) = &half {
            parts.push(h.label.clone());
        }
        parts.push(format!(
            "目標値（{}）{}",
            era_name(ind.target_year),
            ind.target
        ));
        format!("{}。方向: {}", parts.join("、"), direction.label())
    };
    Some(Chart {
        width: WIDTH,
        height: HEIGHT,
        title: format!("{}の推移", ind.name),
        desc,
        points,
        half,
        line,
        target_y: round1(y(target.number)),
        target_label: format!("目標 {}", ind.target),
        x_labels: FiscalYear::span(first, last)
            .map(|fy| (round1(x(fy)), axis_label(fy)))
            .collect(),
        y_labels: vec![
            (round1(y(hi)), axis_number(hi)),
            (round1(y(lo)), axis_number(lo)),
        ],
        arrow: direction.arrow(),
        plot_left: LEFT,
        plot_right: WIDTH - RIGHT,
    })
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn axis_number(v: f64) -> String {
    let r = round1(v);
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// The check mark's words, the same everywhere.
pub const CHECK_MARK: &str = "数値を確認してください";

/// The board as a flat table for CSV (every cell text; the CSV writer makes
/// cells that would start a formula safe).
pub fn board_table(actual_headers: &[String], rows: &[IndicatorView]) -> Table {
    let mut header: Vec<String> = [
        "推進項目",
        "No.",
        "取組事業",
        "所管課",
        "指標名",
        "方向",
        "当初値",
    ]
    .map(String::from)
    .to_vec();
    header.extend(actual_headers.iter().cloned());
    header.extend(["実績", "実績の時点", "目標値", "達成率", "評価区分", "確認"].map(String::from));
    let rows = rows
        .iter()
        .map(|v| {
            let mut r = vec![
                v.area.clone(),
                v.number.clone(),
                v.initiative.clone(),
                v.department.clone(),
                v.name.clone(),
                v.direction.label().to_string(),
                v.baseline.clone(),
            ];
            r.extend(v.actuals.iter().map(|(_, a)| a.clone()));
            r.extend([
                v.actual.clone(),
                v.actual_label.clone(),
                v.target.clone(),
                if v.status.is_empty() {
                    v.percent_label.clone()
                } else {
                    v.status.clone()
                },
                v.band
                    .as_ref()
                    .map(|b| format!("{}{}", b.symbol, b.label))
                    .unwrap_or_default(),
                v.check
                    .map(|c| format!("{CHECK_MARK}（{c}）"))
                    .unwrap_or_default(),
            ]);
            r
        })
        .collect();
    Table { header, rows }
}

/// The board as an Excel workbook: text cells as text, 達成率 as a number
/// with one decimal (no formulas anywhere).
pub fn board_workbook(
    actual_headers: &[String],
    rows: &[IndicatorView],
    year_label: &str,
) -> Result<Vec<u8>, XlsxError> {
    let table = board_table(actual_headers, rows);
    let percent_col = table.header.iter().position(|h| h == "達成率");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("指標一覧")?;
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_header(format!("&C{year_label} 指標一覧"));
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xE8_EC_F4));
    let percent = Format::new().set_num_format("0.0\"%\"");
    for (c, h) in table.header.iter().enumerate() {
        ws.write_string_with_format(0, c as ColNum, h, &head)?;
        ws.set_column_width(c as ColNum, if c == 2 || c == 4 { 30.0 } else { 12.0 })?;
    }
    for (r, (cells, view)) in table.rows.iter().zip(rows).enumerate() {
        let row = r as RowNum + 1;
        for (c, v) in cells.iter().enumerate() {
            match (Some(c) == percent_col, view.percent) {
                (true, Some(p)) => ws.write_number_with_format(
                    row,
                    c as ColNum,
                    (p * 10.0).round() / 10.0,
                    &percent,
                )?,
                _ => ws.write_string(row, c as ColNum, v)?,
            };
        }
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}
