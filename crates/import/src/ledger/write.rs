//! The two writers of the 台账 layout: an .xlsx workbook and a CSV file, both laying out
//! [`LedgerRow::cell`] in [`COLUMNS`] order.

use super::{COLUMNS, Cell, Column, HEADERS, LedgerError, LedgerRow, LightCell, SHEET};
use chrono::Datelike;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};

fn xerr(e: rust_xlsxwriter::XlsxError) -> LedgerError {
    LedgerError::Write(e.to_string())
}

fn col_index(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// The 台账 workbook written row by row: a formatted sheet with a frozen bold header with
/// a fill, CJK column widths, wrapped text, filled 红黄绿灯 cells, dates as dates, numbers as
/// numbers (so Excel can sum them), the ID column hidden. Rows go to a temporary file as
/// they come (rust_xlsxwriter's constant-memory mode), so memory stays flat however many
/// rows the ledger has.
pub struct LedgerBook {
    wb: Workbook,
    rows: u32,
    plain: Format,
    date: Format,
    lights: [(LightCell, Format); 3],
}

impl LedgerBook {
    /// A workbook with the header row written.
    ///
    /// # Errors
    /// When rust_xlsxwriter cannot set the sheet up.
    pub fn new() -> Result<Self, LedgerError> {
        let mut wb = Workbook::new();
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
        let lit = |light: LightCell| {
            let rgb = light.fill().unwrap_or(0xFF_FF_FF);
            (
                light,
                plain
                    .clone()
                    .set_background_color(Color::RGB(rgb))
                    .set_align(FormatAlign::Center),
            )
        };
        let lights = [
            lit(LightCell::Red),
            lit(LightCell::Yellow),
            lit(LightCell::Green),
        ];
        let ws = wb.add_worksheet_with_constant_memory().map_err(xerr)?;
        ws.set_name(SHEET).map_err(xerr)?;
        for (c, column) in COLUMNS.iter().enumerate() {
            let c = col_index(c);
            ws.set_column_width(c, column.width()).map_err(xerr)?;
        }
        let id = COLUMNS
            .iter()
            .position(|c| *c == Column::Id)
            .map_or(u16::MAX, col_index);
        ws.set_column_hidden(id).map_err(xerr)?;
        ws.set_freeze_panes(1, 0).map_err(xerr)?;
        ws.set_row_height(0, 24).map_err(xerr)?;
        for (c, column) in COLUMNS.iter().enumerate() {
            ws.write_string_with_format(0, col_index(c), column.header(), &header)
                .map_err(xerr)?;
        }
        Ok(Self {
            wb,
            rows: 0,
            plain,
            date,
            lights,
        })
    }

    /// Write the next row.
    ///
    /// # Errors
    /// When rust_xlsxwriter refuses a value (e.g. a cell over 32 767 characters).
    pub fn push(&mut self, r: &LedgerRow) -> Result<(), LedgerError> {
        self.rows += 1;
        let row = self.rows;
        let ws = self.wb.worksheet_from_index(0).map_err(xerr)?;
        for (c, column) in COLUMNS.iter().enumerate() {
            let c = col_index(c);
            match r.cell(*column) {
                Cell::Text(s) => ws.write_string_with_format(row, c, s.as_ref(), &self.plain),
                Cell::Number(n) => ws.write_number_with_format(row, c, n, &self.plain),
                Cell::Date(d) => {
                    let dt = ExcelDateTime::from_ymd(
                        u16::try_from(d.year()).unwrap_or(1900),
                        u8::try_from(d.month()).unwrap_or(1),
                        u8::try_from(d.day()).unwrap_or(1),
                    )
                    .map_err(xerr)?;
                    ws.write_datetime_with_format(row, c, &dt, &self.date)
                }
                Cell::Light(light) => {
                    let format = self
                        .lights
                        .iter()
                        .find(|(l, _)| *l == light)
                        .map_or(&self.plain, |(_, f)| f);
                    ws.write_string_with_format(row, c, light.label(), format)
                }
                Cell::Blank => ws.write_blank(row, c, &self.plain),
            }
            .map_err(xerr)?;
        }
        Ok(())
    }

    /// The workbook's bytes, with a filter on the header over every row written.
    ///
    /// # Errors
    /// When rust_xlsxwriter cannot assemble the file.
    pub fn finish(mut self) -> Result<Vec<u8>, LedgerError> {
        let last = self.rows;
        let id = COLUMNS
            .iter()
            .position(|c| *c == Column::Id)
            .map_or(u16::MAX, col_index);
        self.wb
            .worksheet_from_index(0)
            .map_err(xerr)?
            .autofilter(0, 0, last, id.saturating_sub(1))
            .map_err(xerr)?;
        self.wb.save_to_buffer().map_err(xerr)
    }
}

/// Write the ledger as a formatted workbook ([`LedgerBook`]).
///
/// # Errors
/// Only if rust_xlsxwriter refuses a value (e.g. a cell over 32 767 characters).
pub fn write_ledger(rows: &[LedgerRow]) -> Result<Vec<u8>, LedgerError> {
    let mut book = LedgerBook::new()?;
    for r in rows {
        book.push(r)?;
    }
    book.finish()
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

/// The ledger as CSV, written row by row: the same columns in the same order as
/// [`LedgerBook`], UTF-8 with a byte-order mark (so Excel on Chinese Windows opens it
/// without garbling), CRLF line ends, dates as `YYYY-MM-DD`, the light as its text. The
/// bytes written so far are taken with [`LedgerCsv::take`], so a download streams.
pub struct LedgerCsv {
    w: csv::Writer<Vec<u8>>,
}

fn csv_writer(start: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(start)
}

fn werr(e: impl std::fmt::Display) -> LedgerError {
    LedgerError::Write(e.to_string())
}

impl LedgerCsv {
    /// The byte-order mark and the header row.
    ///
    /// # Errors
    /// Only if the CSV writer fails on its in-memory buffer (it does not).
    pub fn new() -> Result<Self, LedgerError> {
        let mut w = csv_writer(b"\xEF\xBB\xBF".to_vec());
        w.write_record(HEADERS).map_err(werr)?;
        Ok(Self { w })
    }

    /// Write the next row.
    ///
    /// # Errors
    /// As [`LedgerCsv::new`].
    pub fn push(&mut self, r: &LedgerRow) -> Result<(), LedgerError> {
        self.w
            .write_record(COLUMNS.iter().map(|column| match r.cell(*column) {
                Cell::Text(s) => csv_text(&s),
                Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
                Cell::Number(n) => n.to_string(),
                Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
                Cell::Light(light) => light.label().to_owned(),
                Cell::Blank => String::new(),
            }))
            .map_err(werr)
    }

    /// The bytes written since the last call.
    ///
    /// # Errors
    /// As [`LedgerCsv::new`].
    pub fn take(&mut self) -> Result<Vec<u8>, LedgerError> {
        std::mem::replace(&mut self.w, csv_writer(Vec::new()))
            .into_inner()
            .map_err(werr)
    }
}

/// Write the ledger as CSV ([`LedgerCsv`]).
///
/// # Errors
/// Only if the CSV writer fails on its in-memory buffer (it does not).
pub fn write_ledger_csv(rows: &[LedgerRow]) -> Result<Vec<u8>, LedgerError> {
    let mut w = LedgerCsv::new()?;
    for r in rows {
        w.push(r)?;
    }
    w.take()
}
