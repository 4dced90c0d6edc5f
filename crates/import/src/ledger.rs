//! The 台账 as an Excel workbook: [`write_ledger`] formats the ledger (rust_xlsxwriter),
//! [`read_ledger`] reads the same layout back (calamine). Both work on bytes; the caller
//! does the file I/O.
//!
//! Columns, in this order, with these exact Chinese headers ([`HEADERS`]):
//! 序号, 事项, 牵头单位, 责任单位, 牵头领导, 完成时限, 状态, 红黄绿灯, 最新进展, 逾期工作日,
//! 督办级别, 工作内容, ID. The ID column is hidden; a row without an ID is a new item.
//! Reading maps columns by header text, not position, so a user may reorder or add
//! columns. Dates are written as Excel dates (`yyyy-mm-dd`); reading accepts a date cell,
//! a date serial number or text `YYYY-MM-DD` (also `YYYY/MM/DD`, `YYYY年M月D日`);
//! other text (`长期坚持`, `每季度`) is kept as a deadline text.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};

/// The sheet name of the 台账.
pub const SHEET: &str = "台账";

/// Column headers as written, in order.
pub const HEADERS: [&str; 13] = [
    "序号",
    "事项",
    "牵头单位",
    "责任单位",
    "牵头领导",
    "完成时限",
    "状态",
    "红黄绿灯",
    "最新进展",
    "逾期工作日",
    "督办级别",
    "工作内容",
    "ID",
];

/// Column widths in Excel character units; CJK characters count about two each.
const WIDTHS: [f64; 13] = [
    8.0, 48.0, 22.0, 36.0, 12.0, 14.0, 10.0, 10.0, 40.0, 11.0, 10.0, 60.0, 38.0,
];

/// 红黄绿灯 of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LightCell {
    Red,
    Yellow,
    Green,
    /// Not applicable (draft, closed, no deadline).
    None,
}

impl LightCell {
    fn label(self) -> &'static str {
        match self {
            Self::Red => "红灯",
            Self::Yellow => "黄灯",
            Self::Green => "绿灯",
            Self::None => "",
        }
    }
    fn fill(self) -> Option<u32> {
        match self {
            Self::Red => Some(0xFF_4D_4D),
            Self::Yellow => Some(0xFF_D9_40),
            Self::Green => Some(0x5C_B8_5C),
            Self::None => None,
        }
    }
}

/// A deadline cell: a date, a text such as 长期坚持, or empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadlineCell {
    Date(NaiveDate),
    Text(String),
    Empty,
}

/// One exported row.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    pub number: String,
    pub title: String,
    pub lead: String,
    /// 责任单位 joined with `、`.
    pub co: Vec<String>,
    pub leader: String,
    pub deadline: DeadlineCell,
    pub state: String,
    pub light: LightCell,
    pub latest_progress: String,
    pub working_days_late: Option<i64>,
    pub escalation: String,
    pub text: String,
    pub id: String,
}

/// One row read back. Cells of read-only columns (状态, 红黄绿灯, …) are not returned.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerInput {
    /// The row number as Excel shows it (the header is row 1).
    pub row: u32,
    pub id: Option<String>,
    pub number: Option<String>,
    pub title: String,
    /// `None` when the workbook has no 工作内容 column.
    pub text: Option<String>,
    pub lead: Option<String>,
    /// `None` when the workbook has no 责任单位 column.
    pub co: Option<Vec<String>>,
    pub leader: Option<String>,
    /// `None` when the workbook has no 完成时限 column.
    pub deadline: Option<DeadlineCell>,
}

/// A row that cannot be read, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: u32,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "第{}行: {}", self.row, self.reason)
    }
}

/// Why a workbook cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("not an .xlsx workbook: {0}")]
    Workbook(String),
    #[error("the workbook has no sheet `{SHEET}` and no other sheet")]
    NoSheet,
    #[error("header row: missing column {0}")]
    MissingColumn(&'static str),
    #[error("cannot write the workbook: {0}")]
    Write(String),
}

