//! # xiaohao-import — plan documents into draft ledgers
//!
//! Offices receive their tasks as a published work plan (工作方案, 若干措施,
//! 任务分工方案). [`parse_plan`] reads such a plan as plain text and returns a
//! [`PlanDraft`]: header, chain tree (产业链/集群/专项 with leaders and units)
//! and tasks (number, section, title, text, lead unit, co-units, leaders,
//! deadline, quantified targets). The parser is pure — no I/O except
//! [`decode`], which turns file bytes into text — and never panics.
//!
//! ```
//! let draft = xiaohao_import::parse_plan(
//!     "一、重点任务\n(一)推进产业集群建设。力争2021年实现产值320亿元。\n\
//!      牵头单位:省发改委\n配合单位:省工信厅、科技厅\n完成时限:2021年底前",
//! );
//! let task = &draft.tasks[0];
//! assert_eq!(task.number, "(一)");
//! assert_eq!(task.lead.as_deref(), Some("省发改委"));
//! assert_eq!(task.co, ["省工信厅", "省科技厅"]);
//! assert_eq!(task.deadline.as_deref(), Some("2021-12-31"));
//! assert_eq!(task.targets[0].metric, "产值");
//! ```
//!
//! ## Text normalisation
//!
//! Input is normalised before anything else: full-width ASCII forms
//! (`(`, `)`, `:`, `,`, `;`, `1`, `%`, `|`) become ASCII, ideographic and
//! non-breaking spaces become spaces, CR/LF become LF. All output strings
//! (numbers, unit names, text) are in this normalised form — the form the
//! seed documents already use — so `各县(市、区)` and `各县(市、区)` name the
//! same unit. Chinese punctuation proper (`。、“”《》〔〕`) is kept.
//!
//! ## Header
//!
//! * **title** — the plan's own title: the `《…》` or the `印发…的通知` part of
//!   the covering notice (or of a `标题:` label), else a stand-alone line
//!   ending in 方案/措施/意见/计划/…, else the first short line.
//! * **doc_number** — a `文号:` label, or a header line starting with one;
//!   the year bracket is normalised to `〔〕` (`[2022]`, `(2022)`, `【2022】`).
//!   Numbers quoted in the body (an abolished `湘办发〔2020〕7号`) are ignored.
//! * **issuer** — a `发布机构:` label, else the signing offices above the
//!   signing date, else the offices before `印发` in the notice title;
//!   several offices are joined with `、`.
//! * **date** — `成文日期:`, else the signing date line (`2022年3月24日`,
//!   `二〇二一年八月十七日`, the broken `20201223日` = 2020-12-23), else
//!   `生成日期:`/`发布日期:`, else any date in the header text. The web
//!   page's `来源:… 时间:…` stamp is never used.
//! * Page chrome (breadcrumbs, 索引号, 扫一扫, 打印本页, 关闭窗口, 附件下载,
//!   `来源:…时间:…`) is dropped.
//!
//! ## Outline
//!
//! `一、` starts a **section**; `(一)` an **item**; `1.`/`1、`/`1)` a
//! **sub-item**; `(1)`/`①` a point that stays part of its item's text.
//! Labels (`牵头单位:` `责任单位:` `配合单位:` `责任领导:` `牵头省领导:`
//! `链长:` `完成时限:` …, ASCII or full-width colon) always start a new line,
//! even inside a paragraph. A document with (almost) no line breaks is split
//! at numbering markers that continue the numbering seen so far.
//!
//! * An item (or sub-item) that is only a name with leader/unit labels and a
//!   chain-like name (`…产业`, `…基地`, `…集群`) or a chain leader label
//!   (`链长`, `牵头省领导`, `联系省领导`) is a **chain**; its sub-items that
//!   are chains too are its children (`1.古雷石化基地` under
//!   `(一)石化-化纤-纺织-鞋服产业`).
//! * Every other item is a **task**. When an item has sub-items that carry
//!   their own units, or the item is a bare heading, the sub-items are the
//!   tasks (numbered `(四)1.`) and inherit the item's units if they have
//!   none; otherwise the sub-items are points of the item's text.
//! * Sections titled like 总体要求/指导思想/基本原则/…目标 (descriptions) or
//!   工作要求/保障措施/工作机制/组织实施 (requirements) yield tasks only when
//!   one of their items names a unit ([`ParseOptions`] can keep requirement
//!   sections regardless).
//! * The signing block, the addressee line, `(此件主动公开)`, closing
//!   sentences (`本方案自…施行`), a repeated title line and `附件` end the
//!   current item, so a page printed twice is read twice and identical
//!   tasks and chains are then de-duplicated.
//! * Tables: rows with `|`-separated cells (a line with two or more tabs is
//!   such a row); one cell per line ending in `|` (bare `|` lines stand for
//!   merged cells, as in the Hunan seed's chain table); or one cell per line
//!   under header lines such as `序号/重点任务/牵头单位/责任单位/完成时限`.
//!   Column roles come from the header, in any order; a table with a task
//!   column gives tasks, one with a chain-name column and leaders or units
//!   gives chains (the most specific name column wins, coarser ones group).
//!   In task tables a 分类 column is the task's section and a 产业链 column
//!   its chain; a row that is one numbered cell (`二、促进消费`) is a
//!   category for the rows below (numbering restarts under it); a row
//!   without a number, or repeating the one above, continues the row above;
//!   empty (or, at the row's start, missing) grouping, leader and chain
//!   cells repeat the row above; a one-cell-per-line row with more lines
//!   than columns is shared out by what the lines look like (several units
//!   one per line fill a unit column). A unit in both the 牵头 and the 责任
//!   column is the lead.
//! * Headings that name a lead (`(一)省发展改革委牵头的工作`,
//!   `二、市教育局牵头的工作`) give their unit as lead to the items under them;
//!   a section heading followed by chain labels (`三、生物医药产业` +
//!   `链长:`) is a chain, and the tasks under it, like the sub-items of an
//!   item chain, name it in [`TaskDraft::chain`]. `分管省领导` is a task's
//!   leader, never a chain's.
//!
//! ## Units and leaders
//!
//! * Lists are split at `、` `,` `;` (and spaces between whole unit names),
//!   never inside brackets: `各县(市、区)党委和人民政府` stays one name.
//!   A trailing `等` is dropped; `相关地市政府` is kept as a group.
//! * A name without a level inherits the level prefix of the previous name
//!   in the same `、` run: `市工信局、科技局` → `市科技局`, `省工信厅、科技厅`
//!   → `省科技厅`, `市金融监管局、市场监管局` → `市市场监管局`. A `,` ends the
//!   run. Group names (`各…`, `相关…`), central bodies (`国网…`, `人民银行…`)
//!   and names starting with a place (`漳州市政府`) never inherit. Bare places
//!   share a following government suffix: `泉州市、莆田市政府` → `泉州市政府`,
//!   `莆田市政府`.
//! * `和`/`及` separate two whole unit names (`区财政局和区税务局`) but not
//!   `文化和旅游厅` or `各县(市、区)党委和人民政府`; list words (`等部门`,
//!   `等有关单位`) and trailing role words (`负责`, `牵头`) are dropped.
//! * **Lead and co-units** — `牵头单位:` names the lead (further lead units
//!   become co-units); `责任单位:` without a `牵头单位:` line: the first unit
//!   leads (排第一的为牵头单位); `配合单位:` units are co-units. A trailing
//!   parenthesis `(省科技厅、省教育厅负责)` follows the same rule;
//!   `(X牵头,A、B配合)` makes X the lead and A, B co-units;
//!   `(A、B分别牵头)` — each unit leads its part — puts A in `lead` and keeps
//!   B in `co`. Declarations like `排第一的为牵头单位,下同` are recognised and
//!   removed. A label that states roles itself
//!   (`责任单位:省发改委牵头,省工信厅、科技厅配合`) is read the same way.
//!   `X主办,A、B协办` reads like `X牵头,A、B配合`; `分别负责` and
//!   `按职责分工负责` like `负责`.
//! * Leaders are split at `、`; a space-padded two-character name
//!   (`陈 飞`) is one name.
//!
//! ## Deadlines
//!
//! From a `完成时限:` label or deadline column, else from the text:
//!
//! | printed | `deadline` |
//! |---|---|
//! | `2021年底前`, `2021年年底`, `2021年` (label/column only), `2021-2023年` | `2021-12-31` / `2023-12-31` |
//! | `2022年6月底前`, `2022年6月` | `2022-06-30` |
//! | `2022年3月15日前` | `2022-03-15` |
//! | `2022年上半年`, `三季度`, `前三季度` | `2022-06-30`, `YYYY-09-30` |
//! | `6月底前` with a year known from the text before it or the plan date | `YYYY-06-30` |
//! | `6月底前` with no year known | `--06-30` (ISO 8601 month-day) |
//! | `每月`, `每季度`, `每半年`, `每年`, `每周` | `monthly`, `quarterly`, `semiannual`, `yearly`, `weekly` |
//! | `长期坚持` (also `长期`, `持续推进`, `常态化` in a label/column) | `long_term` |
//!
//! In running text only an explicit limit counts (`…前`, `YYYY年底`); a bare
//! year (`力争2021年新增…`) is a target year, not a deadline. An explicit
//! deadline label that cannot be normalised is kept verbatim.
//!
//! ## Targets
//!
//! A number with a unit (`亿元`, `万吨`, `个`, `家`, `项`, `%`, `个百分点`,
//! `倍`, …) is a target when a comparator is attached or a goal word
//! (`力争`, `实现`, `完成`, `新增`, `提高`, …) precedes it in its clause, and
//! it is not attributive (`1万吨项目`, `50%留明率`, `2500元的补助` are not
//! targets). `metric` is the noun phrase before the number without goal
//! verbs and years (`完成技改投资200亿元以上` → `技改投资`); `value` and `unit`
//! are as printed (`320`, `亿元`); a growth rate keeps its verb
//! (`地区生产总值增长`, `%`). `year` is the last non-baseline year in the
//! sentence (`比2020年` is a baseline), else the plan's own year — the year
//! in its title, or its date's year when the title names a yearly plan
//! (工作要点, 政府工作报告, 年度, …) — except for recurring goals (`每年`).
//! `cmp`: `以上`/`不低于`/`不少于`/`至少`/`突破` → `>=`; `超过`/`高于`/`多于`
//! → `>`; `以内`/`以下`/`不超过`/`不高于`/`控制在` → `<=`; `低于`/`少于` →
//! `<`; `等于`/`保持在`/`稳定在` → `=`; `左右` → `~`; `达到` and a plain
//! number → `null` (reach this value).
//!
//! ## Reading files
//!
//! [`read_plan`] is the one entry point for a file's bytes: a `.docx`
//! document (paragraphs with their automatic numbering, tables with merged
//! cells honoured) is rendered as text, anything else goes through
//! [`decode`]; input over the cap (20 MB by default) or without text is
//! refused. `docs/IMPORT.md` lists every convention with an example.
//!
//! [`decode`] accepts UTF-8 (with or without BOM), UTF-16 with BOM, and
//! GB18030 (which covers GBK and GB2312). No statistical detector such as
//! chardetng is used: strict UTF-8 is tried first, then strict GB18030.
//! A short GB18030 text that happens to be valid UTF-8 but reads as
//! non-Chinese (`扫一扫` → `ɨһɨ`) is taken as GB18030. Big5 and UTF-16
//! without BOM are not supported.
//!
//! ## Known limitations
//!
//! * Targets used attributively are skipped, so `70%以上存量企业的生产设备
//!   达到行业先进水平` gives no target; values in Chinese numerals
//!   (`五百亿`) are not read; `metric` may be empty when nothing precedes
//!   the number in its clause.
//! * A recurring word in prose sets the deadline even in a policy sentence
//!   (`每年最多补助3次` → `yearly`).
//! * Chain tables keep only the most specific name column; the Hunan table's
//!   类型 and 产业 columns are not turned into parent chains.
//! * `省委X、Y` inherits `省委` only when Y is a party department (`…部`);
//!   otherwise Y gets `省`.
//! * A broken seven-digit date (`2020123日`) is ambiguous and not read.
//! * In a one-line document, prose glued to the last item of a section
//!   without any marker, label or closing phrase stays in that item's text.

