//! The narrative of a bulletin, written from its figures: every number in the text is a
//! figure of [`Facts`] (computed by the policy), never one computed here; sections are
//! numbered 一、二、… in the order they appear, so an absent ranking leaves no gap.

use super::text::{self, date, escalation_counts, full_width, heading, item_number, sub_heading};
use super::{Block, Document, Edits, Facts, LaggingItem, UnitCounts};
use chrono::NaiveDate;

/// The default 下一步工作要求, one paragraph a line; the office edits it before issuing.
pub const DEFAULT_REQUIREMENTS: &str = "（一）压实工作责任。各责任单位要对照台账逐项梳理，对逾期未销号事项逐一分析原因，制定整改措施，明确完成时限，确保按期销号。\n\
（二）加强跟踪督办。各工作专班要加强调度，对滞后事项实行清单化管理，对连续逾期的事项按程序提级督办，并纳入年度考核。\n\
（三）严格对账销号。各单位要按时签署对账单，如实报送工作进展，做到办结一项、核验一项、销号一项，杜绝以文件落实文件、虚假销号。";

/// 关于2026年第四季度对账销号工作情况的通报.
pub fn default_title(period_title: &str) -> String {
    format!("关于{period_title}对账销号工作情况的通报")
}

/// Units named by the figures: lead units that are real units (not the 未定牵头单位 row).
fn named_units(facts: &Facts) -> impl Iterator<Item = &UnitCounts> {
    facts.units.iter().filter(|u| u.unit.is_some())
}

/// The recipients a draft starts with: the units concerned, or 各有关单位 when many.
pub(crate) fn default_recipients(facts: &Facts) -> String {
    let names: Vec<&str> = named_units(facts).map(|u| u.name.as_str()).collect();
    if names.is_empty() || names.len() > 10 {
        "各有关单位".to_owned()
    } else {
        names.join("、")
    }
}

fn overall(facts: &Facts) -> String {
    let t = &facts.total;
    let mut s = format!(
        "截至{}，纳入台账管理的事项共{}项。",
        date(facts.as_of),
        t.total
    );
    if t.closed > 0 {
        s.push_str(&format!(
            "本期销号{}项，其中按期销号{}项，按期销号率{}",
            t.closed,
            t.closed_on_time,
            text::percent(t.closed_on_time, t.closed)
        ));
    } else {
        s.push_str("本期暂无销号事项");
    }
    if t.overdue > 0 {
        s.push_str(&format!("；逾期未销号{}项", t.overdue));
    } else {
        s.push_str("；无逾期未销号事项");
    }
    if t.returned > 0 {
        s.push_str(&format!("；退回或核验不通过{}次", t.returned));
    }
    if t.duties_missed > 0 {
        s.push_str(&format!("；报送缺报{}次", t.duties_missed));
    }
    s.push('。');
    let esc = escalation_counts(&facts.level_names, &t.escalations);
    if esc.is_empty() {
        s.push_str("本期未启动督办程序。");
    } else {
        s.push_str(&format!("本期共启动{esc}。"));
    }
    s
}

/// 进展较快: closed at least one item, none overdue, no report missed.
fn ahead(facts: &Facts) -> Vec<&UnitCounts> {
    let mut v: Vec<&UnitCounts> = named_units(facts)
        .filter(|u| u.counts.closed > 0 && u.counts.overdue == 0 && u.counts.duties_missed == 0)
        .collect();
    v.sort_by(|a, b| {
        (b.counts.closed_on_time, b.counts.closed, &a.name).cmp(&(
            a.counts.closed_on_time,
            a.counts.closed,
            &b.name,
        ))
    });
    v
}

/// 滞后: an item overdue or a report missed; most overdue first.
fn behind(facts: &Facts) -> Vec<&UnitCounts> {
    let mut v: Vec<&UnitCounts> = facts
        .units
        .iter()
        .filter(|u| u.counts.overdue > 0 || u.counts.duties_missed > 0)
        .collect();
    v.sort_by(|a, b| {
        (b.counts.overdue, b.counts.duties_missed, &a.name).cmp(&(
            a.counts.overdue,
            a.counts.duties_missed,
            &b.name,
        ))
    });
    v
}

fn lagging_line(n: u32, it: &LaggingItem, facts: &Facts) -> String {
    let number = it.number.as_deref().map(str::trim).unwrap_or("");
    let mut s = format!("{}{}{}", item_number(n), number, it.title.trim());
    if let Some(due) = it.due_on {
        s.push_str(&format!("，完成时限{}", date(due)));
    }
    s.push_str(&format!("，已逾期{}个工作日", it.working_days_late));
    if it.escalation_level > 0 {
        let name = facts
            .level_names
            .get(&it.escalation_level)
            .cloned()
            .unwrap_or_else(|| format!("{}级督办", it.escalation_level));
        s.push_str(&format!("，已启动{name}"));
    }
    s.push('。');
    s
}

