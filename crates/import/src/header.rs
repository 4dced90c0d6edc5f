//! Document header: title, document number, issuer, date; page chrome.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use crate::text::{META_PATTERN, cn_digit, cn_number, marker_at, squeeze_han_spaces};
use crate::units::{looks_like_unit, split_top_level};

/// Header fields of a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Header {
    pub title: Option<String>,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub date: Option<NaiveDate>,
}

static META_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^({META_PATTERN})\s*:\s*(.*)$")).expect("meta regex"));
static DOC_NUMBER_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\p{Han}{1,10}?)\s*[〔\[(【［]\s*(\d{4})\s*[〕\])】］]\s*(\d{1,5})\s*号")
        .expect("doc number regex")
});
static DATE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日",
        r"|([〇零一二三四五六七八九Oo]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日",
        r"|(?:^|[^\d])(\d{4})(\d{2})(\d{2})\s*日",
        r"|(?:^|[^\d])(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[^\d])"
    ))
    .expect("date regex")
});
static WEB_TIME_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"时间\s*:\s*\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
        .expect("web time regex")
});
static CHROME_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"扫一扫|打印本页|关闭窗口|附件下载|^相关链接|【\s*字体|字体\s*:|^字号|分享到|当前位置|",
        r"^责任编辑|浏览次数|访问量|阅读次数|^\[?\s*(?:打印|关闭|返回顶部)\s*\]?$|",
        r"^\S{1,12}\s*[>>»]\s*\S{1,12}\s*[>>»]"
    ))
    .expect("chrome regex")
});
static NOTICE_TITLE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:关于)?(?:印发|转发|下发)\s*(.+?)\s*的\s*通知").expect("notice title regex")
});
static PLAN_WORD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:方案|措施|意见|计划|办法|规划|要点|清单|细则|规定|纲要|分工|分工表|决定)$")
        .expect("plan word regex")
});

/// A header metadata label (`文号:…`), as (key without spaces, value).
pub(crate) fn meta_label(line: &str) -> Option<(String, String)> {
    let c = META_RE.captures(line)?;
    let key: String = c.get(1)?.as_str().split_whitespace().collect();
    Some((key, c.get(2)?.as_str().trim().to_owned()))
}

/// Navigation, sharing and printing lines of a web page.
pub(crate) fn is_chrome(line: &str) -> bool {
    CHROME_RE.is_match(line)
}

/// Parse the first date in `s`: `2022年3月24日`, `二〇二一年八月十七日`,
/// `2022-03-24`, and the broken `20201223日` (年 and 月 lost) → 2020-12-23.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    for c in DATE_RE.captures_iter(s) {
        let ymd = if let (Some(y), Some(m), Some(d)) = (c.get(1), c.get(2), c.get(3)) {
            (
                y.as_str().parse().ok(),
                m.as_str().parse().ok(),
                d.as_str().parse().ok(),
            )
        } else if let (Some(y), Some(m), Some(d)) = (c.get(4), c.get(5), c.get(6)) {
            let year: Option<i32> = y
                .as_str()
                .chars()
                .map(cn_digit)
                .try_fold(0i32, |acc, dg| Some(acc * 10 + i32::try_from(dg?).ok()?));
            (year, cn_number(m.as_str()), cn_number(d.as_str()))
        } else if let (Some(y), Some(m), Some(d)) = (c.get(7), c.get(8), c.get(9)) {
            (
                y.as_str().parse().ok(),
                m.as_str().parse().ok(),
                d.as_str().parse().ok(),
            )
        } else if let (Some(y), Some(m), Some(d)) = (c.get(10), c.get(11), c.get(12)) {
            (
                y.as_str().parse().ok(),
                m.as_str().parse().ok(),
                d.as_str().parse().ok(),
            )
        } else {
            continue;
        };
        if let (Some(y), Some(m), Some(d)) = ymd
            && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
        {
            return Some(date);
        }
    }
    None
}

/// A line that is nothing but a date (the signing date).
pub(crate) fn is_date_line(line: &str) -> bool {
    let l = line.trim();
    l.chars().count() <= 20 && parse_date(l).is_some() && {
        let rest = DATE_RE.replace(l, "");
        rest.trim().is_empty()
    }
}

