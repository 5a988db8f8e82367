//! The field registry: every text field of the 取組事業点検・評価票, defined once.
//!
//! Form parsing, validation, the edit form, the sheet page, print, audit diffs,
//! the importer's label variants, the Excel/CSV exports and the database
//! mapping all read [`FIELDS`] instead of listing fields. Adding a field means
//! one entry here and one migration per backend (see README, "Where things are").
//!
//! The 取組項目 and 目標 rows are structured tables, not text fields; which round
//! writes them is [`Part`].

use super::coded::coded_enum;
use super::fiscal_year::{era_name, FiscalYear};
use super::round::RoundKind;

/// Who writes a field, and in which round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// Set when the plan is set up or imported; shown, never on the form.
    Plan,
    /// The department, in either round: it belongs to the plan, not a round.
    Department,
    /// The department, in one round only.
    DepartmentIn(RoundKind),
    /// 推進本部事務局, with its evaluation.
    Hq,
}

impl Writer {
    /// Whether the department writes this in `round`.
    pub fn department_writes_in(self, round: RoundKind) -> bool {
        match self {
            Writer::Department => true,
            Writer::DepartmentIn(r) => r == round,
            Writer::Plan | Writer::Hq => false,
        }
    }
}

coded_enum! {
    /// A dropdown list that HQ edits (stored as `choices.list`).
    pub enum ChoiceList {
        Progress = ("progress", "進捗状況"),
        Evaluation = ("evaluation", "所管課評価・推進本部評価"),
        Method = ("method", "評価方法"),
        Schedule = ("schedule", "取組項目の予定"),
        /// The year's status of a 定性 indicator (it has no 達成率).
        QualitativeStatus = ("qualitative_status", "定性の状況"),
    }
}

/// How a field is typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A textarea of this many rows.
    Text(u8),
    /// A dropdown from a list HQ edits.
    Choice(ChoiceList),
}

/// The fixed cells of the paper's header grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderSlot {
    /// 取組事業名 as written on that year's sheet (the list keeps the master name).
    InitiativeName,
    /// Right of 取組事業名, first line.
    RelatedPlan,
    /// Right of 取組事業名, second line.
    PlanYears,
    /// Right of 所管課・関係課.
    TargetScope,
    /// Under the 目標 table, left.
    RelatedInitiatives,
    /// Under the 目標 table, right.
    SpecialNotes,
}

/// Where a field sits on the paper sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Header(HeaderSlot),
    /// Its own row of the body table, label on the left, in registry order.
    Body,
    /// The third cell of the body row before it (the reason beside 所管課評価).
    Beside,
    /// A body row printed only when it holds text: not on the official form.
    BodyIfWritten,
}

/// One field of the sheet.
#[derive(Debug)]
pub struct FieldDef {
    /// Storage key and form input name.
    pub key: &'static str,
    /// The label on the sheet; 「{年度}」 stands for the sheet's 令和N年度.
    pub label: &'static str,
    /// Other labels earlier reports used for it (whitespace removed), read by the importer.
    pub label_variants: &'static [&'static str],
    pub writer: Writer,
    /// Rounds in which the department must fill it before 提出.
    pub required_in: &'static [RoundKind],
    pub max_len: usize,
    pub input: Input,
    pub place: Place,
    /// Printed before the text unless the department already wrote it (「(理由)」).
    pub prefix: Option<&'static str>,
    /// Copied into next year's sheet when a year is opened.
    pub carried_forward: bool,
    /// Its column heading in the year's list table (Excel, CSV), if it has one.
    pub list_column: Option<&'static str>,
    /// A results report (the text export the importer reads) always has this
    /// row; false for a field newer than the reports on file.
    pub in_report: bool,
}

/// Longest prose a field may hold, in characters.
pub const LONG_TEXT_MAX: usize = 4000;
/// Longest short value (a dropdown value, an indicator cell, a name).
pub const SHORT_TEXT_MAX: usize = 200;

