//! Reading back a sheet workbook (see `report::xlsx::sheet_workbook`): its
//! hidden worksheet says which sheet, year, round and version each worksheet
//! was made from and where each slot is; the labels and merged cells must be
//! where they were written, or the cells cannot be trusted to be the fields
//! they were (a row inserted inside the form moves everything below it).

use super::workbook::{cell_name, Book, Grid, Problem};
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::ids::SheetId;
use crate::domain::round::RoundKind;
use crate::domain::slot::Slot;
use crate::report::xlsx::META;

/// One worksheet of an uploaded sheet workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadedSheet {
    pub worksheet: String,
    pub sheet_id: SheetId,
    pub fiscal_year: FiscalYear,
    pub round: RoundKind,
    pub version: i32,
    pub cells: Vec<UploadedCell>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UploadedCell {
    pub slot: Slot,
    /// 「(1)-1!B12」
    pub place: String,
    /// What the cell held when downloaded.
    pub downloaded: String,
    /// What it holds now (a formula's cached value).
    pub uploaded: String,
}

/// What a sheet workbook holds, and notes for the person (formulas read as values).
pub struct SheetBook {
    pub sheets: Vec<UploadedSheet>,
    pub notes: Vec<Problem>,
}

const NOT_OURS: &str = "このブックは評価票の「Excelでダウンロード」で作ったものではありません。評価票のページからダウンロードしたブックに記入してください";

/// Reads and checks the whole workbook; every problem at once.
pub fn parse_sheet_book(bytes: Vec<u8>) -> Result<SheetBook, Vec<Problem>> {
    let mut book = Book::open(bytes).map_err(|p| vec![p])?;
    let meta = match book.grid(META) {
        Ok(Some(g)) => g,
        Ok(None) => return Err(vec![Problem::file(NOT_OURS)]),
        Err(p) => return Err(vec![p]),
    };
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut sheets = Vec::new();
    let mut grids: Vec<Grid> = Vec::new();
    for r in 0..meta.height() {
        let name = meta.cell(r, 0).to_string();
        let kind = meta.cell(r, 1);
        let num = |c: u32| meta.cell(r, c).parse::<i64>().ok();
        if kind == "sheet" {
            let (Some(id), Some(year), Some(round), Some(version)) = (
                num(2),
                num(3),
                RoundKind::from_code(meta.cell(r, 4)),
                num(5),
            ) else {
                return Err(vec![Problem::file(NOT_OURS)]);
            };
            match book.grid(&name) {
                Ok(Some(g)) => grids.push(g),
                Ok(None) => {
                    problems.push(Problem::file(format!(
                        "ワークシート「{name}」がありません（名前を変えたり削除したりしないでください）"
                    )));
                    continue;
                }
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            }
            sheets.push(UploadedSheet {
                worksheet: name,
                sheet_id: SheetId(id as i32),
                fiscal_year: FiscalYear(year as i32),
                round,
                version: version as i32,
                cells: Vec::new(),
            });
            continue;
        }
        let (Some(sheet), Some(grid)) = (
            sheets.iter_mut().find(|s| s.worksheet == name),
            grids.iter().find(|g| g.name == name),
        ) else {
            continue;
        };
        let at = |c: u32| num(c).map(|n| n as u32);
        match kind {
            "slot" => {
                let (Some(slot), Some(row), Some(col)) =
                    (Slot::parse(meta.cell(r, 2)), at(3), at(4))
                else {
                    return Err(vec![Problem::file(NOT_OURS)]);
                };
                if grid.has_formula(row, col) {
                    notes.push(Problem::at(
                        grid.place(row, col),
                        "数式は計算せず、Excel が保存した値を読みました",
                    ));
                }
                sheet.cells.push(UploadedCell {
                    slot,
                    place: grid.place(row, col),
                    downloaded: meta.cell(r, 5).to_string(),
                    uploaded: grid.cell(row, col).to_string(),
                });
            }
            "label" => {
                let (Some(row), Some(col)) = (at(2), at(3)) else {
                    continue;
                };
                let want = meta.cell(r, 4);
                let found = grid.cell(row, col);
                if found != want {
                    problems.push(Problem::at(
                        grid.place(row, col),
                        format!(
                            "「{}」があるはずのセルが「{}」になっています。行や列を挿入・削除せずに記入してください",
                            want.replace('\n', ""),
                            found.replace('\n', "")
                        ),
                    ));
                }
            }
            "merge" => {
                let (Some(r1), Some(c1), Some(r2), Some(c2)) = (at(2), at(3), at(4), at(5)) else {
                    continue;
                };
                if !grid.merged.contains(&(r1, c1, r2, c2)) {
                    problems.push(Problem::at(
                        grid.place(r1, c1),
                        format!(
                            "結合されていたセル {}:{} が変わっています。セルの結合を変えずに記入してください",
                            cell_name(r1, c1),
                            cell_name(r2, c2)
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    // Cells merged by the user inside the form.
    for grid in &grids {
        let expected: Vec<(u32, u32, u32, u32)> = (0..meta.height())
            .filter(|&r| meta.cell(r, 0) == grid.name && meta.cell(r, 1) == "merge")
            .filter_map(|r| {
                let n = |c| meta.cell(r, c).parse::<u32>().ok();
                Some((n(2)?, n(3)?, n(4)?, n(5)?))
            })
            .collect();
        for &(r1, c1, r2, c2) in grid.merged.iter().filter(|m| !expected.contains(m)) {
            problems.push(Problem::at(
                grid.place(r1, c1),
                format!(
                    "セル {}:{} が結合されています。セルの結合を変えずに記入してください",
                    cell_name(r1, c1),
                    cell_name(r2, c2)
                ),
            ));
        }
    }
    if sheets.is_empty() && problems.is_empty() {
        problems.push(Problem::file(NOT_OURS));
    }
    // Dedupe: one moved row breaks many labels; the first few say enough.
    problems.truncate(20);
    if problems.is_empty() {
        Ok(SheetBook { sheets, notes })
    } else {
        Err(problems)
    }
}
