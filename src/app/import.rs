//! Importing a finished results report (実績報告書): its structure and sheets
//! are written in one transaction, all or nothing.

use crate::db::plan::{self, FocusArea, Initiative};
use crate::db::{self, audit, sheet, DbConnection, DbError};
use crate::domain::audit::AuditAction;
use crate::domain::fiscal_year::{era_name, FiscalYear};
use crate::domain::ids::PlanId;
use crate::domain::sheet::heading;
use crate::domain::workflow::SheetStatus;
use crate::import::{ImportWarning, ParsedInitiative, ParsedReport};

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportSummary {
    pub plan_id: PlanId,
    pub fiscal_year: FiscalYear,
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
    db::write_tx(conn, |conn| {
        let plan_id = find_or_create_plan(conn, report)?;
        let mut summary = ImportSummary {
            plan_id,
            fiscal_year: report.fiscal_year,
            sheets_created: 0,
            sheets_unchanged: 0,
            warnings: report.warnings.clone(),
        };
        for parsed in &report.initiatives {
            let title = report
                .areas
                .iter()
                .find(|a| a.number == parsed.area_number)
                .map_or("", |a| a.title.as_str());
            let area = find_or_create_area(conn, plan_id, parsed, title, &mut summary)?;
            let initiative = find_or_create_initiative(conn, &area, parsed, &mut summary)?;
            import_sheet(
                conn,
                report,
                parsed,
                &initiative,
                title,
                actor,
                &mut summary,
            )?;
        }
        if plan::report_date(conn, plan_id, report.fiscal_year)?.is_none() {
            plan::insert_report(conn, plan_id, report.fiscal_year, &report.report_date)?;
        }
        Ok(summary)
    })
}

fn find_or_create_plan(conn: &mut DbConnection, report: &ParsedReport) -> Result<PlanId, DbError> {
    match plan::find_by_name(conn, &report.plan_name)? {
        Some(p) if (p.first_year, p.last_year) != (report.first_year, report.last_year) => {
            Err(DbError::Conflict(format!(
                "プラン「{}」は期間 {}～{} 年度で登録済みです（ファイルは {}～{}）",
                p.name, p.first_year, p.last_year, report.first_year, report.last_year
            )))
        }
        Some(p) => Ok(p.id),
        None => Ok(plan::insert(conn, &report.plan_name, report.first_year, report.last_year)?.id),
    }
}

fn find_or_create_area(
    conn: &mut DbConnection,
    plan_id: PlanId,
    parsed: &ParsedInitiative,
    title: &str,
    summary: &mut ImportSummary,
) -> Result<FocusArea, DbError> {
    match plan::find_area(conn, plan_id, parsed.area_number)? {
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
            Ok(a)
        }
        None => plan::insert_area(conn, plan_id, parsed.area_number, title),
    }
}

fn find_or_create_initiative(
    conn: &mut DbConnection,
    area: &FocusArea,
    parsed: &ParsedInitiative,
    summary: &mut ImportSummary,
) -> Result<Initiative, DbError> {
    if let Some(i) = plan::find_initiative(conn, area.id, parsed.number)? {
        if i.name != parsed.name {
            summary.warnings.push(ImportWarning {
                line: parsed.sheet.line,
                message: format!(
                    "({}) No.{} は「{}」で登録済みです（ファイルは「{}」）",
                    parsed.area_number, parsed.number, i.name, parsed.name
                ),
            });
        }
        return Ok(i);
    }
    let dept = plan::department_id(conn, &parsed.department)?;
    let mut related = Vec::new();
    for name in &parsed.related_departments {
        related.push(plan::department_id(conn, name)?);
    }
    plan::insert_initiative(conn, area.id, parsed.number, &parsed.name, dept, &related)
}

/// Writes the sheet as final, or checks that the stored one is the same.
fn import_sheet(
    conn: &mut DbConnection,
    report: &ParsedReport,
    parsed: &ParsedInitiative,
    initiative: &Initiative,
    title: &str,
    actor: &str,
    summary: &mut ImportSummary,
) -> Result<(), DbError> {
    let content = parsed.sheet.to_content(report.fiscal_year);
    if let Some(existing) = sheet::find_id(conn, initiative.id, report.fiscal_year)? {
        let stored = sheet::load(conn, existing)?;
        if stored.as_ref().map(|s| &s.content) != Some(&content) {
            return Err(DbError::Conflict(format!(
                "{} の{}の評価票は登録済みで、ファイルの内容と異なります。確定した評価票は取り込みで上書きしません",
                heading(parsed.area_number, title, parsed.number),
                era_name(report.fiscal_year)
            )));
        }
        summary.sheets_unchanged += 1;
        return Ok(());
    }
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
            action: AuditAction::Import,
            sheet_id: Some(id),
            from_status: None,
            to_status: Some(SheetStatus::Final),
            detail: format!("実績報告書の取り込み（{}行目）", parsed.sheet.line),
        },
    )?;
    summary.sheets_created += 1;
    Ok(())
}
