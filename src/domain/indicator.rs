//! What an indicator's numbers mean: its direction, its 達成率 by the plan's
//! rule, the rating band it falls in, and how alike two years' texts are.
//! Pure functions over the values as written; a value that does not read as a
//! number, or whose unit differs from the others, gets no figure but a reason
//! HQ must look at (never a silently wrong number).

use super::coded::coded_enum;
use super::fiscal_year::FiscalYear;
use super::measure::{parse_measure, Measure};
use super::sheet::{Indicator, Period};

coded_enum! {
    /// Which way an indicator should move.
    pub enum Direction {
        /// Higher is better.
        Increase = ("increase", "増加"),
        /// Lower is better.
        Decrease = ("decrease", "減少"),
        /// Keep the level.
        Maintain = ("maintain", "維持"),
        /// Not a number: status from a choice list.
        Qualitative = ("qualitative", "定性"),
    }
}

impl Direction {
    /// An arrow that reads in black-and-white print.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::Increase => "↑",
            Direction::Decrease => "↓",
            Direction::Maintain => "→",
            Direction::Qualitative => "",
        }
    }
}

coded_enum! {
    /// How a plan computes 達成率 (HQ chooses per plan).
    pub enum Rule {
        /// (実績 − 当初値) ÷ (目標値 − 当初値) × 100; ratio to target without a baseline.
        Progress = ("progress", "当初値から目標値への進捗（既定）"),
        /// 実績 ÷ 目標値 × 100 (増加), 目標値 ÷ 実績 × 100 (減少).
        Ratio = ("ratio", "目標値に対する比率"),
        /// Progress toward the year's share of the target, spread evenly from
        /// the baseline year to the target year (as 多摩市 does).
        ProRata = ("pro_rata", "年度ごとの按分目標に対する進捗"),
    }
}

/// The 評価方法 that marks a qualitative indicator.
pub const QUALITATIVE_METHOD: &str = "定性";

/// An indicator cell read for computing.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    /// Nothing written, or only a dash (「-」「－」「—」).
    Blank,
    Number(Measure),
    /// Written, but not one clear number (「211,94㎡」「順調」).
    Unreadable,
}

pub fn read(text: &str) -> Reading {
    let t = text.trim();
    if t.chars()
        .all(|c| matches!(c, '-' | '－' | '—' | '―' | '‐' | '−' | 'ー'))
    {
        return Reading::Blank;
    }
    parse_measure(t).map_or(Reading::Unreadable, Reading::Number)
}

/// The direction the numbers suggest: target below baseline → 減少, above →
/// 増加, equal → 維持; without a baseline a count is expected to grow (増加).
pub fn propose_direction(method: &str, baseline: &str, target: &str) -> Direction {
    if method.trim() == QUALITATIVE_METHOD {
        return Direction::Qualitative;
    }
    match (read(baseline), read(target)) {
        (Reading::Number(b), Reading::Number(t)) if b.unit == t.unit => {
            match t.number.partial_cmp(&b.number) {
                Some(std::cmp::Ordering::Less) => Direction::Decrease,
                Some(std::cmp::Ordering::Equal) => Direction::Maintain,
                _ => Direction::Increase,
            }
        }
        (_, Reading::Unreadable) => Direction::Qualitative,
        _ => Direction::Increase,
    }
}

/// The direction in force: the one set by a person, else the proposal.
pub fn direction_of(ind: &Indicator) -> (Direction, bool) {
    match ind.direction {
        Some(d) => (d, false),
        None => (
            propose_direction(&ind.method, &ind.baseline, &ind.target),
            true,
        ),
    }
}

/// The latest actual of `year`: 現況値, else the 通年 actual, else the 上半期 actual.
pub fn latest_actual(ind: &Indicator, year: FiscalYear) -> Option<(Period, &str)> {
    [Period::Current, Period::FullYear, Period::FirstHalf]
        .into_iter()
        .map(|p| (p, ind.value(year, p)))
        .find(|(_, v)| !v.trim().is_empty())
}

/// Why an indicator gets no figure: shown beside 「数値を確認してください」.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    ActualUnreadable,
    TargetUnreadable,
    BaselineUnreadable,
    UnitsDiffer,
    /// The rule divides by it.
    TargetNotPositive,
    ActualNotPositive,
    BaselineEqualsTarget,
    /// Pro-rata needs the baseline and its year before the target year.
    NoBaselineYear,
}

