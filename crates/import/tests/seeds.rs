//! The three seed documents, with expectations written by reading them.

use chrono::NaiveDate;
use xiaohao_import::{
    ChainDraft, ParseOptions, PlanDraft, TargetDraft, TaskDraft, parse_plan, parse_plan_with,
};

const FUJIAN: &str = include_str!("../../../tests/data/seeds/fujian_2022_coordination.txt");
const HUNAN: &str = include_str!("../../../tests/data/seeds/hunan_2021_chain_leaders.txt");
const SANMING: &str = include_str!("../../../tests/data/seeds/sanming_2020_measures.txt");

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(|i| (*i).to_owned()).collect()
}

fn task<'a>(draft: &'a PlanDraft, number: &str) -> &'a TaskDraft {
    draft
        .tasks
        .iter()
        .find(|t| t.number == number)
        .unwrap_or_else(|| panic!("task {number} missing"))
}

fn target(
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

fn chain(
    name: &str,
    leaders: &[&str],
    lead_units: &[&str],
    units: &[&str],
    children: Vec<ChainDraft>,
) -> ChainDraft {
    ChainDraft {
        name: name.to_owned(),
        leaders: s(leaders),
        lead_units: s(lead_units),
        units: s(units),
        children,
    }
}

fn assert_units(t: &TaskDraft, lead: &str, co: &[&str]) {
    assert_eq!(t.lead.as_deref(), Some(lead), "lead of {}", t.number);
    assert_eq!(t.co, s(co), "co-units of {}", t.number);
}

// ---------------------------------------------------------------- Fujian

#[test]
fn fujian_header() {
    let d = parse_plan(FUJIAN);
    assert_eq!(
        d.title.as_deref(),
        Some("关于建立专项协调机制推动产业高质量发展的工作方案")
    );
    assert_eq!(d.doc_number.as_deref(), Some("闽发改工业〔2022〕193号"));
    assert_eq!(d.issuer.as_deref(), Some("福建省发展和改革委员会"));
    assert_eq!(d.date, NaiveDate::from_ymd_opt(2022, 3, 24));
}

#[test]
fn fujian_chain_tree() {
    let d = parse_plan(FUJIAN);
    let expected = vec![
        chain(
            "石化-化纤-纺织-鞋服产业",
            &["郭宁宁", "康涛"],
            &["省发改委", "省工信厅"],
            &[
                "省科技厅",
                "省自然资源厅",
                "省生态环境厅",
                "省应急厅",
                "省国资委",
                "省能化集团",
                "相关地市政府",
            ],
            vec![
                chain(
                    "古雷石化基地",
                    &["郭宁宁"],
                    &["省发改委"],
                    &[
                        "省工信厅",
                        "省科技厅",
                        "省自然资源厅",
                        "省生态环境厅",
                        "省应急厅",
                        "省国资委",
                        "省能化集团",
                        "漳州市政府",
                        "古雷开发区管委会",
                    ],
                    vec![],
                ),
                chain(
                    "湄洲湾石化基地",
                    &["康涛"],
                    &["省工信厅"],
                    &[
                        "省发改委",
                        "省科技厅",
                        "省自然资源厅",
                        "省生态环境厅",
                        "省应急厅",
                        "泉州市政府",
                        "莆田市政府",
                    ],
                    vec![],
                ),
            ],
        ),
        chain(
            "集成电路产业",
            &["康涛"],
            &["省工信厅"],
            &[
                "省发改委",
                "省财政厅",
                "省科技厅",
                "省国资委",
                "省委台港澳办",
                "省电子信息集团",
                "福州市政府",
                "厦门市政府",
                "泉州市政府",
                "莆田市政府",
            ],
            vec![],
        ),
        chain(
            "新能源汽车产业",
            &["康涛"],
            &["省工信厅"],
            &[
                "省发改委",
                "省财政厅",
                "省科技厅",
                "省交通运输厅",
                "省国资委",
                "省机关管理局",
                "省汽车集团",
                "相关地市政府",
            ],
            vec![],
        ),
        chain(
            "锂电新能源新材料产业",
            &["郭宁宁"],
            &["省发改委"],
            &[
                "省工信厅",
                "省财政厅",
                "省科技厅",
                "省自然资源厅",
                "国网福建省电力公司",
                "相关地市政府",
            ],
            vec![],
        ),
        chain(
            "生物医药产业",
            &["康涛"],
            &["省工信厅"],
            &[
                "省发改委",
                "省科技厅",
                "省财政厅",
                "省卫健委",
                "省医保局",
                "省药监局",
                "相关地市政府",
            ],
            vec![],
        ),
    ];
    // The page is printed twice; the chains appear once.
    assert_eq!(d.chains, expected);
}

#[test]
fn fujian_tasks() {
    let d = parse_plan(FUJIAN);
    // 二、重点任务 has six tasks; 三、工作要求 names no units and is not a task list.
    let numbers: Vec<&str> = d.tasks.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers, ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)"]);
    let titles: Vec<&str> = d.tasks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "强化产业分析研判",
            "鼓励产业研发创新",
            "加强企业梯次培育",
            "加大招商引资力度",
            "强化产业协同联动",
            "夯实园区载体建设"
        ]
    );
    for t in &d.tasks {
        assert_eq!(t.section.as_deref(), Some("二、重点任务"));
        // The plan assigns units per chain, not per task.
        assert_eq!(t.lead, None);
        assert!(t.co.is_empty());
        // `世界500强`, `1张图谱` are not quantified targets.
        assert!(t.targets.is_empty(), "{}: {:?}", t.number, t.targets);
    }
    let t4 = task(&d, "(四)");
    assert!(t4.text.starts_with("加大招商引资力度。紧盯世界500强"));
    assert!(t4.text.ends_with("统筹抓好重大产业协作链群建设。"));
}

