//! The ledger as a spreadsheet: `.xlsx` (rust_xlsxwriter) for the button on the ledger page,
//! and CSV in UTF-8 with a BOM, so Excel on Chinese Windows opens it without garbling.

use crate::ApiError;
use axum::http::StatusCode;
use rust_xlsxwriter::{Format, Workbook};
use std::collections::HashMap;
use xiaohao_core::Item;
use xiaohao_engine::Engine;

pub const HEADERS: [&str; 13] = [
    "序号",
    "编号",
    "类别",
    "事项",
    "产业链/专项",
    "牵头单位",
    "责任单位",
    "完成时限",
    "状态",
    "灯号",
    "进度(%)",
    "督办级别",
    "事项ID",
];

/// Column widths in characters; CJK text is about twice as wide as Latin.
const WIDTHS: [f64; 13] = [
    6.0, 8.0, 6.0, 48.0, 18.0, 16.0, 24.0, 12.0, 10.0, 8.0, 8.0, 8.0, 38.0,
];

/// The ledger rows as display strings, in [`HEADERS`] order.
///
/// # Errors
/// When units or chains cannot be read.
pub async fn ledger_rows(engine: &Engine, items: &[Item]) -> Result<Vec<[String; 13]>, ApiError> {
    let units: HashMap<_, _> = engine
        .store()
        .units()
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let chains: HashMap<_, _> = engine
        .store()
        .chains()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let unit = |u: &xiaohao_core::UnitId| units.get(u).cloned().unwrap_or_default();
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            [
                (i + 1).to_string(),
                it.number.clone().unwrap_or_default(),
                it.kind.label_zh().to_owned(),
                it.title.clone(),
                it.chain_id
                    .and_then(|c| chains.get(&c).cloned())
                    .unwrap_or_default(),
                it.lead_unit.as_ref().map(unit).unwrap_or_default(),
                it.co_units.iter().map(unit).collect::<Vec<_>>().join("、"),
                it.deadline
                    .map(|d| d.to_string())
                    .or_else(|| it.deadline_text.clone())
                    .unwrap_or_default(),
                it.state.label_zh().to_owned(),
                engine.light_of(it).label_zh().to_owned(),
                it.progress_percent
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                it.escalation_level.to_string(),
                it.id.to_string(),
            ]
        })
        .collect())
}

/// A cell as Excel must not mistake it: quoted, and a leading `=`, `+`, `-` or `@` (a
/// formula when opened) neutralised with an apostrophe.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub fn csv(rows: &[[String; 13]]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADERS.join(","));
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// # Errors
/// When the workbook cannot be written (a bug; reported as 500).
pub fn xlsx(rows: &[[String; 13]]) -> Result<Vec<u8>, ApiError> {
    let fail = |e: rust_xlsxwriter::XlsxError| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("cannot write the workbook: {e}"),
        )
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("台账").map_err(fail)?;
    let head = Format::new().set_bold().set_background_color(0x00F7_F2F2);
    let wrap = Format::new().set_text_wrap();
    for (c, (h, w)) in HEADERS.iter().zip(WIDTHS).enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        sheet
            .write_string_with_format(0, col, *h, &head)
            .map_err(fail)?;
        sheet.set_column_width(col, w).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let rn = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            // Numbers as numbers (sequence, percent, level), so that Excel can sum them.
            let numeric = matches!(c, 0 | 10 | 11);
            match cell.parse::<f64>() {
                Ok(n) if numeric => {
                    sheet.write_number(rn, col, n).map_err(fail)?;
                }
                _ if c == 3 => {
                    sheet
                        .write_string_with_format(rn, col, cell, &wrap)
                        .map_err(fail)?;
                }
                _ => {
                    sheet.write_string(rn, col, cell).map_err(fail)?;
                }
            }
        }
    }
    let last = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    sheet.autofilter(0, 0, last, 12).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}
