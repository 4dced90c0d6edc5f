//! Quantified targets: `力争2021年产业实现产值320亿元` → 产值 / 320 / 亿元 / 2021.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::TargetDraft;
use crate::text::{sentences, tail_of};

static TARGET_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<pre>不低于|不少于|不超过|不高于|不多于|至少|超过|高于|多于|低于|少于|达到|突破|控制在|保持在|稳定在|等于)?",
        r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*",
        r"(?P<unit>(?:十万|百万|千万|十|百|千|万亿|万|亿)?",
        r"(?:美元|元|个工作日|工作日|吨标准煤|吨|千瓦时|千瓦|兆瓦|平方公里|平方米|公顷|亩|人次|人|户|家|个百分点|百分点|个|项|所|座|条|台|套|件|名|辆|艘|架|公里|千米|标箱|倍)|%)",
        r"(?P<post>及以上|以上|以内|以下|左右)?"
    ))
    .expect("target regex")
});
static YEAR_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})\s*年").expect("year regex"));
static BASELINE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:同比|相比|比|较)\s*\d{4}\s*年(?:底|末)?|同比").expect("baseline regex")
});
static YEAR_PHRASE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:力争|争取|确保|预计|计划)?(?:从|到|至|截至|在|于)?\d{4}(?:\s*[-—~至到]\s*\d{4})?\s*年(?:底|末|前|内|起|以来)?(?:前)?|每年|全年|年度|当年")
        .expect("year phrase regex")
});

/// Verbs of achieving; the metric is the noun phrase they govern.
/// Verbs stripped only at the start of a metric (`改造提升农村公路`, but
/// `园区标准化改造` keeps its noun).
const LEADING_VERBS: &[&str] = &["新开工", "新建", "改造", "发放"];
const VERBS: &[&str] = &[
    "压缩至",
    "压缩到",
    "缩短至",
    "降至",
    "力争",
    "争取",
    "确保",
    "完成",
    "实现",
    "达到",
    "实施",
    "培育",
    "引进",
    "建设",
    "建成",
    "打造",
    "开展",
    "突破",
    "形成",
    "推动",
    "支持",
    "列入",
    "提高",
    "提升",
    "降低",
    "减少",
    "增长",
    "增加",
    "扩大",
    "放大",
    "认定",
    "签约",
    "签订",
    "举办",
    "带动",
    "吸引",
    "保持",
    "控制",
];
/// Predicate verbs that split a clause into subject and metric
/// (`产业实现产值` → `产值`); verbs that also occur inside nouns
/// (`增长点`, `建设用地`) are only stripped at the ends of the phrase.
const PREDICATES: &[&str] = &[
    "实现", "完成", "达到", "力争", "争取", "确保", "列入", "引进", "培育", "打造", "建成",
];
/// Words that make a bare number a goal even without `以上`/`不低于`.
const GOAL_WORDS: &[&str] = &[
    "力争", "争取", "确保", "实现", "完成", "达到", "新增", "累计", "突破", "提高", "提升", "降低",
    "减少", "增长", "增加", "培育", "引进", "建成", "打造", "列入", "形成", "扩大", "放大", "认定",
    "签约", "目标", "达", "新建", "开工", "实施", "改造",
];
const FILLERS: &[&str] = &[
    "将",
    "把",
    "使",
    "全力",
    "努力",
    "进一步",
    "的",
    "和",
    "及",
    "并",
];

/// Find quantified targets in task text.
///
/// A number with a unit is a target when a comparator is attached
/// (`以上`, `不低于`, `超过`, …) or a goal word precedes it in the same
/// clause (`力争`, `实现`, `完成`, `新增`, `提高`, …), and it is not used
/// attributively (`1万吨项目`, `50%留明率`, `2500元的补助` are skipped).
/// The year is the last `YYYY年` earlier in the same sentence that is not
/// a baseline (`比2020年`). Comparators: `以上`/`不低于`/`不少于`/`至少`/
/// `突破` → `>=`; `超过`/`高于`/`多于` → `>`; `以内`/`以下`/`不超过`/
/// `不高于`/`不多于`/`控制在` → `<=`; `低于`/`少于` → `<`; `等于`/`保持在`
/// → `=`; `达到` and a plain number → `None` (reach this value).
///
/// Without a year in its sentence a target takes `plan_year` (the plan's
/// own year), except a recurring one (`每年`), which has none.
pub(crate) fn extract_targets(text: &str, plan_year: Option<i32>) -> Vec<TargetDraft> {
    let mut out = Vec::new();
    for sentence in sentences(text) {
        for caps in TARGET_RE.captures_iter(sentence) {
            let (Some(whole), Some(num)) = (caps.get(0), caps.name("num")) else {
                continue;
            };
            // Goals are phrased within a few hundred characters; bounding the
            // look-back keeps adversarial one-sentence inputs linear.
            let before = tail_of(&sentence[..whole.start()], 1500);
            let after = &sentence[whole.end()..];
            let prev = before.chars().next_back();
            if prev.is_some_and(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '/' | '第' | '〔' | '[' | '·')
            }) {
                continue;
            }
            let next = after.chars().next();
            let attributive = next.is_some_and(|c| {
                !matches!(
                    c,
                    ',' | '。'
                        | ';'
                        | '、'
                        | '!'
                        | '?'
                        | ')'
                        | '”'
                        | '’'
                        | ' '
                        | '\n'
                        | ':'
                        | '和'
                        | '及'
                        | '与'
                        | '或'
                )
            });
            if attributive {
                continue;
            }
            let clause = last_clause(before);
            let pre = caps.name("pre").map(|m| m.as_str());
            let post = caps.name("post").map(|m| m.as_str());
            let cmp = comparator(pre, post);
            let goal = GOAL_WORDS.iter().any(|w| clause.contains(w));
            if cmp.is_none() && pre.is_none() && !goal {
                continue;
            }
            let Ok(value) = num.as_str().replace(',', "").parse::<f64>() else {
                continue;
            };
            if !value.is_finite() {
                continue;
            }
            let unit = caps.name("unit").map_or("", |m| m.as_str());
            let (year, recurring) = year_before(before);
            out.push(TargetDraft {
                metric: metric_of(clause, unit == "%"),
                value,
                unit: unit.to_owned(),
                year: year.or(if recurring { None } else { plan_year }),
                cmp: cmp.map(str::to_owned),
            });
        }
    }
    out
}

