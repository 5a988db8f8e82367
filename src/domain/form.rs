//! The sheet's edit form as the department fills it: row operations,
//! validation, and applying it to the stored content. Typed throughout; the
//! HTML input names belong to the web layer.

use std::collections::{HashMap, HashSet};

use super::field::{ChoiceList, Field, Input, Part, Texts, LONG_TEXT_MAX, SHORT_TEXT_MAX};
use super::fiscal_year::{era_name, FiscalYear};
use super::ids::IndicatorId;
use super::indicator::Direction;
use super::round::RoundKind;
use super::sheet::{ActionItem, Indicator, Period, SheetContent};

/// Most 取組項目 or 目標 rows on one sheet.
pub const MAX_ROWS: usize = 50;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionRow {
    pub text: String,
    /// One cell per plan year, in year order.
    pub cells: Vec<(FiscalYear, String)>,
}

/// The cells of one 目標 row on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndicatorCell {
    Name,
    Method,
    Baseline,
    Target,
    /// The year's 上半期 actual.
    FirstHalf,
    /// 現況値
    Current,
    /// The year's full-year actual.
    FullYear,
    /// 方向: a `Direction` code, or empty for the one proposed from the numbers.
    Direction,
    /// A 定性 indicator's status for the year (「定性の状況」 list).
    Status,
}

impl IndicatorCell {
    pub const ALL: [IndicatorCell; 9] = [
        IndicatorCell::Name,
        IndicatorCell::Method,
        IndicatorCell::Baseline,
        IndicatorCell::Target,
        IndicatorCell::FirstHalf,
        IndicatorCell::Current,
        IndicatorCell::FullYear,
        IndicatorCell::Direction,
        IndicatorCell::Status,
    ];

    pub fn label(self) -> &'static str {
        match self {
            IndicatorCell::Name => "指標名",
            IndicatorCell::Method => "評価方法",
            IndicatorCell::Baseline => "当初値",
            IndicatorCell::Target => "目標値",
            IndicatorCell::FirstHalf => "上半期実績",
            IndicatorCell::Current => "現況値",
            IndicatorCell::FullYear => "通年実績",
            IndicatorCell::Direction => "方向",
            IndicatorCell::Status => "定性の状況",
        }
    }

    /// Which part of the sheet the cell belongs to, for the round's rules.
    pub fn part(self) -> Part {
        match self {
            IndicatorCell::FirstHalf => Part::IndicatorFirstHalf,
            // The status is the year's assessment, written with 現況値.
            IndicatorCell::Current | IndicatorCell::FullYear | IndicatorCell::Status => {
                Part::IndicatorYearEnd
            }
            _ => Part::IndicatorDefinitions,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndicatorRow {
    /// The stored indicator this row edits; None for a new row.
    pub key: Option<IndicatorId>,
    pub cells: HashMap<IndicatorCell, String>,
}

impl IndicatorRow {
    pub fn get(&self, cell: IndicatorCell) -> &str {
        self.cells.get(&cell).map_or("", String::as_str)
    }

    pub fn set(&mut self, cell: IndicatorCell, value: impl Into<String>) {
        self.cells.insert(cell, value.into());
    }

    fn is_blank(&self) -> bool {
        self.cells.values().all(|v| v.trim().is_empty())
    }
}

/// Everything a department can write on a sheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SheetForm {
    /// The sheet version the form was opened at (optimistic locking).
    pub version: i32,
    pub texts: Texts,
    pub action_items: Vec<ActionRow>,
    pub indicators: Vec<IndicatorRow>,
    /// The department ticked that it means to submit (提出 cannot be undone
    /// once HQ acts, so it is asked in the form itself, without JavaScript).
    pub confirmed: bool,
}

/// What a message is about: the web layer turns it into an input name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Field(Field),
    ActionText(usize),
    /// Row and fiscal year of a schedule cell.
    ActionCell(usize, FiscalYear),
    Indicator(usize, IndicatorCell),
    /// The number of rows.
    Rows,
    /// The 提出 confirmation.
    Confirm,
}

/// A problem with one input, shown next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub target: Target,
    pub message: String,
}

