//! Loading a plan workbook: the same steps run twice, first as a preview in a
//! transaction that is rolled back (so the preview is exactly what confirming
//! will do), then, when HQ confirms, for real in one transaction. Rows missing
//! from the workbook are reported, never deleted. The structure of each
//! initiative's sheet (header texts, 取組項目, 目標) lives on the sheets, so it
//! is written to the sheets of the plan's "structure year": the newest year
//! that has sheets, or the first year of a plan that has none yet.

use std::collections::HashMap;

use super::UseCaseError;
use crate::db::{self, audit, plan, sheet, user, DbConnection, DbError};
use crate::domain::audit::AuditAction;
use crate::domain::field::{Field, HeaderSlot};
use crate::domain::fiscal_year::{era_name, FiscalYear};
use crate::domain::ids::{DepartmentId, IndicatorId, PlanId};
use crate::domain::permission::{authorize, Action, Actor};
use crate::domain::sheet::{Indicator, SheetContent};
use crate::domain::workflow::SheetStatus;
use crate::import::plan_book::{role_word, PlanBook, PlanInitiative, PlanUser};
use crate::import::workbook::Problem;

/// A value the import changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub what: String,
    pub before: String,
    pub after: String,
}

/// A new account and its one-time password (shown once).
#[derive(Debug, Clone, PartialEq)]
pub struct NewAccount {
    pub login: String,
    pub name: String,
    pub password: String,
}

/// What an import does (preview) or did (after confirming).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    pub plan_name: String,
    pub structure_year: FiscalYear,
    pub created: Vec<String>,
    pub changed: Vec<Change>,
    pub unchanged: Vec<String>,
    /// Stored rows the workbook does not list (kept).
    pub missing: Vec<String>,
    /// Conflicts with what is stored; confirming is refused while there are any.
    pub problems: Vec<Problem>,
    pub notes: Vec<Problem>,
    pub accounts: Vec<NewAccount>,
}

impl Outcome {
    pub fn changes_anything(&self) -> bool {
        !self.created.is_empty() || !self.changed.is_empty()
    }
}

/// One-time passwords, made (and hashed) before the transaction so that the
/// slow hashing does not hold the write lock: login → (password, hash).
pub type Passwords = HashMap<String, (String, String)>;

/// Logins of the workbook's accounts that do not exist yet.
pub fn new_logins(conn: &mut DbConnection, book: &PlanBook) -> Result<Vec<String>, DbError> {
    let mut out = Vec::new();
    for u in &book.users {
        if user::find_by_login(conn, &u.login)?.is_none() {
            out.push(u.login.clone());
        }
    }
    Ok(out)
}

/// What importing `book` would do; nothing is kept.
/// `actor` is None on the command line (whoever runs it owns the database).
pub fn preview(
    conn: &mut DbConnection,
    actor: Option<&Actor>,
    book: &PlanBook,
) -> Result<Outcome, UseCaseError> {
    let actor = By::check(actor)?;
    let run = db::write_tx(conn, |conn| {
        let outcome = Import::new(conn, book, None).run(&actor)?;
        Err::<(), _>(Stop::Preview(Box::new(outcome)))
    });
    match run {
        Err(Stop::Preview(outcome)) => Ok(*outcome),
        Err(Stop::Db(e)) => Err(e.into()),
        Ok(()) => Err(DbError::Conflict("取り込みの確認に失敗しました".into()).into()),
    }
}

/// Imports `book` in one transaction; refused (nothing written) while the
/// preview shows problems.
pub fn apply(
    conn: &mut DbConnection,
    actor: Option<&Actor>,
    book: &PlanBook,
    passwords: &Passwords,
) -> Result<Outcome, UseCaseError> {
    let actor = By::check(actor)?;
    let run = db::write_tx(conn, |conn| {
        let outcome = Import::new(conn, book, Some(passwords)).run(&actor)?;
        if let Some(p) = outcome.problems.first() {
            return Err(Stop::Db(DbError::Conflict(format!(
                "取り込めません（{p}）。何も保存していません"
            ))));
        }
        let detail = format!(
            "計画ワークブック「{}」を取り込み（作成 {} 件、変更 {} 件、変更なし {} 件）",
            outcome.plan_name,
            outcome.created.len(),
            outcome.changed.len(),
            outcome.unchanged.len()
        );
        audit::record(
            conn,
            audit::Entry::general(actor.user_id, actor.login, AuditAction::PlanImport, detail),
        )?;
        Ok(outcome)
    });
    run.map_err(|e| match e {
        Stop::Preview(_) => DbError::Conflict("取り込みに失敗しました".into()).into(),
        Stop::Db(e) => e.into(),
    })
}

