//! Tables rendered as text: rows with `|`-separated cells, one cell per line
//! ending in `|` (merged cells leave bare `|` lines), or one cell per line
//! without any separator under a header of known column names.

use crate::header::{is_chrome, is_date_line, meta_label};
use crate::table_fit::{align, fit, is_deadline_cell};
use crate::text::{Level, marker_at, squeeze_han_spaces};

/// What a column holds, from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Number,
    Task,
    Target,
    Lead,
    Responsible,
    Co,
    Leader,
    Deadline,
    /// Chain name (产业链, 集群).
    Name,
    /// A coarser grouping column (类型, or a second name column).
    Group,
    Other,
}

/// What a table describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableKind {
    Tasks,
    Chains,
}

/// A parsed table: one role per column, every row as long as `roles`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Table {
    pub roles: Vec<Role>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn kind(&self) -> Option<TableKind> {
        kind_of(&self.roles)
    }

    /// Non-empty cells of `row` in columns with `role`.
    pub(crate) fn cells<'a>(&self, row: &'a [String], role: Role) -> Vec<&'a str> {
        self.roles
            .iter()
            .zip(row)
            .filter(|(r, c)| **r == role && !c.is_empty())
            .map(|(_, c)| c.as_str())
            .collect()
    }
}

pub(crate) fn kind_of(roles: &[Role]) -> Option<TableKind> {
    let has = |r: Role| roles.contains(&r);
    let assigns = has(Role::Lead) || has(Role::Responsible) || has(Role::Co) || has(Role::Leader);
    if has(Role::Task) && (assigns || has(Role::Deadline)) {
        Some(TableKind::Tasks)
    } else if has(Role::Name) && assigns {
        Some(TableKind::Chains)
    } else {
        None
    }
}

/// The role of a header cell, if it is a known column name.
pub(crate) fn role_of(header: &str) -> Option<Role> {
    let h: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    if h.is_empty() || h.chars().count() > 12 {
        return None;
    }
    let any = |words: &[&str]| words.iter().any(|w| h.contains(w));
    Some(if matches!(h.as_str(), "序号" | "编号" | "序" | "号") {
        Role::Number
    } else if any(&["领导", "链长"]) {
        Role::Leader
    } else if any(&["牵头"]) {
        Role::Lead
    } else if any(&["责任单位", "责任部门", "实施单位", "责任主体", "主责单位"])
    {
        Role::Responsible
    } else if any(&["配合", "协办", "参与", "协同", "协助", "成员单位"]) {
        Role::Co
    } else if any(&["时限", "时间", "节点", "进度", "期限"]) {
        Role::Deadline
    } else if any(&["目标", "指标"]) {
        Role::Target
    } else if any(&["任务", "措施", "事项", "内容", "举措", "工作"]) {
        Role::Task
    } else if any(&["产业链", "集群", "产业", "专项", "领域", "名称", "链"]) {
        Role::Name
    } else if any(&["类型", "类别", "分类", "层级"]) {
        Role::Group
    } else if any(&["备注", "说明"]) {
        Role::Other
    } else {
        return None;
    })
}

/// Roles of a header row; with several name columns the most specific one
/// (mentioning 链 or 集群, else the last) names the chain, the others group.
fn header_roles(cells: &[String]) -> Option<Vec<Role>> {
    let mut roles: Vec<Role> = cells
        .iter()
        .map(|c| role_of(c).unwrap_or(Role::Other))
        .collect();
    let known = roles.iter().filter(|r| **r != Role::Other).count();
    if known < 2 {
        return None;
    }
    let names: Vec<usize> = (0..roles.len())
        .filter(|i| roles[*i] == Role::Name)
        .collect();
    if names.len() > 1 {
        let keep = names
            .iter()
            .rev()
            .find(|i| cells[**i].contains('链') || cells[**i].contains("集群"))
            .or(names.last())
            .copied();
        for i in names {
            if Some(i) != keep {
                roles[i] = Role::Group;
            }
        }
    }
    kind_of(&roles).map(|_| roles)
}

fn clean_cell(s: &str) -> String {
    squeeze_han_spaces(s.trim())
}

fn is_separator_row(line: &str) -> bool {
    line.chars()
        .all(|c| matches!(c, '|' | '-' | ':' | ' ' | '+' | '='))
}

