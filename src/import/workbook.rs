//! Reading an uploaded .xlsx safely: the bytes are checked before calamine
//! opens them (size, zip signature, encrypted or macro workbooks), and every
//! cell is read as the text it shows. Formulas are never evaluated: calamine
//! gives the value Excel cached when it saved the file.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// Largest workbook accepted: a plan or a year of sheets is far smaller.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// A problem with a place in the workbook (「取組事業!C7」), in the user's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 「取組事業!C7」, 「取組事業」 or "" for the whole file.
    pub place: String,
    pub message: String,
}

impl Problem {
    pub fn file(message: impl Into<String>) -> Self {
        Self {
            place: String::new(),
            message: message.into(),
        }
    }

    pub fn at(place: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            place: place.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.place.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.place, self.message)
        }
    }
}

/// An opened workbook.
pub struct Book {
    xlsx: Xlsx<Cursor<Vec<u8>>>,
}

/// One worksheet's cells as text, with where formulas were.
pub struct Grid {
    pub name: String,
    cells: Vec<Vec<String>>,
    /// (row, col) of cells that hold a formula (their cached value is used).
    pub formulas: Vec<(u32, u32)>,
    /// Merged ranges as (first row, first col, last row, last col).
    pub merged: Vec<(u32, u32, u32, u32)>,
}

/// 「C7」 for row 6, column 2 (both 0-based).
pub fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push((b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row + 1).to_string()
}

impl Book {
    /// Checks the bytes and opens them; the error says why the file is refused.
    pub fn open(bytes: Vec<u8>) -> Result<Self, Problem> {
        if bytes.is_empty() {
            return Err(Problem::file("ファイルが空です"));
        }
        if bytes.len() > MAX_BYTES {
            return Err(Problem::file(format!(
                "ファイルが大きすぎます（{} MB まで）",
                MAX_BYTES / 1024 / 1024
            )));
        }
        // Excel saves a password-protected workbook as an OLE compound file.
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Err(Problem::file(
                "パスワード付き（暗号化された）ブック、または古い形式（.xls）のファイルは読めません。パスワードを外し .xlsx 形式で保存してください",
            ));
        }
        if !bytes.starts_with(b"PK\x03\x04") {
            return Err(Problem::file(
                "Excel ブック（.xlsx）ではありません。Excel で「Excel ブック (*.xlsx)」として保存したファイルを選んでください",
            ));
        }
        // File names in a zip are stored uncompressed, so the macro part is
        // visible in the bytes without unpacking anything.
        if contains(&bytes, b"vbaProject.bin") {
            return Err(Problem::file(
                "マクロを含むブック（.xlsm）は受け付けません。マクロなしの「Excel ブック (*.xlsx)」として保存してください",
            ));
        }
        let xlsx = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
            tracing::info!("unreadable workbook: {e}");
            Problem::file(
                "Excel ブックとして読めません（ファイルが壊れているか、.xlsx 形式ではありません）",
            )
        })?;
        Ok(Self { xlsx })
    }

    pub fn sheet_names(&self) -> Vec<String> {
        self.xlsx.sheet_names()
    }

    /// The worksheet of that name, None when the workbook has none.
    pub fn grid(&mut self, name: &str) -> Result<Option<Grid>, Problem> {
        if !self.sheet_names().iter().any(|n| n == name) {
            return Ok(None);
        }
        let unreadable = |e: calamine::XlsxError| {
            tracing::info!("unreadable worksheet {name}: {e}");
            Problem::at(name, "ワークシートを読めません")
        };
        let range = self.xlsx.worksheet_range(name).map_err(unreadable)?;
        let formulas = self.xlsx.worksheet_formula(name).map_err(unreadable)?;
        let merged = self
            .xlsx
            .merge_cells_by_sheet_name(name)
            .map_err(unreadable)?;
        let (h, w) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
        let mut cells = vec![vec![String::new(); w as usize]; h as usize];
        for (r, c, v) in range.used_cells() {
            let (r, c) = (r + range.start().map_or(0, |s| s.0 as usize), c);
            let c = c + range.start().map_or(0, |s| s.1 as usize);
            if let Some(slot) = cells.get_mut(r).and_then(|row| row.get_mut(c)) {
                *slot = text_of(v);
            }
        }
        let start = formulas.start().unwrap_or((0, 0));
        let formulas = formulas
            .used_cells()
            .filter(|(_, _, f)| !f.is_empty())
            .map(|(r, c, _)| (r as u32 + start.0, c as u32 + start.1))
            .collect();
        Ok(Some(Grid {
            name: name.to_string(),
            cells,
            formulas,
            merged: merged
                .iter()
                .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
                .collect(),
        }))
    }
}

/// The text a cell shows. Numbers keep no trailing 「.0」; every value we write
/// is text, so numbers only come from cells someone typed into.
fn text_of(v: &Data) -> String {
    match v {
        Data::String(s) => s.replace("\r\n", "\n"),
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

impl Grid {
    pub fn height(&self) -> u32 {
        self.cells.len() as u32
    }

    /// The cell's text, "" outside the used range.
    pub fn cell(&self, row: u32, col: u32) -> &str {
        self.cells
            .get(row as usize)
            .and_then(|r| r.get(col as usize))
            .map_or("", |s| s.as_str())
    }

    /// 「取組事業!C7」
    pub fn place(&self, row: u32, col: u32) -> String {
        format!("{}!{}", self.name, cell_name(row, col))
    }

    pub fn has_formula(&self, row: u32, col: u32) -> bool {
        self.formulas.contains(&(row, col))
    }

    /// Header row 1: the column of each wanted heading (spaces ignored), or a
    /// problem naming the missing ones.
    pub fn columns(&self, wanted: &[&str]) -> Result<Vec<u32>, Problem> {
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        let width = self.cells.first().map_or(0, |r| r.len()) as u32;
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for w in wanted {
            match (0..width).find(|&c| squash(self.cell(0, c)) == squash(w)) {
                Some(c) => found.push(c),
                None => missing.push(format!("「{w}」")),
            }
        }
        if missing.is_empty() {
            Ok(found)
        } else {
            Err(Problem::at(
                format!("{}!1行目", self.name),
                format!("見出し {} がありません", missing.join("")),
            ))
        }
    }

    /// Data rows (after the header) that hold anything.
    pub fn data_rows(&self) -> impl Iterator<Item = u32> + '_ {
        (1..self.height()).filter(|&r| self.cells[r as usize].iter().any(|c| !c.trim().is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 2), "C7");
        assert_eq!(cell_name(0, 26), "AA1");
    }

    #[test]
    fn refuses_what_is_not_a_plain_workbook() {
        let msg = |b: &[u8]| Book::open(b.to_vec()).err().map(|p| p.message);
        assert!(msg(b"").is_some_and(|m| m.contains("空")));
        assert!(msg(b"hello").is_some_and(|m| m.contains(".xlsx")));
        assert!(msg(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]).is_some_and(|m| m.contains("パスワード")));
        assert!(msg(b"PK\x03\x04....xl/vbaProject.bin").is_some_and(|m| m.contains("マクロ")));
        assert!(msg(&vec![b'P'; MAX_BYTES + 1]).is_some_and(|m| m.contains("大きすぎ")));
    }
}
