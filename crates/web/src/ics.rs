//! iCalendar (RFC 5545) feed of a unit's deadlines: all-day events, CRLF line endings,
//! lines folded at 75 octets without splitting a UTF-8 character.

use chrono::{DateTime, Utc};
use xiaohao_core::Item;

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Fold one content line: at most 75 octets per physical line, continuation lines start
/// with a space.
pub fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for ch in line.chars() {
        let w = ch.len_utf8();
        if len + w > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(ch);
        len += w;
    }
    out.push_str("\r\n");
    out
}

/// The calendar for `unit_name` with one VEVENT per item deadline.
pub fn calendar(unit_name: &str, items: &[Item], base_url: &str, now: DateTime<Utc>) -> String {
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Xiaohao//对账销号//ZH".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{}", escape(&format!("{unit_name} 办理时限"))),
        "X-WR-TIMEZONE:Asia/Shanghai".to_owned(),
    ] {
        out.push_str(&fold(&l));
    }
    for it in items {
        let Some(d) = it.deadline else { continue };
        let next = d.succ_opt().unwrap_or(d);
        let title = match &it.number {
            Some(n) => format!("【时限】{n} {}", it.title),
            None => format!("【时限】{}", it.title),
        };
        for l in [
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}-deadline@xiaohao", it.id),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", d.format("%Y%m%d")),
            format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")),
            format!("SUMMARY:{}", escape(&title)),
            format!(
                "DESCRIPTION:{}",
                escape(&format!("状态:{}\n{}", it.state.label_zh(), it.text))
            ),
            format!("URL:{}/items/{}", base_url.trim_end_matches('/'), it.id),
            "TRANSP:TRANSPARENT".to_owned(),
            "END:VEVENT".to_owned(),
        ] {
            out.push_str(&fold(&l));
        }
    }
    out.push_str(&fold("END:VCALENDAR"));
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_at_75_octets_on_char_boundaries() {
        let line = format!("SUMMARY:{}", "销号".repeat(40));
        let folded = fold(&line);
        for physical in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"));
    }
}
