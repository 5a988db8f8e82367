//! The one place where the HTTP tests look into (or change) the database
//! behind the app's back: finding a sheet's id, reading what was stored,
//! forcing a state. Everything here leans on the library's internals
//! (`hyoka::db`, the `Sheet` type); when those change, this file changes and
//! the tests stay as they are.

use std::sync::OnceLock;

use diesel::prelude::*;
use hyoka::db::{self, schema, DbConnection};
use hyoka::domain::draft::DraftToken;
use hyoka::domain::field::Field;
use hyoka::domain::fiscal_year::FiscalYear;
use hyoka::domain::ids::{PlanId, SheetId};
use hyoka::domain::permission::Role;
use hyoka::domain::sheet::Sheet;
use hyoka::domain::workflow::SheetStatus;

/// The password of every account made by [`Probe::add_user`].
pub const PASSWORD: &str = "correct-horse-battery";

/// Reads and writes on a test's database connection.
pub trait Probe {
    /// The first (only) plan's id.
    fn plan_id(&mut self) -> i32;
    /// Years that have sheets, newest first.
    fn years(&mut self) -> Vec<i32>;
    /// Ids of the year's sheets in list order.
    fn sheet_ids(&mut self, year: i32) -> Vec<i32>;
    /// Id of the sheet of initiative (area) No.`number` in `year`.
    fn sheet_id(&mut self, year: i32, area: i32, number: i32) -> i32;
    /// The year's sheets as stored, in list order.
    fn sheets(&mut self, year: i32) -> Vec<Sheet>;
    fn load_sheet(&mut self, id: i32) -> Sheet;
    /// A stored text field of the sheet, by its form field name.
    fn text(&mut self, id: i32, key: &str) -> String;
    fn status(&mut self, id: i32) -> SheetStatus;
    /// Puts a sheet into `state` directly (no audit entry; the version rises,
    /// as with every change).
    fn force_status(&mut self, id: i32, state: SheetStatus);
    /// Stores 効果・影響 directly, bypassing the form's checks.
    fn force_effects(&mut self, id: i32, text: &str);
    /// Stores text field `key` directly, bypassing the form and its writer
    /// (the version rises, as with every change).
    fn force_text(&mut self, id: i32, key: &str, text: &str);
    fn audit_count(&mut self) -> i64;
    fn department_id(&mut self, name: &str) -> i32;
    fn user_count(&mut self) -> i64;
    /// The id of the account `login`.
    fn user_id(&mut self, login: &str) -> i32;
    /// Adds an account with password [`PASSWORD`].
    fn add_user(&mut self, login: &str, role: Role, department: Option<&str>);
    /// Row counts of every table the import writes, plus the audit log.
    fn table_counts(&mut self) -> Vec<i64>;
    /// The stored sessions of an account: what the `sessions` table keeps
    /// to find each (the hash of the cookie's id).
    fn session_keys(&mut self, login: &str) -> Vec<String>;
    /// Forms kept for after a login (`pending_drafts`), of anyone.
    fn draft_count(&mut self) -> i64;
    /// Keeps `n` drafts for `login` on sheet `id` directly (to reach a cap).
    fn add_drafts(&mut self, login: &str, id: i32, n: usize);
    /// Gives the account `login` an e-mail address (None removes it).
    fn set_email(&mut self, login: &str, email: Option<&str>);
    /// Rows in the mail outbox: (recipient, status code, attempts).
    fn outbox(&mut self) -> Vec<(String, String, i32)>;
}

impl Probe for DbConnection {
    fn plan_id(&mut self) -> i32 {
        db::plan::list(self).expect("plans").remove(0).id.0
    }

    fn years(&mut self) -> Vec<i32> {
        let plan = PlanId(self.plan_id());
        let years = db::sheet::years(self, plan).expect("years");
        years.into_iter().map(|y| y.0).collect()
    }

    fn sheet_ids(&mut self, year: i32) -> Vec<i32> {
        let plan = PlanId(self.plan_id());
        db::sheet::list_for_year(self, plan, FiscalYear(year))
            .expect("list")
            .into_iter()
            .map(|e| e.sheet_id.0)
            .collect()
    }

    fn sheet_id(&mut self, year: i32, area: i32, number: i32) -> i32 {
        let plan = PlanId(self.plan_id());
        db::sheet::list_for_year(self, plan, FiscalYear(year))
            .expect("list")
            .into_iter()
            .find(|e| e.area_number == area && e.initiative_number == number)
            .unwrap_or_else(|| panic!("no sheet ({area}) No.{number} in {year}"))
            .sheet_id
            .0
    }

    fn sheets(&mut self, year: i32) -> Vec<Sheet> {
        self.sheet_ids(year)
            .into_iter()
            .map(|id| self.load_sheet(id))
            .collect()
    }

    fn load_sheet(&mut self, id: i32) -> Sheet {
        db::sheet::load(self, SheetId(id))
            .expect("load")
            .unwrap_or_else(|| panic!("no sheet {id}"))
    }

