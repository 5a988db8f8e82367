//! Indicators over HTTP: 達成率 and directions of the seed on the board and
//! the sheet page, the check mark, band edits, the SVG charts, the board's
//! exports and print, copied-from-last-year marks, and the search across years.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use hyoka::domain::permission::Role;
use scraper::{Html, Selector};

use crate::support::{count, text_of, Probe, TestApp};

/// The board's rows as (指標名 → row cells' text).
fn board_rows(html: &str) -> HashMap<String, Vec<String>> {
    let doc = Html::parse_document(html);
    let row = Selector::parse("table.board tbody tr").unwrap();
    let cell = Selector::parse("td").unwrap();
    doc.select(&row)
        .map(|tr| {
            let cells: Vec<String> = tr
                .select(&cell)
                .map(|td| td.text().collect::<String>().trim().to_string())
                .collect();
            (cells[3].clone(), cells)
        })
        .collect()
}

/// Column of the board header named `name`.
fn column(html: &str, name: &str) -> usize {
    let doc = Html::parse_document(html);
    let th = Selector::parse("table.board thead th").unwrap();
    doc.select(&th)
        .position(|h| h.text().collect::<String>().trim() == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

const OVERTIME: &str = "超過勤務時間の縮減 (一人当たりの月平均)";
const LEAVE: &str = "年次有給休暇の平均取得日数";

#[tokio::test]
async fn seed_figures_directions_and_checks_on_the_board() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let html = hq.page("/indicators?year=2024").await;
    let rows = board_rows(&html);
    let (dir, pct) = (column(&html, "方向"), column(&html, "達成率"));
    assert_eq!(rows[OVERTIME][pct], "23.1%");
    assert_eq!(rows[LEAVE][pct], "76.5%");
    // A 減少 indicator that got worse: 8 → 12 against 0.
    assert_eq!(
        rows["長時間労働の縮減 (長時間労働が発生する職場数の縮減)"][pct],
        "-50.0%"
    );
    let decreasing = [
        OVERTIME,
        "長時間労働の縮減 (長時間労働が発生する職場数の縮減)",
        "長時間労働の縮減（長時間労働が発生する職場数の縮減）（再掲）",
    ];
    let increasing = [
        LEAVE,
        "国の重点計画に基づき優先される行政 手続きオンライン化の実施割合",
        "データ活用の実施",
        "意識醸成・活用技術向上研修の実施",
        "デジタル化の件数",
        "利活用にに向けた個別方針策定件数",
        "公募等実施件数",
        "再配置取組実施件数 (再配置短期対象施設数)",
        "延床面積削減率 (再配置計画短期目標値)",
        "甲府市SDGs推進パートナー登録数",
    ];
    for name in decreasing {
        assert_eq!(rows[name][dir], "↓減少", "{name}");
    }
    for name in increasing {
        assert_eq!(rows[name][dir], "↑増加", "{name}");
    }
    assert_eq!(rows.len(), 16, "every indicator of the year");
    // 「1回」 against 「2回 (年間)」: units differ. 「-1件」 as a target: no ratio.
    // Neither gets a figure; both carry the mark.
    for name in ["意識醸成・活用技術向上研修の実施", "デジタル化の件数"] {
        assert!(
            rows[name][pct].starts_with("⚠数値を確認してください"),
            "{name}: {}",
            rows[name][pct]
        );
        assert!(!rows[name][pct].contains('%'), "{name}");
    }
    // Qualitative indicators show their status, not a figure.
    assert_eq!(
        rows["持続可能な自治会活動に向けた支援体制の確立"][pct],
        "順調"
    );
    // 「要確認のみ」 lists exactly the marked ones.
    let checks = board_rows(&hq.page("/indicators?year=2024&check=1").await);
    let mut names: Vec<&String> = checks.keys().collect();
    names.sort();
    assert_eq!(
        names,
        ["デジタル化の件数", "意識醸成・活用技術向上研修の実施"]
    );
}

#[tokio::test]
async fn the_sheet_page_shows_the_figure_and_a_chart_per_indicator() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let overtime = app.sheet_id(2024, 1, 1);
    let html = hq.page(&format!("/sheets/{overtime}")).await;
    let text = text_of(&html);
    assert!(text.contains("指標の達成状況"));
    assert!(text.contains("23.1%"), "{text}");
    let leave = hq
        .page(&format!("/sheets/{}", app.sheet_id(2024, 1, 2)))
        .await;
    assert!(text_of(&leave).contains("76.5%"));
    // One chart per 定量 row, with title and description.
    assert_eq!(count(&html, ".indicator-panel svg.trend"), 2);
    // A title for the chart and for each of its five markers.
    assert_eq!(count(&html, ".indicator-panel svg.trend title"), 2 * 6);
    assert!(html.contains("<desc>令和2年度 当初値 月12.8時間、令和4年度 実績 月14.7時間"));
    // Baseline (R2), R4, R5, R6 year-end: one point per year, oldest first;
    // the 上半期 actual is its own marker.
    let doc = Html::parse_document(&html);
    let svg = Selector::parse(".indicator-panel svg.trend").unwrap();
    let point = Selector::parse(".point").unwrap();
    let first = doc.select(&svg).next().unwrap();
    let years: Vec<String> = first
        .select(&point)
        .map(|p| p.value().attr("data-year").unwrap().to_string())
        .collect();
    assert_eq!(years, ["2020", "2022", "2023", "2024"]);
    let xs: Vec<f64> = first
        .select(&point)
        .map(|p| {
            let v = p.value();
            v.attr("cx")
                .or(v.attr("x"))
                .unwrap()
                .parse::<f64>()
                .unwrap()
        })
        .collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
    assert_eq!(count(&html, ".indicator-panel svg.trend path.half"), 2);
    // 和暦 axis labels.
    assert!(html.contains(">令和4</text>"));
    // The printed sheet stays as on paper: no chart by default.
    let print = hq.page(&format!("/sheets/{overtime}/print")).await;
    assert_eq!(count(&print, "svg.trend"), 0);
}

