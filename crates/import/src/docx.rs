//! `.docx` input: the document's paragraphs (with their automatic numbering
//! printed, `一、` `(一)` `1.`) and tables (one `|` row per table row,
//! merged cells honoured) as plan text, read with `zip` and `quick-xml`.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::ImportError;

/// Largest decompressed XML part read (a zip bomb stops here).
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

/// Whether `bytes` are a ZIP container holding a Word document.
pub(crate) fn is_docx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        && zip::ZipArchive::new(Cursor::new(bytes))
            .is_ok_and(|z| z.index_for_name("word/document.xml").is_some())
}

fn docx_error(e: impl std::fmt::Display) -> ImportError {
    ImportError::Docx(e.to_string())
}

fn read_part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, ImportError> {
    let Ok(file) = zip.by_name(name) else {
        return Ok(None);
    };
    let mut text = String::new();
    file.take(MAX_PART_BYTES)
        .read_to_string(&mut text)
        .map_err(docx_error)?;
    Ok(Some(text))
}

/// The text of a `.docx` document: one line per paragraph, one `|` row per
/// table row.
///
/// # Errors
/// [`ImportError::Docx`] when the container or its XML cannot be read.
pub(crate) fn docx_to_text(bytes: &[u8]) -> Result<String, ImportError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(docx_error)?;
    let document = read_part(&mut zip, "word/document.xml")?
        .ok_or_else(|| docx_error("word/document.xml is missing"))?;
    let numbering = match read_part(&mut zip, "word/numbering.xml")? {
        Some(xml) => Numbering::parse(&xml)?,
        None => Numbering::default(),
    };
    Walker::new(numbering).run(&document)
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .map(|a| a.value.into_owned())
}

/// One level of a numbering definition.
#[derive(Debug, Clone, Default)]
struct LevelDef {
    format: String,
    text: String,
    start: u32,
}

/// `word/numbering.xml`: numbering instances and their level formats.
#[derive(Debug, Clone, Default)]
struct Numbering {
    abstracts: HashMap<String, HashMap<u32, LevelDef>>,
    /// numId → abstractNumId.
    instances: HashMap<String, String>,
    /// Counters per numId and level.
    counters: HashMap<String, Vec<u32>>,
}

impl Numbering {
    fn parse(xml: &str) -> Result<Self, ImportError> {
        let mut n = Numbering::default();
        let mut reader = Reader::from_str(xml);
        let mut abs: Option<String> = None;
        let mut num: Option<String> = None;
        let mut level: Option<(u32, LevelDef)> = None;
        loop {
            match reader.read_event().map_err(docx_error)? {
                Event::Eof => break,
                Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                    "abstractNum" => abs = attr(&e, "w:abstractNumId"),
                    "num" => num = attr(&e, "w:numId"),
                    "abstractNumId" => {
                        if let (Some(id), Some(a)) = (num.clone(), attr(&e, "w:val")) {
                            n.instances.insert(id, a);
                        }
                    }
                    "lvl" => {
                        let ilvl = attr(&e, "w:ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                        level = Some((
                            ilvl,
                            LevelDef {
                                start: 1,
                                ..LevelDef::default()
                            },
                        ));
                    }
                    "start" => {
                        if let (Some((_, l)), Some(v)) = (level.as_mut(), attr(&e, "w:val")) {
                            l.start = v.parse().unwrap_or(1);
                        }
                    }
                    "numFmt" => {
                        if let (Some((_, l)), Some(v)) = (level.as_mut(), attr(&e, "w:val")) {
                            l.format = v;
                        }
                    }
                    "lvlText" => {
                        if let (Some((_, l)), Some(v)) = (level.as_mut(), attr(&e, "w:val")) {
                            l.text = v;
                        }
                    }
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    "lvl" => {
                        if let (Some(a), Some((i, l))) = (abs.as_ref(), level.take()) {
                            n.abstracts.entry(a.clone()).or_default().insert(i, l);
                        }
                    }
                    "abstractNum" => abs = None,
                    "num" => num = None,
                    _ => {}
                },
                _ => {}
            }
        }
        Ok(n)
    }

    /// The label printed for the next paragraph of `num_id` at `ilvl`.
    fn next_label(&mut self, num_id: &str, ilvl: u32) -> Option<String> {
        let levels = self.abstracts.get(self.instances.get(num_id)?)?;
        let def = levels.get(&ilvl)?;
        let depth = usize::try_from(ilvl).ok()?.min(8);
        let counters = self.counters.entry(num_id.to_owned()).or_default();
        if counters.len() <= depth {
            counters.resize(depth + 1, 0);
        }
        counters.truncate(depth + 1);
        for (i, c) in counters.iter_mut().enumerate() {
            if *c == 0 {
                let start = u32::try_from(i)
                    .ok()
                    .and_then(|i| levels.get(&i))
                    .map_or(1, |l| l.start);
                *c = if i == depth {
                    start.saturating_sub(1)
                } else {
                    start
                };
            }
        }
        counters[depth] = counters[depth].saturating_add(1);
        if def.format == "none" || def.format == "bullet" {
            return None;
        }
        let mut label = def.text.clone();
        for (i, value) in counters.iter().enumerate() {
            let format = u32::try_from(i)
                .ok()
                .and_then(|i| levels.get(&i))
                .map_or("decimal", |l| l.format.as_str());
            label = label.replace(&format!("%{}", i + 1), &format_number(*value, format));
        }
        Some(label)
    }
}

