//! From a parsed sheet to the domain's sheet content.

use super::ParsedSheet;
use crate::domain::sheet::{ActionItem, Indicator, Period, SheetBody, SheetContent, SheetHeader};

impl ParsedSheet {
    /// The sheet's content for `fiscal_year` (the report's year). Blank cells are
    /// left out, as the database does not store them.
    pub fn to_content(&self, fiscal_year: i32) -> SheetContent {
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
                let mut values: Vec<(i32, Period, String)> = self
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
                }
            })
            .collect();
        let b = &self.body;
        SheetContent {
            header: SheetHeader {
                related_plan: self.related_plan.clone(),
                plan_years: self.plan_years.clone(),
                target_scope: self.target_scope.clone(),
                related_initiatives: self.related_initiatives.clone(),
                special_notes: self.special_notes.clone(),
            },
            action_items,
            indicators,
            body: SheetBody {
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
                hq_evaluation: b.hq_evaluation.clone(),
                hq_comment: String::new(),
                next_year: b.next_year.clone(),
            },
        }
    }
}
