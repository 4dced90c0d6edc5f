//! Hand-written plans in numbered outline form: labelled sub-lines, role
//! words, leads named in headings, county-level unit lists, chains.

mod common;

use common::{check, fixture, g, s, w};
use xiaohao_import::parse_plan;

#[test]
fn numbered_targets_with_labelled_sub_lines() {
    let d = parse_plan(&fixture("guangdong_2023_targets.txt"));
    assert!(d.chains.is_empty(), "{:#?}", d.chains);
    let a = Some("一、2023年经济社会发展主要预期目标");
    let b = Some("二、重点工作任务");
    check(
        &d,
        &[
            w(
                "1.",
                a,
                "地区生产总值增长5%以上",
                Some("省发展改革委"),
                &["省统计局", "省工业和信息化厅"],
            )
            .leaders(&["王建国"])
            .targets(vec![g(
                "地区生产总值增长",
                5.0,
                "%",
                Some(2023),
                Some(">="),
            )]),
            w(
                "2.",
                a,
                "城镇新增就业110万人以上,城镇调查失业率控制在5.5%以内",
                Some("省人力资源社会保障厅"),
                &["省教育厅", "省财政厅"],
            )
            .leaders(&["陈立新"])
            .targets(vec![
                g("城镇新增就业", 110.0, "万人", Some(2023), Some(">=")),
                g("城镇调查失业率", 5.5, "%", Some(2023), Some("<=")),
            ]),
            w(
                "3.",
                a,
                "居民消费价格涨幅3%左右",
                Some("省发展改革委"),
                &["省市场监管局"],
            )
            .leaders(&["王建国"])
            .targets(vec![g("居民消费价格涨幅", 3.0, "%", Some(2023), Some("~"))]),
            w(
                "4.",
                a,
                "全年粮食产量不低于1270万吨",
                Some("省农业农村厅"),
                &[],
            )
            .leaders(&["赵明远"])
            .targets(vec![g("粮食产量", 1270.0, "万吨", Some(2023), Some(">="))]),
            // The year beside the target wins over the plan's.
            w(
                "5.",
                a,
                "到2025年,全省高速公路通车里程超过12000公里",
                Some("省交通运输厅"),
                &["省发展改革委", "省自然资源厅"],
            )
            .leaders(&["刘文斌"])
            .targets(vec![g(
                "全省高速公路通车里程",
                12000.0,
                "公里",
                Some(2025),
                Some(">"),
            )]),
            w(
                "6.",
                a,
                "研发经费投入强度不低于3.1%,新增高新技术企业1500家",
                Some("省科技厅"),
                &[],
            )
            .leaders(&["赵明远"])
            .targets(vec![
                g("研发经费投入强度", 3.1, "%", Some(2023), Some(">=")),
                g("新增高新技术企业", 1500.0, "家", Some(2023), None),
            ]),
            w(
                "(一)",
                b,
                "实施制造业当家战略",
                Some("省工业和信息化厅"),
                &["省发展改革委", "省财政厅"],
            )
            .leaders(&["赵明远"])
            .deadline("2023-12-31")
            .targets(vec![
                g("新增技改投资项目", 2000.0, "项", Some(2023), None),
                g("工业投资增长", 10.0, "%", Some(2023), None),
            ]),
            w(
                "(二)",
                b,
                "扩大城乡居民消费",
                Some("省商务厅"),
                &["省文化和旅游厅"],
            )
            .leaders(&["陈立新"])
            .deadline("quarterly")
            .targets(vec![g(
                "社会消费品零售总额",
                5.0,
                "万亿元",
                Some(2023),
                Some("~"),
            )]),
        ],
    );
}

