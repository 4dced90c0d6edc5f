//! Webhook robots beside e-mail: 企业微信群机器人 and 钉钉自定义机器人.
//!
//! A robot's outbox row is rendered from the same facts as the e-mail (the same context,
//! the policy's working days late and light) with the markdown templates `robot.single.md`
//! and `robot.digest.md`, and posted as JSON:
//! - WeCom: `{"msgtype":"markdown","markdown":{"content":…}}`;
//! - DingTalk: `{"msgtype":"markdown","markdown":{"title":…,"text":…}}`, with 加签 when the
//!   robot has a secret: `&timestamp=<ms>&sign=<urlencoded base64(HMAC-SHA256(secret,
//!   "{timestamp}\n{secret}"))>` appended to the address.
//!
//! A message counts as delivered only when the answer is 2xx **and** its body's `errcode`
//! is 0 (both robots answer 200 with an `errcode` for a refused message).

use super::MailError;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use xiaohao_core::UnitId;
use xiaohao_core::channel::ChannelKind;
use xiaohao_core::org::Unit;
use xiaohao_store::{Channel, OutboxRow};

/// WeCom takes at most 4096 bytes of markdown; DingTalk 20000. Both are kept under.
const WECOM_MAX_BYTES: usize = 4000;
const DINGTALK_MAX_BYTES: usize = 18000;

/// What a robot posts: DingTalk shows `title` in the conversation list; WeCom has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RobotMessage {
    pub title: String,
    pub text: String,
}

/// DingTalk's 加签: base64 of HMAC-SHA256 with the secret as key over
/// `"{timestamp}\n{secret}"` (not yet URL-encoded).
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let mut mac = <Hmac<sha2_hmac::Sha256>>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// The JSON body for `kind`, the text cut to what the robot accepts.
pub fn body(kind: ChannelKind, msg: &RobotMessage, more_link: &str) -> Value {
    match kind {
        ChannelKind::Wecom => json!({
            "msgtype": "markdown",
            "markdown": { "content": fit(&msg.text, WECOM_MAX_BYTES, more_link) },
        }),
        ChannelKind::Dingtalk => json!({
            "msgtype": "markdown",
            "markdown": {
                "title": msg.title,
                "text": fit(&msg.text, DINGTALK_MAX_BYTES, more_link),
            },
        }),
    }
}

/// `text` when it fits in `max` bytes; otherwise whole lines up to the limit and a line
/// pointing to the system for the rest.
fn fit(text: &str, max: usize, more_link: &str) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let tail = format!("\n\n……内容较多，其余请登录系统查看：{more_link}");
    let budget = max.saturating_sub(tail.len());
    let mut out = String::new();
    for line in text.lines() {
        if out.len() + line.len() + 1 > budget {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(tail.trim_start_matches('\n'));
    out
}

/// The address to post to: the robot's own, signed for a DingTalk robot with a secret.
///
/// # Errors
/// `Unaddressable` when the stored address does not parse.
pub fn target(channel: &Channel, now: DateTime<Utc>) -> Result<reqwest::Url, MailError> {
    let mut url = reqwest::Url::parse(&channel.webhook_url)
        .map_err(|e| MailError::Unaddressable(format!("robot {}: {e}", channel.id)))?;
    if let (ChannelKind::Dingtalk, Some(secret)) = (channel.kind, channel.secret.as_deref()) {
        let ts = now.timestamp_millis();
        url.query_pairs_mut()
            .append_pair("timestamp", &ts.to_string())
            .append_pair("sign", &dingtalk_sign(secret, ts));
    }
    Ok(url)
}

/// An HTTP client for the robots, every request bounded by a timeout.
#[derive(Debug, Clone)]
pub struct RobotClient {
    http: reqwest::Client,
    timeout: Duration,
}

impl RobotClient {
    /// # Errors
    /// `Config` when the HTTP client cannot be built (no TLS roots).
    pub fn new(timeout: Duration) -> Result<RobotClient, MailError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| MailError::Config(format!("robot client: {e}")))?;
        Ok(RobotClient { http, timeout })
    }

    /// Post `msg` to `channel`. Delivered only on a 2xx answer whose `errcode` is 0.
    ///
    /// # Errors
    /// `Unaddressable` for a removed robot or a bad address (no retry helps); `Send` for a
    /// refused or failed request; `Timeout` when the robot does not answer in time.
    pub async fn post(
        &self,
        channel: &Channel,
        msg: &RobotMessage,
        more_link: &str,
        now: DateTime<Utc>,
    ) -> Result<(), MailError> {
        let answer = self.answer(channel, msg, more_link, now).await?;
        if answer.delivered() {
            return Ok(());
        }
        Err(MailError::Send(format!(
            "robot {} answered HTTP {}, errcode {}{}",
            channel.id,
            answer.status,
            answer
                .errcode
                .map_or_else(|| "missing".to_owned(), |c| c.to_string()),
            if answer.errmsg.is_empty() {
                String::new()
            } else {
                format!(" ({})", answer.errmsg)
            }
        )))
    }

    /// Post `msg` to `channel` and return the robot's answer, whatever it says.
    ///
    /// # Errors
    /// As [`RobotClient::post`], except that a refusal is an answer.
    pub async fn answer(
        &self,
        channel: &Channel,
        msg: &RobotMessage,
        more_link: &str,
        now: DateTime<Utc>,
    ) -> Result<Answer, MailError> {
        if channel.removed_at.is_some() {
            return Err(MailError::Unaddressable(format!(
                "robot {} was removed",
                channel.id
            )));
        }
        let url = target(channel, now)?;
        let res = self
            .http
            .post(url)
            .json(&body(channel.kind, msg, more_link))
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    MailError::Timeout(self.timeout.as_secs())
                } else {
                    MailError::Send(format!("robot {}: {}", channel.id, e.without_url()))
                }
            })?;
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        let json: Option<Value> = serde_json::from_str(&text).ok();
        let field = |k: &str| json.as_ref().and_then(|v| v.get(k));
        Ok(Answer {
            status,
            errcode: field("errcode").and_then(Value::as_i64),
            errmsg: field("errmsg")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
        })
    }
}