#[tokio::test]
async fn band_edits_by_hq_change_the_board_and_staff_cannot_edit() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let html = hq.page("/indicators?year=2024").await;
    let band = column(&html, "評価区分");
    assert_eq!(board_rows(&html)[LEAVE][band], "△C");

    let settings = hq.page("/indicators/settings").await;
    let plan = crate::support::field_value(&settings, "plan");
    let csrf = crate::support::csrf_of(&settings);
    let form = [
        ("csrf_token", csrf.as_str()),
        ("plan", plan.as_str()),
        ("rule", "progress"),
        ("label-0", "優"),
        ("symbol-0", "◎"),
        ("colour-0", "#1b7f3b"),
        ("min-0", "75"),
        ("label-1", "可"),
        ("symbol-1", "△"),
        ("colour-1", "#b7791f"),
        ("min-1", ""),
    ];
    let resp = hq.post_form("/indicators/settings", &form).await;
    assert_eq!(resp.status().as_u16(), 303);
    let html = hq.page("/indicators?year=2024").await;
    let rows = board_rows(&html);
    assert_eq!(rows[LEAVE][band], "◎優");
    assert_eq!(rows[OVERTIME][band], "△可");
    // Filter by band.
    let only = board_rows(&hq.page("/indicators?year=2024&band=優").await);
    assert!(only.contains_key(LEAVE) && !only.contains_key(OVERTIME));

    // A band without a symbol is refused with the form kept.
    let mut bad = form.to_vec();
    bad[4] = ("symbol-0", "");
    let resp = hq.post_form("/indicators/settings", &bad).await;
    assert_eq!(resp.status().as_u16(), 400);
    let page = resp.text().await.unwrap();
    assert!(page.contains("記号は1〜3文字で入力してください"));
    assert!(page.contains("value=\"優\""));

    // Staff: no settings page, no post.
    let staff = app.staff_of("職員課").await;
    assert_eq!(staff.status_of("/indicators/settings").await, 403);
    let csrf = staff.csrf_token().await;
    let mut attempt = form.to_vec();
    attempt[0] = ("csrf_token", csrf.as_str());
    let resp = staff.post_form("/indicators/settings", &attempt).await;
    assert_eq!(resp.status().as_u16(), 403);
    // The bands are still HQ's.
    let rows = board_rows(&hq.page("/indicators?year=2024").await);
    assert_eq!(rows[LEAVE][band], "◎優");
}

