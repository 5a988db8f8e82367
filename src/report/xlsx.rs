//! The Excel workbook of a year: 一覧, 指標, then one worksheet per sheet laid
//! out like the paper form (the same 9-column grid, merged cells, ruled
//! borders, label column, wrapped text). Values are written as text exactly as
//! the department wrote them.

use rust_xlsxwriter::{
    ColNum, Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder,
    RowNum, Workbook, Worksheet, XlsxError,
};

use super::tables::{indicator_table, list_table, Table};
use super::view::{SheetView, Text};
use crate::db::report::BookData;
use crate::domain::field::{Field, HeaderSlot};
use crate::domain::form::{Choices, IndicatorCell, SheetForm};
use crate::domain::round::RoundKind;
use crate::domain::slot::Slot;

pub fn workbook(book: &BookData) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let f = Formats::new();
    table_sheet(wb.add_worksheet(), "一覧", &list_table(book), &f)?;
    table_sheet(wb.add_worksheet(), "指標", &indicator_table(book), &f)?;
    if !book.opinions.is_empty() {
        table_sheet(
            wb.add_worksheet(),
            "推進委員会意見",
            &super::tables::opinion_table(book),
            &f,
        )?;
    }
    let mut names: Vec<String> = Vec::new();
    for sheet in &book.sheets {
        let view = SheetView::new(sheet.clone());
        let name = unique_name(
            &format!(
                "({})-{}",
                sheet.context.area_number, sheet.context.initiative_number
            ),
            &names,
        );
        names.push(name.clone());
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        paper_sheet(ws, &book.plan.name, &view, &f)?;
    }
    wb.save_to_buffer()
}

/// Worksheet names: at most 31 characters, unique without regard to case.
fn unique_name(base: &str, taken: &[String]) -> String {
    let base: String = base.chars().take(28).collect();
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

struct Formats {
    title: Format,
    heading: Format,
    label: Format,
    text: Format,
    center: Format,
    name: Format,
    head_row: Format,
    plain: Format,
}

impl Formats {
    fn new() -> Self {
        let ruled = Format::new()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_font_size(10);
        Self {
            title: Format::new().set_bold().set_font_size(14),
            heading: Format::new().set_bold().set_font_size(11),
            label: ruled
                .clone()
                .set_background_color(Color::RGB(0xF0F0F0))
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            text: ruled.clone().set_align(FormatAlign::Top),
            center: ruled
                .clone()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            name: ruled
                .clone()
                .set_bold()
                .set_align(FormatAlign::VerticalCenter),
            head_row: ruled
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xF0F0F0))
                .set_align(FormatAlign::VerticalCenter),
            plain: ruled.set_align(FormatAlign::Top),
        }
    }
}

/// A flat table with a header row, filter and frozen header.
fn table_sheet(
    ws: &mut Worksheet,
    name: &str,
    table: &Table,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    for (c, h) in table.header.iter().enumerate() {
        ws.write_string_with_format(0, c as ColNum, h, &f.head_row)?;
        let widest = table
            .rows
            .iter()
            .map(|r| r.get(c).map_or(0, |v| width(v)))
            .chain(std::iter::once(width(h)))
            .max()
            .unwrap_or(8);
        ws.set_column_width(c as ColNum, (widest as f64 + 2.0).clamp(6.0, 50.0))?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string_with_format(r as RowNum + 1, c as ColNum, v, &f.plain)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    if !table.rows.is_empty() {
        ws.autofilter(
            0,
            0,
            table.rows.len() as RowNum,
            table.header.len() as ColNum - 1,
        )?;
    }
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    Ok(())
}

/// Display width in Excel column units: full-width characters count double.
fn width(s: &str) -> usize {
    s.lines()
        .map(|l| l.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum())
        .max()
        .unwrap_or(0)
}

/// Column widths of the paper grid, in Excel units: label, 取組事業名/指標名,
/// then the value columns.
fn column_widths(grid: usize) -> Vec<f64> {
    let mut w = vec![12.0, 24.0];
    w.extend(std::iter::repeat_n(10.0, grid - 2));
    w
}

/// Lays out cells of one row band and keeps track of the height they need:
/// Excel does not grow rows for wrapped text in merged cells.
struct Paper<'a> {
    ws: &'a mut Worksheet,
    widths: Vec<f64>,
    heights: Vec<f64>,
    /// Only in the sheet workbook a department fills in.
    edit: Option<Edit<'a>>,
}