/// Dropdown choices, kept as data HQ edits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choices(HashMap<ChoiceList, Vec<String>>);

impl Choices {
    pub fn get(&self, list: ChoiceList) -> &[String] {
        self.0.get(&list).map_or(&[], Vec::as_slice)
    }

    pub fn push(&mut self, list: ChoiceList, value: String) {
        self.0.entry(list).or_default().push(value);
    }
}

/// Row operations that re-show the form without saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOp {
    AddAction,
    RemoveAction(usize),
    UpAction(usize),
    DownAction(usize),
    AddIndicator,
    RemoveIndicator(usize),
    UpIndicator(usize),
    DownIndicator(usize),
}

fn move_row<T>(rows: &mut [T], from: usize, up: bool) {
    let to = if up {
        from.checked_sub(1)
    } else {
        Some(from + 1)
    };
    if let Some(to) = to.filter(|t| *t < rows.len() && from < rows.len()) {
        rows.swap(from, to);
    }
}

const DUPLICATE_ROW: &str =
    "同じ目標の行が二つ送信されました。評価票を開き直してから入力してください";

fn too_long(label: &str, max: usize, len: usize) -> String {
    format!("{label}は{max}文字以内で入力してください（現在{len}文字）")
}

/// The listed values plus those already stored: a value stays acceptable even
/// after HQ removed it from the choices.
fn allowed<'a>(list: &'a [String], stored: impl Iterator<Item = &'a str>) -> HashSet<&'a str> {
    list.iter().map(String::as_str).chain(stored).collect()
}

impl SheetForm {
    /// The form as the stored sheet fills it.
    pub fn from_content(
        content: &SheetContent,
        indicator_ids: &[IndicatorId],
        version: i32,
        fiscal_year: FiscalYear,
        schedule_years: &[FiscalYear],
    ) -> Self {
        let keys = indicator_ids
            .iter()
            .map(|id| Some(*id))
            .chain(std::iter::repeat(None));
        Self {
            version,
            confirmed: false,
            texts: content.texts.clone(),
            action_items: content
                .action_items
                .iter()
                .map(|a| ActionRow {
                    text: a.text.clone(),
                    cells: schedule_years
                        .iter()
                        .map(|y| (*y, a.cell(*y).to_string()))
                        .collect(),
                })
                .collect(),
            indicators: content
                .indicators
                .iter()
                .zip(keys)
                .map(|(ind, key)| indicator_row(ind, key, fiscal_year))
                .collect(),
        }
    }

    /// Applies a row operation; returns false when the rows are at their limit.
    pub fn apply_row_op(&mut self, op: RowOp, schedule_years: &[FiscalYear]) -> bool {
        match op {
            RowOp::AddAction => {
                if self.action_items.len() >= MAX_ROWS {
                    return false;
                }
                self.action_items.push(ActionRow {
                    text: String::new(),
                    cells: schedule_years.iter().map(|y| (*y, String::new())).collect(),
                });
            }
            RowOp::RemoveAction(i) if i < self.action_items.len() => {
                self.action_items.remove(i);
            }
            RowOp::UpAction(i) => move_row(&mut self.action_items, i, true),
            RowOp::DownAction(i) => move_row(&mut self.action_items, i, false),
            RowOp::AddIndicator => {
                if self.indicators.len() >= MAX_ROWS {
                    return false;
                }
                self.indicators.push(IndicatorRow::default());
            }
            RowOp::RemoveIndicator(i) if i < self.indicators.len() => {
                self.indicators.remove(i);
            }
            RowOp::UpIndicator(i) => move_row(&mut self.indicators, i, true),
            RowOp::DownIndicator(i) => move_row(&mut self.indicators, i, false),
            _ => {}
        }
        true
    }

