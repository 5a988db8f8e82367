//! The sheet workbook: a department downloads its 令和7年度 sheet as Excel,
//! fills the writable cells, uploads it, confirms, and the sheet shows exactly
//! what was typed; locked cells changed anyway are ignored and reported; a
//! workbook older than the stored sheet gets the three-way view; bad files are
//! refused and leave the database unchanged.

use calamine::{Data, Reader, Xlsx};
use hyoka::domain::field::Input;
use hyoka::domain::round::RoundKind;
use hyoka::domain::slot::Slot;
use rust_xlsxwriter::{Format, Workbook};

use crate::support::{Client, Probe, TestApp};

/// A worksheet as read back: cells by (row, col) and merged ranges.
struct Sheet {
    name: String,
    hidden: bool,
    cells: Vec<(u32, u32, String)>,
    merges: Vec<(u32, u32, u32, u32)>,
}

fn read(bytes: &[u8]) -> Vec<Sheet> {
    let mut xlsx = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = xlsx.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = xlsx.worksheet_range(&name).unwrap();
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let cells = range
                .used_cells()
                .filter(|(_, _, v)| !matches!(v, Data::Empty))
                .map(|(r, c, v)| (r as u32 + r0, c as u32 + c0, v.to_string()))
                .collect();
            let merges = xlsx
                .merge_cells_by_sheet_name(&name)
                .unwrap()
                .iter()
                .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
                .collect();
            Sheet {
                hidden: name == "hyoka",
                name,
                cells,
                merges,
            }
        })
        .collect()
}

