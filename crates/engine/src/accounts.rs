//! Accounts: creating users, logging in, resolving a token into a [`Principal`] — the user,
//! the domain [`Actor`] they act as and the [`Scope`] of items they may read.
//!
//! Passwords are hashed with argon2id on the blocking pool; tokens are random secrets of
//! which only the SHA-256 is stored, so they can be revoked and a leaked table leaks none.

use crate::{Engine, EngineError};
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::Duration;
use sha2::{Digest, Sha256};
use xiaohao_core::{AccountRole, Actor, Item, ItemId, Jurisdiction, Scope, validate};
use xiaohao_store::{NewUser, StoreError, TokenKind, User};

/// How long a browser session lives.
pub const SESSION_DAYS: i64 = 14;
/// How long an API token lives.
pub const API_TOKEN_DAYS: i64 = 90;
pub use xiaohao_core::password::MIN_PASSWORD_CHARS;

/// What a disabled account is told at login.
pub const ACCOUNT_DISABLED: &str = "该账号已停用，请联系系统管理员。";

/// What a new account is made of (the password in the clear, hashed here; no `Debug`, so
/// it cannot reach a log).
#[derive(Clone, Copy)]
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: Option<&'a str>,
    /// Unit id, name or alias.
    pub unit: &'a str,
    pub role: AccountRole,
    /// Person id or name (leaders: the chains they lead).
    pub person: Option<&'a str>,
    pub password: &'a str,
}

/// A signed-in user, as every request handler sees them.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub actor: Actor,
    pub scope: Scope,
    pub via: TokenKind,
}

impl Principal {
    pub fn role(&self) -> AccountRole {
        self.user.role
    }

    /// An office or an administrator: who keeps the ledger, its plans and the unit directory.
    pub fn is_office_or_admin(&self) -> bool {
        matches!(self.role(), AccountRole::Office | AccountRole::Admin)
    }
}

/// A new secret: 244 random bits from two v4 UUIDs, hex.
pub fn new_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) async fn hash_password(password: String) -> Result<String, EngineError> {
    tokio::task::spawn_blocking(move || {
        PasswordHasher::<PasswordHash>::hash_password(&Argon2::default(), password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| EngineError::Config(format!("cannot hash password: {e}")))
    })
    .await
    .map_err(|e| EngineError::Config(format!("hashing task failed: {e}")))?
}

pub(crate) async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordVerifier::<str>::verify_password(
            &Argon2::default(),
            password.as_bytes(),
            hash.as_str(),
        )
        .is_ok()
    })
    .await
    .unwrap_or(false)
}

impl Engine {
    /// Create an account (the CLI's `user add`) with a password of the user's own.
    ///
    /// # Errors
    /// `Invalid` naming the field (username, unit, person), `WeakPassword`,
    /// `Store(Duplicate)` when the username is taken.
    pub async fn add_user(
        &self,
        username: &str,
        display_name: Option<&str>,
        unit: &str,
        role: AccountRole,
        person: Option<&str>,
        password: &str,
    ) -> Result<User, EngineError> {
        self.add_user_with(
            NewAccount {
                username,
                display_name,
                unit,
                role,
                person,
                password,
            },
            false,
        )
        .await
    }

