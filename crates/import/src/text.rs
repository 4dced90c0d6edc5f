//! Character normalisation, Chinese numerals and splitting a document into
//! logical lines (one heading, label or paragraph per line).

use std::sync::LazyLock;

use regex::Regex;

/// Normalise a document the way the seed documents are already written:
/// full-width ASCII variants (U+FF01–U+FF5E) become ASCII, every kind of
/// space becomes `' '`, line breaks become `'\n'`, BOM and zero-width
/// characters disappear. Chinese punctuation proper (`。、“”《》〔〕`) is kept.
pub(crate) fn normalize(input: &str) -> String {
    let bars;
    let input = if input.contains('\t') {
        bars = tabs_to_bars(input);
        bars.as_str()
    } else {
        input
    };
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\u{2028}' | '\u{2029}' | '\u{0B}' | '\u{0C}' | '\u{85}' => out.push('\n'),
            '\u{FEFF}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{AD}' => {}
            '\t' | '\u{A0}' | '\u{3000}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => {
                out.push(' ');
            }
            '\u{FF01}'..='\u{FF5E}' => {
                out.push(char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c));
            }
            '﹙' => out.push('('),
            '﹚' => out.push(')'),
            '\u{0}'..='\u{8}' | '\u{E}'..='\u{1F}' | '\u{7F}' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Rows copied from a spreadsheet or a Word table are tab-separated: a
/// line with two or more tabs becomes a `|`-separated row (a single tab is
/// indentation and becomes a space).
fn tabs_to_bars(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 16);
    for (i, line) in input.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.trim_matches(['\r', ' ']).matches('\t').count() >= 2 {
            out.push('|');
            out.push_str(&line.trim_end_matches('\r').replace('\t', "|"));
            out.push('|');
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Whether `c` is a CJK ideograph (the common blocks; enough for names).
pub(crate) fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '〇')
}

/// Remove spaces that sit between two Han characters (`陈 飞` → `陈飞`,
/// `产 业` → `产业`), collapse other runs of spaces and trim.
pub(crate) fn squeeze_han_spaces(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' {
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let before = out.chars().last();
            let after = chars.get(j).copied();
            let join = matches!((before, after), (Some(b), Some(a)) if is_han(b) && is_han(a));
            if !join {
                out.push(' ');
            }
            i = j;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Value of a Chinese numeral up to the hundreds (`十二` → 12, `二十` → 20,
/// `一百零一` → 101); `None` if `s` contains anything else.
pub(crate) fn cn_number(s: &str) -> Option<u32> {
    let mut total: u32 = 0;
    let mut current: u32 = 0;
    let mut seen = false;
    for c in s.chars() {
        seen = true;
        if let Some(d) = cn_digit(c) {
            current = d;
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            _ => return None,
        };
        let factor = if current == 0 { 1 } else { current };
        total = total.checked_add(factor.checked_mul(unit)?)?;
        current = 0;
    }
    if !seen {
        return None;
    }
    total.checked_add(current)
}

/// Value of a single Chinese digit character.
pub(crate) fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' | 'O' | 'o' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Outline level of a numbering marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// `一、` or `第一部分`.
    Section,
    /// `(一)`.
    Item,
    /// `1.` / `1、` / `1)`.
    SubItem,
    /// `(1)` / `①`.
    Point,
}

/// A numbering marker at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Marker {
    pub level: Level,
    pub n: u32,
    /// The marker as printed (normalised), e.g. `(十二)`, `1.`.
    pub label: String,
    /// Byte length of the marker including trailing spaces.
    pub len: usize,
}

const CN: &str = "一二三四五六七八九十百零〇两";

static SECTION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:([{CN}]{{1,4}})\s*、|第([{CN}]{{1,4}})(?:部分|章|篇))\s*"
    ))
    .expect("section regex")
});
static ITEM_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^\(\s*([{CN}]{{1,4}})\s*\)\s*")).expect("item regex"));
static SUB_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,2})\s*([.、)])\s*").expect("sub-item regex"));
static POINT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\(\s*(\d{1,2})\s*\)|([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]))\s*").expect("point regex")
});

