//! CSV files for Excel: UTF-8 with a byte-order mark (without it Excel reads
//! Japanese as Shift_JIS and garbles it), CRLF line ends, every cell text.
//! Every cell, header included, goes through [`cell`]: a cell that Excel would
//! read as a formula is written as text.

use std::borrow::Cow;

use super::tables::Table;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What starts a formula when Excel (or LibreOffice) opens a CSV file: `=`,
/// `+`, `-`, `@`, and tab or carriage return, after which Excel still reads
/// the rest as a formula (OWASP, "CSV Injection").
const FORMULA_START: &[char] = &['=', '+', '-', '@', '\t', '\r'];

pub fn to_csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(BOM.to_vec());
    for row in std::iter::once(&table.header).chain(&table.rows) {
        let cells: Vec<Cow<str>> = row.iter().map(|c| cell(c)).collect();
        writer.write_record(cells.iter().map(|c| c.as_bytes()))?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// A cell as written to the file: text that would start a formula gets a
/// leading `'` (OWASP's rule), which Excel shows as text and a reader strips
/// to get back exactly what the department wrote.
fn cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_START) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_with_bom_and_quotes_what_needs_it() {
        let table = Table {
            header: vec!["指標名".into(), "値".into()],
            rows: vec![vec!["超過勤務\n時間".into(), "月12.8時間".into()]],
        };
        let bytes = to_csv(&table).unwrap_or_default();
        assert!(bytes.starts_with(BOM));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap_or_default();
        assert_eq!(text, "指標名,値\r\n\"超過勤務\n時間\",月12.8時間\r\n");
    }

    #[test]
    fn cells_that_would_be_formulas_become_text() {
        for payload in [
            "=HYPERLINK(\"http://evil.example\",\"詳細\")",
            "=cmd|' /C calc'!A0",
            "+1+1",
            "-1+1",
            "@SUM(A1)",
            "\t=1+1",
            "\r=1+1",
        ] {
            assert_eq!(cell(payload), format!("'{payload}"), "{payload:?}");
        }
        // Text that merely contains the characters is left alone.
        for text in ["月12.8時間", "a=b", " =1", "－", "", "'quoted"] {
            assert_eq!(cell(text), text);
        }
    }

    #[test]
    fn headers_pass_the_same_rule() {
        let table = Table {
            header: vec!["=x".into()],
            rows: vec![],
        };
        let bytes = to_csv(&table).unwrap_or_default();
        assert_eq!(&bytes[3..], b"'=x\r\n");
    }
}
