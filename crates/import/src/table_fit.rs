//! Fitting the lines of one table row into its columns when cells are
//! missing (merged, printed once) or span several lines (a wrapped task, a
//! cell holding several units one per line).

use crate::deadline::normalize_deadline;
use crate::tables::{Role, TableKind};
use crate::units::{looks_like_person, looks_like_unit, split_leaders, split_units};

/// Place the cells of a short row (merged cells missing) into columns by
/// what they look like: numbers, deadlines, personal names and unit lists go
/// to their typed columns; the remaining text cells fill the text columns —
/// left-aligned in task tables (the task comes first), right-aligned up to
/// the name column in chain tables (merged grouping columns come first).
pub(crate) fn align(cells: Vec<String>, roles: &[Role], kind: TableKind) -> Vec<String> {
    let n = roles.len();
    let mut row = vec![String::new(); n];
    let has = |r: Role| roles.contains(&r);
    let unit_cols: Vec<usize> = (0..n)
        .filter(|&i| matches!(roles[i], Role::Lead | Role::Responsible | Role::Co))
        .collect();
    let mut texts = Vec::new();
    let mut units = Vec::new();
    let put = |row: &mut Vec<String>, role: Role, cell: &str| {
        if let Some(i) = roles.iter().position(|r| *r == role) {
            if !row[i].is_empty() {
                row[i].push('、');
            }
            row[i].push_str(cell);
        }
    };
    for cell in cells {
        if has(Role::Number) && !cell.is_empty() && cell.chars().all(|c| c.is_ascii_digit()) {
            put(&mut row, Role::Number, &cell);
        } else if has(Role::Deadline) && is_deadline_cell(&cell) {
            put(&mut row, Role::Deadline, &cell);
        } else if has(Role::Leader) && is_people_cell(&cell) {
            put(&mut row, Role::Leader, &cell);
        } else if !unit_cols.is_empty() && is_unit_cell(&cell) {
            units.push(cell);
        } else {
            texts.push(cell);
        }
    }
    for (k, cell) in units.into_iter().enumerate() {
        let col = unit_cols[k.min(unit_cols.len() - 1)];
        if !row[col].is_empty() {
            row[col].push('、');
        }
        row[col].push_str(&cell);
    }
    let text_cols: Vec<usize> = (0..n)
        .filter(|&i| {
            matches!(
                roles[i],
                Role::Name | Role::Task | Role::Target | Role::Group | Role::Other
            )
        })
        .collect();
    let text_cols: Vec<usize> = match kind {
        TableKind::Tasks => text_cols,
        TableKind::Chains => {
            let name = roles.iter().position(|r| *r == Role::Name).unwrap_or(n);
            text_cols.into_iter().filter(|&i| i <= name).collect()
        }
    };
    if text_cols.is_empty() {
        return row;
    }
    let slots = text_cols.len();
    let offset = match kind {
        TableKind::Tasks => 0,
        TableKind::Chains => slots.saturating_sub(texts.len()),
    };
    for (k, cell) in texts.into_iter().enumerate() {
        let col = text_cols[(offset + k).min(slots - 1)];
        if !row[col].is_empty() {
            row[col].push('\n');
        }
        row[col].push_str(&cell);
    }
    row
}

fn is_people_cell(cell: &str) -> bool {
    let names = split_leaders(cell);
    !names.is_empty() && names.iter().all(|n| looks_like_person(n))
}

fn is_unit_cell(cell: &str) -> bool {
    let units = split_units(cell);
    !units.is_empty() && units.iter().all(|u| looks_like_unit(u))
}

/// A unit list that does not read as wrapped prose either (`第二行` ends like
/// a bank but is none): every name has three characters or more and a bank
/// is a `…银行`/`…分行`/`…支行`.
fn is_unit_line(cell: &str) -> bool {
    is_unit_cell(cell)
        && split_units(cell).iter().all(|u| {
            u.chars().count() >= 3
                && !u.starts_with('第')
                && (!u.ends_with('行') || ["银行", "分行", "支行"].iter().any(|b| u.ends_with(b)))
        })
}

