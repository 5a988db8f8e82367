//! What changed between two versions of a sheet, field by field: the audit
//! log's detail and the conflict page's side-by-side view.

use serde::{Deserialize, Serialize};

use super::field::Field;
use super::fiscal_year::{era_name, short, FiscalYear};
use super::sheet::{Period, SheetContent};

/// One changed field, for the audit log and the history page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The label as the sheet of that year prints it.
    pub field: String,
    pub before: String,
    pub after: String,
}

/// Every text field of the registry, then the 取組項目 and 目標 tables.
pub fn diff(old: &SheetContent, new: &SheetContent, fiscal_year: FiscalYear) -> Vec<Change> {
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
    for field in Field::all() {
        push(
            field.label(fiscal_year),
            old.texts.get(field).to_string(),
            new.texts.get(field).to_string(),
        );
    }
    push("取組項目".into(), action_items(old), action_items(new));
    push("目標".into(), indicators(old), indicators(new));
    changes
}

fn action_items(c: &SheetContent) -> String {
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
}

fn indicators(c: &SheetContent) -> String {
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
            // The direction and a 定性 status appear only once someone set
            // them, so the history of sheets that never had one reads as before.
            let direction = i
                .direction
                .map_or(String::new(), |d| format!("／方向:{}", d.label()));
            let status = if i.status.is_empty() {
                String::new()
            } else {
                format!("／定性の状況:{}", i.status)
            };
            format!(
                "{}／{}／当初値:{}／目標値:{}／{}{direction}{status}",
                i.name,
                i.method,
                i.baseline,
                i.target,
                values.join("、")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_changed_field_by_its_label() {
        let field = Field::from_label("令和6年度の効果・影響", FiscalYear(2024))
            .unwrap()
            .unwrap();
        let mut old = SheetContent::default();
        old.texts.set(field, "効果");
        let mut new = old.clone();
        new.texts.set(field, "新しい効果");
        let changes = diff(&old, &new, FiscalYear(2024));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "令和6年度の効果・影響");
        assert_eq!(
            (changes[0].before.as_str(), changes[0].after.as_str()),
            ("効果", "新しい効果")
        );
    }
}