impl Check {
    pub fn reason(self) -> &'static str {
        match self {
            Check::ActualUnreadable => "実績が数値として読めません",
            Check::TargetUnreadable => "目標値が数値として読めません",
            Check::BaselineUnreadable => "当初値が数値として読めません",
            Check::UnitsDiffer => "当初値・実績・目標値の単位が異なります",
            Check::TargetNotPositive => "目標値が0以下のため比率を計算できません",
            Check::ActualNotPositive => "実績が0以下のため比率を計算できません",
            Check::BaselineEqualsTarget => "当初値と目標値が同じため進捗を計算できません",
            Check::NoBaselineYear => "按分には当初値とその年度が必要です",
        }
    }
}

/// What the 目標 row says about the year.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// 達成率 in percent (not rounded; shown with one decimal).
    Percent(f64),
    /// A qualitative indicator's status as written (from its choice list).
    Status(String),
    /// No actual written for the year yet.
    NoActual,
    NeedsCheck(Check),
}

/// The figures a rule needs, all read from the texts.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub direction: Direction,
    pub baseline: &'a str,
    pub baseline_year: Option<FiscalYear>,
    pub target: &'a str,
    pub target_year: FiscalYear,
    pub actual: &'a str,
    pub year: FiscalYear,
    /// A 定性 indicator's chosen status for the year ("" = not chosen).
    pub status: &'a str,
}

/// 達成率 of one indicator for one year by `rule`; a 定性 indicator's status
/// is the one chosen from its list, else its actual as written.
pub fn achievement(rule: Rule, i: Inputs<'_>) -> Outcome {
    if i.direction == Direction::Qualitative && !i.status.trim().is_empty() {
        return Outcome::Status(i.status.trim().to_string());
    }
    if i.actual.trim().is_empty() {
        return Outcome::NoActual;
    }
    if i.direction == Direction::Qualitative {
        return Outcome::Status(i.actual.trim().to_string());
    }
    match compute(rule, i) {
        Ok(p) => Outcome::Percent(p),
        Err(c) => Outcome::NeedsCheck(c),
    }
}

fn compute(rule: Rule, i: Inputs<'_>) -> Result<f64, Check> {
    let actual = match read(i.actual) {
        Reading::Number(m) => m,
        _ => return Err(Check::ActualUnreadable),
    };
    let target = match read(i.target) {
        Reading::Number(m) => m,
        _ => return Err(Check::TargetUnreadable),
    };
    let baseline = match read(i.baseline) {
        Reading::Number(m) => Some(m),
        Reading::Blank => None,
        Reading::Unreadable => return Err(Check::BaselineUnreadable),
    };
    let units_agree =
        actual.unit == target.unit && baseline.as_ref().is_none_or(|b| b.unit == target.unit);
    if !units_agree {
        return Err(Check::UnitsDiffer);
    }
    let (a, t) = (actual.number, target.number);
    match (rule, baseline) {
        (Rule::Ratio, _) | (Rule::Progress, None) => ratio(i.direction, a, t),
        (Rule::Progress, Some(b)) => progress(i.direction, a, b.number, t),
        (Rule::ProRata, None) => Err(Check::NoBaselineYear),
        (Rule::ProRata, Some(b)) => {
            let by = i.baseline_year.ok_or(Check::NoBaselineYear)?;
            let span = i.target_year.0 - by.0;
            if span <= 0 {
                return Err(Check::NoBaselineYear);
            }
            let elapsed = (i.year.0 - by.0).clamp(0, span);
            let year_target = b.number + (t - b.number) * f64::from(elapsed) / f64::from(span);
            progress(i.direction, a, b.number, year_target)
        }
    }
}

/// Share of the way from baseline to target; direction-aware only where the
/// way has no length (維持).
fn progress(direction: Direction, a: f64, b: f64, t: f64) -> Result<f64, Check> {
    if (t - b).abs() < f64::EPSILON {
        return if direction == Direction::Maintain {
            ratio(direction, a, t)
        } else {
            Err(Check::BaselineEqualsTarget)
        };
    }
    Ok((a - b) / (t - b) * 100.0)
}

