//! A statement as an .xlsx workbook: the heading (title, unit, period, signatures, seal),
//! then one row per line with the frozen figures and the verdicts.

use super::{LineText, local_time};
use crate::ApiError;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use xiaohao_core::Policy;
use xiaohao_engine::recon::StatementView;

const COLUMNS: [(&str, f64); 16] = [
    ("序号", 6.0),
    ("编号", 8.0),
    ("事项", 36.0),
    ("本单位职责", 10.0),
    ("状态", 10.0),
    ("完成时限", 12.0),
    ("本单位进度", 10.0),
    ("本单位最新进展", 36.0),
    ("逾期情况", 16.0),
    ("督办级别", 12.0),
    ("待报事项", 30.0),
    ("对账意见", 12.0),
    ("异议原因", 14.0),
    ("说明", 30.0),
    ("专班办理意见", 30.0),
    ("办理后情况", 40.0),
];

fn fail(e: XlsxError) -> ApiError {
    ApiError::internal(&format_args!("cannot write the statement workbook: {e}"))
}

/// # Errors
/// When the workbook cannot be written (a bug; reported as 500).
pub(crate) fn workbook(policy: &Policy, v: &StatementView) -> Result<Vec<u8>, ApiError> {
    build(policy, v).map_err(fail)
}

fn build(policy: &Policy, v: &StatementView) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("对账单")?;
    let title = Format::new().set_bold().set_font_size(16);
    let head = Format::new()
        .set_bold()
        .set_background_color(0x00F7_F2F2)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let cell = Format::new()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let h = &v.header;
    ws.write_with_format(0, 0, format!("{}{}", h.unit_name, h.title), &title)?;
    let facts = [
        ("对账期间", h.period_key.clone()),
        ("生成日期", h.opens_on.to_string()),
        ("签署期限", h.due_on.to_string()),
        ("状态", h.status.label_zh().to_owned()),
        (
            "单位签署",
            h.signed_by
                .as_ref()
                .map(|b| format!("{b} {}", local_time(policy, h.signed_at)))
                .unwrap_or_default(),
        ),
        (
            "专班会签",
            h.countersigned_by
                .as_ref()
                .map(|b| format!("{b} {}", local_time(policy, h.countersigned_at)))
                .unwrap_or_default(),
        ),
        ("归档校验码", v.content_hash.clone().unwrap_or_default()),
    ];
    for (i, (k, val)) in facts.iter().enumerate() {
        let r = u32::try_from(i).unwrap_or(0) + 1;
        ws.write(r, 0, *k)?;
        ws.write(r, 2, val)?;
    }
    let top = u32::try_from(facts.len()).unwrap_or(0) + 2;
    for (c, (name, width)) in COLUMNS.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(0);
        ws.set_column_width(c, *width)?;
        ws.write_with_format(top, c, *name, &head)?;
    }
    for (i, l) in v.lines.iter().enumerate() {
        let t = LineText::of(policy, l);
        let r = top + 1 + u32::try_from(i).unwrap_or(0);
        let values = [
            t.seq.to_string(),
            t.number,
            t.title,
            t.party.to_owned(),
            t.state.to_owned(),
            t.deadline,
            t.percent,
            t.report,
            t.late,
            t.level,
            t.duties.join("\n"),
            t.verdict.to_owned(),
            t.reason,
            [t.note, t.attachments]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("\n附件："),
            t.answer,
            t.after,
        ];
        for (c, val) in values.iter().enumerate() {
            ws.write_with_format(r, u16::try_from(c).unwrap_or(0), val, &cell)?;
        }
    }
    ws.set_freeze_panes(top + 1, 0)?;
    wb.save_to_buffer()
}
