//! Hand-written plans in numbered outline form: labelled sub-lines, role
//! words, leads named in headings, county-level unit lists, chains.

mod common;

use common::expect::expected;
use common::{check, fixture, s};
use xiaohao_import::parse_plan;

/// Name, leaders, lead units, units.
type ChainRow<'a> = (&'a str, Vec<String>, Vec<String>, Vec<String>);

#[test]
fn numbered_targets_with_labelled_sub_lines() {
    let d = parse_plan(&fixture("guangdong_2023_targets.txt"));
    assert!(d.chains.is_empty(), "{:#?}", d.chains);
    check(&d, &expected("guangdong_2023_targets.txt"));
}

#[test]
fn lead_named_in_item_and_section_headings() {
    let d = parse_plan(&fixture("zhejiang_2022_lead_headings.txt"));
    check(&d, &expected("zhejiang_2022_lead_headings.txt"));
}

#[test]
fn role_words_host_and_assisting_units() {
    let d = parse_plan(&fixture("sichuan_2021_zhuban.txt"));
    check(&d, &expected("sichuan_2021_zhuban.txt"));
    assert_eq!(
        d.tasks[0].text,
        "培育世界级产业集群。围绕电子信息、装备制造等优势产业,实施集群培育工程。"
    );
}

#[test]
fn county_unit_lists() {
    let d = parse_plan(&fixture("hunan_2022_county_units.txt"));
    check(&d, &expected("hunan_2022_county_units.txt"));
}

#[test]
fn lead_and_cooperating_department_labels() {
    let d = parse_plan(&fixture("shandong_2022_lead_departments.txt"));
    check(&d, &expected("shandong_2022_lead_departments.txt"));
}

#[test]
fn declared_first_listed_leads_and_stated_roles() {
    let d = parse_plan(&fixture("anhui_2021_declared.txt"));
    check(&d, &expected("anhui_2021_declared.txt"));
}

#[test]
fn tasks_under_chain_headings_belong_to_their_chain() {
    let d = parse_plan(&fixture("fujian_2022_chains.txt"));
    let chains: Vec<ChainRow> = d
        .chains
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.leaders.clone(),
                c.lead_units.clone(),
                c.units.clone(),
            )
        })
        .collect();
    assert_eq!(
        chains,
        vec![
            (
                "新能源汽车产业链",
                s(&["林志强"]),
                s(&["市工信局"]),
                s(&["市发改委", "市商务局"])
            ),
            ("集成电路产业链", s(&["黄振华"]), s(&["市科技局"]), vec![]),
            ("生物医药产业", s(&["周海燕"]), s(&["市卫健委"]), vec![]),
        ]
    );
    check(&d, &expected("fujian_2022_chains.txt"));
}

#[test]
fn target_years_and_relative_deadlines() {
    let d = parse_plan(&fixture("henan_2024_years.txt"));
    check(&d, &expected("henan_2024_years.txt"));
}
