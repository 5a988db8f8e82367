//! Writes the plan workbook: the blank template HQ fills in, or a stored plan
//! in the same layout, so that export → edit → import is a round trip. Every
//! cell is text (format 「@」), so Excel keeps 「1-2」 and 「0箇所」 as typed.

use rust_xlsxwriter::{ColNum, DataValidation, Format, RowNum, Workbook, Worksheet, XlsxError};

use crate::domain::fiscal_year::{era_name, FiscalYear};
use crate::import::plan_book::{
    role_word, Part, PlanBook, AREAS, DEPARTMENTS, INITIATIVES, ITEMS, PARTS, PLAN, ROLE_WORDS,
    SCHEDULE_NOTE, TARGETS, USERS,
};

/// Rows given dropdowns below the data (room to add rows in the template).
const ROOM: RowNum = 500;

/// Choice lists for the dropdowns (schedule values, 評価方法).
pub struct Lists {
    pub schedule: Vec<String>,
    pub methods: Vec<String>,
}

pub fn write(book: &PlanBook, lists: &Lists) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@").set_text_wrap();
    let head = Format::new()
        .set_bold()
        .set_num_format("@")
        .set_background_color(rust_xlsxwriter::Color::RGB(0xF0F0F0));
    explanation(wb.add_worksheet(), book, &head, &text)?;

    let plan_rows = vec![vec![
        book.name.clone(),
        era_name(book.first_year),
        era_name(book.last_year),
    ]];
    table(wb.add_worksheet(), &PLAN, &[], &plan_rows, &head, &text)?;

    let dept_rows: Vec<Vec<String>> = book.departments.iter().map(|d| vec![d.clone()]).collect();
    table(
        wb.add_worksheet(),
        &DEPARTMENTS,
        &[],
        &dept_rows,
        &head,
        &text,
    )?;

    let area_rows: Vec<Vec<String>> = book
        .areas
        .iter()
        .map(|(n, t)| vec![n.to_string(), t.clone()])
        .collect();
    table(wb.add_worksheet(), &AREAS, &[], &area_rows, &head, &text)?;

    let init_rows: Vec<Vec<String>> = book
        .initiatives
        .iter()
        .map(|i| {
            vec![
                i.area_number.to_string(),
                i.number.to_string(),
                i.name.clone(),
                i.department.clone(),
                i.related.join("、"),
                i.related_plan.clone(),
                i.plan_years.clone(),
                i.target_scope.clone(),
            ]
        })
        .collect();
    let ws = wb.add_worksheet();
    table(ws, &INITIATIVES, &[], &init_rows, &head, &text)?;
    // 所管課 from the 所管課 worksheet's list.
    let depts = DataValidation::new().allow_list_formula(
        format!("='{}'!$A$2:$A${}", DEPARTMENTS.name, ROOM + 1)
            .as_str()
            .into(),
    );
    ws.add_data_validation(1, 3, ROOM, 3, &depts)?;

    let years: Vec<FiscalYear> = FiscalYear::span(book.first_year, book.last_year).collect();
    let year_heads: Vec<String> = years.iter().map(|y| era_name(*y)).collect();
    let item_rows: Vec<Vec<String>> = book
        .initiatives
        .iter()
        .flat_map(|i| {
            i.action_items.iter().map(|item| {
                let mut row = vec![
                    i.area_number.to_string(),
                    i.number.to_string(),
                    item.text.clone(),
                ];
                row.extend(years.iter().map(|y| item.cell(*y).to_string()));
                row
            })
        })
        .collect();
    let ws = wb.add_worksheet();
    table(ws, &ITEMS, &year_heads, &item_rows, &head, &text)?;
    if !lists.schedule.is_empty() && !years.is_empty() {
        // A list, not a stop: a city may write a value the list lacks.
        let dv = DataValidation::new()
            .allow_list_strings(&lists.schedule)?
            .ignore_blank(true)
            .set_error_style(rust_xlsxwriter::DataValidationErrorStyle::Information);
        ws.add_data_validation(1, 3, ROOM, 3 + years.len() as ColNum - 1, &dv)?;
    }

    let target_rows: Vec<Vec<String>> = book
        .initiatives
        .iter()
        .flat_map(|i| {
            i.indicators.iter().map(|ind| {
                vec![
                    i.area_number.to_string(),
                    i.number.to_string(),
                    ind.name.clone(),
                    ind.method.clone(),
                    ind.baseline.clone(),
                    ind.baseline_year.map_or(String::new(), era_name),
                    ind.target.clone(),
                    era_name(ind.target_year),
                ]
            })
        })
        .collect();
    let ws = wb.add_worksheet();
    table(ws, &TARGETS, &[], &target_rows, &head, &text)?;
    if !lists.methods.is_empty() {
        let dv = DataValidation::new().allow_list_strings(&lists.methods)?;
        ws.add_data_validation(1, 3, ROOM, 3, &dv)?;
    }

    let user_rows: Vec<Vec<String>> = book
        .users
        .iter()
        .map(|u| {
            vec![
                u.login.clone(),
                u.name.clone(),
                role_word(u.role).to_string(),
                u.department.clone().unwrap_or_default(),
                u.email.clone(),
            ]
        })
        .collect();
    let ws = wb.add_worksheet();
    table(ws, &USERS, &[], &user_rows, &head, &text)?;
    let roles: Vec<&str> = ROLE_WORDS.iter().map(|(w, _)| *w).collect();
    ws.add_data_validation(
        1,
        2,
        ROOM,
        2,
        &DataValidation::new().allow_list_strings(&roles)?,
    )?;
    ws.add_data_validation(1, 3, ROOM, 3, &depts)?;

    wb.save_to_buffer()
}

