//! The one validation layer for text and dates that arrive from outside (API, forms, CLI,
//! Excel ledger, plan import): every field's maximum length (matching its column in
//! `migrations/`, counted in characters as PostgreSQL's `varchar(n)` counts them) and the
//! characters it may hold. Checked before any statement, so both databases see the same
//! input and a refusal names the field and the limit.

use crate::DomainError;
use chrono::{Datelike, NaiveDate};

/// What characters a field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chars {
    /// Names, numbers, keys: no control character at all.
    Line,
    /// Long texts: newline and tab, no other control character (no NUL).
    Text,
}

/// One input field: its name (as the API spells it), its maximum length and its characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub max_chars: usize,
    pub chars: Chars,
}

const fn line(name: &'static str, max_chars: usize) -> Field {
    Field {
        name,
        max_chars,
        chars: Chars::Line,
    }
}

const fn text(name: &'static str, max_chars: usize) -> Field {
    Field {
        name,
        max_chars,
        chars: Chars::Text,
    }
}

/// Long free texts (item text, reasons, evidence, report text): `text` columns, bounded here.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Item titles (a `text` column, bounded here).
pub const MAX_TITLE_CHARS: usize = 500;
/// At most this many attachments per report or closure request.
pub const MAX_ATTACHMENTS: usize = 20;

pub const TITLE: Field = line("title", MAX_TITLE_CHARS);
pub const ITEM_TEXT: Field = text("text", MAX_TEXT_CHARS);
/// `items.number varchar(64)`.
pub const NUMBER: Field = line("number", 64);
/// `items.grade varchar(64)`.
pub const GRADE: Field = line("grade", 64);
/// `items.deadline_text varchar(200)`.
pub const DEADLINE_TEXT: Field = line("deadline_text", 200);
/// `targets.metric varchar(200)`.
pub const TARGET_METRIC: Field = line("targets.metric", 200);
/// `targets.unit varchar(32)`.
pub const TARGET_UNIT: Field = line("targets.unit", 32);
/// `progress.actuals[].metric`, matched against `targets.metric`.
pub const ACTUAL_METRIC: Field = line("actuals.metric", 200);
pub const REPORT_TEXT: Field = text("text", MAX_TEXT_CHARS);
/// `progress.period varchar(16)`.
pub const PERIOD: Field = line("period", 16);
/// One attachment: a file name or URL.
pub const ATTACHMENT: Field = line("attachments", 500);
pub const REASON: Field = text("reason", MAX_TEXT_CHARS);
pub const EVIDENCE: Field = text("evidence", MAX_TEXT_CHARS);
pub const COMMENT: Field = text("comment", MAX_TEXT_CHARS);
/// 批示 and its 回复.
pub const INSTRUCTION: Field = text("text", MAX_TEXT_CHARS);
/// The leader a 批示 is written for.
pub const INSTRUCTED_BY: Field = line("by", 100);
/// `escalations.step varchar(32)`.
pub const STEP: Field = line("step", 32);
/// `units.name varchar(200)`, `unit_aliases.alias varchar(200)`; also any unit key
/// (id, name or alias) that is looked up.
pub const UNIT_NAME: Field = line("name", 200);
pub const UNIT_ALIAS: Field = line("aliases", 200);
/// `people.email varchar(320)`; unit e-mail addresses likewise.
pub const EMAIL: Field = line("emails", 320);
/// A unit's contact person and telephone.
pub const CONTACT: Field = line("contact", 200);
/// `people.name varchar(100)`.
pub const PERSON_NAME: Field = line("name", 100);
/// `chains.name varchar(200)`.
pub const CHAIN_NAME: Field = line("chain", 200);
/// `plans.doc_number`, `plans.issuer varchar(200)`.
pub const DOC_NUMBER: Field = line("doc_number", 200);
pub const ISSUER: Field = line("issuer", 200);
pub const PLAN_TITLE: Field = line("title", MAX_TITLE_CHARS);
/// `users.username varchar(100)`.
pub const USERNAME: Field = line("username", 100);
/// `users.display_name varchar(200)`.
pub const DISPLAY_NAME: Field = line("display_name", 200);
/// Passwords are hashed, not stored; the bound keeps argon2's input sane.
pub const PASSWORD: Field = text("password", 1024);
/// The free-text search of item lists.
pub const QUERY: Field = line("q", 200);
/// Session, API and feed tokens as presented (ours are 64 hex digits).
pub const TOKEN: Field = line("token", 128);

/// Check `value` against `field`: its length (in characters) and its characters.
///
/// # Errors
/// `Invalid` naming the field and the limit.
pub fn check(field: Field, value: &str) -> Result<(), DomainError> {
    let count = value.chars().count();
    if count > field.max_chars {
        return Err(DomainError::invalid(
            field.name,
            format!(
                "不得超过 {} 个字符（现有 {count} 个） (at most {} characters)",
                field.max_chars, field.max_chars
            ),
        ));
    }
    let bad = value.chars().find(|c| match field.chars {
        Chars::Line => c.is_control(),
        Chars::Text => c.is_control() && *c != '\n' && *c != '\t' && *c != '\r',
    });
    if let Some(c) = bad {
        let allowed = match field.chars {
            Chars::Line => "不得含控制字符 (no control characters)",
            Chars::Text => {
                "除换行和制表符外不得含控制字符 (no control characters but newline and tab)"
            }
        };
        return Err(DomainError::invalid(
            field.name,
            format!("{allowed}; found U+{:04X}", u32::from(c)),
        ));
    }
    Ok(())
}