/// Where the sheet workbook put things, so that an upload can be read back
/// and checked: each slot's cell, each label cell, each merged range.
#[derive(Debug, Default)]
pub struct Layout {
    pub slots: Vec<(Slot, RowNum, ColNum)>,
    pub labels: Vec<(RowNum, ColNum, String)>,
    pub merges: Vec<(RowNum, ColNum, RowNum, ColNum)>,
}

/// The sheet workbook's additions to the paper layout.
struct Edit<'a> {
    round: RoundKind,
    /// The stored sheet as its form: each slot's cell holds the stored text
    /// exactly (not the printed lines), so an unchanged cell reads back unchanged.
    form: SheetForm,
    choices: &'a Choices,
    open: Format,
    open_center: Format,
    layout: Layout,
}

const LINE_HEIGHT: f64 = 13.5;

impl Paper<'_> {
    /// Writes `text` into rows r1..=r2, columns c1..=c2 (merged when more than one cell).
    fn cell(
        &mut self,
        r1: usize,
        c1: usize,
        r2: usize,
        c2: usize,
        text: &str,
        format: &Format,
    ) -> Result<(), XlsxError> {
        if let Some(e) = &mut self.edit {
            if (r1, c1) != (r2, c2) {
                e.layout
                    .merges
                    .push((r1 as RowNum, c1 as ColNum, r2 as RowNum, c2 as ColNum));
            }
        }
        if r1 == r2 && c1 == c2 {
            self.ws
                .write_string_with_format(r1 as RowNum, c1 as ColNum, text, format)?;
        } else {
            self.ws.merge_range(
                r1 as RowNum,
                c1 as ColNum,
                r2 as RowNum,
                c2 as ColNum,
                text,
                format,
            )?;
        }
        if r1 == r2 {
            let cols: f64 = self.widths[c1..=c2].iter().sum();
            let lines: usize = text
                .split('\n')
                .map(|l| ((width(l) as f64 * 1.05) / (cols - 1.0)).ceil().max(1.0) as usize)
                .sum();
            if self.heights.len() <= r1 {
                self.heights.resize(r1 + 1, LINE_HEIGHT + 4.0);
            }
            let need = lines as f64 * LINE_HEIGHT + 4.0;
            self.heights[r1] = self.heights[r1].max(need);
        }
        Ok(())
    }
}

impl Paper<'_> {
    /// A label cell (grey, fixed): the sheet workbook checks it is still there.
    fn label(
        &mut self,
        r1: usize,
        c1: usize,
        r2: usize,
        c2: usize,
        text: &str,
        f: &Formats,
    ) -> Result<(), XlsxError> {
        if let Some(e) = &mut self.edit {
            e.layout
                .labels
                .push((r1 as RowNum, c1 as ColNum, text.to_string()));
        }
        self.cell(r1, c1, r2, c2, text, &f.label)
    }

    /// A value cell that holds `slot`. In the sheet workbook it holds the
    /// stored text, and is unlocked and tinted when the round lets the
    /// department write it, with a dropdown for a choice.
    #[allow(clippy::too_many_arguments)]
    fn slot(
        &mut self,
        (r1, c1, r2, c2): (usize, usize, usize, usize),
        shown: &str,
        format: &Format,
        centered: bool,
        slot: Option<Slot>,
    ) -> Result<(), XlsxError> {
        let (Some(e), Some(slot)) = (&mut self.edit, slot) else {
            return self.cell(r1, c1, r2, c2, shown, format);
        };
        let text = slot.get(&e.form).to_string();
        e.layout.slots.push((slot, r1 as RowNum, c1 as ColNum));
        if !slot.writable(e.round) {
            return self.cell(r1, c1, r2, c2, &text, format);
        }
        let list: Vec<String> = slot
            .choices()
            .map(|l| e.choices.get(l).to_vec())
            .unwrap_or_default();
        let open = if centered {
            e.open_center.clone()
        } else {
            e.open.clone()
        };
        if !list.is_empty() {
            // Information, not stop: a value HQ removed from the list stays valid.
            let dv = DataValidation::new()
                .allow_list_strings(&list)?
                .set_error_style(DataValidationErrorStyle::Information);
            self.ws.add_data_validation(
                r1 as RowNum,
                c1 as ColNum,
                r1 as RowNum,
                c1 as ColNum,
                &dv,
            )?;
        }
        self.cell(r1, c1, r2, c2, &text, &open)
    }
}

