//! Property tests of the report reader: whatever a file holds, it is read or
//! refused with a message and a line; it never panics.

use proptest::prelude::*;

use super::report_text::{parse_report, parse_report_bytes};

const SEED: &str = include_str!("../../tests/fixtures/kofu_r6_report.txt");

/// One change to the seed report, as a person editing the export might make.
#[derive(Debug, Clone)]
enum Edit {
    Remove(usize),
    Duplicate(usize),
    Replace(usize, String),
    Swap(usize, usize),
    /// Cuts the line short after this many characters.
    Truncate(usize, usize),
    /// Adds a cell (tab-separated) to the line.
    AddCell(usize, String),
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        // Cells and labels the reader looks for, mixed with numbers.
        prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec![
                    "取組事業点検・評価票",
                    "## 取組事業一覧",
                    "No.",
                    "推進項目",
                    "令和6年度",
                    "R6実績",
                    "目標",
                    "指標名",
                    "定量",
                    "\t",
                    "**",
                    "（",
                    "）",
                    "１２",
                    "-",
                ])
                .prop_map(str::to_string),
                any::<i32>().prop_map(|n| n.to_string()),
            ],
            0..6,
        )
        .prop_map(|cells| cells.join("\t")),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    let line = 0..400usize;
    prop_oneof![
        line.clone().prop_map(Edit::Remove),
        line.clone().prop_map(Edit::Duplicate),
        (line.clone(), text()).prop_map(|(i, t)| Edit::Replace(i, t)),
        (line.clone(), line.clone()).prop_map(|(a, b)| Edit::Swap(a, b)),
        (line.clone(), 0..40usize).prop_map(|(i, n)| Edit::Truncate(i, n)),
        (line, text()).prop_map(|(i, t)| Edit::AddCell(i, t)),
    ]
}

fn apply(edits: &[Edit]) -> String {
    let mut lines: Vec<String> = SEED.split('\n').map(str::to_string).collect();
    for edit in edits {
        let n = lines.len().max(1);
        match edit {
            Edit::Remove(i) if *i < lines.len() => {
                lines.remove(*i);
            }
            Edit::Duplicate(i) if *i < lines.len() => lines.insert(*i, lines[*i].clone()),
            Edit::Replace(i, t) if *i < lines.len() => lines[*i] = t.clone(),
            Edit::Swap(a, b) if *a < lines.len() && *b < lines.len() => lines.swap(*a, *b),
            Edit::Truncate(i, keep) if *i < lines.len() => {
                lines[*i] = lines[*i].chars().take(*keep).collect();
            }
            Edit::AddCell(i, t) => {
                let i = i % n;
                if let Some(line) = lines.get_mut(i) {
                    line.push('\t');
                    line.push_str(t);
                }
            }
            _ => {}
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The seed report with a few edits: read, or refused with a message.
    #[test]
    fn an_edited_report_is_read_or_refused(edits in prop::collection::vec(edit(), 1..6)) {
        if let Err(e) = parse_report(&apply(&edits)) {
            prop_assert!(!e.message.is_empty());
            prop_assert!(e.line >= 1);
        }
    }

    /// Any text at all, and any bytes as uploaded.
    #[test]
    fn any_text_or_bytes_are_read_or_refused(
        text in text(),
        bytes in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        if let Err(e) = parse_report(&text) {
            prop_assert!(!e.message.is_empty());
        }
        if let Err(e) = parse_report_bytes(&bytes) {
            prop_assert!(!e.message.is_empty());
        }
    }
}
