//! Fiscal years (年度, April–March) and their 和暦 names. 令和N年度 = FY 2018+N.

const REIWA_EPOCH: i32 = 2018;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(era_name(2024), "令和6年度");
        assert_eq!(era_name(2019), "令和元年度");
        assert_eq!(short(2025), "R7");
        assert_eq!(from_reiwa(6), 2024);
    }
}
