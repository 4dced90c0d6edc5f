//! A unit's webhook robots beside its e-mail: 企业微信群机器人 and 钉钉自定义机器人.
//!
//! The rules: what a channel may be (kind, webhook address, the optional DingTalk 加签
//! secret), how much of its secrets a page shows, the dedupe key of a notification's copy
//! for one channel, and when a unit cannot be reached at all.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Longest webhook address kept (`unit_channels.webhook_url varchar(500)`).
pub const MAX_WEBHOOK_CHARS: usize = 500;
/// Longest DingTalk secret kept (`unit_channels.secret varchar(200)`); DingTalk's are
/// `SEC` and 64 hex digits.
pub const MAX_SECRET_CHARS: usize = 200;
/// How many robots one unit may have.
pub const MAX_CHANNELS_PER_UNIT: usize = 10;

/// The kind of a robot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    /// 企业微信群机器人: markdown `content`, no signature.
    Wecom,
    /// 钉钉自定义机器人: markdown `title` and `text`, optional 加签.
    Dingtalk,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 2] = [Self::Wecom, Self::Dingtalk];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wecom => "wecom",
            Self::Dingtalk => "dingtalk",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Wecom => "企业微信群机器人",
            Self::Dingtalk => "钉钉群机器人",
        }
    }

    /// Whether the kind signs its requests with a secret (DingTalk's 加签).
    pub fn takes_secret(self) -> bool {
        matches!(self, Self::Dingtalk)
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChannelKind {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                DomainError::invalid("kind", "须为 wecom 或 dingtalk (wecom or dingtalk)")
            })
    }
}

/// A robot as the office enters it, checked by [`NewChannel::checked`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChannel {
    pub kind: ChannelKind,
    pub webhook_url: String,
    /// DingTalk 加签 secret; `None` without 加签.
    pub secret: Option<String>,
}

impl NewChannel {
    /// The channel trimmed and checked: an `http(s)://host/…` address of at most
    /// [`MAX_WEBHOOK_CHARS`] characters without spaces; a secret only for DingTalk, printable
    /// ASCII of at most [`MAX_SECRET_CHARS`]; and fewer than [`MAX_CHANNELS_PER_UNIT`] robots
    /// on the unit already (`existing`).
    ///
    /// # Errors
    /// `Invalid` naming the field and the limit.
    pub fn checked(
        kind: ChannelKind,
        webhook_url: &str,
        secret: Option<&str>,
        existing: usize,
    ) -> Result<NewChannel, DomainError> {
        let url = webhook_url.trim();
        let count = url.chars().count();
        if count == 0 || count > MAX_WEBHOOK_CHARS {
            return Err(DomainError::invalid(
                "webhook_url",
                format!(
                    "须为 1 至 {MAX_WEBHOOK_CHARS} 个字符 (1 to {MAX_WEBHOOK_CHARS} characters)"
                ),
            ));
        }
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let host_ok = rest.is_some_and(|r| {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !host.starts_with(':')
        });
        if !host_ok || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(DomainError::invalid(
                "webhook_url",
                "须为以 https:// 或 http:// 开头、不含空格的地址 (an http(s) URL without spaces)",
            ));
        }
        let secret = secret.map(str::trim).filter(|s| !s.is_empty());
        if let Some(s) = secret {
            if !kind.takes_secret() {
                return Err(DomainError::invalid(
                    "secret",
                    "企业微信群机器人不使用加签密钥 (only DingTalk robots take a secret)",
                ));
            }
            if s.chars().count() > MAX_SECRET_CHARS || !s.chars().all(|c| c.is_ascii_graphic()) {
                return Err(DomainError::invalid(
                    "secret",
                    format!(
                        "须为不超过 {MAX_SECRET_CHARS} 个可见的英文字符或数字 (at most {MAX_SECRET_CHARS} printable ASCII characters)"
                    ),
                ));
            }
        }
        if existing >= MAX_CHANNELS_PER_UNIT {
            return Err(DomainError::invalid(
                "channels",
                format!(
                    "每个单位最多 {MAX_CHANNELS_PER_UNIT} 个机器人 (at most {MAX_CHANNELS_PER_UNIT} robots per unit)"
                ),
            ));
        }
        Ok(NewChannel {
            kind,
            webhook_url: url.to_owned(),
            secret: secret.map(str::to_owned),
        })
    }
}

