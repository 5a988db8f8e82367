//! Synthetic data at the size of a prefecture: `hyoka generate --sheets N
//! [--years K]` writes a plan of N initiatives with one sheet per initiative
//! and year, for tests and the benchmark. Everything comes from one seed, so
//! two runs with the same arguments write the same plan (only the times of
//! the writes and the round's deadline, 30 days from today, differ).

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::db::{self, audit, plan, sheet, DbConnection, DbError};
use crate::domain::audit::AuditAction;
use crate::domain::field::{ChoiceList, Field, Input, Writer};
use crate::domain::fiscal_year::FiscalYear;
use crate::domain::form::Choices;
use crate::domain::ids::{DepartmentId, InitiativeId, PlanId};
use crate::domain::permission::Role;
use crate::domain::round::RoundKind;
use crate::domain::sheet::{ActionItem, Indicator, Period, SheetContent};
use crate::domain::workflow::{Event, SheetStatus};

/// The year whose 上半期 round the generated plan has open (the demo's too).
pub const CURRENT_YEAR: FiscalYear = FiscalYear(2025);

/// Departments of a large city hall; the generated accounts belong to them.
const DEPARTMENTS: &[&str] = &[
    "総務課",
    "人事課",
    "職員研修課",
    "行政経営課",
    "情報政策課",
    "文書法務課",
    "契約検査課",
    "財政課",
    "税務課",
    "市民税課",
    "資産税課",
    "納税課",
    "企画調整課",
    "広報広聴課",
    "地域振興課",
    "市民協働課",
    "防災危機管理課",
    "消防総務課",
    "福祉総務課",
    "障害福祉課",
    "高齢福祉課",
    "介護保険課",
    "子育て支援課",
    "保育課",
    "健康増進課",
    "国民健康保険課",
    "環境政策課",
    "廃棄物対策課",
    "産業振興課",
    "観光課",
    "農林振興課",
    "都市計画課",
    "建築指導課",
    "道路河川課",
    "公園緑地課",
    "上下水道総務課",
    "教育総務課",
    "学校教育課",
    "生涯学習課",
    "文化スポーツ課",
];

const AREAS: &[&str] = &[
    "働き方改革の推進",
    "デジタル技術を活用した行政サービスの向上",
    "人材の確保と育成",
    "公共施設等の適正な管理",
    "市民との協働と連携",
    "持続可能な財政運営",
    "効果的・効率的な組織運営",
    "広域連携と民間活力の活用",
];

const SUBJECTS: &[&str] = &[
    "窓口手続",
    "公共施設",
    "職員研修",
    "電子申請",
    "文書管理",
    "業務委託",
    "庁内会議",
    "市民アンケート",
    "健康診断",
    "防災訓練",
    "地域交流",
    "学校給食",
    "道路補修",
    "ごみ収集",
];

const VERBS: &[&str] = &[
    "の見直し",
    "の効率化",
    "のデジタル化",
    "の推進",
    "の適正化",
    "の充実",
];

/// Pieces of the prose the sheets hold: long, plausible, not meaningful.
const SENTENCES: &[&str] = &[
    "関係各課と連携し、現状の業務手順を洗い出したうえで、改善の余地がある工程を整理した。",
    "前年度の実績を踏まえ、対象となる手続の範囲を拡大し、市民の利便性の向上を図った。",
    "職員向けの説明会を計3回開催し、新たな運用方法の周知と定着に取り組んだ。",
    "外部の専門家の助言を受けながら、費用対効果の検証を行い、次年度以降の方針を定めた。",
    "利用者アンケートの結果、満足度は前年度に比べて向上したものの、一部に課題が残った。",
    "システムの更新に合わせて、入力項目の簡素化と帳票の電子化を進めた。",
    "庁内の推進体制を見直し、担当者間の情報共有を定例会議で行うこととした。",
    "先進自治体の事例を調査し、本市に適した手法について検討を重ねた。",
    "年度当初の計画どおり、上半期中に試行を開始し、課題の把握に努めた。",
    "繁忙期の業務量の平準化に向け、作業の前倒しと分担の見直しを行った。",
    "取組の成果を数値で把握するため、指標の測定方法を統一した。",
    "予算の範囲内で実施できるよう、事業の優先順位を整理し、段階的に実施した。",
];

/// How big a generated plan is.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Initiatives (sheets per year).
    pub sheets: usize,
    /// Fiscal years, the last being [`CURRENT_YEAR`].
    pub years: usize,
    pub seed: u64,
}

