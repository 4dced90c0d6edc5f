//! The delivery worker: fold digests, claim due rows, render, send, record the outcome.

use super::render::{Entry, group};
use super::{MailError, Templates, Transport};
use crate::Engine;
use crate::config::{MailSettings, Settings};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;
use uuid::Uuid;
use xiaohao_core::UnitId;
use xiaohao_core::org::Unit;
use xiaohao_store::{ClaimSpec, DIGEST_KIND, OutboxRow};

/// What became of one claimed row.
enum Delivered {
    Sent,
    Retried,
    Dead,
    /// The claim had expired and another worker took the row over.
    Lost,
}

/// What one drain did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct DrainReport {
    /// Digest messages created (rows folded into them).
    pub digests: u64,
    pub claimed: u64,
    pub sent: u64,
    pub retried: u64,
    pub dead: u64,
    /// Rows whose claim had expired and been taken over before this worker finished.
    pub lost: u64,
    /// True when quiet hours stopped the drain.
    pub quiet: bool,
}

impl DrainReport {
    fn add(&mut self, other: &DrainReport) {
        self.digests += other.digests;
        self.claimed += other.claimed;
        self.sent += other.sent;
        self.retried += other.retried;
        self.dead += other.dead;
        self.lost += other.lost;
    }
}

impl std::fmt::Display for DrainReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.quiet {
            return f.write_str("quiet hours: nothing sent");
        }
        write!(
            f,
            "{} digests folded, {} claimed, {} sent, {} to retry, {} dead, {} lost claims",
            self.digests, self.claimed, self.sent, self.retried, self.dead, self.lost
        )
    }
}

/// Rows one worker holds under one claim token.
#[derive(Debug)]
pub struct Claim {
    pub token: Uuid,
    pub rows: Vec<OutboxRow>,
}

/// A message ready to hand to the transport.
struct Rendered {
    message: Message,
}

/// `<hash@domain>` from the dedupe key: every copy of one reminder carries the same id.
pub fn message_id_for(dedupe_key: &str, from_address: &str) -> String {
    let hash = hex::encode(Sha256::digest(dedupe_key.as_bytes()));
    let domain = from_address
        .rsplit_once('@')
        .map_or("xiaohao.local", |(_, d)| d);
    format!("<{}.xiaohao@{domain}>", &hash[..32])
}

#[derive(Debug)]
pub struct MailWorker {
    pub(super) engine: Engine,
    pub(super) mail: MailSettings,
    pub(super) public_url: String,
    pub(super) templates: Templates,
    transport: Transport,
    pub(super) robots: super::robot::RobotClient,
    quiet: (NaiveTime, NaiveTime),
    send_at: NaiveTime,
    poll: Duration,
}

impl MailWorker {
    /// A worker with the transport and templates the settings name (time zone and calendar
    /// come from the engine's policy), relative paths
    /// taken from `home`.
    ///
    /// # Errors
    /// `Config`/`Template` for unusable settings or templates.
    pub fn new(engine: Engine, settings: &Settings, home: &Path) -> Result<MailWorker, MailError> {
        let transport = Transport::from_settings(&settings.mail, home)?;
        Self::with_transport(engine, settings, home, transport)
    }

    /// As [`MailWorker::new`] with a given transport.
    ///
    /// # Errors
    /// As [`MailWorker::new`].
    pub fn with_transport(
        engine: Engine,
        settings: &Settings,
        home: &Path,
        transport: Transport,
    ) -> Result<MailWorker, MailError> {
        let mail = settings.mail.clone();
        let time = |k: &str, v: &str| {
            MailSettings::time_of_day(k, v).map_err(|e| MailError::Config(e.to_string()))
        };
        let quiet = (
            time("quiet_start", &mail.quiet_start)?,
            time("quiet_end", &mail.quiet_end)?,
        );
        let send_at = time("send_at", &mail.send_at)?;
        let poll = mail
            .poll_period()
            .map_err(|e| MailError::Config(e.to_string()))?;
        Ok(MailWorker {
            engine,
            public_url: settings.server.public_url.clone(),
            templates: Templates::load(&home.join(&mail.templates_dir))?,
            transport,
            robots: super::robot::RobotClient::new(Duration::from_secs(
                mail.robot_timeout_secs.max(1),
            ))?,
            quiet,
            send_at,
            poll,
            mail,
        })
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    pub(super) fn local(&self, now: DateTime<Utc>) -> chrono::DateTime<Tz> {
        now.with_timezone(&self.engine.policy().timezone)
    }

    /// Whether `now` falls in the quiet hours (no mail at night).
    pub fn is_quiet(&self, now: DateTime<Utc>) -> bool {
        let t = self.local(now).time();
        let (start, end) = self.quiet;
        match start.cmp(&end) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => start <= t && t < end,
            std::cmp::Ordering::Greater => t >= start || t < end,
        }
    }

