//! The sheet's edit form as posted: parsing, row operations, validation, and
//! applying it to the stored content. Nothing here knows HTTP; the form is a
//! list of (name, value) pairs.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::fiscal_year::{era_name, short};
use super::round::{editable, required_for_submit, Field, RoundKind};
use super::sheet::{ActionItem, Indicator, Period, SheetBody, SheetContent};

/// Longest prose a body field may hold, in characters.
pub const LONG_TEXT_MAX: usize = 4000;
/// Longest short value (an indicator cell, a schedule cell, a name).
pub const SHORT_TEXT_MAX: usize = 200;
/// Most 取組項目 or 目標 rows on one sheet.
pub const MAX_ROWS: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionRow {
    pub text: String,
    /// One cell per plan year, in year order.
    pub cells: Vec<(i32, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndicatorRow {
    /// The stored indicator this row edits; None for a new row.
    pub key: Option<i32>,
    pub name: String,
    pub method: String,
    pub baseline: String,
    pub target: String,
    /// The year's 上半期 actual.
    pub first_half: String,
    /// 現況値
    pub current: String,
    /// The year's full-year actual.
    pub full_year: String,
}

/// Everything a department can write on a sheet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SheetForm {
    /// The sheet version the form was opened at (optimistic locking).
    pub version: i32,
    pub content: String,
    pub plan_for_year: String,
    pub h1_actions: String,
    pub h1_progress: String,
    pub h2_plan: String,
    pub h2_actions: String,
    pub effects: String,
    pub issues: String,
    pub dept_evaluation: String,
    pub dept_reason: String,
    pub next_year: String,
    pub related_initiatives: String,
    pub special_notes: String,
    pub action_items: Vec<ActionRow>,
    pub indicators: Vec<IndicatorRow>,
}

/// The text fields: (field, form name).
pub const TEXT_FIELDS: &[(Field, &str)] = &[
    (Field::Content, "content"),
    (Field::PlanForYear, "plan_for_year"),
    (Field::H1Actions, "h1_actions"),
    (Field::H1Progress, "h1_progress"),
    (Field::H2Plan, "h2_plan"),
    (Field::H2Actions, "h2_actions"),
    (Field::Effects, "effects"),
    (Field::Issues, "issues"),
    (Field::DeptEvaluation, "dept_evaluation"),
    (Field::DeptReason, "dept_reason"),
    (Field::NextYear, "next_year"),
    (Field::RelatedInitiatives, "related_initiatives"),
    (Field::SpecialNotes, "special_notes"),
];

/// The label a field carries on the sheet of `fiscal_year`.
pub fn field_label(field: Field, fiscal_year: i32) -> String {
    let fy = era_name(fiscal_year);
    match field {
        Field::Content => "取組内容".into(),
        Field::PlanForYear => format!("{fy}の実施内容"),
        Field::H1Actions => format!("{fy}上半期の取組"),
        Field::H1Progress => "上半期進捗状況".into(),
        Field::H2Plan => "下半期への取組".into(),
        Field::H2Actions => format!("{fy}下半期の取組"),
        Field::Effects => format!("{fy}の効果・影響"),
        Field::Issues => format!("{fy}の課題"),
        Field::DeptEvaluation => "所管課評価".into(),
        Field::DeptReason => "所管課評価の理由".into(),
        Field::NextYear => "次年度への取組".into(),
        Field::RelatedInitiatives => "関連する取組事業".into(),
        Field::SpecialNotes => "特記事項".into(),
        Field::ActionItems => "取組項目".into(),
        Field::IndicatorDefinitions => "目標".into(),
        Field::IndicatorFirstHalf => format!("{}実績(上半期)", short(fiscal_year)),
        Field::IndicatorYearEnd => "現況値".into(),
    }
}

/// A problem with one input, shown next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form name of the input.
    pub name: String,
    pub message: String,
}

/// Dropdown choices, kept as data HQ edits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choices {
    pub progress: Vec<String>,
    pub evaluation: Vec<String>,
    pub method: Vec<String>,
    pub schedule: Vec<String>,
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

