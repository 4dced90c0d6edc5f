//! The body of a plan: sections (`一、`), items (`(一)`), sub-items (`1.`),
//! labelled unit lines and tables, turned into chains and tasks.

use std::sync::LazyLock;

use regex::Regex;

use crate::chains::{chain_from_node, chains_from_table, is_chain};
use crate::header::{is_chrome, is_date_line, is_signature_line, is_title_line, meta_label};
use crate::model::{ChainDraft, TaskDraft};
use crate::tables::{self, TableKind, role_of};
use crate::tasks::{Years, first_sentence, task_from_node, tasks_from_table};
use crate::text::{LABEL_PATTERN, Level, Marker, marker_at};
use crate::units::{Assignment, heading_lead, parse_responsibility, split_leaders, split_units};

static LABEL_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^({LABEL_PATTERN})\s*:\s*(.*)$")).expect("label regex"));
static ATTACHMENT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^附\s*件\s*([0-9一二三四五六七八九十]{0,3})\s*$").expect("attachment regex")
});
static ATTACHMENT_LIST_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^附\s*件\s*:").expect("attachment list regex"));
static CLOSING_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:本(?:工作)?(?:实施)?(?:方案|措施|意见|办法|文件|通知|计划|细则|规定)(?:自|由|涉及|所需|有效期|从|所称)|\(?此件|《[^》]{2,100}》(?:已经|经)|现将.{0,100}印发给你们|.{0,200}印发给你们)")
        .expect("closing regex")
});

/// Kind of a top-level section, from its heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SectionKind {
    /// Task sections (重点任务, 一、加大龙头企业培育, …).
    Normal,
    /// 总体要求, 指导思想, 基本原则, 目标: description, not tasks.
    Descriptive,
    /// 工作要求, 保障措施, 工作机制: requirements, tasks only if assigned.
    Requirement,
}

fn section_kind(title: &str) -> SectionKind {
    const DESCRIPTIVE: &[&str] = &[
        "总体要求",
        "指导思想",
        "基本原则",
        "主要目标",
        "发展目标",
        "工作目标",
        "总体目标",
        "总体思路",
        "目标要求",
    ];
    const REQUIREMENT: &[&str] = &[
        "工作要求",
        "保障措施",
        "组织保障",
        "工作机制",
        "组织实施",
        "实施保障",
        "保障机制",
        "推进机制",
        "工作保障",
        "保障体系",
        "组织领导",
        "有关要求",
        "相关要求",
    ];
    if DESCRIPTIVE.iter().any(|w| title.contains(w)) {
        SectionKind::Descriptive
    } else if REQUIREMENT.iter().any(|w| title.contains(w)) {
        SectionKind::Requirement
    } else {
        SectionKind::Normal
    }
}

/// One numbered item of the outline while it is being read.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub level: Level,
    /// The printed number, e.g. `(一)` or `1.`.
    pub label: String,
    /// Heading text and continuation paragraphs.
    pub lines: Vec<String>,
    pub assignment: Assignment,
    /// Raw value of a `完成时限:` label.
    pub deadline: Option<String>,
    /// A chain leader label (`链长`, `牵头省领导`, `联系省领导`) was seen.
    pub chain_label: bool,
    /// Units were assigned (label or trailing parenthesis): no more text follows.
    pub closed: bool,
    pub children: Vec<Node>,
}

impl Node {
    fn new(marker: &Marker, rest: &str) -> Self {
        let mut node = Node {
            level: marker.level,
            label: marker.label.clone(),
            lines: Vec::new(),
            assignment: Assignment::default(),
            deadline: None,
            chain_label: false,
            closed: false,
            children: Vec::new(),
        };
        // `(一)省发展改革委牵头的工作`: a group heading whose unit leads its items.
        if let Some(leads) = heading_lead(rest) {
            node.lines.push(rest.trim().to_owned());
            node.assignment.leads = leads;
            return node;
        }
        node.push_text(rest);
        node
    }