    fn is_working_day(&self, day: NaiveDate) -> bool {
        self.engine
            .calendar()
            .is_working_day(day)
            .unwrap_or(day.weekday().num_days_from_monday() < 5)
    }

    /// On a working day from `send_at` on, fold each unit's due non-urgent rows into its one
    /// digest for the day. Returns the digest keys created.
    ///
    /// # Errors
    /// On database failure.
    pub async fn fold_due_digests(&self) -> Result<Vec<String>, MailError> {
        let now = self.engine.now();
        let local = self.local(now);
        if !self.mail.digest
            || self.is_quiet(now)
            || local.time() < self.send_at
            || !self.is_working_day(local.date_naive())
        {
            return Ok(Vec::new());
        }
        Ok(self
            .engine
            .store()
            .fold_digests(local.date_naive(), now)
            .await?)
    }

    /// Claim one batch of due rows under a lease.
    ///
    /// # Errors
    /// On database failure.
    pub async fn claim(&self) -> Result<Claim, MailError> {
        let (token, rows) = self
            .engine
            .store()
            .claim_outbox(ClaimSpec {
                now: self.engine.now(),
                lease: chrono::Duration::seconds(
                    i64::try_from(self.mail.lease_secs).unwrap_or(300),
                ),
                limit: self.mail.batch_size.max(1),
                include_non_urgent: !self.mail.digest,
            })
            .await?;
        Ok(Claim { token, rows })
    }

    /// Send everything due now: fold digests, then claim and deliver batches until none is
    /// left. Does nothing in quiet hours.
    ///
    /// # Errors
    /// On database failure (send failures are recorded on the rows, not returned).
    #[tracing::instrument(name = "mail_drain", skip_all)]
    pub async fn drain(&self) -> Result<DrainReport, MailError> {
        let mut report = DrainReport::default();
        if self.is_quiet(self.engine.now()) {
            report.quiet = true;
            return Ok(report);
        }
        // Robots' copies first, so a digest folds them with the e-mail rows they copy.
        self.engine
            .store()
            .fan_out_channels(self.engine.now())
            .await?;
        report.digests = self.fold_due_digests().await?.len() as u64;
        // Bounded: a batch either finishes its rows or pushes them into the future.
        for _ in 0..100_000 {
            let claim = self.claim().await?;
            if claim.rows.is_empty() {
                break;
            }
            let r = self.deliver(claim).await?;
            report.add(&r);
        }
        Ok(report)
    }