/// Who imports: a signed-in user, or the command line.
struct By<'a> {
    user_id: Option<crate::domain::ids::UserId>,
    login: &'a str,
}

impl<'a> By<'a> {
    fn check(actor: Option<&'a Actor>) -> Result<Self, UseCaseError> {
        match actor {
            Some(a) => {
                authorize(a, Action::ImportPlan, None)?;
                Ok(By {
                    user_id: Some(a.user_id),
                    login: &a.login,
                })
            }
            None => Ok(By {
                user_id: None,
                login: "cli",
            }),
        }
    }

    fn entry(&self, action: AuditAction, detail: String) -> audit::Entry<'a> {
        audit::Entry::general(self.user_id, self.login, action, detail)
    }
}

/// How the transaction ends: a preview always rolls back and carries its outcome out.
enum Stop {
    Preview(Box<Outcome>),
    Db(DbError),
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Self {
        Stop::Db(e.into())
    }
}

impl From<DbError> for Stop {
    fn from(e: DbError) -> Self {
        Stop::Db(e)
    }
}

struct Import<'a> {
    conn: &'a mut DbConnection,
    book: &'a PlanBook,
    /// None in a preview: accounts are listed but get no password.
    passwords: Option<&'a Passwords>,
    out: Outcome,
    departments: HashMap<String, DepartmentId>,
}

impl<'a> Import<'a> {
    fn new(
        conn: &'a mut DbConnection,
        book: &'a PlanBook,
        passwords: Option<&'a Passwords>,
    ) -> Self {
        Self {
            conn,
            book,
            passwords,
            out: Outcome {
                plan_name: book.name.clone(),
                notes: book.notes.clone(),
                ..Outcome::default()
            },
            departments: HashMap::new(),
        }
    }

    fn run(mut self, actor: &By) -> Result<Outcome, DbError> {
        let plan_id = self.plan()?;
        self.departments()?;
        let areas = self.areas(plan_id)?;
        self.out.structure_year = structure_year(self.conn, plan_id, self.book.first_year)?;
        for init in &self.book.initiatives {
            self.initiative(&areas, init, actor)?;
        }
        self.missing_initiatives(plan_id)?;
        for u in &self.book.users {
            self.account(u, actor)?;
        }
        Ok(self.out)
    }

    fn plan(&mut self) -> Result<PlanId, DbError> {
        let b = self.book;
        match plan::find_by_name(self.conn, &b.name)? {
            Some(p) => {
                if (p.first_year, p.last_year) != (b.first_year, b.last_year) {
                    self.out.changed.push(Change {
                        what: format!("計画「{}」の期間", b.name),
                        before: span(p.first_year, p.last_year),
                        after: span(b.first_year, b.last_year),
                    });
                    plan::set_years(self.conn, p.id, b.first_year, b.last_year)?;
                } else {
                    self.out.unchanged.push(format!("計画「{}」", b.name));
                }
                Ok(p.id)
            }
            None => {
                self.out.created.push(format!(
                    "計画「{}」（{}）",
                    b.name,
                    span(b.first_year, b.last_year)
                ));
                Ok(plan::insert(self.conn, &b.name, b.first_year, b.last_year)?.id)
            }
        }
    }

    fn departments(&mut self) -> Result<(), DbError> {
        let known = plan::department_names(self.conn)?;
        for name in &self.book.departments {
            if known.contains(name) {
                self.out.unchanged.push(format!("所管課「{name}」"));
            } else {
                self.out.created.push(format!("所管課「{name}」"));
            }
            let id = plan::department_id(self.conn, name)?;
            self.departments.insert(name.clone(), id);
        }
        Ok(())
    }