#[test]
fn fujian_requirement_section_on_request() {
    let options = ParseOptions {
        include_requirement_sections: true,
    };
    let d = parse_plan_with(FUJIAN, &options);
    assert_eq!(d.tasks.len(), 10);
    let mechanism = d
        .tasks
        .iter()
        .find(|t| t.title == "完善工作机制")
        .expect("三(二)");
    assert_eq!(mechanism.section.as_deref(), Some("三、工作要求"));
    // 每月跟踪汇总 → a monthly duty.
    assert_eq!(mechanism.deadline.as_deref(), Some("monthly"));
}

// ----------------------------------------------------------------- Hunan

#[test]
fn hunan_header() {
    let d = parse_plan(HUNAN);
    assert_eq!(
        d.title.as_deref(),
        Some("关于省领导联系产业集群(产业链)推动打造国家重要先进制造业高地的工作方案")
    );
    // The only number in the text belongs to the abolished 2020 document.
    assert_eq!(d.doc_number, None);
    assert_eq!(
        d.issuer.as_deref(),
        Some("中共湖南省委办公厅、湖南省人民政府办公厅")
    );
    assert_eq!(d.date, NaiveDate::from_ymd_opt(2021, 8, 17));
}

#[test]
fn hunan_tasks_with_trailing_units() {
    let d = parse_plan(HUNAN);
    let numbers: Vec<&str> = d.tasks.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers, ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)"]);

    let t1 = task(&d, "(一)");
    assert_eq!(t1.title, "实施产业链优质企业培育行动");
    assert_eq!(t1.section.as_deref(), Some("二、重点任务"));
    assert_units(t1, "省工业和信息化厅", &["省发展改革委", "省国资委"]);
    assert!(
        t1.text.ends_with("营造大中小企业融通发展生态。"),
        "{}",
        t1.text
    );
    assert!(!t1.text.contains("牵头单位"));
    assert!(t1.targets.is_empty());

    let t2 = task(&d, "(二)");
    assert_eq!(t2.title, "实施产业链协同创新提升行动");
    assert_units(
        t2,
        "省科技厅",
        &["省教育厅", "省工业和信息化厅", "省发展改革委"],
    );

    assert_units(
        task(&d, "(三)"),
        "省工业和信息化厅",
        &["省科技厅", "省市场监管局"],
    );
    assert_units(
        task(&d, "(四)"),
        "省工业和信息化厅",
        &["省发展改革委", "省科技厅", "省商务厅"],
    );
    assert_units(
        task(&d, "(五)"),
        "省商务厅",
        &["省发展改革委", "省工业和信息化厅", "省贸促会"],
    );
    let t6 = task(&d, "(六)");
    assert_eq!(t6.title, "实施要素保障行动");
    assert_units(
        t6,
        "省发展改革委",
        &[
            "省委组织部",
            "省自然资源厅",
            "省教育厅",
            "省人力资源社会保障厅",
            "省地方金融监管局",
            "省税务局",
            "省工业和信息化厅",
            "人民银行长沙中心支行",
        ],
    );
}

