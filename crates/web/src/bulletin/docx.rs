//! The bulletin as a Word document after GB/T 9704 (党政机关公文格式): A4, margins 37/35/28/26
//! mm, 发文机关标志 in red 方正小标宋, the 文号 centred below it, the title centred in
//! 方正小标宋简体 二号, 主送 flush left, body in 仿宋_GB2312 三号 (16 pt) with two-character
//! first-line indent at a fixed 28.95 pt line, headings 黑体 and 楷体_GB2312, 落款 and date
//! right-aligned four characters from the margin, the 附注 (联系人) below.

use docx_rs::{
    AlignmentType, Docx, LineSpacing, LineSpacingType, PageMargin, Paragraph, Run, RunFonts,
    SpecialIndentType,
};
use xiaohao_core::bulletin::{Block, Document, text};

/// Twips per millimetre (1440 per inch).
pub(crate) const MM: f64 = 1440.0 / 25.4;
/// 三号: 16 pt, in half-points.
pub(crate) const BODY: usize = 32;
/// 二号: 22 pt.
pub(crate) const TITLE: usize = 44;
/// One character of the body (16 pt) in twips: indents count in characters.
pub(crate) const CHAR: i32 = 320;
/// A fixed line of 28.95 pt (22 lines to the page), in twips.
pub(crate) const LINE: i32 = 579;

pub(crate) const FANGSONG: &str = "仿宋_GB2312";
pub(crate) const HEITI: &str = "黑体";
pub(crate) const KAITI: &str = "楷体_GB2312";
pub(crate) const XIAOBIAOSONG: &str = "方正小标宋简体";

pub(crate) fn mm(v: f64) -> i32 {
    (v * MM).round() as i32
}

pub(crate) fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
}

pub(crate) fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

pub(crate) fn para(run: Run) -> Paragraph {
    Paragraph::new().add_run(run).line_spacing(
        LineSpacing::new()
            .line_rule(LineSpacingType::Exact)
            .line(LINE),
    )
}

pub(crate) fn indented(text: &str, font: &str) -> Paragraph {
    para(run(text, font, BODY)).indent(
        None,
        Some(SpecialIndentType::FirstLine(2 * CHAR)),
        None,
        None,
    )
}

pub(crate) fn blank() -> Paragraph {
    para(run("", FANGSONG, BODY))
}

/// An empty A4 document in the 公文 layout (GB/T 9704: margins 37/35/28/26 mm, body in
/// 仿宋_GB2312 三号): what the 通报 and the 督办单 are written on.
pub(crate) fn page() -> Docx {
    Docx::new()
        .page_size(11906, 16838)
        .page_margin(
            PageMargin::new()
                .top(mm(37.0))
                .bottom(mm(35.0))
                .left(mm(28.0))
                .right(mm(26.0))
                .header(mm(15.0))
                .footer(mm(28.0)),
        )
        .default_fonts(fonts(FANGSONG))
        .default_size(BODY)
}

/// A right-aligned line four characters in from the right margin: the 落款 and its date.
pub(crate) fn right_four(p: Paragraph) -> Paragraph {
    p.align(AlignmentType::Right)
        .indent(None, None, Some(4 * CHAR), None)
}

/// The .docx bytes of a document.
///
/// # Errors
/// When the archive cannot be written (never for an in-memory buffer in practice).
pub fn render(doc: &Document) -> Result<Vec<u8>, String> {
    let mut d = page();
    // 发文机关标志 and 文号.
    d = d.add_paragraph(
        Paragraph::new()
            .add_run(run(&doc.issuer, XIAOBIAOSONG, 52).color("FF0000"))
            .align(AlignmentType::Center),
    );
    d = d.add_paragraph(blank());
    let number = doc
        .doc_number
        .clone()
        .unwrap_or_else(|| "（草稿，印发时编号）".to_owned());
    d = d.add_paragraph(para(run(&number, FANGSONG, BODY)).align(AlignmentType::Center));
    d = d.add_paragraph(blank());
    // 标题, then a blank line and 主送.
    d = d.add_paragraph(
        Paragraph::new()
            .add_run(run(&doc.title, XIAOBIAOSONG, TITLE))
            .align(AlignmentType::Center)
            .line_spacing(
                LineSpacing::new()
                    .line_rule(LineSpacingType::Exact)
                    .line(700),
            ),
    );
    d = d.add_paragraph(blank());
    d = d.add_paragraph(para(run(&doc.recipients, FANGSONG, BODY)));
    for b in &doc.body {
        d = d.add_paragraph(match b {
            Block::Heading(t) => indented(t, HEITI),
            Block::SubHeading(t) => indented(t, KAITI),
            Block::Para(t) => indented(t, FANGSONG),
        });
    }
    // 落款 and 成文日期, four characters from the right margin.
    d = d.add_paragraph(blank());
    d = d.add_paragraph(blank());
    d = d.add_paragraph(right_four(para(run(&doc.signature, FANGSONG, BODY))));
    let date = doc
        .date
        .map(text::date)
        .unwrap_or_else(|| "（印发日期）".to_owned());
    d = d.add_paragraph(right_four(para(run(&date, FANGSONG, BODY))));
    if let Some(c) = &doc.contact {
        d = d.add_paragraph(blank());
        d = d.add_paragraph(indented(c, FANGSONG));
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf.into_inner())
}