/// A counter in a Word number format.
fn format_number(n: u32, format: &str) -> String {
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "chineseLegalSimplified"
        | "ideographDigital"
        | "japaneseCounting"
        | "taiwaneseCounting" => chinese(n),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(u32::from('①') + n - 1).map_or_else(|| n.to_string(), String::from)
        }
        "upperLetter" | "lowerLetter" if (1..=26).contains(&n) => {
            let base = if format == "upperLetter" { b'A' } else { b'a' };
            char::from(base + u8::try_from(n - 1).unwrap_or(0)).to_string()
        }
        _ => n.to_string(),
    }
}

/// `12` → `十二`, `20` → `二十` (up to 99; larger numbers stay digits).
fn chinese(n: u32) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let digit = |d: u32| DIGITS[usize::try_from(d).unwrap_or(0) % 10];
    match n {
        0..=9 => digit(n).to_owned(),
        10..=19 => format!("十{}", if n == 10 { "" } else { digit(n - 10) }),
        20..=99 => format!(
            "{}十{}",
            digit(n / 10),
            if n.is_multiple_of(10) {
                ""
            } else {
                digit(n % 10)
            }
        ),
        _ => n.to_string(),
    }
}

/// One table cell while it is read.
#[derive(Debug, Clone, Default)]
struct Cell {
    paras: Vec<String>,
    span: usize,
    /// `Some(true)` starts a vertical merge, `Some(false)` continues one.
    vmerge: Option<bool>,
}

#[derive(Debug, Default)]
struct TableState {
    rows: Vec<Vec<Cell>>,
    row: Vec<Cell>,
    cell: Option<Cell>,
}

/// Walks `word/document.xml` and writes lines.
struct Walker {
    numbering: Numbering,
    out: Vec<String>,
    tables: Vec<TableState>,
    para: Option<String>,
    num: (Option<String>, u32),
    in_text: bool,
}

impl Walker {
    fn new(numbering: Numbering) -> Self {
        Walker {
            numbering,
            out: Vec::new(),
            tables: Vec::new(),
            para: None,
            num: (None, 0),
            in_text: false,
        }
    }