mod chains;
mod deadline;
mod decode;
mod docx;
mod error;
mod header;
pub mod ledger;
mod model;
mod outline;
mod read;
mod table_fit;
mod tables;
mod targets;
mod tasks;
mod text;
mod units;

pub use decode::decode;
pub use error::ImportError;
pub use model::{ChainDraft, PlanDraft, TargetDraft, TaskDraft};
pub use read::{DEFAULT_MAX_BYTES, ReadOptions, read_plan, read_plan_text, read_plan_with};

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use chrono::Datelike;

use crate::text::{Level, marker_at};

/// Options of [`parse_plan_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Keep the items of requirement sections (工作要求, 保障措施, 工作机制,
    /// 组织实施, …) as tasks even when none of them names a unit.
    pub include_requirement_sections: bool,
}

/// Parse a plan document (plain text) into a draft ledger with the default
/// [`ParseOptions`]. Never panics, whatever the input.
pub fn parse_plan(text: &str) -> PlanDraft {
    parse_plan_with(text, &ParseOptions::default())
}

/// Parse a plan document with explicit options. Never panics.
pub fn parse_plan_with(text: &str, options: &ParseOptions) -> PlanDraft {
    let normalized = text::normalize(text);
    let lines = text::split_lines(&normalized);

    let body_start = lines
        .iter()
        .position(|l| marker_at(l).is_some_and(|m| m.level == Level::Section))
        .or_else(|| {
            lines
                .iter()
                .position(|l| marker_at(l).is_some_and(|m| m.level == Level::Item))
        })
        .unwrap_or(lines.len().min(15));
    let header = header::parse_header(&lines[..body_start], &lines);

    let years = tasks::Years {
        deadline: header.date.map(|d| d.year()),
        target: plan_year(header.title.as_deref(), header.date),
    };
    let body = outline::parse_body(
        &lines,
        outline::Settings {
            years,
            include_requirement_sections: options.include_requirement_sections,
        },
    );

    PlanDraft {
        title: header.title,
        doc_number: header.doc_number,
        issuer: header.issuer,
        date: header.date,
        chains: dedup(body.chains),
        tasks: dedup(body.tasks),
    }
}

