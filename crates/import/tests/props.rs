//! Robustness: the parser and the decoder never panic, whatever the input.

use proptest::prelude::*;
use xiaohao_import::{ParseOptions, decode, parse_plan, parse_plan_with};

/// Fragments that exercise every branch of the parser.
const FRAGMENTS: &[&str] = &[
    "一、",
    "二、",
    "十二、",
    "(一)",
    "(十二)",
    "(",
    ")",
    "(",
    ")",
    "1.",
    "2、",
    "3)",
    "(1)",
    "①",
    "牵头单位:",
    "责任单位:",
    "配合单位:",
    "牵头省领导:",
    "链长:",
    "完成时限:",
    "文号:",
    "发布机构:",
    "生成日期:",
    "来源:本网 时间:2022-03-29 09:52",
    "、",
    ",",
    ",",
    ";",
    "。",
    ":",
    ":",
    "|",
    "||",
    "\n",
    "\r\n",
    " ",
    "\u{3000}",
    "省",
    "市",
    "市场监管局",
    "工信厅",
    "科技局",
    "各县(市、区)党委和人民政府",
    "等",
    "负责",
    "牵头",
    "配合",
    "分别牵头",
    "排第一的为牵头单位,下同",
    "力争",
    "2021年",
    "20201223日",
    "二〇二一年八月十七日",
    "底前",
    "6月",
    "每季度",
    "长期坚持",
    "亿元",
    "个",
    "%",
    "以上",
    "不低于",
    "超过",
    "达到",
    "比",
    "0",
    "7",
    "2.5",
    "999999999999999999999",
    "产业",
    "基地",
    "集群",
    "〔2022〕",
    "193号",
    "印发",
    "《",
    "》",
    "的通知",
    "附件",
    "附件1",
    "扫一扫",
    "序号",
    "重点任务",
    "张三",
    "陈 飞",
    "本方案自",
    "各设区市人民政府,",
    "(此件主动公开)",
    "\u{FEFF}",
    "\u{0}",
    "é",
    "𠀀",
];

fn fragment_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
            1 => "[0-9一二三四五六七八九十]{1,4}",
            1 => any::<String>(),
        ],
        0..120,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn parse_never_panics_on_arbitrary_strings(text in any::<String>()) {
        let draft = parse_plan(&text);
        prop_assert!(draft.to_json().is_ok());
    }

    #[test]
    fn parse_never_panics_on_marker_soup(text in fragment_soup()) {
        let draft = parse_plan(&text);
        // Every target value is finite, so the JSON contract always holds.
        prop_assert!(draft.tasks.iter().flat_map(|t| &t.targets).all(|g| g.value.is_finite()));
        prop_assert!(draft.to_json().is_ok());
        let options = ParseOptions { include_requirement_sections: true };
        let all = parse_plan_with(&text, &options);
        prop_assert!(all.tasks.len() >= draft.tasks.len());
    }

    #[test]
    fn parse_is_deterministic(text in fragment_soup()) {
        prop_assert_eq!(parse_plan(&text), parse_plan(&text));
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode(&bytes);
    }

    #[test]
    fn decode_round_trips_utf8_and_gb18030(
        parts in prop::collection::vec(prop::sample::select(FRAGMENTS), 0..80)
    ) {
        let clean: String = parts
            .concat()
            .chars()
            .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
            .collect();
        let clean = clean.trim_start_matches('\u{FEFF}').to_owned();
        // Plan text is Chinese; a Latin-only snippet of two bytes per
        // character is ambiguous between UTF-8 and GB18030.
        prop_assume!(clean.is_ascii() || clean.chars().any(|c| u32::from(c) >= 0x800));
        prop_assert_eq!(decode(clean.as_bytes()), Ok(clean.clone()));
        let (gb, _, unmappable) = encoding_rs::GB18030.encode(&clean);
        if !unmappable {
            prop_assert_eq!(decode(&gb), Ok(clean));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A ledger workbook that is not one — random bytes, or a real workbook with bytes
    /// flipped — is an error, never a panic.
    #[test]
    fn reading_a_damaged_ledger_never_panics(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let _ = xiaohao_import::ledger::read_ledger(&bytes);
        let mut book = workbook();
        for (at, b) in flips {
            let i = at.index(book.len());
            book[i] = b;
        }
        let _ = xiaohao_import::ledger::read_ledger(&book);
    }
}

fn workbook() -> Vec<u8> {
    use xiaohao_import::ledger::{DeadlineCell, LedgerRow, write_ledger};
    write_ledger(&[LedgerRow {
        number: "(一)".into(),
        title: "事项".into(),
        lead: "省发改委".into(),
        co: vec!["省工信厅".into()],
        deadline: DeadlineCell::Text("长期坚持".into()),
        state: "待交办".into(),
        ..Default::default()
    }])
    .unwrap_or_default()
}
