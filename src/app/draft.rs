//! Keeping a form posted after the session expired, so nothing typed is lost.
//! The web layer has already checked that the post carried this server's own
//! session cookie and that session's CSRF token; here the owner must still
//! be an active account allowed to work on the sheet, and the caps hold.

use super::sheet::visible;
use super::UseCaseError;
use crate::db::{self, DbConnection};
use crate::domain::draft::{DraftToken, KEEP_HOURS, MAX_PER_USER, MAX_TOTAL};
use crate::domain::ids::{SheetId, UserId};
use crate::domain::permission::Action;

/// What became of a posted form.
#[derive(Debug, PartialEq, Eq)]
pub enum Kept {
    /// Kept under this token for its owner.
    Kept(DraftToken),
    /// Not kept: the owner may not (or no longer) `action` this sheet, or
    /// there is no such sheet. Answered like any post without a login.
    NotKept,
    /// Not kept: the owner's drafts or all drafts are at their cap.
    Full,
}

/// Keeps `form` (the posted pairs) for `owner` on `sheet_id`.
pub fn keep(
    conn: &mut DbConnection,
    owner: UserId,
    sheet_id: SheetId,
    action: Action,
    form: &[(String, String)],
) -> Result<Kept, UseCaseError> {
    db::write_tx(conn, |conn| {
        let Some(actor) = db::user::find(conn, owner)?
            .filter(|u| u.active)
            .and_then(|u| u.actor())
        else {
            return Ok(Kept::NotKept);
        };
        db::draft::delete_older_than(conn, db::now() - chrono::Duration::hours(KEEP_HOURS))?;
        // The caps come before the sheet is looked at, so a full store
        // answers alike for every sheet id.
        if db::draft::count_for(conn, owner)? >= MAX_PER_USER
            || db::draft::count_all(conn)? >= MAX_TOTAL
        {
            return Ok(Kept::Full);
        }
        match visible(conn, &actor, sheet_id, action) {
            Ok(_) => {}
            Err(UseCaseError::Denied(_)) => return Ok(Kept::NotKept),
            Err(e) => return Err(e),
        }
        let token = DraftToken::generate();
        db::draft::insert(conn, &token, owner, sheet_id, form)?;
        Ok(Kept::Kept(token))
    })
}