impl RowOp {
    /// 「remove_action:2」 and the like, from the pressed button.
    pub fn parse(op: &str) -> Option<Self> {
        let (name, index) = match op.split_once(':') {
            Some((n, i)) => (n, i.parse::<usize>().ok()),
            None => (op, None),
        };
        Some(match (name, index) {
            ("add_action", None) => RowOp::AddAction,
            ("remove_action", Some(i)) => RowOp::RemoveAction(i),
            ("up_action", Some(i)) => RowOp::UpAction(i),
            ("down_action", Some(i)) => RowOp::DownAction(i),
            ("add_indicator", None) => RowOp::AddIndicator,
            ("remove_indicator", Some(i)) => RowOp::RemoveIndicator(i),
            ("up_indicator", Some(i)) => RowOp::UpIndicator(i),
            ("down_indicator", Some(i)) => RowOp::DownIndicator(i),
            _ => return None,
        })
    }
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

impl SheetForm {
    /// The form as the stored sheet fills it.
    pub fn from_content(
        content: &SheetContent,
        indicator_ids: &[i32],
        version: i32,
        fiscal_year: i32,
        schedule_years: &[i32],
    ) -> Self {
        let b = &content.body;
        Self {
            version,
            content: b.content.clone(),
            plan_for_year: b.plan_for_year.clone(),
            h1_actions: b.h1_actions.clone(),
            h1_progress: b.h1_progress.clone(),
            h2_plan: b.h2_plan.clone(),
            h2_actions: b.h2_actions.clone(),
            effects: b.effects.clone(),
            issues: b.issues.clone(),
            dept_evaluation: b.dept_evaluation.clone(),
            dept_reason: b.dept_reason.clone(),
            next_year: b.next_year.clone(),
            related_initiatives: content.header.related_initiatives.clone(),
            special_notes: content.header.special_notes.clone(),
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
                .zip(
                    indicator_ids
                        .iter()
                        .map(|id| Some(*id))
                        .chain(std::iter::repeat(None)),
                )
                .map(|(ind, key)| IndicatorRow {
                    key,
                    name: ind.name.clone(),
                    method: ind.method.clone(),
                    baseline: ind.baseline.clone(),
                    target: ind.target.clone(),
                    first_half: ind.value(fiscal_year, Period::FirstHalf).to_string(),
                    current: ind.value(fiscal_year, Period::Current).to_string(),
                    full_year: ind.value(fiscal_year, Period::FullYear).to_string(),
                })
                .collect(),
        }
    }

    /// Reads a posted form. Inputs that were not shown (read-only fields) are
    /// simply absent and read as empty; `apply` ignores them.
    pub fn from_pairs(pairs: &[(String, String)], schedule_years: &[i32]) -> Result<Self, String> {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        // Row counts are always on the form; without them the rows cannot be
        // told from an accidental wipe, so the form is refused.
        let count = |name: &str| -> Result<usize, String> {
            get(name)
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= MAX_ROWS + 1)
                .ok_or_else(|| "フォームの行数が正しくありません".to_string())
        };
        let version = get("version").parse::<i32>().map_err(|_| {
            "フォームの版番号が正しくありません。評価票を開き直してください".to_string()
        })?;
        let mut form = SheetForm {
            version,
            ..Default::default()
        };
        for (field, name) in TEXT_FIELDS {
            *form.text_mut(*field) = get(name);
        }
        for i in 0..count("action_count")? {
            form.action_items.push(ActionRow {
                text: get(&format!("a{i}_text")),
                cells: schedule_years
                    .iter()
                    .map(|y| (*y, get(&format!("a{i}_y{y}"))))
                    .collect(),
            });
        }
        for i in 0..count("indicator_count")? {
            let key = get(&format!("i{i}_key"));
            let key = if key.is_empty() {
                None
            } else {
                Some(
                    key.parse::<i32>()
                        .map_err(|_| "目標の行の指定が正しくありません".to_string())?,
                )
            };
            form.indicators.push(IndicatorRow {
                key,
                name: get(&format!("i{i}_name")),
                method: get(&format!("i{i}_method")),
                baseline: get(&format!("i{i}_baseline")),
                target: get(&format!("i{i}_target")),
                first_half: get(&format!("i{i}_first_half")),
                current: get(&format!("i{i}_current")),
                full_year: get(&format!("i{i}_full_year")),
            });
        }
        Ok(form)
    }