/// What `generate` wrote.
#[derive(Debug, Clone)]
pub struct Generated {
    pub plan_id: PlanId,
    pub plan_name: String,
    pub years: Vec<FiscalYear>,
    pub sheets: usize,
    /// Login ids of the staff accounts, one per department, in department order.
    pub staff_logins: Vec<String>,
    pub hq_login: String,
}

/// The generated plan's name for a size (one plan per size and seed).
pub fn plan_name(size: Size) -> String {
    format!(
        "合成データ 行政改革推進プラン（{}事業・{}年度・seed {}）",
        size.sheets, size.years, size.seed
    )
}

/// Writes the plan: one transaction per fiscal year, so a large plan neither
/// holds SQLite's write lock for minutes nor is left half-written within a
/// year. `password_hash` is every generated account's (one password for all).
pub fn generate(
    conn: &mut DbConnection,
    size: Size,
    password_hash: &str,
) -> Result<Generated, DbError> {
    let years = size.years.max(1);
    let first = FiscalYear(CURRENT_YEAR.0 - years as i32 + 1);
    let last = FiscalYear(CURRENT_YEAR.0.max(first.0 + 4));
    let name = plan_name(size);
    let mut rng = StdRng::seed_from_u64(size.seed);
    let (setup, accounts) = db::write_tx(conn, |conn| {
        if plan::find_by_name(conn, &name)?.is_some() {
            return Err(DbError::Conflict(format!("「{name}」は生成済みです")));
        }
        let setup = set_up_plan(conn, &name, first, last, size.sheets, &mut rng)?;
        let accounts = add_accounts(conn, size.seed, &setup.departments, password_hash)?;
        Ok((setup, accounts))
    })?;
    let choices = db::choice::active(conn)?;
    let mut fiscal_years = Vec::new();
    for y in first.0..=CURRENT_YEAR.0 {
        let year = FiscalYear(y);
        db::write_tx(conn, |conn| {
            for (n, initiative) in setup.initiatives.iter().enumerate() {
                let status = status_for(year, n, &mut rng);
                let content = content(initiative, year, first, last, &choices, &mut rng);
                let id = sheet::insert(conn, initiative.id, year, status, &content)?;
                history(conn, id, status, &accounts, initiative.department, &mut rng)?;
            }
            plan::insert_report(
                conn,
                setup.plan_id,
                year,
                &format!("令和{}年3月末", y - 2017),
            )
        })?;
        fiscal_years.push(year);
    }
    db::write_tx(conn, |conn| {
        let deadline = chrono::Local::now().date_naive() + chrono::Days::new(30);
        db::round::open(
            conn,
            setup.plan_id,
            CURRENT_YEAR,
            RoundKind::FirstHalf,
            Some(deadline),
        )
    })?;
    db::analyze(conn)?;
    Ok(Generated {
        plan_id: setup.plan_id,
        plan_name: name,
        years: fiscal_years,
        sheets: setup.initiatives.len(),
        staff_logins: accounts.staff.iter().map(|(_, l, _)| l.clone()).collect(),
        hq_login: accounts.hq,
    })
}

struct GeneratedInitiative {
    id: InitiativeId,
    name: String,
    department: DepartmentId,
}

struct Setup {
    plan_id: PlanId,
    departments: Vec<(DepartmentId, String)>,
    initiatives: Vec<GeneratedInitiative>,
}

fn set_up_plan(
    conn: &mut DbConnection,
    name: &str,
    first: FiscalYear,
    last: FiscalYear,
    sheets: usize,
    rng: &mut StdRng,
) -> Result<Setup, DbError> {
    let plan = plan::insert(conn, name, first, last)?;
    let mut departments = Vec::new();
    for d in DEPARTMENTS {
        departments.push((plan::department_id(conn, d)?, d.to_string()));
    }
    let mut areas = Vec::new();
    for (n, title) in AREAS.iter().enumerate() {
        areas.push(plan::insert_area(conn, plan.id, n as i32 + 1, title)?);
    }
    let mut initiatives = Vec::new();
    for n in 0..sheets {
        let area = &areas[n % areas.len()];
        let number = (n / areas.len()) as i32 + 1;
        let (dept, _) = departments[rng.gen_range(0..departments.len())];
        let related: Vec<DepartmentId> = (0..rng.gen_range(0..3))
            .map(|_| departments[rng.gen_range(0..departments.len())].0)
            .filter(|d| *d != dept)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let name = format!(
            "{}{}（{}）",
            SUBJECTS.choose(rng).copied().unwrap_or("業務"),
            VERBS.choose(rng).copied().unwrap_or("の推進"),
            n + 1
        );
        let i = plan::insert_initiative(conn, area.id, number, &name, dept, &related)?;
        initiatives.push(GeneratedInitiative {
            id: i.id,
            name,
            department: dept,
        });
    }
    Ok(Setup {
        plan_id: plan.id,
        departments,
        initiatives,
    })
}