fn joined(t: &Text) -> String {
    t.lines.join("\n")
}

/// The worksheet of one sheet, laid out like the paper form, section by section.
fn paper_sheet(
    ws: &mut Worksheet,
    plan_name: &str,
    v: &SheetView,
    f: &Formats,
) -> Result<(), XlsxError> {
    paper_layout(ws, plan_name, v, f, None).map(|_| ())
}

/// The paper layout; with `edit`, also the slots, labels and merges written.
fn paper_layout<'a>(
    ws: &'a mut Worksheet,
    plan_name: &str,
    v: &SheetView,
    f: &Formats,
    edit: Option<Edit<'a>>,
) -> Result<Option<Layout>, XlsxError> {
    let widths = column_widths(v.grid);
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as ColNum, *w)?;
    }
    let mut p = Paper {
        ws,
        widths,
        heights: Vec::new(),
        edit,
    };
    p.header_grid(v, f)?;
    let r = p.schedule(v, f, 5)?;
    let r = p.goals(v, f, r + 1)?;
    let related = r + 1;
    p.related_and_notes(v, f, related)?;
    // A blank row between the grid and the body.
    let last_row = p.body(v, f, related + 2)?;
    let Paper {
        ws, heights, edit, ..
    } = p;
    page_setup(ws, &heights, plan_name, v, last_row)?;
    Ok(edit.map(|e| e.layout))
}

/// The slot of the `i`-th value cell of a 目標 row (see `Sheet::indicator_cells`):
/// 当初値, past actuals (not writable, no slot), 上半期, 現況値, 通年 when shown, 目標値.
fn indicator_cell(v: &SheetView, i: usize) -> Option<IndicatorCell> {
    let past = v.sheet.actual_years().len();
    let mut tail = vec![IndicatorCell::FirstHalf, IndicatorCell::Current];
    if v.sheet.shows_full_year() {
        tail.push(IndicatorCell::FullYear);
    }
    tail.push(IndicatorCell::Target);
    match i {
        0 => Some(IndicatorCell::Baseline),
        i if i <= past => None,
        i => tail.get(i - 1 - past).copied(),
    }
}

/// Name of the hidden worksheet that records where each sheet workbook came from.
pub const META: &str = "hyoka";

/// One sheet of a sheet workbook: the stored sheet, the open round it is
/// downloaded for, and its form.
pub struct EditableSheet {
    pub view: SheetView,
    pub round: RoundKind,
    pub form: SheetForm,
}

/// The workbook a department fills in offline: one protected worksheet per
/// sheet laid out like the paper form, the round's writable cells unlocked
/// and tinted, and the hidden worksheet 「hyoka」 recording, per worksheet, the
/// sheet, year, round and version it was made from, where each slot is, what
/// it held, and the labels and merged cells an upload must still have.
pub fn sheet_workbook(
    plan_name: &str,
    sheets: &[EditableSheet],
    choices: &Choices,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let f = Formats::new();
    let open = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_font_size(10)
        .set_num_format("@")
        .set_unlocked()
        .set_background_color(Color::RGB(0xFFF6D5))
        .set_align(FormatAlign::Top);
    let open_center = open
        .clone()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let mut meta: Vec<Vec<String>> = Vec::new();
    let mut names: Vec<String> = vec![META.to_string()];
    for s in sheets {
        let ctx = &s.view.sheet.context;
        let name = unique_name(
            &format!("({})-{}", ctx.area_number, ctx.initiative_number),
            &names,
        );
        names.push(name.clone());
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        let edit = Edit {
            round: s.round,
            form: s.form.clone(),
            choices,
            open: open.clone(),
            open_center: open_center.clone(),
            layout: Layout::default(),
        };
        let layout = paper_layout(ws, plan_name, &s.view, &f, Some(edit))?.unwrap_or_default();
        // No password: anyone may look; the lock only guides where to write.
        ws.protect();
        let sheet = &s.view.sheet;
        meta.push(vec![
            name.clone(),
            "sheet".into(),
            sheet.id.to_string(),
            sheet.fiscal_year.to_string(),
            s.round.code().to_string(),
            sheet.version.to_string(),
        ]);
        for (slot, r, c) in &layout.slots {
            meta.push(vec![
                name.clone(),
                "slot".into(),
                slot.code(),
                r.to_string(),
                c.to_string(),
                slot.get(&s.form).to_string(),
            ]);
        }
        for (r, c, text) in &layout.labels {
            meta.push(vec![
                name.clone(),
                "label".into(),
                r.to_string(),
                c.to_string(),
                text.clone(),
            ]);
        }
        for (r1, c1, r2, c2) in &layout.merges {
            meta.push(vec![
                name.clone(),
                "merge".into(),
                r1.to_string(),
                c1.to_string(),
                r2.to_string(),
                c2.to_string(),
            ]);
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name(META)?;
    for (r, row) in meta.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as RowNum, c as ColNum, v)?;
        }
    }
    ws.set_hidden(true);
    ws.protect();
    wb.save_to_buffer()
}

