//! Demo data built from a real plan: 闽发改工业〔2022〕193号, 福建省发展和改革委员会 福建省工业和
//! 信息化厅《关于建立专项协调机制推动产业高质量发展的工作方案》. Units, leaders and chains are
//! as printed; the six 重点任务 are filed for the 石化 chain and moved along a little so
//! that every page has something to show.

use crate::run::CliError;
use chrono::NaiveDate;
use xiaohao_core::org::{Level, UnitKind};
use xiaohao_core::{AccountRole, Actor, Command, UnitId};
use xiaohao_engine::{Engine, ItemRequest};
use xiaohao_store::{NewChain, NewPerson, NewPlan, NewUnit};

const UNITS: &[(&str, UnitKind, &[&str])] = &[
    (
        "省发改委",
        UnitKind::Department,
        &["福建省发展和改革委员会", "发改委", "省发展改革委"],
    ),
    (
        "省工信厅",
        UnitKind::Department,
        &["省工业和信息化厅", "福建省工业和信息化厅", "工信厅"],
    ),
    ("省科技厅", UnitKind::Department, &["科技厅"]),
    ("省财政厅", UnitKind::Department, &["财政厅"]),
    ("省自然资源厅", UnitKind::Department, &["自然资源厅"]),
    ("省生态环境厅", UnitKind::Department, &["生态环境厅"]),
    ("省交通运输厅", UnitKind::Department, &["交通运输厅"]),
    ("省卫健委", UnitKind::Department, &["卫健委"]),
    ("省应急厅", UnitKind::Department, &["应急厅"]),
    ("省国资委", UnitKind::Department, &["国资委"]),
    ("省医保局", UnitKind::Department, &["医保局"]),
    ("省药监局", UnitKind::Department, &["药监局"]),
    ("省机关管理局", UnitKind::Department, &["机关管理局"]),
    ("省委台港澳办", UnitKind::Department, &[]),
    ("省能化集团", UnitKind::Enterprise, &[]),
    ("省汽车集团", UnitKind::Enterprise, &[]),
    ("省电子信息集团", UnitKind::Enterprise, &[]),
    ("国网福建省电力公司", UnitKind::Enterprise, &[]),
    ("漳州市政府", UnitKind::Government, &["漳州市人民政府"]),
    ("古雷开发区管委会", UnitKind::Government, &[]),
    ("相关地市政府", UnitKind::Group, &[]),
    ("石化产业工作专班办公室", UnitKind::Office, &["石化专班"]),
    ("省政府督查室", UnitKind::Supervision, &["督查室"]),
];

/// The password of the demo accounts.
pub const DEMO_PASSWORD: &str = "xiaohao-demo";

