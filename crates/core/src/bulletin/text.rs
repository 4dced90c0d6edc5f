//! The text rules of a 公文 (after GB/T 9704): full-width punctuation in Chinese text,
//! Chinese numerals for section headings and ordinals (一、 （一）), Arabic numerals for
//! figures and dates (2026年12月1日), 文号 as 机关代字〔年份〕序号号, and escalation counts in
//! words (二级催办15次), never "2级×15".

use crate::escalation::Ladder;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// A count in Chinese numerals as 公文 headings write it: 1 → 一, 10 → 十, 12 → 十二,
/// 20 → 二十, 105 → 一百零五. Numbers of 10 000 and more are written with Arabic digits.
pub fn chinese_number(n: u32) -> String {
    if n < 10 {
        return DIGITS[n as usize].to_owned();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let (thousands, hundreds, tens, ones) = (n / 1000, n / 100 % 10, n / 10 % 10, n % 10);
    let mut out = String::new();
    let mut zero = false;
    for (digit, unit) in [(thousands, "千"), (hundreds, "百"), (tens, "十")] {
        if digit == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        // 十二, not 一十二, when the number starts with its tens.
        if !(unit == "十" && digit == 1 && out.is_empty()) {
            out.push_str(DIGITS[digit as usize]);
        }
        out.push_str(unit);
    }
    if ones > 0 {
        if zero || (tens == 0 && !out.is_empty()) {
            out.push('零');
        }
        out.push_str(DIGITS[ones as usize]);
    }
    out
}

/// The first level of headings: 一、 二、 …
pub fn heading(n: u32) -> String {
    format!("{}、", chinese_number(n))
}

/// The second level: （一） （二） …
pub fn sub_heading(n: u32) -> String {
    format!("（{}）", chinese_number(n))
}

/// The third level: 1． 2． … (Arabic numeral, full-width full stop).
pub fn item_number(n: u32) -> String {
    format!("{n}．")
}

/// A date as 公文 write it (GB/T 9704 7.3.5.3: Arabic numerals, no leading zeros):
/// 2026年12月1日.
pub fn date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// 文号: 机关代字〔年份〕序号号, e.g. 闽督通〔2026〕12号 (GB/T 9704 7.2.4: hexagonal
/// brackets, no leading zeros, no 第).
pub fn doc_number(prefix: &str, year: i32, seq: u32) -> String {
    format!("{}〔{year}〕{seq}号", prefix.trim())
}

/// The name of an escalation level as the ladder calls it: 二级催办 for level 2 when the
/// ladder's step at level 2 is 催办; 二级督办 when no step names it.
pub fn escalation_name(ladder: &Ladder, level: i32) -> String {
    let step = ladder
        .steps
        .iter()
        .find(|s| s.level == level)
        .or_else(|| ladder.steps.iter().rev().find(|s| s.level <= level));
    let n = chinese_number(u32::try_from(level.max(0)).unwrap_or(0));
    match step {
        Some(s) => format!("{n}级{}", s.name),
        None => format!("{n}级督办"),
    }
}

/// The names of `levels` as the ladder calls them (frozen with a bulletin's figures).
pub fn level_names(
    ladder: &Ladder,
    levels: impl IntoIterator<Item = i32>,
) -> BTreeMap<i32, String> {
    levels
        .into_iter()
        .map(|l| (l, escalation_name(ladder, l)))
        .collect()
}

/// Escalation counts in words: 一级预警15次、二级催办3次; "" when there were none. `names`
/// from [`level_names`]; a level without a name is 某级督办.
pub fn escalation_counts(names: &BTreeMap<i32, String>, counts: &BTreeMap<i32, u64>) -> String {
    counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(level, n)| {
            let name = names.get(level).cloned().unwrap_or_else(|| {
                format!(
                    "{}级督办",
                    chinese_number(u32::try_from((*level).max(0)).unwrap_or(0))
                )
            });
            format!("{name}{n}次")
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// A share as a whole percent: 3 of 4 → 75%; "" when the whole is 0.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return String::new();
    }
    let p = (part as f64 * 100.0 / whole as f64).round();
    format!("{p:.0}%")
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FFEF}'
        | '“' | '”' | '‘' | '’' | '…' | '—')
}

/// Half-width punctuation in Chinese text turned full-width: , ; : ? ! ( ) and straight
/// quotes (paired as “ ”), and a full stop after a Chinese character. Punctuation between
/// digits or Latin letters stays (12.5%, 1,000, 09:30, ISO 9001:2015, a.m.).
pub fn full_width(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    let mut quote_open = false;
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let latin = |x: Option<char>| x.is_some_and(|x| x.is_ascii_alphanumeric());
        let between_latin = latin(prev) && latin(next);
        let near_cjk = prev.is_some_and(is_han) || next.is_some_and(is_han);
        let mapped = match c {
            ',' if !between_latin => Some('，'),
            ';' => Some('；'),
            ':' if !between_latin => Some('：'),
            '?' => Some('？'),
            '!' => Some('！'),
            '(' => Some('（'),
            ')' => Some('）'),
            // After Chinese text as written so far (a closing bracket just turned full-width too).
            '.' if out.chars().last().is_some_and(is_cjk) && !latin(next) => Some('。'),
            '"' => {
                quote_open = !quote_open;
                Some(if quote_open { '“' } else { '”' })
            }
            _ => None,
        };
        match mapped {
            // Brackets around Latin text only (ISO (draft)) stay half-width.
            Some('（' | '）') if !near_cjk && !text_is_chinese(&chars) => out.push(c),
            Some(m) => out.push(m),
            None => out.push(c),
        }
    }
    out
}