impl Paper<'_> {
    /// Rows 0–4: title and year, the heading, then 取組事業名 · 関係計画名 · 計画年数 and
    /// 所管課 · 関係課 · 対象部局.
    fn header_grid(&mut self, v: &SheetView, f: &Formats) -> Result<(), XlsxError> {
        let last = v.grid - 1;
        let s = &v.sheet;
        self.cell(0, 0, 0, last - 2, "取組事業点検・評価票", &f.title)?;
        let year = if v.draft {
            format!("【作成中】{}", v.year_label)
        } else {
            v.year_label.clone()
        };
        self.cell(0, last - 1, 0, last, &year, &f.heading)?;
        self.cell(1, 0, 1, last, &v.heading, &f.heading)?;
        self.label(2, 0, 3, 0, "取組事業名", f)?;
        self.cell(2, 1, 3, 3, s.name(), &f.name)?;
        self.label(2, 4, 2, 4, "関係計画名", f)?;
        let slot = |h| Some(Slot::Text(Field::in_slot(h)));
        self.slot(
            (2, 5, 2, last),
            &v.related_plan,
            &f.text,
            false,
            slot(HeaderSlot::RelatedPlan),
        )?;
        self.label(3, 4, 3, 4, "計画年数", f)?;
        self.slot(
            (3, 5, 3, last),
            &v.plan_years,
            &f.text,
            false,
            slot(HeaderSlot::PlanYears),
        )?;
        self.label(4, 0, 4, 0, "所管課", f)?;
        self.cell(4, 1, 4, 1, &s.context.department, &f.text)?;
        self.label(4, 2, 4, 2, "関係課", f)?;
        self.cell(4, 3, 4, 4, &v.related_departments, &f.text)?;
        self.label(4, 5, 4, 5, "対象部局", f)?;
        self.slot(
            (4, 6, 4, last),
            &v.target_scope,
            &f.text,
            false,
            slot(HeaderSlot::TargetScope),
        )?;
        Ok(())
    }

    /// 取組項目 from row `first`: its column heads, then one row per item. Returns the last row.
    fn schedule(&mut self, v: &SheetView, f: &Formats, first: usize) -> Result<usize, XlsxError> {
        let mut r = first;
        self.label(r, 0, r + v.actions.len(), 0, "取組項目", f)?;
        self.label(r, 1, r, v.item_span, "項目", f)?;
        for (i, label) in v.schedule_labels.iter().enumerate() {
            let c = 1 + v.item_span + i;
            self.label(r, c, r, c, label, f)?;
        }
        let years = v.sheet.schedule_years();
        for (n, item) in v.actions.iter().enumerate() {
            r += 1;
            self.slot(
                (r, 1, r, v.item_span),
                &item.text,
                &f.text,
                false,
                Some(Slot::ItemText(n)),
            )?;
            for (i, cell) in item.cells.iter().enumerate() {
                let c = 1 + v.item_span + i;
                let slot = years.get(i).map(|y| Slot::ItemCell(n, *y));
                self.slot((r, c, r, c), cell, &f.center, true, slot)?;
            }
        }
        Ok(r)
    }

    /// 目標 from row `first`: its column heads, then one row per indicator. Returns the last row.
    fn goals(&mut self, v: &SheetView, f: &Formats, first: usize) -> Result<usize, XlsxError> {
        let mut r = first;
        self.label(r, 0, r + v.indicators.len(), 0, "目標", f)?;
        self.label(r, 1, r, 1, "指標名", f)?;
        self.label(r, 2, r, 2, "評価方法", f)?;
        for (i, col) in v.indicator_columns.iter().enumerate() {
            self.label(r, 3 + i, r, 3 + i, col, f)?;
        }
        for (n, ind) in v.indicators.iter().enumerate() {
            r += 1;
            let slot = |c| Some(Slot::Indicator(n, c));
            self.slot(
                (r, 1, r, 1),
                &ind.name,
                &f.text,
                false,
                slot(IndicatorCell::Name),
            )?;
            self.slot(
                (r, 2, r, 2),
                &ind.method,
                &f.center,
                true,
                slot(IndicatorCell::Method),
            )?;
            for (i, cell) in ind.cells.iter().enumerate() {
                let cell_slot = indicator_cell(v, i).and_then(slot);
                self.slot((r, 3 + i, r, 3 + i), cell, &f.center, true, cell_slot)?;
            }
        }
        Ok(r)
    }

    /// The grid's last row `r`: 関連する取組事業 · 特記事項.
    fn related_and_notes(&mut self, v: &SheetView, f: &Formats, r: usize) -> Result<(), XlsxError> {
        let last = v.grid - 1;
        self.label(r, 0, r, 0, "関連する\n取組事業", f)?;
        let slot = |h| Some(Slot::Text(Field::in_slot(h)));
        let related = joined(&v.related_initiatives);
        self.slot(
            (r, 1, r, 3),
            &related,
            &f.text,
            false,
            slot(HeaderSlot::RelatedInitiatives),
        )?;
        self.label(r, 4, r, 4, "特記事項", f)?;
        let notes = joined(&v.special_notes);
        self.slot(
            (r, 5, r, last),
            &notes,
            &f.text,
            false,
            slot(HeaderSlot::SpecialNotes),
        )?;
        Ok(())
    }

    /// Body rows from row `first`: label · text, and 所管課評価 · (理由). Returns the last
    /// row, `first - 1` when there is none.
    fn body(&mut self, v: &SheetView, f: &Formats, first: usize) -> Result<usize, XlsxError> {
        let last = v.grid - 1;
        let mut r = first - 1;
        for row in &v.body {
            r += 1;
            self.label(r, 0, r, 0, &row.label, f)?;
            let text = Some(Slot::Text(row.field));
            match &row.reason {
                Some(reason) => {
                    self.slot((r, 1, r, 1), &joined(&row.text), &f.center, true, text)?;
                    let beside = row.field.beside().map(Slot::Text);
                    self.slot((r, 2, r, last), &joined(reason), &f.text, false, beside)?;
                }
                None => self.slot((r, 1, r, last), &joined(&row.text), &f.text, false, text)?,
            }
        }
        Ok(r)
    }
}

