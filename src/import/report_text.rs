//! Reader of the results report (実績報告書) as a tab-separated text export: a cover (lines in
//! `** **`), the list page 「## 取組事業一覧」, then one 「取組事業点検・評価票」 per initiative.
//!
//! The export is a faithful copy of what departments typed, typos included, so values are kept
//! as written. What varies between sheets (shifted cells, broken labels, spelling of names) is
//! absorbed here; anything we cannot read with confidence is refused with the line number, so
//! that a person can fix the file rather than import a wrong sheet.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{
    ImportError, ImportWarning, ParsedActionItem, ParsedArea, ParsedIndicator, ParsedInitiative,
    ParsedReport, ParsedSheet,
};
use crate::domain::department::{normalize_department, split_department_spellings};
use crate::domain::field::{Field, HeaderSlot, Place, Texts};
use crate::domain::fiscal_year::{
    digit, era_name, leading_int, parse_int, short, split_era_year, year_token, FiscalYear,
};

const SHEET_TITLE: &str = "取組事業点検・評価票";
const LIST_HEADING: &str = "##取組事業一覧";

/// Reads a file as uploaded: refuses text that is not UTF-8 (pointing at the line of the first
/// bad byte, since Excel users often save as Shift_JIS), drops a BOM and CRLF line ends.
pub fn parse_report_bytes(bytes: &[u8]) -> Result<ParsedReport, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let before = bytes.get(..e.valid_up_to()).unwrap_or_default();
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(error(
                line,
                "文字コードが UTF-8 ではありません（Shift_JIS などで保存されている場合は UTF-8 で保存し直してください）",
            ));
        }
    };
    parse_report(&text.replace("\r\n", "\n"))
}

/// Reads the whole report. The list page is the master for names; each sheet is matched to
/// its list row by (推進項目番号, No.), and every difference becomes a warning.
pub fn parse_report(text: &str) -> Result<ParsedReport, ImportError> {
    let lines = split_lines(text);
    if lines.iter().all(|l| is_blank(l)) {
        return Err(error(1, "ファイルが空です"));
    }
    let mut pos = 0;
    let cover = parse_cover(&lines, &mut pos)?;
    let mut spellings = Spellings::default();
    let list = parse_list(&lines, &mut pos, &mut spellings)?;
    let sheets = parse_sheets(&lines, pos, cover.fiscal_year, &list)?;

    let mut warnings = Vec::new();
    let initiatives = join_list_and_sheets(&list, sheets, &mut spellings, &mut warnings)?;
    warnings.extend(spellings.into_warnings());
    warnings.sort_by_key(|w| w.line);
    Ok(ParsedReport {
        plan_name: cover.plan_name,
        first_year: cover.first_year,
        last_year: cover.last_year,
        fiscal_year: cover.fiscal_year,
        report_date: cover.report_date,
        areas: list
            .areas
            .into_iter()
            .map(|a| ParsedArea {
                number: a.number,
                title: a.title,
            })
            .collect(),
        initiatives,
        warnings,
    })
}

/// The lines of the text, without a BOM, CRs at line ends, or the empty piece after the
/// final newline (so that the line past the end is `len() + 1`).
fn split_lines(text: &str) -> Vec<&str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if text.ends_with('\n') {
        lines.pop();
    }
    lines
}

/// The sheets from `pos` (the first title) to the end of the file, by (推進項目番号, No.).
fn parse_sheets(
    lines: &[&str],
    mut pos: usize,
    fiscal_year: FiscalYear,
    list: &List,
) -> Result<HashMap<(i32, i32), RawSheet>, ImportError> {
    if pos >= lines.len() {
        return Err(error(
            lines.len() + 1,
            format!("評価票（「{SHEET_TITLE}」）がありません"),
        ));
    }
    let known: HashSet<(i32, i32)> = list.rows.iter().map(|r| (r.area, r.number)).collect();
    let mut sheets: HashMap<(i32, i32), RawSheet> = HashMap::new();
    while pos < lines.len() {
        let end = (pos + 1..lines.len())
            .find(|&i| lines.get(i).is_some_and(|l| is_sheet_title(l)))
            .unwrap_or(lines.len());
        let block = Block {
            lines,
            start: pos,
            end,
        };
        let sheet = parse_sheet(&block, fiscal_year, &known, &sheets)?;
        sheets.insert((sheet.area, sheet.number), sheet);
        pos = end;
    }
    Ok(sheets)
}

/// Each list row joined with its sheet, in list order; differences go to `warnings`.
fn join_list_and_sheets(
    list: &List,
    mut sheets: HashMap<(i32, i32), RawSheet>,
    spellings: &mut Spellings,
    warnings: &mut Vec<ImportWarning>,
) -> Result<Vec<ParsedInitiative>, ImportError> {
    let mut initiatives = Vec::with_capacity(list.rows.len());
    for row in &list.rows {
        let Some(sheet) = sheets.remove(&(row.area, row.number)) else {
            // No sheet for this row nor any later one: most likely the file was cut short.
            let hint = if sheets.is_empty() {
                "（ファイルが途中で切れている可能性があります）"
            } else {
                ""
            };
            return Err(error(
                row.line,
                format!(
                    "取組事業一覧の ({}) No.{}「{}」に対応する評価票がありません{hint}",
                    row.area, row.number, row.name
                ),
            ));
        };
        let area_title = list
            .areas
            .iter()
            .find(|a| a.number == row.area)
            .map_or("", |a| a.title.as_str());
        initiatives.push(join_row_and_sheet(
            row, area_title, sheet, spellings, warnings,
        ));
    }
    Ok(initiatives)
}

