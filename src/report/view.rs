//! A sheet as laid out on the paper form: the cells of the 9-column header grid
//! and the body rows, ready for a template. The screen page, the print view and
//! the book all render this one view, so they cannot drift apart.

use crate::domain::field::{HeaderSlot, Place};
use crate::domain::fiscal_year::era_name;
use crate::domain::ids::SheetId;
use crate::domain::sheet::{display_lines, Sheet};
use crate::domain::workflow::SheetStatus;

/// A text cell split into the lines the paper shows.
pub struct Text {
    pub lines: Vec<String>,
}

impl Text {
    pub fn new(text: &str) -> Self {
        Self {
            lines: display_lines(text),
        }
    }
}

pub struct BodyRowView {
    /// The field the row holds (its text; the reason beside is `field.beside()`).
    pub field: crate::domain::field::Field,
    /// False for a row the official form does not have (推進本部コメント).
    pub on_paper: bool,
    /// The field's registry key (the sheet page links its comments by it).
    pub key: &'static str,
    /// Comments pinned to the field: shown on the screen page only, never printed.
    pub comments: usize,
    /// The key of the field in the paired column (理由 beside 所管課評価), whose
    /// comments are counted beside it, not folded into the row's.
    pub beside_key: Option<&'static str>,
    pub beside_comments: usize,
    pub label: String,
    pub text: Text,
    pub reason: Option<Text>,
}

pub struct ActionRowView {
    pub text: String,
    pub cells: Vec<String>,
}

pub struct IndicatorRowView {
    pub name: String,
    pub method: String,
    pub cells: Vec<String>,
}

pub struct SheetView {
    pub sheet: Sheet,
    pub year_label: String,
    pub heading: String,
    pub status: &'static str,
    /// Not final yet: printed with the 「作成中」 mark.
    pub draft: bool,
    pub related_departments: String,
    /// Width of the header grid (9 on the paper form).
    pub grid: usize,
    pub schedule_labels: Vec<String>,
    pub item_span: usize,
    pub actions: Vec<ActionRowView>,
    pub indicator_columns: Vec<String>,
    pub indicators: Vec<IndicatorRowView>,
    /// The header grid's text cells, as written that year.
    pub related_plan: String,
    pub plan_years: String,
    pub target_scope: String,
    pub related_initiatives: Text,
    pub special_notes: Text,
    pub body: Vec<BodyRowView>,
}

/// The header grid's width: label + 指標名 + 評価方法 + value columns, never
/// narrower than the paper's 9, wide enough for every plan year.
pub fn grid_width(sheet: &Sheet) -> usize {
    (3 + sheet.indicator_columns().len())
        .max(9)
        .max(2 + sheet.schedule_years().len())
}

impl SheetView {
    pub fn new(sheet: Sheet) -> Self {
        let schedule_years = sheet.schedule_years();
        let indicator_columns = sheet.indicator_columns();
        let grid = grid_width(&sheet);
        let actions = sheet
            .content
            .action_items
            .iter()
            .map(|item| ActionRowView {
                text: item.text.clone(),
                cells: schedule_years
                    .iter()
                    .map(|y| item.cell(*y).to_string())
                    .collect(),
            })
            .collect();
        let indicators = sheet
            .content
            .indicators
            .iter()
            .map(|ind| IndicatorRowView {
                name: ind.name.clone(),
                method: ind.method.clone(),
                cells: sheet
                    .indicator_cells(ind)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            })
            .collect();
        let texts = &sheet.content.texts;
        let header = |slot| texts.slot(slot).to_string();
        let body = sheet
            .body_rows()
            .into_iter()
            .map(|row| BodyRowView {
                field: row.field,
                on_paper: row.field.def().place != Place::BodyIfWritten,
                key: row.field.key(),
                comments: 0,
                beside_key: row.field.beside().map(|b| b.key()),
                beside_comments: 0,
                label: row.label,
                text: Text::new(row.text),
                reason: row.beside.as_deref().map(Text::new),
            })
            .collect();
        Self {
            year_label: era_name(sheet.fiscal_year),
            heading: sheet.heading(),
            status: sheet.status.label(),
            draft: sheet.status != SheetStatus::Final,
            related_departments: sheet.context.related_departments.join("　"),
            grid,
            schedule_labels: schedule_years.iter().map(|y| era_name(*y)).collect(),
            item_span: grid - 1 - schedule_years.len(),
            actions,
            indicator_columns,
            indicators,
            related_plan: header(HeaderSlot::RelatedPlan),
            plan_years: header(HeaderSlot::PlanYears),
            target_scope: header(HeaderSlot::TargetScope),
            related_initiatives: Text::new(texts.slot(HeaderSlot::RelatedInitiatives)),
            special_notes: Text::new(texts.slot(HeaderSlot::SpecialNotes)),
            body,
            sheet,
        }
    }

    /// The CSS named page of this sheet: its running header comes from
    /// `/sheets/{id}/pages.css` (in the book, `/reports/{year}/pages.css`), and a change of named page forces a page
    /// break, so no two sheets ever share a page.
    pub fn page_name(&self) -> String {
        page_name(self.sheet.id)
    }
}

pub fn page_name(sheet_id: SheetId) -> String {
    format!("sheet-{sheet_id}")
}

/// Folds runs of rows with the same value into one merged cell, as the paper
/// list does for 推進する計画: the first row of a run gets (value, rows spanned),
/// the others None. `cell` picks the merged cell of a row.
pub fn merge_runs<T>(rows: &mut [T], cell: impl Fn(&mut T) -> &mut Option<(String, usize)>) {
    let mut start = 0;
    while start < rows.len() {
        let value = cell(&mut rows[start]).as_ref().map(|(v, _)| v.clone());
        let mut end = start + 1;
        while end < rows.len() {
            let same = cell(&mut rows[end]).as_ref().map(|(v, _)| v.as_str()) == value.as_deref();
            if !same {
                break;
            }
            *cell(&mut rows[end]) = None;
            end += 1;
        }
        if let Some((_, span)) = cell(&mut rows[start]).as_mut() {
            *span = end - start;
        }
        start = end;
    }
}
