//! Hand-written plans whose tasks sit in tables: one cell per line,
//! `|`-separated and tab-separated, columns in any order.

mod common;

use chrono::NaiveDate;
use common::{check, fixture, g, s, w};
use xiaohao_import::parse_plan;

#[test]
fn cells_one_per_line_with_categories_and_multi_unit_cells() {
    let d = parse_plan(&fixture("hebei_2023_cells.txt"));
    assert_eq!(
        d.title.as_deref(),
        Some("2023年政府工作报告重点任务分工方案")
    );
    assert_eq!(d.date, NaiveDate::from_ymd_opt(2023, 2, 10));
    let a = Some("一、扩大有效需求");
    let b = Some("二、推进科技创新");
    check(
        &d,
        &[
            w(
                "1",
                a,
                "全年固定资产投资增长6%左右",
                Some("省发展改革委"),
                &["省统计局"],
            )
            .leaders(&["王建国"])
            .deadline("2023-12-31")
            .targets(vec![g("固定资产投资增长", 6.0, "%", Some(2023), Some("~"))]),
            w(
                "2",
                a,
                "社会消费品零售总额增长7%以上,新增限额以上商贸企业1000家",
                Some("省商务厅"),
                &["省统计局", "省市场监管局"],
            )
            .leaders(&["陈立新"])
            .deadline("quarterly")
            .targets(vec![
                g("社会消费品零售总额增长", 7.0, "%", Some(2023), Some(">=")),
                g("新增限额以上商贸企业", 1000.0, "家", Some(2023), None),
            ]),
            // Numbering restarts under the second category row.
            w(
                "1",
                b,
                "研发投入强度达到2.2%",
                Some("省科技厅"),
                &["省财政厅"],
            )
            .leaders(&["赵明远"])
            .deadline("2023-12-31")
            .targets(vec![g("研发投入强度", 2.2, "%", Some(2023), None)]),
            w(
                "2",
                b,
                "新培育国家级专精特新“小巨人”企业100家以上",
                Some("省工业和信息化厅"),
                &["省科技厅"],
            )
            .leaders(&["赵明远"])
            .deadline("2023-11-30")
            .targets(vec![g(
                "国家级专精特新“小巨人”企业",
                100.0,
                "家",
                Some(2023),
                Some(">="),
            )]),
            // The lead named again in the 责任单位 column is not a co-unit.
            w("3", b, "高新技术企业数量突破1.2万家", Some("省科技厅"), &[])
                .leaders(&["赵明远"])
                .deadline("long_term")
                .targets(vec![g(
                    "高新技术企业数量",
                    1.2,
                    "万家",
                    Some(2023),
                    Some(">="),
                )]),
        ],
    );
}

