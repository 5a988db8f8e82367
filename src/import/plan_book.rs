//! The plan workbook (計画ワークブック): one .xlsx describing a plan, its
//! departments, 推進項目, 取組事業 with their 取組項目 and 目標, and optionally
//! the accounts. Columns are found by their heading in row 1, in any order;
//! other columns are ignored. Everything is read and checked here; nothing
//! touches the database (see `app::plan_import`).

use super::workbook::{Book, Grid, Problem};
use crate::domain::department::{normalize_department, split_departments};
use crate::domain::fiscal_year::{era_name, parse_int, year_written, FiscalYear};
use crate::domain::permission::Role;
use crate::domain::sheet::{ActionItem, Indicator};

/// One worksheet of the plan workbook: name, headings, and what the 「説明」
/// worksheet says about each heading. The writer and the reader share it.
pub struct Part {
    pub name: &'static str,
    pub columns: &'static [(&'static str, &'static str)],
    pub optional: bool,
}

pub const PLAN: Part = Part {
    name: "計画",
    columns: &[
        ("計画名", "計画の正式名称（1行だけ書きます）"),
        (
            "初年度",
            "計画の最初の年度（令和4年度、R4、2022、2022年度のいずれでも可）",
        ),
        ("最終年度", "計画の最後の年度（書き方は初年度と同じ）"),
    ],
    optional: false,
};
pub const DEPARTMENTS: Part = Part {
    name: "所管課",
    columns: &[("所管課名", "所管課・関係課として使う課の名称（1行に1課）")],
    optional: false,
};
pub const AREAS: Part = Part {
    name: "推進項目",
    columns: &[
        ("番号", "推進項目の番号（1, 2, 3 …）"),
        ("推進項目", "推進項目の名称"),
    ],
    optional: false,
};
pub const INITIATIVES: Part = Part {
    name: "取組事業",
    columns: &[
        ("推進項目番号", "この取組事業が属する推進項目の番号"),
        ("No.", "推進項目の中での取組事業の番号"),
        ("取組事業名", "取組事業の名称"),
        ("所管課", "所管課（「所管課」シートにある課）"),
        (
            "関係課",
            "関係課（複数は「、」か改行で区切る。なければ空欄）",
        ),
        ("関係計画名", "関係計画名（推進する計画）"),
        ("計画年数", "計画年数（例: 4年間（令和7年度まで））"),
        ("対象部局", "対象部局（全部局 / 指定部局 など）"),
    ],
    optional: false,
};
pub const ITEMS: Part = Part {
    name: "取組項目",
    columns: &[
        ("推進項目番号", "取組事業の推進項目番号"),
        ("No.", "取組事業の No."),
        (
            "項目",
            "取組項目（1行に1項目。並び順がそのまま①②…の順になります）",
        ),
    ],
    optional: false,
};
pub const TARGETS: Part = Part {
    name: "目標",
    columns: &[
        ("推進項目番号", "取組事業の推進項目番号"),
        ("No.", "取組事業の No."),
        ("指標名", "指標名"),
        ("評価方法", "定量 / 定性"),
        ("当初値", "当初値（書いたとおりに保存します）"),
        ("当初値の年度", "当初値の年度（空欄可）"),
        ("目標値", "目標値（書いたとおりに保存します）"),
        ("目標値の年度", "目標値の年度（空欄なら最終年度）"),
    ],
    optional: false,
};
pub const USERS: Part = Part {
    name: "利用者",
    columns: &[
        ("ログインID", "ログインID（空白なし）"),
        ("氏名", "氏名"),
        ("役割", "所管課 / 推進本部 / 管理者"),
        ("所管課", "所属課（役割が所管課のとき必須）"),
        ("メールアドレス", "メールアドレス（空欄可）"),
    ],
    optional: true,
};

pub const PARTS: [&Part; 7] = [
    &PLAN,
    &DEPARTMENTS,
    &AREAS,
    &INITIATIVES,
    &ITEMS,
    &TARGETS,
    &USERS,
];

/// Explains the per-year columns of 「取組項目」, which follow 「項目」.
pub const SCHEDULE_NOTE: &str =
    "「項目」の右に計画の年度ごとの列（見出しは令和4年度 … のように和暦）を置き、予定（検討、実施 …）を書きます";

/// The roles as the workbook writes them.
pub const ROLE_WORDS: [(&str, Role); 3] = [
    ("所管課", Role::Staff),
    ("推進本部", Role::Hq),
    ("管理者", Role::Admin),
];

pub fn role_word(role: Role) -> &'static str {
    ROLE_WORDS
        .iter()
        .find(|(_, r)| *r == role)
        .map_or("", |(w, _)| w)
}