/// Writes the sheets back as Excel would save them, all cells as text.
fn write(sheets: &[Sheet]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name).unwrap();
        for &(r1, c1, r2, c2) in &s.merges {
            let v = s
                .cells
                .iter()
                .find(|(r, c, _)| (*r, *c) == (r1, c1))
                .map_or("", |(_, _, v)| v.as_str());
            ws.merge_range(r1, c1 as u16, r2, c2 as u16, v, &text)
                .unwrap();
        }
        for (r, c, v) in &s.cells {
            let merged = s.merges.iter().any(|m| (m.0, m.1) == (*r, *c));
            if !merged {
                ws.write_string_with_format(*r, *c as u16, v, &text)
                    .unwrap();
            }
        }
        if s.hidden {
            ws.set_hidden(true);
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The slots of the first worksheet: (slot, row, col).
fn slots(sheets: &[Sheet]) -> Vec<(Slot, u32, u32)> {
    let meta = sheets.iter().find(|s| s.hidden).unwrap();
    let cell = |r: u32, c: u32| {
        meta.cells
            .iter()
            .find(|(rr, cc, _)| (*rr, *cc) == (r, c))
            .map_or(String::new(), |(_, _, v)| v.clone())
    };
    let rows = meta.cells.iter().map(|(r, _, _)| *r).max().unwrap_or(0);
    (0..=rows)
        .filter(|&r| cell(r, 1) == "slot")
        .map(|r| {
            (
                Slot::parse(&cell(r, 2)).unwrap(),
                cell(r, 3).parse().unwrap(),
                cell(r, 4).parse().unwrap(),
            )
        })
        .collect()
}

fn set(sheets: &mut [Sheet], row: u32, col: u32, value: &str) {
    let s = &mut sheets[0];
    s.cells.retain(|(r, c, _)| (*r, *c) != (row, col));
    s.cells.push((row, col, value.to_string()));
}

fn slot_at(slots: &[(Slot, u32, u32)], want: impl Fn(Slot) -> bool) -> (Slot, u32, u32) {
    *slots
        .iter()
        .find(|(s, _, _)| want(*s))
        .expect("such a slot")
}

async fn download(client: &Client, id: i32) -> Vec<u8> {
    let resp = client.get(&format!("/sheets/{id}/workbook.xlsx")).await;
    assert_eq!(resp.status().as_u16(), 200);
    resp.bytes().await.unwrap().to_vec()
}

async fn upload(client: &Client, id: i32, bytes: &[u8]) -> (u16, String) {
    let csrf = client.csrf(&format!("/sheets/{id}/workbook")).await;
    let resp = client
        .post_file(
            &format!("/sheets/{id}/workbook"),
            &[("csrf_token", &csrf)],
            "sheet.xlsx",
            bytes,
        )
        .await;
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

fn text(html: &str) -> String {
    crate::support::html::text_of(html)
}

#[tokio::test]
async fn a_department_fills_its_workbook_offline_and_the_sheet_shows_exactly_that() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);
    let bytes = download(&staff, id).await;
    let mut sheets = read(&bytes);
    assert!(sheets[0].name.starts_with("(1)-1"));
    let slots = slots(&sheets);

    let writable_text = |s: Slot| matches!(s, Slot::Text(f) if s.writable(RoundKind::FirstHalf) && matches!(f.def().input, Input::Text(_)));
    let texts: Vec<(Slot, u32, u32)> = slots
        .iter()
        .copied()
        .filter(|(s, _, _)| writable_text(*s))
        .collect();
    assert!(texts.len() >= 2, "{texts:?}");
    let multi = "①研修を2回実施した。\n②アンケートを実施（回答率８５％）\n● 次回は1-2月";
    set(&mut sheets, texts[0].1, texts[0].2, multi);
    set(&mut sheets, texts[1].1, texts[1].2, "１２３件");
    let h1 = slot_at(
        &slots,
        |s| matches!(s, Slot::Indicator(0, c) if c == hyoka::domain::form::IndicatorCell::FirstHalf),
    );
    set(&mut sheets, h1.1, h1.2, "1-2");
    let progress = slot_at(
        &slots,
        |s| matches!(s, Slot::Text(f) if f.key() == "h1_progress"),
    );
    set(&mut sheets, progress.1, progress.2, "順調");
    let second_h1 = slots.iter().copied().find(|(s, _, _)| {
        matches!(s, Slot::Indicator(1, c) if *c == hyoka::domain::form::IndicatorCell::FirstHalf)
    });
    if let Some((_, r, c)) = second_h1 {
        set(&mut sheets, r, c, "0箇所");
    }
    // A locked cell (the plan's 関係計画名) changed anyway.
    let locked = slot_at(&slots, |s| {
        !s.writable(RoundKind::FirstHalf) && matches!(s, Slot::Text(_))
    });
    set(&mut sheets, locked.1, locked.2, "勝手に書き換えた");
    let edited = write(&sheets);

    let (status, html) = upload(&staff, id, &edited).await;
    let page = text(&html);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("一時保存します"), "{page}");
    assert!(page.contains("読み込まなかったセル"), "{page}");
    assert!(page.contains("勝手に書き換えた"), "{page}");
    let token = crate::support::html::attr_of(&html, "input[name=token]", "value").unwrap();
    let csrf = crate::support::html::csrf_of(&html);
    let before_locked = locked.0;
    let resp = staff
        .post_form(
            &format!("/sheets/{id}/workbook/save"),
            &[("csrf_token", csrf.as_str()), ("token", token.as_str())],
        )
        .await;
    assert_eq!(
        resp.status().as_u16(),
        303,
        "{}",
        text(&resp.text().await.unwrap())
    );

    let sheet = app.conn().load_sheet(id);
    let Slot::Text(f0) = texts[0].0 else {
        unreachable!()
    };
    let Slot::Text(f1) = texts[1].0 else {
        unreachable!()
    };
    assert_eq!(sheet.content.texts.get(f0), multi);
    assert_eq!(sheet.content.texts.get(f1), "１２３件");
    assert_eq!(
        sheet.content.indicators[0].value(
            hyoka::domain::fiscal_year::FiscalYear(2025),
            hyoka::domain::sheet::Period::FirstHalf
        ),
        "1-2"
    );
    if second_h1.is_some() {
        assert_eq!(
            sheet.content.indicators[1].value(
                hyoka::domain::fiscal_year::FiscalYear(2025),
                hyoka::domain::sheet::Period::FirstHalf
            ),
            "0箇所"
        );
    }
    if let Slot::Text(f) = before_locked {
        assert_ne!(sheet.content.texts.get(f), "勝手に書き換えた");
    }
    let shown = staff.page_text(&format!("/sheets/{id}")).await;
    for line in [
        "①研修を2回実施した。",
        "②アンケートを実施（回答率８５％）",
        "１２３件",
        "1-2",
    ] {
        assert!(shown.contains(line), "{line} not on the page: {shown}");
    }
    let history = staff.page_text(&format!("/sheets/{id}/history")).await;
    assert!(history.contains("Excel のブックから読み込み"), "{history}");
}

#[tokio::test]
async fn a_workbook_older_than_the_stored_sheet_shows_the_three_way_view() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);
    let mut sheets = read(&download(&staff, id).await);
    let slots = slots(&sheets);
    let h1 = slot_at(
        &slots,
        |s| matches!(s, Slot::Text(f) if f.key() == "h1_actions"),
    );
    set(&mut sheets, h1.1, h1.2, "ブックで書いた取組");
    // Someone saves in the browser after the download.
    let resp = staff
        .fill_and_save(id, &[("h1_actions", "ブラウザで書いた取組")])
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let before = app.conn().table_counts();
    let (status, html) = upload(&staff, id, &write(&sheets)).await;
    let page = text(&html);
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("ダウンロード時"), "{page}");
    assert!(
        page.contains("ブラウザで書いた取組") && page.contains("ブックで書いた取組"),
        "{page}"
    );
    assert!(crate::support::html::attr_of(&html, "input[name=token]", "value").is_none());
    assert_eq!(app.conn().table_counts(), before);
}

