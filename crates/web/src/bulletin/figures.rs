//! The figures sheet of a bulletin (.xlsx): sheets 分产业链, 分牵头单位, 红灯事项, the same
//! columns the CLI prints as Markdown or HTML. Escalations are written in words with the
//! ladder's names (一级预警15次), never "1级×15".

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use std::collections::BTreeMap;
use xiaohao_core::bulletin::text;
use xiaohao_engine::report::{Bulletin, BulletinRow, Figures};

/// Level → its name on the ladder (二级催办).
pub type LevelNames = BTreeMap<i32, String>;

/// The names of every level the ladder has and the figures mention.
pub fn level_names(ladder: &xiaohao_core::escalation::Ladder, b: &Bulletin) -> LevelNames {
    let levels = ladder
        .steps
        .iter()
        .map(|s| s.level)
        .chain(b.total.escalations.keys().copied())
        .chain(b.red_items.iter().map(|r| r.escalation_level))
        .filter(|l| *l > 0);
    text::level_names(ladder, levels)
}

pub const COLUMNS: [&str; 10] = [
    "名称",
    "事项总数",
    "已销号",
    "按期销号",
    "逾期",
    "退回/核验不通过",
    "报送缺报",
    "平均销号用时(工作日)",
    "督办升级(按级别)",
    "按期销号率",
];

/// Escalation steps in words (一级预警15次、二级催办3次), "0" when none fired.
pub fn escalations(f: &Figures, names: &LevelNames) -> String {
    let s = text::escalation_counts(names, &f.escalations);
    if s.is_empty() { "0".into() } else { s }
}

pub fn rate(f: &Figures) -> String {
    if f.closed == 0 {
        "-".into()
    } else {
        format!("{:.0}%", f.closed_on_time as f64 * 100.0 / f.closed as f64)
    }
}

pub fn avg(f: &Figures) -> String {
    f.avg_working_days_to_close
        .map_or_else(|| "-".into(), |a| format!("{a:.1}"))
}

/// One row of the sheet as display strings.
pub fn cells(name: &str, f: &Figures, names: &LevelNames) -> [String; 10] {
    [
        name.to_owned(),
        f.total.to_string(),
        f.closed.to_string(),
        f.closed_on_time.to_string(),
        f.overdue.to_string(),
        f.returned.to_string(),
        f.duties_missed.to_string(),
        avg(f),
        escalations(f, names),
        rate(f),
    ]
}

/// The bulletin as a workbook: sheets 分产业链, 分牵头单位, 红灯事项.
///
/// # Errors
/// When rust_xlsxwriter refuses a value.
pub fn xlsx(b: &Bulletin, names: &LevelNames) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9_E1_F2))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let title_fmt = Format::new().set_bold().set_font_size(14);
    for (sheet, rows) in [("分产业链", &b.by_chain), ("分牵头单位", &b.by_unit)] {
        let ws = wb.add_worksheet();
        ws.set_name(sheet)?;
        ws.write_string_with_format(0, 0, &b.title, &title_fmt)?;
        ws.write_string(
            1,
            0,
            format!(
                "统计期间: {} 至 {}(截至 {})",
                b.period.from, b.period.to, b.as_of
            ),
        )?;
        for (c, h) in COLUMNS.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(0);
            ws.write_string_with_format(3, c, *h, &header)?;
            ws.set_column_width(c, if c == 0 { 30 } else { 12 })?;
        }
        let total = BulletinRow {
            name: "合计".into(),
            figures: b.total.clone(),
        };
        for (i, r) in rows.iter().chain(std::iter::once(&total)).enumerate() {
            let row = u32::try_from(i + 4).unwrap_or(u32::MAX);
            let f = &r.figures;
            ws.write_string_with_format(row, 0, &r.name, &cell)?;
            for (c, n) in [
                f.total,
                f.closed,
                f.closed_on_time,
                f.overdue,
                f.returned,
                f.duties_missed,
            ]
            .into_iter()
            .enumerate()
            {
                let c = u16::try_from(c + 1).unwrap_or(0);
                ws.write_number_with_format(row, c, n as f64, &cell)?;
            }
            match f.avg_working_days_to_close {
                Some(a) => ws.write_number_with_format(row, 7, a, &cell)?,
                None => ws.write_string_with_format(row, 7, "-", &cell)?,
            };
            ws.write_string_with_format(row, 8, escalations(f, names), &cell)?;
            ws.write_string_with_format(row, 9, rate(f), &cell)?;
        }
        ws.set_freeze_panes(4, 1)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("红灯事项")?;
    let heads = [
        "序号",
        "事项",
        "牵头单位",
        "产业链",
        "完成时限",
        "逾期工作日",
        "督办级别",
    ];
    let widths = [8, 50, 24, 24, 12, 12, 10];
    for (c, (h, w)) in heads.iter().zip(widths).enumerate() {
        let c = u16::try_from(c).unwrap_or(0);
        ws.write_string_with_format(0, c, *h, &header)?;
        ws.set_column_width(c, w)?;
    }
    let red = cell.clone().set_background_color(Color::RGB(0xFF_4D_4D));
    for (i, r) in b.red_items.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        ws.write_string_with_format(row, 0, r.number.as_deref().unwrap_or(""), &cell)?;
        ws.write_string_with_format(row, 1, &r.title, &red)?;
        ws.write_string_with_format(row, 2, r.lead.as_deref().unwrap_or(""), &cell)?;
        ws.write_string_with_format(row, 3, r.chain.as_deref().unwrap_or(""), &cell)?;
        ws.write_string_with_format(
            row,
            4,
            r.due_on.map(|d| d.to_string()).unwrap_or_default(),
            &cell,
        )?;
        ws.write_number_with_format(row, 5, r.working_days_late as f64, &cell)?;
        ws.write_number_with_format(row, 6, f64::from(r.escalation_level), &cell)?;
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}
