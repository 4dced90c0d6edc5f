//! The password rule: what a new password must be (OWASP ASVS 2.1 as the yardstick: a
//! minimum length and no commonly used password; no composition rules). Pure: the list of
//! common passwords is compiled in from `data/common-passwords.txt`.

use crate::DomainError;
use std::collections::HashSet;
use std::sync::OnceLock;

/// The fewest characters a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;

const COMMON_LIST: &str = include_str!("../data/common-passwords.txt");

/// Which part of the rule a password breaks. Each has a fixed Chinese wording for pages
/// and a machine-readable limit for the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRule {
    /// Shorter than [`MIN_PASSWORD_CHARS`].
    MinLength,
    /// On the list of common passwords.
    Common,
    /// The same as the account's name.
    SameAsUsername,
    /// The same as the password it replaces.
    SameAsOld,
}

impl PasswordRule {
    /// The limit as the API reports it next to the field.
    pub fn limit(self) -> String {
        match self {
            Self::MinLength => format!("min_chars:{MIN_PASSWORD_CHARS}"),
            Self::Common => "not_common".to_owned(),
            Self::SameAsUsername => "not_username".to_owned(),
            Self::SameAsOld => "not_previous".to_owned(),
        }
    }

    /// The rule in words, as pages show it.
    pub fn message_zh(self) -> String {
        match self {
            Self::MinLength => format!("密码长度不得少于 {MIN_PASSWORD_CHARS} 个字符"),
            Self::Common => "该密码属于常用密码，容易被猜中，请另设一个".to_owned(),
            Self::SameAsUsername => "密码不得与用户名相同".to_owned(),
            Self::SameAsOld => "新密码不得与原密码相同".to_owned(),
        }
    }
}

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_LIST
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether `password` is on the list of common passwords (case-insensitive, surrounding
/// spaces ignored).
pub fn is_common(password: &str) -> bool {
    common().contains(password.trim().to_lowercase().as_str())
}

/// How many passwords the common list holds.
pub fn common_count() -> usize {
    common().len()
}

/// Check a new password for `username`; `old` is the password it replaces, when known.
///
/// # Errors
/// `WeakPassword` naming the first rule broken.
pub fn check_new_password(
    password: &str,
    username: &str,
    old: Option<&str>,
) -> Result<(), DomainError> {
    crate::validate::check(crate::validate::PASSWORD, password)?;
    let rule = if password.chars().count() < MIN_PASSWORD_CHARS {
        Some(PasswordRule::MinLength)
    } else if is_common(password) {
        Some(PasswordRule::Common)
    } else if password.trim().eq_ignore_ascii_case(username.trim()) {
        Some(PasswordRule::SameAsUsername)
    } else if old == Some(password) {
        Some(PasswordRule::SameAsOld)
    } else {
        None
    };
    rule.map_or(Ok(()), |r| Err(DomainError::WeakPassword(r)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pw: &str, user: &str, old: Option<&str>) -> Option<PasswordRule> {
        match check_new_password(pw, user, old) {
            Ok(()) => None,
            Err(DomainError::WeakPassword(r)) => Some(r),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn length_then_list_then_username_then_old() {
        assert_eq!(rule("short", "u", None), Some(PasswordRule::MinLength));
        assert_eq!(
            rule("一二三四五六七八九", "u", None),
            Some(PasswordRule::MinLength)
        );
        assert_eq!(
            rule("一二三四五六七八九十", "u", None),
            None,
            "counted in characters"
        );
        assert_eq!(rule("Password123", "u", None), Some(PasswordRule::Common));
        assert_eq!(rule("woaini1314", "u", None), Some(PasswordRule::Common));
        assert_eq!(rule("1qaz2wsx3edc", "u", None), Some(PasswordRule::Common));
        assert_eq!(
            rule("zhangsan-gxt", "Zhangsan-GXT", None),
            Some(PasswordRule::SameAsUsername)
        );
        assert_eq!(
            rule("a fine long secret", "u", Some("a fine long secret")),
            Some(PasswordRule::SameAsOld)
        );
        assert_eq!(rule("a fine long secret", "u", Some("other one")), None);
    }

    #[test]
    fn the_list_holds_a_few_hundred_and_spares_the_demo_and_test_passwords() {
        assert!(common_count() >= 300, "{}", common_count());
        for ok in ["xiaohao-demo", "correct horse battery", "bench-password-1"] {
            assert_eq!(rule(ok, "office", None), None, "{ok}");
        }
    }

    #[test]
    fn limits_and_messages_are_fixed() {
        assert_eq!(PasswordRule::MinLength.limit(), "min_chars:10");
        assert!(PasswordRule::MinLength.message_zh().contains("10 个字符"));
        assert_eq!(PasswordRule::Common.limit(), "not_common");
    }
}
