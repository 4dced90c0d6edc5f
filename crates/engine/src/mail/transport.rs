//! How messages leave: SMTP when `[mail.smtp]` is configured, otherwise `.eml` files under
//! `mail.outbox_dir` so a default install shows what would have been sent.

use super::MailError;
use crate::config::{MailSettings, TlsMode};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub enum Transport {
    Smtp {
        mailer: AsyncSmtpTransport<Tokio1Executor>,
        timeout: Duration,
        describe: String,
    },
    File {
        mailer: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
    },
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Transport {
    /// The transport the settings ask for; relative directories are taken from `home`.
    ///
    /// # Errors
    /// `Config` when the SMTP settings are unusable or the outbox directory cannot be made.
    pub fn from_settings(mail: &MailSettings, home: &Path) -> Result<Transport, MailError> {
        match &mail.smtp {
            Some(smtp) => {
                let host = smtp.host.trim();
                let mut builder = match smtp.tls {
                    TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
                    TlsMode::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                        .map_err(|e| MailError::Config(format!("mail.smtp: {e}")))?,
                    TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                        .map_err(|e| MailError::Config(format!("mail.smtp: {e}")))?,
                };
                let timeout = Duration::from_secs(smtp.timeout_secs.max(1));
                builder = builder
                    .port(smtp.port)
                    .timeout(Some(timeout))
                    // One connection per message in flight.
                    .pool_config(
                        PoolConfig::new()
                            .max_size(u32::try_from(mail.concurrency.max(1)).unwrap_or(4)),
                    );
                if let Some(user) = &smtp.username {
                    builder = builder.credentials(Credentials::new(
                        user.clone(),
                        smtp.password.clone().unwrap_or_default(),
                    ));
                }
                Ok(Transport::Smtp {
                    mailer: builder.build(),
                    timeout,
                    describe: format!("smtp {host}:{} ({:?})", smtp.port, smtp.tls),
                })
            }
            None => {
                let dir = home.join(&mail.outbox_dir);
                Self::file(dir)
            }
        }
    }

    /// `.eml` files in `dir` (created if missing).
    ///
    /// # Errors
    /// `Config` when the directory cannot be created.
    pub fn file(dir: PathBuf) -> Result<Transport, MailError> {
        std::fs::create_dir_all(&dir).map_err(|e| {
            MailError::Config(format!("cannot create mail outbox {}: {e}", dir.display()))
        })?;
        Ok(Transport::File {
            mailer: AsyncFileTransport::<Tokio1Executor>::new(&dir),
            dir,
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Smtp { describe, .. } => describe.clone(),
            Self::File { dir, .. } => format!("files in {}", dir.display()),
        }
    }

    /// Send one message. Every send is bounded by a timeout: lettre's own timeout covers
    /// only connecting, and a stalled server would otherwise hang the worker.
    ///
    /// # Errors
    /// `Send` when the server refuses or the connection fails, `Timeout` when it stalls.
    pub async fn send(&self, message: Message) -> Result<(), MailError> {
        match self {
            Self::Smtp {
                mailer, timeout, ..
            } => match tokio::time::timeout(*timeout, mailer.send(message)).await {
                Err(_) => Err(MailError::Timeout(timeout.as_secs())),
                Ok(Err(e)) if e.is_permanent() => {
                    Err(MailError::Send(format!("refused permanently: {e}")))
                }
                Ok(Err(e)) => Err(MailError::Send(e.to_string())),
                Ok(Ok(_)) => Ok(()),
            },
            Self::File { mailer, .. } => {
                match tokio::time::timeout(Duration::from_secs(30), mailer.send(message)).await {
                    Err(_) => Err(MailError::Timeout(30)),
                    Ok(Err(e)) => Err(MailError::Send(e.to_string())),
                    Ok(Ok(_)) => Ok(()),
                }
            }
        }
    }
}
