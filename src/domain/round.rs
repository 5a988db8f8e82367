//! Reporting rounds: 上半期 (mid-year) and 年度末 (year-end). Which fields a
//! round lets the department write is in the field registry (`field.rs`).

use chrono::NaiveDate;

use super::coded::coded_enum;
use super::fiscal_year::{era_name, wareki_date, FiscalYear};

coded_enum! {
    /// The two reporting rounds of a fiscal year.
    pub enum RoundKind {
        FirstHalf = ("h1", "上半期"),
        YearEnd = ("year_end", "年度末"),
    }
}

coded_enum! {
    /// Whether a round accepts sheets.
    pub enum RoundStatus {
        Open = ("open", "受付中"),
        Closed = ("closed", "終了"),
    }
}

/// Why a deadline cannot be set for a round of `year`, in the user's words:
/// it must fall within the fiscal year or the two years after it ends (年度末
/// reports are written after the year closes), and not before `today`.
pub fn deadline_problem(year: FiscalYear, deadline: NaiveDate, today: NaiveDate) -> Option<String> {
    let first = NaiveDate::from_ymd_opt(year.0, 4, 1)?;
    let last = NaiveDate::from_ymd_opt(year.0 + 3, 3, 31)?;
    if deadline < first {
        Some(format!(
            "締切日は{}の始まり（{}）以降の日付にしてください",
            era_name(year),
            wareki_date(first)
        ))
    } else if deadline > last {
        Some(format!(
            "締切日は{}までの日付にしてください（年度の終わりから2年以内）",
            wareki_date(last)
        ))
    } else if deadline < today {
        Some(format!(
            "締切日に過去の日付（{}）は指定できません",
            wareki_date(deadline)
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_fall_in_or_after_their_year_and_not_in_the_past() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let fy = FiscalYear(2025);
        let today = d(2026, 11, 25);
        assert!(deadline_problem(fy, d(7, 2, 2), today).is_some());
        assert!(deadline_problem(fy, d(2025, 3, 31), today).is_some());
        assert!(deadline_problem(fy, d(2026, 10, 1), today)
            .unwrap()
            .contains("過去"));
        assert_eq!(deadline_problem(fy, d(2026, 12, 25), today), None);
        assert_eq!(deadline_problem(fy, d(2028, 3, 31), today), None);
        assert!(deadline_problem(fy, d(2028, 4, 1), today).is_some());
    }
}