const BOTH: &[RoundKind] = &[RoundKind::FirstHalf, RoundKind::YearEnd];
const FIRST_HALF: &[RoundKind] = &[RoundKind::FirstHalf];
const YEAR_END: &[RoundKind] = &[RoundKind::YearEnd];

const fn field(key: &'static str, label: &'static str, writer: Writer, place: Place) -> FieldDef {
    FieldDef {
        key,
        label,
        label_variants: &[],
        writer,
        required_in: &[],
        max_len: LONG_TEXT_MAX,
        input: Input::Text(4),
        place,
        prefix: None,
        carried_forward: false,
        list_column: None,
        in_report: true,
    }
}

/// Every text field, header first, then the body in paper order.
pub static FIELDS: &[FieldDef] = {
    use HeaderSlot as H;
    use Place::*;
    use RoundKind::*;
    use Writer::*;
    &[
        FieldDef {
            carried_forward: true,
            max_len: SHORT_TEXT_MAX,
            ..field(
                "initiative_name",
                "取組事業名",
                Plan,
                Header(H::InitiativeName),
            )
        },
        FieldDef {
            carried_forward: true,
            max_len: SHORT_TEXT_MAX,
            list_column: Some("推進する計画"),
            ..field("related_plan", "関係計画名", Plan, Header(H::RelatedPlan))
        },
        FieldDef {
            carried_forward: true,
            max_len: SHORT_TEXT_MAX,
            ..field("plan_years", "計画年数", Plan, Header(H::PlanYears))
        },
        FieldDef {
            carried_forward: true,
            max_len: SHORT_TEXT_MAX,
            ..field("target_scope", "対象部局", Plan, Header(H::TargetScope))
        },
        FieldDef {
            carried_forward: true,
            input: Input::Text(2),
            ..field(
                "related_initiatives",
                "関連する取組事業",
                Department,
                Header(H::RelatedInitiatives),
            )
        },
        FieldDef {
            carried_forward: true,
            input: Input::Text(2),
            ..field(
                "special_notes",
                "特記事項",
                Department,
                Header(H::SpecialNotes),
            )
        },
        FieldDef {
            required_in: BOTH,
            carried_forward: true,
            ..field("content", "取組内容", Department, Body)
        },
        field("plan_for_year", "{年度}の実施内容", Department, Body),
        FieldDef {
            required_in: FIRST_HALF,
            ..field(
                "h1_actions",
                "{年度}上半期の取組",
                DepartmentIn(FirstHalf),
                Body,
            )
        },
        FieldDef {
            required_in: FIRST_HALF,
            max_len: SHORT_TEXT_MAX,
            input: Input::Choice(ChoiceList::Progress),
            list_column: Some("上半期進捗状況"),
            ..field(
                "h1_progress",
                "上半期進捗状況",
                DepartmentIn(FirstHalf),
                Body,
            )
        },
        FieldDef {
            required_in: FIRST_HALF,
            // 「下半年へ」 is a typo in a real report that must still be read.
            label_variants: &[
                "下半期へ向けての取組",
                "下半期に向けての取組",
                "下半年へ向けての取組",
            ],
            ..field("h2_plan", "下半期への取組", DepartmentIn(FirstHalf), Body)
        },
        FieldDef {
            required_in: YEAR_END,
            ..field(
                "h2_actions",
                "{年度}下半期の取組",
                DepartmentIn(YearEnd),
                Body,
            )
        },
        FieldDef {
            required_in: YEAR_END,
            ..field("effects", "{年度}の効果・影響", DepartmentIn(YearEnd), Body)
        },
        FieldDef {
            required_in: YEAR_END,
            ..field("issues", "{年度}の課題", DepartmentIn(YearEnd), Body)
        },
        FieldDef {
            required_in: YEAR_END,
            max_len: SHORT_TEXT_MAX,
            input: Input::Choice(ChoiceList::Evaluation),
            list_column: Some("所管課評価"),
            ..field("dept_evaluation", "所管課評価", DepartmentIn(YearEnd), Body)
        },
        FieldDef {
            required_in: YEAR_END,
            input: Input::Text(3),
            prefix: Some("(理由)"),
            list_column: Some("所管課評価の理由"),
            ..field(
                "dept_reason",
                "所管課評価の理由",
                DepartmentIn(YearEnd),
                Beside,
            )
        },
        FieldDef {
            max_len: SHORT_TEXT_MAX,
            input: Input::Choice(ChoiceList::Evaluation),
            list_column: Some("推進本部評価"),
            ..field("hq_evaluation", "推進本部評価", Hq, Body)
        },
        FieldDef {
            label_variants: &["次年度へ向けての取組", "次年度に向けての取組"],
            required_in: YEAR_END,
            ..field("next_year", "次年度への取組", DepartmentIn(YearEnd), Body)
        },
        FieldDef {
            input: Input::Text(3),
            ..field("hq_comment", "推進本部コメント", Hq, BodyIfWritten)
        },
    ]
};