#[test]
fn pipe_tables_with_merged_category_continuation_and_restart() {
    let d = parse_plan(&fixture("shaanxi_2022_pipes.txt"));
    assert_eq!(
        d.title.as_deref(),
        Some("某省2022年稳增长重点工作责任分解方案")
    );
    let inv = Some("扩大投资");
    let con = Some("促进消费");
    let second = Some("民生保障事项表");
    check(
        &d,
        &[
            w(
                "1",
                inv,
                "全年完成重点项目投资5000亿元以上",
                Some("省发展改革委"),
                &["省财政厅", "省自然资源厅"],
            )
            .leaders(&["刘文斌"])
            .deadline("2022-12-31")
            .targets(vec![g(
                "重点项目投资",
                5000.0,
                "亿元",
                Some(2022),
                Some(">="),
            )]),
            // The row without a number continues this one.
            w(
                "2",
                inv,
                "新开工高速公路项目10个,建成高速公路300公里",
                Some("省交通运输厅"),
                &["省发展改革委", "省财政厅"],
            )
            .leaders(&["刘文斌"])
            .deadline("2022-10-31")
            .targets(vec![
                g("高速公路项目", 10.0, "个", Some(2022), None),
                g("高速公路", 300.0, "公里", Some(2022), None),
            ]),
            // 分类 absent (merged cell printed once): the row keeps its group.
            w(
                "3",
                inv,
                "实施城市更新项目200个",
                Some("省住房城乡建设厅"),
                &["各市(区)人民政府"],
            )
            .leaders(&["刘文斌"])
            .deadline("2022-11-30")
            .targets(vec![g("城市更新项目", 200.0, "个", Some(2022), None)]),
            w(
                "4",
                con,
                "培育省级夜间消费集聚区20个左右",
                Some("省商务厅"),
                &["省文化和旅游厅", "各市(区)人民政府"],
            )
            .leaders(&["孙红梅"])
            .deadline("2022-09-30")
            .targets(vec![g(
                "省级夜间消费集聚区",
                20.0,
                "个",
                Some(2022),
                Some("~"),
            )]),
            w(
                "5",
                con,
                "发放消费券不超过5亿元",
                Some("省商务厅"),
                &["省财政厅"],
            )
            .leaders(&["孙红梅"])
            .deadline("2022-06-30")
            .targets(vec![g("消费券", 5.0, "亿元", Some(2022), Some("<="))]),
            // Second table: numbering restarts, 责任单位 before 牵头单位.
            w(
                "1",
                second,
                "城镇新增就业不低于40万人",
                Some("省人力资源社会保障厅"),
                &["省财政厅"],
            )
            .deadline("monthly")
            .targets(vec![g(
                "城镇新增就业",
                40.0,
                "万人",
                Some(2022),
                Some(">="),
            )]),
            w(
                "2",
                second,
                "城镇调查失业率控制在5.5%以内",
                Some("省人力资源社会保障厅"),
                &["省统计局"],
            )
            .deadline("2022-12-31")
            .targets(vec![g("城镇调查失业率", 5.5, "%", Some(2022), Some("<="))]),
            w(
                "3",
                second,
                "新建改扩建公办幼儿园150所",
                Some("省教育厅"),
                &["各市(区)人民政府"],
            )
            .deadline("2022-08-31")
            .targets(vec![g("改扩建公办幼儿园", 150.0, "所", Some(2022), None)]),
        ],
    );
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
    check(
        &d,
        &[
            w(
                "1",
                None,
                "推行企业开办“一网通办”",
                Some("省政务服务管理局"),
                &["省市场监管局", "省税务局"],
            )
            .deadline("2024-06-30")
            .targets(vec![g(
                "企业开办时间",
                1.0,
                "个工作日",
                Some(2024),
                Some("<="),
            )]),
            w(
                "2",
                None,
                "开展涉企收费专项治理",
                Some("省市场监管局"),
                &["省发展改革委", "省财政厅"],
            )
            .deadline("2024-09-30")
            .targets(vec![g("为企业减负", 20.0, "亿元", Some(2024), Some(">="))]),
            w(
                "3",
                None,
                "优化工程建设项目审批",
                Some("省住房城乡建设厅"),
                &["省自然资源厅"],
            )
            .deadline("2024-12-31")
            .targets(vec![g(
                "审批时间",
                80.0,
                "个工作日",
                Some(2024),
                Some("<="),
            )]),
            w(
                "4",
                None,
                "推进政务服务事项“一次办”",
                Some("省政务服务管理局"),
                &["各市(州)人民政府"],
            )
            .deadline("long_term")
            .targets(vec![g("可网办事项比例", 95.0, "%", Some(2024), Some(">="))]),
            w(
                "5",
                None,
                "建设全省信用信息平台二期",
                Some("省发展改革委"),
                &["省大数据局"],
            )
            .deadline("2024-12-31"),
        ],
    );
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
    let car = "智能网联汽车产业链";
    let ele = "电子信息产业链";
    check(
        &d,
        &[
            w(
                "1",
                None,
                "汽车产量达到200万辆",
                Some("市经济信息委"),
                &["市发展改革委"],
            )
            .leaders(&["吴国平"])
            .deadline("2023-12-31")
            .targets(vec![g("汽车产量", 200.0, "万辆", Some(2023), None)])
            .chain(car),
            w(
                "2",
                None,
                "新建换电站100座以上",
                Some("市发展改革委"),
                &["市城市管理局"],
            )
            .leaders(&["吴国平"])
            .deadline("2023-10-31")
            .targets(vec![g("换电站", 100.0, "座", Some(2023), Some(">="))])
            .chain(car),
            w(
                "3",
                None,
                "笔记本电脑产量稳定在8000万台左右",
                Some("市经济信息委"),
                &["市商务委"],
            )
            .leaders(&["郑晓东"])
            .deadline("quarterly")
            .targets(vec![g(
                "笔记本电脑产量",
                8000.0,
                "万台",
                Some(2023),
                Some("~"),
            )])
            .chain(ele),
            w(
                "4",
                None,
                "引进芯片设计企业20家",
                Some("市招商投资促进局"),
                &["市经济信息委", "市科技局"],
            )
            .leaders(&["郑晓东"])
            .deadline("2023-12-31")
            .targets(vec![g("芯片设计企业", 20.0, "家", Some(2023), None)])
            .chain(ele),
            w(
                "5",
                None,
                "生物医药产业规模增长10%以上",
                Some("市经济信息委"),
                &["市药监局", "市卫生健康委"],
            )
            .leaders(&["何丽萍"])
            .deadline("2023-12-31")
            .targets(vec![g(
                "生物医药产业规模增长",
                10.0,
                "%",
                Some(2023),
                Some(">="),
            )])
            .chain("生物医药产业链"),
        ],
    );
}