fn score(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The document of a bulletin: the figures as narrative, the office's edits, and — once
/// issued — its 文号 and date.
pub fn compose(
    facts: &Facts,
    edits: &Edits,
    issuer: &str,
    doc_number: Option<String>,
    issued_on: Option<NaiveDate>,
) -> Document {
    let mut body = Vec::new();
    let mut section = 0u32;
    let mut head = |body: &mut Vec<Block>, title: &str| {
        section += 1;
        body.push(Block::Heading(format!("{}{title}", heading(section))));
    };
    body.push(Block::Para(format!(
        "为压实工作责任、加快事项销号，现将{}对账销号工作推进情况通报如下：",
        facts.period_title
    )));

    head(&mut body, "总体情况");
    body.push(Block::Para(overall(facts)));

    head(&mut body, "进展较快的单位");
    let fast = ahead(facts);
    if fast.is_empty() {
        body.push(Block::Para(
            "本期暂无按期销号且无逾期、无缺报的单位。".into(),
        ));
    } else {
        let names: Vec<&str> = fast.iter().map(|u| u.name.as_str()).collect();
        let details: Vec<String> = fast
            .iter()
            .map(|u| {
                format!(
                    "{}本期销号{}项，其中按期销号{}项",
                    u.name, u.counts.closed, u.counts.closed_on_time
                )
            })
            .collect();
        body.push(Block::Para(format!(
            "{}等{}个单位工作推进有力，本期无逾期未销号事项，无报送缺报。其中，{}。予以通报表扬。",
            names.join("、"),
            fast.len(),
            details.join("；")
        )));
    }

    head(&mut body, "滞后的单位及事项");
    let slow = behind(facts);
    if slow.is_empty() {
        body.push(Block::Para("本期无逾期未销号事项，无报送缺报。".into()));
    } else {
        body.push(Block::Para(format!(
            "{}等{}个单位存在逾期未销号事项或报送缺报，予以通报。具体如下：",
            slow.iter()
                .map(|u| u.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            slow.len()
        )));
        for (i, u) in slow.iter().enumerate() {
            body.push(Block::SubHeading(format!(
                "{}{}",
                sub_heading(u32::try_from(i + 1).unwrap_or(u32::MAX)),
                u.name
            )));
            let mut s = String::new();
            if u.counts.overdue > 0 {
                s.push_str(&format!("逾期未销号事项{}项", u.counts.overdue));
            }
            if u.counts.duties_missed > 0 {
                if !s.is_empty() {
                    s.push('，');
                }
                s.push_str(&format!("报送缺报{}次", u.counts.duties_missed));
            }
            s.push('。');
            body.push(Block::Para(s));
            let items = facts.lagging.iter().filter(|it| it.lead == u.unit);
            for (n, it) in items.enumerate() {
                body.push(Block::Para(lagging_line(
                    u32::try_from(n + 1).unwrap_or(u32::MAX),
                    it,
                    facts,
                )));
            }
        }
    }

    head(&mut body, "对账情况");
    let r = &facts.recon;
    if r.statements == 0 {
        body.push(Block::Para("本期未生成对账单。".into()));
    } else {
        let open = r.statements - r.countersigned.min(r.statements) - r.signed.min(r.statements);
        let mut s = format!(
            "本期共生成对账单{}份，已会签归档{}份，单位已签署待会签{}份，尚未签署{}份",
            r.statements, r.countersigned, r.signed, open
        );
        if !r.unsigned_units.is_empty() {
            s.push_str(&format!("（{}）", r.unsigned_units.join("、")));
        }
        s.push('。');
        if open > 0 {
            s.push_str("请尚未签署的单位抓紧核对签署。");
        }
        body.push(Block::Para(s));
    }

    if let Some(ranking) = &facts.ranking {
        head(&mut body, "考核排名");
        if ranking.is_empty() {
            body.push(Block::Para("本期暂无考核结果。".into()));
        } else {
            body.push(Block::Para(
                "根据考核评分规则，本期各单位考核得分及排名如下：".into(),
            ));
            let mut lines = ranking.clone();
            lines.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.unit.cmp(&b.unit)));
            for l in lines {
                body.push(Block::Para(format!(
                    "第{}名　{}　{}分",
                    l.rank,
                    l.unit,
                    score(l.score)
                )));
            }
        }
    }

    let requirements: Vec<&str> = edits
        .requirements
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if !requirements.is_empty() {
        head(&mut body, "下一步工作要求");
        body.extend(requirements.into_iter().map(|l| Block::Para(l.to_owned())));
    }

    let body = body
        .into_iter()
        .map(|b| match b {
            Block::Heading(t) => Block::Heading(full_width(&t)),
            Block::SubHeading(t) => Block::SubHeading(full_width(&t)),
            Block::Para(t) => Block::Para(full_width(&t)),
        })
        .collect();
    let mut recipients = full_width(edits.recipients.trim());
    let ends_with_colon = recipients.ends_with('：');
    if !ends_with_colon {
        recipients = recipients.trim_end_matches(['，', '。', '；']).to_owned();
        recipients.push('：');
    }
    let contact = edits.contact.trim();
    Document {
        issuer: issuer.trim().to_owned(),
        doc_number,
        title: full_width(edits.title.trim()),
        recipients,
        body,
        contact: (!contact.is_empty()).then(|| format!("（联系人：{}）", full_width(contact))),
        signature: issuer.trim().to_owned(),
        date: issued_on,
    }
}

/// The edits a new draft starts with.
pub(crate) fn default_edits(facts: &Facts, doc_prefix: &str) -> Edits {
    Edits {
        title: default_title(&facts.period_title),
        recipients: default_recipients(facts),
        requirements: DEFAULT_REQUIREMENTS.to_owned(),
        contact: String::new(),
        doc_prefix: doc_prefix.to_owned(),
    }
}