    pub fn text(&self, field: Field) -> &str {
        match field {
            Field::Content => &self.content,
            Field::PlanForYear => &self.plan_for_year,
            Field::H1Actions => &self.h1_actions,
            Field::H1Progress => &self.h1_progress,
            Field::H2Plan => &self.h2_plan,
            Field::H2Actions => &self.h2_actions,
            Field::Effects => &self.effects,
            Field::Issues => &self.issues,
            Field::DeptEvaluation => &self.dept_evaluation,
            Field::DeptReason => &self.dept_reason,
            Field::NextYear => &self.next_year,
            Field::RelatedInitiatives => &self.related_initiatives,
            Field::SpecialNotes => &self.special_notes,
            _ => "",
        }
    }

    fn text_mut(&mut self, field: Field) -> &mut String {
        match field {
            Field::Content => &mut self.content,
            Field::PlanForYear => &mut self.plan_for_year,
            Field::H1Actions => &mut self.h1_actions,
            Field::H1Progress => &mut self.h1_progress,
            Field::H2Plan => &mut self.h2_plan,
            Field::H2Actions => &mut self.h2_actions,
            Field::Effects => &mut self.effects,
            Field::Issues => &mut self.issues,
            Field::DeptEvaluation => &mut self.dept_evaluation,
            Field::DeptReason => &mut self.dept_reason,
            Field::NextYear => &mut self.next_year,
            Field::RelatedInitiatives => &mut self.related_initiatives,
            _ => &mut self.special_notes,
        }
    }