fn error(line: usize, message: impl Into<String>) -> ImportError {
    ImportError {
        line,
        message: message.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Lines and cells

/// Cells of a line with trailing empty cells dropped (the export pads rows unevenly).
fn cells(line: &str) -> Vec<&str> {
    let mut cells: Vec<&str> = line.split('\t').collect();
    while cells.last().is_some_and(|c| c.trim().is_empty()) {
        cells.pop();
    }
    cells
}

fn non_empty_cells(line: &str) -> Vec<&str> {
    line.split('\t').filter(|c| !c.trim().is_empty()).collect()
}

fn is_blank(line: &str) -> bool {
    cells(line).is_empty()
}

/// A label with its whitespace removed: the export breaks labels (「関連する 取組事業」).
fn key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A line holding only `text` (compared without whitespace), wherever the cell sits.
fn is_only(line: &str, text: &str) -> bool {
    let cells = non_empty_cells(line);
    cells.len() == 1 && cells.first().is_some_and(|c| key(c) == text)
}

fn is_sheet_title(line: &str) -> bool {
    is_only(line, SHEET_TITLE)
}

fn is_list_heading(line: &str) -> bool {
    is_only(line, LIST_HEADING)
}

// ---------------------------------------------------------------------------------------------
// Numbers and 和暦

/// 「(R2)」 or 「（R2）」 → 「R2」.
fn strip_parens(s: &str) -> Option<&str> {
    let s = s.strip_prefix('(').or_else(|| s.strip_prefix('（'))?;
    s.strip_suffix(')').or_else(|| s.strip_suffix('）'))
}

/// 「(3) rest」 → (3, 「 rest」), parentheses half or full width.
fn parse_paren_number(s: &str) -> Option<(i32, &str)> {
    let s = s.strip_prefix('(').or_else(|| s.strip_prefix('（'))?;
    let close = s.find([')', '）'])?;
    let n = parse_int(s.get(..close)?)?;
    let rest = s.get(close..)?;
    let rest = rest.strip_prefix(')').or_else(|| rest.strip_prefix('）'))?;
    Some((n, rest))
}

// ---------------------------------------------------------------------------------------------
// Cover

struct Cover {
    plan_name: String,
    first_year: FiscalYear,
    last_year: FiscalYear,
    fiscal_year: FiscalYear,
    report_date: String,
}

/// Reads the `** **` lines up to 「## 取組事業一覧」, leaving `pos` on that heading.
fn parse_cover(lines: &[&str], pos: &mut usize) -> Result<Cover, ImportError> {
    let mut cover = CoverLines::default();
    let mut heading_found = false;
    while let Some(line) = lines.get(*pos) {
        let no = *pos + 1;
        if is_blank(line) {
            *pos += 1;
            continue;
        }
        if is_list_heading(line) {
            heading_found = true;
            break;
        }
        if is_sheet_title(line) {
            return Err(cover.sheet_too_early(no));
        }
        cover.read(cover_text(line, no)?, no)?;
        *pos += 1;
    }
    cover.finish(*pos + 1, heading_found)
}

/// The text of a cover line, 「**…**」 alone on its line.
fn cover_text(line: &str, no: usize) -> Result<&str, ImportError> {
    let row = cells(line);
    row.first()
        .map(|c| c.trim())
        .and_then(|c| c.strip_prefix("**"))
        .and_then(|c| c.strip_suffix("**"))
        .map(str::trim)
        .filter(|c| !c.is_empty() && row.len() == 1)
        .ok_or_else(|| {
            error(
                no,
                format!(
                    "表紙の行として読めません: 「{}」（取組事業点検・評価票の実績報告書のテキストではないようです）",
                    line.trim()
                ),
            )
        })
}

/// The cover lines read so far.
#[derive(Default)]
struct CoverLines {
    /// Plan name with its first and last year.
    plan: Option<(String, FiscalYear, FiscalYear)>,
    /// Report year with its line, which an out-of-period year is reported at.
    fiscal: Option<(FiscalYear, usize)>,
    date: Option<String>,
}

impl CoverLines {
    /// A sheet title at line `no`, before the list page.
    fn sheet_too_early(&self, no: usize) -> ImportError {
        if self.plan.is_none() || self.fiscal.is_none() {
            error(
                no,
                format!("「{SHEET_TITLE}」の前に表紙（プラン名・年度）がありません"),
            )
        } else {
            error(
                no,
                format!("「{SHEET_TITLE}」の前に「## 取組事業一覧」がありません"),
            )
        }
    }

    /// Takes one cover line as the plan name, the report year or the report date.
    fn read(&mut self, inner: &str, no: usize) -> Result<(), ImportError> {
        if let Some((first, last)) = plan_period(inner) {
            if self.plan.is_some() {
                return Err(error(no, "表紙にプラン名が2回あります"));
            }
            if first > last {
                return Err(error(
                    no,
                    format!("プランの期間「{first}～{last}」の始めと終わりが逆です"),
                ));
            }
            self.plan = Some((inner.to_string(), first, last));
        } else if let Some((year, _)) = split_era_year(&key(inner)) {
            if self.fiscal.is_some() {
                return Err(error(no, "表紙に報告書の年度が2回あります"));
            }
            self.fiscal = Some((year, no));
        } else if key(inner).starts_with("令和") && inner.contains('年') {
            if self.date.is_some() {
                return Err(error(no, "表紙に報告日が2回あります"));
            }
            self.date = Some(inner.to_string());
        } else {
            return Err(error(no, format!("表紙の行「{inner}」を読み取れません")));
        }
        Ok(())
    }

    /// The cover once its lines end at line `here`: every part present, the year in the plan.
    fn finish(self, here: usize, heading_found: bool) -> Result<Cover, ImportError> {
        let Some((plan_name, first_year, last_year)) = self.plan else {
            return Err(error(
                here,
                "表紙にプラン名（例: 「第2次甲府市行政改革推進プラン（2022～2025）」）がありません",
            ));
        };
        let Some((fiscal_year, fiscal_line)) = self.fiscal else {
            return Err(error(
                here,
                "表紙に報告書の年度（例: 「令和6年度実績報告書」）がありません",
            ));
        };
        let Some(report_date) = self.date else {
            return Err(error(
                here,
                "表紙に報告日（例: 「令和7年3月末」）がありません",
            ));
        };
        if !heading_found {
            return Err(error(here, "「## 取組事業一覧」がありません"));
        }
        if !(first_year..=last_year).contains(&fiscal_year) {
            return Err(error(
                fiscal_line,
                format!(
                    "報告書の年度（{}）がプランの期間（{first_year}～{last_year}年度）の外です",
                    era_name(fiscal_year)
                ),
            ));
        }
        Ok(Cover {
            plan_name,
            first_year,
            last_year,
            fiscal_year,
            report_date,
        })
    }
}

/// The plan period in a name like 「…プラン（2022～2025）」.
fn plan_period(name: &str) -> Option<(FiscalYear, FiscalYear)> {
    name.char_indices()
        .filter(|&(_, c)| c == '(' || c == '（')
        .find_map(|(i, c)| {
            let after = name.get(i + c.len_utf8()..)?;
            let inner = key(after.get(..after.find([')', '）'])?)?);
            let (first, rest) = leading_int(&inner)?;
            let mut rest = rest.chars();
            if !matches!(rest.next()?, '~' | '〜' | '～' | '-' | '－' | '–' | '—') {
                return None;
            }
            let last = parse_int(rest.as_str())?;
            (first >= 1000 && last >= 1000).then_some((FiscalYear(first), FiscalYear(last)))
        })
}

// ---------------------------------------------------------------------------------------------
// List page

struct ListArea {
    number: i32,
    title: String,
    line: usize,
    rows: usize,
}

struct ListRow {
    area: i32,
    number: i32,
    name: String,
    department: String,
    plan: Option<String>,
    line: usize,
}

struct List {
    areas: Vec<ListArea>,
    rows: Vec<ListRow>,
}

/// Reads from 「## 取組事業一覧」 up to the first sheet, leaving `pos` on its title (or at the end).
fn parse_list(
    lines: &[&str],
    pos: &mut usize,
    spellings: &mut Spellings,
) -> Result<List, ImportError> {
    let mut list = List {
        areas: Vec::new(),
        rows: Vec::new(),
    };
    let mut header_seen = false;
    *pos += 1; // the heading itself
    while let Some(line) = lines.get(*pos) {
        let no = *pos + 1;
        if is_sheet_title(line) {
            break;
        }
        *pos += 1;
        if is_blank(line) {
            continue;
        }
        let row = cells(line);
        let first = row.first().map_or("", |c| c.trim());
        if let Some(heading) = first.strip_prefix("###") {
            push_area(&mut list, heading, &row, line, no)?;
            header_seen = false;
            continue;
        }
        let Some(area) = list.areas.last_mut() else {
            return Err(error(
                no,
                format!(
                    "推進項目の見出し（例: ### (1) 働き方改革の推進）より前に行があります: 「{}」",
                    line.trim()
                ),
            ));
        };
        if is_list_header(&row) {
            header_seen = true;
            continue;
        }
        if !header_seen {
            return Err(error(
                no,
                format!("取組事業一覧の見出し行（No.・取組事業・計画所管課・推進する計画）より前に行があります: 「{}」", line.trim()),
            ));
        }
        let row = list_row(&row, line, no, area.number, &list.rows, spellings)?;
        area.rows += 1;
        list.rows.push(row);
    }
    if list.areas.is_empty() {
        return Err(error(*pos + 1, "取組事業一覧に推進項目がありません"));
    }
    check_area_has_rows(&list)?;
    Ok(list)
}

/// A 「### (1) 働き方改革の推進」 line (`heading` is what follows the `###`). The area before
/// it must have rows, and its number must be new.
fn push_area(
    list: &mut List,
    heading: &str,
    row: &[&str],
    line: &str,
    no: usize,
) -> Result<(), ImportError> {
    let parsed = parse_paren_number(heading.trim())
        .map(|(n, title)| (n, title.trim()))
        .filter(|(_, title)| !title.is_empty() && row.len() == 1);
    let Some((number, title)) = parsed else {
        return Err(error(
            no,
            format!(
                "推進項目の見出し「{}」を読み取れません（例: ### (1) 働き方改革の推進）",
                line.trim()
            ),
        ));
    };
    check_area_has_rows(list)?;
    if list.areas.iter().any(|a| a.number == number) {
        return Err(error(
            no,
            format!("推進項目 ({number}) が一覧に2回あります"),
        ));
    }
    list.areas.push(ListArea {
        number,
        title: title.to_string(),
        line: no,
        rows: 0,
    });
    Ok(())
}

/// A row 「No.⇥取組事業⇥計画所管課[⇥推進する計画]」 of `area`, whose No. must be new there
/// among the `rows` read so far.
fn list_row(
    row: &[&str],
    line: &str,
    no: usize,
    area: i32,
    rows: &[ListRow],
    spellings: &mut Spellings,
) -> Result<ListRow, ImportError> {
    let name = row.get(1).map_or("", |c| c.trim());
    let department = row.get(2).map_or("", |c| c.trim());
    let number = row
        .first()
        .and_then(|c| parse_int(c))
        .filter(|_| !name.is_empty() && !department.is_empty() && row.len() <= 4);
    let Some(number) = number else {
        return Err(error(
            no,
            format!(
                "取組事業一覧の行を読み取れません（No.・取組事業・計画所管課・推進する計画 の順の列が必要です）: 「{}」",
                line.trim()
            ),
        ));
    };
    if rows.iter().any(|r| r.area == area && r.number == number) {
        return Err(error(
            no,
            format!("取組事業一覧に ({area}) No.{number} が2回あります"),
        ));
    }
    let normalized = normalize_department(department);
    spellings.note(department, &normalized, no);
    Ok(ListRow {
        area,
        number,
        name: name.to_string(),
        department: normalized,
        plan: row
            .get(3)
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        line: no,
    })
}

fn check_area_has_rows(list: &List) -> Result<(), ImportError> {
    match list.areas.last() {
        Some(area) if area.rows == 0 => Err(error(
            area.line,
            format!(
                "推進項目 ({}) {} に取組事業がありません",
                area.number, area.title
            ),
        )),
        _ => Ok(()),
    }
}

/// 「No.⇥取組事業⇥計画所管課⇥推進する計画」, tolerating 「No」「Ｎｏ．」 and a missing last column.
fn is_list_header(row: &[&str]) -> bool {
    let keys: Vec<String> = row.iter().map(|c| key(c)).collect();
    let no = keys
        .first()
        .map(|k| k.trim_end_matches(['.', '．']))
        .is_some_and(|k| matches!(k, "No" | "NO" | "Ｎｏ" | "ＮＯ"));
    let rest: Vec<&str> = keys.iter().skip(1).map(String::as_str).collect();
    no && matches!(
        rest.as_slice(),
        ["取組事業", "計画所管課" | "所管課"]
            | [
                "取組事業",
                "計画所管課" | "所管課",
                "推進する計画" | "関係計画名"
            ]
    )
}

// ---------------------------------------------------------------------------------------------
// Sheets

/// The lines of one sheet: from its title up to the next title or the end of the file.
struct Block<'a> {
    lines: &'a [&'a str],
    start: usize,
    end: usize,
}

impl Block<'_> {
    fn get(&self, i: usize) -> Option<&str> {
        if i < self.end {
            self.lines.get(i).copied()
        } else {
            None
        }
    }

    /// Index of the first non-blank line at or after `i` (or `end`).
    fn skip_blank(&self, mut i: usize) -> usize {
        while self.get(i).is_some_and(is_blank) {
            i += 1;
        }
        i
    }
}

/// Labels of the header grid that take a value.
const HEADER_LABELS: [&str; 8] = [
    "取組事業名",
    "関係計画名",
    "計画年数",
    "所管課",
    "関係課",
    "対象部局",
    "関連する取組事業",
    "特記事項",
];
const NAME: usize = 0;
const PLAN: usize = 1;
const YEARS: usize = 2;
const DEPT: usize = 3;
const RELATED_DEPTS: usize = 4;
const SCOPE: usize = 5;
const RELATED: usize = 6;
const NOTES: usize = 7;

/// A sheet as read, before it is joined with its list row.
struct RawSheet {
    area: i32,
    number: i32,
    area_title: String,
    heading_line: usize,
    /// Value and line of each of `HEADER_LABELS`.
    header: [(String, usize); 8],
    sheet: ParsedSheet,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Schedule,
    Goals,
}

struct ScheduleColumns {
    item: usize,
    years: Vec<(usize, FiscalYear)>,
}

struct GoalColumns {
    name: usize,
    method: usize,
    baseline: usize,
    actuals: Vec<(usize, FiscalYear)>,
    half: usize,
    current: usize,
    target: usize,
}

