//! Bytes → text: UTF-8 (with or without BOM), UTF-16 with BOM, otherwise GB18030.

use encoding_rs::{Encoding, GB18030};

use crate::error::ImportError;

/// Share of control / private-use / replacement characters above which
/// decoded text is considered binary garbage (1 in 50); a NUL always is.
const MAX_CONTROL_RATIO: usize = 50;
/// Fewer suspicious characters than this never make text binary (a stray
/// replacement character in a short note is not garbage).
const MIN_CONTROL: usize = 3;

/// Decode a plan file.
///
/// Order of attempts: a byte-order mark decides (UTF-8, UTF-16LE, UTF-16BE);
/// otherwise strict UTF-8; otherwise strict GB18030 (a superset of GBK and
/// GB2312, the encodings Chinese government sites and Windows use). Known
/// binary containers (PDF, ZIP/OOXML, OLE `.doc`/`.xls`, PNG, JPEG, GIF) and
/// decoded text with many control or private-use characters are rejected.
/// Empty input decodes to an empty string.
///
/// # Errors
/// [`ImportError::BinaryFormat`], [`ImportError::Binary`] or
/// [`ImportError::UnknownEncoding`].
pub fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    if let Some(kind) = binary_signature(bytes) {
        return Err(ImportError::BinaryFormat(kind));
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        return match encoding.decode_without_bom_handling_and_without_replacement(body) {
            Some(text) => check_text(text.into_owned()),
            None => Err(ImportError::UnknownEncoding {
                offset: bom_len + Encoding::utf8_valid_up_to(body),
            }),
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => match gb18030_misread_as_utf8(text, bytes) {
            Some(chinese) => check_text(chinese),
            None => check_text(text.to_owned()),
        },
        Err(utf8_error) => {
            match GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(text) => check_text(text.into_owned()),
                None => Err(ImportError::UnknownEncoding {
                    offset: utf8_error.valid_up_to(),
                }),
            }
        }
    }
}

/// Short GB18030 text can happen to be valid UTF-8 (`扫一扫` is `C9 A8 D2 BB
/// C9 A8`, which UTF-8 reads as `ɨһɨ`). When the UTF-8 reading has no
/// Chinese (nothing beyond U+07FF) and no Western European letters
/// (U+0080–U+00FF, so `café` stays), but the GB18030 reading is Chinese
/// throughout (every non-ASCII character CJK), the GB18030 reading is returned.
fn gb18030_misread_as_utf8(utf8: &str, bytes: &[u8]) -> Option<String> {
    if utf8.is_ascii()
        || utf8
            .chars()
            .any(|c| u32::from(c) >= 0x800 || ('\u{80}'..='\u{FF}').contains(&c))
    {
        return None;
    }
    let gb = GB18030.decode_without_bom_handling_and_without_replacement(bytes)?;
    let mut ideographs = 0;
    for c in gb.chars().filter(|c| !c.is_ascii()) {
        if crate::text::is_han(c) {
            ideographs += 1;
        } else if !matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '“' | '”' | '‘' | '’' | '·')
        {
            return None;
        }
    }
    (ideographs >= 1).then(|| gb.into_owned())
}

fn binary_signature(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: [(&[u8], &str); 7] = [
        (b"%PDF", "PDF"),
        (b"PK\x03\x04", "ZIP (docx/xlsx)"),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "OLE (doc/xls)"),
        (b"\x89PNG", "PNG"),
        (b"\xFF\xD8\xFF", "JPEG"),
        (b"GIF8", "GIF"),
        (b"{\\rtf", "RTF"),
    ];
    SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, kind)| *kind)
}

fn check_text(text: String) -> Result<String, ImportError> {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        total += 1;
        let suspicious = (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0C}'))
            || ('\u{E000}'..='\u{F8FF}').contains(&c)
            || c == '\u{FFFD}';
        if suspicious {
            control += 1;
        }
    }
    if text.contains('\0') || (control >= MIN_CONTROL && control * MAX_CONTROL_RATIO > total) {
        return Err(ImportError::Binary { control, total });
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("牵头单位".as_bytes()).as_deref(), Ok("牵头单位"));
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice("牵头单位".as_bytes());
        assert_eq!(decode(&with_bom).as_deref(), Ok("牵头单位"));
    }

    #[test]
    fn gb18030_is_detected() {
        let (bytes, _, unmappable) = GB18030.encode("责任单位:市工信局、科技局");
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err());
        assert_eq!(decode(&bytes).as_deref(), Ok("责任单位:市工信局、科技局"));
    }

    #[test]
    fn short_gb18030_that_is_valid_utf8() {
        for text in ["扫一扫", "(一)"] {
            let (bytes, _, _) = GB18030.encode(text);
            assert!(std::str::from_utf8(&bytes).is_ok());
            assert_eq!(decode(&bytes).as_deref(), Ok(text));
        }
        // European text stays UTF-8.
        assert_eq!(decode("café".as_bytes()).as_deref(), Ok("café"));
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "一、重点任务".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&bytes).as_deref(), Ok("一、重点任务"));
    }

    #[test]
    fn binary_is_rejected() {
        assert_eq!(
            decode(b"%PDF-1.7 ..."),
            Err(ImportError::BinaryFormat("PDF"))
        );
        assert!(matches!(
            decode(&[0u8, 1, 2, 3, 4, 5, 6, 7]),
            Err(ImportError::Binary { .. })
        ));
        assert!(matches!(
            decode(&[0x81, 0x20, 0xFF, 0xFF]),
            Err(ImportError::UnknownEncoding { .. })
        ));
        assert_eq!(decode(b"").as_deref(), Ok(""));
    }
}