/// Lines that end a table without separators.
fn is_stop_line(line: &str) -> bool {
    marker_at(line).is_some_and(|m| m.level == Level::Section)
        || line.starts_with("附件")
        || is_chrome(line)
        || meta_label(line).is_some()
        || is_date_line(line)
        || line.contains('|')
        || line.starts_with("本方案")
        || line.starts_with("本措施")
        || line.starts_with("本工作方案")
}

/// Index of the first line after the run of `|` lines starting at `start`.
pub(crate) fn pipe_block_end(lines: &[String], start: usize) -> usize {
    (start..lines.len())
        .find(|&i| !lines[i].contains('|'))
        .unwrap_or(lines.len())
}

/// Try to read a table starting at `lines[start]`; returns it and the index
/// of the first line after it.
pub(crate) fn detect(lines: &[String], start: usize) -> Option<(Table, usize)> {
    let first = lines.get(start)?;
    if first.contains('|') {
        let end = pipe_block_end(lines, start);
        let block = &lines[start..end];
        let cells_in_first = first.split('|').filter(|c| !c.trim().is_empty()).count();
        // A single line can still hold a whole table flattened from
        // one-cell-per-line form.
        if block.len() < 2 && first.matches('|').count() < 4 {
            return None;
        }
        let table = if block.len() >= 2 && cells_in_first >= 2 {
            rows_per_line(block)
        } else {
            cell_per_line_with_bars(block)
        }?;
        return Some((table, end));
    }
    cell_per_line_plain(lines, start)
}

/// `| 序号 | 重点任务 | 牵头单位 |` then one row per line. A row with one
/// cell (`| 二、促进消费 |`) is a category for the rows below it; a row
/// without a number, or repeating the number above, continues the row
/// above; a row short of its leading grouping cells (a merged 分类 printed
/// once) gets them back empty.
fn rows_per_line(block: &[String]) -> Option<Table> {
    let split = |line: &str| -> Vec<String> {
        let t = line.trim();
        let t = t.strip_prefix('|').unwrap_or(t);
        let t = t.strip_suffix('|').unwrap_or(t);
        t.split('|').map(clean_cell).collect()
    };
    let mut lines = block.iter().filter(|l| !is_separator_row(l));
    let header = split(lines.next()?);
    let roles = header_roles(&header)?;
    let n = roles.len();
    let number_col = roles.iter().position(|r| *r == Role::Number);
    let leading_groups = roles.iter().take_while(|r| **r == Role::Group).count();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut categories: Vec<Option<String>> = Vec::new();
    let mut category: Option<String> = None;
    for line in lines {
        let mut cells = split(line);
        let filled: Vec<&String> = cells.iter().filter(|c| !c.is_empty()).collect();
        let Some(first) = filled.first() else {
            continue;
        };
        if filled.len() == 1 && n >= 3 && is_category_cell(first, cells.len()) {
            category = Some((*first).clone());
            continue;
        }
        if cells.len() < n && leading_groups > 0 {
            let missing = (n - cells.len()).min(leading_groups);
            cells.splice(0..0, std::iter::repeat_n(String::new(), missing));
        }
        cells.resize(n, String::new());
        if let (Some(c), Some(last)) = (number_col, rows.last_mut()) {
            let continues = cells[c].is_empty() || cells[c] == last[c];
            if continues && !last[c].is_empty() {
                merge_row(last, cells, &roles);
                continue;
            }
        }
        rows.push(cells);
        categories.push(category.clone());
    }
    let mut table = Table { roles, rows };
    apply_categories(&mut table, &categories);
    inherit_merged(&mut table);
    Some(table)
}

/// Whether the only cell of a row is a category heading rather than data:
/// a numbered heading (`二、促进消费`, `(三)`) or a cell spanning the row.
fn is_category_cell(cell: &str, cells_in_row: usize) -> bool {
    !cell.chars().all(|c| c.is_ascii_digit())
        && (cells_in_row == 1 || marker_at(cell).is_some_and(|m| m.level <= Level::Item))
}

/// Append a continuation row to the row above it.
fn merge_row(last: &mut [String], cells: Vec<String>, roles: &[Role]) {
    for ((old, new), role) in last.iter_mut().zip(cells).zip(roles) {
        if new.is_empty() || *old == new {
            continue;
        }
        if old.is_empty() {
            *old = new;
            continue;
        }
        let sep = match role {
            Role::Lead | Role::Responsible | Role::Co | Role::Leader => '、',
            _ => '\n',
        };
        old.push(sep);
        old.push_str(&new);
    }
}

