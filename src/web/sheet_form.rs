//! The edit form's HTML names: reading a posted form into the domain's
//! `SheetForm`, and naming the input a message belongs to. Text fields are
//! named by their registry key; rows by index (`a0_text`, `i2_target`).

use std::collections::HashMap;

use crate::domain::field::Field;
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::form::{
    ActionRow, IndicatorCell, IndicatorRow, RowOp, SheetForm, Target, MAX_ROWS,
};
use crate::domain::ids::IndicatorId;

fn cell_name(cell: IndicatorCell) -> &'static str {
    match cell {
        IndicatorCell::Name => "name",
        IndicatorCell::Method => "method",
        IndicatorCell::Baseline => "baseline",
        IndicatorCell::Target => "target",
        IndicatorCell::FirstHalf => "first_half",
        IndicatorCell::Current => "current",
        IndicatorCell::FullYear => "full_year",
        IndicatorCell::Direction => "direction",
        IndicatorCell::Status => "status",
    }
}

/// The input name of one cell of 目標 row `row`.
pub fn indicator_input(row: usize, cell: IndicatorCell) -> String {
    format!("i{row}_{}", cell_name(cell))
}

/// The input name of 取組項目 row `row`'s text.
pub fn action_text_input(row: usize) -> String {
    format!("a{row}_text")
}

/// The input name of 取組項目 row `row`'s schedule cell for `year`.
pub fn action_cell_input(row: usize, year: FiscalYear) -> String {
    format!("a{row}_y{year}")
}

/// The input a message is shown beside.
pub fn input_name(target: Target) -> String {
    match target {
        Target::Field(field) => field.key().to_string(),
        Target::ActionText(row) => action_text_input(row),
        Target::ActionCell(row, year) => action_cell_input(row, year),
        Target::Indicator(row, cell) => indicator_input(row, cell),
        Target::Rows => "rows".to_string(),
        Target::Confirm => "confirm".to_string(),
    }
}

/// 「remove_action:2」 and the like, from the pressed button.
pub fn parse_row_op(op: &str) -> Option<RowOp> {
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

/// Reads a posted form. Inputs that were not shown (read-only fields) are
/// simply absent and read as empty; `SheetForm::apply` ignores them. The first
/// of repeated names counts.
pub fn parse(
    pairs: &[(String, String)],
    schedule_years: &[FiscalYear],
) -> Result<SheetForm, String> {
    let mut posted: HashMap<&str, &str> = HashMap::with_capacity(pairs.len());
    for (k, v) in pairs {
        posted.entry(k.as_str()).or_insert(v.as_str());
    }
    let get = |name: &str| posted.get(name).copied().unwrap_or_default().to_string();
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
    for field in Field::all() {
        form.texts.set(field, get(field.key()));
    }
    form.confirmed = get("confirm") == "1";
    for i in 0..count("action_count")? {
        form.action_items.push(ActionRow {
            text: get(&action_text_input(i)),
            cells: schedule_years
                .iter()
                .map(|y| (*y, get(&action_cell_input(i, *y))))
                .collect(),
        });
    }
    for i in 0..count("indicator_count")? {
        let key = match get(&format!("i{i}_key")).as_str() {
            "" => None,
            k => Some(
                k.parse::<IndicatorId>()
                    .map_err(|_| "目標の行の指定が正しくありません".to_string())?,
            ),
        };
        let mut row = IndicatorRow {
            key,
            ..Default::default()
        };
        for cell in IndicatorCell::ALL {
            row.set(cell, get(&indicator_input(i, cell)));
        }
        form.indicators.push(row);
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_posted_form_reads_back() {
        let content = Field::from_label("取組内容", FiscalYear(2024))
            .unwrap()
            .unwrap();
        let form = parse(
            &pairs(&[
                ("version", "3"),
                (content.key(), "内容"),
                ("action_count", "1"),
                ("a0_text", "①項目"),
                ("a0_y2024", "実施"),
                ("indicator_count", "1"),
                ("i0_key", "7"),
                ("i0_name", "指標"),
                ("i0_first_half", "３件"),
                ("i0_first_half", "ignored: the first counts"),
            ]),
            &[FiscalYear(2024), FiscalYear(2025)],
        )
        .unwrap();
        assert_eq!(form.version, 3);
        assert_eq!(form.texts.get(content), "内容");
        assert_eq!(
            form.action_items[0].cells,
            vec![
                (FiscalYear(2024), "実施".into()),
                (FiscalYear(2025), String::new())
            ]
        );
        assert_eq!(form.indicators[0].key, Some(IndicatorId(7)));
        assert_eq!(form.indicators[0].get(IndicatorCell::FirstHalf), "３件");
        assert!(parse(&pairs(&[("version", "x")]), &[]).is_err());
        assert!(
            parse(&pairs(&[("version", "1")]), &[]).is_err(),
            "no counts"
        );
    }

    #[test]
    fn row_ops_and_names() {
        assert_eq!(parse_row_op("up_action:1"), Some(RowOp::UpAction(1)));
        assert_eq!(parse_row_op("add_indicator"), Some(RowOp::AddIndicator));
        assert_eq!(parse_row_op("bogus"), None);
        assert_eq!(
            input_name(Target::Indicator(2, IndicatorCell::Target)),
            "i2_target"
        );
        assert_eq!(
            input_name(Target::ActionCell(0, FiscalYear(2024))),
            "a0_y2024"
        );
    }

    /// A name the form uses (or nearly), so generated forms reach the rows.
    fn name() -> impl Strategy<Value = String> {
        let row = 0..(MAX_ROWS + 3);
        let cells = prop::sample::select(vec![
            "name",
            "method",
            "baseline",
            "target",
            "first_half",
            "current",
            "full_year",
            "key",
        ]);
        prop_oneof![
            prop::sample::select(vec!["version", "action_count", "indicator_count", "op"])
                .prop_map(str::to_string),
            prop::sample::select(Field::all().map(|f| f.key()).collect::<Vec<_>>())
                .prop_map(str::to_string),
            (row.clone(), cells).prop_map(|(i, c)| format!("i{i}_{c}")),
            row.clone().prop_map(action_text_input),
            (row, 2020..2030).prop_map(|(i, y)| action_cell_input(i, FiscalYear(y))),
            any::<String>(),
        ]
    }

    /// Numbers in and out of range, and any text.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            (0..(MAX_ROWS as i64 + 5)).prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            Just("99999999999999999999".to_string()),
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Any posted pairs read into a form or give a message; never a panic,
        /// never more rows than the form allows.
        #[test]
        fn any_posted_form_parses_or_is_refused(
            pairs in prop::collection::vec((name(), value()), 0..60)
        ) {
            let years = [FiscalYear(2024), FiscalYear(2025)];
            match parse(&pairs, &years) {
                Ok(form) => {
                    prop_assert!(form.action_items.len() <= MAX_ROWS + 1);
                    prop_assert!(form.indicators.len() <= MAX_ROWS + 1);
                }
                Err(message) => prop_assert!(!message.is_empty()),
            }
        }
    }
}