/// What a page may show of a secret: its first three and last four characters.
pub fn mask_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() <= 8 {
        return "••••".into();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}••••{tail}")
}

/// What a page may show of a webhook address: the address up to its query, whose values
/// (the robot's `key` or `access_token`, as good as a password) are masked.
pub fn mask_webhook(url: &str) -> String {
    match url.split_once('?') {
        None => url.to_owned(),
        Some((base, query)) => {
            let masked: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) => format!("{k}={}", mask_secret(v)),
                    None => pair.to_owned(),
                })
                .collect();
            format!("{base}?{}", masked.join("&"))
        }
    }
}

/// The dedupe key of a notification's copy for one robot: one copy per channel, ever.
pub fn channel_dedupe_key(base: &str, channel: uuid::Uuid) -> String {
    format!("{base}|robot:{channel}")
}

/// A unit that neither an e-mail nor a robot reaches: the office's 待办 flags it.
pub fn is_unreachable(emails: &[String], robots: usize) -> bool {
    emails.iter().all(|e| e.trim().is_empty()) && robots == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const WECOM: &str =
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa";

    #[test]
    fn a_robot_needs_an_http_address_without_spaces() {
        assert!(NewChannel::checked(ChannelKind::Wecom, WECOM, None, 0).is_ok());
        for bad in [
            "",
            "qyapi.weixin.qq.com/x",
            "ftp://x/y",
            "https://",
            "https://a b/c",
            "https://:80/x",
        ] {
            let e = NewChannel::checked(ChannelKind::Wecom, bad, None, 0).unwrap_err();
            assert_eq!(e.field(), Some("webhook_url"), "{bad}");
        }
        let long = format!("https://x/{}", "a".repeat(MAX_WEBHOOK_CHARS));
        assert!(NewChannel::checked(ChannelKind::Wecom, &long, None, 0).is_err());
    }

    #[test]
    fn only_dingtalk_takes_a_secret_and_an_empty_one_is_none() {
        let e = NewChannel::checked(ChannelKind::Wecom, WECOM, Some("SECabc"), 0).unwrap_err();
        assert_eq!(e.field(), Some("secret"));
        let c = NewChannel::checked(
            ChannelKind::Dingtalk,
            " https://oapi.dingtalk.com/robot/send?access_token=t ",
            Some("  "),
            0,
        )
        .unwrap();
        assert_eq!(c.secret, None);
        assert_eq!(
            c.webhook_url,
            "https://oapi.dingtalk.com/robot/send?access_token=t"
        );
        let e = NewChannel::checked(ChannelKind::Dingtalk, WECOM, Some("SEC 1"), 0).unwrap_err();
        assert_eq!(e.field(), Some("secret"));
    }

    #[test]
    fn a_unit_has_at_most_ten_robots() {
        let e = NewChannel::checked(ChannelKind::Wecom, WECOM, None, MAX_CHANNELS_PER_UNIT)
            .unwrap_err();
        assert_eq!(e.field(), Some("channels"));
    }

    #[test]
    fn secrets_are_never_shown_in_full() {
        let s = "SEC0123456789abcdef0123456789abcdef";
        let m = mask_secret(s);
        assert_eq!(m, "SEC••••cdef");
        assert_eq!(mask_secret("short"), "••••");
        let u = mask_webhook(WECOM);
        assert!(
            u.starts_with("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693"),
            "{u}"
        );
        assert!(!u.contains("7aoc"), "{u}");
    }

    #[test]
    fn a_unit_without_email_and_robot_is_unreachable() {
        assert!(is_unreachable(&[], 0));
        assert!(!is_unreachable(&[], 1));
        assert!(!is_unreachable(&["a@b.cn".into()], 0));
        assert!(is_unreachable(&[" ".into()], 0));
    }

    #[test]
    fn each_channel_gets_its_own_dedupe_key() {
        let a = uuid::Uuid::from_u128(1);
        let b = uuid::Uuid::from_u128(2);
        assert_ne!(channel_dedupe_key("k", a), channel_dedupe_key("k", b));
        assert_eq!(channel_dedupe_key("k", a), channel_dedupe_key("k", a));
    }
}