    /// Applies a row operation; returns false when the rows are at their limit.
    pub fn apply_row_op(&mut self, op: RowOp, schedule_years: &[i32]) -> bool {
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
        fiscal_year: i32,
    ) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut err = |name: String, message: String| errors.push(FieldError { name, message });
        let too_long = |label: &str, max: usize, len: usize| {
            format!("{label}は{max}文字以内で入力してください（現在{len}文字）")
        };
        for (field, name) in TEXT_FIELDS {
            if !editable(round, *field) {
                continue;
            }
            let len = self.text(*field).chars().count();
            let max = match field {
                Field::H1Progress | Field::DeptEvaluation => SHORT_TEXT_MAX,
                _ => LONG_TEXT_MAX,
            };
            if len > max {
                err(
                    name.to_string(),
                    too_long(&field_label(*field, fiscal_year), max, len),
                );
            }
        }
        let allowed = |list: &[String],
                       stored: &mut dyn Iterator<Item = String>|
         -> HashSet<String> { list.iter().cloned().chain(stored).collect() };
        if editable(round, Field::H1Progress) && !self.h1_progress.is_empty() {
            let ok = allowed(
                &choices.progress,
                &mut std::iter::once(current.body.h1_progress.clone()),
            );
            if !ok.contains(&self.h1_progress) {
                err(
                    "h1_progress".into(),
                    "上半期進捗状況は一覧から選んでください".into(),
                );
            }
        }
        if editable(round, Field::DeptEvaluation) && !self.dept_evaluation.is_empty() {
            let ok = allowed(
                &choices.evaluation,
                &mut std::iter::once(current.body.dept_evaluation.clone()),
            );
            if !ok.contains(&self.dept_evaluation) {
                err(
                    "dept_evaluation".into(),
                    "所管課評価は一覧から選んでください".into(),
                );
            }
        }
        if self.action_items.len() > MAX_ROWS || self.indicators.len() > MAX_ROWS {
            err("rows".into(), format!("行は{MAX_ROWS}行までです"));
        }
        let schedule_ok = allowed(
            &choices.schedule,
            &mut current
                .action_items
                .iter()
                .flat_map(|a| a.schedule.iter().map(|(_, v)| v.clone())),
        );
        for (i, row) in self.action_items.iter().enumerate() {
            let blank = row.text.trim().is_empty() && row.cells.iter().all(|(_, v)| v.is_empty());
            if blank {
                continue;
            }
            if row.text.trim().is_empty() {
                err(format!("a{i}_text"), "項目を入力してください".into());
            }
            if row.text.chars().count() > LONG_TEXT_MAX {
                err(
                    format!("a{i}_text"),
                    too_long("項目", LONG_TEXT_MAX, row.text.chars().count()),
                );
            }
            for (y, v) in &row.cells {
                if !v.is_empty() && !schedule_ok.contains(v) {
                    err(
                        format!("a{i}_y{y}"),
                        format!("{}の予定は一覧から選んでください", era_name(*y)),
                    );
                }
            }
        }
        let method_ok = allowed(
            &choices.method,
            &mut current.indicators.iter().map(|i| i.method.clone()),
        );
        for (i, row) in self.indicators.iter().enumerate() {
            let cells = [
                ("name", "指標名", &row.name),
                ("baseline", "当初値", &row.baseline),
                ("target", "目標値", &row.target),
                ("first_half", "上半期実績", &row.first_half),
                ("current", "現況値", &row.current),
                ("full_year", "通年実績", &row.full_year),
            ];
            if row.key.is_none() && cells.iter().all(|(_, _, v)| v.trim().is_empty()) {
                continue;
            }
            if row.name.trim().is_empty() {
                err(format!("i{i}_name"), "指標名を入力してください".into());
            }
            for (name, label, value) in cells {
                let len = value.chars().count();
                if len > SHORT_TEXT_MAX {
                    err(format!("i{i}_{name}"), too_long(label, SHORT_TEXT_MAX, len));
                }
            }
            if editable(round, Field::IndicatorDefinitions)
                && !row.method.is_empty()
                && !method_ok.contains(&row.method)
            {
                err(
                    format!("i{i}_method"),
                    "評価方法は一覧から選んでください".into(),
                );
            }
        }
        errors
    }

    /// Labels of the fields that must be filled before submitting in `round`.
    pub fn missing_for_submit(&self, round: RoundKind, fiscal_year: i32) -> Vec<String> {
        required_for_submit(round)
            .iter()
            .filter(|f| self.text(**f).trim().is_empty())
            .map(|f| field_label(*f, fiscal_year))
            .collect()
    }

    /// The content after saving this form: what the round lets the department
    /// write comes from the form, everything else stays as stored. Returns the
    /// content and, per indicator, the stored id it continues (None = new).
    pub fn apply(
        &self,
        current: &SheetContent,
        current_ids: &[i32],
        fiscal_year: i32,
        round: RoundKind,
    ) -> (SheetContent, Vec<Option<i32>>) {
        let can = |f: Field| editable(round, f);
        let pick = |f: Field, stored: &String| {
            if can(f) {
                self.text(f).to_string()
            } else {
                stored.clone()
            }
        };
        let b = &current.body;
        let body = SheetBody {
            content: pick(Field::Content, &b.content),
            plan_for_year: pick(Field::PlanForYear, &b.plan_for_year),
            h1_actions: pick(Field::H1Actions, &b.h1_actions),
            h1_progress: pick(Field::H1Progress, &b.h1_progress),
            h2_plan: pick(Field::H2Plan, &b.h2_plan),
            h2_actions: pick(Field::H2Actions, &b.h2_actions),
            effects: pick(Field::Effects, &b.effects),
            issues: pick(Field::Issues, &b.issues),
            dept_evaluation: pick(Field::DeptEvaluation, &b.dept_evaluation),
            dept_reason: pick(Field::DeptReason, &b.dept_reason),
            hq_evaluation: b.hq_evaluation.clone(),
            hq_comment: b.hq_comment.clone(),
            next_year: pick(Field::NextYear, &b.next_year),
        };
        let mut header = current.header.clone();
        header.related_initiatives = pick(Field::RelatedInitiatives, &header.related_initiatives);
        header.special_notes = pick(Field::SpecialNotes, &header.special_notes);

        let action_items = if can(Field::ActionItems) {
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

        let mut indicators = Vec::new();
        let mut ids = Vec::new();
        let target_year_default = current
            .indicators
            .first()
            .map(|i| i.target_year)
            .unwrap_or(fiscal_year);
        let baseline_year_default = current.indicators.first().and_then(|i| i.baseline_year);
        for row in &self.indicators {
            let stored = row
                .key
                .and_then(|k| current_ids.iter().position(|id| *id == k))
                .and_then(|pos| current.indicators.get(pos).map(|ind| (pos, ind)));
            if stored.is_none() && row.name.trim().is_empty() {
                continue;
            }
            let mut ind = match stored {
                Some((_, ind)) => ind.clone(),
                None => Indicator {
                    target_year: target_year_default,
                    baseline_year: baseline_year_default,
                    ..Indicator::default()
                },
            };
            if can(Field::IndicatorDefinitions) {
                ind.name = row.name.clone();
                ind.method = row.method.clone();
                ind.baseline = row.baseline.clone();
                ind.target = row.target.clone();
            }
            if can(Field::IndicatorFirstHalf) {
                set_value(&mut ind, fiscal_year, Period::FirstHalf, &row.first_half);
            }
            if can(Field::IndicatorYearEnd) {
                set_value(&mut ind, fiscal_year, Period::Current, &row.current);
                set_value(&mut ind, fiscal_year, Period::FullYear, &row.full_year);
            }
            ids.push(stored.map(|(pos, _)| current_ids[pos]));
            indicators.push(ind);
        }
        if !can(Field::IndicatorDefinitions) {
            // Rows cannot be added or removed outside the plan-level fields.
            return (
                SheetContent {
                    header,
                    action_items,
                    indicators: current.indicators.clone(),
                    body,
                },
                current_ids.iter().map(|id| Some(*id)).collect(),
            );
        }
        (
            SheetContent {
                header,
                action_items,
                indicators,
                body,
            },
            ids,
        )
    }
}