    fn run(mut self, xml: &str) -> Result<String, ImportError> {
        let mut reader = Reader::from_str(xml);
        loop {
            match reader.read_event().map_err(docx_error)? {
                Event::Eof => break,
                Event::Start(e) => self.start(&e, false),
                Event::Empty(e) => self.start(&e, true),
                Event::End(e) => self.end(e.local_name().as_ref()),
                Event::Text(t) if self.in_text => {
                    if let Some(p) = self.para.as_mut() {
                        p.push_str(&t.into_inner());
                    }
                }
                Event::CData(t) if self.in_text => {
                    if let Some(p) = self.para.as_mut() {
                        p.push_str(&t.into_inner());
                    }
                }
                Event::GeneralRef(r) if self.in_text => {
                    let c = match r.resolve_char_ref().ok().flatten() {
                        Some(c) => Some(c),
                        None => match r.into_inner().as_ref() {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" => Some('\''),
                            _ => None,
                        },
                    };
                    if let (Some(p), Some(c)) = (self.para.as_mut(), c) {
                        p.push(c);
                    }
                }
                _ => {}
            }
        }
        Ok(self.out.join("\n"))
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        match e.local_name().as_ref() {
            "p" if !empty => {
                self.para = Some(String::new());
                self.num = (None, 0);
            }
            "t" if !empty => self.in_text = true,
            "tab" => self.push_char('\t'),
            "br" | "cr" => self.push_char('\n'),
            "numId" => self.num.0 = attr(e, "w:val").filter(|v| v != "0"),
            "ilvl" => self.num.1 = attr(e, "w:val").and_then(|v| v.parse().ok()).unwrap_or(0),
            "tbl" if !empty => self.tables.push(TableState::default()),
            "tc" if !empty => {
                if let Some(t) = self.tables.last_mut() {
                    t.cell = Some(Cell {
                        span: 1,
                        ..Cell::default()
                    });
                }
            }
            "gridSpan" => {
                let span = attr(e, "w:val").and_then(|v| v.parse().ok()).unwrap_or(1);
                if let Some(c) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    c.span = usize::clamp(span, 1, 64);
                }
            }
            "vMerge" => {
                let restart = attr(e, "w:val").is_some_and(|v| v == "restart");
                if let Some(c) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    c.vmerge = Some(restart);
                }
            }
            _ => {}
        }
    }

    fn push_char(&mut self, c: char) {
        if let Some(p) = self.para.as_mut() {
            p.push(c);
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "t" => self.in_text = false,
            "p" => self.end_paragraph(),
            "tc" => {
                if let Some(t) = self.tables.last_mut()
                    && let Some(c) = t.cell.take()
                {
                    t.row.push(c);
                }
            }
            "tr" => {
                if let Some(t) = self.tables.last_mut() {
                    let row = std::mem::take(&mut t.row);
                    t.rows.push(row);
                }
            }
            "tbl" => {
                if let Some(t) = self.tables.pop() {
                    let lines = render_table(t.rows);
                    match self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        // A table nested in a cell is part of that cell's text.
                        Some(cell) => cell.paras.extend(lines),
                        None => self.out.extend(lines),
                    }
                }
            }
            _ => {}
        }
    }

    fn end_paragraph(&mut self) {
        let Some(text) = self.para.take() else {
            return;
        };
        let label = match self.num.0.clone() {
            Some(id) => self.numbering.next_label(&id, self.num.1),
            None => None,
        };
        let text = match label {
            Some(l) if !text.trim().is_empty() => format!("{l}{}", text.trim_start()),
            _ => text,
        };
        match self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
            Some(cell) => cell.paras.extend(
                text.split('\n')
                    .map(str::to_owned)
                    .filter(|l| !l.trim().is_empty()),
            ),
            None => self.out.push(text),
        }
    }
}

/// The text of a cell on one line: paragraphs that all name units are a
/// unit list (`、`); other paragraphs are joined as they are.
fn cell_text(paras: &[String]) -> String {
    let paras: Vec<&str> = paras
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    let units = paras.len() > 1 && paras.iter().all(|p| crate::units::looks_like_unit(p));
    paras.join(if units { "、" } else { "" }).replace('|', "¦")
}

/// Table rows as `|` lines. A horizontally merged cell fills its first grid
/// column (the others stay empty), a vertically merged one repeats the
/// cell above it, and a row that is one cell across the table is printed
/// alone (`| 二、促进消费 |`, a category row).
fn render_table(rows: Vec<Vec<Cell>>) -> Vec<String> {
    let mut out = Vec::with_capacity(rows.len());
    let mut above: Vec<String> = Vec::new();
    for row in rows {
        if row.len() == 1 && row[0].span > 1 {
            let text = cell_text(&row[0].paras);
            if !text.is_empty() {
                out.push(format!("| {text} |"));
            }
            continue;
        }
        let mut grid: Vec<String> = Vec::new();
        for cell in &row {
            let col = grid.len();
            let text = match cell.vmerge {
                Some(false) => above.get(col).cloned().unwrap_or_default(),
                _ => cell_text(&cell.paras),
            };
            grid.push(text);
            grid.extend(std::iter::repeat_n(String::new(), cell.span - 1));
        }
        if grid.iter().all(String::is_empty) {
            continue;
        }
        out.push(format!("| {} |", grid.join(" | ")));
        above = grid;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers() {
        assert_eq!(chinese(1), "一");
        assert_eq!(chinese(10), "十");
        assert_eq!(chinese(12), "十二");
        assert_eq!(chinese(20), "二十");
        assert_eq!(chinese(35), "三十五");
        assert_eq!(format_number(3, "decimalEnclosedCircle"), "③");
    }
}