    /// A node standing for a section heading, collecting the labels printed
    /// right under it (a chain's 链长 and 牵头单位, or its heading's lead).
    fn section(heading: &str) -> Self {
        let marker = Marker {
            level: Level::Section,
            n: 0,
            label: String::new(),
            len: 0,
        };
        let mut node = Node::new(&marker, heading);
        node.closed = true;
        node
    }

    /// Full text: heading and paragraphs joined by line breaks.
    pub(crate) fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// The heading as a name (chains): the text without a final `。`.
    pub(crate) fn name(&self) -> String {
        self.text()
            .trim_end_matches(['。', '.', ':'])
            .trim()
            .to_owned()
    }

    /// Whether units, leaders or a deadline were given for this node.
    pub(crate) fn is_assigned(&self) -> bool {
        !self.assignment.is_empty()
            || !self.assignment.leaders.is_empty()
            || self.deadline.is_some()
    }

    /// Whether the item has sentences beyond a bare heading.
    pub(crate) fn has_prose(&self) -> bool {
        let text = self.text();
        let body = text.trim_end_matches(['。', '.']);
        self.lines.len() > 1 || body.contains(['。', ',', ';'])
    }

    /// Append a paragraph, taking a trailing responsibility parenthesis off it.
    fn push_text(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() {
            return;
        }
        if let Some((text, assignment)) = split_trailing_assignment(line) {
            if !text.is_empty() {
                self.lines.push(text);
            }
            self.assign(assignment);
            self.closed = true;
        } else {
            self.lines.push(line.to_owned());
        }
    }

    fn assign(&mut self, a: Assignment) {
        self.assignment.leads.extend(a.leads);
        self.assignment.responsible.extend(a.responsible);
        self.assignment.co.extend(a.co);
        self.assignment.leaders.extend(a.leaders);
    }

    fn apply_label(&mut self, key: &str, value: &str) {
        if key.contains("领导") || key.contains("链长") {
            self.assignment.leaders.extend(split_leaders(value));
            // `分管省领导` is a task's leader, not a chain's.
            if key.contains("链长")
                || ((key.contains("省领导") || key.contains("市领导")) && !key.starts_with("分管"))
                || key.starts_with("联系")
            {
                self.chain_label = true;
            }
        } else if key.contains("单位") || key.contains("部门") {
            // `责任单位:省发改委牵头,省工信厅、科技厅配合` states its own roles.
            let stated = ["牵头", "配合", "负责", "参与", "协助"]
                .iter()
                .any(|w| value.contains(w))
                .then(|| parse_responsibility(value))
                .flatten();
            if let Some(a) = stated {
                self.assign(a);
            } else if key.starts_with("牵头") {
                self.assignment.leads.extend(split_units(value));
            } else if key.starts_with("责任") || key.starts_with("主责") {
                self.assignment.responsible.extend(split_units(value));
            } else {
                self.assignment.co.extend(split_units(value));
            }
        } else {
            self.deadline = Some(value.trim().to_owned());
        }
        self.closed = true;
    }
}

/// `…。(省科技厅、省教育厅负责)` → (`…。`, assignment), also when the
/// parenthesis stands before the final `。`.
fn split_trailing_assignment(line: &str) -> Option<(String, Assignment)> {
    let (body, stop) = match line.strip_suffix('。') {
        Some(b) if b.ends_with(')') => (b, "。"),
        _ => (line, ""),
    };
    let inner_end = body.strip_suffix(')')?;
    let mut depth = 1i32;
    let mut open = None;
    for (i, c) in inner_end.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    open = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let open = open?;
    let content = &inner_end[open + 1..];
    let assignment = parse_responsibility(content)?;
    let mut text = inner_end[..open].trim_end().to_owned();
    if !text.is_empty() && !text.ends_with(['。', '!', '?']) {
        text.push_str(stop);
    }
    Some((text, assignment))
}