fn comparator(pre: Option<&str>, post: Option<&str>) -> Option<&'static str> {
    match post {
        Some("以上" | "及以上") => return Some(">="),
        Some("以内" | "以下") => return Some("<="),
        Some("左右") => return Some("~"),
        _ => {}
    }
    match pre {
        Some("不低于" | "不少于" | "至少" | "突破") => Some(">="),
        Some("超过" | "高于" | "多于") => Some(">"),
        Some("不超过" | "不高于" | "不多于" | "控制在") => Some("<="),
        Some("低于" | "少于") => Some("<"),
        Some("等于" | "保持在" | "稳定在") => Some("="),
        _ => None,
    }
}

/// The text after the last clause boundary.
fn last_clause(before: &str) -> &str {
    let before = tail_of(before, 240);
    match before.rfind([',', ';', '、', ':', '(', ')', '。', '\n']) {
        Some(i) => {
            let boundary_len = before[i..].chars().next().map_or(1, char::len_utf8);
            &before[i + boundary_len..]
        }
        None => before,
    }
}

/// The year a target in the text after `before` refers to: the last
/// `YYYY年` that is not a baseline (`比2020年`) and not inside brackets
/// (`(2021-2023年)` names a plan period); a later `每年` means a recurring
/// goal without a year (the flag is then set).
fn year_before(before: &str) -> (Option<i32>, bool) {
    let mut recurring = false;
    let mut year = None;
    let mut depth = 0i32;
    let mut last_end = 0;
    for caps in YEAR_RE.captures_iter(before) {
        let (Some(whole), Some(digits)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        let gap = &before[last_end..whole.start()];
        depth = bracket_depth(depth, gap);
        if gap.contains("每年") {
            year = None;
            recurring = true;
        }
        last_end = whole.end();
        let prefix = &before[..whole.start()];
        if depth > 0 || prefix.ends_with(['比', '较']) || prefix.ends_with("同比") {
            continue;
        }
        if let Ok(y) = digits.as_str().parse::<i32>()
            && (1949..=2100).contains(&y)
        {
            year = Some(y);
            recurring = false;
        }
    }
    if before[last_end..].contains("每年") {
        year = None;
        recurring = true;
    }
    (year, recurring)
}

fn bracket_depth(mut depth: i32, s: &str) -> i32 {
    for c in s.chars() {
        match c {
            '(' | '〔' | '[' => depth += 1,
            ')' | '〕' | ']' => depth = (depth - 1).max(0),
            _ => {}
        }
    }
    depth
}

fn strip_prefix_any<'a>(s: &'a str, words: &[&str]) -> Option<&'a str> {
    words.iter().find_map(|w| s.strip_prefix(w))
}

fn strip_suffix_any<'a>(s: &'a str, words: &[&str]) -> Option<&'a str> {
    words.iter().find_map(|w| s.strip_suffix(w))
}