    /// Problems with what was typed, each tied to its input. `current` is the
    /// stored sheet: a value already stored stays acceptable even when HQ has
    /// since removed it from the choices.
    pub fn validate(
        &self,
        round: RoundKind,
        choices: &Choices,
        current: &SheetContent,
        fiscal_year: FiscalYear,
    ) -> Vec<FieldError> {
        let mut errors = self.validate_texts(round, choices, current, fiscal_year);
        if self.action_items.len() > MAX_ROWS || self.indicators.len() > MAX_ROWS {
            errors.push(FieldError {
                target: Target::Rows,
                message: format!("行は{MAX_ROWS}行までです"),
            });
        }
        if Part::ActionItems.department_writes_in(round) {
            errors.extend(self.validate_actions(choices, current));
        }
        errors.extend(self.validate_indicators(round, choices, current));
        errors
    }

    fn validate_texts(
        &self,
        round: RoundKind,
        choices: &Choices,
        current: &SheetContent,
        fiscal_year: FiscalYear,
    ) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for field in Field::all().filter(|f| f.department_writes_in(round)) {
            let text = self.texts.get(field);
            let err = |message| FieldError {
                target: Target::Field(field),
                message,
            };
            let (len, max) = (text.chars().count(), field.def().max_len);
            if len > max {
                errors.push(err(too_long(&field.label(fiscal_year), max, len)));
            }
            if let Input::Choice(list) = field.def().input {
                let stored = std::iter::once(current.texts.get(field));
                if !text.is_empty() && !allowed(choices.get(list), stored).contains(text) {
                    let label = field.label(fiscal_year);
                    errors.push(err(format!("{label}は一覧から選んでください")));
                }
            }
        }
        errors
    }

    fn validate_actions(&self, choices: &Choices, current: &SheetContent) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let stored = current
            .action_items
            .iter()
            .flat_map(|a| a.schedule.iter().map(|(_, v)| v.as_str()));
        let schedule_ok = allowed(choices.get(ChoiceList::Schedule), stored);
        for (i, row) in self.action_items.iter().enumerate() {
            let blank = row.text.trim().is_empty() && row.cells.iter().all(|(_, v)| v.is_empty());
            if blank {
                continue;
            }
            let len = row.text.chars().count();
            if row.text.trim().is_empty() || len > LONG_TEXT_MAX {
                errors.push(FieldError {
                    target: Target::ActionText(i),
                    message: if len > LONG_TEXT_MAX {
                        too_long("項目", LONG_TEXT_MAX, len)
                    } else {
                        "項目を入力してください".into()
                    },
                });
            }
            for (y, v) in &row.cells {
                if !v.is_empty() && !schedule_ok.contains(v.as_str()) {
                    errors.push(FieldError {
                        target: Target::ActionCell(i, *y),
                        message: format!("{}の予定は一覧から選んでください", era_name(*y)),
                    });
                }
            }
        }
        errors
    }

    fn validate_indicators(
        &self,
        round: RoundKind,
        choices: &Choices,
        current: &SheetContent,
    ) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let stored = current.indicators.iter().map(|i| i.method.as_str());
        let method_ok = allowed(choices.get(ChoiceList::Method), stored);
        let statuses = current.indicators.iter().map(|i| i.status.as_str());
        let status_ok = allowed(choices.get(ChoiceList::QualitativeStatus), statuses);
        let mut keys = HashSet::new();
        for (i, row) in self.indicators.iter().enumerate() {
            let err = |cell, message| FieldError {
                target: Target::Indicator(i, cell),
                message,
            };
            // One stored row edited from two form rows: saving would keep one
            // and record the other. Our form never sends that.
            if row.key.is_some_and(|k| !keys.insert(k)) {
                errors.push(err(IndicatorCell::Name, DUPLICATE_ROW.into()));
            }
            if row.key.is_none() && row.is_blank() {
                continue;
            }
            if row.get(IndicatorCell::Name).trim().is_empty() {
                errors.push(err(IndicatorCell::Name, "指標名を入力してください".into()));
            }
            for cell in IndicatorCell::ALL {
                let len = row.get(cell).chars().count();
                if len > SHORT_TEXT_MAX {
                    errors.push(err(cell, too_long(cell.label(), SHORT_TEXT_MAX, len)));
                }
            }
            let direction = row.get(IndicatorCell::Direction);
            if !direction.is_empty() && Direction::from_code(direction).is_none() {
                errors.push(err(
                    IndicatorCell::Direction,
                    "方向は一覧から選んでください".into(),
                ));
            }
            let method = row.get(IndicatorCell::Method);
            if Part::IndicatorDefinitions.department_writes_in(round)
                && !method.is_empty()
                && !method_ok.contains(method)
            {
                errors.push(err(
                    IndicatorCell::Method,
                    "評価方法は一覧から選んでください".into(),
                ));
            }
            let status = row.get(IndicatorCell::Status);
            if IndicatorCell::Status.part().department_writes_in(round)
                && !status.is_empty()
                && !status_ok.contains(status)
            {
                errors.push(err(
                    IndicatorCell::Status,
                    "定性の状況は一覧から選んでください".into(),
                ));
            }
        }
        errors
    }

    /// The fields that must be filled before submitting in `round`, still empty.
    pub fn missing_for_submit(&self, round: RoundKind) -> Vec<Field> {
        Field::all()
            .filter(|f| f.required_in(round) && self.texts.get(*f).trim().is_empty())
            .collect()
    }

    /// The content after saving this form: what the round lets the department
    /// write comes from the form, everything else stays as stored. Returns the
    /// content and, per indicator, the stored id it continues (None = new).
    pub fn apply(
        &self,
        current: &SheetContent,
        current_ids: &[IndicatorId],
        fiscal_year: FiscalYear,
        round: RoundKind,
    ) -> (SheetContent, Vec<Option<IndicatorId>>) {
        let mut texts = current.texts.clone();
        for field in Field::all().filter(|f| f.department_writes_in(round)) {
            texts.set(field, self.texts.get(field));
        }
        let action_items = if Part::ActionItems.department_writes_in(round) {
            self.action_items
                .iter()
                .filter(|r| !r.text.trim().is_empty())
                .map(|r| ActionItem {
                    text: r.text.clone(),
                    schedule: r
                        .cells
                        .iter()
                        .filter(|(_, v)| !v.is_empty())
                        .cloned()
                        .collect(),
                })
                .collect()
        } else {
            current.action_items.clone()
        };
        let (indicators, ids) = if Part::IndicatorDefinitions.department_writes_in(round) {
            self.apply_indicators(current, current_ids, fiscal_year, round)
        } else {
            // Rows cannot be added or removed outside the plan-level parts.
            self.apply_indicator_values(current, current_ids, fiscal_year, round)
        };
        let content = SheetContent {
            texts,
            action_items,
            indicators,
        };
        (content, ids)
    }

    /// The rows as the form has them: stored rows it names, new rows with a name.
    fn apply_indicators(
        &self,
        current: &SheetContent,
        current_ids: &[IndicatorId],
        fiscal_year: FiscalYear,
        round: RoundKind,
    ) -> (Vec<Indicator>, Vec<Option<IndicatorId>>) {
        let defaults = Indicator {
            target_year: current
                .indicators
                .first()
                .map_or(fiscal_year, |i| i.target_year),
            baseline_year: current.indicators.first().and_then(|i| i.baseline_year),
            ..Indicator::default()
        };
        let mut indicators = Vec::new();
        let mut ids = Vec::new();
        for row in &self.indicators {
            let stored = row
                .key
                .and_then(|k| current_ids.iter().position(|id| *id == k))
                .and_then(|pos| current.indicators.get(pos).map(|ind| (pos, ind)));
            if stored.is_none() && row.get(IndicatorCell::Name).trim().is_empty() {
                continue;
            }
            let mut ind = stored.map_or_else(|| defaults.clone(), |(_, ind)| ind.clone());
            ind.name = row.get(IndicatorCell::Name).to_string();
            ind.method = row.get(IndicatorCell::Method).to_string();
            ind.baseline = row.get(IndicatorCell::Baseline).to_string();
            ind.target = row.get(IndicatorCell::Target).to_string();
            ind.direction = Direction::from_code(row.get(IndicatorCell::Direction));
            row.write_values(&mut ind, fiscal_year, round);
            ids.push(stored.map(|(pos, _)| current_ids[pos]));
            indicators.push(ind);
        }
        (indicators, ids)
    }

    /// The stored rows, with only the values this round writes taken from the form.
    fn apply_indicator_values(
        &self,
        current: &SheetContent,
        current_ids: &[IndicatorId],
        fiscal_year: FiscalYear,
        round: RoundKind,
    ) -> (Vec<Indicator>, Vec<Option<IndicatorId>>) {
        let indicators = current
            .indicators
            .iter()
            .zip(current_ids)
            .map(|(ind, id)| {
                let mut ind = ind.clone();
                if let Some(row) = self.indicators.iter().find(|r| r.key == Some(*id)) {
                    row.write_values(&mut ind, fiscal_year, round);
                }
                ind
            })
            .collect();
        (indicators, current_ids.iter().map(|id| Some(*id)).collect())
    }
}