#[test]
fn lead_named_in_item_and_section_headings() {
    let d = parse_plan(&fixture("zhejiang_2022_lead_headings.txt"));
    let a = Some("一、稳住经济大盘");
    let b = Some("二、市教育局牵头的工作");
    check(
        &d,
        &[
            w(
                "(一)1.",
                a,
                "推进重大项目建设,全年完成重大项目投资800亿元以上",
                Some("市发展改革委"),
                &["市住建局", "市自然资源规划局"],
            )
            .targets(vec![g(
                "重大项目投资",
                800.0,
                "亿元",
                Some(2022),
                Some(">="),
            )]),
            w(
                "(一)2.",
                a,
                "争取地方政府专项债券60亿元",
                Some("市发展改革委"),
                &[],
            )
            .deadline("2022-06-30")
            .targets(vec![g("地方政府专项债券", 60.0, "亿元", Some(2022), None)]),
            w(
                "(二)1.",
                a,
                "新增规上工业企业120家",
                Some("市经信局"),
                &["市统计局", "市市场监管局"],
            )
            .targets(vec![g("新增规上工业企业", 120.0, "家", Some(2022), None)]),
            w(
                "(二)2.",
                a,
                "实施数字化改造项目200项",
                Some("市经信局"),
                &[],
            )
            .targets(vec![g("数字化改造项目", 200.0, "项", Some(2022), None)]),
            w(
                "1.",
                b,
                "新建改扩建中小学校15所",
                Some("市教育局"),
                &["市发展改革委", "市财政局"],
            )
            .targets(vec![g("改扩建中小学校", 15.0, "所", Some(2022), None)]),
            w("2.", b, "推进“双减”工作常态化", Some("市教育局"), &[]).deadline("long_term"),
        ],
    );
}

#[test]
fn role_words_host_and_assisting_units() {
    let d = parse_plan(&fixture("sichuan_2021_zhuban.txt"));
    let a = Some("一、壮大优势产业");
    let b = Some("二、强化要素保障");
    let c = Some("三、优化发展环境");
    check(
        &d,
        &[
            w(
                "(一)",
                a,
                "培育世界级产业集群",
                Some("省发展改革委"),
                &["省经济和信息化厅", "省科技厅"],
            ),
            // A plan for several years: a recurring goal has no year.
            w("(二)", a, "推动企业技术改造", Some("省经济和信息化厅"), &[])
                .deadline("yearly")
                .targets(vec![g("重点技术改造项目", 500.0, "个", None, Some(">="))]),
            w(
                "(三)",
                a,
                "加快园区提档升级",
                Some("省商务厅"),
                &["省经济和信息化厅"],
            ),
            w(
                "(四)",
                b,
                "保障工业用地需求",
                Some("省自然资源厅"),
                &["各市(州)人民政府"],
            )
            .targets(vec![g("新增工业用地", 3.0, "万亩", None, Some(">="))]),
            w(
                "(五)",
                b,
                "加大金融支持力度",
                Some("人民银行成都分行"),
                &["某银保监局"],
            )
            .targets(vec![g(
                "制造业中长期贷款余额增长",
                15.0,
                "%",
                None,
                Some(">="),
            )]),
            w(
                "(六)",
                b,
                "落实税费优惠政策",
                Some("省税务局"),
                &["省财政厅"],
            ),
            w(
                "(七)",
                c,
                "深化“放管服”改革",
                Some("省政务服务和公共资源交易服务中心"),
                &[],
            ),
            w(
                "(八)",
                c,
                "强化人才支撑",
                Some("省委组织部"),
                &["省人力资源社会保障厅", "省教育厅"],
            )
            .deadline("yearly")
            .targets(vec![g("急需紧缺人才", 1.0, "万人", None, Some("~"))]),
        ],
    );
    assert_eq!(
        d.tasks[0].text,
        "培育世界级产业集群。围绕电子信息、装备制造等优势产业,实施集群培育工程。"
    );
}

#[test]
fn county_unit_lists() {
    let d = parse_plan(&fixture("hunan_2022_county_units.txt"));
    let a = Some("二、重点任务");
    check(
        &d,
        &[
            w(
                "(一)",
                a,
                "提升企业开办便利度",
                Some("区市场监管局"),
                &["区政务服务中心", "区税务局"],
            )
            .deadline("2022-06-30")
            .targets(vec![g(
                "企业开办时间",
                1.0,
                "个工作日",
                Some(2022),
                Some("<="),
            )]),
            // 区发改局、经商局 → 区经商局; `和` separates two units.
            w(
                "(二)",
                a,
                "优化项目审批服务",
                Some("区发改局"),
                &["区经商局", "区自然资源局", "区住建局"],
            )
            .deadline("2022-09-30"),
            w(
                "(三)",
                a,
                "降低企业用电用气成本",
                Some("区发改局"),
                &["国网某区供电公司", "各乡镇(街道)", "区城管局"],
            ),
            w(
                "(四)",
                a,
                "落实减税降费政策",
                Some("区税务局"),
                &["区财政局", "各县(市、区)人民政府"],
            ),
            w(
                "(五)",
                a,
                "开展“万人助万企”活动",
                Some("区工信局"),
                &["区人社局", "区教育局", "区科协"],
            )
            .deadline("monthly")
            .targets(vec![g("新走访企业", 500.0, "家", Some(2022), Some(">="))]),
            w(
                "(六)",
                a,
                "加强信用体系建设",
                Some("区发改局"),
                &["人民银行某区支行", "区法院"],
            )
            .deadline("long_term"),
        ],
    );
}

