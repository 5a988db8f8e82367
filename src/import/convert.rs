//! From a parsed sheet to the domain's sheet content.

use super::ParsedSheet;
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::sheet::{ActionItem, Indicator, Period, SheetContent};

impl ParsedSheet {
    /// The sheet's content for `fiscal_year` (the report's year). Blank cells are
    /// left out, as the database does not store them.
    pub fn to_content(&self, fiscal_year: FiscalYear) -> SheetContent {
        let action_items = self
            .action_items
            .iter()
            .map(|item| ActionItem {
                text: item.text.clone(),
                schedule: self
                    .schedule_years
                    .iter()
                    .zip(&item.cells)
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(y, v)| (*y, v.clone()))
                    .collect(),
            })
            .collect();
        let indicators = self
            .indicators
            .iter()
            .map(|ind| {
                let mut values: Vec<(FiscalYear, Period, String)> = self
                    .actual_years
                    .iter()
                    .zip(&ind.actuals)
                    .map(|(y, v)| (*y, Period::FullYear, v.clone()))
                    .collect();
                values.push((fiscal_year, Period::FirstHalf, ind.half_year.clone()));
                values.push((fiscal_year, Period::Current, ind.current.clone()));
                values.retain(|(_, _, v)| !v.is_empty());
                values.sort_by_key(|(y, p, _)| (*y, *p));
                Indicator {
                    name: ind.name.clone(),
                    method: ind.method.clone(),
                    baseline: ind.baseline.clone(),
                    baseline_year: self.baseline_year,
                    target: ind.target.clone(),
                    target_year: self.target_year,
                    values,
                    // The report says nothing about direction: proposed from the numbers.
                    direction: None,
                    // Paper reports have no status list: chosen on the form.
                    status: String::new(),
                }
            })
            .collect();
        SheetContent {
            texts: self.texts.clone(),
            action_items,
            indicators,
        }
    }
}
