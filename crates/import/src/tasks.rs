//! Tasks: from outline nodes and from task-table rows.

use crate::deadline::{deadline_in_text, normalize_deadline};
use crate::model::TaskDraft;
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

/// Build a task.
pub(crate) fn build_task(
    number: String,
    section: Option<String>,
    text: String,
    assignment: &Assignment,
    raw_deadline: Option<&str>,
    plan_year: Option<i32>,
) -> TaskDraft {
    let (lead, co) = assignment.resolve();
    let deadline = match raw_deadline.map(str::trim).filter(|d| !d.is_empty()) {
        Some(raw) => Some(normalize_deadline(raw, plan_year).unwrap_or_else(|| raw.to_owned())),
        None => deadline_in_text(&text, plan_year),
    };
    TaskDraft {
        number,
        section,
        title: first_sentence(&text),
        targets: extract_targets(&text),
        text,
        lead,
        co,
        leaders: assignment.leaders.clone(),
        deadline,
    }
}

/// The task of an outline node; `prefix` is the parent's number for nested items.
pub(crate) fn task_from_node(
    node: &Node,
    prefix: &str,
    section: Option<&str>,
    plan_year: Option<i32>,
) -> TaskDraft {
    build_task(
        format!("{prefix}{}", node.label),
        section.map(str::to_owned),
        node.text(),
        &node.assignment,
        node.deadline.as_deref(),
        plan_year,
    )
}

/// Tasks of a task table, one per row with task text.
pub(crate) fn tasks_from_table(
    table: &Table,
    section: Option<&str>,
    plan_year: Option<i32>,
) -> Vec<TaskDraft> {
    let mut out = Vec::new();
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
        out.push(build_task(
            number,
            section.map(str::to_owned),
            text,
            &assignment,
            Some(deadline.as_str()),
            plan_year,
        ));
    }
    out
}
