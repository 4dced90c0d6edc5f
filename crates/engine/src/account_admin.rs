//! Account administration: every user changes their own password (the old one required);
//! an administrator creates accounts with a temporary password, resets a password (the
//! user must change it at the next login), disables and enables accounts. Each change of
//! password or disabling revokes the account's sessions and API tokens in the same
//! transaction. Also the calendar-feed tokens: stored as hashes, shown once, rotatable.
//!
//! The `…_as(who, …)` methods check that the caller may; the others are the operator's
//! (CLI) and check nothing but the input.

use crate::accounts::{NewAccount, hash_password, new_secret, token_hash, verify_password};
use crate::{Engine, EngineError, Principal};
use chrono::{DateTime, Utc};
use uuid::Uuid;
use xiaohao_core::password::check_new_password;
use xiaohao_core::{AccountRole, UnitId};
use xiaohao_store::User;

fn admin(who: &Principal) -> Result<(), EngineError> {
    if who.role() == AccountRole::Admin {
        Ok(())
    } else {
        Err(EngineError::Forbidden(
            "只有系统管理员可以管理账号 (only an administrator may manage accounts)".into(),
        ))
    }
}

impl Engine {
    /// The signed-in user changes their own password. The old one must be right; the new
    /// one must pass the password rule and differ from it. Every other session and API
    /// token of the user is revoked; the one presenting `current_token` stays signed in.
    /// Returns how many tokens were revoked.
    ///
    /// # Errors
    /// `Invalid` on `old_password` when it is wrong, `WeakPassword` on the new one.
    pub async fn change_password(
        &self,
        who: &Principal,
        current_token: Option<&str>,
        old: &str,
        new: &str,
    ) -> Result<u64, EngineError> {
        xiaohao_core::validate::check(xiaohao_core::validate::PASSWORD, old)
            .map_err(|_| EngineError::invalid("old_password", "原密码不正确"))?;
        let Some((user, hash)) = self.store().user_for_login(&who.user.username).await? else {
            return Err(EngineError::Unauthorized("请先登录".into()));
        };
        if user.id != who.user.id || !verify_password(old.to_owned(), hash).await {
            return Err(EngineError::invalid("old_password", "原密码不正确"));
        }
        check_new_password(new, &user.username, Some(old))?;
        let hash = hash_password(new.to_owned()).await?;
        let keep = current_token.map(token_hash);
        Ok(self
            .store()
            .set_password(user.id, hash, false, keep.as_deref(), self.now())
            .await?)
    }

    /// Set a user's password (operator): `temporary` makes the user change it at the next
    /// login. Every session and token of the user is revoked; returns how many.
    ///
    /// # Errors
    /// `WeakPassword`; `Store(NotFound)` for an unknown user.
    pub async fn set_password(
        &self,
        user: Uuid,
        password: &str,
        temporary: bool,
    ) -> Result<u64, EngineError> {
        let u = self.store().user(user).await?;
        check_new_password(password, &u.username, None)?;
        let hash = hash_password(password.to_owned()).await?;
        Ok(self
            .store()
            .set_password(user, hash, temporary, None, self.now())
            .await?)
    }

    /// An administrator sets a temporary password; the user must change it at the next
    /// login, and is signed out everywhere now.
    ///
    /// # Errors
    /// `Forbidden` unless `who` is an admin; as [`Engine::set_password`].
    pub async fn reset_password_as(
        &self,
        who: &Principal,
        user: Uuid,
        temporary: &str,
    ) -> Result<u64, EngineError> {
        admin(who)?;
        self.set_password(user, temporary, true).await
    }

    /// Disable (revoking every session and token at once) or enable an account
    /// (operator); returns how many tokens were revoked.
    ///
    /// # Errors
    /// `Store(NotFound)` for an unknown user.
    pub async fn set_user_disabled(&self, user: Uuid, disabled: bool) -> Result<u64, EngineError> {
        Ok(self
            .store()
            .set_disabled(user, disabled, self.now())
            .await?)
    }

    /// [`Engine::set_user_disabled`] by an administrator, who may not disable their own
    /// account (the last way back in would go with it).
    ///
    /// # Errors
    /// `Forbidden` unless `who` is an admin; `Invalid` on `id` for their own account.
    pub async fn set_user_disabled_as(
        &self,
        who: &Principal,
        user: Uuid,
        disabled: bool,
    ) -> Result<u64, EngineError> {
        admin(who)?;
        if disabled && user == who.user.id {
            return Err(EngineError::invalid("id", "不能停用本人的账号"));
        }
        self.set_user_disabled(user, disabled).await
    }

    /// An administrator creates an account; its password is temporary unless
    /// `temporary` is false.
    ///
    /// # Errors
    /// `Forbidden` unless `who` is an admin; as [`Engine::add_user`].
    pub async fn create_account_as(
        &self,
        who: &Principal,
        new: NewAccount<'_>,
        temporary: bool,
    ) -> Result<User, EngineError> {
        admin(who)?;
        self.add_user_with(new, temporary).await
    }

    /// One account (admin).
    ///
    /// # Errors
    /// `Forbidden` unless `who` is an admin; `Store(NotFound)`.
    pub async fn account_as(&self, who: &Principal, user: Uuid) -> Result<User, EngineError> {
        admin(who)?;
        Ok(self.store().user(user).await?)
    }

    /// Every account (admin).
    ///
    /// # Errors
    /// `Forbidden` unless `who` is an admin.
    pub async fn accounts_as(&self, who: &Principal) -> Result<Vec<User>, EngineError> {
        admin(who)?;
        Ok(self.store().users().await?)
    }

    /// Whether `who` may see and rotate the calendar feed of `unit`: its members and
    /// administrators.
    fn feed_keeper(who: &Principal, unit: UnitId) -> Result<(), EngineError> {
        if who.user.unit == unit || who.role() == AccountRole::Admin {
            Ok(())
        } else {
            Err(EngineError::Forbidden(
                "日历订阅地址只发给本单位人员 (a calendar feed is handed out to members of its unit only)"
                    .into(),
            ))
        }
    }

    /// When the unit's current feed token was issued (`None`: it has none yet).
    ///
    /// # Errors
    /// `Forbidden` outside the unit; `Store(NotFound)` for an unknown unit.
    pub async fn feed_issued_at(
        &self,
        who: &Principal,
        unit: UnitId,
    ) -> Result<Option<DateTime<Utc>>, EngineError> {
        Self::feed_keeper(who, unit)?;
        self.store().unit(unit).await?;
        Ok(self.store().feed_issued_at(unit).await?)
    }

    /// Issue a new feed token for the unit and return it — the only time it is seen; only
    /// its hash is kept, and the previous token stops working.
    ///
    /// # Errors
    /// `Forbidden` outside the unit; `Store(NotFound)` for an unknown unit.
    pub async fn rotate_feed_token(
        &self,
        who: &Principal,
        unit: UnitId,
    ) -> Result<String, EngineError> {
        Self::feed_keeper(who, unit)?;
        self.store().unit(unit).await?;
        let token = new_secret();
        self.store()
            .rotate_feed_token(unit, &token_hash(&token), self.now())
            .await?;
        Ok(token)
    }

    /// The unit whose calendar feed `token` opens, if any.
    ///
    /// # Errors
    /// On store failure.
    pub async fn unit_of_feed_token(&self, token: &str) -> Result<Option<UnitId>, EngineError> {
        if xiaohao_core::validate::check(xiaohao_core::validate::TOKEN, token).is_err() {
            return Ok(None);
        }
        Ok(self.store().unit_of_feed_hash(&token_hash(token)).await?)
    }
}
