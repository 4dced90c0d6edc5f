//! Formatting of bulletins (通报) and of the exported ledger. The figures come from the
//! engine (`xiaohao_engine::report`); this module only lays them out: Markdown, HTML
//! (every text escaped) and Excel (the workbook is the web's figures sheet, shared).

use xiaohao_engine::report::{Bulletin, BulletinRow};
pub use xiaohao_web::bulletin::figures::xlsx;
use xiaohao_web::bulletin::figures::{COLUMNS, LevelNames, cells, escalations};

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The bulletin as Markdown.
pub fn markdown(b: &Bulletin, names: &LevelNames) -> String {
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
        escalations(t, names)
    ));
    let table = |title: &str, rows: &[BulletinRow], out: &mut String| {
        out.push_str(&format!("## {title}\n\n| {} |\n|", COLUMNS.join(" | ")));
        out.push_str(&"---|".repeat(COLUMNS.len()));
        out.push('\n');
        for r in rows {
            let c = cells(&r.name, &r.figures, names).map(|c| md_cell(&c));
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
pub fn html(b: &Bulletin, names: &LevelNames) -> String {
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
            for (i, c) in cells(&r.name, &r.figures, names).iter().enumerate() {
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