/// A field of the registry (its index in [`FIELDS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Field(usize);

impl Field {
    /// Every field, in registry order.
    pub fn all() -> impl Iterator<Item = Field> + Clone {
        (0..FIELDS.len()).map(Field)
    }

    pub fn def(self) -> &'static FieldDef {
        &FIELDS[self.0]
    }

    pub fn key(self) -> &'static str {
        self.def().key
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Self::all().find(|f| f.key() == key)
    }

    /// The field in a header slot of the paper.
    pub fn in_slot(slot: HeaderSlot) -> Field {
        Self::all()
            .find(|f| f.def().place == Place::Header(slot))
            .unwrap_or(Field(0))
    }

    /// The label on the sheet of `fiscal_year`: 「令和7年度上半期の取組」.
    pub fn label(self, fiscal_year: FiscalYear) -> String {
        self.def().label.replace("{年度}", &era_name(fiscal_year))
    }

    pub fn department_writes_in(self, round: RoundKind) -> bool {
        self.def().writer.department_writes_in(round)
    }

    pub fn required_in(self, round: RoundKind) -> bool {
        self.def().required_in.contains(&round)
    }

    /// Whether the field has its own row in the body of a sheet holding
    /// `texts`: a body field always, one printed only when written while it
    /// holds text (a field placed beside another shares that row).
    pub fn has_body_row(self, texts: &Texts) -> bool {
        match self.def().place {
            Place::Body => true,
            Place::BodyIfWritten => !texts.get(self).is_empty(),
            Place::Header(_) | Place::Beside => false,
        }
    }

    /// The field printed beside this one in the same body row, if any.
    pub fn beside(self) -> Option<Field> {
        let next = Field(self.0 + 1);
        (next.0 < FIELDS.len() && next.def().place == Place::Beside).then_some(next)
    }

    /// The text as printed: the prefix added unless the writer already wrote it
    /// (full-width parentheses included); empty stays empty.
    pub fn printed(self, text: &str) -> String {
        let Some(prefix) = self.def().prefix else {
            return text.to_string();
        };
        let trimmed = text.trim_start();
        let full_width = prefix.replace('(', "（").replace(')', "）");
        if trimmed.is_empty() || trimmed.starts_with(prefix) || trimmed.starts_with(&full_width) {
            text.to_string()
        } else {
            format!("{prefix} {text}")
        }
    }

    /// Recognises a label as a report prints it (whitespace removed) for a sheet
    /// of `fiscal_year`. `Err` when a 令和N年度 label names another year.
    pub fn from_label(written: &str, fiscal_year: FiscalYear) -> Result<Option<Field>, String> {
        for f in Self::all() {
            let def = f.def();
            if def.label == written || def.label_variants.contains(&written) {
                return Ok(Some(f));
            }
            let Some(rest) = def.label.strip_prefix("{年度}") else {
                continue;
            };
            let Some((year, written_rest)) = super::fiscal_year::split_era_year(written) else {
                continue;
            };
            let bare = |s: &str| s.strip_prefix('の').unwrap_or(s).to_string();
            if bare(rest) == bare(written_rest) {
                if year != fiscal_year {
                    return Err(format!(
                        "「{written}」の年度が報告書の年度（{}）と異なります",
                        era_name(fiscal_year)
                    ));
                }
                return Ok(Some(f));
            }
        }
        Ok(None)
    }
}