fn parse_sheet(
    block: &Block<'_>,
    fiscal_year: FiscalYear,
    known: &HashSet<(i32, i32)>,
    done: &HashMap<(i32, i32), RawSheet>,
) -> Result<RawSheet, ImportError> {
    let heading = read_sheet_heading(block, known, done)?;
    let name = &heading.name;
    let grid_start = block.skip_blank(heading.line);
    let (grid, grid_end) = read_grid(block, grid_start, fiscal_year, name)?;
    let header = grid.header.map(|v| v.unwrap_or_default());
    let mut sheet = grid.sheet;
    sheet.name_on_sheet = header[NAME].0.clone();
    sheet.texts = parse_body(block, grid_end, fiscal_year, name)?;
    for (slot, index) in [
        (HeaderSlot::InitiativeName, NAME),
        (HeaderSlot::RelatedPlan, PLAN),
        (HeaderSlot::PlanYears, YEARS),
        (HeaderSlot::TargetScope, SCOPE),
        (HeaderSlot::RelatedInitiatives, RELATED),
        (HeaderSlot::SpecialNotes, NOTES),
    ] {
        sheet
            .texts
            .set(Field::in_slot(slot), header[index].0.clone());
    }
    Ok(RawSheet {
        area: heading.area,
        number: heading.number,
        area_title: heading.area_title,
        heading_line: heading.line,
        header,
        sheet,
    })
}

/// The line 「(1) 働き方改革の推進 No.1」 under a sheet's title.
struct SheetHeading {
    line: usize,
    area: i32,
    area_title: String,
    number: i32,
    /// 「評価票 (1) No.1」, how messages name the sheet.
    name: String,
}

/// The first line after the title: a heading naming a list row that has no sheet yet.
fn read_sheet_heading(
    block: &Block<'_>,
    known: &HashSet<(i32, i32)>,
    done: &HashMap<(i32, i32), RawSheet>,
) -> Result<SheetHeading, ImportError> {
    let title_line = block.start + 1;
    let i = block.skip_blank(block.start + 1);
    let Some(heading) = block.get(i) else {
        return Err(error(
            i + 1,
            format!(
                "評価票（{title_line}行目）に「(推進項目番号) 推進項目名 No.番号」の行がありません"
            ),
        ));
    };
    let line = i + 1;
    let parsed = match non_empty_cells(heading).as_slice() {
        [only] => parse_sheet_heading(only),
        _ => None,
    };
    let Some((area, area_title, number)) = parsed else {
        return Err(error(
            line,
            format!(
                "評価票の見出し「{}」を読み取れません（例: (1) 働き方改革の推進 No.1）",
                heading.trim()
            ),
        ));
    };
    let name = format!("評価票 ({area}) No.{number}");
    if !known.contains(&(area, number)) {
        return Err(error(line, format!("{name} は取組事業一覧にありません")));
    }
    if let Some(first) = done.get(&(area, number)) {
        return Err(error(
            line,
            format!("{name} が2回あります（最初は{}行目）", first.sheet.line),
        ));
    }
    Ok(SheetHeading {
        line,
        area,
        area_title,
        number,
        name,
    })
}

/// The header grid as read so far. Action items and indicators sit in the grid under their
/// header rows (取組項目, 目標), so they are read into `sheet` here.
struct Grid {
    /// Value and line of each of `HEADER_LABELS` met so far.
    header: [Option<(String, usize)>; 8],
    schedule: Option<ScheduleColumns>,
    goals: Option<GoalColumns>,
    /// The header row that rows with an empty first cell belong to.
    section: Section,
    sheet: ParsedSheet,
}

/// Reads the header grid from line index `start` up to the first blank line, and returns it
/// with that line's index (where the body starts). Every row of the printed grid must be there.
fn read_grid(
    block: &Block<'_>,
    start: usize,
    fiscal_year: FiscalYear,
    name: &str,
) -> Result<(Grid, usize), ImportError> {
    let mut grid = Grid {
        header: Default::default(),
        schedule: None,
        goals: None,
        section: Section::None,
        sheet: ParsedSheet {
            line: block.start + 1,
            ..ParsedSheet::default()
        },
    };
    let mut i = start;
    while let Some(line) = block.get(i).filter(|l| !is_blank(l)) {
        grid.read_row(line, i + 1, fiscal_year, name)?;
        i += 1;
    }
    let grid_end_line = i + 1;
    if i == start {
        return Err(error(
            grid_end_line,
            format!("{name} の見出し部（取組事業名・所管課・取組項目・目標 など）がありません"),
        ));
    }
    if let Some(label) = grid.first_missing_row() {
        return Err(error(
            grid_end_line,
            format!("{name} の見出し部に「{label}」の行がありません"),
        ));
    }
    Ok((grid, i))
}

impl Grid {
    /// One row of the grid, at line `no`: a section header, label/value pairs, or (with an
    /// empty first cell) an action item or indicator of the current section.
    fn read_row(
        &mut self,
        line: &str,
        no: usize,
        fiscal_year: FiscalYear,
        name: &str,
    ) -> Result<(), ImportError> {
        let raw: Vec<&str> = line.split('\t').collect();
        let first = raw.first().copied().unwrap_or_default();
        if key(first) == "取組項目" {
            if self.schedule.is_some() {
                return Err(error(no, format!("{name} に「取組項目」の行が2回あります")));
            }
            let columns = parse_schedule_header(&raw, name, no)?;
            self.sheet.schedule_years = columns.years.iter().map(|&(_, y)| y).collect();
            self.schedule = Some(columns);
            self.section = Section::Schedule;
        } else if key(first) == "目標" {
            if self.goals.is_some() {
                return Err(error(no, format!("{name} に「目標」の行が2回あります")));
            }
            let (columns, baseline_year, target_year) =
                parse_goal_header(&raw, fiscal_year, name, no)?;
            self.sheet.baseline_year = baseline_year;
            self.sheet.target_year = target_year;
            self.sheet.actual_years = columns.actuals.iter().map(|&(_, y)| y).collect();
            self.goals = Some(columns);
            self.section = Section::Goals;
        } else if raw.iter().any(|c| header_label(c).is_some()) {
            parse_label_row(&raw, &mut self.header, name, no)?;
            self.section = Section::None;
        } else if first.trim().is_empty() {
            self.read_section_row(&raw, line, no, name)?;
        } else {
            return Err(error(
                no,
                format!("{name}: 不明な項目名「{}」", first.trim()),
            ));
        }
        Ok(())
    }

    /// A row with an empty first cell: an action item under 取組項目, an indicator under 目標.
    fn read_section_row(
        &mut self,
        raw: &[&str],
        line: &str,
        no: usize,
        name: &str,
    ) -> Result<(), ImportError> {
        match (self.section, &self.schedule, &self.goals) {
            (Section::Schedule, Some(columns), _) => {
                let item = parse_action_item(raw, columns, name, no)?;
                self.sheet.action_items.push(item);
            }
            (Section::Goals, _, Some(columns)) => {
                let indicator = parse_indicator(raw, columns, name, no)?;
                self.sheet.indicators.push(indicator);
            }
            _ => {
                return Err(error(
                    no,
                    format!("{name}: 項目名のない行です: 「{}」", line.trim()),
                ))
            }
        }
        Ok(())
    }

    /// The first row of the printed grid that was not read, in printed order, so that a
    /// cut-off grid names the first row that is missing.
    fn first_missing_row(&self) -> Option<&'static str> {
        let present = |i: usize| self.header.get(i).is_some_and(Option::is_some);
        let rows = [
            (HEADER_LABELS[NAME], present(NAME)),
            (HEADER_LABELS[PLAN], present(PLAN)),
            (HEADER_LABELS[YEARS], present(YEARS)),
            (HEADER_LABELS[DEPT], present(DEPT)),
            (HEADER_LABELS[RELATED_DEPTS], present(RELATED_DEPTS)),
            (HEADER_LABELS[SCOPE], present(SCOPE)),
            ("取組項目", self.schedule.is_some()),
            ("目標", self.goals.is_some()),
            (HEADER_LABELS[RELATED], present(RELATED)),
            (HEADER_LABELS[NOTES], present(NOTES)),
        ];
        rows.iter().find(|(_, ok)| !ok).map(|(label, _)| *label)
    }
}

/// 「(1) 働き方改革の推進 No.1」 → (1, 「働き方改革の推進」, 1).
fn parse_sheet_heading(s: &str) -> Option<(i32, String, i32)> {
    let (area, rest) = parse_paren_number(s.trim())?;
    let rest = rest.trim_end();
    let digits_start = rest
        .char_indices()
        .rev()
        .take_while(|&(_, c)| digit(c).is_some())
        .last()
        .map(|(i, _)| i)?;
    let number = parse_int(rest.get(digits_start..)?)?;
    let before = rest.get(..digits_start)?.trim_end();
    let before = before
        .strip_suffix(['.', '．'])
        .unwrap_or(before)
        .trim_end();
    let title = ["No", "NO", "no", "Ｎｏ", "ＮＯ"]
        .iter()
        .find_map(|p| before.strip_suffix(p))?
        .trim();
    (!title.is_empty()).then(|| (area, title.to_string(), number))
}

fn header_label(cell: &str) -> Option<usize> {
    let k = key(cell);
    HEADER_LABELS.iter().position(|l| *l == k)
}

/// A row of label/value pairs. Merged cells in the export leave empty cells anywhere, so the
/// value of a label is whatever non-empty cell comes before the next label.
fn parse_label_row(
    raw: &[&str],
    header: &mut [Option<(String, usize)>; 8],
    name: &str,
    no: usize,
) -> Result<(), ImportError> {
    let mut current: Option<(usize, Option<&str>)> = None;
    for cell in raw.iter().copied() {
        if let Some(label) = header_label(cell) {
            if let Some((prev, value)) = current.take() {
                set_header(header, prev, value, no);
            }
            if header.get(label).is_some_and(Option::is_some) {
                return Err(error(
                    no,
                    format!(
                        "{name} に「{}」が2回あります",
                        HEADER_LABELS.get(label).unwrap_or(&"")
                    ),
                ));
            }
            current = Some((label, None));
        } else if cell.trim().is_empty() {
            continue;
        } else {
            match &mut current {
                None => {
                    return Err(error(
                        no,
                        format!("{name}: 不明な項目名「{}」", cell.trim()),
                    ));
                }
                Some((label, Some(first))) => {
                    return Err(error(
                        no,
                        format!(
                            "{name} の「{}」に値が2つあります: 「{}」「{}」",
                            HEADER_LABELS.get(*label).unwrap_or(&""),
                            first.trim(),
                            cell.trim()
                        ),
                    ));
                }
                Some((_, value)) => *value = Some(cell),
            }
        }
    }
    if let Some((label, value)) = current {
        set_header(header, label, value, no);
    }
    Ok(())
}