/// Ratio to target: 増加 a ÷ t, 減少 t ÷ a, 維持 how close a is to t.
fn ratio(direction: Direction, a: f64, t: f64) -> Result<f64, Check> {
    if t <= 0.0 {
        return Err(Check::TargetNotPositive);
    }
    match direction {
        Direction::Decrease if a <= 0.0 => Err(Check::ActualNotPositive),
        Direction::Decrease => Ok(t / a * 100.0),
        Direction::Maintain if a <= 0.0 => Err(Check::ActualNotPositive),
        Direction::Maintain => Ok(a.min(t) / a.max(t) * 100.0),
        _ => Ok(a / t * 100.0),
    }
}

/// 「23.1%」: one decimal, a negative figure shown as such.
pub fn percent_label(p: f64) -> String {
    let rounded = (p * 10.0).round() / 10.0;
    // Avoid 「-0.0%」.
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded:.1}%")
}

/// One rating band: at or above `min` percent (the lowest band has none).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub label: String,
    /// Printed beside the label so black-and-white print still tells bands apart.
    pub symbol: String,
    /// 「#1b7f3b」
    pub colour: String,
    pub min: Option<f64>,
}

/// A ≥ 100%, B ≥ 80%, C ≥ 50%, D below: the bands a new plan starts with.
pub fn default_bands() -> Vec<Band> {
    let band = |label: &str, symbol: &str, colour: &str, min| Band {
        label: label.into(),
        symbol: symbol.into(),
        colour: colour.into(),
        min,
    };
    vec![
        band("A", "◎", "#1b7f3b", Some(100.0)),
        band("B", "○", "#2f6db5", Some(80.0)),
        band("C", "△", "#b7791f", Some(50.0)),
        band("D", "×", "#b42318", None),
    ]
}

/// The band `percent` falls in: the one with the highest `min` not above it,
/// else the band without a minimum.
pub fn band_for(bands: &[Band], percent: f64) -> Option<&Band> {
    bands
        .iter()
        .filter(|b| b.min.is_some_and(|m| percent >= m))
        .max_by(|x, y| {
            x.min
                .partial_cmp(&y.min)
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .or_else(|| bands.iter().find(|b| b.min.is_none()))
}

/// Problems with bands as HQ typed them, in Japanese; empty when they are usable.
pub fn band_problems(bands: &[Band]) -> Vec<String> {
    let mut problems = Vec::new();
    if bands.is_empty() {
        problems.push("評価区分を1つ以上入力してください".to_string());
    }
    for (n, b) in bands.iter().enumerate() {
        let row = n + 1;
        if b.label.trim().is_empty() || b.label.chars().count() > 10 {
            problems.push(format!("{row}行目: 区分名は1〜10文字で入力してください"));
        }
        if b.symbol.trim().is_empty() || b.symbol.chars().count() > 3 {
            problems.push(format!(
                "{row}行目: 記号は1〜3文字で入力してください（白黒印刷で区別するため必須です）"
            ));
        }
        if !is_colour(&b.colour) {
            problems.push(format!("{row}行目: 色は #1b7f3b の形で入力してください"));
        }
    }
    if bands.iter().filter(|b| b.min.is_none()).count() > 1 {
        problems.push("下限なしの区分は1つだけにしてください".to_string());
    }
    let mut mins: Vec<f64> = bands.iter().filter_map(|b| b.min).collect();
    mins.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    if mins.windows(2).any(|w| w[0] == w[1]) {
        problems.push("同じ下限の区分が2つあります".to_string());
    }
    problems
}

fn is_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// How alike last year's and this year's text of a field are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Likeness {
    /// Equal ignoring whitespace: 「前年度と同じ」.
    Same,
    /// At least 90% alike character by character: 「前年度とほぼ同じ」.
    Nearly,
}

impl Likeness {
    pub fn label(self) -> &'static str {
        match self {
            Likeness::Same => "前年度と同じ",
            Likeness::Nearly => "前年度とほぼ同じ",
        }
    }
}

/// Percent of characters that must survive (1 − edit distance ÷ longer length).
pub const NEARLY_SAME_PERCENT: usize = 90;

/// Whether `now` repeats `before`. Empty texts are never marked.
pub fn likeness(before: &str, now: &str) -> Option<Likeness> {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<Vec<_>>();
    let (a, b) = (squash(before), squash(now));
    if a.is_empty() || b.is_empty() {
        return None;
    }
    if a == b {
        return Some(Likeness::Same);
    }
    let longer = a.len().max(b.len());
    // Edits allowed while still ≥ 90% alike (integers: no rounding surprises).
    let limit = longer * (100 - NEARLY_SAME_PERCENT) / 100;
    bounded_levenshtein(&a, &b, limit).map(|_| Likeness::Nearly)
}