#[tokio::test]
async fn directions_are_set_by_department_and_hq_and_audited() {
    let app = TestApp::spawn().await;
    let id = app.sheet_id(2025, 1, 1);
    let staff = app.staff_of("職員課").await;
    let html = staff.page(&format!("/sheets/{id}")).await;
    let action = crate::support::attr_of(&html, ".direction-form", "action").unwrap();
    let csrf = crate::support::csrf_of(&html);
    let resp = staff
        .post_form(
            &action,
            &[("csrf_token", csrf.as_str()), ("direction", "maintain")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let html = staff.page(&format!("/sheets/{id}")).await;
    assert!(text_of(&html).contains("→維持"));
    let history = staff.page(&format!("/sheets/{id}/history")).await;
    assert!(text_of(&history).contains("指標の方向の変更"));
    // The department sets it in the edit form as well; saving keeps it.
    let mut form = staff.edit_form(id).await;
    assert_eq!(form.get("i0_direction"), Some("maintain"));
    form.set("i0_direction", "decrease");
    let resp = staff.save_sheet(id, &form).await;
    assert_eq!(resp.status().as_u16(), 303);
    let html = staff.page(&format!("/sheets/{id}")).await;
    let doc = Html::parse_document(&html);
    let first = Selector::parse(".indicator-table tbody tr td.direction").unwrap();
    let cell: String = doc.select(&first).next().unwrap().text().collect();
    assert!(
        cell.trim().starts_with("↓減少") && !cell.contains("（自動）"),
        "{cell}"
    );
    // Another department may not.
    let other = app.staff_of("DX推進課").await;
    let csrf = other.csrf_token().await;
    let resp = other
        .post_form(
            &action,
            &[("csrf_token", csrf.as_str()), ("direction", "increase")],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 404);
}

#[tokio::test]
async fn the_board_exports_and_prints() {
    let app = TestApp::seeded().await;
    let hq = app.login_as(Role::Hq).await;
    let resp = hq.get("/indicators/export.csv?year=2024").await;
    assert_eq!(resp.status().as_u16(), 200);
    let bytes = resp.bytes().await.unwrap();
    let csv = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("BOM")).unwrap();
    assert!(csv.contains("23.1%"));
    assert!(csv.contains("数値を確認してください"));
    let resp = hq.get("/indicators/export.xlsx?year=2024").await;
    assert_eq!(resp.status().as_u16(), 200);
    let bytes = resp.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range("指標一覧").unwrap();
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let pct = header.iter().position(|h| h == "達成率").unwrap();
    let name = header.iter().position(|h| h == "指標名").unwrap();
    let overtime = range.rows().find(|r| r[name] == OVERTIME).unwrap();
    assert!(matches!(overtime[pct], Data::Float(f) if (f - 23.1).abs() < 1e-9));
    // A4 landscape for print, loaded by the board only.
    let html = hq.page("/indicators?year=2024").await;
    assert!(html.contains("/static/css/board-print.css\" media=\"print\""));
    let css = hq.page("/static/css/board-print.css").await;
    assert!(css.contains("size: A4 landscape"));
}

#[tokio::test]
async fn copied_fields_are_marked_for_hq() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let id = app.sheet_id(2025, 1, 1);
    let html = hq.page(&format!("/sheets/{id}")).await;
    let text = text_of(&html);
    assert!(text.contains("前年度との比較"), "{text}");
    assert!(text.contains("取組内容: 前年度と同じ"), "{text}");
    // HQ's list counts the marked fields of each sheet.
    let list = hq.page("/sheets?year=2025").await;
    assert!(count(&list, "td.copied") >= 12);
    assert!(text_of(&list).contains("1項目"));
    // The department sees the mark in its edit form too.
    let staff = app.staff_of("職員課").await;
    let form = staff.page(&format!("/sheets/{id}/edit")).await;
    assert!(
        text_of(&form).contains("取組内容 前年度と同じ"),
        "{}",
        text_of(&form)
    );
    // Staff do not see HQ's marks on the sheet page.
    let html = staff.page(&format!("/sheets/{id}")).await;
    assert!(!text_of(&html).contains("前年度との比較"));
}