fn xerr(e: rust_xlsxwriter::XlsxError) -> LedgerError {
    LedgerError::Write(e.to_string())
}

/// Write the ledger as a formatted workbook: frozen bold header with a fill, CJK column
/// widths, wrapped text, filled 红黄绿灯 cells, dates as dates, the ID column hidden.
///
/// # Errors
/// Only if rust_xlsxwriter refuses a value (e.g. a cell over 32 767 characters).
pub fn write_ledger(title: &str, rows: &[LedgerRow]) -> Result<Vec<u8>, LedgerError> {
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
    let cell = Format::new()
        .set_border(border)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let date = cell.clone().set_num_format("yyyy-mm-dd");
    let _ = title;
    for (c, (h, w)) in HEADERS.iter().zip(WIDTHS).enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, c, *h, &header)
            .map_err(xerr)?;
        ws.set_column_width(c, w).map_err(xerr)?;
    }
    ws.set_row_height(0, 24).map_err(xerr)?;
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let strings: [(u16, &str); 8] = [
            (0, &r.number),
            (1, &r.title),
            (2, &r.lead),
            (4, &r.leader),
            (6, &r.state),
            (8, &r.latest_progress),
            (10, &r.escalation),
            (11, &r.text),
        ];
        for (c, s) in strings {
            ws.write_string_with_format(row, c, s, &cell)
                .map_err(xerr)?;
        }
        ws.write_string_with_format(row, 3, r.co.join("、"), &cell)
            .map_err(xerr)?;
        match &r.deadline {
            DeadlineCell::Date(d) => {
                let dt = ExcelDateTime::from_ymd(
                    u16::try_from(d.year()).unwrap_or(1900),
                    u8::try_from(d.month()).unwrap_or(1),
                    u8::try_from(d.day()).unwrap_or(1),
                )
                .map_err(xerr)?;
                ws.write_datetime_with_format(row, 5, &dt, &date)
                    .map_err(xerr)?;
            }
            DeadlineCell::Text(t) => {
                ws.write_string_with_format(row, 5, t, &cell)
                    .map_err(xerr)?;
            }
            DeadlineCell::Empty => {
                ws.write_blank(row, 5, &cell).map_err(xerr)?;
            }
        }
        let light_fmt = match r.light.fill() {
            Some(rgb) => cell
                .clone()
                .set_background_color(Color::RGB(rgb))
                .set_align(FormatAlign::Center),
            None => cell.clone(),
        };
        ws.write_string_with_format(row, 7, r.light.label(), &light_fmt)
            .map_err(xerr)?;
        match r.working_days_late {
            Some(n) => ws
                .write_number_with_format(row, 9, n as f64, &cell)
                .map_err(xerr)?,
            None => ws.write_blank(row, 9, &cell).map_err(xerr)?,
        };
        ws.write_string_with_format(row, 12, &r.id, &cell)
            .map_err(xerr)?;
    }
    let last = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    ws.autofilter(0, 0, last, 11).map_err(xerr)?;
    ws.set_column_hidden(12).map_err(xerr)?;
    wb.save_to_buffer().map_err(xerr)
}

/// The text of a cell, trimmed; numbers as written (`3`, not `3.0`).
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|d| d.date().to_string())
            .unwrap_or_default(),
    }
}

/// Excel's serial day 1 is 1900-01-01, with the phantom 1900-02-29: day 0 is 1899-12-30.
fn serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?
        .checked_add_signed(chrono::Duration::days(serial.floor() as i64))
}

/// A date typed as text: `2026-06-30`, `2026/6/30`, `2026.6.30`, `2026年6月30日`.
pub fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let s = s.trim().trim_end_matches('日').trim_end_matches('前');
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return None;
    }
    let y: i32 = parts[0].parse().ok()?;
    let m: u32 = parts[1].parse().ok()?;
    let d: u32 = parts[2].parse().ok()?;
    if parts[0].len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