/// The structured parts of a sheet, and which round the department writes them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// 取組項目 rows and their schedule.
    ActionItems,
    /// The indicators themselves: name, 評価方法, 当初値, 目標値; adding and removing rows.
    IndicatorDefinitions,
    /// The year's 上半期 actual of each indicator.
    IndicatorFirstHalf,
    /// 現況値 and the year's full-year actual.
    IndicatorYearEnd,
}

impl Part {
    pub fn writer(self) -> Writer {
        match self {
            Part::ActionItems | Part::IndicatorDefinitions => Writer::Department,
            Part::IndicatorFirstHalf => Writer::DepartmentIn(RoundKind::FirstHalf),
            Part::IndicatorYearEnd => Writer::DepartmentIn(RoundKind::YearEnd),
        }
    }

    pub fn department_writes_in(self, round: RoundKind) -> bool {
        self.writer().department_writes_in(round)
    }
}

/// The text of every field of one sheet, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts(Vec<String>);

impl Default for Texts {
    fn default() -> Self {
        Self(vec![String::new(); FIELDS.len()])
    }
}

impl Texts {
    pub fn get(&self, field: Field) -> &str {
        self.0.get(field.0).map_or("", String::as_str)
    }

    pub fn set(&mut self, field: Field, text: impl Into<String>) {
        if let Some(slot) = self.0.get_mut(field.0) {
            *slot = text.into();
        }
    }

    pub fn slot(&self, slot: HeaderSlot) -> &str {
        self.get(Field::in_slot(slot))
    }

    /// (field, text) of every field, in registry order.
    pub fn iter(&self) -> impl Iterator<Item = (Field, &str)> {
        Field::all().map(move |f| (f, self.get(f)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_round_trip() {
        for f in Field::all() {
            assert_eq!(Field::from_key(f.key()), Some(f));
        }
        let mut keys: Vec<_> = FIELDS.iter().map(|d| d.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), FIELDS.len());
    }

    #[test]
    fn required_fields_are_written_in_their_round() {
        for f in Field::all() {
            for round in f.def().required_in {
                assert!(f.department_writes_in(*round), "{} required", f.key());
            }
        }
        for slot in [
            HeaderSlot::InitiativeName,
            HeaderSlot::RelatedPlan,
            HeaderSlot::PlanYears,
            HeaderSlot::TargetScope,
            HeaderSlot::RelatedInitiatives,
            HeaderSlot::SpecialNotes,
        ] {
            assert_eq!(Field::in_slot(slot).def().place, Place::Header(slot));
        }
    }

    #[test]
    fn labels_follow_the_year_and_read_back() {
        let labels: Vec<String> = Field::all().map(|f| f.label(FiscalYear(2025))).collect();
        assert!(labels.contains(&"令和7年度上半期の取組".to_string()));
        for f in Field::all().filter(|f| f.def().place == Place::Body) {
            let label = f.label(FiscalYear(2024));
            assert_eq!(
                Field::from_label(&label, FiscalYear(2024)),
                Ok(Some(f)),
                "{label}"
            );
        }
        assert!(Field::from_label("令和5年度の課題", FiscalYear(2024)).is_err());
        assert!(Field::from_label("下半年へ向けての取組", FiscalYear(2024))
            .unwrap()
            .is_some());
        assert_eq!(
            Field::from_label("令和6年度実施内容", FiscalYear(2024)).unwrap(),
            { Field::all().find(|f| f.def().label == "{年度}の実施内容") }
        );
    }

    #[test]
    fn the_reason_prefix_is_added_once() {
        let reason = Field::all()
            .find(|f| f.def().prefix.is_some())
            .expect("a field with a prefix");
        assert_eq!(reason.printed("(理由) x"), "(理由) x");
        assert_eq!(reason.printed("（理由）x"), "（理由）x");
        assert_eq!(reason.printed("x"), "(理由) x");
        assert_eq!(reason.printed(""), "");
    }
}