    fn text(&mut self, id: i32, key: &str) -> String {
        sheet_text(&self.load_sheet(id), key).to_string()
    }

    fn status(&mut self, id: i32) -> SheetStatus {
        self.load_sheet(id).status
    }

    fn force_status(&mut self, id: i32, state: SheetStatus) {
        use schema::sheets;
        // Raising the version as every real change to a sheet does: pages
        // kept for their viewers are told apart by it.
        diesel::update(sheets::table.find(SheetId(id)))
            .set((
                sheets::status.eq(state),
                sheets::version.eq(sheets::version + 1),
            ))
            .execute(self)
            .expect("set status");
    }

    fn force_effects(&mut self, id: i32, text: &str) {
        self.force_text(id, "effects", text);
    }

    fn force_text(&mut self, id: i32, key: &str, text: &str) {
        use schema::sheet_texts;
        let key = field(key).key();
        diesel::delete(
            sheet_texts::table
                .filter(sheet_texts::sheet_id.eq(SheetId(id)))
                .filter(sheet_texts::field.eq(key)),
        )
        .execute(self)
        .expect("clear the field");
        diesel::insert_into(sheet_texts::table)
            .values((
                sheet_texts::sheet_id.eq(SheetId(id)),
                sheet_texts::field.eq(key),
                sheet_texts::text.eq(text),
            ))
            .execute(self)
            .expect("set the field");
        use schema::sheets;
        diesel::update(sheets::table.find(SheetId(id)))
            .set(sheets::version.eq(sheets::version + 1))
            .execute(self)
            .expect("raise the version");
    }

    fn audit_count(&mut self) -> i64 {
        schema::audit_log::table
            .count()
            .get_result(self)
            .expect("count")
    }

    fn department_id(&mut self, name: &str) -> i32 {
        db::plan::department_id(self, name).expect("department").0
    }

    fn user_count(&mut self) -> i64 {
        db::user::count(self).expect("count users")
    }

    fn user_id(&mut self, login: &str) -> i32 {
        db::user::find_by_login(self, login)
            .expect("find user")
            .unwrap_or_else(|| panic!("no account {login}"))
            .id
            .0
    }

    fn add_user(&mut self, login: &str, role: Role, department: Option<&str>) {
        let department_id =
            department.map(|d| db::plan::department_id(self, d).expect("department"));
        db::user::insert(
            self,
            db::user::NewUser {
                login,
                display_name: login,
                role,
                department_id,
                password_hash: password_hash(),
                email: None,
                must_change_password: false,
            },
        )
        .expect("user");
    }

    fn table_counts(&mut self) -> Vec<i64> {
        use schema::*;
        let mut counts = Vec::new();
        macro_rules! count {
            ($($table:ident),*) => {
                $(counts.push($table::table.count().get_result(self).expect("count"));)*
            };
        }
        count!(
            plans,
            departments,
            focus_areas,
            initiatives,
            initiative_departments,
            reports,
            sheets,
            sheet_texts,
            action_items,
            schedule_cells,
            indicators,
            indicator_values,
            audit_log
        );
        counts
    }

    fn session_keys(&mut self, login: &str) -> Vec<String> {
        use schema::sessions;
        let user = hyoka::domain::ids::UserId(self.user_id(login));
        sessions::table
            .filter(sessions::user_id.eq(user))
            .select(sessions::key_hash)
            .load::<String>(self)
            .expect("sessions")
    }

    fn draft_count(&mut self) -> i64 {
        db::draft::count_all(self).expect("count drafts")
    }

    fn add_drafts(&mut self, login: &str, id: i32, n: usize) {
        let owner = db::user::find_by_login(self, login)
            .expect("user")
            .unwrap_or_else(|| panic!("no account {login}"))
            .id;
        let form = [("h1_actions".to_string(), "保管済み".to_string())];
        for _ in 0..n {
            let token = DraftToken::generate();
            db::draft::insert(self, &token, owner, SheetId(id), &form).expect("draft");
        }
    }

    fn set_email(&mut self, login: &str, email: Option<&str>) {
        use schema::users::dsl;
        diesel::update(dsl::users.filter(dsl::login.eq(login)))
            .set(dsl::email.eq(email))
            .execute(self)
            .expect("set email");
    }

    fn outbox(&mut self) -> Vec<(String, String, i32)> {
        use schema::outbox::dsl;
        dsl::outbox
            .order(dsl::id)
            .select((dsl::recipient, dsl::status, dsl::attempts))
            .load(self)
            .expect("outbox")
    }
}

/// A field of the registry by its key (the form's input name).
pub fn field(key: &str) -> Field {
    Field::from_key(key).unwrap_or_else(|| panic!("the sheet has no text field {key}"))
}

/// A sheet's text field by its form field name (`h1_actions`, `effects`…).
pub fn sheet_text<'a>(sheet: &'a Sheet, key: &str) -> &'a str {
    sheet.content.texts.get(field(key))
}

/// The hash of [`PASSWORD`], made once: argon2 is slow on purpose.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hyoka::password::hash(PASSWORD).expect("hash"))
}
