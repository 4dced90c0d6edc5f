//! Expected tasks of the hand-written fixtures, written by reading them.

#![allow(dead_code)]

pub mod expect;

use xiaohao_import::{PlanDraft, TargetDraft, TaskDraft};

/// A fixture document by file name (`tests/fixtures/`).
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(|i| (*i).to_owned()).collect()
}

/// A target; `cmp` as the draft spells it.
pub fn g(
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

/// One expected task.
#[derive(Debug, Clone)]
pub struct Want {
    pub task: TaskDraft,
}

/// Expected task: number, section, title, lead, co-units.
pub fn w(
    number: &str,
    section: Option<&str>,
    title: &str,
    lead: Option<&str>,
    co: &[&str],
) -> Want {
    Want {
        task: TaskDraft {
            number: number.to_owned(),
            section: section.map(str::to_owned),
            title: title.to_owned(),
            lead: lead.map(str::to_owned),
            co: s(co),
            ..TaskDraft::default()
        },
    }
}

impl Want {
    pub fn leaders(mut self, l: &[&str]) -> Self {
        self.task.leaders = s(l);
        self
    }
    pub fn deadline(mut self, d: &str) -> Self {
        self.task.deadline = Some(d.to_owned());
        self
    }
    pub fn targets(mut self, t: Vec<TargetDraft>) -> Self {
        self.task.targets = t;
        self
    }
    pub fn chain(mut self, c: &str) -> Self {
        self.task.chain = Some(c.to_owned());
        self
    }
}

/// Everything but the full text, task by task, with the task named on failure.
pub fn check(draft: &PlanDraft, want: &[Want]) {
    let got: Vec<String> = draft
        .tasks
        .iter()
        .map(|t| format!("{} {}", t.number, t.title))
        .collect();
    assert_eq!(draft.tasks.len(), want.len(), "tasks found: {got:#?}");
    for (t, w) in draft.tasks.iter().zip(want) {
        let w = &w.task;
        let at = format!("task {} {}", w.number, w.title);
        assert_eq!(t.number, w.number, "number of {at}");
        assert_eq!(t.section, w.section, "section of {at}");
        assert_eq!(t.title, w.title, "title of {at}");
        assert_eq!(t.lead, w.lead, "lead of {at}");
        assert_eq!(t.co, w.co, "co-units of {at}");
        assert_eq!(t.leaders, w.leaders, "leaders of {at}");
        assert_eq!(t.deadline, w.deadline, "deadline of {at}");
        assert_eq!(t.targets, w.targets, "targets of {at}");
        assert_eq!(t.chain, w.chain, "chain of {at}");
    }
}