static TITLE_YEAR_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d\-—~至到])(\d{4})\s*年(?:度)?(?:[^\d\-—~至到]|$)")
        .expect("title year regex")
});

/// The plan's own year, for targets that name none: the year in its title
/// (`2023年…工作要点`), or the year of its date when the title names a
/// yearly plan (工作要点, 政府工作报告, 年度…); a plan for several years
/// (`若干措施`, `2021-2023年`) has none.
fn plan_year(title: Option<&str>, date: Option<chrono::NaiveDate>) -> Option<i32> {
    let title = title?;
    if let Some(y) = TITLE_YEAR_RE
        .captures(title)
        .and_then(|c| c.get(1))
        .and_then(|m| m.as_str().parse::<i32>().ok())
        .filter(|y| (1949..=2100).contains(y))
    {
        return Some(y);
    }
    const YEARLY: &[&str] = &[
        "工作要点",
        "政府工作报告",
        "年度",
        "民生实事",
        "重点工作任务",
    ];
    if YEARLY.iter().any(|w| title.contains(w)) {
        return date.map(|d| d.year());
    }
    None
}

/// Drop repeated items (a page printed twice), keeping the first of each.
fn dedup<T: PartialEq + serde::Serialize>(items: Vec<T>) -> Vec<T> {
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        let key = serde_json::to_string(&item).unwrap_or_default();
        let same = seen.entry(key).or_default();
        if same.iter().any(|&i| out[i] == item) {
            continue;
        }
        same.push(out.len());
        out.push(item);
    }
    out
}
