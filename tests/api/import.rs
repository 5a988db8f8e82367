//! Importing the customer's FY2024 report: counts, every field of every sheet,
//! re-import, and refusal of broken files without touching the database.
//! (This module tests the importer and what it stores, so it calls
//! `hyoka::import` and `hyoka::db` directly.)

use diesel::prelude::*;
use hyoka::db::{self, schema};
use hyoka::domain::fiscal_year::FiscalYear;
use hyoka::domain::sheet::Period;
use hyoka::domain::workflow::SheetStatus;

use crate::support::cli::hyoka;
use crate::support::{
    expected_sheets, field, seed_report, sheet_text, stored_values, Probe, TestDb, SEED,
};

#[test]
fn seed_gives_six_areas_twelve_initiatives_and_twelve_final_fy2024_sheets() {
    let db = TestDb::seeded();
    let mut conn = db.connect();
    let plans = db::plan::list(&mut conn).unwrap();
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].name, "第2次甲府市行政改革推進プラン（2022～2025）");
    assert_eq!(
        (plans[0].first_year, plans[0].last_year),
        (FiscalYear(2022), FiscalYear(2025))
    );
    assert_eq!(db::plan::areas(&mut conn, plans[0].id).unwrap().len(), 6);
    assert_eq!(
        db::plan::initiatives(&mut conn, plans[0].id).unwrap().len(),
        12
    );
    let list = db::sheet::list_for_year(&mut conn, plans[0].id, FiscalYear(2024)).unwrap();
    assert_eq!(list.len(), 12);
    assert!(list.iter().all(|e| e.status == SheetStatus::Final));
    assert_eq!(
        db::plan::report_date(&mut conn, plans[0].id, FiscalYear(2024))
            .unwrap()
            .as_deref(),
        Some("令和7年3月末")
    );
    // 「D X推進課」「D×推進課」「DX推進課」 are one department.
    let depts = db::plan::department_names(&mut conn).unwrap();
    assert_eq!(
        depts
            .iter()
            .filter(|d| d.contains("推進課") && d.contains('X'))
            .count(),
        1
    );
    assert!(depts.contains(&"DX推進課".to_string()));
    for odd in ["D X推進課", "D×推進課"] {
        assert!(
            !depts.contains(&odd.to_string()),
            "{odd} kept as its own department"
        );
    }
}

#[test]
fn every_field_of_every_sheet_matches_the_seed_text() {
    let db = TestDb::seeded();
    let mut conn = db.connect();
    let sheets = conn.sheets(2024);
    let expected = expected_sheets();
    assert_eq!(expected.len(), 12);
    assert_eq!(sheets.len(), 12);
    for (sheet, want) in sheets.iter().zip(&expected) {
        assert_eq!(
            (sheet.context.area_number, sheet.context.initiative_number),
            (want.area, want.number)
        );
        assert_eq!(sheet.fiscal_year, FiscalYear(2024));
        assert_eq!(
            stored_values(sheet),
            want.values,
            "sheet ({}) No.{}",
            want.area,
            want.number
        );
    }
}

#[test]
fn values_keep_their_exact_spelling_and_numbers_are_parsed_beside_them() {
    let db = TestDb::seeded();
    let mut conn = db.connect();
    let sheets = conn.sheets(2024);
    let first = &sheets[0];
    let overtime = &first.content.indicators[0];
    assert_eq!(overtime.baseline, "月12.8時間");
    assert_eq!(overtime.baseline_year, Some(FiscalYear(2020)));
    assert_eq!(
        overtime.value(FiscalYear(2022), Period::FullYear),
        "月14.7時間"
    );
    assert_eq!(
        overtime.value(FiscalYear(2024), Period::FirstHalf),
        "月12.3時間"
    );
    assert_eq!(
        overtime.value(FiscalYear(2024), Period::Current),
        "月12.2時間"
    );
    assert_eq!(overtime.target, "月10.2時間");
    assert_eq!(
        first.content.action_items[0].cell(FiscalYear(2022)),
        "検討・実施"
    );
    assert_eq!(
        sheet_text(first, "dept_reason"),
        "(理由) 超過勤務実績等を把握するとともに令和6年度の取組における効果や課題を分析し、引き続き超過勤務時間の縮減に向けた効果的な取組を検討していく。"
    );

    // Parsed numbers sit beside the text; words and typos have none.
    use schema::indicator_values as iv;
    let parsed: Vec<(String, Option<f64>, Option<String>)> = iv::table
        .select((iv::value_text, iv::value_number, iv::value_unit))
        .load(&mut conn)
        .unwrap();
    let find = |t: &str| {
        parsed
            .iter()
            .find(|(text, _, _)| text == t)
            .cloned()
            .unwrap()
    };
    assert_eq!(find("月13.0時間").1, Some(13.0));
    assert_eq!(find("4.81%").1, Some(4.81));
    assert_eq!(find("4.81%").2.as_deref(), Some("%"));
    assert_eq!(find("1回 (年間)").1, Some(1.0));
    assert_eq!(find("順調").1, None);

    // (3) No.1: HTML list cells became plain lines.
    let online = &sheets[5];
    assert!(sheet_text(online, "issues").starts_with(
        "●各種行政手続のオンライン化に当たっては、現状の事務フローの見直しが必要である。\n●加えて"
    ));
    for key in ["h2_actions", "next_year"] {
        let text = sheet_text(online, key);
        assert!(!text.contains('<') && !text.contains('>'), "{text}");
    }
    // (3) No.3 and (4) No.2 keep what the department wrote.
    let internal = &sheets[7];
    assert_eq!(internal.content.indicators[0].target, "-1件");
    assert_eq!(internal.context.department, "DX推進課");
    assert!(sheet_text(&sheets[9], "effects").contains("211,94㎡"));
}