/// A whole plan as the workbook describes it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanBook {
    pub name: String,
    pub first_year: FiscalYear,
    pub last_year: FiscalYear,
    /// Normalised names, in the order written.
    pub departments: Vec<String>,
    /// (number, title)
    pub areas: Vec<(i32, String)>,
    pub initiatives: Vec<PlanInitiative>,
    pub users: Vec<PlanUser>,
    /// Accepted, but a person should know (formulas read as their value).
    pub notes: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanInitiative {
    pub area_number: i32,
    pub number: i32,
    pub name: String,
    pub department: String,
    pub related: Vec<String>,
    pub related_plan: String,
    pub plan_years: String,
    pub target_scope: String,
    pub action_items: Vec<ActionItem>,
    /// Baseline, target and their years; no values.
    pub indicators: Vec<Indicator>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanUser {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub department: Option<String>,
    pub email: String,
}

/// Reads and checks the whole workbook; every problem is returned at once.
pub fn parse_plan_book(bytes: Vec<u8>) -> Result<PlanBook, Vec<Problem>> {
    let mut book = Book::open(bytes).map_err(|p| vec![p])?;
    let mut r = Reading::default();
    let mut grids = Vec::new();
    for part in PARTS {
        match book.grid(part.name) {
            Ok(Some(g)) => grids.push(Some(g)),
            Ok(None) if part.optional => grids.push(None),
            Ok(None) => {
                r.problems.push(Problem::file(format!(
                    "ワークシート「{}」がありません",
                    part.name
                )));
                grids.push(None);
            }
            Err(p) => {
                r.problems.push(p);
                grids.push(None);
            }
        }
    }
    if !r.problems.is_empty() {
        return Err(r.problems);
    }
    for g in grids.iter().flatten() {
        for &(row, col) in &g.formulas {
            r.out.notes.push(Problem::at(
                g.place(row, col),
                "数式は計算せず、Excel が保存した値を読みました",
            ));
        }
    }
    let [Some(plan), Some(depts), Some(areas), Some(inits), Some(items), Some(targets), users] =
        grids.as_slice()
    else {
        return Err(r.problems);
    };
    r.plan(plan);
    r.departments(depts);
    r.areas(areas);
    r.initiatives(inits);
    r.items(items);
    r.targets(targets);
    if let Some(users) = users {
        r.users(users);
    }
    if r.problems.is_empty() {
        Ok(r.out)
    } else {
        Err(r.problems)
    }
}

#[derive(Default)]
struct Reading {
    out: PlanBook,
    problems: Vec<Problem>,
}

/// A cell's text with stray spaces and line ends trimmed.
fn clean(s: &str) -> String {
    s.trim_matches(|c: char| c.is_whitespace()).to_string()
}

impl Reading {
    fn columns(&mut self, g: &Grid, part: &Part) -> Option<Vec<u32>> {
        let names: Vec<&str> = part.columns.iter().map(|(n, _)| *n).collect();
        g.columns(&names).map_err(|p| self.problems.push(p)).ok()
    }

    fn number(&mut self, g: &Grid, row: u32, col: u32, what: &str) -> Option<i32> {
        let text = g.cell(row, col);
        let n = parse_int(&clean(text).replace(['(', ')', '（', '）'], ""));
        if n.is_none() {
            let shown = if text.trim().is_empty() {
                "空欄です".to_string()
            } else {
                format!("「{text}」は数字ではありません")
            };
            self.problems
                .push(Problem::at(g.place(row, col), format!("{what}が{shown}")));
        }
        n
    }

    fn required(&mut self, g: &Grid, row: u32, col: u32, what: &str) -> Option<String> {
        let v = clean(g.cell(row, col));
        if v.is_empty() {
            self.problems
                .push(Problem::at(g.place(row, col), format!("{what}が空欄です")));
            return None;
        }
        Some(v)
    }

    fn year(&mut self, g: &Grid, row: u32, col: u32, what: &str) -> Option<FiscalYear> {
        let text = g.cell(row, col);
        let y = year_written(text);
        if y.is_none() {
            self.problems.push(Problem::at(
                g.place(row, col),
                format!(
                    "{what}「{text}」を年度として読めません（令和4年度、R4、2022 などと書きます）"
                ),
            ));
        }
        y
    }

    fn plan(&mut self, g: &Grid) {
        let Some(c) = self.columns(g, &PLAN) else {
            return;
        };
        let rows: Vec<u32> = g.data_rows().collect();
        let Some(&row) = rows.first() else {
            self.problems
                .push(Problem::at(g.place(1, 0), "計画の行がありません"));
            return;
        };
        if rows.len() > 1 {
            self.problems.push(Problem::at(
                g.place(rows[1], 0),
                "計画シートには1行だけ書きます",
            ));
        }
        let name = self.required(g, row, c[0], "計画名");
        let first = self.year(g, row, c[1], "初年度");
        let last = self.year(g, row, c[2], "最終年度");
        if let (Some(first), Some(last)) = (first, last) {
            if last < first || last.0 - first.0 > 20 {
                self.problems.push(Problem::at(
                    g.place(row, c[2]),
                    "最終年度が初年度より前か、期間が長すぎます",
                ));
            }
            self.out.first_year = first;
            self.out.last_year = last;
        }
        self.out.name = name.unwrap_or_default();
    }

    fn departments(&mut self, g: &Grid) {
        let Some(c) = self.columns(g, &DEPARTMENTS) else {
            return;
        };
        for row in g.data_rows() {
            let name = normalize_department(g.cell(row, c[0]));
            if name.is_empty() {
                continue;
            }
            if self.out.departments.contains(&name) {
                self.problems.push(Problem::at(
                    g.place(row, c[0]),
                    format!("所管課「{name}」が2回書かれています"),
                ));
            } else {
                self.out.departments.push(name);
            }
        }
    }

    /// The department named in a cell, checked against the 所管課 worksheet.
    fn known_department(&mut self, g: &Grid, row: u32, col: u32, name: String) -> String {
        if !self.out.departments.contains(&name) {
            self.problems.push(Problem::at(
                g.place(row, col),
                format!("所管課「{name}」がありません（所管課シートに追加してください）"),
            ));
        }
        name
    }

    fn areas(&mut self, g: &Grid) {
        let Some(c) = self.columns(g, &AREAS) else {
            return;
        };
        for row in g.data_rows() {
            let number = self.number(g, row, c[0], "番号");
            let title = self.required(g, row, c[1], "推進項目");
            if let (Some(number), Some(title)) = (number, title) {
                if self.out.areas.iter().any(|(n, _)| *n == number) {
                    self.problems.push(Problem::at(
                        g.place(row, c[0]),
                        format!("推進項目 ({number}) が2回書かれています"),
                    ));
                } else {
                    self.out.areas.push((number, title));
                }
            }
        }
    }

    /// (推進項目番号, No.) of a row, checked to name a known area.
    fn key(&mut self, g: &Grid, row: u32, c: &[u32]) -> Option<(i32, i32)> {
        let area = self.number(g, row, c[0], "推進項目番号");
        let number = self.number(g, row, c[1], "No.");
        let (area, number) = (area?, number?);
        if !self.out.areas.iter().any(|(n, _)| *n == area) {
            self.problems.push(Problem::at(
                g.place(row, c[0]),
                format!("推進項目 ({area}) がありません（推進項目シートに追加してください）"),
            ));
            return None;
        }
        Some((area, number))
    }

    fn initiatives(&mut self, g: &Grid) {
        let Some(c) = self.columns(g, &INITIATIVES) else {
            return;
        };
        for row in g.data_rows() {
            let key = self.key(g, row, &c);
            let name = self.required(g, row, c[2], "取組事業名");
            let dept = normalize_department(g.cell(row, c[3]));
            let dept = if dept.is_empty() {
                self.problems
                    .push(Problem::at(g.place(row, c[3]), "所管課が空欄です"));
                dept
            } else {
                self.known_department(g, row, c[3], dept)
            };
            let mut related = Vec::new();
            for part in g.cell(row, c[4]).split(['、', ',', '，', '\n']) {
                for name in split_departments(part) {
                    let name = self.known_department(g, row, c[4], name);
                    if !related.contains(&name) {
                        related.push(name);
                    }
                }
            }
            let (Some((area_number, number)), Some(name)) = (key, name) else {
                continue;
            };
            if self.find(area_number, number).is_some() {
                self.problems.push(Problem::at(
                    g.place(row, c[1]),
                    format!("({area_number}) No.{number} が2回書かれています"),
                ));
                continue;
            }
            self.out.initiatives.push(PlanInitiative {
                area_number,
                number,
                name,
                department: dept,
                related,
                related_plan: clean(g.cell(row, c[5])),
                plan_years: clean(g.cell(row, c[6])),
                target_scope: clean(g.cell(row, c[7])),
                action_items: Vec::new(),
                indicators: Vec::new(),
            });
        }
    }

    fn find(&mut self, area: i32, number: i32) -> Option<&mut PlanInitiative> {
        self.out
            .initiatives
            .iter_mut()
            .find(|i| i.area_number == area && i.number == number)
    }

    /// The initiative a 取組項目 / 目標 row belongs to.
    fn owner(&mut self, g: &Grid, row: u32, c: &[u32]) -> Option<(i32, i32)> {
        let (area, number) = self.key(g, row, c)?;
        if self.find(area, number).is_none() {
            self.problems.push(Problem::at(
                g.place(row, c[1]),
                format!("({area}) No.{number} が取組事業シートにありません"),
            ));
            return None;
        }
        Some((area, number))
    }

    fn items(&mut self, g: &Grid) {
        let Some(c) = self.columns(g, &ITEMS) else {
            return;
        };
        let years: Vec<FiscalYear> =
            FiscalYear::span(self.out.first_year, self.out.last_year).collect();
        let mut year_cols = Vec::new();
        for y in &years {
            match g.columns(&[&era_name(*y)]) {
                Ok(col) => year_cols.push((*y, col[0])),
                Err(p) => self.problems.push(p),
            }
        }
        for row in g.data_rows() {
            let owner = self.owner(g, row, &c);
            let text = self.required(g, row, c[2], "項目");
            let schedule = year_cols
                .iter()
                .map(|(y, col)| (*y, clean(g.cell(row, *col))))
                .filter(|(_, v)| !v.is_empty())
                .collect();
            if let (Some((a, n)), Some(text)) = (owner, text) {
                if let Some(i) = self.find(a, n) {
                    i.action_items.push(ActionItem { text, schedule });
                }
            }
        }
    }

    fn targets(&mut self, g: &Grid) {
        let Some(c) = self.columns(g, &TARGETS) else {
            return;
        };
        let last = self.out.last_year;
        for row in g.data_rows() {
            let owner = self.owner(g, row, &c);
            let name = self.required(g, row, c[2], "指標名");
            let baseline_year = match g.cell(row, c[5]).trim() {
                "" => None,
                _ => self.year(g, row, c[5], "当初値の年度"),
            };
            let target_year = match g.cell(row, c[7]).trim() {
                "" => Some(last),
                _ => self.year(g, row, c[7], "目標値の年度"),
            };
            let (Some((a, n)), Some(name), Some(target_year)) = (owner, name, target_year) else {
                continue;
            };
            let indicator = Indicator {
                name,
                method: clean(g.cell(row, c[3])),
                baseline: clean(g.cell(row, c[4])),
                baseline_year,
                target: clean(g.cell(row, c[6])),
                target_year,
                values: Vec::new(),
                // Proposed from 当初値 and 目標値 when the sheet is shown.
                direction: None,
                // Paper reports have no status list: chosen on the form.
                status: String::new(),
            };
            if let Some(i) = self.find(a, n) {
                i.indicators.push(indicator);
            }
        }
    }

    fn users(&mut self, g: &Grid) {
        let Some(c) = self.columns(g, &USERS) else {
            return;
        };
        for row in g.data_rows() {
            let login = self.required(g, row, c[0], "ログインID");
            if let Some(l) = &login {
                if l.chars().any(char::is_whitespace)
                    || l.chars().count() > crate::domain::text::LOGIN_MAX
                {
                    self.problems.push(Problem::at(
                        g.place(row, c[0]),
                        format!(
                            "ログインIDは空白なしの{}文字以内にしてください",
                            crate::domain::text::LOGIN_MAX
                        ),
                    ));
                }
                if self.out.users.iter().any(|u| &u.login == l) {
                    self.problems.push(Problem::at(
                        g.place(row, c[0]),
                        format!("ログインID「{l}」が2回書かれています"),
                    ));
                }
            }
            let name = self.required(g, row, c[1], "氏名");
            let word = clean(g.cell(row, c[2]));
            let role = ROLE_WORDS.iter().find(|(w, _)| *w == word).map(|(_, r)| *r);
            if role.is_none() {
                self.problems.push(Problem::at(
                    g.place(row, c[2]),
                    format!("役割「{word}」は 所管課 / 推進本部 / 管理者 のいずれかにしてください"),
                ));
            }
            let dept = normalize_department(g.cell(row, c[3]));
            let department = if dept.is_empty() {
                if role == Some(Role::Staff) {
                    self.problems.push(Problem::at(
                        g.place(row, c[3]),
                        "役割が所管課の利用者には所管課が必要です",
                    ));
                }
                None
            } else {
                Some(self.known_department(g, row, c[3], dept))
            };
            let email = clean(g.cell(row, c[4]));
            if !email.is_empty() && !email.contains('@') {
                self.problems.push(Problem::at(
                    g.place(row, c[4]),
                    format!("メールアドレス「{email}」の形が正しくありません"),
                ));
            }
            if let (Some(login), Some(name), Some(role)) = (login, name, role) {
                self.out.users.push(PlanUser {
                    login,
                    name,
                    role,
                    department,
                    email,
                });
            }
        }
    }
}
