//! The demo a new user meets: the customer's finished 令和6年度 report, and
//! 令和7年度 sheets carried forward from it with the 上半期 round open, plus one
//! account per department, one for HQ and one administrator.

use crate::db::{self, DbConnection, DbError};
use crate::domain::permission::Role;
use crate::domain::round::RoundKind;
use crate::import::parse_report;

/// The customer's report (kept unedited as a test fixture).
pub const SEED_REPORT: &str = include_str!("../tests/fixtures/kofu_r6_report.txt");

/// Login ids for the seed's departments; others get `staffNN`.
const DEMO_LOGINS: &[(&str, &str)] = &[
    ("職員課", "shokuin"),
    ("DX推進課", "dx"),
    ("人材マネジメント課", "jinzai"),
    ("財産活用課", "zaisan"),
    ("協働推進課", "kyodo"),
    ("連携共創課", "renkei"),
    ("法制課", "hosei"),
    ("財政課", "zaisei"),
];

/// An account the demo made, with its password (shown once at first start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub login: String,
    pub password: String,
    pub role: Role,
    pub department: Option<String>,
}

/// Loads the demo into an empty database; does nothing (and returns None)
/// when the database has a plan already.
pub fn load_if_empty(conn: &mut DbConnection) -> Result<Option<Vec<DemoAccount>>, DbError> {
    // Hash outside the transaction: argon2 is slow on purpose.
    let departments: Vec<String> = {
        let report = parse_report(SEED_REPORT).map_err(|e| DbError::Config(e.to_string()))?;
        let mut names: Vec<String> = report
            .initiatives
            .iter()
            .flat_map(|i| {
                std::iter::once(i.department.clone()).chain(i.related_departments.clone())
            })
            .collect();
        names.sort();
        names.dedup();
        names
    };
    if !db::plan::is_empty(conn)? {
        return Ok(None);
    }
    let mut accounts: Vec<DemoAccount> = Vec::new();
    for (n, dept) in departments.iter().enumerate() {
        let login = DEMO_LOGINS
            .iter()
            .find(|(d, _)| d == dept)
            .map_or(format!("staff{:02}", n + 1), |(_, l)| l.to_string());
        accounts.push(DemoAccount {
            login,
            password: crate::password::random_password(12),
            role: Role::Staff,
            department: Some(dept.clone()),
        });
    }
    for (login, role) in [("honbu", Role::Hq), ("admin", Role::Admin)] {
        accounts.push(DemoAccount {
            login: login.into(),
            password: crate::password::random_password(12),
            role,
            department: None,
        });
    }
    let mut hashes = Vec::new();
    for a in &accounts {
        hashes.push(crate::password::hash(&a.password).map_err(DbError::Config)?);
    }
    db::write_tx(conn, |conn| {
        if !db::plan::is_empty(conn)? {
            return Ok(None);
        }
        load(conn)?;
        for (a, hash) in accounts.iter().zip(&hashes) {
            let department_id = match &a.department {
                Some(d) => Some(db::plan::department_id(conn, d)?),
                None => None,
            };
            let display_name = match (&a.department, a.role) {
                (Some(d), _) => format!("{d} 担当"),
                (None, Role::Hq) => "行政改革課".to_string(),
                (None, _) => "システム管理者".to_string(),
            };
            db::user::insert(
                conn,
                db::user::NewUser {
                    login: &a.login,
                    display_name: &display_name,
                    role: a.role,
                    department_id,
                    password_hash: hash,
                    email: None,
                    must_change_password: false,
                },
            )?;
        }
        Ok(Some(accounts.clone()))
    })
}

fn load(conn: &mut DbConnection) -> Result<(), DbError> {
    let report = parse_report(SEED_REPORT).map_err(|e| DbError::Config(e.to_string()))?;
    let summary = crate::app::import::import_report(conn, &report, "demo")?;
    crate::app::round::carry_forward_year(conn, summary.plan_id, report.fiscal_year, None)?;
    let deadline = chrono::Local::now().date_naive() + chrono::Days::new(30);
    db::round::open(
        conn,
        summary.plan_id,
        report.fiscal_year.next(),
        RoundKind::FirstHalf,
        Some(deadline),
    )
}