/// Recognise a numbering marker at the start of `s`.
pub(crate) fn marker_at(s: &str) -> Option<Marker> {
    if let Some(c) = SECTION_RE.captures(s) {
        let whole = c.get(0)?;
        let (digits, label) = match (c.get(1), c.get(2)) {
            (Some(d), _) => (d.as_str(), format!("{}、", d.as_str())),
            (None, Some(d)) => (d.as_str(), whole.as_str().trim().to_owned()),
            _ => return None,
        };
        return Some(Marker {
            level: Level::Section,
            n: cn_number(digits)?,
            label,
            len: whole.end(),
        });
    }
    if let Some(c) = ITEM_RE.captures(s) {
        let whole = c.get(0)?;
        let digits = c.get(1)?.as_str();
        return Some(Marker {
            level: Level::Item,
            n: cn_number(digits)?,
            label: format!("({digits})"),
            len: whole.end(),
        });
    }
    if let Some(c) = SUB_RE.captures(s) {
        let whole = c.get(0)?;
        // `2.5倍` is a number, not a marker.
        if s[whole.end()..].starts_with(|ch: char| ch.is_ascii_digit()) {
            return None;
        }
        let digits = c.get(1)?.as_str();
        let sep = c.get(2)?.as_str();
        return Some(Marker {
            level: Level::SubItem,
            n: digits.parse().ok()?,
            label: format!("{digits}{sep}"),
            len: whole.end(),
        });
    }
    if let Some(c) = POINT_RE.captures(s) {
        let whole = c.get(0)?;
        let (n, label) = match (c.get(1), c.get(2)) {
            (Some(d), _) => (d.as_str().parse().ok()?, format!("({})", d.as_str())),
            (None, Some(circled)) => {
                let ch = circled.as_str().chars().next()?;
                (
                    u32::from(ch) - u32::from('①') + 1,
                    circled.as_str().to_owned(),
                )
            }
            _ => return None,
        };
        return Some(Marker {
            level: Level::Point,
            n,
            label,
            len: whole.end(),
        });
    }
    None
}

/// Labels that start a new logical line wherever they occur.
pub(crate) const LABEL_PATTERN: &str = r"(?:牵头(?:省|市|县|区)?领导|联系(?:省|市|县|区)?领导|责任领导|分管(?:省|市|县|区)?领导|挂钩(?:省|市|县|区)?领导|包联领导|副链长|链长|牵头(?:责任)?(?:单位|部门)|责任(?:单位|部门)|主责(?:单位|部门)|配合(?:单位|部门)|协办(?:单位|部门)|参与(?:单位|部门)|协同(?:单位|部门)|协助(?:单位|部门)|成员单位|完成时限|完成时间|时间节点|时限要求|办结时限)";

/// Metadata labels of government web pages.
pub(crate) const META_PATTERN: &str = r"(?:索\s*引\s*号|文\s*号|发文字号|发布机构|发文机关|成文日期|生成日期|发布日期|印发日期|标\s*题|内容概述|有\s*效\s*性|主题分类|主\s*题\s*词|公文种类|体裁分类|组配分类|来\s*源)";

static SPLIT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:{LABEL_PATTERN}\s*:)|(?:{META_PATTERN}\s*:)|(?:[{CN}]{{1,4}}、)|(?:\([{CN}]{{1,4}}\))|(?:\d{{1,2}}[.、])"
    ))
    .expect("split regex")
});
static LABEL_START_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^{LABEL_PATTERN}\s*:")).expect("label start regex"));
static META_START_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^{META_PATTERN}\s*:")).expect("meta start regex"));

/// Numbering state while splitting, used to accept markers that are glued
/// to the preceding text in one-line documents.
#[derive(Debug, Default)]
struct Sequence {
    section: u32,
    item: u32,
    sub: u32,
    last: Option<Level>,
}

impl Sequence {
    fn accept(&mut self, m: &Marker) {
        match m.level {
            Level::Section => {
                self.section = m.n;
                self.sub = 0;
            }
            Level::Item => {
                self.item = m.n;
                self.sub = 0;
            }
            Level::SubItem => self.sub = m.n,
            Level::Point => {}
        }
        if m.level != Level::Point {
            self.last = Some(m.level);
        }
    }

    /// Whether `m` continues the numbering seen so far.
    fn follows(&self, m: &Marker, boundary: bool) -> bool {
        match m.level {
            Level::Section => m.n == self.section + 1 && (m.n > 1 || boundary),
            Level::Item => m.n == self.item + 1 || (m.n == 1 && self.last == Some(Level::Section)),
            Level::SubItem => {
                m.n == self.sub + 1
                    && (m.n > 1
                        || boundary
                        || matches!(self.last, Some(Level::Section | Level::Item)))
            }
            Level::Point => false,
        }
    }
}

