//! The one entry point for a plan file as uploaded or named on the command
//! line: bytes in (plain text in UTF-8/GB18030, or `.docx`), draft out.

use crate::error::ImportError;
use crate::model::PlanDraft;
use crate::{ParseOptions, decode, docx, parse_plan_with};

/// Default cap on a plan file's size: 20 MB.
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// Options of [`read_plan_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Larger inputs are refused with [`ImportError::TooLarge`].
    pub max_bytes: u64,
    /// Options of the parser.
    pub parse: ParseOptions,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_bytes: DEFAULT_MAX_BYTES,
            parse: ParseOptions::default(),
        }
    }
}

/// The plan text of a file: a `.docx` document (detected by its content,
/// whatever `file_name` says) rendered as text, or plain text decoded from
/// UTF-8, UTF-16 with BOM or GB18030.
///
/// # Errors
/// [`ImportError::TooLarge`] above `max_bytes`; [`ImportError::Empty`] when
/// there is no text; [`ImportError::Docx`] for a damaged `.docx`; the
/// errors of [`decode`] for other binary files or unknown encodings.
pub fn read_plan_text(
    file_name: &str,
    bytes: &[u8],
    max_bytes: u64,
) -> Result<String, ImportError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > max_bytes {
        return Err(ImportError::TooLarge {
            size,
            max: max_bytes,
        });
    }
    let named_docx = file_name.to_ascii_lowercase().ends_with(".docx");
    let text = if docx::is_docx(bytes) {
        docx::docx_to_text(bytes)?
    } else if named_docx && bytes.starts_with(b"PK") {
        return Err(ImportError::Docx("word/document.xml is missing".into()));
    } else {
        decode(bytes)?
    };
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(text)
}

/// Read a plan file with the default [`ReadOptions`] (20 MB cap).
///
/// ```
/// let draft = xiaohao_import::read_plan("plan.txt", "(一)推进A。\n牵头单位:省发改委".as_bytes())
///     .expect("a plan");
/// assert_eq!(draft.tasks[0].lead.as_deref(), Some("省发改委"));
/// ```
///
/// # Errors
/// As [`read_plan_text`].
pub fn read_plan(file_name: &str, bytes: &[u8]) -> Result<PlanDraft, ImportError> {
    read_plan_with(file_name, bytes, &ReadOptions::default())
}

/// Read a plan file with explicit options. Never panics.
///
/// # Errors
/// As [`read_plan_text`].
pub fn read_plan_with(
    file_name: &str,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<PlanDraft, ImportError> {
    let text = read_plan_text(file_name, bytes, options.max_bytes)?;
    Ok(parse_plan_with(&text, &options.parse))
}