    fn department(&mut self, name: &str) -> Result<DepartmentId, DbError> {
        match self.departments.get(name) {
            Some(id) => Ok(*id),
            None => plan::department_id(self.conn, name),
        }
    }

    /// 推進項目 by number → (id, title as stored after the import).
    fn areas(&mut self, plan_id: PlanId) -> Result<Vec<(i32, plan::FocusArea)>, DbError> {
        let mut out = Vec::new();
        for (number, title) in &self.book.areas {
            let area = match plan::find_area(self.conn, plan_id, *number)? {
                Some(a) if a.title != *title => {
                    self.out.changed.push(Change {
                        what: format!("推進項目 ({number}) の名称"),
                        before: a.title.clone(),
                        after: title.clone(),
                    });
                    plan::set_area_title(self.conn, a.id, title)?;
                    plan::FocusArea {
                        title: title.clone(),
                        ..a
                    }
                }
                Some(a) => {
                    self.out
                        .unchanged
                        .push(format!("推進項目 ({number}) {title}"));
                    a
                }
                None => {
                    self.out
                        .created
                        .push(format!("推進項目 ({number}) {title}"));
                    plan::insert_area(self.conn, plan_id, *number, title)?
                }
            };
            out.push((*number, area));
        }
        for stored in plan::areas(self.conn, plan_id)? {
            if !self.book.areas.iter().any(|(n, _)| *n == stored.number) {
                self.out.missing.push(format!(
                    "推進項目 ({}) {}（ファイルにありません。削除はしません）",
                    stored.number, stored.title
                ));
            }
        }
        Ok(out)
    }

    fn initiative(
        &mut self,
        areas: &[(i32, plan::FocusArea)],
        init: &PlanInitiative,
        actor: &By,
    ) -> Result<(), DbError> {
        let Some((_, area)) = areas.iter().find(|(n, _)| *n == init.area_number) else {
            return Ok(());
        };
        let label = format!("({}) No.{}", init.area_number, init.number);
        let dept = self.department(&init.department)?;
        let mut related = Vec::new();
        for name in &init.related {
            related.push(self.department(name)?);
        }
        let stored = plan::find_initiative(self.conn, area.id, init.number)?;
        let initiative = match stored {
            None => {
                self.out
                    .created
                    .push(format!("取組事業 {label} {}", init.name));
                plan::insert_initiative(
                    self.conn,
                    area.id,
                    init.number,
                    &init.name,
                    dept,
                    &related,
                )?
            }
            Some(i) => {
                let before_dept = plan::department_name(self.conn, i.department_id)?;
                let before_related = plan::related_names(self.conn, i.id)?;
                let mut same = true;
                for (what, before, after) in [
                    ("取組事業名", i.name.clone(), init.name.clone()),
                    ("所管課", before_dept, init.department.clone()),
                    ("関係課", before_related.join("、"), init.related.join("、")),
                ] {
                    if before != after {
                        same = false;
                        self.out.changed.push(Change {
                            what: format!("{label} {what}"),
                            before,
                            after,
                        });
                    }
                }
                if !same {
                    plan::set_name_and_departments(self.conn, i.id, &init.name, dept, &related)?;
                }
                i
            }
        };
        self.structure(&label, initiative.id, init, actor)
    }