#[test]
fn hunan_chain_leaders_table() {
    let d = parse_plan(HUNAN);
    // 附件2: one chain per 集群(产业链) row with its 联系省领导 (链长); merged
    // leader cells repeat the row above.
    let expected = [
        ("工程机械", "许达哲"),
        ("先进轨道交通装备(含磁浮)", "毛伟明"),
        ("中小航空发动机及航空航天装备", "陈飞"),
        ("新型显示器件", "谢建辉"),
        ("信息技术应用创新工程", "谢建辉"),
        ("先进陶瓷材料", "黄兰香"),
        ("先进有色金属材料", "王成"),
        ("先进化工材料", "何报翔"),
        ("先进钢铁材料", "陈飞"),
        ("碳基材料", "陈飞"),
        ("新型能源及电力装备", "乌兰"),
        ("先进储能材料及动力电池", "曾万明"),
        ("新能源及智能网联汽车", "许显辉"),
        ("环境治理技术及应用", "陈文浩"),
        ("生态绿色食品", "隋忠诚"),
        ("农业机械", "隋忠诚"),
        ("建材与装配式建筑", "陈文浩"),
        ("5G应用", "张剑飞"),
        ("3D打印及机器人", "张剑飞"),
        ("软件", "李殿勋"),
        ("人工智能及传感器", "吴桂英"),
        ("生物医药", "谢卫江"),
    ];
    let got: Vec<(&str, Vec<String>)> = d
        .chains
        .iter()
        .map(|c| (c.name.as_str(), c.leaders.clone()))
        .collect();
    let want: Vec<(&str, Vec<String>)> = expected
        .iter()
        .map(|(name, leader)| (*name, vec![(*leader).to_owned()]))
        .collect();
    assert_eq!(got, want);
    assert!(
        d.chains
            .iter()
            .all(|c| c.lead_units.is_empty() && c.units.is_empty() && c.children.is_empty())
    );
}

#[test]
fn hunan_mechanisms_on_request() {
    let options = ParseOptions {
        include_requirement_sections: true,
    };
    let d = parse_plan_with(HUNAN, &options);
    assert_eq!(d.tasks.len(), 11);
    let coordination = d
        .tasks
        .iter()
        .find(|t| t.title == "综合协调机制")
        .expect("三(四)");
    assert_eq!(coordination.number, "(四)");
    assert_eq!(coordination.section.as_deref(), Some("三、工作机制"));
    // 领导小组办公室每季度收集… → a quarterly duty.
    assert_eq!(coordination.deadline.as_deref(), Some("quarterly"));
    // The closing sentence after 三(五) is not part of it.
    let last = d.tasks.last().expect("tasks");
    assert_eq!(last.title, "检查评估机制");
    assert!(!last.text.contains("本工作方案"));
}

// --------------------------------------------------------------- Sanming

#[test]
fn sanming_header() {
    let d = parse_plan(SANMING);
    assert_eq!(
        d.title.as_deref(),
        Some("关于推动工业产业高质量发展若干措施")
    );
    assert_eq!(d.doc_number, None);
    assert_eq!(
        d.issuer.as_deref(),
        Some("中共三明市委办公室、三明市人民政府办公室")
    );
    // The signing date is printed `20201223日`; the page stamp 2020-12-29 is not it.
    assert_eq!(d.date, NaiveDate::from_ymd_opt(2020, 12, 23));
    assert!(d.chains.is_empty());
}

#[test]
fn sanming_task_list() {
    let d = parse_plan(SANMING);
    let numbers: Vec<&str> = d.tasks.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(
        numbers,
        [
            "(一)",
            "(二)",
            "(三)",
            "(四)1.",
            "(四)2.",
            "(五)1.",
            "(五)2.",
            "(五)3.",
            "(六)",
            "(七)",
            "(八)",
            "(九)",
            "(十)",
            "(十一)",
            "(十二)",
            "(十三)",
            "(十四)",
            "(十五)",
            "(十六)",
            "(十七)",
            "(十八)",
            "(十九)",
            "(二十)",
            "(二十一)",
            "(二十二)",
            "(二十三)",
        ]
    );
    // Every measure names its responsible units; the first listed leads.
    assert!(d.tasks.iter().all(|t| t.lead.is_some()));
    assert_eq!(
        task(&d, "(一)").section.as_deref(),
        Some("一、加大龙头企业培育")
    );
    assert_eq!(
        task(&d, "(五)2.").section.as_deref(),
        Some("二、拓展延伸产业链")
    );
    assert_eq!(
        task(&d, "(二十三)").section.as_deref(),
        Some("六、优化产业发展环境")
    );
    // The closing sentence about 奖补资金 is not part of the last measure.
    assert!(!task(&d, "(二十三)").text.contains("奖补资金"));
}

