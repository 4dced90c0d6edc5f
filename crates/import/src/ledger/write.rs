//! The two writers of the 台账 layout: an .xlsx workbook and a CSV file, both laying out
//! [`LedgerRow::cell`] in [`COLUMNS`] order.

use super::{COLUMNS, Cell, Column, HEADERS, LedgerError, LedgerRow, SHEET};
use chrono::Datelike;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};

fn xerr(e: rust_xlsxwriter::XlsxError) -> LedgerError {
    LedgerError::Write(e.to_string())
}

fn col_index(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// Write the ledger as a formatted workbook: frozen bold header with a fill, CJK column
/// widths, wrapped text, filled 红黄绿灯 cells, dates as dates, numbers as numbers (so Excel
/// can sum them), the ID column hidden.
///
/// # Errors
/// Only if rust_xlsxwriter refuses a value (e.g. a cell over 32 767 characters).
pub fn write_ledger(rows: &[LedgerRow]) -> Result<Vec<u8>, LedgerError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(SHEET).map_err(xerr)?;
    let border = FormatBorder::Thin;
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9_E1_F2))
        .set_border(border)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let plain = Format::new()
        .set_border(border)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let date = plain.clone().set_num_format("yyyy-mm-dd");
    for (c, column) in COLUMNS.iter().enumerate() {
        let c = col_index(c);
        ws.write_string_with_format(0, c, column.header(), &header)
            .map_err(xerr)?;
        ws.set_column_width(c, column.width()).map_err(xerr)?;
    }
    ws.set_row_height(0, 24).map_err(xerr)?;
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for (c, column) in COLUMNS.iter().enumerate() {
            let c = col_index(c);
            match r.cell(*column) {
                Cell::Text(s) => ws.write_string_with_format(row, c, s.as_ref(), &plain),
                Cell::Number(n) => ws.write_number_with_format(row, c, n, &plain),
                Cell::Date(d) => {
                    let dt = ExcelDateTime::from_ymd(
                        u16::try_from(d.year()).unwrap_or(1900),
                        u8::try_from(d.month()).unwrap_or(1),
                        u8::try_from(d.day()).unwrap_or(1),
                    )
                    .map_err(xerr)?;
                    ws.write_datetime_with_format(row, c, &dt, &date)
                }
                Cell::Light(light) => {
                    let format = match light.fill() {
                        Some(rgb) => plain
                            .clone()
                            .set_background_color(Color::RGB(rgb))
                            .set_align(FormatAlign::Center),
                        None => plain.clone(),
                    };
                    ws.write_string_with_format(row, c, light.label(), &format)
                }
                Cell::Blank => ws.write_blank(row, c, &plain),
            }
            .map_err(xerr)?;
        }
    }
    let last = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    let id = COLUMNS
        .iter()
        .position(|c| *c == Column::Id)
        .map_or(u16::MAX, col_index);
    ws.autofilter(0, 0, last, id.saturating_sub(1))
        .map_err(xerr)?;
    ws.set_column_hidden(id).map_err(xerr)?;
    wb.save_to_buffer().map_err(xerr)
}

/// A text cell as a spreadsheet must not mistake it: a leading `=`, `+`, `-` or `@` (a
/// formula when opened) is neutralised with an apostrophe.
fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// Write the ledger as CSV: the same columns in the same order as [`write_ledger`], UTF-8
/// with a byte-order mark (so Excel on Chinese Windows opens it without garbling), CRLF
/// line ends, dates as `YYYY-MM-DD`, the light as its text.
///
/// # Errors
/// Only if the CSV writer fails on its in-memory buffer (it does not).
pub fn write_ledger_csv(rows: &[LedgerRow]) -> Result<Vec<u8>, LedgerError> {
    let werr = |e: csv::Error| LedgerError::Write(e.to_string());
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(HEADERS).map_err(werr)?;
    for r in rows {
        w.write_record(COLUMNS.iter().map(|column| match r.cell(*column) {
            Cell::Text(s) => csv_text(&s),
            Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Light(light) => light.label().to_owned(),
            Cell::Blank => String::new(),
        }))
        .map_err(werr)?;
    }
    w.into_inner()
        .map_err(|e| LedgerError::Write(e.to_string()))
}
