//! Fiscal years (年度, April–March) and their 和暦 names: all 和暦 arithmetic in
//! one place. 令和N年度 = FY 2018+N.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

const REIWA_EPOCH: i32 = 2018;
const HEISEI_EPOCH: i32 = 1988;

/// A fiscal year by the calendar year it starts in (FY2024 = 令和6年度, April
/// 2024 to March 2025). Shown as 和暦; stored and put in URLs as the number.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Integer)]
#[serde(transparent)]
pub struct FiscalYear(pub i32);

impl FiscalYear {
    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }

    pub fn prev(self) -> Self {
        Self(self.0 - 1)
    }

    /// The fiscal year a date falls in (April to March).
    pub fn containing(date: chrono::NaiveDate) -> Self {
        use chrono::Datelike;
        Self(if date.month() >= 4 {
            date.year()
        } else {
            date.year() - 1
        })
    }

    /// `first` to `last`, both included.
    pub fn span(first: Self, last: Self) -> impl DoubleEndedIterator<Item = Self> + Clone {
        (first.0..=last.0).map(Self)
    }

    /// `first` up to the year before `end`.
    pub fn until(first: Self, end: Self) -> impl DoubleEndedIterator<Item = Self> + Clone {
        (first.0..end.0).map(Self)
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for FiscalYear {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Self)
    }
}

/// 「令和6年度」 for 2024; 「令和元年度」 for 2019.
pub fn era_name(fiscal_year: FiscalYear) -> String {
    match fiscal_year.0 - REIWA_EPOCH {
        1 => "令和元年度".to_string(),
        n => format!("令和{n}年度"),
    }
}

/// A year on a chart's axis: 「令和6」 (「令和元」 for 2019).
pub fn axis_label(fiscal_year: FiscalYear) -> String {
    era_name(fiscal_year).trim_end_matches("年度").to_string()
}

/// The short form used in column headers: 「R6」.
pub fn short(fiscal_year: FiscalYear) -> String {
    format!("R{}", fiscal_year.0 - REIWA_EPOCH)
}

/// 令和N → fiscal year.
pub fn from_reiwa(n: i32) -> FiscalYear {
    FiscalYear(n + REIWA_EPOCH)
}

/// The end of a fiscal year as a report's cover dates it: 「令和7年3月末」 for
/// FY2024 (March 2019 was still 平成).
pub fn year_end_label(fiscal_year: FiscalYear) -> String {
    let calendar_year = fiscal_year.0 + 1;
    match calendar_year - REIWA_EPOCH {
        n if n < 2 => format!("平成{}年3月末", calendar_year - HEISEI_EPOCH),
        n => format!("令和{n}年3月末"),
    }
}

/// A calendar date as officials write it: 「令和8年12月25日」, 「令和元年5月1日」
/// (令和 from 1 May 2019, 平成 from 8 January 1989, Western before). The one
/// place dates become 和暦.
pub fn wareki_date(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let (y, m, d) = (date.year(), date.month(), date.day());
    let (era, n) = if (y, m, d) >= (2019, 5, 1) {
        ("令和", y - REIWA_EPOCH)
    } else if (y, m, d) >= (1989, 1, 8) {
        ("平成", y - HEISEI_EPOCH)
    } else {
        return date.format("%Y年%-m月%-d日").to_string();
    };
    let n = if n == 1 {
        "元".to_string()
    } else {
        n.to_string()
    };
    format!("{era}{n}年{m}月{d}日")
}

/// A moment as officials write it: 「令和8年11月25日 17:59」.
pub fn wareki_datetime(at: chrono::NaiveDateTime) -> String {
    format!("{} {}", wareki_date(at.date()), at.format("%H:%M"))
}

/// A digit in half or full width.
pub fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// A whole number in half- or full-width digits, nothing else.
pub fn parse_int(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 6 {
        return None;
    }
    s.chars()
        .try_fold(0i32, |n, c| digit(c).map(|d| n * 10 + d as i32))
}

/// Digits at the start of `s` and the rest.
pub fn leading_int(s: &str) -> Option<(i32, &str)> {
    let end = s
        .char_indices()
        .find(|&(_, c)| digit(c).is_none())
        .map_or(s.len(), |(i, _)| i);
    Some((parse_int(s.get(..end)?)?, s.get(end..)?))
}

