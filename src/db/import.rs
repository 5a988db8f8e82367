//! Writes a parsed results report into the database, all or nothing.

use super::{audit, plan, sheet, write_tx, DbConnection, DbError};
use crate::domain::sheet::heading;
use crate::domain::workflow::SheetStatus;
use crate::import::{ImportWarning, ParsedReport};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    pub plan_id: i32,
    pub fiscal_year: i32,
    pub sheets_created: usize,
    pub sheets_unchanged: usize,
    pub warnings: Vec<ImportWarning>,
}

/// Imports a finished report: its sheets come in as 確定 (final). Importing the
/// same report again changes nothing; a report whose sheets differ from the ones
/// stored is refused, since final sheets are official records.
pub fn import_report(
    conn: &mut DbConnection,
    report: &ParsedReport,
    actor: &str,
) -> Result<ImportSummary, DbError> {
    write_tx(conn, |conn| {
        let mut summary = ImportSummary {
            fiscal_year: report.fiscal_year,
            warnings: report.warnings.clone(),
            ..Default::default()
        };
        let plan = match plan::find_by_name(conn, &report.plan_name)? {
            Some(p) if (p.first_year, p.last_year) != (report.first_year, report.last_year) => {
                return Err(DbError::Conflict(format!(
                    "プラン「{}」は期間 {}～{} 年度で登録済みです（ファイルは {}～{}）",
                    p.name, p.first_year, p.last_year, report.first_year, report.last_year
                )));
            }
            Some(p) => p,
            None => plan::insert(conn, &report.plan_name, report.first_year, report.last_year)?,
        };
        summary.plan_id = plan.id;

        for parsed in &report.initiatives {
            let title = report
                .areas
                .iter()
                .find(|a| a.number == parsed.area_number)
                .map_or("", |a| a.title.as_str());
            let area = match plan::find_area(conn, plan.id, parsed.area_number)? {
                Some(a) => {
                    if a.title != title {
                        summary.warnings.push(ImportWarning {
                            line: parsed.sheet.line,
                            message: format!(
                                "推進項目 ({}) は「{}」で登録済みです（ファイルは「{}」）",
                                a.number, a.title, title
                            ),
                        });
                    }
                    a
                }
                None => plan::insert_area(conn, plan.id, parsed.area_number, title)?,
            };
            let initiative = match plan::find_initiative(conn, area.id, parsed.number)? {
                Some(i) => {
                    if i.name != parsed.name {
                        summary.warnings.push(ImportWarning {
                            line: parsed.sheet.line,
                            message: format!(
                                "({}) No.{} は「{}」で登録済みです（ファイルは「{}」）",
                                parsed.area_number, parsed.number, i.name, parsed.name
                            ),
                        });
                    }
                    i
                }
                None => {
                    let dept = plan::department_id(conn, &parsed.department)?;
                    let mut related = Vec::new();
                    for name in &parsed.related_departments {
                        related.push(plan::department_id(conn, name)?);
                    }
                    plan::insert_initiative(
                        conn,
                        area.id,
                        parsed.number,
                        &parsed.name,
                        dept,
                        &related,
                    )?
                }
            };

            let content = parsed.sheet.to_content(report.fiscal_year);
            match sheet::find_id(conn, initiative.id, report.fiscal_year)? {
                Some(existing) => {
                    let stored = sheet::load(conn, existing)?;
                    if stored.as_ref().map(|s| &s.content) == Some(&content) {
                        summary.sheets_unchanged += 1;
                    } else {
                        return Err(DbError::Conflict(format!(
                            "{} の{}の評価票は登録済みで、ファイルの内容と異なります。確定した評価票は取り込みで上書きしません",
                            heading(parsed.area_number, title, parsed.number),
                            crate::domain::fiscal_year::era_name(report.fiscal_year)
                        )));
                    }
                }
                None => {
                    let id = sheet::insert(
                        conn,
                        initiative.id,
                        report.fiscal_year,
                        SheetStatus::Final,
                        &content,
                    )?;
                    audit::record(
                        conn,
                        audit::Entry {
                            user_id: None,
                            actor,
                            action: "import",
                            sheet_id: Some(id),
                            from_status: None,
                            to_status: Some(SheetStatus::Final.code()),
                            detail: format!("実績報告書の取り込み（{}行目）", parsed.sheet.line),
                        },
                    )?;
                    summary.sheets_created += 1;
                }
            }
        }
        if plan::report_date(conn, plan.id, report.fiscal_year)?.is_none() {
            plan::insert_report(conn, plan.id, report.fiscal_year, &report.report_date)?;
        }
        Ok(summary)
    })
}