fn deadline_cell(d: &Data) -> Result<DeadlineCell, String> {
    match d {
        Data::Empty => Ok(DeadlineCell::Empty),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|x| DeadlineCell::Date(x.date()))
            .ok_or_else(|| "完成时限: unreadable date".to_owned()),
        Data::Float(f) => serial_date(*f)
            .map(DeadlineCell::Date)
            .ok_or_else(|| format!("完成时限: `{f}` is not a date")),
        Data::Int(i) => serial_date(*i as f64)
            .map(DeadlineCell::Date)
            .ok_or_else(|| format!("完成时限: `{i}` is not a date")),
        other => {
            let t = cell_text(other);
            if t.is_empty() {
                return Ok(DeadlineCell::Empty);
            }
            if let Some(date) = parse_date_text(&t) {
                return Ok(DeadlineCell::Date(date));
            }
            if t.starts_with(|c: char| c.is_ascii_digit()) && t.contains(['-', '/']) {
                return Err(format!(
                    "完成时限: `{t}` is not a valid date (use YYYY-MM-DD)"
                ));
            }
            Ok(DeadlineCell::Text(t))
        }
    }
}

/// Split a 责任单位 cell into unit names at `、`, commas, semicolons (ASCII or full-width)
/// and line breaks —
/// never inside brackets, so `各县(市、区)党委和人民政府` stays one name.
pub fn split_units(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' | '\u{FF08}' | '[' | '【' | '〔' => depth += 1,
            ')' | '\u{FF09}' | ']' | '】' | '〕' => depth = depth.saturating_sub(1),
            '、' | ',' | '\u{FF0C}' | ';' | '\u{FF1B}' | '\n' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|x| x.trim().to_owned())
        .filter(|x| !x.is_empty())
        .collect()
}