impl IndicatorRow {
    /// Copies the values the round lets the department write.
    fn write_values(&self, ind: &mut Indicator, fiscal_year: FiscalYear, round: RoundKind) {
        for (cell, period) in [
            (IndicatorCell::FirstHalf, Period::FirstHalf),
            (IndicatorCell::Current, Period::Current),
            (IndicatorCell::FullYear, Period::FullYear),
        ] {
            if cell.part().department_writes_in(round) {
                set_value(ind, fiscal_year, period, self.get(cell));
            }
        }
        if IndicatorCell::Status.part().department_writes_in(round) {
            ind.status = self.get(IndicatorCell::Status).to_string();
        }
    }
}

fn indicator_row(
    ind: &Indicator,
    key: Option<IndicatorId>,
    fiscal_year: FiscalYear,
) -> IndicatorRow {
    let mut row = IndicatorRow {
        key,
        ..Default::default()
    };
    row.set(IndicatorCell::Name, ind.name.as_str());
    row.set(IndicatorCell::Method, ind.method.as_str());
    row.set(IndicatorCell::Baseline, ind.baseline.as_str());
    row.set(IndicatorCell::Target, ind.target.as_str());
    row.set(
        IndicatorCell::Direction,
        ind.direction.map_or("", |d| d.code()),
    );
    row.set(
        IndicatorCell::FirstHalf,
        ind.value(fiscal_year, Period::FirstHalf),
    );
    row.set(
        IndicatorCell::Current,
        ind.value(fiscal_year, Period::Current),
    );
    row.set(
        IndicatorCell::FullYear,
        ind.value(fiscal_year, Period::FullYear),
    );
    row.set(IndicatorCell::Status, ind.status.as_str());
    row
}