/// What one line is.
enum Kind<'a> {
    Heading(Marker, &'a str),
    Label(&'a str, &'a str),
    Skip,
    Reset,
    Attachment(String),
    AttachmentList,
    Text,
}

fn is_addressee(line: &str) -> bool {
    line.ends_with(':')
        && !line.contains('。')
        && (line.starts_with('各') || line.contains(',') || line.contains('、'))
}

fn classify(line: &str) -> Kind<'_> {
    if meta_label(line).is_some() || is_chrome(line) {
        return Kind::Skip;
    }
    if let Some(c) = LABEL_RE.captures(line)
        && let (Some(k), Some(v)) = (c.get(1), c.get(2))
    {
        return Kind::Label(k.as_str(), v.as_str());
    }
    if let Some(m) = marker_at(line) {
        let rest = &line[m.len..];
        return Kind::Heading(m, rest);
    }
    if let Some(c) = ATTACHMENT_RE.captures(line) {
        let n = c.get(1).map_or("", |m| m.as_str());
        return Kind::Attachment(format!("附件{n}"));
    }
    if ATTACHMENT_LIST_RE.is_match(line) {
        return Kind::AttachmentList;
    }
    if is_date_line(line)
        || is_signature_line(line)
        || is_addressee(line)
        || CLOSING_RE.is_match(line)
        || is_title_line(line)
    {
        return Kind::Reset;
    }
    Kind::Text
}

/// Chains and tasks of the body.
#[derive(Debug, Default)]
pub(crate) struct Body {
    pub chains: Vec<ChainDraft>,
    pub tasks: Vec<TaskDraft>,
}

/// Settings of the body parser.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub years: Years,
    pub include_requirement_sections: bool,
}

struct Section {
    heading: Option<String>,
    kind: SectionKind,
    tasks: Vec<TaskDraft>,
    chains: Vec<ChainDraft>,
    /// The heading itself with the labels printed under it.
    node: Option<Node>,
}

impl Section {
    fn new(heading: Option<String>, title: Option<&str>) -> Self {
        let kind = heading.as_deref().map_or(SectionKind::Normal, section_kind);
        Section {
            heading,
            kind,
            tasks: Vec::new(),
            chains: Vec::new(),
            node: title.map(Node::section),
        }
    }

    /// The chain this section's heading describes (`三、生物医药产业` with
    /// a `链长:` line), if any.
    fn chain(&self) -> Option<&Node> {
        self.node.as_ref().filter(|n| is_chain(n))
    }
}

struct Parser {
    settings: Settings,
    body: Body,
    section: Section,
    item: Option<Node>,
    attachment_list: bool,
    attachment_title_pending: bool,
}

impl Parser {
    fn flush_item(&mut self) {
        let Some(mut node) = self.item.take() else {
            return;
        };
        let heading = self.section.heading.clone();
        let section_chain = self.section.chain().map(Node::name);
        if section_chain.is_none()
            && let Some(section) = &self.section.node
        {
            node.assignment.inherit_lead(&section.assignment);
        }
        let (mut tasks, chains) = convert(node, heading.as_deref(), self.settings.years);
        if let Some(name) = section_chain {
            for t in tasks.iter_mut().filter(|t| t.chain.is_none()) {
                t.chain = Some(name.clone());
            }
        }
        self.section.tasks.extend(tasks);
        self.section.chains.extend(chains);
    }

