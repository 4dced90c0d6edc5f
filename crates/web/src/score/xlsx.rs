//! A score card as an .xlsx workbook: sheet 考核排名 (名次, 单位, 得分, 扣分, 加分) and sheet
//! 扣分加分明细 (one row per line: unit, date, rule, points, item, event, note).

use super::texts;
use crate::ApiError;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use xiaohao_core::score::{Scorecard, ScoringRules};

const RANKING: [(&str, f64); 5] = [
    ("名次", 8.0),
    ("单位", 30.0),
    ("得分", 10.0),
    ("扣分", 10.0),
    ("加分", 10.0),
];

const LINES: [(&str, f64); 8] = [
    ("单位", 24.0),
    ("日期", 16.0),
    ("考核项", 14.0),
    ("分值", 8.0),
    ("事项", 40.0),
    ("事项编号", 38.0),
    ("记录序号", 10.0),
    ("说明", 40.0),
];

/// # Errors
/// When the workbook cannot be written (a bug; reported as 500).
pub(crate) fn workbook(card: &Scorecard, rules: &ScoringRules) -> Result<Vec<u8>, ApiError> {
    build(card, rules)
        .map_err(|e| ApiError::internal(&format_args!("cannot write the score workbook: {e}")))
}

fn build(card: &Scorecard, rules: &ScoringRules) -> Result<Vec<u8>, XlsxError> {
    let units = texts(card, rules);
    let mut wb = Workbook::new();
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
    let heading = format!(
        "{}考核排名（基础分 {}）",
        card.period.title_zh(),
        card.base.to_string().trim_start_matches('+')
    );

    let ws = wb.add_worksheet();
    ws.set_name("考核排名")?;
    ws.write_with_format(0, 0, &heading, &title)?;
    for (c, (name, width)) in RANKING.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(0);
        ws.set_column_width(c, *width)?;
        ws.write_with_format(2, c, *name, &head)?;
    }
    for (i, u) in units.iter().enumerate() {
        let r = 3 + u32::try_from(i).unwrap_or(0);
        let values = [
            u.rank.to_string(),
            u.unit.clone(),
            u.score.clone(),
            u.minus.clone(),
            u.plus.clone(),
        ];
        for (c, v) in values.iter().enumerate() {
            ws.write_with_format(r, u16::try_from(c).unwrap_or(0), v, &cell)?;
        }
    }
    ws.set_freeze_panes(3, 0)?;

    let ws = wb.add_worksheet();
    ws.set_name("扣分加分明细")?;
    ws.write_with_format(
        0,
        0,
        format!("{}考核扣分加分明细", card.period.title_zh()),
        &title,
    )?;
    for (c, (name, width)) in LINES.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(0);
        ws.set_column_width(c, *width)?;
        ws.write_with_format(2, c, *name, &head)?;
    }
    let mut r = 3u32;
    for u in &units {
        for l in &u.lines {
            let values = [
                u.unit.clone(),
                l.on.clone(),
                l.label.clone(),
                l.points.clone(),
                l.item_title.clone(),
                l.item_id.clone(),
                l.seq.to_string(),
                l.note.clone(),
            ];
            for (c, v) in values.iter().enumerate() {
                ws.write_with_format(r, u16::try_from(c).unwrap_or(0), v, &cell)?;
            }
            r += 1;
        }
    }
    ws.set_freeze_panes(3, 0)?;
    wb.save_to_buffer()
}