/// One worksheet: headings in row 1, then the rows, all as text.
fn table(
    ws: &mut Worksheet,
    part: &Part,
    extra_heads: &[String],
    rows: &[Vec<String>],
    head: &Format,
    text: &Format,
) -> Result<(), XlsxError> {
    ws.set_name(part.name)?;
    let heads: Vec<&str> = part
        .columns
        .iter()
        .map(|(h, _)| *h)
        .chain(extra_heads.iter().map(String::as_str))
        .collect();
    for (c, h) in heads.iter().enumerate() {
        let c = c as ColNum;
        ws.write_string_with_format(0, c, *h, head)?;
        let wide = matches!(
            *h,
            "取組事業名" | "項目" | "推進項目" | "計画名" | "指標名" | "関係計画名"
        );
        ws.set_column_width(c, if wide { 40.0 } else { 14.0 })?;
        // Text format on the whole column, so rows typed later stay text too.
        ws.set_column_format(c, text)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string_with_format(r as RowNum + 1, c as ColNum, v, text)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// 「説明」: what each worksheet and column means.
fn explanation(
    ws: &mut Worksheet,
    book: &PlanBook,
    head: &Format,
    text: &Format,
) -> Result<(), XlsxError> {
    ws.set_name("説明")?;
    ws.set_column_width(0, 14.0)?;
    ws.set_column_width(1, 18.0)?;
    ws.set_column_width(2, 80.0)?;
    ws.write_string_with_format(0, 0, "ワークシート", head)?;
    ws.write_string_with_format(0, 1, "列の見出し", head)?;
    ws.write_string_with_format(0, 2, "書くこと", head)?;
    let mut r: RowNum = 1;
    for part in PARTS {
        for (h, what) in part.columns {
            ws.write_string_with_format(r, 0, part.name, text)?;
            ws.write_string_with_format(r, 1, *h, text)?;
            ws.write_string_with_format(r, 2, *what, text)?;
            r += 1;
        }
        if part.name == ITEMS.name {
            ws.write_string_with_format(r, 0, part.name, text)?;
            ws.write_string_with_format(r, 1, format!("{} …", era_name(book.first_year)), text)?;
            ws.write_string_with_format(r, 2, SCHEDULE_NOTE, text)?;
            r += 1;
        }
    }
    r += 1;
    for note in [
        "1行目の見出しで列を見分けます。列の順番は自由で、ほかの列は読み飛ばします。",
        "「利用者」シートは省略できます。新しい利用者には初回だけ表示される仮パスワードを発行し、初回ログイン時に変更してもらいます。",
        "取り込むと、作成・変更・変更なしの一覧と問題点が表示され、確定するまでは何も保存されません。",
        "ファイルにない行は削除されず、一覧で知らせます。",
    ] {
        ws.write_string_with_format(r, 0, "注意", text)?;
        ws.write_string_with_format(r, 2, note, text)?;
        r += 1;
    }
    Ok(())
}