#[test]
fn lead_and_cooperating_department_labels() {
    let d = parse_plan(&fixture("shandong_2022_lead_departments.txt"));
    let a = Some("一、夯实数字基础设施");
    let b = Some("二、推动产业数字化");
    let c = Some("三、培育数字产业");
    check(
        &d,
        &[
            w(
                "1.",
                a,
                "加快5G网络建设",
                Some("省通信管理局"),
                &["省工业和信息化厅", "省发展改革委"],
            )
            .targets(vec![g("5G基站", 4.0, "万个", Some(2022), None)]),
            w(
                "2.",
                a,
                "建设算力基础设施",
                Some("省发展改革委"),
                &["省大数据局", "省能源局"],
            )
            .targets(vec![g(
                "全省数据中心标准机架",
                25.0,
                "万架",
                Some(2022),
                None,
            )]),
            w(
                "3.",
                b,
                "实施工业互联网创新发展工程",
                Some("省工业和信息化厅"),
                &["省科技厅", "省财政厅"],
            )
            .targets(vec![g(
                "省级工业互联网平台",
                30.0,
                "个",
                Some(2022),
                Some(">="),
            )]),
            w(
                "4.",
                b,
                "推动中小企业数字化转型",
                Some("省工业和信息化厅"),
                &["各市工业和信息化局"],
            )
            .targets(vec![g(
                "数字化诊断企业",
                3000.0,
                "家",
                Some(2022),
                Some(">="),
            )]),
            w(
                "5.",
                c,
                "壮大软件和信息服务业",
                Some("省工业和信息化厅"),
                &[],
            )
            .targets(vec![g(
                "软件业务收入增长",
                12.0,
                "%",
                Some(2022),
                Some(">="),
            )]),
            w(
                "6.",
                c,
                "发展集成电路产业",
                Some("省工业和信息化厅"),
                &["省商务厅", "省投资促进局"],
            )
            .targets(vec![g(
                "集成电路重点项目",
                20.0,
                "个",
                Some(2022),
                Some("~"),
            )]),
            w(
                "7.",
                c,
                "培育数据要素市场",
                Some("省大数据局"),
                &["省发展改革委", "省市场监管局"],
            )
            .deadline("2022-10-31"),
        ],
    );
}

#[test]
fn declared_first_listed_leads_and_stated_roles() {
    let d = parse_plan(&fixture("anhui_2021_declared.txt"));
    let a = Some("一、加大企业培育");
    let b = Some("二、扩大有效投资");
    let c = Some("三、优化发展环境");
    check(
        &d,
        &[
            w(
                "(一)",
                a,
                "实施企业梯次培育",
                Some("市经信局"),
                &["市统计局", "市市场监管局"],
            )
            .targets(vec![
                g("新增规上工业企业", 100.0, "家", Some(2021), Some(">=")),
                g("", 1500.0, "家", Some(2022), None),
            ]),
            w(
                "(二)",
                a,
                "支持企业上市挂牌",
                Some("市金融办"),
                &["市发改委", "市财政局"],
            ),
            w(
                "(三)",
                a,
                "培育专精特新企业",
                Some("市经信局"),
                &["市科技局"],
            )
            .targets(vec![g(
                "新增省级专精特新企业",
                50.0,
                "家",
                Some(2021),
                None,
            )]),
            w(
                "(四)",
                b,
                "推进重大项目建设",
                Some("市发改委"),
                &["市经信局", "市自然资源局"],
            )
            .deadline("2021-12-31")
            .targets(vec![g("工业投资增长", 12.0, "%", Some(2021), Some(">="))]),
            w(
                "(五)",
                b,
                "加快技术改造",
                Some("市经信局"),
                &["市发改委", "市财政局"],
            )
            .deadline("2021-12-31")
            .targets(vec![g("技改项目", 300.0, "个", Some(2021), Some("~"))]),
            w(
                "(六)",
                b,
                "强化用地保障",
                Some("市自然资源局"),
                &["市住建局"],
            )
            .targets(vec![g(
                "批而未供土地处置率",
                30.0,
                "%",
                Some(2021),
                Some(">="),
            )]),
            w(
                "(七)",
                c,
                "降低企业成本",
                Some("市发改委"),
                &["市税务局", "国网某市供电公司"],
            )
            .targets(vec![g("为企业减负", 10.0, "亿元", Some(2021), Some(">="))]),
            w("(八)", c, "加强运行监测", Some("市统计局"), &["市经信局"]).deadline("monthly"),
        ],
    );
}

