//! CSV files for Excel: UTF-8 with a byte-order mark (without it Excel reads
//! Japanese as Shift_JIS and garbles it), CRLF line ends, every cell text.

use super::tables::Table;

const BOM: &[u8] = b"\xEF\xBB\xBF";

pub fn to_csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(BOM.to_vec());
    writer.write_record(&table.header)?;
    for row in &table.rows {
        writer.write_record(row)?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
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
}