fn set_header(
    header: &mut [Option<(String, usize)>; 8],
    label: usize,
    value: Option<&str>,
    no: usize,
) {
    if let Some(slot) = header.get_mut(label) {
        *slot = Some((cell_text(value.unwrap_or_default()), no));
    }
}

/// 「取組項目⇥項目⇥令和4年度⇥…」: where the item text and each year's cell sit.
fn parse_schedule_header(
    raw: &[&str],
    name: &str,
    no: usize,
) -> Result<ScheduleColumns, ImportError> {
    let mut item = None;
    let mut years = Vec::new();
    for (col, cell) in raw.iter().enumerate().skip(1) {
        let k = key(cell);
        if k.is_empty() {
            continue;
        }
        match split_era_year(&k) {
            _ if k == "項目" && item.is_none() && years.is_empty() => item = Some(col),
            Some((year, "")) if item.is_some() && !years.iter().any(|&(_, y)| y == year) => {
                years.push((col, year))
            }
            _ => {
                return Err(error(
                    no,
                    format!(
                        "{name} の「取組項目」の行に読み取れない列「{}」があります",
                        cell.trim()
                    ),
                ))
            }
        }
    }
    match item {
        Some(item) if !years.is_empty() => Ok(ScheduleColumns { item, years }),
        _ => Err(error(
            no,
            format!("{name} の「取組項目」の行に「項目」と年度（令和N年度）の列がありません"),
        )),
    }
}

fn parse_action_item(
    raw: &[&str],
    columns: &ScheduleColumns,
    name: &str,
    no: usize,
) -> Result<ParsedActionItem, ImportError> {
    let used = |col: usize| col == columns.item || columns.years.iter().any(|&(c, _)| c == col);
    check_no_stray_cells(raw, used, name, "取組項目", no)?;
    let text = raw.get(columns.item).copied().unwrap_or_default();
    if text.trim().is_empty() {
        return Err(error(no, format!("{name} の取組項目の項目名が空です")));
    }
    Ok(ParsedActionItem {
        text: cell_text(text),
        cells: columns
            .years
            .iter()
            .map(|&(col, _)| cell_text(raw.get(col).copied().unwrap_or_default()))
            .collect(),
    })
}

/// 「目標⇥指標名⇥評価方法⇥当初値 (R2)⇥R4実績⇥…⇥R6実績 (上半期)⇥現況値⇥目標値 (R7)」.
/// Returns the columns, the baseline year and the target year.
fn parse_goal_header(
    raw: &[&str],
    fiscal_year: FiscalYear,
    name: &str,
    no: usize,
) -> Result<(GoalColumns, Option<FiscalYear>, FiscalYear), ImportError> {
    let mut header = GoalHeader::default();
    for (col, cell) in raw.iter().enumerate().skip(1) {
        let k = key(cell);
        if k.is_empty() {
            continue;
        }
        header.read(col, &k, fiscal_year).map_err(|why| {
            error(
                no,
                format!(
                    "{name} の「目標」の行の列「{}」を読み取れません{why}",
                    cell.trim()
                ),
            )
        })?;
    }
    header.finish().ok_or_else(|| {
        error(
            no,
            format!(
                "{name} の「目標」の行には 指標名・評価方法・当初値・{}実績 (上半期)・現況値・目標値 の列が必要です",
                short(fiscal_year)
            ),
        )
    })
}

/// The columns of a 目標 header row found so far.
#[derive(Default)]
struct GoalHeader {
    name: Option<usize>,
    method: Option<usize>,
    /// Column, and the year in 「当初値 (R2)」 if one is written.
    baseline: Option<(usize, Option<FiscalYear>)>,
    actuals: Vec<(usize, FiscalYear)>,
    half: Option<usize>,
    current: Option<usize>,
    target: Option<(usize, FiscalYear)>,
}

impl GoalHeader {
    /// Takes column `col`, headed `k` (whitespace removed). The error is what to add to
    /// 「…を読み取れません」: why, or nothing when the heading is simply unknown.
    fn read(&mut self, col: usize, k: &str, fiscal_year: FiscalYear) -> Result<(), String> {
        let fresh = |taken: bool| {
            if taken {
                Err("（2回あります）".to_string())
            } else {
                Ok(())
            }
        };
        if k == "指標名" {
            fresh(self.name.is_some())?;
            self.name = Some(col);
        } else if k == "評価方法" {
            fresh(self.method.is_some())?;
            self.method = Some(col);
        } else if k == "現況値" {
            fresh(self.current.is_some())?;
            self.current = Some(col);
        } else if let Some(rest) = k.strip_prefix("当初値") {
            fresh(self.baseline.is_some())?;
            let year = if rest.is_empty() {
                None
            } else {
                Some(
                    strip_parens(rest)
                        .and_then(year_token)
                        .ok_or_else(String::new)?,
                )
            };
            self.baseline = Some((col, year));
        } else if let Some(rest) = k.strip_prefix("目標値") {
            fresh(self.target.is_some())?;
            let year = strip_parens(rest)
                .and_then(year_token)
                .ok_or_else(|| "（目標値 (R7) のように年度が必要です）".to_string())?;
            self.target = Some((col, year));
        } else if let Some(year) = k.strip_suffix("実績").and_then(year_token) {
            fresh(self.actuals.iter().any(|&(_, y)| y == year))?;
            self.actuals.push((col, year));
        } else if let Some(year) = k
            .strip_suffix("実績(上半期)")
            .or_else(|| k.strip_suffix("実績（上半期）"))
            .and_then(year_token)
        {
            fresh(self.half.is_some())?;
            if year != fiscal_year {
                return Err(format!(
                    "（上半期の実績は報告書の年度 {} のものが必要です）",
                    era_name(fiscal_year)
                ));
            }
            self.half = Some(col);
        } else {
            return Err(String::new());
        }
        Ok(())
    }

    /// The columns with the baseline and target years, if every required column was found.
    fn finish(self) -> Option<(GoalColumns, Option<FiscalYear>, FiscalYear)> {
        let (baseline, baseline_year) = self.baseline?;
        let (target, target_year) = self.target?;
        let columns = GoalColumns {
            name: self.name?,
            method: self.method?,
            baseline,
            actuals: self.actuals,
            half: self.half?,
            current: self.current?,
            target,
        };
        Some((columns, baseline_year, target_year))
    }
}

fn parse_indicator(
    raw: &[&str],
    columns: &GoalColumns,
    name: &str,
    no: usize,
) -> Result<ParsedIndicator, ImportError> {
    let fixed = [
        columns.name,
        columns.method,
        columns.baseline,
        columns.half,
        columns.current,
        columns.target,
    ];
    let used = |col: usize| fixed.contains(&col) || columns.actuals.iter().any(|&(c, _)| c == col);
    check_no_stray_cells(raw, used, name, "目標", no)?;
    let at = |col: usize| cell_text(raw.get(col).copied().unwrap_or_default());
    let indicator = ParsedIndicator {
        name: at(columns.name),
        method: at(columns.method),
        baseline: at(columns.baseline),
        actuals: columns.actuals.iter().map(|&(col, _)| at(col)).collect(),
        half_year: at(columns.half),
        current: at(columns.current),
        target: at(columns.target),
    };
    if indicator.name.trim().is_empty() {
        return Err(error(no, format!("{name} の目標の指標名が空です")));
    }
    Ok(indicator)
}