/// [`check`] on an optional value.
///
/// # Errors
/// As [`check`].
pub fn check_opt(field: Field, value: Option<&str>) -> Result<(), DomainError> {
    value.map_or(Ok(()), |v| check(field, v))
}

/// [`check`] on each element of a list, and at most `max_items` elements.
///
/// # Errors
/// As [`check`], or `Invalid` when the list is too long.
pub fn check_all(field: Field, values: &[String], max_items: usize) -> Result<(), DomainError> {
    if values.len() > max_items {
        return Err(DomainError::invalid(
            field.name,
            format!(
                "最多 {max_items} 项（现有 {} 项） (at most {max_items} entries)",
                values.len()
            ),
        ));
    }
    values.iter().try_for_each(|v| check(field, v))
}

/// The years a date input may fall in: a plan's deadlines and reports are of this century.
pub const MIN_YEAR: i32 = 2000;
pub const MAX_YEAR: i32 = 2100;

/// A date input (deadline, issue date, period) must fall in [`MIN_YEAR`]..=[`MAX_YEAR`].
///
/// # Errors
/// `Invalid` naming the field and the range.
pub fn check_date(field: &'static str, date: NaiveDate) -> Result<(), DomainError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            format!(
                "日期 {date} 超出范围：年份须在 {MIN_YEAR}–{MAX_YEAR} 之间 (years {MIN_YEAR}–{MAX_YEAR})"
            ),
        ))
    }
}

/// An escalation level is a rung of the ladder: 0 (none) up to the number of steps.
///
/// # Errors
/// `Invalid` naming `level` and the bound.
pub fn check_level(level: i32, steps: usize) -> Result<(), DomainError> {
    let max = i32::try_from(steps).unwrap_or(i32::MAX);
    if (0..=max).contains(&level) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "level",
            format!("督办级别须在 0–{max} 之间（升级阶梯共 {steps} 级），现为 {level} (0..={max})"),
        ))
    }
}

/// The largest page offset: what both databases take in `OFFSET` (a signed 64-bit integer).
pub const MAX_OFFSET: u64 = i64::MAX as u64;
/// Longer pages are clamped to this many rows (not refused).
pub const MAX_PAGE_ROWS: u64 = 1000;

/// A page offset beyond [`MAX_OFFSET`] is refused naming `offset` and the limit.
///
/// # Errors
/// `Invalid` naming `offset`.
pub fn check_offset(offset: u64) -> Result<(), DomainError> {
    if offset <= MAX_OFFSET {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "offset",
            format!("不得超过 {MAX_OFFSET} (at most {MAX_OFFSET})"),
        ))
    }
}

/// A page length: 0 means the default, anything above [`MAX_PAGE_ROWS`] is clamped to it.
pub fn clamp_limit(limit: u64) -> u64 {
    limit.min(MAX_PAGE_ROWS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_counted_in_characters() {
        assert!(check(NUMBER, &"十".repeat(64)).is_ok());
        let e = check(NUMBER, &"十".repeat(65)).unwrap_err();
        assert_eq!(e.field(), Some("number"));
        assert!(e.to_string().contains("64"), "{e}");
    }

    #[test]
    fn names_refuse_every_control_character_texts_keep_newline_and_tab() {
        for c in ['\0', '\n', '\t', '\u{1b}', '\u{7f}'] {
            assert!(check(TITLE, &format!("a{c}b")).is_err(), "{c:?}");
        }
        assert!(check(REPORT_TEXT, "一\n二\t三\r\n").is_ok());
        let e = check(REPORT_TEXT, "a\0b").unwrap_err();
        assert!(e.to_string().contains("U+0000"), "{e}");
    }

    #[test]
    fn dates_fall_in_this_century_and_levels_on_the_ladder() {
        let d = |y| NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
        assert!(check_date("deadline", d(2000)).is_ok());
        assert!(check_date("deadline", d(2100)).is_ok());
        assert!(check_date("deadline", d(0)).is_err());
        assert!(check_date("deadline", d(-1)).is_err());
        assert!(check_date("deadline", d(2101)).is_err());
        assert!(check_level(0, 4).is_ok() && check_level(4, 4).is_ok());
        assert!(check_level(5, 4).is_err() && check_level(-1, 4).is_err());
        assert!(check_level(i32::MAX, 4).is_err());
    }

    #[test]
    fn lists_are_bounded() {
        let many = vec!["a".to_owned(); MAX_ATTACHMENTS + 1];
        assert!(check_all(ATTACHMENT, &many, MAX_ATTACHMENTS).is_err());
        assert!(check_all(ATTACHMENT, &many[..3], MAX_ATTACHMENTS).is_ok());
    }
}