/// Page furniture and closing phrases that start a new line in one-line documents.
static ONE_LINE_SPLIT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"扫一扫|打印本页|关闭窗口|附件下载|相关链接|\(此件(?:主动)?公开(?:发布)?\)|",
        r"本(?:工作)?(?:实施)?(?:方案|措施|意见|办法|文件|通知|计划|细则|规定)(?:自|由|涉及|所需|有效期|从)|",
        r"附\s*件\s*(?::|[0-9一二三四五六七八九十])"
    ))
    .expect("one-line split regex")
});

/// Why a position may start a new line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// Label, metadata label or numbering marker (decided on the spot).
    Marker,
    /// Unconditional cut (one-line documents only).
    Always,
}

/// Split a normalised document into trimmed, non-empty logical lines.
///
/// Labels (`责任单位:` …) always start a new line. In a document that has
/// (almost) no line breaks, numbering markers start a new line too when they
/// continue the numbering seen so far (or restart it, for a page printed
/// twice), and so do the addressee, closing sentences, `附件`, page chrome
/// and a table's first cell, so a whole plan pasted as one line still yields
/// one line per heading, item and label.
pub(crate) fn split_lines(text: &str) -> Vec<String> {
    let raw: Vec<&str> = text
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let total_chars: usize = raw.iter().map(|l| l.chars().count()).sum();
    let aggressive = raw.len() <= 3 || total_chars / raw.len().max(1) > 500;
    let mut seq = Sequence::default();
    let mut out = Vec::with_capacity(raw.len());
    for line in raw {
        let line = line.trim_start_matches(BULLETS);
        if let Some(m) = marker_at(line) {
            seq.accept(&m);
        }
        let mut cuts: Vec<(usize, Cut)> = SPLIT_RE
            .find_iter(line)
            .map(|m| (m.start(), Cut::Marker))
            .collect();
        if aggressive {
            extra_cuts(line, &mut cuts);
            cuts.sort_by_key(|(pos, _)| *pos);
            cuts.dedup_by_key(|(pos, _)| *pos);
        }
        let mut start = 0usize;
        for (pos, cut) in cuts {
            if pos == 0 || pos <= start || pos >= line.len() {
                continue;
            }
            let split = cut == Cut::Always || marker_cut(line, pos, aggressive, &mut seq);
            if split {
                push_trimmed(&mut out, &line[start..pos]);
                start = pos;
            }
        }
        push_trimmed(&mut out, &line[start..]);
    }
    out
}

const BULLETS: [char; 8] = ['•', '●', '■', '◆', '▪', '·', '*', ' '];

/// Whether the label or marker at `pos` starts a new line.
fn marker_cut(line: &str, pos: usize, aggressive: bool, seq: &mut Sequence) -> bool {
    let rest = &line[pos..];
    let prev = line[..pos].chars().next_back();
    if LABEL_START_RE.is_match(rest) {
        return true;
    }
    if META_START_RE.is_match(rest) {
        return aggressive || prev == Some(' ');
    }
    if !aggressive {
        return false;
    }
    let Some(m) = marker_at(rest) else {
        return false;
    };
    let glued_to_number = prev.is_some_and(|p| p.is_ascii_digit() || p == '第' || p == '.');
    let boundary =
        prev.is_some_and(|p| matches!(p, '。' | ';' | '!' | '?' | ' ' | ')' | '”' | ':'));
    // A glued `一、` only counts when an item marker follows soon, so
    // `统一、规范` in running prose is left alone; such a heading may also
    // restart the numbering (a page printed twice).
    let heading_like =
        m.level == Level::Section && rest.chars().take(32).collect::<String>().contains("(一)");
    let ok = !glued_to_number
        && (seq.follows(&m, boundary || heading_like) || (heading_like && m.n == 1));
    if ok {
        seq.accept(&m);
    }
    ok
}