/// A value outside the columns announced by the row's header would be silently lost.
fn check_no_stray_cells(
    raw: &[&str],
    used: impl Fn(usize) -> bool,
    name: &str,
    section: &str,
    no: usize,
) -> Result<(), ImportError> {
    match raw
        .iter()
        .enumerate()
        .find(|&(col, cell)| !cell.trim().is_empty() && !used(col))
    {
        Some((_, cell)) => Err(error(
            no,
            format!(
                "{name} の「{section}」の行に見出しのない列の値「{}」があります",
                cell.trim()
            ),
        )),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Body

/// The body fields a report prints as rows, in printed order: a missing one is
/// expected after its predecessor. The reason beside 所管課評価 is that row's third cell.
/// A field newer than the reports (`in_report: false`) is read when present.
fn printed_body_fields() -> Vec<Field> {
    Field::all()
        .filter(|f| f.def().place == Place::Body)
        .collect()
}

/// Body rows from `i` to the end of the block: label⇥text⇥[理由].
fn parse_body(
    block: &Block<'_>,
    mut i: usize,
    fiscal_year: FiscalYear,
    name: &str,
) -> Result<Texts, ImportError> {
    let fields = printed_body_fields();
    // Text, third cell and line of each printed field, by its place in `fields`.
    let mut found: Vec<Option<(String, String, usize)>> = vec![None; fields.len()];
    let first_line = block.skip_blank(i) + 1;
    while let Some(line) = block.get(i) {
        let no = i + 1;
        i += 1;
        let row = cells(line);
        let Some(label) = row.first() else {
            continue; // blank
        };
        let field = body_row_field(&row, label, fiscal_year, name, no)?;
        let slot = fields
            .iter()
            .position(|f| *f == field)
            .map(|p| &mut found[p]);
        match slot {
            Some(Some((_, _, first))) => {
                return Err(error(
                    no,
                    format!(
                        "{name} に「{}」が2回あります（最初は{first}行目）",
                        field.label(fiscal_year)
                    ),
                ));
            }
            Some(slot) => {
                let text = cell_text(row.get(1).copied().unwrap_or_default());
                let third = cell_text(row.get(2).copied().unwrap_or_default());
                *slot = Some((text, third, no));
            }
            None => {}
        }
    }
    let missing = (0..fields.len()).find(|i| found[*i].is_none() && fields[*i].def().in_report);
    if let Some(idx) = missing {
        // Expected right after the closest earlier label that is present.
        let after = found
            .iter()
            .take(idx)
            .rev()
            .find_map(|f| f.as_ref().map(|(_, _, line)| line + 1));
        let line = after.unwrap_or(first_line.min(block.end + 1));
        return Err(error(
            line,
            format!(
                "{name} に「{}」の行がありません",
                fields[idx].label(fiscal_year)
            ),
        ));
    }
    let mut texts = Texts::default();
    for (field, found) in fields.into_iter().zip(found) {
        let Some((text, third, _)) = found else {
            continue;
        };
        texts.set(field, text);
        if let Some(beside) = field.beside() {
            texts.set(beside, third);
        }
    }
    Ok(texts)
}

/// The field a body row's label names; refuses unknown labels and extra cells
/// (only a row with a field beside it has a third cell).
fn body_row_field(
    row: &[&str],
    label: &str,
    fiscal_year: FiscalYear,
    name: &str,
    no: usize,
) -> Result<Field, ImportError> {
    let k = key(label);
    if k.is_empty() {
        return Err(error(
            no,
            format!("{name}: 項目名のない行です: 「{}」", row.join("\t").trim()),
        ));
    }
    let field = Field::from_label(&k, fiscal_year)
        .map_err(|m| error(no, format!("{name}: {m}")))?
        .filter(|f| f.def().place == Place::Body)
        .ok_or_else(|| error(no, format!("{name}: 不明な項目名「{}」", label.trim())))?;
    let max_cells = if field.beside().is_some() { 3 } else { 2 };
    if row.len() > max_cells {
        return Err(error(
            no,
            format!(
                "{name} の「{}」の行に余分な列があります: 「{}」",
                label.trim(),
                row.get(max_cells).map_or("", |c| c.trim())
            ),
        ));
    }
    Ok(field)
}

// ---------------------------------------------------------------------------------------------
// HTML list cells

/// A cell's text as written, except that HTML lists become one plain line per item: the export
/// kept three cells as `<ul><li>…</li></ul>`, and they must never be rendered as HTML.
fn cell_text(cell: &str) -> String {
    if looks_like_html(cell) {
        html_to_lines(cell)
    } else {
        cell.to_string()
    }
}

fn looks_like_html(cell: &str) -> bool {
    let lower = cell.to_ascii_lowercase();
    [
        "<ul", "<ol", "<li", "</ul", "</ol", "</li", "<br", "<p>", "</p>", "<div", "</div",
    ]
    .iter()
    .any(|t| lower.contains(t))
}

/// Block tags break lines, other tags vanish, entities are decoded, lines are trimmed and empty
/// ones dropped. An unterminated tag is dropped to the end rather than kept.
fn html_to_lines(cell: &str) -> String {
    let chars: Vec<char> = cell.chars().collect();
    let mut lines = vec![String::new()];
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        let opens_tag = c == '<'
            && (next.is_some_and(|n| n.is_ascii_alphabetic() || n == '!')
                || (next == Some('/') && chars.get(i + 2).is_some_and(char::is_ascii_alphabetic)));
        if !opens_tag {
            if let Some(line) = lines.last_mut() {
                line.push(c);
            }
            i += 1;
            continue;
        }
        let end = (i..chars.len())
            .find(|&j| chars.get(j) == Some(&'>'))
            .unwrap_or(chars.len());
        let tag: String = chars
            .get(i + 1..end)
            .unwrap_or_default()
            .iter()
            .skip_while(|&&c| c == '/')
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if matches!(tag.as_str(), "ul" | "ol" | "li" | "br" | "p" | "div" | "tr") {
            lines.push(String::new());
        }
        i = end + 1;
    }
    lines
        .iter()
        .map(|l| decode_entities(l).trim().to_string())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The entities an HTML cell may hold, decoded the way imported sheets have always been.
/// Not html-escape's `decode_html_entities`: it turns `&nbsp;` into U+00A0 where we store a
/// plain space (a changed byte in a cell that was `A&nbsp;B`), decodes all HTML5 names
/// (`&copy;`, `&AMP;`), and differs on odd numeric forms (`&#1;`, `&#+65;`, more than 10
/// characters). Importing a report again refuses any sheet that differs from the stored one,
/// so one changed byte would make a report imported before now conflict with itself.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or_default());
        let after = rest.get(amp..).unwrap_or_default();
        let decoded = after
            .find(';')
            .filter(|&semi| semi <= 10)
            .and_then(|semi| Some((entity(after.get(1..semi)?)?, semi + 1)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = after.get(len..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = after.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Joining list and sheets

/// Department spellings that differ from the unified name, counted once per spelling so that
/// a person sees 「D X推進課」 once, not on every row.
#[derive(Default)]
struct Spellings {
    seen: BTreeMap<String, (String, usize, usize)>,
}

impl Spellings {
    fn note(&mut self, written: &str, name: &str, line: usize) {
        let written = written.trim();
        if written == name || name.is_empty() {
            return;
        }
        self.seen
            .entry(written.to_string())
            .and_modify(|(_, first, count)| {
                *first = (*first).min(line);
                *count += 1;
            })
            .or_insert((name.to_string(), line, 1));
    }

    fn into_warnings(self) -> Vec<ImportWarning> {
        self.seen
            .into_iter()
            .map(|(written, (name, line, count))| ImportWarning {
                line,
                message: format!(
                    "部署名「{written}」を「{name}」として読み込みます（表記ゆれ、{count}か所）"
                ),
            })
            .collect()
    }
}

fn join_row_and_sheet(
    row: &ListRow,
    area_title: &str,
    raw: RawSheet,
    spellings: &mut Spellings,
    warnings: &mut Vec<ImportWarning>,
) -> ParsedInitiative {
    let id = format!("({}) No.{}", row.area, row.number);
    let mut differ = |line: usize, what: &str, list: &str, sheet: &str, used: &str| {
        if list.trim() == sheet.trim() {
            return;
        }
        let only_spaces = if key(list) == key(sheet) {
            "（空白の違いのみ）"
        } else {
            ""
        };
        warnings.push(ImportWarning {
            line,
            message: format!(
                "{id} の{what}が一覧と評価票で異なります{only_spaces}: 一覧「{}」 / 評価票「{}」 ({used})",
                list.trim(),
                sheet.trim()
            ),
        });
    };
    let value = |i: usize| {
        raw.header
            .get(i)
            .map_or(("", 0), |(v, line)| (v.as_str(), *line))
    };
    let (name, plan, dept, related) = (value(NAME), value(PLAN), value(DEPT), value(RELATED_DEPTS));
    differ(
        raw.heading_line,
        "推進項目名",
        area_title,
        &raw.area_title,
        "一覧の名称を使用します",
    );
    differ(
        name.1,
        "取組事業名",
        &row.name,
        name.0,
        "一覧の名称を使用します",
    );
    let sheet_dept = normalize_department(dept.0);
    spellings.note(dept.0, &sheet_dept, dept.1);
    differ(
        dept.1,
        "所管課",
        &row.department,
        &sheet_dept,
        "一覧の所管課を使用します",
    );
    if let Some(list_plan) = &row.plan {
        differ(
            plan.1,
            "関係計画名",
            list_plan,
            plan.0,
            "評価票の記載を使用します",
        );
    }
    let related_departments = split_department_spellings(related.0)
        .into_iter()
        .map(|d| {
            spellings.note(&d.written, &d.name, related.1);
            d.name
        })
        .collect();
    ParsedInitiative {
        area_number: row.area,
        number: row.number,
        name: row.name.clone(),
        department: row.department.clone(),
        related_departments,
        sheet: raw.sheet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed report; `HYOKA_REPORT_FIXTURE` may point at another copy.
    /// A text of a 令和6年度 sheet by its label.
    fn t<'a>(sheet: &'a ParsedSheet, label: &str) -> &'a str {
        let field = Field::from_label(label, FiscalYear(2024))
            .unwrap()
            .expect(label);
        sheet.texts.get(field)
    }

    fn seed() -> String {
        let path = std::env::var("HYOKA_REPORT_FIXTURE").unwrap_or_else(|_| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/kofu_r6_report.txt"
            )
            .to_string()
        });
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn seed_lines() -> Vec<String> {
        seed().split('\n').map(str::to_string).collect()
    }

    fn parsed() -> ParsedReport {
        parse_report(&seed()).expect("the seed parses")
    }

    fn initiative(report: &ParsedReport, area: i32, number: i32) -> &ParsedInitiative {
        report
            .initiatives
            .iter()
            .find(|i| i.area_number == area && i.number == number)
            .expect("initiative present")
    }

    fn parse_err(text: &str) -> ImportError {
        match parse_report(text) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e,
        }
    }

    /// The seed with line `no` (1-based) replaced by `with` (None removes it).
    fn edited(no: usize, with: Option<&str>) -> String {
        let mut lines = seed_lines();
        match with {
            Some(text) => lines[no - 1] = text.to_string(),
            None => {
                lines.remove(no - 1);
            }
        }
        lines.join("\n")
    }

    #[test]
    fn cover_and_structure() {
        let r = parsed();
        assert_eq!(r.plan_name, "第2次甲府市行政改革推進プラン（2022～2025）");
        assert_eq!(
            (r.first_year, r.last_year),
            (FiscalYear(2022), FiscalYear(2025))
        );
        assert_eq!(r.fiscal_year, FiscalYear(2024));
        assert_eq!(r.report_date, "令和7年3月末");
        let areas: Vec<(i32, &str)> = r
            .areas
            .iter()
            .map(|a| (a.number, a.title.as_str()))
            .collect();
        assert_eq!(
            areas,
            vec![
                (1, "働き方改革の推進"),
                (2, "人財育成の推進"),
                (3, "デジタル化の推進"),
                (4, "公共施設等マネジメントの推進"),
                (5, "協働の仕組みづくりの推進"),
                (6, "連携によるまちづくりの推進"),
            ]
        );
        let ids: Vec<(i32, i32)> = r
            .initiatives
            .iter()
            .map(|i| (i.area_number, i.number))
            .collect();
        assert_eq!(
            ids,
            vec![
                (1, 1),
                (1, 2),
                (1, 3),
                (2, 1),
                (2, 2),
                (3, 1),
                (3, 2),
                (3, 3),
                (4, 1),
                (4, 2),
                (5, 1),
                (6, 1)
            ]
        );
        let lines: Vec<usize> = r.initiatives.iter().map(|i| i.sheet.line).collect();
        assert_eq!(
            lines,
            vec![47, 75, 100, 126, 152, 179, 205, 232, 258, 285, 311, 338]
        );
        for i in &r.initiatives {
            assert_eq!(
                i.sheet.schedule_years,
                vec![
                    FiscalYear(2022),
                    FiscalYear(2023),
                    FiscalYear(2024),
                    FiscalYear(2025)
                ]
            );
            assert_eq!(
                i.sheet.actual_years,
                vec![FiscalYear(2022), FiscalYear(2023)]
            );
            assert_eq!(i.sheet.target_year, FiscalYear(2025));
            assert_eq!(t(&i.sheet, "所管課評価"), "継続推進");
            assert_eq!(t(&i.sheet, "推進本部評価"), "継続推進");
            assert_eq!(t(&i.sheet, "上半期進捗状況"), "順調");
            for text in [
                t(&i.sheet, "令和6年度下半期の取組"),
                t(&i.sheet, "令和6年度の課題"),
                t(&i.sheet, "次年度への取組"),
            ] {
                assert!(!text.contains('<') && !text.contains('>'), "{text}");
            }
        }
    }

    #[test]
    fn sheet_1_1_header() {
        let r = parsed();
        let i = initiative(&r, 1, 1);
        assert_eq!(i.name, "超過勤務時間の縮減");
        assert_eq!(i.department, "職員課");
        assert_eq!(i.related_departments, vec!["職員課"]);
        let s = &i.sheet;
        assert_eq!(s.line, 47);
        assert_eq!(s.name_on_sheet, "超過勤務時間の縮減");
        assert_eq!(t(s, "関係計画名"), "甲府市役所改革職員行動計画");
        assert_eq!(t(s, "計画年数"), "4年間（令和7年度まで）");
        assert_eq!(t(s, "対象部局"), "全部局");
        assert_eq!(t(s, "関連する取組事業"), "");
        assert_eq!(t(s, "特記事項"), "");
        assert_eq!(s.baseline_year, Some(FiscalYear(2020)));
        let items: Vec<(&str, Vec<&str>)> = s
            .action_items
            .iter()
            .map(|a| {
                (
                    a.text.as_str(),
                    a.cells.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            items,
            vec![
                (
                    "①管理監督職によるマネジメント体制の確立",
                    vec!["検討・実施", "実施", "実施", "実施"]
                ),
                (
                    "②全庁的な推進体制の整備",
                    vec!["検討・実施", "実施", "実施", "実施"]
                ),
                (
                    "③長時間労働が顕著な職場の縮減",
                    vec!["検討・実施", "実施", "実施", "実施"]
                ),
            ]
        );
        assert_eq!(
            s.indicators,
            vec![
                ParsedIndicator {
                    name: "超過勤務時間の縮減 (一人当たりの月平均)".into(),
                    method: "定量".into(),
                    baseline: "月12.8時間".into(),
                    actuals: vec!["月14.7時間".into(), "月13.0時間".into()],
                    half_year: "月12.3時間".into(),
                    current: "月12.2時間".into(),
                    target: "月10.2時間".into(),
                },
                ParsedIndicator {
                    name: "長時間労働の縮減 (長時間労働が発生する職場数の縮減)".into(),
                    method: "定量".into(),
                    baseline: "8箇所".into(),
                    actuals: vec!["13箇所".into(), "10箇所".into()],
                    half_year: "6箇所".into(),
                    current: "12箇所".into(),
                    target: "0箇所".into(),
                },
            ]
        );
    }

    #[test]
    fn sheet_1_1_body() {
        let r = parsed();
        let b = &initiative(&r, 1, 1).sheet;
        assert_eq!(t(b, "取組内容"), "超過勤務時間の縮減には、全庁的な意識改革や業務効率化への取組が必要となるため、管理監督職によるマネジメント体制を強化し、全庁的な推進体制を整備するとともに、長時間労働が常態化している職場の縮減を図る。");
        assert_eq!(t(b, "令和6年度の実施内容"), "①超過勤務命令の事前申請・承認の徹底を図る。 ②長時間労働抑制システムを活用し、各職場における超過勤務縮減の意識醸成と実践を図る。 ③超過勤務時間の多い職場のヒアリングを通じて原因分析を行うとともに、モデル職場の業務効率化支援を実施する。 ④時間外勤務の上限時間の徹底と運用の見直し及びノー残業デーの運用見直しを実施する。");
        assert_eq!(t(b, "令和6年度上半期の取組"), "①総室長会議や庁内通知等を通じて、超過勤務の事前申請・事前承認の徹底や業務見直し・改善について周知し、管理職・監督職をはじめ職員一人一人の業務マネジメント意識の啓発と実践に努めた。 ②毎月、管理職に提供している「長時間労働抑制システム」の集計データに、規則で定める上限と各職員の勤務状況を、一目で確認できる項目を追加し、管理職のマネジメント向上に努めるとともに、全職員に向けてシステムで確認すべき労務実態や機能を周知し、活用の促進を図った。 ③モデル職場を令和5年度の1課から3課へ拡大し、「業務サポートチーム」がヒアリング等を実施する中で、業務改善の支援を行った。 ④管理職・監督職がより一層マネジメントを発揮できるよう、9月から新たな取組として、これまでの事前届出から、規則で定める時間等を超過した職員について「要因の整理」と「今後に向けた取組」を報告させる「上限時間の徹底と運用の見直し」及び、現行の毎週金曜日に加え、各部局において1日ノー残業デーを設けて報告・実践する「ノー残業デー+1」を実施した。");
        assert_eq!(t(b, "上半期進捗状況"), "順調");
        assert_eq!(t(b, "下半期への取組"), "①引き続き、職員一人一人の業務マネジメント意識向上と行動変容を図るため、グループウェア等を通じた啓発を行う。 ②各職場において、業務改善に向けた対話や工夫を行うきっかけとするため、長時間労働抑制システムの機能を活用した「パソコンシャットダウン(試行)」を実施する。 ③引き続き、モデル職場の業務改善支援を行うとともに、その取組の庁内横展開を図る。 ④報告書を分析し、必要に応じて対話を実施するとともに、「ノー残業デー+1」の徹底を図る。  これらの取組に加え、次の内容について検討していく。 ・ 職員の勤務時間の管理方法について、これまで以上に国のガイドラインに沿った適正な把握（タイムカード導入など） ・ 事務の更なる効率化に向けた取組（BPR(業務プロセスの抜本的見直し)の実施など） ・ 現在策定を進めている新たな人材育成方針（人材マネジメント方針）への、超過勤務の縮減を含めた職場環境づくりに資する項目の位置付け（心理的安全性の高い職場環境づくり、管理職マネジメント指針ほか）");
        assert_eq!(t(b, "令和6年度下半期の取組"), "①継続的な庁内周知等により超過勤務命令の事前申請・承認の徹底を図るとともに、「長時間労働抑制システム」の集計データを毎月、各部局の庶務担当等を通じて各管理職に提供し、業務マネジメントへの活用を促進した。 ②長時間労働抑制システムの機能を活用した「パソコン シャットダウン」を11月に実施し、超過勤務の縮減や定時退庁の促進に繋がる取組を実施し、前年同時期及びシャットダウン試行前と比較し、午後6時前に退庁した職員数・割合共に増加した。また、令和7年度についても、本取組の実施を検討していく。 ③モデル職場については、引き続きヒアリング等を実施し、業務の改善や効率化に向けた支援を行った。 ④各部局等での「ノー残業デー+1」の取組について、毎週一人一台パソコンを通じて周知徹底を図った。 ①～④に加え、次の取組を実施した。 ・ 職員の勤務時間の管理方法（タイムカード導入等）について、他都市の事例研究及び本市における実施について検討を行った。 ・ 事務の更なる効率化に向けた取組として、BPR(業務プロセスの抜本的見直し)に係る予算を計上し、令和7年度に実施することとした。 ・ 人材マネジメント方針について、超過勤務の縮減を含めた職場環境づくりに資する項目（心理的安全性の高い職場環境づくり、管理職マネジメント指針）を位置付けた。");
        assert_eq!(
            t(b, "令和6年度の効果・影響"),
            "令和6年度の職員一人当たりの月平均超過勤務時間は、前年度比6.2%減の12.2時間となった。"
        );
        assert_eq!(t(b, "令和6年度の課題"), "●全体的な超過勤務時間については縮減傾向にあるが、年度末の3月には100時間を超える職場が多く発生している。 ●特に長時間労働の多い職場の傾向の把握や分析を行う中で、業務マネジメントの向上に繋がる取組の検討が必要。");
        assert_eq!(t(b, "所管課評価"), "継続推進");
        assert_eq!(t(b, "推進本部評価"), "継続推進");
        assert_eq!(t(b, "次年度への取組"), "①職員一人一人の超過勤務縮減に向けた取組や業務マネジメント意識の向上を図るため、引き続き、グループウェア等を通じた啓発を行う。 ②超過勤務の縮減や定時退庁の促進に繋げるため、「ノー残業デー+1」や「パソコン シャットダウン」などの具体的な取組とともに、長時間労働抑制システム等を活用した超過勤務実績等の分析や、個別の職場へのヒアリング等を実施していく。");
        assert_eq!(t(b, "所管課評価の理由"), "(理由) 超過勤務実績等を把握するとともに令和6年度の取組における効果や課題を分析し、引き続き超過勤務時間の縮減に向けた効果的な取組を検討していく。");
    }

    #[test]
    fn sheet_3_1_html_cells_become_lines() {
        let r = parsed();
        let b = &initiative(&r, 3, 1).sheet;
        let expected = [
        ["・国が提示している「優先的にオンライン化を推進すべき手続」を中心にオンライン化を検討し、その内、道路占用許可申請手続についてR7年3月中にオンライン化を実装した。その他、被災者支援関係の手続きなどについて、オンライン化を検討した。", "・やまなしくらしねっとの「様式パッケージサービス（手続フォームの代行作成サービス）」を活用し、申請やアンケート等のオンライン化を図った。", "・行政手続オンライン化実践研修を開催し、職員の意識改革を図った（9コマ、46名参加）。"].join("\n"),
        ["●各種行政手続のオンライン化に当たっては、現状の事務フローの見直しが必要である。", "●加えて、既存のシステム基盤などの更新時期や利便性、費用対効果のほか、国の動向等を勘案して取組を検討する必要がある。"].join("\n"),
        ["・国が提示している「優先的にオンライン化を推進すべき手続」を中心に、未実施の手続についてオンライン化を検討する。", "・マイナポータル（ぴったりサービス）、やまなしくらしねっと等を活用し、市民向けのほか庁内向けにもオンライン手続に係る周知を行い、行政手続のオンライン化を推進する。", "・次期やまなしくらしねっと（R7.4～）の活用に向け、新システムの周知・操作研修等を行い、オンライン化による利便性向上と事務負担軽減に向けて取り組む。", "・やまなしくらしねっとの「様式パッケージサービス（手続フォームの代行作成サービス）」を活用し、申請やアンケート等のオンライン化を図っていく。"].join("\n"),
        ];
        assert_eq!(t(b, "令和6年度下半期の取組"), expected[0]);
        assert_eq!(t(b, "令和6年度の課題"), expected[1]);
        assert_eq!(t(b, "次年度への取組"), expected[2]);
        assert_eq!(t(b, "令和6年度下半期の取組").lines().count(), 3);
        assert_eq!(t(b, "令和6年度の課題").lines().count(), 2);
        assert_eq!(t(b, "次年度への取組").lines().count(), 4);
        // Cells without HTML in the same sheet are untouched.
        assert_eq!(t(b, "令和6年度の効果・影響"), "オンライン転出届・転入予約について合計4,300件を超える申請があるなど、窓口混雑の緩和と職員の事務負担の軽減に繋がった。");
        assert_eq!(t(b, "所管課評価の理由"), "（理由）オンライン化することで、業務の効率化とともに、デジタル化による利便性の向上を市民が早期に実感することが期待できるため。");
        let s = &initiative(&r, 3, 1).sheet;
        assert_eq!(t(s, "関係計画名"), "甲府市デジタルソサエティ 未来ビジョン");
        assert_eq!(t(s, "計画年数"), "10年間（令和12年度まで）");
        assert_eq!(s.baseline_year, Some(FiscalYear(2022)));
        assert_eq!(
            s.indicators[0].name,
            "国の重点計画に基づき優先される行政 手続きオンライン化の実施割合"
        );
        assert_eq!(s.action_items[0].cells, vec!["完了", "", "", ""]);
    }

    #[test]
    fn sheet_3_3_quirks() {
        let r = parsed();
        let i = initiative(&r, 3, 3);
        assert_eq!(i.department, "DX推進課");
        assert_eq!(i.related_departments, vec!["人材マネジメント課"]);
        let s = &i.sheet;
        assert_eq!(s.indicators.len(), 1);
        assert_eq!(s.indicators[0].baseline, "-");
        assert_eq!(s.indicators[0].target, "-1件");
        assert_eq!(s.indicators[0].current, "5件");
        assert_eq!(
            t(s, "特記事項"),
            "目標値は、関係計画の指標設定後に記載する。"
        );
        assert_eq!(t(s, "関連する取組事業"), "");
        // Broken labels: 「令和6年度 上半期の 取組」, 「下半年へ 向けての取組」, 「次年度へ 向けての取組」.
        assert!(t(s, "令和6年度上半期の取組").starts_with(
            "①新規導入予定の3業務について、予定どおりの導入を目指して進捗管理を行った。"
        ));
        assert!(t(s, "下半期への取組").starts_with(
            "①新規導入予定の3業務について、予定どおり稼働できるよう進捗管理を実施する。"
        ));
        assert!(t(s, "次年度への取組").starts_with("①(1)「働き方改革の推進 No.3」と同様。"));
        assert_eq!(t(s, "所管課評価の理由"), "(理由) 行政内部事務の効率化を図り、職員負担の軽減や市民サービスの向上を推進していくため。");
    }

    #[test]
    fn other_spot_checks() {
        let r = parsed();
        // (4) No.2: a typo in a number is kept as written.
        let s = &initiative(&r, 4, 2).sheet;
        assert!(t(s, "令和6年度の効果・影響").contains("延床面積を211,94㎡削減し"));
        assert_eq!(t(s, "対象部局"), "指定部局");
        assert_eq!(s.baseline_year, Some(FiscalYear(2021)));
        assert_eq!(s.indicators[1].baseline, "3.83%");
        assert_eq!(s.indicators[1].target, "10.03%");
        assert_eq!(
            initiative(&r, 4, 2).related_departments,
            vec!["連携共創課", "財政課"]
        );
        // (2) No.1: an em dash baseline and no baseline year.
        let s = &initiative(&r, 2, 1).sheet;
        assert_eq!(s.baseline_year, None);
        assert_eq!(s.indicators[0].baseline, "—");
        assert_eq!(s.indicators[0].method, "定性");
        assert_eq!(s.indicators[0].actuals, vec!["順調", "順調"]);
        assert_eq!(s.indicators[0].target, "実施");
        assert_eq!(t(s, "特記事項"), "目標は、取組事業(2)-No.2からの再掲");
        assert_eq!(s.action_items[1].cells, vec!["", "実施", "実施", "実施"]);
        // (6) No.1: plain number target, both trailing labels empty.
        let s = &initiative(&r, 6, 1).sheet;
        assert_eq!(s.indicators[0].baseline, "84");
        assert_eq!(s.indicators[0].target, "190");
        assert_eq!(t(s, "関連する取組事業"), "");
        assert_eq!(t(s, "特記事項"), "");
        assert_eq!(s.baseline_year, Some(FiscalYear(2022)));
        assert_eq!(s.name_on_sheet, "多様な主体との連携によるSDGsの推進");
        assert_eq!(t(s, "計画年数"), "9年間（令和12年度まで）");
        // (1) No.3: the related initiative cell.
        let s = &initiative(&r, 1, 3).sheet;
        assert_eq!(
            t(s, "関連する取組事業"),
            "(3) デジタル化の推進【3】 内部事務のデジタル化の推進"
        );
        assert_eq!(
            t(s, "特記事項"),
            "取組項目①は、取組事業（3）-No.3からの再掲"
        );
        assert_eq!(t(s, "所管課評価の理由"), "（理由）AI-OCR、RPAの導入については、事務の効率化が見込まれることから、引き続き業務の選定を行い、導入業務を拡大する。");
        // (1) No.2: rows padded with empty cells, 「下半期へ向けての取組」.
        let s = &initiative(&r, 1, 2).sheet;
        assert_eq!(t(s, "下半期への取組"), "年次有給休暇の年12以上の取得を達成するため、11月の総室長会議にて年次有給休暇の取得状況と取得促進を周知するとともに、年末年始に合わせた年次有給休暇の取得も併せて奨励し、ワーク・ライフ・バランスの推進に取り組んでいく。");
        assert_eq!(
            t(s, "所管課評価の理由"),
            "(理由) 目標値の達成に向けて、今後も継続して意識啓発等を行っていく必要がある。"
        );
        assert_eq!(t(s, "推進本部評価"), "継続推進");
        assert_eq!(
            initiative(&r, 1, 2).related_departments,
            vec!["人材マネジメント課"]
        );
        // (3) No.2: two related departments, two indicators.
        let i = initiative(&r, 3, 2);
        assert_eq!(i.name, "データ活用基盤の整備・活用促進");
        assert_eq!(i.sheet.name_on_sheet, "データ活用基盤の整備と活用促進");
        assert_eq!(i.related_departments, vec!["人材マネジメント課", "法制課"]);
        assert_eq!(
            i.sheet.indicators[1].actuals,
            vec!["1回 (年間)", "1回 (年間)"]
        );
        assert_eq!(i.sheet.indicators[1].target, "2回 (年間)");
        // (4) No.1: full-width dash baseline.
        assert_eq!(initiative(&r, 4, 1).sheet.indicators[0].baseline, "－");
        // The master name is the list's spelling.
        assert_eq!(
            initiative(&r, 6, 1).name,
            "多様な主体との連携によるSDG sの推進"
        );
        assert_eq!(initiative(&r, 1, 3).department, "DX推進課");
    }

    #[test]
    fn warnings_name_both_spellings() {
        let r = parsed();
        let messages: Vec<String> = r.warnings.iter().map(ToString::to_string).collect();
        let has = |needle: &str| messages.iter().any(|m| m.contains(needle));
        assert!(has("154行目: (2) No.2 の推進項目名が一覧と評価票で異なります: 一覧「人財育成の推進」 / 評価票「人材育成の推進」"), "{messages:#?}");
        assert!(has("209行目: (3) No.2 の取組事業名が一覧と評価票で異なります: 一覧「データ活用基盤の整備・活用促進」 / 評価票「データ活用基盤の整備と活用促進」 (一覧の名称を使用します)"), "{messages:#?}");
        assert!(has("342行目: (6) No.1 の取組事業名が一覧と評価票で異なります（空白の違いのみ）: 一覧「多様な主体との連携によるSDG sの推進」 / 評価票「多様な主体との連携によるSDGsの推進」"), "{messages:#?}");
        assert!(
            has("16行目: 部署名「D X推進課」を「DX推進課」として読み込みます（表記ゆれ、4か所）"),
            "{messages:#?}"
        );
        assert!(
            has("238行目: 部署名「D×推進課」を「DX推進課」として読み込みます（表記ゆれ、1か所）"),
            "{messages:#?}"
        );
        assert!(
            has("262行目: (4) No.1 の関係計画名が一覧と評価票で異なります"),
            "{messages:#?}"
        );
        assert_eq!(r.warnings.len(), 8, "{messages:#?}");
        assert!(r.warnings.windows(2).all(|w| w[0].line <= w[1].line));
    }

    #[test]
    fn truncation_at_every_line_errors_or_completes() {
        let lines = seed_lines();
        let total = lines.len();
        for k in 0..=total {
            let text = lines[..k].join("\n");
            match parse_report(&text) {
                Ok(_) => assert_eq!(k, total, "a file cut after {k} lines was accepted"),
                Err(e) => {
                    assert!(k < total, "the whole file failed: {e}");
                    assert!(
                        e.line <= k + 1,
                        "cut after {k} lines: error at {}: {e}",
                        e.line
                    );
                }
            }
        }
        // Cut inside the last sheet: the missing label at the end of the file.
        let e = parse_err(&lines[..total - 1].join("\n"));
        assert_eq!(e.line, total);
        assert_eq!(
            e.message,
            "評価票 (6) No.1 に「次年度への取組」の行がありません"
        );
        // Cut inside a header grid.
        let e = parse_err(&lines[..59].join("\n"));
        assert_eq!(e.line, 60);
        assert!(
            e.message
                .contains("評価票 (1) No.1 の見出し部に「関連する取組事業」"),
            "{e}"
        );
    }

    #[test]
    fn a_garbled_line_anywhere_in_the_sheets_is_refused_at_that_line() {
        let lines = seed_lines();
        for garbage in ["ああああ壊れた行 ####", "abc\tdef\tghi", "\t\t壊れ"] {
            for at in 47..=lines.len() + 1 {
                let mut copy = lines.clone();
                copy.insert(at - 1, garbage.to_string());
                match parse_report(&copy.join("\n")) {
                    Ok(_) => panic!("garbage at line {at} was accepted"),
                    Err(e) => assert_eq!(e.line, at, "garbage at line {at}: {e}"),
                }
            }
        }
    }

    #[test]
    fn removing_any_line_never_panics() {
        let lines = seed_lines();
        for at in 0..lines.len() {
            let mut copy = lines.clone();
            copy.remove(at);
            let _ = parse_report(&copy.join("\n"));
            let mut copy = lines.clone();
            copy.insert(at, lines[at].clone());
            let _ = parse_report(&copy.join("\n"));
        }
    }

    #[test]
    fn mangled_lines_and_cut_bytes_never_panic() {
        let lines = seed_lines();
        for at in 0..lines.len() {
            let line = &lines[at];
            let half: String = line.chars().take(line.chars().count() / 2).collect();
            for replacement in [half, line.replace('\t', ""), line.replace('\t', "\t\t")] {
                let mut copy = lines.clone();
                copy[at] = replacement;
                let _ = parse_report(&copy.join("\n"));
            }
        }
        let bytes = seed().into_bytes();
        let last_line_start = bytes.iter().rposition(|&b| b == b'\n').unwrap_or(0);
        for cut in (0..bytes.len()).step_by(97) {
            match parse_report_bytes(&bytes[..cut]) {
                // A cut inside the last cell only shortens its text: nothing to detect.
                Ok(_) => assert!(
                    cut > last_line_start,
                    "a file cut at byte {cut} was accepted"
                ),
                Err(e) => assert!(e.line >= 1),
            }
        }
    }

    #[test]
    fn missing_and_unknown_labels() {
        // 推進本部評価 of (1) No.2 is line 97.
        let e = parse_err(&edited(97, None));
        assert_eq!(e.line, 97);
        assert_eq!(
            e.message,
            "評価票 (1) No.2 に「推進本部評価」の行がありません"
        );
        assert_eq!(
            e.to_string(),
            "97行目: 評価票 (1) No.2 に「推進本部評価」の行がありません"
        );

        let e = parse_err(&edited(97, Some("推進本部意見\t継続推進\t")));
        assert_eq!(
            (e.line, e.message.as_str()),
            (97, "評価票 (1) No.2: 不明な項目名「推進本部意見」")
        );

        let e = parse_err(&edited(64, Some("令和5年度の実施内容\t実施\t")));
        assert_eq!(e.line, 64);
        assert!(
            e.message.contains("報告書の年度（令和6年度）と異なります"),
            "{e}"
        );

        let e = parse_err(&edited(72, Some("所管課評価\t継続推進\t")));
        assert_eq!(e.line, 72);
        assert!(e.message.contains("「所管課評価」が2回あります"), "{e}");

        // A label of the header grid with two values.
        let e = parse_err(&edited(
            53,
            Some("所管課\t職員課\t法制課\t関係課\t職員課\t対象部局\t全部局"),
        ));
        assert_eq!(e.line, 53);
        assert!(e.message.contains("「所管課」に値が2つあります"), "{e}");

        // A header label missing: reported where the grid ends.
        let e = parse_err(&edited(52, None));
        assert_eq!(e.line, 61);
        assert!(e.message.contains("「計画年数」"), "{e}");

        // A half-year column of another year.
        let e = parse_err(&edited(58, Some("目標\t指標名\t評価方法\t当初値 (R2)\tR4実績\tR5実績\tR5実績 (上半期)\t現況値\t目標値 (R7)")));
        assert_eq!(e.line, 58);

        // An indicator value outside the announced columns.
        let e = parse_err(&edited(
            59,
            Some("\t超過勤務時間\t定量\t1\t2\t3\t4\t5\t6\t7"),
        ));
        assert_eq!(e.line, 59);
    }

    #[test]
    fn list_and_sheets_must_match() {
        // The sheet heading of (1) No.2 renumbered to a (1) No.1 duplicate.
        let e = parse_err(&edited(77, Some("(1) 働き方改革の推進 No.1")));
        assert_eq!(e.line, 77);
        assert!(e.message.contains("2回あります"), "{e}");

        let e = parse_err(&edited(77, Some("(1) 働き方改革の推進 No.9")));
        assert_eq!(
            (e.line, e.message.as_str()),
            (77, "評価票 (1) No.9 は取組事業一覧にありません")
        );

        // A list row with no sheet.
        let mut lines = seed_lines();
        lines.insert(17, "4\t新しい取組\t職員課\t".to_string());
        let e = parse_err(&lines.join("\n"));
        assert_eq!(e.line, 18);
        assert!(
            e.message
                .contains("(1) No.4「新しい取組」に対応する評価票がありません"),
            "{e}"
        );

        let e = parse_err(&edited(49, Some("働き方改革の推進")));
        assert_eq!(e.line, 49);
    }

    #[test]
    fn not_this_format() {
        assert_eq!(parse_err("").line, 1);
        assert_eq!(parse_err("").message, "ファイルが空です");
        assert_eq!(parse_err("\n\t\t\n  \n").message, "ファイルが空です");
        let e = parse_err("name,age\nfoo,1\n");
        assert_eq!(e.line, 1);
        assert!(e.message.contains("表紙の行として読めません"), "{e}");
        let e = parse_err("\n取組事業点検・評価票\n\n(1) 働き方改革の推進 No.1\n");
        assert_eq!(
            (e.line, e.message.as_str()),
            (
                2,
                "「取組事業点検・評価票」の前に表紙（プラン名・年度）がありません"
            )
        );
        let e =
            parse_err("**第2次プラン（2022～2025）**\n**令和6年度実績報告書**\n**令和7年3月末**\n");
        assert_eq!(
            (e.line, e.message.as_str()),
            (4, "「## 取組事業一覧」がありません")
        );
        let e = parse_err("**第2次プラン（2022～2025）**\n**令和9年度実績報告書**\n**令和7年3月末**\n## 取組事業一覧\n");
        assert_eq!(e.line, 2);
        // Cover and list but no sheets.
        let lines = seed_lines();
        let e = parse_err(&lines[..45].join("\n"));
        assert_eq!(
            (e.line, e.message.as_str()),
            (46, "評価票（「取組事業点検・評価票」）がありません")
        );
        // Random bytes of text.
        let e = parse_err("\u{0}\u{1}<<<>>>\t\t**");
        assert_eq!(e.line, 1);
    }

    #[test]
    fn cover_variants() {
        let seed = seed();
        let swapped = seed
            .replacen("（2022～2025）", "(2022-2025)", 1)
            .replacen("令和6年度実績報告書", "令和 6 年度 実績報告書", 1)
            .replacen("**令和7年3月末**", "**令和7年3月末**\t\t", 1);
        let r = parse_report(&swapped).expect("variants parse");
        assert_eq!(
            (r.first_year, r.last_year, r.fiscal_year),
            (FiscalYear(2022), FiscalYear(2025), FiscalYear(2024))
        );
        assert_eq!(r.plan_name, "第2次甲府市行政改革推進プラン(2022-2025)");
        assert_eq!(
            plan_period("プラン（２０１９〜２０２２）"),
            Some((FiscalYear(2019), FiscalYear(2022)))
        );
        assert_eq!(
            plan_period("プラン（第2次）（2019~2022）"),
            Some((FiscalYear(2019), FiscalYear(2022)))
        );
        assert_eq!(plan_period("プラン"), None);
        assert_eq!(
            split_era_year("令和元年度実績報告書"),
            Some((FiscalYear(2019), "実績報告書"))
        );
        assert_eq!(year_token("R4"), Some(FiscalYear(2022)));
        assert_eq!(year_token("令和元年度"), Some(FiscalYear(2019)));
        assert_eq!(year_token("R4x"), None);
    }

    #[test]
    fn bytes_with_bom_and_crlf_read_like_text() {
        let seed = seed();
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(seed.replace('\n', "\r\n").as_bytes());
        assert_eq!(parse_report_bytes(&bytes), parse_report(&seed));
        assert!(parse_report_bytes(&bytes).is_ok());
    }

    #[test]
    fn bytes_that_are_not_utf8_name_the_line() {
        let mut bytes = "**第2次プラン（2022～2025）**\n\n".as_bytes().to_vec();
        bytes.extend_from_slice(&[0x93, 0xfa, 0x96, 0x7b, b'\n']); // 「日本」 in Shift_JIS
        let e = parse_report_bytes(&bytes).expect_err("not UTF-8");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("UTF-8"), "{e}");
    }

    #[test]
    fn html_cells() {
        assert_eq!(
            cell_text(
                r#"前文 <ul style="list-style-type: none"> <li>・A &amp; B</li> <li> ・&lt;C&gt; &quot;D&quot; &#39;E&#39;&nbsp;</li> </ul> 後文"#
            ),
            "前文\n・A & B\n・<C> \"D\" 'E'\n後文"
        );
        assert_eq!(cell_text("<ul><li><b>太字</b>のみ</li></ul>"), "太字のみ");
        assert_eq!(cell_text("<ul><li>閉じない<li"), "閉じない");
        // Inside a line &nbsp; is a plain space; other names and references longer than 10
        // characters are kept as written (see `decode_entities`).
        assert_eq!(
            cell_text("<li>A&nbsp;B &copy; &AMP; &#x3042;&#12354; &#0000000065;</li>"),
            "A B &copy; &AMP; ああ &#0000000065;"
        );
        // Text without list tags is kept exactly, entities and spacing included.
        assert_eq!(cell_text(" A&amp;B  1<2 "), " A&amp;B  1<2 ");
    }

    #[test]
    fn sheet_headings() {
        assert_eq!(
            parse_sheet_heading("(1) 働き方改革の推進 No.1"),
            Some((1, "働き方改革の推進".into(), 1))
        );
        assert_eq!(
            parse_sheet_heading("（１２）推進 No．３"),
            Some((12, "推進".into(), 3))
        );
        assert_eq!(parse_sheet_heading("(1) No.1"), None);
        assert_eq!(parse_sheet_heading("(1) 推進"), None);
        assert_eq!(parse_sheet_heading("1 推進 No.1"), None);
    }
}