#[test]
fn sanming_units() {
    let d = parse_plan(SANMING);
    let t1 = task(&d, "(一)");
    assert_eq!(t1.title, "实施龙头企业培育计划");
    assert_units(t1, "市工信局", &["各县(市、区)党委和人民政府"]);

    let t3 = task(&d, "(三)");
    assert_eq!(t3.title, "拓展提升“一企一策”");
    assert_units(
        t3,
        "市工信局",
        &[
            "市科技局",
            "市财政局",
            "市金融监管局",
            "各县(市、区)党委和人民政府",
        ],
    );

    let steel = task(&d, "(四)1.");
    assert_eq!(steel.title, "钢铁产业");
    assert_units(
        steel,
        "市工信局",
        &[
            "市发改委",
            "市科技局",
            "市生态环境局",
            "各有关县(市、区)党委和人民政府",
            "三钢集团",
        ],
    );

    let rare_earth = task(&d, "(五)3.");
    assert_eq!(rare_earth.title, "稀土新能源产业");
    assert_units(
        rare_earth,
        "市工信局",
        &[
            "市发改委",
            "国网三明供电公司",
            "三明经济开发区管委会",
            "各有关县(市、区)党委和人民政府",
            "厦钨股份公司",
        ],
    );

    let talent = task(&d, "(十一)");
    assert_eq!(talent.title, "降低人才政策门槛");
    assert_units(
        talent,
        "市委人才办",
        &[
            "市工信局",
            "市人社局",
            "市教育局",
            "各县(市、区)党委和人民政府",
        ],
    );

    let finance = task(&d, "(十六)");
    assert_eq!(finance.title, "提升金融服务实体水平");
    assert_units(
        finance,
        "市金融监管局",
        &[
            "市财政局",
            "市工信局",
            "市科技局",
            "市国资委",
            "市市场监管局",
            "市投资集团",
            "市中级人民法院",
            "人行三明中心支行",
            "各县(市、区)党委和人民政府",
        ],
    );

    let market = task(&d, "(二十)");
    assert_units(
        market,
        "市工信局",
        &[
            "市商务局",
            "市发改委",
            "市住建局",
            "市林业局",
            "市国资委",
            "市城市管理局",
            "市行政服务中心管委会",
            "市投资集团",
            "市城发集团",
            "市交发集团",
            "各县(市、区)党委和人民政府",
        ],
    );
    assert_units(
        task(&d, "(二十三)"),
        "市纪委监委",
        &["市委统战部", "各县(市、区)党委和人民政府"],
    );
}

#[test]
fn sanming_targets() {
    let d = parse_plan(SANMING);
    assert_eq!(
        task(&d, "(一)").targets,
        vec![target(
            "新增省级龙头企业",
            3.0,
            "家",
            Some(2021),
            Some(">=")
        )]
    );
    // `(2021-2023年)` is the plan period and `每年` makes the first two
    // yearly goals; 95% is for 2023.
    assert_eq!(
        task(&d, "(二)").targets,
        vec![
            target("市级重点技改项目", 300.0, "个", None, Some(">=")),
            target("技改投资", 200.0, "亿元", None, Some(">=")),
            target(
                "全市规上企业新一轮技改面",
                95.0,
                "%",
                Some(2023),
                Some(">=")
            ),
        ]
    );
    assert_eq!(
        task(&d, "(四)1.").targets,
        vec![
            target("投资", 18.0, "亿元", Some(2021), Some(">=")),
            target("产值", 320.0, "亿元", Some(2021), None),
        ]
    );
    assert_eq!(
        task(&d, "(四)2.").targets,
        vec![target("产值", 1150.0, "亿元", Some(2021), None)]
    );
    assert_eq!(
        task(&d, "(六)").targets,
        vec![target(
            "新对接民企产业项目计划投资额",
            350.0,
            "亿元",
            Some(2021),
            Some(">")
        )]
    );
    assert_eq!(
        task(&d, "(十六)").targets,
        vec![
            target("政府性融资担保额度", 2.5, "倍", None, Some(">=")),
            target("省重点上市后备企业", 20.0, "家", None, Some(">=")),
        ]
    );
    assert_eq!(
        task(&d, "(十九)").targets,
        vec![
            target("全市企业停减产面", 5.0, "个百分点", Some(2021), Some(">=")),
            target("省级新增长点项目", 100.0, "个", Some(2021), Some(">=")),
            target("新增入规企业", 150.0, "家", Some(2021), None),
        ]
    );
    // Subsidy amounts are rules, not targets.
    assert!(task(&d, "(十二)").targets.is_empty());
}

#[test]
fn seeds_survive_flattening_and_repetition() {
    for seed in [FUJIAN, HUNAN, SANMING] {
        let base = parse_plan(seed);
        let one_line: String = seed.split('\n').map(str::trim).collect();
        let flat = parse_plan(&one_line);
        assert_eq!(flat.tasks, base.tasks, "one-line tasks");
        assert_eq!(flat.chains, base.chains, "one-line chains");
        assert_eq!(
            (flat.title, flat.doc_number, flat.date, flat.issuer),
            (
                base.title.clone(),
                base.doc_number.clone(),
                base.date,
                base.issuer.clone()
            )
        );
        let twice = parse_plan(&format!("{seed}\n{seed}"));
        assert_eq!(twice, base, "page printed twice");
    }
}