    fn start_section(&mut self, heading: Option<String>, title: Option<&str>) {
        self.flush_item();
        let old = std::mem::replace(&mut self.section, Section::new(heading, title));
        if let Some(chain) = old.chain() {
            let mut chain = chain_from_node(chain);
            chain.children = old
                .chains
                .iter()
                .filter(|c| !c.name.is_empty())
                .cloned()
                .collect();
            self.body.chains.push(chain);
        }
        let keep_tasks = match old.kind {
            SectionKind::Normal => true,
            SectionKind::Requirement if self.settings.include_requirement_sections => true,
            SectionKind::Descriptive | SectionKind::Requirement => old
                .tasks
                .iter()
                .any(|t| t.lead.is_some() || !t.co.is_empty()),
        };
        let is_chain = old.chain().is_some();
        if keep_tasks {
            self.body.tasks.extend(old.tasks);
        }
        if !is_chain {
            self.body.chains.extend(old.chains);
        }
        self.attachment_list = false;
        self.attachment_title_pending = false;
    }

    /// The innermost open node.
    fn open_node(&mut self) -> Option<&mut Node> {
        let item = self.item.as_mut()?;
        if item.children.is_empty() {
            Some(item)
        } else {
            item.children.last_mut()
        }
    }

    fn handle_label(&mut self, key: &str, value: &str) {
        if let Some(node) = self.open_node() {
            node.apply_label(key, value);
        } else if let Some(node) = self.section.node.as_mut() {
            node.apply_label(key, value);
        }
    }

    fn handle_heading(&mut self, marker: Marker, rest: &str) {
        match marker.level {
            Level::Section => {
                let title = first_sentence(rest);
                self.start_section(Some(format!("{}{}", marker.label, title)), Some(&title));
            }
            Level::Item => {
                self.flush_item();
                self.item = Some(Node::new(&marker, rest));
            }
            Level::SubItem => match self.item.as_mut() {
                Some(item) if item.level == Level::Item => {
                    item.children.push(Node::new(&marker, rest));
                }
                _ => {
                    self.flush_item();
                    self.item = Some(Node::new(&marker, rest));
                }
            },
            Level::Point => {
                if let Some(node) = self.open_node() {
                    node.push_text(&format!("{}{}", marker.label, rest));
                }
            }
        }
    }

    fn handle_text(&mut self, line: &str) {
        let Some(node) = self.open_node() else {
            return;
        };
        if node.closed {
            return;
        }
        if let Some(inner) = line.strip_prefix('(').and_then(|l| l.strip_suffix(')'))
            && let Some(a) = parse_responsibility(inner)
        {
            node.assign(a);
            node.closed = true;
            return;
        }
        node.push_text(line);
    }
}

/// Turn a finished item into tasks and chains.
fn convert(
    mut node: Node,
    section: Option<&str>,
    years: Years,
) -> (Vec<TaskDraft>, Vec<ChainDraft>) {
    let mut tasks = Vec::new();
    let mut chains = Vec::new();
    let mut children = std::mem::take(&mut node.children);
    // Units after the last of several points of an item with its own text
    // (`(一)…。重点做好:1.…;2.…。(省发改委负责)`) are the item's.
    let only_last_assigned = children
        .split_last()
        .is_some_and(|(last, rest)| last.is_assigned() && rest.iter().all(|c| !c.is_assigned()));
    if only_last_assigned
        && node.has_prose()
        && !node.is_assigned()
        && let Some(last) = children.last_mut()
    {
        node.assignment = std::mem::take(&mut last.assignment);
        node.deadline = last.deadline.take();
        node.closed = true;
    }
    let all_children_chains = !children.is_empty() && children.iter().all(is_chain);
    // A chain's sub-items that are not chains are its tasks; a heading with
    // units only (`(四)做强新材料产业` + `牵头单位:`) whose sub-items are
    // tasks is a group heading unless a chain leader (`链长`) is named.
    let any_child_chain = children.iter().any(is_chain);
    if (is_chain(&node) && (children.is_empty() || any_child_chain || node.chain_label))
        || (all_children_chains && !node.has_prose() && node.assignment.is_empty())
    {
        let mut chain = chain_from_node(&node);
        for child in &children {
            if is_chain(child) {
                chain.children.push(chain_from_node(child));
            } else {
                let mut task = task_from_node(child, &node.label, section, years);
                task.chain = Some(chain.name.clone());
                tasks.push(task);
            }
        }
        chains.push(chain);
        return (tasks, chains);
    }
    if children.is_empty() {
        tasks.push(task_from_node(&node, "", section, years));
        return (tasks, chains);
    }
    let children_assigned = children.iter().any(Node::is_assigned);
    if children_assigned || !node.has_prose() {
        // The sub-items are the tasks; the item is their group heading.
        if node.has_prose() && !node.assignment.is_empty() {
            tasks.push(task_from_node(&node, "", section, years));
        }
        for mut child in children {
            if is_chain(&child) {
                chains.push(chain_from_node(&child));
                continue;
            }
            child.assignment.inherit(&node.assignment);
            if child.deadline.is_none() {
                child.deadline.clone_from(&node.deadline);
            }
            tasks.push(task_from_node(&child, &node.label, section, years));
        }
    } else {
        // The sub-items are points of one task.
        for child in children {
            let mut first = true;
            for line in child.lines {
                if first {
                    node.lines.push(format!("{}{}", child.label, line));
                    first = false;
                } else {
                    node.lines.push(line);
                }
            }
            if first {
                node.lines.push(child.label);
            }
        }
        tasks.push(task_from_node(&node, "", section, years));
    }
    (tasks, chains)
}