fn set_value(ind: &mut Indicator, year: FiscalYear, period: Period, text: &str) {
    ind.values.retain(|(y, p, _)| !(*y == year && *p == period));
    if !text.is_empty() {
        ind.values.push((year, period, text.to_string()));
        ind.values.sort_by_key(|(y, p, _)| (*y, *p));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(label: &str) -> Field {
        Field::from_label(label, FiscalYear(2024))
            .unwrap()
            .expect(label)
    }

    fn content() -> SheetContent {
        let mut texts = Texts::default();
        texts.set(field("令和6年度の効果・影響"), "効果");
        SheetContent {
            texts,
            indicators: vec![Indicator {
                name: "指標".into(),
                method: "定量".into(),
                baseline: "1件".into(),
                target: "9件".into(),
                target_year: FiscalYear(2025),
                values: vec![(FiscalYear(2023), Period::FullYear, "5件".into())],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn row(key: Option<i32>, cells: &[(IndicatorCell, &str)]) -> IndicatorRow {
        let mut row = IndicatorRow {
            key: key.map(IndicatorId),
            ..Default::default()
        };
        for (cell, v) in cells {
            row.set(*cell, *v);
        }
        row
    }

    #[test]
    fn apply_keeps_fields_outside_the_round() {
        let mut form = SheetForm {
            version: 3,
            ..Default::default()
        };
        form.texts
            .set(field("令和6年度上半期の取組"), "上半期に実施");
        form.texts.set(field("令和6年度の効果・影響"), "書き換え");
        form.indicators = vec![
            row(
                Some(7),
                &[
                    (IndicatorCell::Name, "指標"),
                    (IndicatorCell::Method, "定量"),
                    (IndicatorCell::FirstHalf, "３件"),
                ],
            ),
            row(
                None,
                &[
                    (IndicatorCell::Name, "新しい指標"),
                    (IndicatorCell::Method, "定性"),
                ],
            ),
        ];
        let (new, ids) = form.apply(
            &content(),
            &[IndicatorId(7)],
            FiscalYear(2024),
            RoundKind::FirstHalf,
        );
        assert_eq!(
            new.texts.get(field("令和6年度上半期の取組")),
            "上半期に実施"
        );
        assert_eq!(
            new.texts.get(field("令和6年度の効果・影響")),
            "効果",
            "year-end field kept in the 上半期 round"
        );
        assert_eq!(ids, vec![Some(IndicatorId(7)), None]);
        assert_eq!(
            new.indicators[0].value(FiscalYear(2024), Period::FirstHalf),
            "３件"
        );
        assert_eq!(
            new.indicators[0].value(FiscalYear(2023), Period::FullYear),
            "5件"
        );
        assert_eq!(new.indicators[1].name, "新しい指標");
        assert_eq!(new.indicators[1].target_year, FiscalYear(2025));
    }

    #[test]
    fn validation_messages_name_the_input() {
        let mut form = SheetForm::default();
        form.texts.set(field("上半期進捗状況"), "すごく順調");
        form.texts.set(
            field("令和6年度上半期の取組"),
            "あ".repeat(LONG_TEXT_MAX + 1),
        );
        form.indicators
            .push(row(None, &[(IndicatorCell::FirstHalf, "1件")]));
        let mut choices = Choices::default();
        choices.push(ChoiceList::Progress, "順調".into());
        let errors = form.validate(RoundKind::FirstHalf, &choices, &content(), FiscalYear(2024));
        let targets: Vec<Target> = errors.iter().map(|e| e.target).collect();
        assert!(targets.contains(&Target::Field(field("上半期進捗状況"))));
        assert!(targets.contains(&Target::Field(field("令和6年度上半期の取組"))));
        assert!(targets.contains(&Target::Indicator(0, IndicatorCell::Name)));
        assert!(errors.iter().any(|e| e.message.contains("4000文字以内")));
    }

    #[test]
    fn two_rows_for_one_stored_indicator_are_refused() {
        let mut form = SheetForm::default();
        form.indicators
            .push(row(Some(3), &[(IndicatorCell::Name, "指標")]));
        form.indicators
            .push(row(Some(3), &[(IndicatorCell::Name, "別名")]));
        form.indicators
            .push(row(None, &[(IndicatorCell::Name, "新しい指標")]));
        form.indicators
            .push(row(None, &[(IndicatorCell::Name, "もう一つ")]));
        let errors = form.validate(
            RoundKind::YearEnd,
            &Choices::default(),
            &content(),
            FiscalYear(2024),
        );
        assert_eq!(
            errors,
            [FieldError {
                target: Target::Indicator(1, IndicatorCell::Name),
                message: DUPLICATE_ROW.into(),
            }]
        );
    }

    #[test]
    fn missing_fields_are_listed_in_paper_order() {
        let mut form = SheetForm::default();
        form.texts.set(field("取組内容"), "内容");
        form.texts.set(field("令和6年度上半期の取組"), "取組");
        let missing: Vec<String> = form
            .missing_for_submit(RoundKind::FirstHalf)
            .into_iter()
            .map(|f| f.label(FiscalYear(2025)))
            .collect();
        assert_eq!(missing, vec!["上半期進捗状況", "下半期への取組"]);
    }

    #[test]
    fn row_ops() {
        let mut form = SheetForm::default();
        assert!(form.apply_row_op(RowOp::AddAction, &[FiscalYear(2024)]));
        form.action_items[0].text = "a".into();
        form.apply_row_op(RowOp::AddAction, &[FiscalYear(2024)]);
        form.action_items[1].text = "b".into();
        form.apply_row_op(RowOp::UpAction(1), &[FiscalYear(2024)]);
        assert_eq!(form.action_items[0].text, "b");
        form.apply_row_op(RowOp::RemoveAction(0), &[FiscalYear(2024)]);
        assert_eq!(form.action_items.len(), 1);
    }
}