/// Chinese text proper: the full-width marks this function itself writes (curly quotes,
/// ，；：？！（）。) do not make a text Chinese, so converting twice changes nothing more.
fn is_han(c: char) -> bool {
    is_cjk(c) && !"“”‘’，；：？！（）。".contains(c)
}

fn text_is_chinese(chars: &[char]) -> bool {
    chars.iter().any(|c| is_han(*c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals_as_headings_write_them() {
        let cases = [
            (0, "〇"),
            (1, "一"),
            (9, "九"),
            (10, "十"),
            (11, "十一"),
            (12, "十二"),
            (20, "二十"),
            (21, "二十一"),
            (99, "九十九"),
            (100, "一百"),
            (101, "一百零一"),
            (110, "一百一十"),
            (1001, "一千零一"),
            (1010, "一千零一十"),
            (2300, "二千三百"),
        ];
        for (n, s) in cases {
            assert_eq!(chinese_number(n), s, "{n}");
        }
        assert_eq!(heading(3), "三、");
        assert_eq!(sub_heading(12), "（十二）");
        assert_eq!(item_number(2), "2．");
    }

    #[test]
    fn dates_and_document_numbers_use_arabic_numerals() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(date(d), "2026年12月1日");
        assert_eq!(doc_number(" 闽督通 ", 2026, 12), "闽督通〔2026〕12号");
        assert_eq!(doc_number("闽督通", 2027, 1), "闽督通〔2027〕1号");
    }

    #[test]
    fn escalations_are_words_not_level_times_count() {
        let ladder = Ladder::default();
        let counts = BTreeMap::from([(1, 15), (2, 0), (3, 2), (7, 1), (9, 4)]);
        let names = level_names(&ladder, [1, 2, 3, 7]);
        let text = escalation_counts(&names, &counts);
        assert_eq!(text, "一级预警15次、三级督办2次、七级通报1次、九级督办4次");
        assert!(!text.contains('×') && !text.contains("1级"));
        assert_eq!(escalation_counts(&names, &BTreeMap::new()), "");
        assert_eq!(escalation_name(&ladder, 2), "二级催办");
    }

    #[test]
    fn punctuation_becomes_full_width_in_chinese_text() {
        assert_eq!(
            full_width("逾期3项,退回1次;说明:(见附件)."),
            "逾期3项，退回1次；说明：（见附件）。"
        );
        assert_eq!(
            full_width("(二)推进\"链长制\"落实"),
            "（二）推进“链长制”落实"
        );
        assert_eq!(
            full_width("完成率12.5%,合计1,000万元"),
            "完成率12.5%，合计1,000万元"
        );
        assert_eq!(full_width("09:30开会"), "09:30开会");
        assert_eq!(full_width("ISO 9001:2015"), "ISO 9001:2015");
        assert_eq!(full_width("已是全角，不变。"), "已是全角，不变。");
    }

    proptest::proptest! {
        /// Full-width conversion maps characters one to one and changes nothing twice.
        #[test]
        fn full_width_is_one_to_one_and_idempotent(s in "[一二三事项逾期,.;:()\"a-z0-9 ]{0,40}") {
            let once = full_width(&s);
            proptest::prop_assert_eq!(once.chars().count(), s.chars().count());
            proptest::prop_assert_eq!(full_width(&once), once.clone());
        }

        /// Distinct numbers get distinct numerals, made of numeral characters only.
        #[test]
        fn chinese_numerals_are_distinct(a in 1u32..10_000, b in 1u32..10_000) {
            let (x, y) = (chinese_number(a), chinese_number(b));
            proptest::prop_assert_eq!(a == b, x == y);
            proptest::prop_assert!(x.chars().all(|c| "〇一二三四五六七八九十百千零".contains(c)));
        }
    }

    #[test]
    fn a_full_width_colon_does_not_make_the_next_bracket_chinese() {
        // Found by the property below: ":(" became "：(" and then "：（".
        let once = full_width(":(");
        assert_eq!(full_width(&once), once);
    }

    #[test]
    fn percentages_round_to_whole_numbers() {
        assert_eq!(percent(3, 4), "75%");
        assert_eq!(percent(2, 3), "67%");
        assert_eq!(percent(0, 0), "");
    }
}
