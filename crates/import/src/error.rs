//! Errors of the import crate.

/// Why a byte buffer could not be turned into plan text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The bytes are a known binary container (PDF, Office, ZIP, …).
    #[error(
        "input is a {0} file, not plain text; save or export it as text (UTF-8 or GB18030) first"
    )]
    BinaryFormat(&'static str),
    /// The bytes decode but contain too many control characters to be text.
    #[error("input looks binary: {control} of {total} characters are control characters")]
    Binary {
        /// Number of control (or private-use) characters found.
        control: usize,
        /// Number of characters decoded.
        total: usize,
    },
    /// The bytes are neither valid UTF-8 (with or without BOM), UTF-16 with BOM, nor GB18030.
    #[error("input is neither UTF-8 nor GB18030 text (invalid byte sequence near offset {offset})")]
    UnknownEncoding {
        /// Byte offset of the first invalid sequence in the UTF-8 reading.
        offset: usize,
    },
    /// The input is larger than the configured cap.
    #[error("input is {size} bytes, more than the limit of {max} bytes")]
    TooLarge {
        /// Size of the input in bytes.
        size: u64,
        /// The cap in bytes.
        max: u64,
    },
    /// The input holds no text.
    #[error("input is empty: no text to read")]
    Empty,
    /// A `.docx` file whose container or XML cannot be read.
    #[error("cannot read the .docx document: {0}")]
    Docx(String),
}