    /// Header texts, 取組項目 and 目標 on the structure year's sheet.
    fn structure(
        &mut self,
        label: &str,
        initiative_id: crate::domain::ids::InitiativeId,
        init: &PlanInitiative,
        actor: &By,
    ) -> Result<(), DbError> {
        let year = self.out.structure_year;
        let Some(sheet_id) = sheet::find_id(self.conn, initiative_id, year)? else {
            let content = apply_structure(&SheetContent::default(), &[], init).0;
            let id = sheet::insert(self.conn, initiative_id, year, SheetStatus::Draft, &content)?;
            record_sheet(self.conn, actor, id, SheetStatus::Draft, year)?;
            self.out.created.push(format!(
                "{label} の{}の評価票（取組項目 {} 行、目標 {} 行）",
                era_name(year),
                init.action_items.len(),
                init.indicators.len()
            ));
            return Ok(());
        };
        let Some(old) = sheet::load(self.conn, sheet_id)? else {
            return Ok(());
        };
        let (content, ids) = apply_structure(&old.content, &old.indicator_ids, init);
        if content == old.content {
            self.out
                .unchanged
                .push(format!("取組事業 {label} {}", init.name));
            return Ok(());
        }
        self.describe(label, &old.content, &content);
        if old.status == SheetStatus::Final {
            self.out.problems.push(Problem::at(
                format!("取組事業 {label}"),
                format!(
                    "{}の評価票は確定済みのため、取組項目・目標などを変更できません",
                    era_name(year)
                ),
            ));
            return Ok(());
        }
        let saved = sheet::save(
            self.conn,
            &old,
            old.version,
            &content,
            &ids,
            old.status,
            &old.return_reason,
        )?;
        if saved.is_none() {
            return Err(DbError::Conflict(format!(
                "{label} の評価票が同時に更新されました。もう一度取り込んでください"
            )));
        }
        record_sheet(self.conn, actor, old.id, old.status, year)
    }

    /// One line per changed header text, 取組項目 row, 目標 row.
    fn describe(&mut self, label: &str, old: &SheetContent, new: &SheetContent) {
        for slot in STRUCTURE_SLOTS {
            let f = Field::in_slot(slot);
            let (before, after) = (old.texts.get(f), new.texts.get(f));
            if before != after {
                self.out.changed.push(Change {
                    what: format!("{label} {}", f.label(self.out.structure_year)),
                    before: before.to_string(),
                    after: after.to_string(),
                });
            }
        }
        let rows = old.action_items.len().max(new.action_items.len());
        for i in 0..rows {
            let (b, a) = (old.action_items.get(i), new.action_items.get(i));
            if b != a {
                self.out.changed.push(Change {
                    what: format!("{label} 取組項目 {}行目", i + 1),
                    before: b.map_or(String::new(), item_line),
                    after: a.map_or(String::new(), item_line),
                });
            }
        }
        let rows = old.indicators.len().max(new.indicators.len());
        for i in 0..rows {
            let (b, a) = (old.indicators.get(i), new.indicators.get(i));
            if b.map(target_line) != a.map(target_line) {
                self.out.changed.push(Change {
                    what: format!("{label} 目標 {}行目", i + 1),
                    before: b.map_or(String::new(), target_line),
                    after: a.map_or(String::new(), target_line),
                });
            }
        }
    }

    fn missing_initiatives(&mut self, plan_id: PlanId) -> Result<(), DbError> {
        let areas = plan::areas(self.conn, plan_id)?;
        for i in plan::initiatives(self.conn, plan_id)? {
            let Some(area) = areas.iter().find(|a| a.id == i.area_id) else {
                continue;
            };
            let listed = self
                .book
                .initiatives
                .iter()
                .any(|b| b.area_number == area.number && b.number == i.number);
            if !listed {
                self.out.missing.push(format!(
                    "取組事業 ({}) No.{} {}（ファイルにありません。削除はしません）",
                    area.number, i.number, i.name
                ));
            }
        }
        Ok(())
    }

