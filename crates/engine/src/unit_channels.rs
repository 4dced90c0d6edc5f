//! A unit's webhook robots (企业微信群机器人, 钉钉自定义机器人), kept by the office on the
//! unit's page: list (secrets masked), add, send a test message, remove. What a robot may be
//! is core's rule (`xiaohao_core::channel`); delivery is the mail worker's.

use crate::mail::robot::{RobotClient, test_message};
use crate::{Engine, EngineError, Principal};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::time::Duration;
use uuid::Uuid;
use xiaohao_core::UnitId;
use xiaohao_core::channel::{ChannelKind, mask_secret, mask_webhook};
use xiaohao_store::Channel;

/// How long a test message may take.
const TEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A robot as a page shows it: its secrets never in full.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelView {
    pub id: Uuid,
    pub kind: ChannelKind,
    /// The address with its token masked.
    pub webhook: String,
    /// The DingTalk 加签 secret, masked; `None` without 加签.
    pub secret: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&Channel> for ChannelView {
    fn from(c: &Channel) -> Self {
        ChannelView {
            id: c.id,
            kind: c.kind,
            webhook: mask_webhook(&c.webhook_url),
            secret: c.secret.as_deref().map(mask_secret),
            created_at: c.created_at,
        }
    }
}

/// What a test message came to.
#[derive(Debug, Clone, Serialize)]
pub struct TestOutcome {
    pub delivered: bool,
    /// The robot's HTTP status; `None` when it could not be reached at all.
    pub status: Option<u16>,
    /// The `errcode` of its answer, when it gave one.
    pub errcode: Option<i64>,
    /// The `errmsg` of its answer, when it gave one.
    pub errmsg: String,
}

fn keeper(who: &Principal) -> Result<(), EngineError> {
    if who.is_office_or_admin() {
        Ok(())
    } else {
        Err(EngineError::Forbidden(
            "only an office or an administrator keeps a unit's robots".into(),
        ))
    }
}

impl Engine {
    /// The robots of `unit`, as the office sees them.
    ///
    /// # Errors
    /// `Forbidden` for anyone but an office or an administrator; `NotFound`.
    pub async fn unit_channels(
        &self,
        who: &Principal,
        unit: UnitId,
    ) -> Result<Vec<ChannelView>, EngineError> {
        keeper(who)?;
        self.store().unit(unit).await?;
        Ok(self
            .store()
            .channels(unit)
            .await?
            .iter()
            .map(ChannelView::from)
            .collect())
    }

    /// Add a robot to `unit`. Its reminders that could not be delivered by e-mail go to the
    /// new robot too. Returns the robot and how many such reminders it will receive.
    ///
    /// # Errors
    /// `Forbidden`; `Domain(Invalid)` naming the field (kind, webhook_url, secret, channels);
    /// `NotFound` for an unknown unit.
    #[tracing::instrument(name = "add_unit_channel", skip_all, fields(unit = %unit))]
    pub async fn add_unit_channel(
        &self,
        who: &Principal,
        unit: UnitId,
        kind: &str,
        webhook_url: &str,
        secret: Option<&str>,
    ) -> Result<(ChannelView, u64), EngineError> {
        keeper(who)?;
        let kind: ChannelKind = kind.parse()?;
        let (channel, resent) = self
            .store()
            .add_channel(unit, kind, webhook_url, secret, self.now())
            .await?;
        tracing::info!(channel = %channel.id, kind = %kind, resent, "robot added");
        Ok((ChannelView::from(&channel), resent))
    }

    /// Remove a robot of `unit`; reminders still queued for it are not sent.
    ///
    /// # Errors
    /// `Forbidden`; `NotFound` when the unit has no such robot.
    #[tracing::instrument(name = "remove_unit_channel", skip_all, fields(unit = %unit, channel = %id))]
    pub async fn remove_unit_channel(
        &self,
        who: &Principal,
        unit: UnitId,
        id: Uuid,
    ) -> Result<(), EngineError> {
        keeper(who)?;
        self.store().remove_channel(unit, id, self.now()).await?;
        tracing::info!("robot removed");
        Ok(())
    }

    /// Send a test message to a robot of `unit` at once (no outbox row: nothing to retry).
    ///
    /// # Errors
    /// `Forbidden`; `NotFound` when the unit has no such robot. A robot that refuses is an
    /// outcome, not an error.
    #[tracing::instrument(name = "test_unit_channel", skip_all, fields(unit = %unit, channel = %id))]
    pub async fn test_unit_channel(
        &self,
        who: &Principal,
        unit: UnitId,
        id: Uuid,
        system_name: &str,
    ) -> Result<TestOutcome, EngineError> {
        keeper(who)?;
        let channel = self.store().channel(id).await?;
        if channel.unit != unit || channel.removed_at.is_some() {
            return Err(xiaohao_store::StoreError::NotFound {
                what: "channel",
                key: id.to_string(),
            }
            .into());
        }
        let name = self.store().unit(unit).await?.name;
        let now = self.now();
        let local = now
            .with_timezone(&self.policy().timezone)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let client =
            RobotClient::new(TEST_TIMEOUT).map_err(|e| EngineError::Config(e.to_string()))?;
        let answer = client
            .answer(&channel, &test_message(&name, system_name, &local), "", now)
            .await;
        let outcome = match answer {
            Ok(a) => TestOutcome {
                delivered: a.delivered(),
                status: Some(a.status),
                errcode: a.errcode,
                errmsg: a.errmsg,
            },
            Err(e) => TestOutcome {
                delivered: false,
                status: None,
                errcode: None,
                errmsg: e.to_string(),
            },
        };
        tracing::info!(delivered = outcome.delivered, "robot tested");
        Ok(outcome)
    }

    /// How many robots each unit has (units without any are absent).
    ///
    /// # Errors
    /// On store failure.
    pub async fn channel_counts(
        &self,
    ) -> Result<std::collections::HashMap<UnitId, usize>, EngineError> {
        Ok(self.store().channel_counts().await?)
    }
}