#[tokio::test]
async fn search_finds_words_across_years_within_what_one_may_see() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    let html = hq.page("/search?q=ノー残業デー").await;
    let text = text_of(&html);
    assert!(text.contains("令和6年度"), "{text}");
    assert!(text.contains("(1)-1 超過勤務時間の縮減"), "{text}");
    assert!(html.contains("<mark>ノー残業デー</mark>"));
    // Staff of 職員課 find their sheet; another department finds nothing.
    let own = app.staff_of("職員課").await;
    assert!(own
        .page("/search?q=ノー残業デー")
        .await
        .contains("<mark>ノー残業デー</mark>"));
    let other = app.staff_of("協働推進課").await;
    let html = other.page("/search?q=ノー残業デー").await;
    assert_eq!(count(&html, "mark"), 0);
    assert!(text_of(&html).contains("見つかりませんでした"));
    // LIKE wildcards match themselves only; user text is escaped.
    for wild in ["超過%25縮減", "ノー_業デー"] {
        let html = hq.page(&format!("/search?q={wild}")).await;
        assert!(
            !html.contains("<mark>"),
            "{wild}: wildcards match only themselves"
        );
    }
    let html = hq.page("/search?q=%3Cscript%3E").await;
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"));
}

/// The 実績報告書 offers the charts per book: none by default (the paper
/// layout), each sheet's trend charts after it when chosen, carried to the PDF.
#[tokio::test]
async fn the_book_binds_trend_charts_only_when_chosen() {
    let chromium = crate::support::chromium::FakeChromium::new();
    let fake = chromium.path();
    let app = TestApp::init()
        .seeded()
        .configure(move |c| c.chromium = Some(fake))
        .spawn()
        .await;
    let hq = app.login_as(Role::Hq).await;
    let index = hq.page("/reports").await;
    assert_eq!(count(&index, "input[type=checkbox][name=charts]"), 1);
    assert_eq!(
        count(&index, "input[type=checkbox][name=charts][checked]"),
        0,
        "off by default"
    );

    let plain = hq.page("/reports/2024").await;
    assert_eq!(count(&plain, "svg.trend"), 0);
    assert_eq!(count(&plain, ".sheet-charts"), 0);
    assert!(!plain.contains("charts=1"));

    let with = hq.page("/reports/2024?charts=1").await;
    let overtime = app.sheet_id(2024, 1, 1);
    let section = format!("#sheet-{overtime}-charts");
    // (1)-1 has two 定量 indicators, each with its chart after the sheet.
    assert_eq!(count(&with, &format!("{section} svg.trend")), 2);
    assert!(text_of(&with).contains("超過勤務時間の縮減"));
    assert!(with.contains("<desc>令和2年度 当初値 月12.8時間"));
    // The 定性 indicator of (5)-1 has nothing to draw: no empty chart page.
    let kyodo = app.sheet_id(2024, 5, 1);
    assert_eq!(count(&with, &format!("#sheet-{kyodo}-charts")), 0);
    // The links and the PDF ask for the same book.
    let pdf = crate::support::attr_of(&with, "a[href*='/pdf?']", "href").unwrap();
    assert!(pdf.ends_with("&charts=1"), "{pdf}");
    let css = hq.page("/reports/2024/pages.css").await;
    assert!(css.contains(&format!("#sheet-{overtime}-charts")), "{css}");

    for (query, charts) in [("", false), ("&charts=1", true)] {
        let plan = attr_plan(&plain);
        let resp = hq
            .get(&format!("/reports/2024/pdf?plan={plan}{query}"))
            .await;
        assert_eq!(resp.status(), 200);
        let url = chromium.urls().last().cloned().unwrap();
        assert_eq!(url.contains("charts=1"), charts, "{url}");
    }
}