/// Levenshtein distance if it is at most `limit` (computed in a diagonal band
/// of width 2·limit+1, so long texts stay cheap), else None.
fn bounded_levenshtein(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let inf = usize::MAX / 2;
    let mut prev: Vec<usize> = (0..=b.len())
        .map(|j| if j <= limit { j } else { inf })
        .collect();
    let mut cur = vec![inf; b.len() + 1];
    for i in 1..=a.len() {
        let lo = i.saturating_sub(limit).max(1);
        let hi = (i + limit).min(b.len());
        cur.fill(inf);
        if i <= limit {
            cur[0] = i;
        }
        let mut row_min = cur[0];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let v = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= limit).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs<'a>(
        direction: Direction,
        baseline: &'a str,
        target: &'a str,
        actual: &'a str,
    ) -> Inputs<'a> {
        Inputs {
            direction,
            baseline,
            baseline_year: Some(FiscalYear(2020)),
            target,
            target_year: FiscalYear(2025),
            actual,
            year: FiscalYear(2024),
            status: "",
        }
    }

    #[test]
    fn a_chosen_status_is_a_qualitative_indicators_outcome() {
        let with = |status, actual| Inputs {
            status,
            ..inputs(Direction::Qualitative, "—", "実施", actual)
        };
        assert_eq!(
            label(Rule::Progress, with("概ね達成", "")),
            "status 概ね達成"
        );
        assert_eq!(
            label(Rule::Progress, with("達成", "研修を実施")),
            "status 達成"
        );
        assert_eq!(label(Rule::Progress, with("", "")), "none");
        // A quantitative indicator ignores a status left from a method change.
        let q = Inputs {
            status: "達成",
            ..inputs(Direction::Increase, "10件", "20件", "15件")
        };
        assert_eq!(label(Rule::Progress, q), "50.0%");
    }

    fn label(rule: Rule, i: Inputs<'_>) -> String {
        match achievement(rule, i) {
            Outcome::Percent(p) => percent_label(p),
            Outcome::Status(s) => format!("status {s}"),
            Outcome::NoActual => "none".into(),
            Outcome::NeedsCheck(c) => format!("check {c:?}"),
        }
    }

    /// Hand-computed: each row is rule, direction, 当初値, 目標値, 実績, expected.
    #[test]
    fn rules_table() {
        use Direction::*;
        use Rule::*;
        let table: &[(Rule, Direction, &str, &str, &str, &str)] = &[
            // (12.2 − 12.8) ÷ (10.2 − 12.8) = −0.6 ÷ −2.6 = 0.2308
            (
                Progress,
                Decrease,
                "月12.8時間",
                "月10.2時間",
                "月12.2時間",
                "23.1%",
            ),
            // (11.2 − 8.6) ÷ (12 − 8.6) = 2.6 ÷ 3.4 = 0.7647
            (Progress, Increase, "8.6日", "12日", "11.2日", "76.5%"),
            // A 減少 indicator that rose: (12 − 8) ÷ (0 − 8) = −0.5
            (Progress, Decrease, "8箇所", "0箇所", "12箇所", "-50.0%"),
            // (43 − 40) ÷ (51 − 40) = 0.2727
            (Progress, Increase, "40手続", "51手続", "43手続", "27.3%"),
            // Past the target: (200 − 84) ÷ (190 − 84) = 116 ÷ 106 = 1.0943
            (Progress, Increase, "84", "190", "200", "109.4%"),
            // No baseline: 増加 15 ÷ 22, 減少 10 ÷ 12.5
            (Progress, Increase, "－", "22件", "15件", "68.2%"),
            (Progress, Decrease, "-", "10件", "12.5件", "80.0%"),
            // Ratio: 12.2 → 10.2 ÷ 12.2 = 0.8361; 11.2 ÷ 12 = 0.9333
            (
                Ratio,
                Decrease,
                "月12.8時間",
                "月10.2時間",
                "月12.2時間",
                "83.6%",
            ),
            (Ratio, Increase, "8.6日", "12日", "11.2日", "93.3%"),
            // 維持: the nearer to the level the better, 95 vs 100 → 95%
            (Ratio, Maintain, "100件", "100件", "95件", "95.0%"),
            (Progress, Maintain, "100件", "100件", "95件", "95.0%"),
            // Pro-rata from R2 (2020) to R7 (2025), year R6 (2024): 4 of 5
            // years, year target 12.8 − 2.6 × 0.8 = 10.72; (12.2 − 12.8) ÷
            // (10.72 − 12.8) = 0.2885
            (
                ProRata,
                Decrease,
                "月12.8時間",
                "月10.2時間",
                "月12.2時間",
                "28.8%",
            ),
            // 8.6 + 3.4 × 0.8 = 11.32; 2.6 ÷ 2.72 = 0.9559
            (ProRata, Increase, "8.6日", "12日", "11.2日", "95.6%"),
            // Never a wrong number: typos, mixed units, division by ≤ 0.
            (
                Progress,
                Increase,
                "211,94㎡",
                "300㎡",
                "250㎡",
                "check BaselineUnreadable",
            ),
            (
                Progress,
                Decrease,
                "月12.8時間",
                "月10.2時間",
                "12時間",
                "check UnitsDiffer",
            ),
            (
                Progress,
                Increase,
                "-",
                "2回 (年間)",
                "1回",
                "check UnitsDiffer",
            ),
            (
                Progress,
                Increase,
                "-",
                "-1件",
                "5件",
                "check TargetNotPositive",
            ),
            (
                Progress,
                Increase,
                "10件",
                "10件",
                "12件",
                "check BaselineEqualsTarget",
            ),
            (
                Progress,
                Increase,
                "10件",
                "20件",
                "多数",
                "check ActualUnreadable",
            ),
            (
                ProRata,
                Increase,
                "-",
                "20件",
                "5件",
                "check NoBaselineYear",
            ),
            (Progress, Qualitative, "—", "実施", "順調", "status 順調"),
            (Progress, Increase, "10件", "20件", "", "none"),
        ];
        for (rule, dir, b, t, a, want) in table {
            assert_eq!(
                label(*rule, inputs(*dir, b, t, a)),
                *want,
                "{rule:?} {dir:?} {b} → {t}, 実績 {a}"
            );
        }
    }

    #[test]
    fn directions_proposed_from_baseline_and_target() {
        use Direction::*;
        for (method, b, t, want) in [
            ("定量", "月12.8時間", "月10.2時間", Decrease),
            ("定量", "8箇所", "0箇所", Decrease),
            ("定量", "8.6日", "12日", Increase),
            ("定量", "3.83%", "10.03%", Increase),
            ("定量", "-", "3件", Increase),
            ("定量", "100件", "100件", Maintain),
            ("定性", "—", "実施", Qualitative),
            ("定量", "—", "支援体制モデルの展開", Qualitative),
        ] {
            assert_eq!(propose_direction(method, b, t), want, "{b} → {t}");
        }
    }

    #[test]
    fn bands_pick_the_highest_reached() {
        let bands = default_bands();
        let at = |p| band_for(&bands, p).map(|b| b.label.clone());
        assert_eq!(at(123.0).as_deref(), Some("A"));
        assert_eq!(at(100.0).as_deref(), Some("A"));
        assert_eq!(at(99.9).as_deref(), Some("B"));
        assert_eq!(at(76.5).as_deref(), Some("C"));
        assert_eq!(at(23.1).as_deref(), Some("D"));
        assert_eq!(at(-50.0).as_deref(), Some("D"));
        assert!(band_problems(&bands).is_empty());
        let mut bad = bands.clone();
        bad[0].symbol.clear();
        bad[1].colour = "red".into();
        bad[2].min = None;
        assert_eq!(band_problems(&bad).len(), 3);
    }

    #[test]
    fn percent_has_one_decimal() {
        assert_eq!(percent_label(23.076_923), "23.1%");
        assert_eq!(percent_label(-0.01), "0.0%");
        assert_eq!(percent_label(-50.0), "-50.0%");
    }

    #[test]
    fn likeness_ignores_whitespace_and_allows_ten_percent() {
        assert_eq!(
            likeness("①周知する。\n②分析", "①周知する。 ②分析"),
            Some(Likeness::Same)
        );
        let before = "あ".repeat(90) + &"い".repeat(10);
        let nearly = "あ".repeat(90) + &"う".repeat(10);
        let further = "あ".repeat(89) + &"う".repeat(11);
        assert_eq!(likeness(&before, &nearly), Some(Likeness::Nearly));
        assert_eq!(likeness(&before, &further), None);
        assert_eq!(likeness("", ""), None);
        assert_eq!(likeness("abc", "xyz"), None);
    }
}