    fn account(&mut self, u: &PlanUser, actor: &By) -> Result<(), DbError> {
        let dept = match &u.department {
            Some(d) => Some(self.department(d)?),
            None => None,
        };
        let email = (!u.email.is_empty()).then_some(u.email.as_str());
        match user::profile(self.conn, &u.login)? {
            Some(p) => {
                let before = account_line(
                    &p.display_name,
                    p.role,
                    p.department.as_deref(),
                    p.email.as_deref(),
                );
                let after = account_line(&u.name, u.role, u.department.as_deref(), email);
                if before == after {
                    self.out.unchanged.push(format!("利用者 {}", u.login));
                    return Ok(());
                }
                self.out.changed.push(Change {
                    what: format!("利用者 {}", u.login),
                    before,
                    after,
                });
                user::update_profile(self.conn, p.id, &u.name, u.role, dept, email)?;
                let detail = format!(
                    "{}（{}）を計画ワークブックで変更",
                    u.login,
                    role_word(u.role)
                );
                audit::record(self.conn, actor.entry(AuditAction::UserAdd, detail))
            }
            None => {
                self.out.created.push(format!(
                    "利用者 {}（{}、{}）",
                    u.login,
                    u.name,
                    role_word(u.role)
                ));
                let Some(passwords) = self.passwords else {
                    return Ok(());
                };
                let Some((password, hash)) = passwords.get(&u.login) else {
                    return Err(DbError::Conflict(format!(
                        "利用者 {} が同時に変更されました。もう一度取り込んでください",
                        u.login
                    )));
                };
                user::insert(
                    self.conn,
                    user::NewUser {
                        login: &u.login,
                        display_name: &u.name,
                        role: u.role,
                        department_id: dept,
                        password_hash: hash,
                        email,
                        must_change_password: true,
                    },
                )?;
                self.out.accounts.push(NewAccount {
                    login: u.login.clone(),
                    name: u.name.clone(),
                    password: password.clone(),
                });
                let detail = format!(
                    "{}（{}）を計画ワークブックから追加（仮パスワード）",
                    u.login,
                    role_word(u.role)
                );
                audit::record(self.conn, actor.entry(AuditAction::UserAdd, detail))
            }
        }
    }
}

/// The header texts the plan workbook owns.
const STRUCTURE_SLOTS: [HeaderSlot; 3] = [
    HeaderSlot::RelatedPlan,
    HeaderSlot::PlanYears,
    HeaderSlot::TargetScope,
];

/// Where the plan's structure is written: the newest year with sheets, or the
/// plan's first year.
pub fn structure_year(
    conn: &mut DbConnection,
    plan_id: PlanId,
    first_year: FiscalYear,
) -> Result<FiscalYear, DbError> {
    Ok(sheet::years(conn, plan_id)?
        .into_iter()
        .max()
        .unwrap_or(first_year))
}

/// `old` with the workbook's structure: header texts, 取組項目, and 目標 rows
/// (a row keeps its stored values and id when its 指標名 matches one stored).
fn apply_structure(
    old: &SheetContent,
    old_ids: &[IndicatorId],
    init: &PlanInitiative,
) -> (SheetContent, Vec<Option<IndicatorId>>) {
    let mut new = old.clone();
    for (slot, text) in
        STRUCTURE_SLOTS
            .iter()
            .zip([&init.related_plan, &init.plan_years, &init.target_scope])
    {
        new.texts.set(Field::in_slot(*slot), text.clone());
    }
    new.action_items = init.action_items.clone();
    let mut taken = vec![false; old.indicators.len()];
    let mut ids = Vec::new();
    new.indicators = init
        .indicators
        .iter()
        .map(|ind| {
            let found = (0..old.indicators.len())
                .find(|&i| !taken[i] && old.indicators[i].name == ind.name);
            match found {
                Some(i) => {
                    taken[i] = true;
                    ids.push(old_ids.get(i).copied());
                    Indicator {
                        values: old.indicators[i].values.clone(),
                        ..ind.clone()
                    }
                }
                None => {
                    ids.push(None);
                    ind.clone()
                }
            }
        })
        .collect();
    (new, ids)
}

fn record_sheet(
    conn: &mut DbConnection,
    actor: &By,
    id: crate::domain::ids::SheetId,
    status: SheetStatus,
    year: FiscalYear,
) -> Result<(), DbError> {
    audit::record(
        conn,
        audit::Entry {
            user_id: actor.user_id,
            actor: actor.login,
            action: AuditAction::PlanImport,
            sheet_id: Some(id),
            from_status: None,
            to_status: Some(status),
            detail: format!(
                "計画ワークブックから{}の取組項目・目標などを設定",
                era_name(year)
            ),
        },
    )
}

fn span(first: FiscalYear, last: FiscalYear) -> String {
    format!("{}～{}", era_name(first), era_name(last))
}

fn item_line(item: &crate::domain::sheet::ActionItem) -> String {
    let cells: Vec<String> = item
        .schedule
        .iter()
        .map(|(y, v)| format!("{}:{v}", crate::domain::fiscal_year::short(*y)))
        .collect();
    format!("{}［{}］", item.text, cells.join(" "))
}

