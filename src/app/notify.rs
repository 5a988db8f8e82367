//! Telling people inside the action's own transaction: a notification for
//! each recipient and, for those who want mail, a row in the outbox. A rolled
//! back action so tells nobody, and a committed one is never lost.

use crate::db::{self, DbConnection, DbError};
use crate::domain::ids::DepartmentId;
use crate::domain::notice::{sheet_title, Audience, Notice};
use crate::domain::sheet::Sheet;

/// How notices name a sheet.
pub fn title(sheet: &Sheet) -> String {
    let c = &sheet.context;
    sheet_title(
        sheet.fiscal_year,
        c.area_number,
        c.initiative_number,
        &c.initiative_name,
    )
}

/// Tells one side of `sheet`.
pub fn tell_sheet(
    conn: &mut DbConnection,
    sheet: &Sheet,
    audience: Audience,
    notice: &Notice,
) -> Result<(), DbError> {
    let to = db::notice::recipients(conn, audience, sheet.context.department_id)?;
    db::notice::deliver(conn, &to, Some(sheet.id), notice, db::now())
}

/// Tells the staff of each of `departments` (no sheet to link).
pub fn tell_departments(
    conn: &mut DbConnection,
    departments: &[DepartmentId],
    notice: &Notice,
) -> Result<(), DbError> {
    for department in departments {
        let to = db::notice::recipients(conn, Audience::Department, *department)?;
        db::notice::deliver(conn, &to, None, notice, db::now())?;
    }
    Ok(())
}

/// Tells HQ of something that concerns no one sheet (a 推進項目's opinion).
pub fn tell_hq(conn: &mut DbConnection, notice: &Notice) -> Result<(), DbError> {
    // HQ's recipients do not depend on a department; any id serves.
    let to = db::notice::recipients(conn, Audience::Hq, DepartmentId(0))?;
    db::notice::deliver(conn, &to, None, notice, db::now())
}