pub(crate) fn is_deadline_cell(cell: &str) -> bool {
    cell.chars().count() <= 20 && normalize_deadline(cell, None).is_some()
}

/// Fit `cells` into `roles.len()` columns: with too few cells the missing
/// ones are placed by [`align`]; with too many, the lines are shared out
/// among the columns by [`partition`] (a wrapped task, a cell holding several
/// units one per line).
pub(crate) fn fit(cells: Vec<String>, roles: &[Role], kind: TableKind) -> Vec<String> {
    let n = roles.len();
    if cells.len() == n {
        return cells;
    }
    if cells.len() < n {
        return align(cells, roles, kind);
    }
    partition(&cells, roles)
}

/// What each line of a row looks like, as prefix counts, so that the cost
/// of any run of lines is found in constant time.
struct LineKinds {
    /// `counts[k][t]`: lines before `k` that are NOT of type `t` (number,
    /// deadline, people, unit), and (index 4) lines that ARE units.
    counts: Vec<[u32; 5]>,
}

impl LineKinds {
    fn new(lines: &[String]) -> Self {
        let mut counts = Vec::with_capacity(lines.len() + 1);
        let mut c = [0u32; 5];
        counts.push(c);
        for l in lines {
            let unit = is_unit_line(l);
            let kinds = [
                l.chars().all(|c| c.is_ascii_digit()),
                is_deadline_cell(l),
                is_people_cell(l),
                unit,
            ];
            for (t, ok) in kinds.iter().enumerate() {
                c[t] += u32::from(!ok);
            }
            c[4] += u32::from(unit);
            counts.push(c);
        }
        LineKinds { counts }
    }

    fn count(&self, t: usize, from: usize, to: usize) -> u32 {
        self.counts[to][t] - self.counts[from][t]
    }

    /// Cost of putting lines `from..to` (at least one) into a column with `role`.
    fn cost(&self, role: Role, from: usize, to: usize) -> u32 {
        const WRONG: u32 = 100;
        let extra = u32::try_from(to - from - 1).unwrap_or(u32::MAX / 256);
        let typed = |t: usize, per_extra: u32| self.count(t, from, to) * WRONG + extra * per_extra;
        match role {
            Role::Number => typed(0, WRONG),
            Role::Deadline => typed(1, 30),
            Role::Leader => typed(2, 5),
            Role::Lead => typed(3, 8),
            Role::Responsible | Role::Co => typed(3, 2),
            // Wrapped text; a continuation line that reads as a unit list
            // belongs to a unit column rather.
            _ => extra * 10 + self.count(4, from + 1, to) * 5,
        }
    }
}

/// Split `cells` (more than `roles.len()`) into one run of consecutive
/// lines per column at the least cost ([`LineKinds::cost`], dynamic
/// programming over at most 200 lines).
fn partition(cells: &[String], roles: &[Role]) -> Vec<String> {
    let (n, m) = (roles.len(), cells.len());
    if n == 0 || m > 200 {
        let mut out = cells.to_vec();
        out.truncate(n);
        return out;
    }
    let kinds = LineKinds::new(cells);
    // best[j][k]: cost of the first k cells in the first j columns.
    let mut best = vec![vec![u32::MAX; m + 1]; n + 1];
    let mut from = vec![vec![0usize; m + 1]; n + 1];
    best[0][0] = 0;
    for j in 1..=n {
        for k in j..=m.saturating_sub(n - j) {
            for s in (j - 1)..k {
                let before = best[j - 1][s];
                if before == u32::MAX {
                    continue;
                }
                let cost = before.saturating_add(kinds.cost(roles[j - 1], s, k));
                if cost < best[j][k] {
                    best[j][k] = cost;
                    from[j][k] = s;
                }
            }
        }
    }
    let mut out = vec![String::new(); n];
    let mut k = m;
    for j in (1..=n).rev() {
        let s = from[j][k];
        let sep = match roles[j - 1] {
            Role::Lead | Role::Responsible | Role::Co | Role::Leader => "、",
            _ => "\n",
        };
        out[j - 1] = cells[s..k].join(sep);
        k = s;
    }
    out
}
