//! The 督办单 as a Word document, in the 公文 layout of the 通报 (GB/T 9704: A4, margins
//! 37/35/28/26 mm, the title in red 方正小标宋, the number centred below it, 主送
//! flush left, body in 仿宋_GB2312 三号 with two-character indents at a fixed line, 整改要求
//! under a 黑体 heading, 落款 and date right-aligned), with the 督办回复 when answered and
//! its files in the 附件 lines.

use crate::bulletin::docx::{
    BODY, FANGSONG, HEITI, XIAOBIAOSONG, blank, indented, page, para, right_four, run,
};
use docx_rs::{AlignmentType, Paragraph};
use xiaohao_core::order::OrderDocument;

/// The .docx bytes of a 督办单.
///
/// # Errors
/// When the archive cannot be written (never for an in-memory buffer in practice).
pub fn render(doc: &OrderDocument) -> Result<Vec<u8>, String> {
    let mut d = page();
    d = d.add_paragraph(
        Paragraph::new()
            .add_run(run(&doc.title, XIAOBIAOSONG, 52).color("FF0000"))
            .align(AlignmentType::Center),
    );
    d = d.add_paragraph(blank());
    d = d.add_paragraph(para(run(&doc.number, FANGSONG, BODY)).align(AlignmentType::Center));
    d = d.add_paragraph(blank());
    d = d.add_paragraph(para(run(&doc.addressee, FANGSONG, BODY)));
    for f in &doc.facts {
        d = d.add_paragraph(indented(f, FANGSONG));
    }
    d = d.add_paragraph(indented("整改要求", HEITI));
    for r in &doc.requirements {
        d = d.add_paragraph(indented(r, FANGSONG));
    }
    d = d.add_paragraph(blank());
    d = d.add_paragraph(blank());
    d = d.add_paragraph(right_four(para(run(&doc.issuer, FANGSONG, BODY))));
    d = d.add_paragraph(right_four(para(run(&doc.issued_on, FANGSONG, BODY))));
    if let Some((on, text)) = &doc.answer {
        d = d.add_paragraph(blank());
        d = d.add_paragraph(indented(&format!("督办回复（{on}）"), HEITI));
        d = d.add_paragraph(indented(text, FANGSONG));
        for (i, f) in doc.answer_files.iter().enumerate() {
            // 附件说明 (GB/T 9704 7.3.4): the first line names 附件, the others align under it.
            let label = if i == 0 { "附件：" } else { "　　　" };
            d = d.add_paragraph(indented(&format!("{label}{f}"), FANGSONG));
        }
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf.into_inner())
}