#[test]
fn tasks_under_chain_headings_belong_to_their_chain() {
    let d = parse_plan(&fixture("fujian_2022_chains.txt"));
    let chains: Vec<(&str, Vec<String>, Vec<String>, Vec<String>)> = d
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
    let a = Some("二、重点产业链");
    let b = Some("三、生物医药产业");
    check(
        &d,
        &[
            w(
                "(一)1.",
                a,
                "引进整车配套项目10个以上",
                Some("市商务局"),
                &["市工信局"],
            )
            .deadline("2022-12-31")
            .targets(vec![g("整车配套项目", 10.0, "个", None, Some(">="))])
            .chain("新能源汽车产业链"),
            w(
                "(一)2.",
                a,
                "建成公共充电桩5000个",
                Some("市发改委"),
                &["国网某市供电公司"],
            )
            .targets(vec![g("公共充电桩", 5000.0, "个", None, None)])
            .chain("新能源汽车产业链"),
            w(
                "(二)1.",
                a,
                "建成集成电路公共技术服务平台1个",
                Some("市科技局"),
                &["市工信局", "市财政局"],
            )
            .deadline("2022-09-30")
            .targets(vec![g("集成电路公共技术服务平台", 1.0, "个", None, None)])
            .chain("集成电路产业链"),
            w(
                "(一)",
                b,
                "引进生物医药研发机构3家以上",
                Some("市科技局"),
                &["市卫健委"],
            )
            .targets(vec![g("生物医药研发机构", 3.0, "家", None, Some(">="))])
            .chain("生物医药产业"),
            w("(二)", b, "建设生物医药产业园二期", Some("市住建局"), &[])
                .deadline("2022-12-31")
                .chain("生物医药产业"),
        ],
    );
}

#[test]
fn target_years_and_relative_deadlines() {
    let d = parse_plan(&fixture("henan_2024_years.txt"));
    let a = Some("一、重点任务");
    check(
        &d,
        &[
            w(
                "1.",
                a,
                "新建城市书房10个",
                Some("县文广旅局"),
                &["县财政局"],
            )
            .deadline("2024-10-31")
            .targets(vec![g("城市书房", 10.0, "个", Some(2024), None)]),
            w(
                "2.",
                a,
                "改造老旧小区30个,惠及居民5000户以上",
                Some("县住建局"),
                &[],
            )
            .deadline("2024-11-30")
            .targets(vec![
                g("老旧小区", 30.0, "个", Some(2024), None),
                g("惠及居民", 5000.0, "户", Some(2024), Some(">=")),
            ]),
            w(
                "3.",
                a,
                "到2025年,全县农村自来水普及率达到98%以上",
                Some("县水利局"),
                &[],
            )
            .deadline("2025-12-31")
            .targets(vec![g(
                "全县农村自来水普及率",
                98.0,
                "%",
                Some(2025),
                Some(">="),
            )]),
            w(
                "4.",
                a,
                "新增城镇就业2000人,农村劳动力转移就业不少于1.5万人",
                Some("县人社局"),
                &[],
            )
            .deadline("quarterly")
            .targets(vec![
                g("新增城镇就业", 2000.0, "人", Some(2024), None),
                g("农村劳动力转移就业", 1.5, "万人", Some(2024), Some(">=")),
            ]),
            w(
                "5.",
                a,
                "改造提升农村公路50公里",
                Some("县交通运输局"),
                &["各乡镇人民政府"],
            )
            .deadline("2024-06-30")
            .targets(vec![g("农村公路", 50.0, "公里", Some(2024), None)]),
            w(
                "6.",
                a,
                "县域义务教育巩固率保持在99%",
                Some("县教育局"),
                &[],
            )
            .deadline("2024-09-01")
            .targets(vec![g(
                "县域义务教育巩固率",
                99.0,
                "%",
                Some(2024),
                Some("="),
            )]),
            w(
                "7.",
                a,
                "建成区域医疗次中心2个",
                Some("县卫健委"),
                &["县发改委"],
            )
            .deadline("2024-12-31")
            .targets(vec![g("区域医疗次中心", 2.0, "个", Some(2024), None)]),
        ],
    );
}