/// Parse the body lines into chains and tasks (not yet de-duplicated).
pub(crate) fn parse_body(lines: &[String], settings: Settings) -> Body {
    let mut p = Parser {
        settings,
        body: Body::default(),
        section: Section::new(None, None),
        item: None,
        attachment_list: false,
        attachment_title_pending: false,
    };
    let mut i = 0;
    // Lines of a `|` block that did not read as a table are not tried again.
    let mut no_table_before = 0;
    while i < lines.len() {
        let line = lines[i].as_str();
        let may_be_table = i >= no_table_before
            && (line.contains('|') || (marker_at(line).is_none() && role_of(line).is_some()));
        let table = if may_be_table {
            let found = tables::detect(lines, i);
            if found.is_none() && line.contains('|') {
                no_table_before = tables::pipe_block_end(lines, i);
            }
            found
        } else {
            None
        };
        if let Some((table, end)) = table {
            p.flush_item();
            p.attachment_title_pending = false;
            let heading = p.section.heading.clone();
            match table.kind() {
                Some(TableKind::Tasks) => {
                    let (tasks, chains) =
                        tasks_from_table(&table, heading.as_deref(), settings.years);
                    p.section.tasks.extend(tasks);
                    p.section.chains.extend(chains);
                }
                Some(TableKind::Chains) => p.section.chains.extend(chains_from_table(&table)),
                None => {}
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
        if p.attachment_title_pending {
            p.attachment_title_pending = false;
            if marker_at(line).is_none() && line.chars().count() <= 40 && !line.contains('。') {
                let heading = line.to_owned();
                p.section.kind = section_kind(&heading);
                p.section.heading = Some(heading);
                continue;
            }
        }
        if p.attachment_list {
            let is_entry = marker_at(line).is_some_and(|m| m.level != Level::Section)
                && line.chars().count() <= 40
                && !line.contains('。');
            if is_entry {
                continue;
            }
            p.attachment_list = false;
        }
        match classify(line) {
            Kind::Skip => {}
            Kind::Reset => {
                p.flush_item();
                p.attachment_list = false;
            }
            Kind::Attachment(label) => {
                p.start_section(Some(label), None);
                p.attachment_title_pending = true;
            }
            Kind::AttachmentList => {
                p.flush_item();
                p.attachment_list = true;
            }
            Kind::Label(key, value) => p.handle_label(key, value),
            Kind::Heading(marker, rest) => p.handle_heading(marker, rest),
            Kind::Text => p.handle_text(line),
        }
    }
    p.start_section(None, None);
    p.body
}