/// Category rows (`一、扩大有效需求` spanning the table) name the group of
/// the rows below them: they fill an empty grouping cell, or a grouping
/// column is added for them.
fn apply_categories(table: &mut Table, categories: &[Option<String>]) {
    if categories.iter().all(Option::is_none) {
        return;
    }
    let col = match table.roles.iter().position(|r| *r == Role::Group) {
        Some(c) => c,
        None => {
            table.roles.push(Role::Group);
            for row in &mut table.rows {
                row.push(String::new());
            }
            table.roles.len() - 1
        }
    };
    for (row, category) in table.rows.iter_mut().zip(categories) {
        if let Some(cat) = category
            && row[col].is_empty()
        {
            row[col].clone_from(cat);
        }
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// One cell per line ending in `|`; a line of k bare `|` closes a row whose
/// k (merged) cells are missing.
fn cell_per_line_with_bars(block: &[String]) -> Option<Table> {
    let mut tokens: Vec<Option<String>> = Vec::new();
    for line in block {
        let pieces: Vec<&str> = line.trim().split('|').collect();
        let last = pieces.len().saturating_sub(1);
        for (i, piece) in pieces.iter().enumerate() {
            let cell = clean_cell(piece);
            if i < last {
                tokens.push((!cell.is_empty()).then_some(cell));
            } else if !cell.is_empty() {
                tokens.push(Some(cell));
            }
        }
    }
    // Column count: every closed segment (cells + missing) is a multiple of it.
    let mut n = 0usize;
    let mut seg = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].is_some() {
            seg += 1;
            i += 1;
            continue;
        }
        while i < tokens.len() && tokens[i].is_none() {
            seg += 1;
            i += 1;
        }
        n = gcd(n, seg);
        seg = 0;
    }
    let leading_roles = tokens
        .iter()
        .take_while(|t| t.as_deref().and_then(role_of).is_some())
        .count();
    if !(2..=16).contains(&n) || leading_roles < n {
        n = leading_roles;
    }
    if n < 2 {
        return None;
    }
    let header: Vec<String> = tokens
        .iter()
        .take(n)
        .map(|t| t.clone().unwrap_or_default())
        .collect();
    let roles = header_roles(&header)?;
    let kind = kind_of(&roles)?;
    let mut rows = Vec::new();
    let mut buffer: Vec<String> = Vec::new();
    for token in tokens.into_iter().skip(n) {
        match token {
            Some(cell) => {
                buffer.push(cell);
                if buffer.len() == n {
                    rows.push(std::mem::take(&mut buffer));
                }
            }
            None => {
                if !buffer.is_empty() {
                    rows.push(align(std::mem::take(&mut buffer), &roles, kind));
                }
            }
        }
    }
    if !buffer.is_empty() {
        rows.push(align(buffer, &roles, kind));
    }
    let mut table = Table { roles, rows };
    inherit_merged(&mut table);
    Some(table)
}

/// Merged cells: an empty leader, grouping or chain-name cell repeats the row above.
fn inherit_merged(table: &mut Table) {
    let roles = table.roles.clone();
    for r in 1..table.rows.len() {
        for (c, role) in roles.iter().enumerate() {
            if matches!(role, Role::Leader | Role::Group | Role::Name)
                && table.rows[r][c].is_empty()
            {
                let above = table.rows[r - 1][c].clone();
                table.rows[r][c] = above;
            }
        }
    }
}

/// Whether `body[i]` is a category row of a one-cell-per-line table: a
/// numbered heading (`二、推进科技创新`) followed by the row number `1`.
fn is_category_line(body: &[String], i: usize) -> bool {
    marker_at(&body[i]).is_some_and(|m| m.level <= Level::Item)
        && body.get(i + 1).is_some_and(|l| l.trim() == "1")
}

