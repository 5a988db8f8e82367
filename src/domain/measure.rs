//! Reading a number out of an indicator value as written (「月12.8時間」「4.81%」「４２件」).
//!
//! Indicator values are stored as text exactly as the department wrote them; the number is an
//! extra that lets us chart and compare. So this is deliberately conservative: anything
//! ambiguous or malformed gives `None` rather than a wrong number.

/// A number and the rest of the text around it.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    pub number: f64,
    /// The text with the number removed, trimmed: 「月12.8時間」 → 「月時間」, 「84」 → "".
    pub unit: String,
}

/// The single number in `text`, if there is exactly one.
///
/// A number is: an optional sign directly before it (「-」「－」「−」「▲」「△」 negative,
/// 「+」「＋」 positive; not taken as a sign right after an ASCII letter or digit, as in
/// 「AI-3」), digits in half or full width, optional thousands separators 「,」「，」 in valid
/// groups of three, and an optional decimal part after 「.」 or 「．」.
///
/// `None` when there is no digit (「－」「—」「順調」), when there is more than one separate
/// number (「R4 12件」: which one is the value is a guess, so we do not guess), or when the
/// digits are malformed (「211,94㎡」 is a typo, not 21,194 or 211.94; 「1.2.3」; 「.5」).
pub fn parse_measure(text: &str) -> Option<Measure> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let offset = |i: usize| chars.get(i).map_or(text.len(), |&(o, _)| o);

    let mut found: Option<(usize, usize, String)> = None; // byte span, ASCII number text
    let mut i = 0;
    while i < chars.len() {
        if at(i).and_then(digit_value).is_none() {
            i += 1;
            continue;
        }
        if found.is_some() {
            return None; // a second number
        }
        let mut start = i;
        let mut ascii = String::new();
        if let Some(prev) = i.checked_sub(1).and_then(at) {
            let before_sign = i.checked_sub(2).and_then(at);
            let sign_allowed =
                !before_sign.is_some_and(|c| c.is_ascii_alphanumeric() || digit_value(c).is_some());
            if sign_allowed && matches!(prev, '-' | '－' | '−' | '▲' | '△') {
                ascii.push('-');
                start = i - 1;
            } else if sign_allowed && matches!(prev, '+' | '＋') {
                start = i - 1;
            }
        }
        // A separator right before the number means we are in the middle of something like
        // 「.5」 or 「,500」: not a number we can trust.
        if start.checked_sub(1).and_then(at).is_some_and(is_separator) {
            return None;
        }
        let first = read_digits(&chars, &mut i, &mut ascii);
        let mut grouped = false;
        while matches!(at(i), Some(',' | '，')) && at(i + 1).and_then(digit_value).is_some() {
            i += 1;
            grouped = true;
            if read_digits(&chars, &mut i, &mut ascii) != 3 {
                return None;
            }
        }
        if grouped && !(1..=3).contains(&first) {
            return None;
        }
        if matches!(at(i), Some('.' | '．')) && at(i + 1).and_then(digit_value).is_some() {
            i += 1;
            ascii.push('.');
            read_digits(&chars, &mut i, &mut ascii);
        }
        // 「1.2.3」「1.5,3」: a separator still followed by digits.
        if at(i).is_some_and(is_separator) && at(i + 1).and_then(digit_value).is_some() {
            return None;
        }
        found = Some((offset(start), offset(i), ascii));
    }
    let (start, end, ascii) = found?;
    let number: f64 = ascii.parse().ok()?;
    if !number.is_finite() {
        return None;
    }
    let unit = format!("{}{}", text.get(..start)?, text.get(end..)?);
    Some(Measure {
        number,
        unit: unit.trim().to_string(),
    })
}

fn is_separator(c: char) -> bool {
    matches!(c, '.' | '．' | ',' | '，')
}

/// Half- or full-width decimal digit.
fn digit_value(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

/// Appends the digit run at `*i` to `ascii`, advancing `*i`; returns how many digits.
fn read_digits(chars: &[(usize, char)], i: &mut usize, ascii: &mut String) -> usize {
    let mut n = 0;
    while let Some(d) = chars.get(*i).and_then(|&(_, c)| digit_value(c)) {
        ascii.push(d);
        *i += 1;
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Option<(f64, String)> {
        parse_measure(text).map(|m| (m.number, m.unit))
    }

    fn some(n: f64, unit: &str) -> Option<(f64, String)> {
        Some((n, unit.to_string()))
    }

    #[test]
    fn seed_values() {
        assert_eq!(m("月12.8時間"), some(12.8, "月時間"));
        assert_eq!(m("8箇所"), some(8.0, "箇所"));
        assert_eq!(m("84"), some(84.0, ""));
        assert_eq!(m("4.81%"), some(4.81, "%"));
        assert_eq!(m("1回 (年間)"), some(1.0, "回 (年間)"));
        assert_eq!(m("2回 (年間)"), some(2.0, "回 (年間)"));
        assert_eq!(m("-1件"), some(-1.0, "件"));
        assert_eq!(m("0件"), some(0.0, "件"));
        assert_eq!(m("40手続"), some(40.0, "手続"));
        assert_eq!(m("8.6日"), some(8.6, "日"));
    }

    #[test]
    fn widths_signs_and_grouping() {
        assert_eq!(m("４２件"), some(42.0, "件"));
        assert_eq!(m("１２．５％"), some(12.5, "％"));
        assert_eq!(m("1,234件"), some(1234.0, "件"));
        assert_eq!(m("1,234,567.5円"), some(1_234_567.5, "円"));
        assert_eq!(m("１，２３４件"), some(1234.0, "件"));
        assert_eq!(m("－3件"), some(-3.0, "件"));
        assert_eq!(m("▲5.5%"), some(-5.5, "%"));
        assert_eq!(m("+2"), some(2.0, ""));
        assert_eq!(m(" 7 "), some(7.0, ""));
        // Separators not followed by digits belong to the text.
        assert_eq!(m("12."), some(12.0, "."));
        assert_eq!(m("12, 件"), some(12.0, ", 件"));
        // A hyphen after a letter is part of a word, not a sign.
        assert_eq!(m("AI-3件"), some(3.0, "AI-件"));
    }

    #[test]
    fn not_a_number() {
        for text in [
            "",
            "－",
            "—",
            "-",
            "順調",
            "実施",
            "支援体制モデルの展開",
            "  ",
            "▲",
        ] {
            assert_eq!(m(text), None, "{text}");
        }
    }

    #[test]
    fn malformed_or_ambiguous() {
        for text in [
            "211,94㎡",
            "1,2345件",
            "1234,567",
            "1.2.3",
            "1.5,3",
            ".5",
            "R4 12件",
            "10～20件",
            "3件 (R5: 4件)",
            "1,23",
        ] {
            assert_eq!(m(text), None, "{text}");
        }
    }

    #[test]
    fn absurdly_long_digit_runs_do_not_become_infinity() {
        let long = "9".repeat(400);
        assert_eq!(m(&long), None);
    }
}
