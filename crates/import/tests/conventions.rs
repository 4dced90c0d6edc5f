//! Synthetic documents, one per convention the parser handles.

use chrono::NaiveDate;
use xiaohao_import::{
    ParseOptions, PlanDraft, TargetDraft, TaskDraft, decode, parse_plan, parse_plan_with,
};

fn s(items: &[&str]) -> Vec<String> {
    items.iter().map(|i| (*i).to_owned()).collect()
}

fn only_task(d: &PlanDraft) -> &TaskDraft {
    assert_eq!(d.tasks.len(), 1, "{:#?}", d.tasks);
    &d.tasks[0]
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

// ------------------------------------------------------------ labelled lines

#[test]
fn labelled_lines() {
    let d = parse_plan(
        "一、重点任务\n\
         (一)推进园区标准化建设。完成园区标准化改造20个以上。\n\
         牵头单位:省工信厅\n\
         配合单位:省发改委、财政厅,各设区市人民政府\n\
         责任领导:张三、李四\n\
         完成时限:2022年底前\n",
    );
    let t = only_task(&d);
    assert_eq!(t.number, "(一)");
    assert_eq!(t.section.as_deref(), Some("一、重点任务"));
    assert_eq!(t.title, "推进园区标准化建设");
    assert_eq!(t.text, "推进园区标准化建设。完成园区标准化改造20个以上。");
    assert_eq!(t.lead.as_deref(), Some("省工信厅"));
    assert_eq!(t.co, s(&["省发改委", "省财政厅", "各设区市人民政府"]));
    assert_eq!(t.leaders, s(&["张三", "李四"]));
    assert_eq!(t.deadline.as_deref(), Some("2022-12-31"));
    assert_eq!(
        t.targets,
        vec![target("园区标准化改造", 20.0, "个", None, Some(">="))]
    );
}

#[test]
fn full_width_colons_and_inline_labels() {
    let d = parse_plan(
        "(一)推进A项目建设。牵头单位：省发改委；责任单位：省工信厅、科技厅。\n(二)推进B项目建设。",
    );
    assert_eq!(d.tasks.len(), 2);
    let t = &d.tasks[0];
    assert_eq!(t.text, "推进A项目建设。");
    assert_eq!(t.lead.as_deref(), Some("省发改委"));
    assert_eq!(t.co, s(&["省工信厅", "省科技厅"]));
    assert_eq!(d.tasks[1].lead, None);
}

#[test]
fn responsible_line_without_lead_line() {
    let d = parse_plan(
        "(三)拓展提升“一企一策”。\n责任单位:市工信局、科技局、财政局、金融监管局,各县(市、区)党委和人民政府等\n",
    );
    let t = only_task(&d);
    assert_eq!(t.lead.as_deref(), Some("市工信局"));
    assert_eq!(
        t.co,
        s(&[
            "市科技局",
            "市财政局",
            "市金融监管局",
            "各县(市、区)党委和人民政府"
        ])
    );
}

#[test]
fn chain_leader_labels() {
    let d = parse_plan(
        "一、产业链分工\n\
         (一)集成电路产业链\n\
         链长:王五\n\
         牵头单位:市工信局\n\
         成员单位:市发改委、科技局\n\
         1.化合物半导体\n\
         副链长:赵六\n\
         牵头单位:市科技局\n\
         二、重点任务\n\
         (一)开展链上招商。\n",
    );
    assert_eq!(d.chains.len(), 1);
    let c = &d.chains[0];
    assert_eq!(c.name, "集成电路产业链");
    assert_eq!(c.leaders, s(&["王五"]));
    assert_eq!(c.lead_units, s(&["市工信局"]));
    assert_eq!(c.units, s(&["市发改委", "市科技局"]));
    assert_eq!(c.children.len(), 1);
    assert_eq!(c.children[0].name, "化合物半导体");
    assert_eq!(c.children[0].leaders, s(&["赵六"]));
    assert_eq!(only_task(&d).title, "开展链上招商");
}

// ------------------------------------------------------- trailing parenthesis

#[test]
fn trailing_parenthesis_first_listed_leads() {
    let d = parse_plan(
        "(一)实施优质企业培育行动。建立梯队培育机制。(省工业和信息化厅、省发展改革委、省国资委负责,排第一的为牵头单位,下同)\n\
         (二)实施协同创新提升行动。构建协同创新体系(省科技厅、省教育厅负责)。\n",
    );
    assert_eq!(d.tasks.len(), 2);
    let t1 = &d.tasks[0];
    assert_eq!(t1.text, "实施优质企业培育行动。建立梯队培育机制。");
    assert_eq!(t1.lead.as_deref(), Some("省工业和信息化厅"));
    assert_eq!(t1.co, s(&["省发展改革委", "省国资委"]));
    let t2 = &d.tasks[1];
    assert_eq!(t2.text, "实施协同创新提升行动。构建协同创新体系。");
    assert_eq!(t2.lead.as_deref(), Some("省科技厅"));
    assert_eq!(t2.co, s(&["省教育厅"]));
}

#[test]
fn lead_with_cooperating_units() {
    let d = parse_plan("(一)开展专项行动。(省发改委牵头,省工信厅、科技厅配合)\n");
    let t = only_task(&d);
    assert_eq!(t.lead.as_deref(), Some("省发改委"));
    assert_eq!(t.co, s(&["省工信厅", "省科技厅"]));
}

#[test]
fn roles_stated_inside_a_label() {
    let d = parse_plan("(一)开展专项行动。\n责任单位:省发改委牵头,省工信厅、科技厅配合\n");
    let t = only_task(&d);
    assert_eq!(t.lead.as_deref(), Some("省发改委"));
    assert_eq!(t.co, s(&["省工信厅", "省科技厅"]));
}

#[test]
fn separately_leading_units() {
    // Each unit leads its own part: the first is `lead`, the others stay in `co`.
    let d = parse_plan("(一)推进两大基地建设。(省发改委、省工信厅分别牵头,相关地市政府配合)\n");
    let t = only_task(&d);
    assert_eq!(t.lead.as_deref(), Some("省发改委"));
    assert_eq!(t.co, s(&["省工信厅", "相关地市政府"]));
}

#[test]
fn ordinary_parenthesis_is_text() {
    let d = parse_plan("(一)制定技改行动计划(2021-2023年)。\n");
    let t = only_task(&d);
    assert_eq!(t.text, "制定技改行动计划(2021-2023年)。");
    assert_eq!(t.lead, None);
}

// -------------------------------------------------------------- unit names

#[test]
fn unit_names_keep_their_level() {
    let d = parse_plan(
        "(一)甲。\n责任单位:市工信局、科技局、财政局\n\
         (二)乙。\n牵头单位:省工信厅、科技厅\n\
         (三)丙。\n责任单位:省发改委、科技厅,泉州市、莆田市政府等\n\
         (四)丁。\n责任单位:市金融监管局、市场监管局;相关地市政府\n",
    );
    let all: Vec<(Option<String>, Vec<String>)> = d
        .tasks
        .iter()
        .map(|t| (t.lead.clone(), t.co.clone()))
        .collect();
    assert_eq!(
        all,
        vec![
            (Some("市工信局".to_owned()), s(&["市科技局", "市财政局"])),
            (Some("省工信厅".to_owned()), s(&["省科技厅"])),
            (
                Some("省发改委".to_owned()),
                s(&["省科技厅", "泉州市政府", "莆田市政府"])
            ),
            (
                Some("市金融监管局".to_owned()),
                s(&["市市场监管局", "相关地市政府"])
            ),
        ]
    );
}

// ------------------------------------------------------------------ tables

#[test]
fn pipe_table() {
    let d = parse_plan(
        "关于印发重点任务分工的通知\n\
         二、任务分工\n\
         | 序号 | 重点任务 | 牵头单位 | 责任单位 | 完成时限 |\n\
         |---|---|---|---|---|\n\
         | 1 | 建设创新平台。新增省级平台10家以上 | 省科技厅 | 省发改委、工信厅 | 2022年6月底前 |\n\
         | 2 | 开展专项招商 | 省商务厅 |  | 长期坚持 |\n",
    );
    assert_eq!(d.tasks.len(), 2);
    let t1 = &d.tasks[0];
    assert_eq!(t1.number, "1");
    assert_eq!(t1.section.as_deref(), Some("二、任务分工"));
    assert_eq!(t1.title, "建设创新平台");
    assert_eq!(t1.lead.as_deref(), Some("省科技厅"));
    assert_eq!(t1.co, s(&["省发改委", "省工信厅"]));
    assert_eq!(t1.deadline.as_deref(), Some("2022-06-30"));
    assert_eq!(
        t1.targets,
        vec![target("新增省级平台", 10.0, "家", None, Some(">="))]
    );
    let t2 = &d.tasks[1];
    assert_eq!(t2.lead.as_deref(), Some("省商务厅"));
    assert!(t2.co.is_empty());
    assert_eq!(t2.deadline.as_deref(), Some("long_term"));
}

#[test]
fn one_cell_per_line_table() {
    let d = parse_plan(
        "一、重点任务清单\n序号\n工作任务\n牵头单位\n配合单位\n完成时限\n\
         1\n推进数字化改造\n市工信局\n市科技局、财政局\n每季度\n\
         2\n建设产业园区,\n完成基础设施配套\n市发改委\n市自然资源局\n6月底前\n\
         二、保障措施\n(一)加强组织领导。\n",
    );
    assert_eq!(d.tasks.len(), 2, "{:#?}", d.tasks);
    let t1 = &d.tasks[0];
    assert_eq!(
        (t1.number.as_str(), t1.title.as_str()),
        ("1", "推进数字化改造")
    );
    assert_eq!(t1.lead.as_deref(), Some("市工信局"));
    assert_eq!(t1.co, s(&["市科技局", "市财政局"]));
    assert_eq!(t1.deadline.as_deref(), Some("quarterly"));
    let t2 = &d.tasks[1];
    assert_eq!(t2.text, "建设产业园区,\n完成基础设施配套");
    assert_eq!(t2.lead.as_deref(), Some("市发改委"));
    // No year anywhere in the document: month-day form.
    assert_eq!(t2.deadline.as_deref(), Some("--06-30"));
}

#[test]
fn chain_table_with_merged_cells() {
    let d = parse_plan(
        "附件\n重点产业链链长分工表\n产业链 |\n链长 |\n牵头单位 |\n\
         新材料 |\n张三 |\n市工信局 |\n稀土 |\n||\n石墨烯 |\n李四 |\n市科技局 |\n",
    );
    let got: Vec<(String, Vec<String>, Vec<String>)> = d
        .chains
        .iter()
        .map(|c| (c.name.clone(), c.leaders.clone(), c.lead_units.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("新材料".to_owned(), s(&["张三"]), s(&["市工信局"])),
            ("稀土".to_owned(), s(&["张三"]), vec![]),
            ("石墨烯".to_owned(), s(&["李四"]), s(&["市科技局"])),
        ]
    );
}

// ------------------------------------------- one line, repeated, width, bytes

const PLAN: &str = "关于推进制造业高质量发展的工作方案\n\
    一、重点任务\n\
    (一)壮大龙头企业。力争2022年新增龙头企业5家以上。\n\
    责任单位:市工信局、财政局,各县(市、区)人民政府\n\
    (二)扩大有效投资。完成工业投资100亿元以上。\n\
    牵头单位:市发改委\n配合单位:市工信局\n\
    二、保障措施\n\
    (一)加强组织领导。各地要建立工作机制。\n";

#[test]
fn one_line_document() {
    let flat: String = PLAN.split('\n').collect();
    assert!(!flat.contains('\n'));
    let a = parse_plan(PLAN);
    let b = parse_plan(&flat);
    assert_eq!(a.tasks.len(), 2);
    assert_eq!(b, a);
}

#[test]
fn page_printed_twice() {
    let twice = format!("{PLAN}\n扫一扫在手机上查看当前页面\n{PLAN}");
    assert_eq!(parse_plan(&twice), parse_plan(PLAN));
}

#[test]
fn full_width_and_ascii_punctuation_agree() {
    let full = PLAN
        .replace('(', "（")
        .replace(')', "）")
        .replace(':', "：")
        .replace(',', "，")
        .replace('%', "％");
    assert_ne!(full, PLAN);
    assert_eq!(parse_plan(&full), parse_plan(PLAN));
    let d = parse_plan(&full);
    assert_eq!(d.tasks[0].number, "(一)");
    assert_eq!(d.tasks[0].co, s(&["市财政局", "各县(市、区)人民政府"]));
}

#[test]
fn gb18030_bytes() {
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(PLAN);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    let text = decode(&bytes).expect("GB18030 decodes");
    assert_eq!(text, PLAN);
    assert_eq!(parse_plan(&text), parse_plan(PLAN));
}

#[test]
fn decode_rejects_garbage() {
    assert!(decode(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3").is_err());
    assert!(decode(b"PK\x03\x04\x14\x00\x06\x00").is_err());
    assert!(decode(&[0u8; 64]).is_err());
    let err = decode(&[0x81, 0x30, 0xFF, 0xFE, 0xFD]).expect_err("invalid");
    assert!(
        err.to_string().contains("neither UTF-8 nor GB18030"),
        "{err}"
    );
}

// ------------------------------------------------------------------ header

#[test]
fn header_variants() {
    let page = "首页 > 政务公开 > 政策文件\n\
        索引号:000014349/2022-00001\n\
        文号:湘政办发[2022]12号\n\
        标题:湖南省人民政府办公厅关于印发《湖南省制造业提质升级工作方案》的通知\n\
        来源:省政府办公厅 时间:2022-05-06 10:00\n\
        打印本页 关闭窗口\n\
        湖南省人民政府办公厅\n\
        二〇二二年四月二十八日\n\
        一、重点任务\n(一)推进智能制造。\n";
    let d = parse_plan(page);
    assert_eq!(d.title.as_deref(), Some("湖南省制造业提质升级工作方案"));
    assert_eq!(d.doc_number.as_deref(), Some("湘政办发〔2022〕12号"));
    assert_eq!(d.issuer.as_deref(), Some("湖南省人民政府办公厅"));
    assert_eq!(d.date, NaiveDate::from_ymd_opt(2022, 4, 28));
    assert_eq!(d.tasks.len(), 1);

    let d = parse_plan(
        "闽政(2021)7号\n关于加快发展数字经济的若干措施\n2021年3月5日\n一、任务\n(一)甲。",
    );
    assert_eq!(d.doc_number.as_deref(), Some("闽政〔2021〕7号"));
    assert_eq!(d.title.as_deref(), Some("关于加快发展数字经济的若干措施"));
    assert_eq!(d.date, NaiveDate::from_ymd_opt(2021, 3, 5));
}

// ----------------------------------------------------------------- outline

#[test]
fn sub_items_without_units_are_points() {
    let d = parse_plan(
        "(一)加强要素保障。重点做好以下工作:\n1.保障用地;\n2.保障用能。\n(省自然资源厅、省发改委负责)\n",
    );
    let t = only_task(&d);
    assert_eq!(t.number, "(一)");
    assert_eq!(
        t.text,
        "加强要素保障。重点做好以下工作:\n1.保障用地;\n2.保障用能。"
    );
    assert_eq!(t.lead.as_deref(), Some("省自然资源厅"));
}

#[test]
fn group_units_are_inherited() {
    let d = parse_plan(
        "(四)做强新材料产业\n牵头单位:市工信局\n1.氟新材料。推进项目建设。\n2.石墨烯。推进成果转化。\n责任单位:市科技局\n",
    );
    let got: Vec<(&str, Option<&str>)> = d
        .tasks
        .iter()
        .map(|t| (t.number.as_str(), t.lead.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![("(四)1.", Some("市工信局")), ("(四)2.", Some("市科技局"))]
    );
}

#[test]
fn requirement_sections_need_units() {
    let doc = "一、重点任务\n(一)甲任务。\n二、保障措施\n(一)加强组织领导。\n(二)强化督查考核。每季度通报一次。\n";
    assert_eq!(parse_plan(doc).tasks.len(), 1);
    let all = parse_plan_with(
        doc,
        &ParseOptions {
            include_requirement_sections: true,
        },
    );
    assert_eq!(all.tasks.len(), 3);
    assert_eq!(all.tasks[2].deadline.as_deref(), Some("quarterly"));
    let assigned = "一、重点任务\n(一)甲任务。\n二、保障措施\n(一)加强组织领导。(省发改委负责)\n";
    assert_eq!(parse_plan(assigned).tasks.len(), 2);
}

// --------------------------------------------------------------- deadlines

#[test]
fn deadlines_in_text() {
    let doc = "关于X的工作方案\n2022年1月5日\n\
        (一)甲。2021年底前出台实施细则。\n\
        (二)乙。6月底前完成摸底。\n\
        (三)丙。每月报送进展。\n\
        (四)丁。此项工作长期坚持。\n\
        (五)戊。力争2023年新增企业10家。\n";
    let d = parse_plan(doc);
    let got: Vec<Option<&str>> = d.tasks.iter().map(|t| t.deadline.as_deref()).collect();
    assert_eq!(
        got,
        vec![
            Some("2021-12-31"),
            Some("2022-06-30"),
            Some("monthly"),
            Some("long_term"),
            None
        ]
    );
}

// ----------------------------------------------------------------- targets

#[test]
fn target_comparators() {
    let d = parse_plan(
        "(一)甲。到2025年,研发投入强度不低于2.5%,技术合同成交额超过50亿元,产值达到1000亿元,单位能耗控制在0.4吨标准煤以内。\n",
    );
    assert_eq!(
        only_task(&d).targets,
        vec![
            target("研发投入强度", 2.5, "%", Some(2025), Some(">=")),
            target("技术合同成交额", 50.0, "亿元", Some(2025), Some(">")),
            target("产值", 1000.0, "亿元", Some(2025), None),
            target("单位能耗", 0.4, "吨标准煤", Some(2025), Some("<=")),
        ]
    );
}

// -------------------------------------------------------------------- JSON

#[test]
fn json_contract() {
    let d = parse_plan("关于X的工作方案\n2022年3月24日\n(一)推进A。力争2022年实现产值10亿元。\n");
    let json = d.to_json().expect("serialises");
    assert_eq!(json, serde_json::to_string(&d).expect("serialises"));
    assert_eq!(
        json,
        concat!(
            r#"{"title":"关于X的工作方案","doc_number":null,"issuer":null,"date":"2022-03-24","chains":[],"#,
            r#""tasks":[{"number":"(一)","section":null,"title":"推进A","text":"推进A。力争2022年实现产值10亿元。","#,
            r#""lead":null,"co":[],"leaders":[],"deadline":null,"#,
            r#""targets":[{"metric":"产值","value":10.0,"unit":"亿元","year":2022,"cmp":null}],"chain":null}]}"#
        )
    );
    let back: PlanDraft = serde_json::from_str(&json).expect("round trip");
    assert_eq!(back, d);
}
