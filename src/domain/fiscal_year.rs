//! Fiscal years (年度, April–March) and their 和暦 names: all 和暦 arithmetic in
//! one place. 令和N年度 = FY 2018+N.

const REIWA_EPOCH: i32 = 2018;
const HEISEI_EPOCH: i32 = 1988;

/// 「令和6年度」 for 2024; 「令和元年度」 for 2019.
pub fn era_name(fiscal_year: i32) -> String {
    match fiscal_year - REIWA_EPOCH {
        1 => "令和元年度".to_string(),
        n => format!("令和{n}年度"),
    }
}

/// The short form used in column headers: 「R6」.
pub fn short(fiscal_year: i32) -> String {
    format!("R{}", fiscal_year - REIWA_EPOCH)
}

/// 令和N → fiscal year.
pub fn from_reiwa(n: i32) -> i32 {
    n + REIWA_EPOCH
}

/// The end of a fiscal year as a report's cover dates it: 「令和7年3月末」 for
/// FY2024 (March 2019 was still 平成).
pub fn year_end_label(fiscal_year: i32) -> String {
    let calendar_year = fiscal_year + 1;
    match calendar_year - REIWA_EPOCH {
        n if n < 2 => format!("平成{}年3月末", calendar_year - HEISEI_EPOCH),
        n => format!("令和{n}年3月末"),
    }
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
fn reiwa_number(rest: &str) -> Option<(i32, &str)> {
    let (n, rest) = match rest.strip_prefix('元') {
        Some(rest) => (1, rest),
        None => leading_int(rest)?,
    };
    Some((from_reiwa(n), rest))
}

/// 「令和6年度…」 → (2024, 「…」); 令和元年度 too. Expects whitespace already removed.
pub fn split_era_year(s: &str) -> Option<(i32, &str)> {
    let (year, rest) = reiwa_number(s.strip_prefix("令和")?)?;
    Some((year, rest.strip_prefix("年度")?))
}

/// A year as written in a column heading: 「R4」「Ｒ４」「令和4年度」「令和元年度」.
pub fn year_token(s: &str) -> Option<i32> {
    if let Some(rest) = s.strip_prefix('R').or_else(|| s.strip_prefix('Ｒ')) {
        let (n, rest) = leading_int(rest)?;
        return rest.is_empty().then_some(from_reiwa(n));
    }
    let (year, rest) = reiwa_number(s.strip_prefix("令和")?)?;
    (rest.is_empty() || rest == "年度").then_some(year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(era_name(2024), "令和6年度");
        assert_eq!(era_name(2019), "令和元年度");
        assert_eq!(short(2025), "R7");
        assert_eq!(from_reiwa(6), 2024);
        assert_eq!(year_end_label(2024), "令和7年3月末");
        assert_eq!(year_end_label(2019), "令和2年3月末");
        assert_eq!(year_end_label(2018), "平成31年3月末");
    }

    #[test]
    fn reading_years() {
        assert_eq!(split_era_year("令和6年度の課題"), Some((2024, "の課題")));
        assert_eq!(split_era_year("令和元年度実績"), Some((2019, "実績")));
        assert_eq!(split_era_year("令和６年度"), Some((2024, "")));
        assert_eq!(split_era_year("平成6年度"), None);
        assert_eq!(year_token("R4"), Some(2022));
        assert_eq!(year_token("Ｒ４"), Some(2022));
        assert_eq!(year_token("令和元年度"), Some(2019));
        assert_eq!(year_token("R4x"), None);
        assert_eq!(parse_int("１２"), Some(12));
        assert_eq!(leading_int("12年"), Some((12, "年")));
    }
}