    /// Send the claimed rows and record each outcome. Up to `mail.concurrency` rows are in
    /// flight at once: each is still marked as soon as its own send returned (the duplicate
    /// window stays one message wide), while the marks' commits overlap — one commit per
    /// message in sequence is what bounds a single worker on PostgreSQL.
    ///
    /// # Errors
    /// On database failure while recording.
    pub async fn deliver(&self, claim: Claim) -> Result<DrainReport, MailError> {
        use futures_util::stream::{self, StreamExt};
        let mut report = DrainReport {
            claimed: claim.rows.len() as u64,
            ..Default::default()
        };
        // Units are read once per batch, not once per row.
        let mut units = HashMap::new();
        let mut recipients: Vec<UnitId> = claim.rows.iter().map(|r| r.recipient).collect();
        recipients.sort_unstable();
        recipients.dedup();
        for unit in recipients {
            match self.engine.store().unit(unit).await {
                Ok(u) => {
                    units.insert(unit, u);
                }
                // Left out: rendering that row says which unit is missing.
                Err(xiaohao_store::StoreError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let units = &units;
        let token = claim.token;
        // Rows by value: a borrowed item would make this future not `Send` for `spawn`
        // (a known limit of higher-ranked closures in stream adapters).
        let outcomes: Vec<Result<Delivered, MailError>> = stream::iter(claim.rows)
            .map(|row| self.deliver_one(row, token, units))
            .buffer_unordered(self.mail.concurrency.max(1))
            .collect()
            .await;
        for outcome in outcomes {
            match outcome? {
                Delivered::Sent => report.sent += 1,
                Delivered::Retried => report.retried += 1,
                Delivered::Dead => report.dead += 1,
                Delivered::Lost => report.lost += 1,
            }
        }
        Ok(report)
    }

    async fn deliver_one(
        &self,
        row: OutboxRow,
        token: Uuid,
        units: &HashMap<UnitId, Unit>,
    ) -> Result<Delivered, MailError> {
        let store = self.engine.store();
        let max = self.mail.max_attempts;
        let outcome = if row.attempts > max {
            Err(MailError::Send(format!(
                "gave up after {} claims without an outcome",
                row.attempts - 1
            )))
        } else {
            match row.channel {
                Some(channel) => self.send_to_robot(&row, channel, units).await,
                None => match self.render(&row, units).await {
                    Ok(r) => self.transport.send(r.message).await,
                    Err(e) => Err(e),
                },
            }
        };
        let now = self.engine.now();
        Ok(match outcome {
            Ok(()) => {
                if store
                    .mark_sent(row.id, token, now, self.mail.durable_marks)
                    .await?
                {
                    Delivered::Sent
                } else {
                    Delivered::Lost
                }
            }
            Err(e) => {
                let error = e.to_string();
                let retry_at = (!e.is_permanent() && row.attempts < max)
                    .then(|| now + self.backoff(row.attempts));
                tracing::warn!(
                    outbox = %row.id, kind = %row.kind, attempt = row.attempts,
                    "mail not sent: {error}{}",
                    if retry_at.is_some() { "; will retry" } else { "; giving up (dead)" }
                );
                if !store.mark_failed(row.id, token, &error, retry_at).await? {
                    Delivered::Lost
                } else if retry_at.is_some() {
                    Delivered::Retried
                } else {
                    Delivered::Dead
                }
            }
        })
    }

    /// Render and send one claimed row without recording the outcome. A worker killed right
    /// after this is the duplicate window; tests use it to simulate that crash.
    ///
    /// # Errors
    /// As sending.
    pub async fn send_row(&self, row: &OutboxRow) -> Result<(), MailError> {
        if let Some(channel) = row.channel {
            return self.send_to_robot(row, channel, &HashMap::new()).await;
        }
        let rendered = self.render(row, &HashMap::new()).await?;
        self.transport.send(rendered.message).await
    }

    /// Delay before attempt `attempts + 1`: base · 2^(attempts-1), capped.
    fn backoff(&self, attempts: i32) -> chrono::Duration {
        let exp = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(20);
        let secs = self
            .mail
            .backoff_base_secs
            .saturating_mul(1u64 << exp)
            .min(self.mail.backoff_max_secs.max(1));
        chrono::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 2))
    }

    /// The templates' context for `row` addressed to `unit`, and which set of templates
    /// (`single` or `digest`) renders it. E-mail and robots share it: the same facts.
    pub(super) async fn context(
        &self,
        row: &OutboxRow,
        unit: &Unit,
    ) -> Result<(minijinja::Value, &'static str), MailError> {
        let store = self.engine.store();
        let today = self.local(self.engine.now()).date_naive();
        let date = format!("{}年{}月{}日", today.year(), today.month(), today.day());
        if row.kind == DIGEST_KIND {
            let folded = store.folded_into(&row.dedupe_key).await?;
            let mut entries = Vec::with_capacity(folded.len());
            for r in &folded {
                entries.push(self.entry(r, today).await?);
            }
            let total = entries.len();
            let ctx = minijinja_ctx(DigestCtx {
                unit_name: &unit.name,
                date: &date,
                groups: group(entries),
                total,
                system_name: &self.mail.from_name,
                public_url: &self.public_url,
                calendar_notice: (unit.kind == xiaohao_core::org::UnitKind::Office)
                    .then(|| crate::calendar::missing_years_notice(self.engine.policy(), today))
                    .flatten(),
            });
            Ok((ctx, "digest"))
        } else {
            let entry = self.entry(row, today).await?;
            let ctx = minijinja_ctx(SingleCtx {
                unit_name: &unit.name,
                date: &date,
                entry,
                system_name: &self.mail.from_name,
                public_url: &self.public_url,
            });
            Ok((ctx, "single"))
        }
    }

    /// The recipient unit of `row`, from the batch's read when it has it.
    pub(super) async fn recipient(
        &self,
        row: &OutboxRow,
        units: &HashMap<UnitId, Unit>,
    ) -> Result<Unit, MailError> {
        Ok(match units.get(&row.recipient) {
            Some(u) => u.clone(),
            None => self.engine.store().unit(row.recipient).await?,
        })
    }

    async fn render(
        &self,
        row: &OutboxRow,
        units: &HashMap<UnitId, Unit>,
    ) -> Result<Rendered, MailError> {
        let unit = self.recipient(row, units).await?;
        if unit.emails.is_empty() {
            return Err(MailError::Unaddressable(format!(
                "unit {} has no e-mail address",
                unit.name
            )));
        }
        let now = self.engine.now();
        let (ctx, set) = self.context(row, &unit).await?;
        let (subject, text, html) = (
            self.templates.render(&format!("{set}.subject.txt"), &ctx)?,
            self.templates.render(&format!("{set}.txt"), &ctx)?,
            self.templates.render(&format!("{set}.html"), &ctx)?,
        );
        let mut builder = Message::builder()
            .from(self.from()?)
            .subject(subject.trim())
            .message_id(Some(message_id_for(
                &row.dedupe_key,
                &self.mail.from_address,
            )))
            .date(std::time::SystemTime::from(now));
        for addr in &unit.emails {
            let addr = addr.parse().map_err(|e| {
                MailError::Unaddressable(format!("unit {}: `{addr}`: {e}", unit.name))
            })?;
            builder = builder.to(Mailbox::new(Some(unit.name.clone()), addr));
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| MailError::Unaddressable(e.to_string()))?;
        Ok(Rendered { message })
    }

    fn from(&self) -> Result<Mailbox, MailError> {
        let addr = self
            .mail
            .from_address
            .parse()
            .map_err(|e| MailError::Config(format!("mail.from_address: {e}")))?;
        Ok(Mailbox::new(Some(self.mail.from_name.clone()), addr))
    }

    async fn entry(&self, row: &OutboxRow, today: NaiveDate) -> Result<Entry, MailError> {
        let item = match row.item {
            Some(id) => match self.engine.store().item(id).await {
                Ok(it) => Some(it),
                Err(xiaohao_store::StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        Ok(Entry::new(
            row,
            item.as_ref(),
            self.engine.policy(),
            today,
            &self.public_url,
        ))
    }

    /// Send a test message to `address` directly (no outbox row).
    ///
    /// # Errors
    /// `Unaddressable` for a malformed address; a send failure as it happened.
    pub async fn send_test(&self, address: &str) -> Result<(), MailError> {
        let to: lettre::Address = address
            .trim()
            .parse()
            .map_err(|e| MailError::Unaddressable(format!("`{address}`: {e}")))?;
        let now = self.engine.now();
        let text = format!(
            "这是一封测试邮件，说明{}可以向您发送提醒。\n发送方式：{}\n时间：{}\n",
            self.mail.from_name,
            self.transport.describe(),
            self.local(now).format("%Y-%m-%d %H:%M:%S %Z")
        );
        let html = format!(
            "<p>这是一封测试邮件，说明{}可以向您发送提醒。</p>",
            self.mail.from_name
        );
        let message = Message::builder()
            .from(self.from()?)
            .to(Mailbox::new(None, to))
            .subject("【测试】对账销号系统邮件测试")
            .date(std::time::SystemTime::from(now))
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| MailError::Unaddressable(e.to_string()))?;
        self.transport.send(message).await
    }

    /// The background loop of `serve`: drain, sleep `poll_secs`, until `shutdown` turns true
    /// (or its sender is dropped).
    /// A drain in progress finishes before the loop ends.
    pub async fn run(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        tracing::info!("mail worker started ({})", self.transport.describe());
        let poll = self.poll;
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.drain().await {
                Ok(r) if r.claimed > 0 || r.digests > 0 => tracing::info!("mail: {r}"),
                Ok(_) => {}
                Err(e) => tracing::warn!("mail drain failed: {e}"),
            }
            tokio::select! {
                changed = shutdown.changed() => {
                    // A dropped sender means the service is going away too.
                    if changed.is_err() {
                        break;
                    }
                }
                () = tokio::time::sleep(poll) => {}
            }
        }
        tracing::info!("mail worker stopped");
    }
}

#[derive(Serialize)]
struct SingleCtx<'a> {
    unit_name: &'a str,
    date: &'a str,
    entry: Entry,
    system_name: &'a str,
    public_url: &'a str,
}

#[derive(Serialize)]
struct DigestCtx<'a> {
    unit_name: &'a str,
    date: &'a str,
    groups: Vec<super::render::Group>,
    total: usize,
    system_name: &'a str,
    public_url: &'a str,
    /// For offices: the years whose working-day calendar is missing (see
    /// [`xiaohao_core::Policy::missing_calendar_years`]).
    calendar_notice: Option<String>,
}

fn minijinja_ctx<T: Serialize>(t: T) -> minijinja::Value {
    minijinja::Value::from_serialize(&t)
}