struct Accounts {
    /// (department, login, user id) per department.
    staff: Vec<(DepartmentId, String, crate::domain::ids::UserId)>,
    hq: String,
    hq_id: crate::domain::ids::UserId,
}

/// One staff account per department (`gen{seed}-001`…) and one HQ account.
fn add_accounts(
    conn: &mut DbConnection,
    seed: u64,
    departments: &[(DepartmentId, String)],
    password_hash: &str,
) -> Result<Accounts, DbError> {
    let mut staff = Vec::new();
    for (n, (dept, name)) in departments.iter().enumerate() {
        let login = format!("gen{seed}-{:03}", n + 1);
        let id = db::user::insert(
            conn,
            db::user::NewUser {
                login: &login,
                display_name: &format!("{name} 担当"),
                role: Role::Staff,
                department_id: Some(*dept),
                password_hash,
                email: None,
                must_change_password: false,
            },
        )?;
        staff.push((*dept, login, id));
    }
    let hq = format!("gen{seed}-hq");
    let hq_id = db::user::insert(
        conn,
        db::user::NewUser {
            login: &hq,
            display_name: "行政改革課（合成）",
            role: Role::Hq,
            department_id: None,
            password_hash,
            email: None,
            must_change_password: false,
        },
    )?;
    Ok(Accounts { staff, hq, hq_id })
}

/// Past years are final; the current year has sheets in every state, most
/// of them still being written.
fn status_for(year: FiscalYear, n: usize, rng: &mut StdRng) -> SheetStatus {
    if year != CURRENT_YEAR {
        return SheetStatus::Final;
    }
    // The first sheets stay drafts, so every department has one to edit.
    if n < DEPARTMENTS.len() * 2 {
        return SheetStatus::Draft;
    }
    match rng.gen_range(0..100) {
        0..=44 => SheetStatus::Draft,
        45..=59 => SheetStatus::Submitted,
        60..=69 => SheetStatus::Returned,
        70..=84 => SheetStatus::Confirmed,
        85..=92 => SheetStatus::Evaluated,
        _ => SheetStatus::Final,
    }
}

/// Prose of a length drawn from `chars` (a little over: whole sentences).
fn prose(rng: &mut StdRng, chars: std::ops::Range<usize>) -> String {
    let chars = rng.gen_range(chars);
    let mut text = String::new();
    while text.chars().count() < chars {
        if !text.is_empty() && rng.gen_bool(0.2) {
            text.push('\n');
        }
        text.push_str(SENTENCES.choose(rng).copied().unwrap_or("。"));
    }
    text
}