    /// Create an account; `temporary` marks a password that must be changed at the first
    /// login (an administrator hands it out).
    pub(crate) async fn add_user_with(
        &self,
        new: NewAccount<'_>,
        temporary: bool,
    ) -> Result<User, EngineError> {
        let NewAccount {
            username,
            display_name,
            unit,
            role,
            person,
            password,
        } = new;
        let username = username.trim();
        validate::check(validate::USERNAME, username)?;
        if let Some(d) = display_name {
            validate::check(validate::DISPLAY_NAME, d)?;
        }
        if username.is_empty()
            || username.chars().count() > 100
            || username.chars().any(char::is_whitespace)
        {
            return Err(EngineError::invalid(
                "username",
                "must be 1–100 characters without spaces",
            ));
        }
        xiaohao_core::password::check_new_password(password, username, None)?;
        let unit = self
            .store()
            .resolve_unit(unit.trim())
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => {
                    EngineError::invalid("unit", format!("unknown unit `{unit}`"))
                }
                other => other.into(),
            })?;
        let person = match person {
            Some(p) => Some(self.person_id("person", p).await?),
            None => None,
        };
        let password_hash = hash_password(password.to_owned()).await?;
        Ok(self
            .store()
            .create_user(
                NewUser {
                    username: username.to_owned(),
                    display_name: display_name
                        .filter(|d| !d.trim().is_empty())
                        .unwrap_or(username)
                        .to_owned(),
                    unit: unit.id,
                    role,
                    person,
                    password_hash,
                    must_change_password: temporary,
                },
                self.now(),
            )
            .await?)
    }

    /// Check a password and issue a token of `kind`. Returns the user and the secret,
    /// which is shown once and stored only as a hash.
    ///
    /// # Errors
    /// `Unauthorized` for an unknown user or a wrong password — the same message for
    /// both; `Forbidden` ([`ACCOUNT_DISABLED`]) for a disabled account with the right password.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        kind: TokenKind,
    ) -> Result<(User, String), EngineError> {
        validate::check(validate::USERNAME, username)?;
        validate::check(validate::PASSWORD, password)?;
        let (user, ok) = match self.store().user_for_login(username).await? {
            Some((user, hash)) => {
                let ok = verify_password(password.to_owned(), hash).await;
                (Some(user), ok)
            }
            None => {
                // Spend the same work as a verification, so that response times do not
                // tell which usernames exist.
                let _ = hash_password(password.to_owned()).await;
                (None, false)
            }
        };
        let user = match user {
            Some(u) if ok => u,
            _ => {
                return Err(EngineError::Unauthorized(
                    "用户名或密码错误 (wrong username or password)".into(),
                ));
            }
        };
        // Said only to whoever knows the password, so it tells a guesser nothing.
        if user.disabled {
            return Err(EngineError::Forbidden(ACCOUNT_DISABLED.into()));
        }
        let secret = self.issue_token(&user, kind).await?;
        self.store().record_login(user.id, self.now()).await?;
        // Housekeeping on the way: dead tokens are kept a day for the logs, then dropped,
        // so the table does not grow with every login.
        self.store()
            .purge_tokens(self.now() - Duration::days(1))
            .await?;
        Ok((user, secret))
    }

    /// Issue a new token for an already authenticated user.
    ///
    /// # Errors
    /// On store failure.
    pub async fn issue_token(&self, user: &User, kind: TokenKind) -> Result<String, EngineError> {
        let secret = new_secret();
        let now = self.now();
        let days = match kind {
            TokenKind::Session => SESSION_DAYS,
            TokenKind::Api => API_TOKEN_DAYS,
        };
        self.store()
            .insert_token(
                &token_hash(&secret),
                user.id,
                kind,
                now,
                now + Duration::days(days),
            )
            .await?;
        Ok(secret)
    }

    /// Revoke the token (logout).
    ///
    /// # Errors
    /// On store failure.
    pub async fn logout(&self, token: &str) -> Result<(), EngineError> {
        Ok(self
            .store()
            .revoke_token(&token_hash(token), self.now())
            .await?)
    }

    /// The principal holding a live token, or `None`.
    ///
    /// # Errors
    /// On store failure.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Principal>, EngineError> {
        if validate::check(validate::TOKEN, token).is_err() {
            return Ok(None);
        }
        let Some(holder) = self
            .store()
            .user_by_token(&token_hash(token), self.now())
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(
            self.principal_in(
                holder.user,
                holder.via,
                &holder.unit_name,
                holder.unit_chains,
            )
            .await?,
        ))
    }

    /// Map a user to their actor and scope. The one place where a role becomes a domain
    /// capacity.
    ///
    /// # Errors
    /// On store failure.
    pub async fn principal(&self, user: User, via: TokenKind) -> Result<Principal, EngineError> {
        let unit = self.store().unit(user.unit).await?;
        let chains = self.store().chains_of_unit(unit.id).await?;
        self.principal_in(user, via, &unit.name, chains).await
    }

    /// [`Engine::principal`] when the user's unit name and chains are known already.
    async fn principal_in(
        &self,
        user: User,
        via: TokenKind,
        unit_name: &str,
        unit_chains: Vec<xiaohao_core::ChainId>,
    ) -> Result<Principal, EngineError> {
        let unit_id = user.unit;
        let chains = match user.role {
            AccountRole::Office => unit_chains,
            AccountRole::Leader => {
                let mut c = unit_chains;
                if let Some(p) = user.person {
                    c.extend(self.store().chains_led_by(p).await?);
                }
                c.sort();
                c.dedup();
                c
            }
            _ => Vec::new(),
        };
        let mut actor = user
            .role
            .actor(unit_id, &format!("{}/{}", unit_name, user.display_name));
        if user.role == AccountRole::Office {
            let parents = self.store().unit_parents().await?;
            actor.jurisdiction = Jurisdiction::office(unit_id, &parents);
        }
        let scope = Scope::of(user.role, unit_id, chains, &actor.jurisdiction);
        Ok(Principal {
            user,
            actor,
            scope,
            via,
        })
    }

    /// The item, if `who` may read it; otherwise `NotFound`, so that other units' items
    /// cannot even be probed for existence.
    ///
    /// # Errors
    /// `Store(NotFound)` when missing or out of scope.
    pub async fn visible_item(&self, who: &Principal, id: ItemId) -> Result<Item, EngineError> {
        let item = self.store().item(id).await?;
        if who.scope.admits(&item) {
            Ok(item)
        } else {
            Err(StoreError::NotFound {
                what: "item",
                key: id.to_string(),
            }
            .into())
        }
    }

    /// Revoke all tokens of a user (admin).
    ///
    /// # Errors
    /// `Forbidden` unless `who` is an admin.
    pub async fn revoke_user(&self, who: &Principal, user: uuid::Uuid) -> Result<u64, EngineError> {
        if who.role() != AccountRole::Admin {
            return Err(EngineError::Forbidden(
                "only an administrator may revoke sessions".into(),
            ));
        }
        self.store().user(user).await?;
        Ok(self.store().revoke_user_tokens(user, self.now()).await?)
    }
}
