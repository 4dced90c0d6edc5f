//! Changes to an account that end its sessions — a new password (with or without a forced
//! change at the next login), disabling and enabling — each one transaction with the
//! revocation of the account's tokens; the time of the last login; and the per-unit
//! calendar-feed tokens, kept as SHA-256 hashes only.

use crate::entities::{auth_token, unit_feed, user};
use crate::{Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter};
use uuid::Uuid;
use xiaohao_core::UnitId;

/// Revoke the live tokens of `user`, except the one whose hash is `keep`.
async fn revoke_tokens<C: ConnectionTrait>(
    db: &C,
    user: Uuid,
    keep: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let mut q = auth_token::Entity::update_many()
        .col_expr(auth_token::Column::RevokedAt, Expr::value(now))
        .filter(auth_token::Column::UserId.eq(user))
        .filter(auth_token::Column::RevokedAt.is_null());
    if let Some(k) = keep {
        q = q.filter(auth_token::Column::TokenHash.ne(k));
    }
    Ok(q.exec(db).await?.rows_affected)
}

impl Store {
    /// Replace a user's password hash and revoke every token of theirs but `keep` (the
    /// session that made the change), in one transaction; returns how many were revoked.
    /// `must_change` marks a temporary password.
    ///
    /// # Errors
    /// `NotFound` for an unknown user.
    pub async fn set_password(
        &self,
        user: Uuid,
        password_hash: String,
        must_change: bool,
        keep: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let txn = self.begin_write().await?;
        let changed = user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
            .col_expr(user::Column::MustChangePassword, Expr::value(must_change))
            .filter(user::Column::Id.eq(user))
            .exec(&txn)
            .await?
            .rows_affected;
        if changed == 0 {
            return Err(StoreError::not_found("user", user));
        }
        let revoked = revoke_tokens(&txn, user, keep, now).await?;
        txn.commit().await?;
        Ok(revoked)
    }

    /// Disable (revoking every token at once) or enable an account; returns how many
    /// tokens were revoked.
    ///
    /// # Errors
    /// `NotFound` for an unknown user.
    pub async fn set_disabled(
        &self,
        user: Uuid,
        disabled: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let txn = self.begin_write().await?;
        let changed = user::Entity::update_many()
            .col_expr(user::Column::Disabled, Expr::value(disabled))
            .filter(user::Column::Id.eq(user))
            .exec(&txn)
            .await?
            .rows_affected;
        if changed == 0 {
            return Err(StoreError::not_found("user", user));
        }
        let revoked = if disabled {
            revoke_tokens(&txn, user, None, now).await?
        } else {
            0
        };
        txn.commit().await?;
        Ok(revoked)
    }

    /// Note a successful login.
    ///
    /// # Errors
    /// On database failure.
    pub async fn record_login(&self, user: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        user::Entity::update_many()
            .col_expr(user::Column::LastLoginAt, Expr::value(now))
            .filter(user::Column::Id.eq(user))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Give a unit a new feed token (by its hash), replacing the old one, which stops
    /// working at once.
    ///
    /// # Errors
    /// On database failure (a unit that does not exist is a foreign-key failure).
    pub async fn rotate_feed_token(
        &self,
        unit: UnitId,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        unit_feed::Entity::insert(
            unit_feed::Model {
                unit_id: unit.0,
                token_hash: token_hash.to_owned(),
                created_at: now,
            }
            .into_active_model(),
        )
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(unit_feed::Column::UnitId)
                .update_columns([unit_feed::Column::TokenHash, unit_feed::Column::CreatedAt])
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    /// When the unit's current feed token was issued, if it has one.
    ///
    /// # Errors
    /// On database failure.
    pub async fn feed_issued_at(&self, unit: UnitId) -> StoreResult<Option<DateTime<Utc>>> {
        Ok(unit_feed::Entity::find_by_id(unit.0)
            .one(&self.db)
            .await?
            .map(|r| r.created_at))
    }

    /// The unit whose feed token has this hash.
    ///
    /// # Errors
    /// On database failure; an unknown hash is `Ok(None)`.
    pub async fn unit_of_feed_hash(&self, token_hash: &str) -> StoreResult<Option<UnitId>> {
        Ok(unit_feed::Entity::find()
            .filter(unit_feed::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?
            .map(|r| r.unit_id.into()))
    }
}