/// Row heights as measured, A4 portrait one page wide, running header and footer, and the
/// print area down to `last_row`.
fn page_setup(
    ws: &mut Worksheet,
    heights: &[f64],
    plan_name: &str,
    v: &SheetView,
    last_row: usize,
) -> Result<(), XlsxError> {
    for (row, h) in heights.iter().enumerate() {
        // Excel's limit for one row.
        ws.set_row_height(row as RowNum, h.min(409.0))?;
    }
    ws.set_paper_size(9)
        .set_portrait()
        .set_print_fit_to_pages(1, 0)
        .set_margins(0.5, 0.5, 0.7, 0.6, 0.3, 0.3)
        .set_header(format!(
            "&L&8{}&R&8{}",
            header_text(plan_name),
            header_text(&v.heading)
        ))
        .set_footer("&C&8&P / &N");
    ws.set_print_area(0, 0, last_row as RowNum, (v.grid - 1) as ColNum)?;
    Ok(())
}

/// Text for an Excel header/footer section: `&` starts a code there.
fn header_text(s: &str) -> String {
    s.replace('&', "&&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worksheet_names_are_short_and_unique() {
        let taken = vec!["(1)-1".to_string()];
        assert_eq!(unique_name("(1)-1", &taken), "(1)-1_2");
        assert_eq!(unique_name("(1)-2", &taken), "(1)-2");
        assert!(unique_name(&"x".repeat(40), &[]).chars().count() <= 31);
    }

    #[test]
    fn full_width_counts_double() {
        assert_eq!(width("月12.8時間"), 2 + 4 + 4);
        assert_eq!(width("ab\nあいう"), 6);
    }
}
