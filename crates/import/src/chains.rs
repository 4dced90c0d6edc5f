//! Chains (产业链, 产业集群, 专项): blocks of labelled leader and unit lines,
//! and rows of chain tables.

use crate::model::ChainDraft;
use crate::outline::Node;
use crate::tables::{Role, Table};
use crate::units::{split_leaders, split_units};

/// Name endings of chains, clusters and task forces.
const CHAIN_SUFFIXES: &[&str] = &[
    "产业链",
    "产业集群",
    "集群",
    "产业",
    "基地",
    "专项",
    "专班",
    "行业",
    "链",
];

/// A node is a chain when it is only a name (no prose) with leader or unit
/// labels, and either its name ends like a chain (`…产业`, `…基地`) or its
/// leader label is a chain leader's (`链长`, `牵头省领导`, `联系省领导`).
pub(crate) fn is_chain(node: &Node) -> bool {
    if node.has_prose() {
        return false;
    }
    let assigned = !node.assignment.is_empty() || !node.assignment.leaders.is_empty();
    let name = node.name();
    assigned && (node.chain_label || CHAIN_SUFFIXES.iter().any(|s| name.ends_with(s)))
}

/// The chain a node describes (children are attached by the caller).
pub(crate) fn chain_from_node(node: &Node) -> ChainDraft {
    let a = &node.assignment;
    let mut units = a.responsible.clone();
    for u in &a.co {
        if !units.contains(u) {
            units.push(u.clone());
        }
    }
    ChainDraft {
        name: node.name(),
        leaders: a.leaders.clone(),
        lead_units: a.leads.clone(),
        units,
        children: Vec::new(),
    }
}

/// Chains of a chain table, one per row with a name.
pub(crate) fn chains_from_table(table: &Table) -> Vec<ChainDraft> {
    let mut out = Vec::new();
    for row in &table.rows {
        let Some(name) = table
            .cells(row, Role::Name)
            .first()
            .map(|s| (*s).to_owned())
        else {
            continue;
        };
        let join = |role| table.cells(row, role).join(",");
        let mut units = split_units(&join(Role::Responsible));
        for u in split_units(&join(Role::Co)) {
            if !units.contains(&u) {
                units.push(u);
            }
        }
        out.push(ChainDraft {
            name: name.replace('\n', ""),
            leaders: split_leaders(&join(Role::Leader)),
            lead_units: split_units(&join(Role::Lead)),
            units,
            children: Vec::new(),
        });
    }
    out
}