#[test]
fn differences_between_list_page_and_sheets_are_reported() {
    let report = seed_report();
    let all: String = report.warnings.iter().map(|w| format!("{w}\n")).collect();
    for pair in [
        ("人財育成の推進", "人材育成の推進"),
        (
            "データ活用基盤の整備・活用促進",
            "データ活用基盤の整備と活用促進",
        ),
        ("SDG sの推進", "SDGsの推進"),
    ] {
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.message.contains(pair.0) && w.message.contains(pair.1)),
            "no warning for {pair:?} in:\n{all}"
        );
    }
}

#[test]
fn importing_the_same_report_again_changes_nothing() {
    let db = TestDb::seeded();
    let mut conn = db.connect();
    let before = conn.table_counts();
    let sheets_before = conn.sheets(2024);
    let summary = ::hyoka::app::import::import_report(&mut conn, &seed_report(), "test").unwrap();
    assert_eq!(summary.sheets_created, 0);
    assert_eq!(summary.sheets_unchanged, 12);
    assert_eq!(conn.table_counts(), before);
    assert_eq!(conn.sheets(2024), sheets_before);
}

#[test]
fn a_failure_half_way_leaves_the_database_as_it_was() {
    let db = TestDb::empty();
    db.migrate();
    let mut conn = db.connect();
    // First only the last sheet, with a different text...
    let mut last_only = seed_report();
    last_only.initiatives.retain(|i| i.area_number == 6);
    let issues = field("issues");
    let sheet = &mut last_only.initiatives[0].sheet;
    let edited = format!("{}（修正）", sheet.texts.get(issues));
    sheet.texts.set(issues, edited);
    ::hyoka::app::import::import_report(&mut conn, &last_only, "test").unwrap();
    let before = conn.table_counts();
    // ...then the whole report: eleven sheets would be new, the twelfth conflicts.
    let err = ::hyoka::app::import::import_report(&mut conn, &seed_report(), "test").unwrap_err();
    assert!(err.to_string().contains("(6)"), "{err}");
    assert_eq!(conn.table_counts(), before);
}

#[test]
fn truncated_and_garbled_files_are_refused_with_a_line_number() {
    let lines: Vec<&str> = SEED.lines().collect();
    // Cut in the middle of the last sheet.
    let truncated = lines[..lines.len() - 3].join("\n");
    let err = hyoka::import::parse_report(&truncated).unwrap_err();
    assert!(err.line > 0 && err.line <= lines.len(), "{err}");
    assert!(err.to_string().contains("行目"), "{err}");

    // A line of noise inside the first sheet's body.
    let at = lines
        .iter()
        .position(|l| l.starts_with("取組内容"))
        .unwrap();
    let mut garbled: Vec<&str> = lines.clone();
    garbled.insert(at + 1, "ｘｘｘ\tこれは評価票の行ではありません");
    let err = hyoka::import::parse_report(&garbled.join("\n")).unwrap_err();
    assert_eq!(err.line, at + 2, "{err}");

    assert!(hyoka::import::parse_report("").is_err());
    assert!(hyoka::import::report_text::parse_report_bytes(b"\xff\xfe garbage").is_err());
}

/// The command line refuses a broken file and leaves the database unchanged.
#[test]
fn import_command_refuses_a_broken_file_and_changes_nothing() {
    let db = TestDb::seeded();
    let before = db.connect().table_counts();
    let dir = std::env::temp_dir().join(format!("hyoka-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.txt");
    let lines: Vec<&str> = SEED.lines().collect();
    std::fs::write(&file, lines[..lines.len() / 2].join("\n")).unwrap();

    let out = hyoka(&db, &["import", file.to_str().unwrap()], "");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("行目"), "{stderr}");
    assert_eq!(db.connect().table_counts(), before);

    // The good file imports cleanly and again changes nothing.
    let good = dir.join("good.txt");
    std::fs::write(&good, SEED).unwrap();
    let out = hyoka(&db, &["import", good.to_str().unwrap()], "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("新規 0 件、変更なし 12 件"), "{stdout}");
    assert_eq!(db.connect().table_counts(), before);
    let _ = std::fs::remove_dir_all(&dir);
}