/// The noun phrase a number measures: `产业实现产值` → `产值`,
/// `确保政府性融资担保额度放大` → `政府性融资担保额度`. A growth rate keeps
/// its wording (`地区生产总值增长` for `增长5%`).
fn metric_of(clause: &str, growth_rate: bool) -> String {
    let without_baseline = BASELINE_RE.replace_all(clause, "");
    let without_years = YEAR_PHRASE_RE.replace_all(&without_baseline, "");
    let mut s: &str = without_years.trim();
    // Bounded loop: every round removes at least one character.
    for _ in 0..64 {
        let trimmed = s.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, '“' | '”' | '‘' | '’' | '"' | '《' | '》')
        });
        if trimmed.len() != s.len() {
            s = trimmed;
            continue;
        }
        if let Some(rest) = strip_prefix_any(s, VERBS)
            .or_else(|| strip_prefix_any(s, LEADING_VERBS))
            .or_else(|| strip_prefix_any(s, FILLERS))
        {
            s = rest;
            continue;
        }
        let keep_growth = growth_rate && s.ends_with("增长") && s.chars().count() > 2;
        if let Some(rest) = strip_suffix_any(s, VERBS)
            .filter(|_| !keep_growth)
            .or_else(|| strip_suffix_any(s, &["的", "达", "为"]))
        {
            s = rest;
            continue;
        }
        // A verb inside: the metric is what it governs, or what precedes it.
        let inner = PREDICATES
            .iter()
            .filter_map(|v| s.find(v).map(|i| (i, *v)))
            .filter(|(i, _)| *i > 0)
            .min_by_key(|(i, _)| *i);
        if let Some((i, verb)) = inner {
            let after = &s[i + verb.len()..];
            s = if after.trim().is_empty() {
                &s[..i]
            } else {
                after
            };
            continue;
        }
        break;
    }
    let chars: Vec<char> = s.chars().collect();
    let keep = chars.len().saturating_sub(24);
    chars[keep..].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract_targets_(text: &str) -> Vec<TargetDraft> {
        extract_targets(text, None)
    }

    fn t(
        metric: &str,
        value: f64,
        unit: &str,
        year: Option<i32>,
        cmp: Option<&str>,
    ) -> TargetDraft {
        TargetDraft {
            metric: metric.to_owned(),
            value,
            unit: unit.to_owned(),
            year,
            cmp: cmp.map(str::to_owned),
        }
    }

    #[test]
    fn output_value() {
        assert_eq!(
            extract_targets_("力争2021年产业实现产值320亿元。"),
            vec![t("产值", 320.0, "亿元", Some(2021), None)]
        );
    }

    #[test]
    fn comparators() {
        assert_eq!(
            extract_targets_(
                "制定新一轮技改行动计划(2021-2023年),每年实施市级重点技改项目300个以上,完成技改投资200亿元以上,力争2023年全市规上企业新一轮技改面95%以上,70%以上存量企业的生产设备达到行业先进水平。"
            ),
            vec![
                t("市级重点技改项目", 300.0, "个", None, Some(">=")),
                t("技改投资", 200.0, "亿元", None, Some(">=")),
                t(
                    "全市规上企业新一轮技改面",
                    95.0,
                    "%",
                    Some(2023),
                    Some(">=")
                ),
            ]
        );
        assert_eq!(
            extract_targets_("力争2021年新对接民企产业项目计划投资额超过350亿元。"),
            vec![t(
                "新对接民企产业项目计划投资额",
                350.0,
                "亿元",
                Some(2021),
                Some(">")
            )]
        );
        assert_eq!(
            extract_targets_("研发投入强度不低于2.5%。"),
            vec![t("研发投入强度", 2.5, "%", None, Some(">="))]
        );
        assert_eq!(
            extract_targets_("单位能耗控制在0.5吨标准煤以内。"),
            vec![t("单位能耗", 0.5, "吨标准煤", None, Some("<="))]
        );
    }

    #[test]
    fn baseline_year_and_trailing_verb() {
        assert_eq!(
            extract_targets_("力争2021年全市企业停减产面比2020年降低5个百分点以上。"),
            vec![t(
                "全市企业停减产面",
                5.0,
                "个百分点",
                Some(2021),
                Some(">=")
            )]
        );
        assert_eq!(
            extract_targets_("确保政府性融资担保额度放大2.5倍以上。"),
            vec![t("政府性融资担保额度", 2.5, "倍", None, Some(">="))]
        );
        assert_eq!(
            extract_targets_("将就业技能培训补贴标准提高30%,支持企业。"),
            vec![t("就业技能培训补贴标准", 30.0, "%", None, None)]
        );
    }

    #[test]
    fn verbs_inside_nouns() {
        assert_eq!(
            extract_targets_("力争2021年列入省级新增长点项目100个以上,新增入规企业150家。"),
            vec![
                t("省级新增长点项目", 100.0, "个", Some(2021), Some(">=")),
                t("新增入规企业", 150.0, "家", Some(2021), None),
            ]
        );
    }

    #[test]
    fn skips_attributive_and_non_targets() {
        assert!(extract_targets_("紧盯世界500强、全国500强企业。").is_empty());
        assert!(
            extract_targets_("推动三钢集团已竞买的钢、铁各100万吨产能指标落地三明。").is_empty()
        );
        assert!(extract_targets_("分别给予100万元、80万元购房补助。").is_empty());
        assert!(extract_targets_("每次不高于2500元的一次性补助。").is_empty());
        assert!(extract_targets_("制定新一轮技改行动计划(2021-2023年)。").is_empty());
        assert!(extract_targets_("做大做强9条工业百亿特色产业链。").is_empty());
    }
}