/// One cell per line, no separators, under header lines such as
/// `序号` / `重点任务` / `牵头单位` / `责任单位` / `完成时限`. Numbered
/// headings followed by a row `1` are category rows: numbering restarts
/// under each and the heading becomes the rows' group.
fn cell_per_line_plain(lines: &[String], start: usize) -> Option<(Table, usize)> {
    let header: Vec<String> = lines[start..]
        .iter()
        .take(16)
        .take_while(|l| l.chars().count() <= 12 && marker_at(l).is_none() && role_of(l).is_some())
        .map(|l| clean_cell(l))
        .collect();
    if header.len() < 3 {
        return None;
    }
    let roles = header_roles(&header)?;
    let kind = kind_of(&roles)?;
    let n = roles.len();
    let body_start = start + n;
    let all: Vec<String> = lines[body_start..].iter().map(|l| clean_cell(l)).collect();
    let end = (0..all.len())
        .find(|&i| is_stop_line(&all[i]) && !is_category_line(&all, i))
        .unwrap_or(all.len());
    let body = &all[..end];
    let mut rows = Vec::new();
    let mut categories = Vec::new();
    let mut consumed = body.len();
    if roles.first() == Some(&Role::Number) {
        // Rows start at the lines `1`, `2`, `3`, … (again from `1` after a category).
        let mut starts: Vec<(usize, Option<String>)> = Vec::new();
        let mut breaks = Vec::new();
        let mut expected = 1u32;
        let mut category = None;
        for (i, l) in body.iter().enumerate() {
            if is_category_line(body, i) {
                category = Some(l.clone());
                expected = 1;
                breaks.push(i);
            } else if l.parse::<u32>().ok() == Some(expected) {
                starts.push((i, category.clone()));
                breaks.push(i);
                expected += 1;
            }
        }
        let first = starts.first()?.0;
        if (0..first).any(|i| !is_category_line(body, i)) {
            return None;
        }
        for (k, (s, category)) in starts.iter().enumerate() {
            let s = *s;
            let is_last = k + 1 == starts.len();
            let e = breaks
                .iter()
                .copied()
                .find(|&b| b > s)
                .unwrap_or(body.len());
            let mut cells: Vec<String> = body[s + 1..e].to_vec();
            if is_last && cells.len() > n - 1 {
                // The last row ends at its deadline cell when the table has one
                // as last column; otherwise it is assumed not to wrap. Whatever
                // follows is not part of the table.
                let keep = if roles.last() == Some(&Role::Deadline) {
                    (n.saturating_sub(2)..cells.len())
                        .find(|&j| is_deadline_cell(&cells[j]))
                        .map_or(n - 1, |j| j + 1)
                } else {
                    n - 1
                };
                cells.truncate(keep);
                consumed = s + 1 + keep;
            }
            let mut row = vec![body[s].clone()];
            row.extend(fit(cells, &roles[1..], kind));
            rows.push(row);
            categories.push(category.clone());
        }
    } else {
        let full = body.len() / n;
        for chunk in body.chunks(n).take(full) {
            rows.push(chunk.to_vec());
            categories.push(None);
        }
        consumed = full * n;
    }
    if rows.is_empty() {
        return None;
    }
    let mut table = Table { roles, rows };
    apply_categories(&mut table, &categories);
    inherit_merged(&mut table);
    Some((table, body_start + consumed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.lines()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn pipe_rows() {
        let l = lines(
            "| 序号 | 重点任务 | 牵头单位 | 完成时限 |\n|---|---|---|---|\n| 1 | 推进A | 省发改委 | 2022年底前 |\n| 2 | 推进B | 省工信厅 | 长期坚持 |",
        );
        let (t, end) = detect(&l, 0).expect("table");
        assert_eq!(end, 4);
        assert_eq!(t.kind(), Some(TableKind::Tasks));
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1], vec!["2", "推进B", "省工信厅", "长期坚持"]);
    }

    #[test]
    fn bars_with_merged_cells() {
        let l = lines(
            "类型 |\n产 业 |\n链 |\n联系省领导 |\n甲类 |\n材 料 |\n先进陶瓷材料 |\n黄兰香 |\n先进化工材料 |\n何报翔 |\n||\n碳基材料 |\n|||\n",
        );
        let (t, _) = detect(&l, 0).expect("table");
        assert_eq!(t.kind(), Some(TableKind::Chains));
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[1], vec!["甲类", "材料", "先进化工材料", "何报翔"]);
        assert_eq!(t.rows[2], vec!["甲类", "材料", "碳基材料", "何报翔"]);
    }

    #[test]
    fn plain_cells() {
        let l = lines(
            "序号\n重点任务\n牵头单位\n配合单位\n完成时限\n1\n推进A工作\n省发改委\n省工信厅、科技厅\n2022年底前\n2\n推进B工作\n第二行\n省工信厅\n省财政厅\n每季度\n二、保障措施",
        );
        let (t, end) = detect(&l, 0).expect("table");
        assert_eq!(end, l.len() - 1);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.rows[1],
            vec!["2", "推进B工作\n第二行", "省工信厅", "省财政厅", "每季度"]
        );
    }
}
