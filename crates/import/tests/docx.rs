//! `.docx` input through the one entry point, `read_plan`: documents built
//! here (zip + WordprocessingML) give the same draft as their text.

mod common;

use std::io::Write;

use common::fixture;
use xiaohao_import::{ImportError, ReadOptions, read_plan, read_plan_with};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A paragraph; `num` = (numId, ilvl) for an automatically numbered one.
/// The text is cut into two runs, as Word often does.
fn para(text: &str, num: Option<(u32, u32)>) -> String {
    let ppr = num.map_or_else(String::new, |(id, lvl)| {
        format!(
            r#"<w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="{id}"/></w:numPr></w:pPr>"#
        )
    });
    let cut = text.char_indices().nth(3).map_or(text.len(), |(i, _)| i);
    format!(
        r#"<w:p>{ppr}<w:r><w:t xml:space="preserve">{}</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>{}</w:t></w:r></w:p>"#,
        esc(&text[..cut]),
        esc(&text[cut..])
    )
}

/// One table cell: paragraphs, grid span, vertical merge (`Some("restart")`
/// starts one, `Some("")` continues it).
fn cell(paras: &[&str], span: u32, vmerge: Option<&str>) -> String {
    let mut pr = String::new();
    if span > 1 {
        pr.push_str(&format!(r#"<w:gridSpan w:val="{span}"/>"#));
    }
    match vmerge {
        Some("") => pr.push_str("<w:vMerge/>"),
        Some(v) => pr.push_str(&format!(r#"<w:vMerge w:val="{v}"/>"#)),
        None => {}
    }
    let body: String = if paras.is_empty() {
        "<w:p/>".to_owned()
    } else {
        paras.iter().map(|p| para(p, None)).collect()
    };
    format!("<w:tc><w:tcPr>{pr}</w:tcPr>{body}</w:tc>")
}

fn row(cells: &[String]) -> String {
    format!("<w:tr>{}</w:tr>", cells.concat())
}

const NUMBERING: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="7">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="(%2)"/></w:lvl>
<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>
<w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num>
</w:numbering>"#;

/// A `.docx` file with `body` as the document body.
fn docx(body: &str, numbering: bool) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut parts = vec![
        ("[Content_Types].xml", r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_owned()),
        ("word/document.xml", document),
    ];
    if numbering {
        parts.push(("word/numbering.xml", NUMBERING.to_owned()));
    }
    for (name, content) in parts {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(content.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

/// The outline fixture as Word would hold it: the `一、` `(一)` `1.` markers
/// become automatic numbering, the rest plain paragraphs.
fn outline_as_docx(text: &str) -> Vec<u8> {
    let mut body = String::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let marker = |open: usize, close: char| chars.iter().skip(open).position(|c| *c == close);
        let numbered = if let Some(rest) = line
            .strip_prefix('(')
            .filter(|_| marker(1, ')').is_some_and(|i| i <= 2))
        {
            rest.split_once(')').map(|(_, r)| (r, 1))
        } else if chars
            .first()
            .is_some_and(|c| "一二三四五六七八九".contains(*c))
            && chars.get(1) == Some(&'、')
        {
            line.split_once('、').map(|(_, r)| (r, 0))
        } else if chars.first().is_some_and(char::is_ascii_digit) && chars.get(1) == Some(&'.') {
            line.split_once('.').map(|(_, r)| (r, 2))
        } else {
            None
        };
        body.push_str(&match numbered {
            Some((rest, lvl)) => para(rest, Some((3, lvl))),
            None => para(line, None),
        });
    }
    docx(&body, true)
}

#[test]
fn numbered_paragraphs_read_as_their_text() {
    for name in [
        "zhejiang_2022_lead_headings.txt",
        "guangdong_2023_targets.txt",
        "fujian_2022_chains.txt",
    ] {
        let text = fixture(name);
        let from_text = read_plan(name, text.as_bytes()).expect("text");
        let from_docx = read_plan("方案.docx", &outline_as_docx(&text)).expect("docx");
        assert!(!from_text.tasks.is_empty(), "{name}");
        assert_eq!(from_docx, from_text, "{name}");
    }
}

#[test]
fn tables_with_merged_cells_read_as_their_text() {
    let header = row(&[
        "分类",
        "序号",
        "工作任务",
        "牵头单位",
        "配合单位",
        "完成时限",
    ]
    .map(|h| cell(&[h], 1, None)));
    let body = [
        para("某省2022年稳增长重点工作责任分解方案", None),
        para("2022年4月8日", None),
        "<w:tbl>".to_owned(),
        header,
        // A category row across the table.
        row(&[cell(&["一、扩大需求"], 6, None)]),
        row(&[
            cell(&["投资"], 1, Some("restart")),
            cell(&["1"], 1, None),
            cell(&["全年完成重点项目投资5000亿元以上。"], 1, None),
            cell(&["省发展改革委"], 1, None),
            // Several units, one paragraph each.
            cell(&["省财政厅", "省自然资源厅"], 1, None),
            cell(&["2022年12月底前"], 1, None),
        ]),
        row(&[
            cell(&[], 1, Some("")),
            cell(&["2"], 1, None),
            cell(&["建成高速公路300公里。"], 1, None),
            cell(&["省交通运输厅"], 1, Some("restart")),
            cell(&["省发展改革委"], 1, None),
            cell(&["2022年10月底前"], 1, None),
        ]),
        row(&[
            cell(&[], 1, Some("")),
            cell(&["3"], 1, None),
            cell(&["新开工国省干线项目20个。"], 1, None),
            // One lead for two rows: a vertically merged cell.
            cell(&[], 1, Some("")),
            cell(&["各市(区)人民政府"], 1, None),
            cell(&["2022年11月底前"], 1, None),
        ]),
        "</w:tbl>".to_owned(),
    ]
    .concat();
    let text = "某省2022年稳增长重点工作责任分解方案\n2022年4月8日\n\
        | 分类 | 序号 | 工作任务 | 牵头单位 | 配合单位 | 完成时限 |\n\
        | 一、扩大需求 |\n\
        | 投资 | 1 | 全年完成重点项目投资5000亿元以上。 | 省发展改革委 | 省财政厅、省自然资源厅 | 2022年12月底前 |\n\
        | 投资 | 2 | 建成高速公路300公里。 | 省交通运输厅 | 省发展改革委 | 2022年10月底前 |\n\
        | 投资 | 3 | 新开工国省干线项目20个。 | 省交通运输厅 | 各市(区)人民政府 | 2022年11月底前 |\n";
    let from_docx = read_plan("分解表.DOCX", &docx(&body, false)).expect("docx");
    let from_text = read_plan("分解表.txt", text.as_bytes()).expect("text");
    assert_eq!(from_docx, from_text);
    let leads: Vec<Option<&str>> = from_docx.tasks.iter().map(|t| t.lead.as_deref()).collect();
    assert_eq!(
        leads,
        [
            Some("省发展改革委"),
            Some("省交通运输厅"),
            Some("省交通运输厅")
        ]
    );
    assert_eq!(from_docx.tasks[0].co, ["省财政厅", "省自然资源厅"]);
    assert_eq!(from_docx.tasks[2].section.as_deref(), Some("投资"));
    assert_eq!(from_docx.tasks[2].targets[0].year, Some(2022));
}

#[test]
fn gb18030_and_utf8_give_the_same_draft() {
    let text = fixture("anhui_2021_declared.txt");
    let (gb, _, bad) = encoding_rs::GB18030.encode(&text);
    assert!(!bad);
    assert_eq!(
        read_plan("plan.txt", &gb).expect("gb18030"),
        read_plan("plan.txt", text.as_bytes()).expect("utf-8")
    );
}

#[test]
fn refusals() {
    assert_eq!(read_plan("a.txt", b""), Err(ImportError::Empty));
    assert_eq!(read_plan("a.txt", b" \n\t \n"), Err(ImportError::Empty));
    let small = ReadOptions {
        max_bytes: 10,
        ..ReadOptions::default()
    };
    assert_eq!(
        read_plan_with("a.txt", "一二三四五".as_bytes(), &small),
        Err(ImportError::TooLarge { size: 15, max: 10 })
    );
    // A ZIP that is no Word document (a workbook, say).
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("xl/workbook.xml", zip::write::SimpleFileOptions::default())
        .expect("entry");
    zip.write_all(b"<workbook/>").expect("write");
    let xlsx = zip.finish().expect("finish").into_inner();
    assert!(matches!(
        read_plan("a.xlsx", &xlsx),
        Err(ImportError::BinaryFormat(_))
    ));
    assert!(matches!(
        read_plan("a.docx", &xlsx),
        Err(ImportError::Docx(_))
    ));
    // An empty document.
    assert_eq!(
        read_plan("a.docx", &docx("", false)),
        Err(ImportError::Empty)
    );
}

#[test]
fn damaged_documents_never_panic() {
    let whole = outline_as_docx(&fixture("sichuan_2021_zhuban.txt"));
    for cut in (0..whole.len()).step_by(97) {
        let _ = read_plan("x.docx", &whole[..cut]);
    }
    let mut flipped = whole.clone();
    for i in (30..flipped.len()).step_by(131) {
        flipped[i] ^= 0x5A;
        let _ = read_plan("x.docx", &flipped);
    }
    // Unbalanced XML inside a valid container.
    for body in [
        "<w:p><w:r><w:t>一、甲",
        "</w:tc></w:tr></w:tbl>",
        "<w:tbl><w:tr><w:tc><w:tbl>",
    ] {
        let _ = read_plan("x.docx", &docx(body, true));
    }
}