/// The plan id the book's PDF link carries.
fn attr_plan(book: &str) -> String {
    let start = book.find("/pdf?plan=").unwrap() + "/pdf?plan=".len();
    book[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

/// A 定性 indicator's status: chosen from the 「定性の状況」 list in the
/// year-end round, checked against the list, shown on the board and the sheet
/// panel, audited, and not carried into the next year.
#[tokio::test]
async fn qualitative_status_comes_from_its_choice_list() {
    let app = TestApp::spawn().await;
    let hq = app.login_as(Role::Hq).await;
    // The list is on the 選択肢 page with its defaults.
    let choices = text_of(&hq.page("/choices").await);
    assert!(choices.contains("定性の状況"), "{choices}");
    for v in ["達成", "概ね達成", "一部達成", "未着手"] {
        assert!(choices.contains(v), "{v}");
    }

    let id = app.sheet_id(2025, 5, 1);
    let staff = app.staff_of("協働推進課").await;
    const NAME: &str = "持続可能な自治会活動に向けた支援体制の確立";
    // 上半期 round: the status is the year's, chosen at year end.
    let form = staff.edit_form(id).await;
    let row = (0..)
        .find(|i| form.get(&format!("i{i}_name")) == Some(NAME))
        .unwrap();
    let input = format!("i{row}_status");
    assert_eq!(form.get(&input), None, "not offered in the 上半期 round");

    let deadline = chrono::Local::now().date_naive() + chrono::Days::new(30);
    let resp = hq
        .open_round(2025, "year_end", &deadline.format("%Y-%m-%d").to_string())
        .await;
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let page = staff.page(&format!("/sheets/{id}/edit")).await;
    assert!(text_of(&page).contains("定性の状況"));
    let form = staff.edit_form(id).await;
    assert_eq!(form.get(&input), Some(""), "not chosen yet");

    // A value not on the list is refused, the form kept.
    let resp = staff
        .save_sheet(id, &form.clone().with(&input, "たぶん達成"))
        .await;
    assert_eq!(resp.status().as_u16(), 422);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains("定性の状況は一覧から選んでください"),
        "{page}"
    );
    assert!(
        page.contains("value=\"たぶん達成\" selected"),
        "typed value kept"
    );

    let resp = staff
        .save_sheet(id, &form.clone().with(&input, "概ね達成"))
        .await;
    assert!(resp.status().is_redirection(), "{}", resp.status());
    assert_eq!(
        app.conn().load_sheet(id).content.indicators[row].status,
        "概ね達成"
    );

    // The board and the sheet panel show it as the outcome.
    let rows = board_rows(&hq.page("/indicators?year=2025").await);
    let html = hq.page("/indicators?year=2025").await;
    assert_eq!(rows[NAME][column(&html, "達成率")], "概ね達成");
    let sheet = text_of(&staff.page(&format!("/sheets/{id}")).await);
    assert!(sheet.contains("概ね達成"), "{sheet}");
    // Audited with the change.
    let history = text_of(&hq.page(&format!("/sheets/{id}/history")).await);
    assert!(history.contains("定性の状況:概ね達成"), "{history}");
    // The edit form shows the choice again.
    let form = staff.edit_form(id).await;
    assert_eq!(form.get(&input), Some("概ね達成"));

    // Each year states its own: the carried-forward content has none.
    let carried = hyoka::domain::sheet::carry_forward(
        &app.conn().load_sheet(id).content,
        hyoka::domain::fiscal_year::FiscalYear(2025),
    );
    assert!(carried.indicators.iter().all(|i| i.status.is_empty()));
}
