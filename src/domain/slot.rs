//! A writable place of the sheet form, named so that a workbook cell can say
//! which one it holds: a text field, a 取組項目 cell or a 目標 cell. The sheet
//! workbook writes one cell per slot and reads them back into a `SheetForm`,
//! so an upload goes through the same form, validation and round rules as the
//! browser.

use super::field::{ChoiceList, Field, Input, Part};
use super::fiscal_year::{era_name, FiscalYear};
use super::form::{IndicatorCell, SheetForm};
use super::round::RoundKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Text(Field),
    /// The 項目 text of the n-th 取組項目 row (0-based).
    ItemText(usize),
    /// The n-th 取組項目 row's cell for a plan year.
    ItemCell(usize, FiscalYear),
    /// A cell of the n-th 目標 row.
    Indicator(usize, IndicatorCell),
}

const CELL_CODES: [(IndicatorCell, &str); 8] = [
    (IndicatorCell::Name, "name"),
    (IndicatorCell::Method, "method"),
    (IndicatorCell::Baseline, "baseline"),
    (IndicatorCell::Target, "target"),
    (IndicatorCell::FirstHalf, "h1"),
    (IndicatorCell::Current, "current"),
    (IndicatorCell::FullYear, "year"),
    (IndicatorCell::Status, "status"),
];

impl Slot {
    /// A stable text name: 「text:h1_progress」「item:0」「item:0:2025」「ind:1:h1」.
    pub fn code(self) -> String {
        match self {
            Slot::Text(f) => format!("text:{}", f.key()),
            Slot::ItemText(i) => format!("item:{i}"),
            Slot::ItemCell(i, y) => format!("item:{i}:{y}"),
            Slot::Indicator(i, c) => {
                let code = CELL_CODES
                    .iter()
                    .find(|(cell, _)| *cell == c)
                    .map_or("", |(_, code)| code);
                format!("ind:{i}:{code}")
            }
        }
    }

    pub fn parse(code: &str) -> Option<Slot> {
        let parts: Vec<&str> = code.split(':').collect();
        match parts.as_slice() {
            ["text", key] => Field::from_key(key).map(Slot::Text),
            ["item", i] => Some(Slot::ItemText(i.parse().ok()?)),
            ["item", i, y] => Some(Slot::ItemCell(i.parse().ok()?, FiscalYear(y.parse().ok()?))),
            ["ind", i, c] => {
                let cell = CELL_CODES.iter().find(|(_, code)| code == c)?.0;
                Some(Slot::Indicator(i.parse().ok()?, cell))
            }
            _ => None,
        }
    }

    /// Whether the department may write it in `round`.
    pub fn writable(self, round: RoundKind) -> bool {
        match self {
            Slot::Text(f) => f.department_writes_in(round),
            Slot::ItemText(_) | Slot::ItemCell(..) => Part::ActionItems.department_writes_in(round),
            Slot::Indicator(_, c) => c.part().department_writes_in(round),
        }
    }

    /// The dropdown list its cell offers, if any.
    pub fn choices(self) -> Option<ChoiceList> {
        match self {
            Slot::Text(f) => match f.def().input {
                Input::Choice(list) => Some(list),
                Input::Text(_) => None,
            },
            Slot::ItemText(_) => None,
            Slot::ItemCell(..) => Some(ChoiceList::Schedule),
            Slot::Indicator(_, IndicatorCell::Method) => Some(ChoiceList::Method),
            Slot::Indicator(_, IndicatorCell::Status) => Some(ChoiceList::QualitativeStatus),
            Slot::Indicator(..) => None,
        }
    }

    /// How a person names it: 「令和7年度上半期の取組」「取組項目2 令和8年度」「目標1 現況値」.
    pub fn label(self, fiscal_year: FiscalYear) -> String {
        match self {
            Slot::Text(f) => f.label(fiscal_year),
            Slot::ItemText(i) => format!("取組項目{} 項目", i + 1),
            Slot::ItemCell(i, y) => format!("取組項目{} {}", i + 1, era_name(y)),
            Slot::Indicator(i, c) => format!("目標{} {}", i + 1, c.label()),
        }
    }

    /// Its value on the form ("" when the form has no such row).
    pub fn get(self, form: &SheetForm) -> &str {
        match self {
            Slot::Text(f) => form.texts.get(f),
            Slot::ItemText(i) => form.action_items.get(i).map_or("", |r| r.text.as_str()),
            Slot::ItemCell(i, y) => form
                .action_items
                .get(i)
                .and_then(|r| r.cells.iter().find(|(cy, _)| *cy == y))
                .map_or("", |(_, v)| v.as_str()),
            Slot::Indicator(i, c) => form.indicators.get(i).map_or("", |r| r.get(c)),
        }
    }

    /// Sets its value on the form; false when the form has no such row.
    pub fn set(self, form: &mut SheetForm, value: &str) -> bool {
        match self {
            Slot::Text(f) => {
                form.texts.set(f, value);
                true
            }
            Slot::ItemText(i) => match form.action_items.get_mut(i) {
                Some(r) => {
                    r.text = value.to_string();
                    true
                }
                None => false,
            },
            Slot::ItemCell(i, y) => {
                let Some(cell) = form
                    .action_items
                    .get_mut(i)
                    .and_then(|r| r.cells.iter_mut().find(|(cy, _)| *cy == y))
                else {
                    return false;
                };
                cell.1 = value.to_string();
                true
            }
            Slot::Indicator(i, c) => match form.indicators.get_mut(i) {
                Some(r) => {
                    r.set(c, value);
                    true
                }
                None => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        let f = Field::all().next().unwrap_or_else(|| unreachable!());
        for slot in [
            Slot::Text(f),
            Slot::ItemText(3),
            Slot::ItemCell(0, FiscalYear(2025)),
            Slot::Indicator(2, IndicatorCell::Current),
            Slot::Indicator(0, IndicatorCell::FirstHalf),
        ] {
            assert_eq!(Slot::parse(&slot.code()), Some(slot));
        }
        assert_eq!(Slot::parse("text:nope"), None);
        assert_eq!(Slot::parse("ind:1:zz"), None);
    }
}