/// A line with only the names of signing offices, e.g.
/// `福建省发展和改革委员会   福建省工业和信息化厅`.
pub(crate) fn is_signature_line(line: &str) -> bool {
    let l = line.trim();
    if l.chars().count() > 60 || l.contains([',', '。', ':', ';', '、', '(', '《', '|']) {
        return false;
    }
    let names: Vec<&str> = l.split_whitespace().collect();
    !names.is_empty()
        && names.iter().all(|n| {
            n.chars().count() >= 4
                && looks_like_unit(n)
                && [
                    "办公厅",
                    "办公室",
                    "委员会",
                    "政府",
                    "厅",
                    "局",
                    "委",
                    "办",
                    "部",
                    "院",
                    "中心",
                    "集团",
                    "公司",
                ]
                .iter()
                .any(|s| n.ends_with(s))
        })
}

/// A stand-alone plan title line such as `关于建立专项协调机制…的工作方案`.
pub(crate) fn is_title_line(line: &str) -> bool {
    let l = line.trim();
    l.chars().count() <= 60
        && !l.contains(['。', ',', ';', ':', '|'])
        && marker_at(l).is_none()
        && PLAN_WORD_RE.is_match(l)
}

/// The plan title inside a notice title: `…印发《X》的通知` / `…印发X的通知` → X.
fn plan_title_from_notice(notice: &str) -> Option<String> {
    if let Some(start) = notice.find('《') {
        let inner = &notice[start + '《'.len_utf8()..];
        if let Some(end) = inner.find('》') {
            return Some(squeeze_han_spaces(&inner[..end]));
        }
    }
    let c = NOTICE_TITLE_RE.captures(notice)?;
    Some(squeeze_han_spaces(c.get(1)?.as_str()))
}

/// The issuing offices before `印发` in a notice title.
fn issuer_from_notice(notice: &str) -> Option<String> {
    let idx = notice.find("印发").or_else(|| notice.find("转发"))?;
    let head = notice[..idx].trim().trim_end_matches("关于").trim();
    let names: Vec<&str> = head.split_whitespace().collect();
    (!names.is_empty() && names.iter().all(|n| looks_like_unit(n))).then(|| names.join("、"))
}

fn normalize_doc_number(c: &regex::Captures<'_>) -> Option<String> {
    Some(format!(
        "{}〔{}〕{}号",
        c.get(1)?.as_str(),
        c.get(2)?.as_str(),
        c.get(3)?.as_str()
    ))
}

fn is_notice_title(line: &str) -> bool {
    (line.contains("印发") || line.contains("转发") || line.contains("下发"))
        && (line.ends_with("通知") || line.contains('《'))
}

/// Read the header. `zone` is the part of the document before the body
/// (everything before the first `一、` heading); `all` is every line, used
/// for metadata labels and for a signature at the end of the document.
pub(crate) fn parse_header(zone: &[String], all: &[String]) -> Header {
    let mut h = Header::default();
    let mut meta_date_primary = None;
    let mut meta_date_secondary = None;
    let mut notice_title = None;
    for line in all {
        let Some((key, value)) = meta_label(line) else {
            continue;
        };
        match key.as_str() {
            "文号" | "发文字号" if h.doc_number.is_none() => {
                h.doc_number = DOC_NUMBER_RE
                    .captures(&value)
                    .and_then(|c| normalize_doc_number(&c))
                    .or_else(|| (!value.is_empty()).then(|| value.clone()));
            }
            "发布机构" | "发文机关" if h.issuer.is_none() && !value.is_empty() => {
                h.issuer = Some(value.split_whitespace().collect::<Vec<_>>().join("、"));
            }
            "成文日期" if meta_date_primary.is_none() => meta_date_primary = parse_date(&value),
            "生成日期" | "发布日期" | "印发日期" if meta_date_secondary.is_none() => {
                meta_date_secondary = parse_date(&value);
            }
            "标题" if notice_title.is_none() && !value.is_empty() => notice_title = Some(value),
            _ => {}
        }
    }
    let body: Vec<&String> = zone
        .iter()
        .filter(|l| meta_label(l).is_none() && !is_chrome(l))
        .collect();
    if notice_title.is_none() {
        notice_title = body
            .iter()
            .find(|l| is_notice_title(l))
            .map(|l| (*l).clone());
    }

    // Title: the plan inside the notice, else a stand-alone title line.
    h.title = notice_title
        .as_deref()
        .and_then(plan_title_from_notice)
        .or_else(|| {
            body.iter()
                .find(|l| is_title_line(l))
                .map(|l| squeeze_han_spaces(l))
        })
        .or_else(|| {
            body.first()
                .filter(|l| l.chars().count() <= 60 && !l.contains('。'))
                .map(|l| squeeze_han_spaces(l))
        })
        .filter(|t| !t.is_empty());

    // Document number: a label, else a header line that starts with one.
    if h.doc_number.is_none() {
        h.doc_number = body.iter().find_map(|l| {
            let c = DOC_NUMBER_RE.captures(l)?;
            (c.get(0)?.start() == 0).then(|| normalize_doc_number(&c))?
        });
    }

    // Signature: office lines right above the first date line.
    let date_at = body.iter().position(|l| is_date_line(l));
    let (sig_date, sig_issuer) = match date_at {
        Some(i) => (parse_date(body[i]), signature_before(&body, i)),
        None => {
            // A plan without a covering notice signs at the end.
            let tail: Vec<&String> = all.iter().rev().take(15).rev().collect();
            match tail.iter().rposition(|l| is_date_line(l)) {
                Some(i) => (parse_date(tail[i]), signature_before(&tail, i)),
                None => (None, None),
            }
        }
    };
    if h.issuer.is_none() {
        h.issuer = sig_issuer.or_else(|| notice_title.as_deref().and_then(issuer_from_notice));
    }
    h.date = meta_date_primary
        .or(sig_date)
        .or(meta_date_secondary)
        .or_else(|| {
            // One-line documents: a date anywhere in the header text, but not
            // the web page's `时间:` stamp.
            let joined = zone.join("\n");
            parse_date(&WEB_TIME_RE.replace_all(&joined, ""))
        });
    h
}

