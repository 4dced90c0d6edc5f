//! Tasks: from outline nodes and from task-table rows.

use crate::deadline::{deadline_in_text, normalize_deadline};
use crate::model::{ChainDraft, TaskDraft};
use crate::outline::Node;
use crate::tables::{Role, Table};
use crate::targets::extract_targets;
use crate::units::{Assignment, split_leaders, split_units};

/// The first sentence of `text`, without its terminator.
pub(crate) fn first_sentence(text: &str) -> String {
    let end = text.find(['。', '!', '?', ';', '\n']).unwrap_or(text.len());
    text[..end]
        .trim()
        .trim_end_matches(['.', ',', ':'])
        .trim()
        .to_owned()
}

/// The years a plan's relative dates and targets refer to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Years {
    /// Year for deadlines without one (`6月底前`): the plan's date.
    pub deadline: Option<i32>,
    /// Year for targets without one: the plan's own year (see `plan_year`).
    pub target: Option<i32>,
}

/// Build a task.
pub(crate) fn build_task(
    number: String,
    section: Option<String>,
    text: String,
    assignment: &Assignment,
    raw_deadline: Option<&str>,
    years: Years,
) -> TaskDraft {
    let (lead, co) = assignment.resolve();
    let deadline = match raw_deadline.map(str::trim).filter(|d| !d.is_empty()) {
        Some(raw) => {
            Some(normalize_deadline(raw, years.deadline).unwrap_or_else(|| raw.to_owned()))
        }
        None => deadline_in_text(&text, years.deadline),
    };
    TaskDraft {
        number,
        section,
        title: first_sentence(&text),
        targets: extract_targets(&text, years.target),
        text,
        lead,
        co,
        leaders: assignment.leaders.clone(),
        deadline,
        chain: None,
    }
}

/// The task of an outline node; `prefix` is the parent's number for nested items.
pub(crate) fn task_from_node(
    node: &Node,
    prefix: &str,
    section: Option<&str>,
    years: Years,
) -> TaskDraft {
    build_task(
        format!("{prefix}{}", node.label),
        section.map(str::to_owned),
        node.text(),
        &node.assignment,
        node.deadline.as_deref(),
        years,
    )
}

/// Tasks of a task table, one per row with task text, and the chains named
/// in its chain column (tasks of such a row belong to that chain). A
/// grouping column (分类) is the task's section.
pub(crate) fn tasks_from_table(
    table: &Table,
    section: Option<&str>,
    years: Years,
) -> (Vec<TaskDraft>, Vec<ChainDraft>) {
    let mut out = Vec::new();
    let mut chains: Vec<ChainDraft> = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        let mut text = table.cells(row, Role::Task).join("\n");
        if text.trim().is_empty() {
            continue;
        }
        let goals = table.cells(row, Role::Target).join("\n");
        if !goals.is_empty() {
            text = format!("{text}\n{goals}");
        }
        let join = |role| table.cells(row, role).join(",");
        let assignment = Assignment {
            leads: split_units(&join(Role::Lead)),
            responsible: split_units(&join(Role::Responsible)),
            co: split_units(&join(Role::Co)),
            leaders: split_leaders(&join(Role::Leader)),
        };
        let number = table
            .cells(row, Role::Number)
            .first()
            .map_or_else(|| (i + 1).to_string(), |n| (*n).to_owned());
        let deadline = join(Role::Deadline);
        let group = table
            .cells(row, Role::Group)
            .last()
            .map(|g| g.replace('\n', ""));
        let mut task = build_task(
            number,
            group.or_else(|| section.map(str::to_owned)),
            text,
            &assignment,
            Some(deadline.as_str()),
            years,
        );
        if let Some(name) = table.cells(row, Role::Name).first() {
            let name = name.replace('\n', "");
            if !chains.iter().any(|c| c.name == name) {
                chains.push(ChainDraft {
                    name: name.clone(),
                    leaders: assignment.leaders.clone(),
                    ..ChainDraft::default()
                });
            }
            task.chain = Some(name);
        }
        out.push(task);
    }
    (out, chains)
}
