//! Department names (所管課・関係課) as people type them, unified to one spelling.
//!
//! The seed writes one department three ways (「D X推進課」「D×推進課」「DX推進課」): the text
//! export inserts stray spaces and people type the X as a multiplication sign. A department is
//! one row in the database, so every spelling must map to the same name.

/// Endings of a department name. A token that does not end in one of these is the first half of
/// a name broken by a stray space (「D X推進課」), not a name of its own.
pub const DEPARTMENT_SUFFIXES: &[&str] = &[
    "課",
    "室",
    "局",
    "部",
    "所",
    "センター",
    "事務局",
    "本部",
    "館",
    "園",
    "署",
];

/// One department in a 関係課 cell: as written and unified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentSpelling {
    /// The part of the cell that names it, exactly as written (may hold a stray space).
    pub written: String,
    /// `normalize_department(written)`.
    pub name: String,
}

/// One spelling per department: whitespace (half and full width) removed, full-width ASCII
/// letters and digits folded to half width, and 「×」「✕」 next to an ASCII letter read as X
/// (「D×推進課」 → 「DX推進課」). Japanese text is left as it is.
pub fn normalize_department(name: &str) -> String {
    let folded: Vec<char> = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(fold_ascii)
        .collect();
    let mut out = String::with_capacity(name.len());
    for (i, &c) in folded.iter().enumerate() {
        let is_cross = matches!(c, '\u{00D7}' | '\u{2715}');
        let prev = i.checked_sub(1).and_then(|p| folded.get(p));
        let next = folded.get(i + 1);
        let by_letter = |o: Option<&char>| o.is_some_and(|c| c.is_ascii_alphabetic());
        if is_cross && (by_letter(prev) || by_letter(next)) {
            out.push('X');
        } else {
            out.push(c);
        }
    }
    out
}

/// Full-width ASCII letters and digits (Ａ, ｂ, ３) to half width; anything else unchanged.
fn fold_ascii(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => c,
    }
}

/// The departments of a 関係課 cell, unified, in the order written.
///
/// Names are separated by spaces (「連携共創課 財政課」); a token that does not end in a
/// department suffix is joined with the next one (「D X推進課」 is one name). A last token
/// without a suffix is still kept, so nothing written is lost.
pub fn split_departments(cell: &str) -> Vec<String> {
    split_department_spellings(cell)
        .into_iter()
        .map(|d| d.name)
        .collect()
}

/// Like `split_departments`, but also gives each name as written, so that the importer can
/// report unusual spellings.
pub fn split_department_spellings(cell: &str) -> Vec<DepartmentSpelling> {
    let mut out = Vec::new();
    // Byte span of the name being built and its tokens glued together.
    let mut span: Option<(usize, usize)> = None;
    let mut glued = String::new();
    for (start, token) in tokens(cell) {
        let end = start + token.len();
        span = Some(span.map_or((start, end), |(s, _)| (s, end)));
        glued.push_str(token);
        let name = normalize_department(&glued);
        if DEPARTMENT_SUFFIXES.iter().any(|s| name.ends_with(s)) {
            push_name(&mut out, cell, span.take(), &name);
            glued.clear();
        }
    }
    if !glued.is_empty() {
        let name = normalize_department(&glued);
        push_name(&mut out, cell, span, &name);
    }
    out
}

fn push_name(
    out: &mut Vec<DepartmentSpelling>,
    cell: &str,
    span: Option<(usize, usize)>,
    name: &str,
) {
    if name.is_empty() {
        return;
    }
    let written = span
        .and_then(|(s, e)| cell.get(s..e))
        .unwrap_or(name)
        .to_string();
    out.push(DepartmentSpelling {
        written,
        name: name.to_string(),
    });
}

/// Tokens separated by whitespace or list punctuation (「、」「，」「,」), with byte offsets.
fn tokens(cell: &str) -> Vec<(usize, &str)> {
    let is_sep = |c: char| c.is_whitespace() || matches!(c, '、' | '，' | ',');
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in cell.char_indices() {
        if is_sep(c) {
            if let Some(s) = start.take() {
                out.extend(cell.get(s..i).map(|t| (s, t)));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.extend(cell.get(s..).map(|t| (s, t)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_unifies_the_seed_spellings_of_dx() {
        for written in [
            "D X推進課",
            "D×推進課",
            "DX推進課",
            "ＤＸ推進課",
            "D✕推進課",
            "DＸ推進課",
            "D　X推進課",
        ] {
            assert_eq!(normalize_department(written), "DX推進課", "{written}");
        }
    }

    #[test]
    fn normalize_leaves_japanese_alone() {
        assert_eq!(
            normalize_department("人材マネジメント課"),
            "人材マネジメント課"
        );
        assert_eq!(normalize_department(" 職員課 "), "職員課");
        // A cross between digits or kana is not an X.
        assert_eq!(normalize_department("第1×2課"), "第1×2課");
        assert_eq!(normalize_department("第１課"), "第1課");
        assert_eq!(normalize_department(""), "");
    }

    #[test]
    fn split_seed_cells() {
        assert_eq!(split_departments("職員課"), vec!["職員課"]);
        assert_eq!(
            split_departments("人材マネジメント課"),
            vec!["人材マネジメント課"]
        );
        assert_eq!(
            split_departments("人材マネジメント課 法制課"),
            vec!["人材マネジメント課", "法制課"]
        );
        assert_eq!(
            split_departments("連携共創課 財政課"),
            vec!["連携共創課", "財政課"]
        );
        assert_eq!(split_departments("D X推進課"), vec!["DX推進課"]);
        assert_eq!(split_departments("D×推進課"), vec!["DX推進課"]);
        assert_eq!(split_departments("DX推進課"), vec!["DX推進課"]);
        assert_eq!(
            split_departments("D X推進課 法制課"),
            vec!["DX推進課", "法制課"]
        );
    }

    #[test]
    fn split_edge_cases() {
        assert!(split_departments("").is_empty());
        assert!(split_departments(" \u{3000} ").is_empty());
        assert_eq!(
            split_departments("職員課　法制課"),
            vec!["職員課", "法制課"]
        );
        assert_eq!(
            split_departments("職員課、法制課"),
            vec!["職員課", "法制課"]
        );
        assert_eq!(
            split_departments(
                "市民センター 議会事務局 消防本部 図書館 保育園 消防署 総務部 政策室 保健所"
            ),
            vec![
                "市民センター",
                "議会事務局",
                "消防本部",
                "図書館",
                "保育園",
                "消防署",
                "総務部",
                "政策室",
                "保健所"
            ]
        );
        // A trailing name without a suffix is kept rather than dropped.
        assert_eq!(split_departments("職員課 秘書"), vec!["職員課", "秘書"]);
    }

    #[test]
    fn spellings_keep_what_was_written() {
        let got = split_department_spellings("D X推進課 法制課");
        assert_eq!(
            got,
            vec![
                DepartmentSpelling {
                    written: "D X推進課".into(),
                    name: "DX推進課".into()
                },
                DepartmentSpelling {
                    written: "法制課".into(),
                    name: "法制課".into()
                },
            ]
        );
    }
}