fn content(
    initiative: &GeneratedInitiative,
    year: FiscalYear,
    first: FiscalYear,
    last: FiscalYear,
    choices: &Choices,
    rng: &mut StdRng,
) -> SheetContent {
    let mut content = SheetContent::default();
    let year_end_written = year != CURRENT_YEAR;
    for f in Field::all() {
        let def = f.def();
        let text = match (def.writer, def.input) {
            (_, Input::Choice(list)) => choices.get(list).choose(rng).cloned().unwrap_or_default(),
            (Writer::Plan, _) => match f.key() {
                "initiative_name" => initiative.name.clone(),
                "plan_years" => format!("{}年", last.0 - first.0 + 1),
                "target_scope" => "全庁".to_string(),
                _ => "行政改革推進プラン".to_string(),
            },
            (Writer::DepartmentIn(RoundKind::YearEnd), _) if !year_end_written => String::new(),
            (Writer::Hq, _) if !year_end_written => String::new(),
            _ => prose(rng, 80..600),
        };
        if text.chars().count() <= def.max_len {
            content.texts.set(f, text);
        }
    }
    let schedule_choice = |rng: &mut StdRng| {
        choices
            .get(ChoiceList::Schedule)
            .choose(rng)
            .cloned()
            .unwrap_or_else(|| "実施".into())
    };
    for _ in 0..rng.gen_range(2..6) {
        let schedule = (first.0..=last.0)
            .map(|y| (FiscalYear(y), schedule_choice(rng)))
            .collect();
        content.action_items.push(ActionItem {
            text: prose(rng, 20..60),
            schedule,
        });
    }
    for k in 0..rng.gen_range(1..4) {
        let unit = ["件", "%", "時間", "人"]
            .choose(rng)
            .copied()
            .unwrap_or("件");
        let mut values = Vec::new();
        for y in first.0..year.0 {
            values.push((
                FiscalYear(y),
                Period::FullYear,
                format!("{}{unit}", rng.gen_range(1..500)),
            ));
        }
        values.push((
            year,
            Period::FirstHalf,
            format!("{}{unit}", rng.gen_range(1..500)),
        ));
        if year_end_written {
            values.push((
                year,
                Period::Current,
                format!("{}{unit}", rng.gen_range(1..500)),
            ));
        }
        values.sort();
        content.indicators.push(Indicator {
            name: format!(
                "指標{}：{}",
                k + 1,
                prose(rng, 10..11).chars().take(20).collect::<String>()
            ),
            method: choices
                .get(ChoiceList::Method)
                .choose(rng)
                .cloned()
                .unwrap_or_else(|| "定量".into()),
            baseline: format!("{}{unit}", rng.gen_range(1..500)),
            baseline_year: Some(FiscalYear(first.0 - 1)),
            target: format!("{}{unit}", rng.gen_range(1..500)),
            target_year: last,
            values,
            direction: None,
            status: String::new(),
        });
    }
    content
}

/// An audit trail leading to the sheet's state: saves by its department,
/// then the steps that reach `status`.
fn history(
    conn: &mut DbConnection,
    id: crate::domain::ids::SheetId,
    status: SheetStatus,
    accounts: &Accounts,
    department: DepartmentId,
    rng: &mut StdRng,
) -> Result<(), DbError> {
    let (user_id, login) = accounts
        .staff
        .iter()
        .find(|(d, _, _)| *d == department)
        .map_or((None, "generate"), |(_, l, u)| (Some(*u), l.as_str()));
    let mut steps = vec![(Event::Save, SheetStatus::Draft, SheetStatus::Draft)];
    for _ in 0..rng.gen_range(0..3) {
        steps.push((Event::Save, SheetStatus::Draft, SheetStatus::Draft));
    }
    let path: &[(Event, SheetStatus, SheetStatus)] = match status {
        SheetStatus::Draft => &[],
        SheetStatus::Submitted => &[(Event::Submit, SheetStatus::Draft, SheetStatus::Submitted)],
        SheetStatus::Returned => &[
            (Event::Submit, SheetStatus::Draft, SheetStatus::Submitted),
            (Event::Return, SheetStatus::Submitted, SheetStatus::Returned),
        ],
        SheetStatus::Confirmed => &[
            (Event::Submit, SheetStatus::Draft, SheetStatus::Submitted),
            (
                Event::Confirm,
                SheetStatus::Submitted,
                SheetStatus::Confirmed,
            ),
        ],
        SheetStatus::Evaluated => &[
            (Event::Submit, SheetStatus::Draft, SheetStatus::Submitted),
            (
                Event::Evaluate,
                SheetStatus::Submitted,
                SheetStatus::Evaluated,
            ),
        ],
        SheetStatus::Final => &[
            (Event::Submit, SheetStatus::Draft, SheetStatus::Submitted),
            (
                Event::Evaluate,
                SheetStatus::Submitted,
                SheetStatus::Evaluated,
            ),
            (Event::Finalize, SheetStatus::Evaluated, SheetStatus::Final),
        ],
    };
    steps.extend_from_slice(path);
    for (event, from, to) in steps {
        let department_step = matches!(event, Event::Save | Event::Submit);
        audit::record(
            conn,
            audit::Entry {
                user_id: if department_step {
                    user_id
                } else {
                    Some(accounts.hq_id)
                },
                actor: if department_step { login } else { &accounts.hq },
                action: AuditAction::Sheet(event),
                sheet_id: Some(id),
                from_status: Some(from),
                to_status: Some(to),
                detail: "合成データ".to_string(),
            },
        )?;
    }
    Ok(())
}