fn target_line(ind: &Indicator) -> String {
    format!(
        "{}／{}／当初値 {}{}／目標値 {}({})",
        ind.name,
        ind.method,
        ind.baseline,
        ind.baseline_year.map_or(String::new(), |y| format!(
            "({})",
            crate::domain::fiscal_year::short(y)
        )),
        ind.target,
        crate::domain::fiscal_year::short(ind.target_year)
    )
}

fn account_line(
    name: &str,
    role: crate::domain::permission::Role,
    dept: Option<&str>,
    email: Option<&str>,
) -> String {
    format!(
        "{name}／{}／{}／{}",
        role_word(role),
        dept.unwrap_or("—"),
        email.unwrap_or("—")
    )
}

/// The plan as a workbook's data: structure from the structure year's sheets,
/// every department and every active account. None when there is no such plan.
pub fn export(
    conn: &mut DbConnection,
    actor: &Actor,
    plan_id: PlanId,
) -> Result<Option<PlanBook>, UseCaseError> {
    authorize(actor, Action::ImportPlan, None)?;
    let Some(p) = plan::find(conn, plan_id)? else {
        return Ok(None);
    };
    let year = structure_year(conn, plan_id, p.first_year)?;
    let areas = plan::areas(conn, plan_id)?;
    let mut initiatives = Vec::new();
    for i in plan::initiatives(conn, plan_id)? {
        let Some(area) = areas.iter().find(|a| a.id == i.area_id) else {
            continue;
        };
        let content = match sheet::find_id(conn, i.id, year)? {
            Some(id) => sheet::load(conn, id)?
                .map(|s| s.content)
                .unwrap_or_default(),
            None => SheetContent::default(),
        };
        let text = |slot| content.texts.get(Field::in_slot(slot)).to_string();
        initiatives.push(PlanInitiative {
            area_number: area.number,
            number: i.number,
            name: i.name.clone(),
            department: plan::department_name(conn, i.department_id)?,
            related: plan::related_names(conn, i.id)?,
            related_plan: text(HeaderSlot::RelatedPlan),
            plan_years: text(HeaderSlot::PlanYears),
            target_scope: text(HeaderSlot::TargetScope),
            action_items: content.action_items.clone(),
            indicators: content
                .indicators
                .iter()
                .map(|ind| Indicator {
                    values: Vec::new(),
                    ..ind.clone()
                })
                .collect(),
        });
    }
    let users = user::profiles(conn)?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| PlanUser {
            login: u.login,
            name: u.display_name,
            role: u.role,
            department: u.department,
            email: u.email.unwrap_or_default(),
        })
        .collect();
    Ok(Some(PlanBook {
        name: p.name,
        first_year: p.first_year,
        last_year: p.last_year,
        departments: plan::department_names(conn)?,
        areas: areas.into_iter().map(|a| (a.number, a.title)).collect(),
        initiatives,
        users,
        notes: Vec::new(),
    }))
}

/// A blank workbook for a new plan of four years from `first_year`.
pub fn template(first_year: FiscalYear) -> PlanBook {
    PlanBook {
        first_year,
        last_year: FiscalYear(first_year.0 + 3),
        ..PlanBook::default()
    }
}

/// Dropdown lists of the plan workbook.
pub fn lists(conn: &mut DbConnection) -> Result<crate::report::plan_book::Lists, DbError> {
    use crate::domain::field::ChoiceList;
    let c = db::choice::active(conn)?;
    Ok(crate::report::plan_book::Lists {
        schedule: c.get(ChoiceList::Schedule).to_vec(),
        methods: c.get(ChoiceList::Method).to_vec(),
    })
}

/// One-time passwords for the accounts the workbook adds (hashing is slow:
/// call outside a transaction, off the async threads).
pub fn make_passwords(logins: &[String]) -> Result<Passwords, String> {
    let mut out = Passwords::new();
    for login in logins {
        let password = crate::password::random_password(12);
        let hash = crate::password::hash(&password)?;
        out.insert(login.clone(), (password, hash));
    }
    Ok(out)
}
