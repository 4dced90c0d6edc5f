//! Formatting of bulletins (通报) and of the exported ledger. The figures come from the
//! engine (`xiaohao_engine::report`); this module only lays them out: Markdown, HTML
//! (every text escaped) and Excel.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use xiaohao_engine::report::{Bulletin, BulletinRow, Figures};

const COLUMNS: [&str; 10] = [
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

fn escalations(f: &Figures) -> String {
    if f.escalations.is_empty() {
        return "0".into();
    }
    f.escalations
        .iter()
        .map(|(l, n)| format!("{l}级×{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn rate(f: &Figures) -> String {
    if f.closed == 0 {
        "-".into()
    } else {
        format!("{:.0}%", f.closed_on_time as f64 * 100.0 / f.closed as f64)
    }
}

fn avg(f: &Figures) -> String {
    f.avg_working_days_to_close
        .map_or_else(|| "-".into(), |a| format!("{a:.1}"))
}

fn cells(name: &str, f: &Figures) -> [String; 10] {
    [
        name.to_owned(),
        f.total.to_string(),
        f.closed.to_string(),
        f.closed_on_time.to_string(),
        f.overdue.to_string(),
        f.returned.to_string(),
        f.duties_missed.to_string(),
        avg(f),
        escalations(f),
        rate(f),
    ]
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The bulletin as Markdown.
pub fn markdown(b: &Bulletin) -> String {
    let mut out = String::new();
    out.push_str(&format!("# {}\n\n", md_cell(&b.title)));
    out.push_str(&format!(
        "统计期间: {} 至 {}(截至 {})\n\n",
        b.period.from, b.period.to, b.as_of
    ));
    let t = &b.total;
    out.push_str(&format!(
        "全部事项 {} 项,本期销号 {} 项(按期 {} 项),逾期 {} 项,退回/核验不通过 {} 次,报送缺报 {} 次,督办升级 {}。\n\n",
        t.total,
        t.closed,
        t.closed_on_time,
        t.overdue,
        t.returned,
        t.duties_missed,
        escalations(t)
    ));
    let table = |title: &str, rows: &[BulletinRow], out: &mut String| {
        out.push_str(&format!("## {title}\n\n| {} |\n|", COLUMNS.join(" | ")));
        out.push_str(&"---|".repeat(COLUMNS.len()));
        out.push('\n');
        for r in rows {
            let c = cells(&r.name, &r.figures).map(|c| md_cell(&c));
            out.push_str(&format!("| {} |\n", c.join(" | ")));
        }
        out.push('\n');
    };
    table("一、分产业链(专项)情况", &b.by_chain, &mut out);
    table("二、分牵头单位情况", &b.by_unit, &mut out);
    out.push_str("## 三、红灯事项\n\n");
    if b.red_items.is_empty() {
        out.push_str("无。\n");
    } else {
        out.push_str("| 序号 | 事项 | 牵头单位 | 产业链 | 完成时限 | 逾期工作日 | 督办级别 |\n|---|---|---|---|---|---|---|\n");
        for r in &b.red_items {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                md_cell(r.number.as_deref().unwrap_or("")),
                md_cell(&r.title),
                md_cell(r.lead.as_deref().unwrap_or("")),
                md_cell(r.chain.as_deref().unwrap_or("")),
                r.due_on.map(|d| d.to_string()).unwrap_or_default(),
                r.working_days_late,
                r.escalation_level
            ));
        }
    }
    out
}

/// Escape text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The bulletin as a self-contained HTML page; every text from the data is escaped.
pub fn html(b: &Bulletin) -> String {
    let e = escape_html;
    let mut out = String::new();
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin-bottom:1.5em}}th,td{{border:1px solid #999;padding:4px 8px}}th{{background:#d9e1f2}}td.n{{text-align:right}}</style></head><body>\n",
        e(&b.title)
    ));
    out.push_str(&format!("<h1>{}</h1>\n", e(&b.title)));
    out.push_str(&format!(
        "<p>统计期间: {} 至 {}(截至 {})</p>\n",
        b.period.from, b.period.to, b.as_of
    ));
    let table = |title: &str, rows: &[BulletinRow], out: &mut String| {
        out.push_str(&format!("<h2>{}</h2>\n<table><thead><tr>", e(title)));
        for c in COLUMNS {
            out.push_str(&format!("<th>{}</th>", e(c)));
        }
        out.push_str("</tr></thead><tbody>\n");
        for r in rows {
            out.push_str("<tr>");
            for (i, c) in cells(&r.name, &r.figures).iter().enumerate() {
                let class = if i == 0 { "" } else { " class=\"n\"" };
                out.push_str(&format!("<td{class}>{}</td>", e(c)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>\n");
    };
    let total = [BulletinRow {
        name: "合计".into(),
        figures: b.total.clone(),
    }];
    table("合计", &total, &mut out);
    table("一、分产业链(专项)情况", &b.by_chain, &mut out);
    table("二、分牵头单位情况", &b.by_unit, &mut out);
    out.push_str("<h2>三、红灯事项</h2>\n");
    if b.red_items.is_empty() {
        out.push_str("<p>无。</p>\n");
    } else {
        out.push_str("<table><thead><tr><th>序号</th><th>事项</th><th>牵头单位</th><th>产业链</th><th>完成时限</th><th>逾期工作日</th><th>督办级别</th></tr></thead><tbody>\n");
        for r in &b.red_items {
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                e(r.number.as_deref().unwrap_or("")),
                e(&r.title),
                e(r.lead.as_deref().unwrap_or("")),
                e(r.chain.as_deref().unwrap_or("")),
                r.due_on.map(|d| d.to_string()).unwrap_or_default(),
                r.working_days_late,
                r.escalation_level
            ));
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</body></html>\n");
    out
}

/// The bulletin as a workbook: sheets 分产业链, 分牵头单位, 红灯事项.
///
/// # Errors
/// When rust_xlsxwriter refuses a value.
pub fn xlsx(b: &Bulletin) -> Result<Vec<u8>, XlsxError> {
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
            ws.write_string_with_format(row, 8, escalations(f), &cell)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_everything_it_is_given() {
        assert_eq!(
            escape_html("<script>alert(\"x\")</script>&'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"
        );
    }
}
