//! Reading an edited 台账 back (calamine): columns found by their headers ([`Column::header`]).

use super::{Column, DeadlineCell, LedgerError, SHEET};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveDate;

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

/// A 完成时限 cell, its dates held to the years of [`xiaohao_core::validate::check_date`].
fn deadline_cell(d: &Data) -> Result<DeadlineCell, String> {
    match deadline_cell_raw(d)? {
        DeadlineCell::Date(date) => xiaohao_core::validate::check_date("deadline", date)
            .map(|()| DeadlineCell::Date(date))
            .map_err(|_| {
                format!(
                    "完成时限: {date} 超出范围，年份须在 {}–{} 之间",
                    xiaohao_core::validate::MIN_YEAR,
                    xiaohao_core::validate::MAX_YEAR
                )
            }),
        other => Ok(other),
    }
}

fn deadline_cell_raw(d: &Data) -> Result<DeadlineCell, String> {
    match d {
        Data::Empty => Ok(DeadlineCell::Empty),
        // A date cell is a serial underneath; NaN or a negative serial is no date (calamine
        // would read it as 1899-12-30).
        Data::DateTime(dt) => Some(dt.as_f64())
            .filter(|serial| serial.is_finite() && *serial >= 1.0)
            .and_then(|_| dt.as_datetime())
            .map(|x| DeadlineCell::Date(x.date()))
            .ok_or_else(|| format!("完成时限: `{}` is not a date", dt.as_f64())),
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
    // calamine can panic on a damaged workbook (an arithmetic overflow reading a sheet's
    // dimensions, seen in debug builds): a damaged upload is an error, never a crash.
    std::panic::catch_unwind(|| read_workbook(bytes)).unwrap_or_else(|_| {
        Err(LedgerError::Workbook(
            "the workbook is damaged and cannot be read".into(),
        ))
    })
}

fn read_workbook(bytes: &[u8]) -> Result<(Vec<LedgerInput>, Vec<RowError>), LedgerError> {
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
        return Err(LedgerError::MissingColumn(Column::Title.header()));
    };
    let col = |column: Column| {
        debug_assert!(column.editable());
        header
            .iter()
            .position(|c| cell_text(c).replace(char::is_whitespace, "") == column.header())
    };
    let title_col = col(Column::Title).ok_or(LedgerError::MissingColumn(Column::Title.header()))?;
    let former_id = header.iter().any(|c| cell_text(c) == "事项ID");
    if former_id && col(Column::Id).is_none() {
        return Err(LedgerError::FormerLayout);
    }
    let (id_col, number_col, lead_col, co_col, leader_col, deadline_col, text_col) = (
        col(Column::Id),
        col(Column::Number),
        col(Column::Lead),
        col(Column::Co),
        col(Column::Leader),
        col(Column::Deadline),
        col(Column::Text),
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
    use super::super::{HEADERS, LedgerRow, LightCell, write_ledger, write_ledger_csv};
    use super::*;

    fn row(id: &str, deadline: DeadlineCell) -> LedgerRow {
        LedgerRow {
            number: "(一)".into(),
            kind: "任务".into(),
            chain: "石化产业链".into(),
            percent: Some(70),
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
        let bytes = write_ledger(&[
            row("abc", DeadlineCell::Date(d)),
            row("", DeadlineCell::Text("长期坚持".into())),
            row("x", DeadlineCell::Empty),
        ])
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
    fn the_csv_has_the_workbook_columns_in_the_same_order_behind_a_bom() {
        let d = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let mut formula = row("abc", DeadlineCell::Date(d));
        formula.title = "=HYPERLINK(\"x\")".into();
        formula.co = vec!["省工信厅".into(), "各县(市、区)".into()];
        let bytes = write_ledger_csv(&[formula, row("", DeadlineCell::Empty)]).unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        let body = text.strip_prefix('\u{feff}').expect("BOM");
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(headers, HEADERS);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        let at = |h: &str| HEADERS.iter().position(|x| *x == h).unwrap();
        assert_eq!(&rows[0][at("事项")], "'=HYPERLINK(\"x\")");
        assert_eq!(&rows[0][at("责任单位")], "省工信厅、各县(市、区)");
        assert_eq!(&rows[0][at("完成时限")], "2026-06-30");
        assert_eq!(&rows[0][at("红黄绿灯")], "红灯");
        assert_eq!(&rows[0][at("逾期(工作日)")], "3");
        assert_eq!(&rows[0][at("进度(%)")], "70");
        assert_eq!(&rows[0][at("ID")], "abc");
        assert_eq!(&rows[1][at("完成时限")], "");
        assert!(text.contains("\r\n"));
    }

    #[test]
    fn headers_are_unique_and_the_id_column_is_last() {
        let mut seen = std::collections::HashSet::new();
        assert!(HEADERS.iter().all(|h| seen.insert(*h)), "{HEADERS:?}");
        assert_eq!(HEADERS.last(), Some(&"ID"));
        assert!(HEADERS.contains(&"逾期(工作日)"));
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
        for serial in [f64::NAN, -1.0, 0.0] {
            let cell = Data::DateTime(calamine::ExcelDateTime::new(
                serial,
                calamine::ExcelDateTimeType::DateTime,
                false,
            ));
            assert!(deadline_cell(&cell).is_err(), "{serial}");
        }
        assert!(deadline_cell(&Data::String("0000-01-01".into())).is_err());
        assert!(deadline_cell(&Data::Float(1.0)).is_err(), "1900-01-01");
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
    fn the_former_web_export_is_refused_rather_than_read_as_new_rows() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["序号", "编号", "事项", "完成时限", "事项ID"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
        }
        for (c, v) in ["1", "(一)", "推进产业集群建设", "2026-06-30", "abc"]
            .iter()
            .enumerate()
        {
            ws.write_string(1, u16::try_from(c).unwrap(), *v).unwrap();
        }
        let bytes = wb.save_to_buffer().unwrap();
        assert!(matches!(
            read_ledger(&bytes),
            Err(LedgerError::FormerLayout)
        ));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_ledger(b"not a workbook").is_err());
        assert!(read_ledger(&[]).is_err());
    }
}
