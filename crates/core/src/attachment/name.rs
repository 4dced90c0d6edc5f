//! File names as uploaded: the last path component only, no control characters, none of
//! the characters file systems refuse, bounded in length; Chinese kept as typed.

/// The longest name kept, in characters (the extension survives a cut).
pub const MAX_NAME_CHARS: usize = 120;

/// What stands for a name that is empty once cleaned.
const FALLBACK: &str = "附件";

/// Clean an uploaded file name. Never empty.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut out = String::with_capacity(last.len());
    let mut space = false;
    for c in last.chars() {
        if c.is_control() || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}') {
            continue;
        }
        let c = if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
            '_'
        } else {
            c
        };
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    let trimmed = out.trim_matches(|c: char| c == '.' || c == ' ');
    let name = if trimmed.is_empty() {
        FALLBACK.to_owned()
    } else {
        trimmed.to_owned()
    };
    shorten(&name)
}

/// Cut a name to [`MAX_NAME_CHARS`], keeping a short extension.
fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let ext = extension(name)
        .filter(|e| e.chars().count() <= 10)
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    let stem_len = name.chars().count() - ext.chars().count();
    let keep = MAX_NAME_CHARS - ext.chars().count();
    let stem: String = name.chars().take(stem_len.min(keep)).collect();
    format!("{}{ext}", stem.trim_end_matches(['.', ' ']))
}

/// The lowercase extension of a name with a stem (`报告.PDF` → `pdf`; `.pdf` → none).
pub(super) fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() || ext.contains(' ') {
        return None;
    }
    Some(ext.to_lowercase())
}