/// Read a ledger workbook: the sheet `台账` (or the first sheet), columns by header.
/// Returns the rows that could be read and, separately, the rows that could not.
/// Completely empty rows are skipped.
///
/// # Errors
/// When the bytes are not an .xlsx workbook, or the header lacks `事项` (or a column
/// needed to match rows back).
pub fn read_ledger(bytes: &[u8]) -> Result<(Vec<LedgerInput>, Vec<RowError>), LedgerError> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| LedgerError::Workbook(e.to_string()))?;
    let names = wb.sheet_names();
    let name = names
        .iter()
        .find(|n| n.as_str() == SHEET)
        .or_else(|| names.first())
        .cloned()
        .ok_or(LedgerError::NoSheet)?;
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| LedgerError::Workbook(e.to_string()))?;
    let (start_row, _) = range.start().unwrap_or((0, 0));
    let mut rows = range.rows();
    let Some(header) = rows.next() else {
        return Err(LedgerError::MissingColumn("事项"));
    };
    let col = |name: &str| {
        header
            .iter()
            .position(|c| cell_text(c).replace(char::is_whitespace, "") == name)
    };
    let title_col = col("事项").ok_or(LedgerError::MissingColumn("事项"))?;
    let (id_col, number_col, lead_col, co_col, leader_col, deadline_col, text_col) = (
        col("ID"),
        col("序号"),
        col("牵头单位"),
        col("责任单位"),
        col("牵头领导"),
        col("完成时限"),
        col("工作内容"),
    );
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, cells) in rows.enumerate() {
        let row = start_row + u32::try_from(i).unwrap_or(u32::MAX - 2) + 2;
        if cells.iter().all(|c| cell_text(c).is_empty()) {
            continue;
        }
        let get = |c: Option<usize>| c.and_then(|c| cells.get(c)).map(cell_text);
        let opt = |c: Option<usize>| get(c).filter(|s| !s.is_empty());
        let title = get(Some(title_col)).unwrap_or_default();
        if title.is_empty() {
            errors.push(RowError {
                row,
                reason: "事项 is empty".into(),
            });
            continue;
        }
        let deadline = match deadline_col {
            None => None,
            Some(c) => match deadline_cell(cells.get(c).unwrap_or(&Data::Empty)) {
                Ok(d) => Some(d),
                Err(reason) => {
                    errors.push(RowError { row, reason });
                    continue;
                }
            },
        };
        out.push(LedgerInput {
            row,
            id: opt(id_col),
            number: opt(number_col),
            title,
            text: text_col.map(|c| get(Some(c)).unwrap_or_default()),
            lead: opt(lead_col),
            co: co_col.map(|c| split_units(&get(Some(c)).unwrap_or_default())),
            leader: opt(leader_col),
            deadline,
        });
    }
    Ok((out, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, deadline: DeadlineCell) -> LedgerRow {
        LedgerRow {
            number: "(一)".into(),
            title: "推进产业集群建设".into(),
            lead: "省发改委".into(),
            co: vec!["省工信厅".into(), "省科技厅".into()],
            leader: "张三".into(),
            deadline,
            state: "办理中".into(),
            light: LightCell::Red,
            latest_progress: "已完成七成".into(),
            working_days_late: Some(3),
            escalation: "催办".into(),
            text: "推进产业集群建设。力争实现产值320亿元。".into(),
            id: id.into(),
        }
    }

    #[test]
    fn a_written_ledger_reads_back() {
        let d = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let bytes = write_ledger(
            "台账",
            &[
                row("abc", DeadlineCell::Date(d)),
                row("", DeadlineCell::Text("长期坚持".into())),
                row("x", DeadlineCell::Empty),
            ],
        )
        .unwrap();
        let (rows, errors) = read_ledger(&bytes).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].id.as_deref(), Some("abc"));
        assert_eq!(rows[0].deadline, Some(DeadlineCell::Date(d)));
        assert_eq!(
            rows[0].co.as_deref(),
            Some(&["省工信厅".to_owned(), "省科技厅".to_owned()][..])
        );
        assert_eq!(rows[0].lead.as_deref(), Some("省发改委"));
        assert_eq!(rows[1].id, None);
        assert_eq!(
            rows[1].deadline,
            Some(DeadlineCell::Text("长期坚持".into()))
        );
        assert_eq!(rows[2].deadline, Some(DeadlineCell::Empty));
        assert_eq!(
            rows[0].text.as_deref(),
            Some("推进产业集群建设。力争实现产值320亿元。")
        );
    }

    #[test]
    fn dates_in_every_form() {
        assert_eq!(serial_date(46203.0), NaiveDate::from_ymd_opt(2026, 6, 30));
        assert_eq!(
            parse_date_text("2026/6/30"),
            NaiveDate::from_ymd_opt(2026, 6, 30)
        );
        assert_eq!(
            parse_date_text("2026年6月30日"),
            NaiveDate::from_ymd_opt(2026, 6, 30)
        );
        assert_eq!(parse_date_text("长期坚持"), None);
        assert!(deadline_cell(&Data::String("2026-13-45".into())).is_err());
        assert_eq!(
            deadline_cell(&Data::String("每季度".into())),
            Ok(DeadlineCell::Text("每季度".into()))
        );
    }

    #[test]
    fn unit_lists_split_outside_brackets_only() {
        assert_eq!(
            split_units("各县(市、区)党委和人民政府、市工信局,市科技局;\n 省(区)局"),
            [
                "各县(市、区)党委和人民政府",
                "市工信局",
                "市科技局",
                "省(区)局"
            ]
        );
        assert!(split_units("").is_empty());
        assert_eq!(
            split_units("各县\u{FF08}市、区\u{FF09}政府\u{FF0C}市工信局"),
            ["各县\u{FF08}市、区\u{FF09}政府", "市工信局"]
        );
        assert_eq!(split_units("a)、b"), ["a)", "b"]);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_ledger(b"not a workbook").is_err());
        assert!(read_ledger(&[]).is_err());
    }
}