fn signature_before(lines: &[&String], date_index: usize) -> Option<String> {
    let mut names = Vec::new();
    for line in lines[..date_index].iter().rev().take(3) {
        if !is_signature_line(line) {
            break;
        }
        let mut here: Vec<String> = split_top_level(line, &[' '])
            .into_iter()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        here.append(&mut names);
        names = here;
    }
    (!names.is_empty()).then(|| names.join("、"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_date("2022年3月24日"), d(2022, 3, 24));
        assert_eq!(parse_date("20201223日"), d(2020, 12, 23));
        assert_eq!(parse_date("生成日期:2022-03-24"), d(2022, 3, 24));
        assert_eq!(parse_date("二〇二一年八月十七日"), d(2021, 8, 17));
        assert_eq!(parse_date("2022年13月1日"), None);
        assert!(is_date_line("2021年8月17日"));
        assert!(is_date_line("  20201223日      "));
        assert!(!is_date_line("2021年8月17日省委办公厅印发"));
    }

    #[test]
    fn notice_titles() {
        assert_eq!(
            plan_title_from_notice("中共三明市委办公室 三明市人民政府办公室印发《关于推动工业产业高质量发展若干措施》的通知").as_deref(),
            Some("关于推动工业产业高质量发展若干措施")
        );
        assert_eq!(
            plan_title_from_notice("福建省发展和改革委员会 福建省工业和信息化厅印发关于建立专项协调机制推动产业高质量发展的工作方案的通知").as_deref(),
            Some("关于建立专项协调机制推动产业高质量发展的工作方案")
        );
        assert_eq!(
            issuer_from_notice("中共三明市委办公室 三明市人民政府办公室印发《X》的通知").as_deref(),
            Some("中共三明市委办公室、三明市人民政府办公室")
        );
    }

    #[test]
    fn doc_numbers() {
        for raw in [
            "闽发改工业〔2022〕193号",
            "闽发改工业[2022]193号",
            "闽发改工业(2022)193号",
            "闽发改工业【2022】193号",
        ] {
            let c = DOC_NUMBER_RE.captures(raw).expect("doc number");
            assert_eq!(
                normalize_doc_number(&c).as_deref(),
                Some("闽发改工业〔2022〕193号")
            );
        }
    }

    #[test]
    fn signatures() {
        assert!(is_signature_line(
            "福建省发展和改革委员会   福建省工业和信息化厅"
        ));
        assert!(is_signature_line("中共三明市委办公室"));
        assert!(!is_signature_line("各县(市、区)党委和人民政府,市直各单位:"));
        assert!(!is_signature_line("关于推动工业产业高质量发展若干措施"));
    }
}
