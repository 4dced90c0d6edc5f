//! Hand-written plans whose tasks sit in tables: one cell per line,
//! `|`-separated and tab-separated, columns in any order.

mod common;

use chrono::NaiveDate;
use common::expect::expected;
use common::{check, fixture, s};
use xiaohao_import::parse_plan;

#[test]
fn cells_one_per_line_with_categories_and_multi_unit_cells() {
    let d = parse_plan(&fixture("hebei_2023_cells.txt"));
    assert_eq!(
        d.title.as_deref(),
        Some("2023年政府工作报告重点任务分工方案")
    );
    assert_eq!(d.date, NaiveDate::from_ymd_opt(2023, 2, 10));
    check(&d, &expected("hebei_2023_cells.txt"));
}

#[test]
fn pipe_tables_with_merged_category_continuation_and_restart() {
    let d = parse_plan(&fixture("shaanxi_2022_pipes.txt"));
    assert_eq!(
        d.title.as_deref(),
        Some("某省2022年稳增长重点工作责任分解方案")
    );
    check(&d, &expected("shaanxi_2022_pipes.txt"));
    let t2 = &d.tasks[1];
    assert_eq!(
        t2.text,
        "新开工高速公路项目10个,建成高速公路300公里。\n同步推进国省干线公路提质改造。"
    );
}

#[test]
fn tab_separated_rows_with_a_goal_column() {
    let d = parse_plan(&fixture("jiangxi_2024_tabs.txt"));
    assert_eq!(
        d.title.as_deref(),
        Some("某省2024年营商环境优化提升重点任务清单")
    );
    check(&d, &expected("jiangxi_2024_tabs.txt"));
}

#[test]
fn chain_column_links_tasks_to_their_chains() {
    let d = parse_plan(&fixture("chongqing_2023_chain_table.txt"));
    let names: Vec<(&str, Vec<String>)> = d
        .chains
        .iter()
        .map(|c| (c.name.as_str(), c.leaders.clone()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("智能网联汽车产业链", s(&["吴国平"])),
            ("电子信息产业链", s(&["郑晓东"])),
            ("生物医药产业链", s(&["何丽萍"])),
        ]
    );
    check(&d, &expected("chongqing_2023_chain_table.txt"));
}