/// 「6年…」 or 「元年…」 after 「令和」 → (fiscal year, rest after the number).
fn reiwa_number(rest: &str) -> Option<(FiscalYear, &str)> {
    let (n, rest) = match rest.strip_prefix('元') {
        Some(rest) => (1, rest),
        None => leading_int(rest)?,
    };
    Some((from_reiwa(n), rest))
}

/// 「令和6年度…」 → (2024, 「…」); 令和元年度 too. Expects whitespace already removed.
pub fn split_era_year(s: &str) -> Option<(FiscalYear, &str)> {
    let (year, rest) = reiwa_number(s.strip_prefix("令和")?)?;
    Some((year, rest.strip_prefix("年度")?))
}

/// A year as written in a column heading: 「R4」「Ｒ４」「令和4年度」「令和元年度」.
pub fn year_token(s: &str) -> Option<FiscalYear> {
    if let Some(rest) = s.strip_prefix('R').or_else(|| s.strip_prefix('Ｒ')) {
        let (n, rest) = leading_int(rest)?;
        return rest.is_empty().then_some(from_reiwa(n));
    }
    let (year, rest) = reiwa_number(s.strip_prefix("令和")?)?;
    (rest.is_empty() || rest == "年度").then_some(year)
}

/// A fiscal year as people write it in a cell: 「令和4年度」「R4」「2022」
/// 「2022年度」, in half- or full-width digits, spaces ignored.
pub fn year_written(s: &str) -> Option<FiscalYear> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(year) = year_token(&s) {
        return Some(year);
    }
    let digits = s.strip_suffix("年度").unwrap_or(&s);
    parse_int(digits)
        .filter(|n| (1989..=2200).contains(n))
        .map(FiscalYear)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let fy = FiscalYear;
        assert_eq!(era_name(fy(2024)), "令和6年度");
        assert_eq!(era_name(fy(2019)), "令和元年度");
        assert_eq!(short(fy(2025)), "R7");
        assert_eq!(from_reiwa(6), fy(2024));
        assert_eq!(year_end_label(fy(2024)), "令和7年3月末");
        assert_eq!(year_end_label(fy(2019)), "令和2年3月末");
        assert_eq!(year_end_label(fy(2018)), "平成31年3月末");
        let at = |y, m, d| {
            chrono::NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(9, 5, 0)
                .unwrap()
        };
        assert_eq!(wareki_datetime(at(2025, 1, 5)), "令和7年1月5日 09:05");
        assert_eq!(wareki_datetime(at(2019, 5, 1)), "令和元年5月1日 09:05");
        assert_eq!(wareki_datetime(at(2019, 4, 30)), "平成31年4月30日 09:05");
    }

    #[test]
    fn dates_in_wareki() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(wareki_date(d(2026, 12, 25)), "令和8年12月25日");
        assert_eq!(wareki_date(d(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(wareki_date(d(2019, 4, 30)), "平成31年4月30日");
        let at = d(2026, 11, 25).and_hms_opt(17, 59, 32).unwrap();
        assert_eq!(wareki_datetime(at), "令和8年11月25日 17:59");
    }

    #[test]
    fn reading_years() {
        let fy = FiscalYear;
        assert_eq!(
            split_era_year("令和6年度の課題"),
            Some((fy(2024), "の課題"))
        );
        assert_eq!(split_era_year("令和元年度実績"), Some((fy(2019), "実績")));
        assert_eq!(split_era_year("令和６年度"), Some((fy(2024), "")));
        assert_eq!(split_era_year("平成6年度"), None);
        assert_eq!(year_token("R4"), Some(fy(2022)));
        assert_eq!(year_token("Ｒ４"), Some(fy(2022)));
        assert_eq!(year_token("令和元年度"), Some(fy(2019)));
        assert_eq!(year_token("R4x"), None);
        assert_eq!(parse_int("１２"), Some(12));
        assert_eq!(leading_int("12年"), Some((12, "年")));
        for written in [
            "令和4年度",
            "R4",
            "2022",
            "2022年度",
            "２０２２",
            " 令和４年度 ",
        ] {
            assert_eq!(year_written(written), Some(fy(2022)), "{written}");
        }
        assert_eq!(year_written("22"), None);
    }
}