/// What a robot answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub errcode: Option<i64>,
    pub errmsg: String,
}

impl Answer {
    /// 2xx and `errcode` 0: the robot took the message.
    pub fn delivered(&self) -> bool {
        (200..300).contains(&self.status) && self.errcode == Some(0)
    }
}

impl super::MailWorker {
    /// Render `row` for robot `channel` (markdown, from the same context as the e-mail) and
    /// post it. A robot removed since the row was written makes the row `dead`.
    pub(super) async fn send_to_robot(
        &self,
        row: &OutboxRow,
        channel: uuid::Uuid,
        units: &HashMap<UnitId, Unit>,
    ) -> Result<(), MailError> {
        let channel = match self.engine.store().channel(channel).await {
            Ok(c) => c,
            Err(xiaohao_store::StoreError::NotFound { .. }) => {
                return Err(MailError::Unaddressable(format!(
                    "robot {channel} no longer exists"
                )));
            }
            Err(e) => return Err(e.into()),
        };
        let unit = self.recipient(row, units).await?;
        let (ctx, set) = self.context(row, &unit).await?;
        let msg = RobotMessage {
            title: self
                .templates
                .render(&format!("{set}.subject.txt"), &ctx)?
                .trim()
                .to_owned(),
            text: self
                .templates
                .render(&format!("robot.{set}.md"), &ctx)?
                .trim()
                .to_owned(),
        };
        self.robots
            .post(&channel, &msg, &self.public_url, self.engine.now())
            .await
    }
}

/// The test message an office sends from the unit's page.
pub fn test_message(unit_name: &str, system_name: &str, local_time: &str) -> RobotMessage {
    RobotMessage {
        title: format!("【测试】{system_name}机器人测试"),
        text: format!(
            "### 【测试】{system_name}\n\n本群机器人已接入{system_name}，今后{unit_name}的提醒（交办、催办、督办等）将同时发送至本群。\n\n> 发送时间：{local_time}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_is_cut_at_a_line_and_points_to_the_system() {
        let text = "一行事项说明\n".repeat(1000);
        let cut = fit(&text, WECOM_MAX_BYTES, "https://x");
        assert!(cut.len() <= WECOM_MAX_BYTES, "{}", cut.len());
        assert!(cut.ends_with("其余请登录系统查看：https://x"), "{cut}");
        assert_eq!(fit("短", 10, "x"), "短");
    }

    #[test]
    fn wecom_and_dingtalk_bodies_are_markdown() {
        let m = RobotMessage {
            title: "【督办】".into(),
            text: "**督办**".into(),
        };
        assert_eq!(
            body(ChannelKind::Wecom, &m, "x"),
            json!({"msgtype":"markdown","markdown":{"content":"**督办**"}})
        );
        assert_eq!(
            body(ChannelKind::Dingtalk, &m, "x"),
            json!({"msgtype":"markdown","markdown":{"title":"【督办】","text":"**督办**"}})
        );
    }
}