#[tokio::test]
async fn bad_sheet_workbooks_are_refused_with_their_place_and_change_nothing() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);
    let other = app.sheet_id(2025, 1, 2);
    let good = read(&download(&staff, id).await);
    let name = good[0].name.clone();

    // A row inserted inside the form: everything below moves down one.
    let mut inserted = read(&download(&staff, id).await);
    for (r, _, _) in inserted[0].cells.iter_mut().filter(|(r, _, _)| *r >= 8) {
        *r += 1;
    }
    for m in inserted[0].merges.iter_mut().filter(|m| m.0 >= 8) {
        m.0 += 1;
        m.2 += 1;
    }
    // A merged cell split by the user.
    let mut unmerged = read(&download(&staff, id).await);
    let split = unmerged[0].merges.pop().unwrap();
    let plan_book = {
        let mut wb = Workbook::new();
        wb.add_worksheet().set_name("計画").unwrap();
        wb.save_to_buffer().unwrap()
    };
    let other_book = {
        let hq_staff = app.staff_of("職員課").await;
        let resp = hq_staff
            .get(&format!("/sheets/{other}/workbook.xlsx"))
            .await;
        if resp.status().as_u16() == 200 {
            resp.bytes().await.unwrap().to_vec()
        } else {
            Vec::new()
        }
    };
    let mut cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "not a zip",
            b"not a workbook".to_vec(),
            "Excel ブック（.xlsx）ではありません".into(),
        ),
        (
            "encrypted",
            [
                &[0xD0u8, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
                &[0u8; 512][..],
            ]
            .concat(),
            "パスワード付き".into(),
        ),
        (
            "too large",
            vec![b'P'; 6 * 1024 * 1024],
            "大きすぎます".into(),
        ),
        (
            "not ours",
            plan_book,
            "「Excelでダウンロード」で作ったものではありません".into(),
        ),
        ("row inserted", write(&inserted), format!("{name}!A")),
        (
            "merge split",
            write(&unmerged),
            format!("結合されていたセル {}", cell_name(split.0, split.1)),
        ),
    ];
    if !other_book.is_empty() {
        cases.push(("another sheet", other_book, "別の評価票".into()));
    }
    let before = app.conn().table_counts();
    for (what, bytes, message) in cases {
        let (status, html) = upload(&staff, id, &bytes).await;
        let page = text(&html);
        assert_eq!(status, 422, "{what}: {page}");
        assert!(page.contains(&message), "{what}: {page}");
        assert_eq!(app.conn().table_counts(), before, "{what}");
    }
    let _ = good;

    // Another department cannot download or upload this sheet.
    let elsewhere = app.staff_of("DX推進課").await;
    assert_ne!(
        elsewhere
            .status_of(&format!("/sheets/{id}/workbook.xlsx"))
            .await,
        200
    );
}

#[tokio::test]
async fn a_workbook_from_a_closed_round_is_refused() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let id = app.sheet_id(2025, 1, 1);
    let bytes = download(&staff, id).await;
    // HQ closes 上半期 and opens 年度末.
    let hq = app.login_as(hyoka::domain::permission::Role::Hq).await;
    let token = hq.csrf("/rounds").await;
    let resp = hq
        .post_form(
            "/rounds/open",
            &[
                ("csrf_token", token.as_str()),
                ("year", "2025"),
                ("kind", "year_end"),
                ("deadline", ""),
            ],
        )
        .await;
    assert_eq!(resp.status().as_u16(), 303);
    let before = app.conn().table_counts();
    let (status, html) = upload(&staff, id, &bytes).await;
    let page = text(&html);
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("受付は終了しています"), "{page}");
    assert_eq!(app.conn().table_counts(), before);
}

fn cell_name(row: u32, col: u32) -> String {
    hyoka::import::workbook::cell_name(row, col)
}

#[tokio::test]
async fn all_my_sheets_of_the_year_come_in_one_workbook_and_each_uploads_on_its_page() {
    let app = TestApp::spawn().await;
    let staff = app.staff_of("職員課").await;
    let resp = staff.get("/workbooks/2025.xlsx").await;
    assert_eq!(resp.status().as_u16(), 200);
    let sheets = read(&resp.bytes().await.unwrap());
    let own: Vec<i32> = app
        .conn()
        .sheets(2025)
        .into_iter()
        .filter(|s| s.context.department == "職員課")
        .map(|s| s.id.0)
        .collect();
    let visible = sheets.iter().filter(|s| !s.hidden).count();
    assert!(!own.is_empty());
    assert_eq!(visible, own.len());
    // The year's workbook, unchanged, uploaded on the last sheet's page: nothing to save.
    let id = *own.last().unwrap();
    let (status, html) = upload(&staff, id, &write(&sheets)).await;
    assert_eq!(status, 200, "{}", text(&html));
    assert!(
        text(&html).contains("保存するものはありません"),
        "{}",
        text(&html)
    );
}