/// Cuts that only make sense when a whole document sits on one line.
fn extra_cuts(line: &str, cuts: &mut Vec<(usize, Cut)>) {
    for m in ONE_LINE_SPLIT_RE.find_iter(line) {
        let before = line[..m.start()].chars().next_back();
        if m.as_str().starts_with('附') && matches!(before, Some('见' | '如' | '详' | '按' | '照'))
        {
            continue;
        }
        cuts.push((m.start(), Cut::Always));
        if m.as_str().starts_with('(') {
            cuts.push((m.end(), Cut::Always));
        }
    }
    // The addressee: `。各设区市人民政府,…,省直各单位:`.
    for (i, _) in line.match_indices('各') {
        if !line[..i].ends_with(['。', ')']) {
            continue;
        }
        let tail = head_of(&line[i..], 1200);
        let Some(colon) = tail.find(':') else {
            continue;
        };
        let head = &tail[..colon];
        if head.chars().count() <= 300 && !head.contains('。') && head.contains([',', '、']) {
            cuts.push((i, Cut::Always));
            cuts.push((i + colon + 1, Cut::Always));
        }
    }
    // A table flattened into the line: cut before its first header cell.
    if line.matches('|').count() >= 4
        && let Some(first_bar) = line.find('|')
    {
        let pre = line[..first_bar].trim_end();
        let starts: Vec<usize> = pre.char_indices().map(|(i, _)| i).collect();
        let cell_start = starts
            .iter()
            .rev()
            .take(8)
            .find(|&&i| crate::tables::role_of(&pre[i..]).is_some());
        if let Some(&i) = cell_start {
            cuts.push((i, Cut::Always));
        }
    }
}

/// The longest prefix of `s` of at most `max_bytes` bytes that ends on a
/// character boundary.
pub(crate) fn head_of(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut end = max_bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The longest suffix of `s` of at most `max_bytes` bytes that starts on a
/// character boundary.
pub(crate) fn tail_of(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut start = s.len() - max_bytes;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

fn push_trimmed(out: &mut Vec<String>, s: &str) {
    let t = s.trim().trim_matches(BULLETS);
    if !t.is_empty() {
        out.push(t.to_owned());
    }
}

/// Split prose into sentences at `。`, `;`, `!`, `?` and line breaks; the
/// terminator stays with its sentence.
pub(crate) fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '。' | ';' | '!' | '?' | '\n') {
            let end = i + c.len_utf8();
            if !text[start..end].trim().is_empty() {
                out.push(&text[start..end]);
            }
            start = end;
        }
    }
    if !text[start..].trim().is_empty() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_full_width() {
        assert_eq!(
            normalize("(一)责任单位:省发改委,2021年\u{3000}95%"),
            "(一)责任单位:省发改委,2021年 95%"
        );
        assert_eq!(normalize("a\r\nb\rc"), "a\nb\nc");
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(cn_number("一"), Some(1));
        assert_eq!(cn_number("十"), Some(10));
        assert_eq!(cn_number("十二"), Some(12));
        assert_eq!(cn_number("二十"), Some(20));
        assert_eq!(cn_number("二十三"), Some(23));
        assert_eq!(cn_number("一百零一"), Some(101));
        assert_eq!(cn_number("中"), None);
        assert_eq!(cn_number(""), None);
    }

    #[test]
    fn markers() {
        let m = marker_at("(十二)推进产业人才集聚。").expect("item");
        assert_eq!(
            (m.level, m.n, m.label.as_str()),
            (Level::Item, 12, "(十二)")
        );
        let m = marker_at("二、拓展延伸产业链").expect("section");
        assert_eq!(
            (m.level, m.n, m.label.as_str()),
            (Level::Section, 2, "二、")
        );
        let m = marker_at("1.钢铁产业。").expect("sub");
        assert_eq!((m.level, m.n, m.label.as_str()), (Level::SubItem, 1, "1."));
        assert_eq!(marker_at("2.5倍以上"), None);
        assert_eq!(marker_at("②加强").map(|m| m.n), Some(2));
        assert_eq!(marker_at("统一规范"), None);
    }

    #[test]
    fn squeezes_spaces_between_han() {
        assert_eq!(squeeze_han_spaces(" 陈 飞 "), "陈飞");
        assert_eq!(
            squeeze_han_spaces("中小航空发动机及 航空航天装备"),
            "中小航空发动机及航空航天装备"
        );
        assert_eq!(squeeze_han_spaces("5G 应用"), "5G 应用");
    }

    #[test]
    fn splits_labels_and_one_line_documents() {
        let lines = split_lines("(一)推进A。责任单位:省发改委");
        assert_eq!(lines, vec!["(一)推进A。", "责任单位:省发改委"]);
        let one = "关于X的工作方案一、重点任务(一)推进A工作。牵头单位:省发改委(二)推进B工作。二、保障措施(三)加强领导。";
        let lines = split_lines(one);
        assert_eq!(
            lines,
            vec![
                "关于X的工作方案",
                "一、重点任务",
                "(一)推进A工作。",
                "牵头单位:省发改委",
                "(二)推进B工作。",
                "二、保障措施",
                "(三)加强领导。"
            ]
        );
    }
}