fn set_value(ind: &mut Indicator, year: i32, period: Period, text: &str) {
    ind.values.retain(|(y, p, _)| !(*y == year && *p == period));
    if !text.is_empty() {
        ind.values.push((year, period, text.to_string()));
        ind.values.sort_by_key(|(y, p, _)| (*y, *p));
    }
}

/// One changed field, for the audit log and the history page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// What changed between two versions of a sheet, field by field.
pub fn diff(old: &SheetContent, new: &SheetContent, fiscal_year: i32) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut push = |field: String, before: String, after: String| {
        if before != after {
            changes.push(Change {
                field,
                before,
                after,
            });
        }
    };
    for (field, _) in TEXT_FIELDS {
        let get = |c: &SheetContent| match field {
            Field::Content => c.body.content.clone(),
            Field::PlanForYear => c.body.plan_for_year.clone(),
            Field::H1Actions => c.body.h1_actions.clone(),
            Field::H1Progress => c.body.h1_progress.clone(),
            Field::H2Plan => c.body.h2_plan.clone(),
            Field::H2Actions => c.body.h2_actions.clone(),
            Field::Effects => c.body.effects.clone(),
            Field::Issues => c.body.issues.clone(),
            Field::DeptEvaluation => c.body.dept_evaluation.clone(),
            Field::DeptReason => c.body.dept_reason.clone(),
            Field::NextYear => c.body.next_year.clone(),
            Field::RelatedInitiatives => c.header.related_initiatives.clone(),
            _ => c.header.special_notes.clone(),
        };
        push(field_label(*field, fiscal_year), get(old), get(new));
    }
    push(
        "推進本部評価".into(),
        old.body.hq_evaluation.clone(),
        new.body.hq_evaluation.clone(),
    );
    push(
        "推進本部コメント".into(),
        old.body.hq_comment.clone(),
        new.body.hq_comment.clone(),
    );
    let items = |c: &SheetContent| {
        c.action_items
            .iter()
            .map(|a| {
                let cells: Vec<String> = a
                    .schedule
                    .iter()
                    .map(|(y, v)| format!("{}:{v}", era_name(*y)))
                    .collect();
                format!("{}（{}）", a.text, cells.join("、"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    push("取組項目".into(), items(old), items(new));
    let indicators = |c: &SheetContent| {
        c.indicators
            .iter()
            .map(|i| {
                let values: Vec<String> = i
                    .values
                    .iter()
                    .map(|(y, p, v)| {
                        let what = match p {
                            Period::FirstHalf => "上半期",
                            Period::FullYear => "実績",
                            Period::Current => "現況値",
                        };
                        format!("{}{what}:{v}", short(*y))
                    })
                    .collect();
                format!(
                    "{}／{}／当初値:{}／目標値:{}／{}",
                    i.name,
                    i.method,
                    i.baseline,
                    i.target,
                    values.join("、")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    push("目標".into(), indicators(old), indicators(new));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> SheetContent {
        SheetContent {
            indicators: vec![Indicator {
                name: "指標".into(),
                method: "定量".into(),
                baseline: "1件".into(),
                target: "9件".into(),
                target_year: 2025,
                values: vec![(2023, Period::FullYear, "5件".into())],
                ..Default::default()
            }],
            body: SheetBody {
                effects: "効果".into(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parse_apply_keeps_fields_outside_the_round() {
        let form = SheetForm::from_pairs(
            &pairs(&[
                ("version", "3"),
                ("action_count", "0"),
                ("h1_actions", "上半期に実施"),
                ("effects", "書き換え"),
                ("indicator_count", "2"),
                ("i0_key", "7"),
                ("i0_name", "指標"),
                ("i0_method", "定量"),
                ("i0_first_half", "３件"),
                ("i1_name", "新しい指標"),
                ("i1_method", "定性"),
            ]),
            &[2022, 2023, 2024, 2025],
        )
        .unwrap();
        assert_eq!(form.version, 3);
        let (new, ids) = form.apply(&content(), &[7], 2024, RoundKind::FirstHalf);
        assert_eq!(new.body.h1_actions, "上半期に実施");
        assert_eq!(
            new.body.effects, "効果",
            "year-end field kept in the 上半期 round"
        );
        assert_eq!(ids, vec![Some(7), None]);
        assert_eq!(new.indicators[0].value(2024, Period::FirstHalf), "３件");
        assert_eq!(new.indicators[0].value(2023, Period::FullYear), "5件");
        assert_eq!(new.indicators[1].name, "新しい指標");
        assert_eq!(new.indicators[1].target_year, 2025);
    }

    #[test]
    fn validation_messages_name_the_input() {
        let mut form = SheetForm {
            h1_progress: "すごく順調".into(),
            h1_actions: "あ".repeat(LONG_TEXT_MAX + 1),
            ..Default::default()
        };
        form.indicators.push(IndicatorRow {
            first_half: "1件".into(),
            ..Default::default()
        });
        let choices = Choices {
            progress: vec!["順調".into()],
            ..Default::default()
        };
        let errors = form.validate(RoundKind::FirstHalf, &choices, &content(), 2024);
        let names: Vec<&str> = errors.iter().map(|e| e.name.as_str()).collect();
        assert!(names.contains(&"h1_progress"), "{errors:?}");
        assert!(names.contains(&"h1_actions"));
        assert!(names.contains(&"i0_name"));
        assert!(errors.iter().any(|e| e.message.contains("4000文字以内")));
    }

    #[test]
    fn missing_fields_are_listed_by_label() {
        let form = SheetForm {
            content: "内容".into(),
            h1_actions: "取組".into(),
            ..Default::default()
        };
        assert_eq!(
            form.missing_for_submit(RoundKind::FirstHalf, 2025),
            vec!["上半期進捗状況", "下半期への取組"]
        );
    }

    #[test]
    fn row_ops_and_diff() {
        let mut form = SheetForm::default();
        assert!(form.apply_row_op(RowOp::AddAction, &[2024]));
        form.action_items[0].text = "a".into();
        form.apply_row_op(RowOp::AddAction, &[2024]);
        form.action_items[1].text = "b".into();
        form.apply_row_op(RowOp::parse("up_action:1").unwrap(), &[2024]);
        assert_eq!(form.action_items[0].text, "b");
        form.apply_row_op(RowOp::parse("remove_action:0").unwrap(), &[2024]);
        assert_eq!(form.action_items.len(), 1);
        assert_eq!(RowOp::parse("bogus"), None);

        let old = content();
        let mut new = old.clone();
        new.body.effects = "新しい効果".into();
        let changes = diff(&old, &new, 2024);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "令和6年度の効果・影響");
        assert_eq!(
            (changes[0].before.as_str(), changes[0].after.as_str()),
            ("効果", "新しい効果")
        );
    }
}