pub async fn load(engine: &Engine) -> Result<String, CliError> {
    let store = &engine;
    if !store.units().await?.is_empty() {
        return Err(CliError::Usage(
            "the database already has units; demo data is only loaded into an empty database"
                .into(),
        ));
    }
    let now = engine.now();
    let mut ids: Vec<(&str, UnitId)> = Vec::new();
    for (i, (name, kind, aliases)) in UNITS.iter().enumerate() {
        let unit = store
            .create_unit(NewUnit {
                name: (*name).into(),
                kind: Some(*kind),
                level: Some(if name.contains("市") {
                    Level::City
                } else {
                    Level::Province
                }),
                parent: None,
                // Reserved domain (RFC 2606): reminders show in data/outbox/*.eml.
                emails: vec![format!("unit{:02}@xiaohao.example", i + 1)],
                aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
                needs_review: false,
            })
            .await?;
        ids.push((name, unit.id));
    }
    let unit = |name: &str| ids.iter().find(|(n, _)| *n == name).map(|(_, id)| *id);
    let units = |names: &[&str]| names.iter().filter_map(|n| unit(n)).collect::<Vec<_>>();

    let plan = store
        .create_plan(NewPlan {
            title: "关于建立专项协调机制推动产业高质量发展的工作方案".into(),
            doc_number: Some("闽发改工业〔2022〕193号".into()),
            issuer: Some("福建省发展和改革委员会 福建省工业和信息化厅".into()),
            issued_on: NaiveDate::from_ymd_opt(2022, 3, 24),
        })
        .await?;
    let guo = store
        .create_person(NewPerson {
            name: "郭宁宁".into(),
            title: Some("牵头省领导".into()),
            ..Default::default()
        })
        .await?;
    let kang = store
        .create_person(NewPerson {
            name: "康涛".into(),
            title: Some("牵头省领导".into()),
            ..Default::default()
        })
        .await?;

    let petro = store
        .create_chain(NewChain {
            name: "石化-化纤-纺织-鞋服产业".into(),
            plan: Some(plan.id),
            leaders: vec![guo.id, kang.id],
            lead_units: units(&["省发改委", "省工信厅"]),
            units: units(&[
                "省科技厅",
                "省自然资源厅",
                "省生态环境厅",
                "省应急厅",
                "省国资委",
                "省能化集团",
                "相关地市政府",
            ]),
            ..Default::default()
        })
        .await?;
    store
        .create_chain(NewChain {
            name: "古雷石化基地".into(),
            parent: Some(petro.id),
            plan: Some(plan.id),
            leaders: vec![guo.id],
            lead_units: units(&["省发改委"]),
            units: units(&[
                "省工信厅",
                "省科技厅",
                "省自然资源厅",
                "省生态环境厅",
                "省应急厅",
                "省国资委",
                "省能化集团",
                "漳州市政府",
                "古雷开发区管委会",
            ]),
        })
        .await?;
    store
        .create_chain(NewChain {
            name: "湄洲湾石化基地".into(),
            parent: Some(petro.id),
            plan: Some(plan.id),
            leaders: vec![kang.id],
            lead_units: units(&["省工信厅"]),
            units: units(&[
                "省发改委",
                "省科技厅",
                "省自然资源厅",
                "省生态环境厅",
                "省应急厅",
            ]),
        })
        .await?;
    for (name, leader, lead, others) in [
        (
            "集成电路产业",
            kang.id,
            "省工信厅",
            &[
                "省发改委",
                "省财政厅",
                "省科技厅",
                "省国资委",
                "省委台港澳办",
                "省电子信息集团",
            ][..],
        ),
        (
            "新能源汽车产业",
            kang.id,
            "省工信厅",
            &[
                "省发改委",
                "省财政厅",
                "省科技厅",
                "省交通运输厅",
                "省国资委",
                "省机关管理局",
                "省汽车集团",
            ][..],
        ),
        (
            "锂电新能源新材料产业",
            guo.id,
            "省发改委",
            &[
                "省工信厅",
                "省财政厅",
                "省科技厅",
                "省自然资源厅",
                "国网福建省电力公司",
            ][..],
        ),
        (
            "生物医药产业",
            kang.id,
            "省工信厅",
            &[
                "省发改委",
                "省科技厅",
                "省财政厅",
                "省卫健委",
                "省医保局",
                "省药监局",
            ][..],
        ),
    ] {
        store
            .create_chain(NewChain {
                name: name.into(),
                plan: Some(plan.id),
                leaders: vec![leader],
                lead_units: units(&[lead]),
                units: units(others),
                ..Default::default()
            })
            .await?;
    }

    let office = engine.actor_for("office", "石化产业工作专班办公室").await?;
    let tasks = [
        (
            "(一)",
            "强化产业分析研判",
            "全面梳理重点产业链龙头企业、产业分布、优势领域、薄弱环节、缺失环节、招商重点、承载园区等情况,细化完善“1张图谱+N张清单”。",
        ),
        (
            "(二)",
            "鼓励产业研发创新",
            "围绕产业链部署创新链,支持重点实验室、工程研究中心、制造业创新中心、企业技术中心等创新平台建设。",
        ),
        (
            "(三)",
            "加强企业梯次培育",
            "实施龙头企业“三个一批”行动,实施中小企业梯度培育工程。",
        ),
        (
            "(四)",
            "加大招商引资力度",
            "紧盯世界500强、全国500强、全国民企百强、台湾百大以及独角兽、瞪羚等重点企业,开展靶向招商、精准招商。",
        ),
        (
            "(五)",
            "强化产业协同联动",
            "支持开展产品推介、协作配套、产能对接等“手拉手”活动。",
        ),
        (
            "(六)",
            "夯实园区载体建设",
            "促进开发区高质量发展,加大园区存量建设用地盘活力度。",
        ),
    ];
    let year_end = (now + chrono::Duration::days(120)).date_naive();
    let mut filed = Vec::new();
    for (i, (number, title, text)) in tasks.iter().enumerate() {
        let lead = if i % 2 == 0 {
            "省发改委"
        } else {
            "省工信厅"
        };
        let out = engine
            .file_item(
                &office,
                &ItemRequest {
                    number: Some((*number).into()),
                    title: (*title).into(),
                    text: (*text).into(),
                    chain: Some("石化-化纤-纺织-鞋服产业".into()),
                    lead_unit: Some(lead.into()),
                    co_units: vec!["省科技厅".into(), "省自然资源厅".into()],
                    leader: Some(if i % 2 == 0 { "郭宁宁" } else { "康涛" }.into()),
                    deadline: Some(year_end.to_string()),
                    ..Default::default()
                },
            )
            .await?;
        filed.push((out.item.id, lead));
    }
    // Move some along: assigned, accepted, in progress with a report.
    for (n, (id, lead)) in filed.iter().enumerate() {
        if n >= 5 {
            break;
        }
        engine
            .execute(
                *id,
                &office,
                &Command::Assign {
                    lead_unit: None,
                    deadline: None,
                },
                None,
            )
            .await?;
        if n >= 3 {
            continue;
        }
        let lead_actor: Actor = engine.actor_for("lead", lead).await?;
        engine
            .execute(*id, &lead_actor, &Command::Accept, None)
            .await?;
        if n == 0 {
            engine
                .execute(
                    *id,
                    &lead_actor,
                    &Command::Report {
                        report: xiaohao_core::progress::ProgressReport {
                            period: now.format("%Y-%m").to_string(),
                            text: "已完成石化产业链全景图谱初稿,正在征求责任单位意见。".into(),
                            percent: Some(40),
                            actuals: vec![],
                            attachments: vec![],
                        },
                    },
                    None,
                )
                .await?;
        }
    }
    // One account per role, so that the pages can be tried at once. Demo only: the
    // password is printed below and must never reach a real deployment.
    for (username, unit, role, person) in [
        ("admin", "石化产业工作专班办公室", AccountRole::Admin, None),
        (
            "office",
            "石化产业工作专班办公室",
            AccountRole::Office,
            None,
        ),
        ("fgw", "省发改委", AccountRole::Unit, None),
        ("gxt", "省工信厅", AccountRole::Unit, None),
        ("kjt", "省科技厅", AccountRole::Unit, None),
        ("leader", "省发改委", AccountRole::Leader, Some("郭宁宁")),
        ("duchashi", "省政府督查室", AccountRole::Supervision, None),
    ] {
        engine
            .add_user(username, None, unit, role, person, DEMO_PASSWORD)
            .await?;
    }
    Ok(format!(
        "demo loaded: {} units, 1 plan ({}), 7 chains, {} items; accounts admin, office, fgw, gxt, kjt, leader, duchashi with password `{DEMO_PASSWORD}`",
        ids.len(),
        plan.doc_number.unwrap_or_default(),
        filed.len()
    ))
}
