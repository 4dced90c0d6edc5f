//! Accounts: users, revocable session/API tokens (kept as SHA-256 hashes only) and the
//! lookups behind every request. Password hashing happens in the engine, not here; changes
//! to an account and the calendar-feed tokens are in `account_admin`.

use crate::entities::{auth_token, chain_leader, chain_unit, user};
use crate::{Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;
use xiaohao_core::{AccountRole, ChainId, PersonId, UnitId};

/// A user account as the rest of the system sees it (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub unit: UnitId,
    pub role: AccountRole,
    pub person: Option<PersonId>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// An administrator set a temporary password: the user must choose a new one first.
    pub must_change_password: bool,
    pub last_login_at: Option<DateTime<Utc>>,
}

/// What a new account needs; `password_hash` is already an argon2 PHC string.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub unit: UnitId,
    pub role: AccountRole,
    pub person: Option<PersonId>,
    pub password_hash: String,
    /// The password is temporary (set by an administrator): changed at first login.
    pub must_change_password: bool,
}

/// The two kinds of token a user can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Browser session in an HttpOnly cookie.
    Session,
    /// Bearer token for API clients.
    Api,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Api => "api",
        }
    }
}

/// Who holds a token, with what the API needs of them on every request.
#[derive(Debug, Clone)]
pub struct TokenHolder {
    pub user: User,
    pub via: TokenKind,
    pub unit_name: String,
    /// The chains the user's unit belongs to.
    pub unit_chains: Vec<ChainId>,
}

fn user_from_row(u: user::Model) -> StoreResult<User> {
    Ok(User {
        id: u.id,
        role: u
            .role
            .parse()
            .map_err(|e: String| StoreError::Corrupt(format!("user {}: {e}", u.username)))?,
        username: u.username,
        display_name: u.display_name,
        unit: u.unit_id.into(),
        person: u.person_id.map(Into::into),
        disabled: u.disabled,
        created_at: u.created_at,
        must_change_password: u.must_change_password,
        last_login_at: u.last_login_at,
    })
}

impl Store {
    /// # Errors
    /// `Duplicate` when the username is taken; a database error when the unit is unknown.
    pub async fn create_user(&self, new: NewUser, now: DateTime<Utc>) -> StoreResult<User> {
        let row = user::Model {
            id: Uuid::now_v7(),
            username: new.username.trim().to_owned(),
            display_name: new.display_name.trim().to_owned(),
            unit_id: new.unit.0,
            role: new.role.as_str().to_owned(),
            person_id: new.person.map(|p| p.0),
            password_hash: new.password_hash,
            disabled: false,
            created_at: now,
            must_change_password: new.must_change_password,
            last_login_at: None,
        };
        let username = row.username.clone();
        user::Entity::insert(row.clone().into_active_model())
            .exec_without_returning(&self.db)
            .await
            .map_err(|e| StoreError::unique(e, "username", &username))?;
        user_from_row(row)
    }

    /// The user and their password hash, for a login.
    ///
    /// # Errors
    /// On database failure; an unknown name is `Ok(None)`.
    pub async fn user_for_login(&self, username: &str) -> StoreResult<Option<(User, String)>> {
        match user::Entity::find()
            .filter(user::Column::Username.eq(username.trim()))
            .one(&self.db)
            .await?
        {
            Some(row) => {
                let hash = row.password_hash.clone();
                Ok(Some((user_from_row(row)?, hash)))
            }
            None => Ok(None),
        }
    }

    /// # Errors
    /// `NotFound` for an unknown id.
    pub async fn user(&self, id: Uuid) -> StoreResult<User> {
        user_from_row(
            user::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .ok_or_else(|| StoreError::not_found("user", id))?,
        )
    }

    /// # Errors
    /// On database failure.
    pub async fn users(&self) -> StoreResult<Vec<User>> {
        user::Entity::find()
            .order_by_asc(user::Column::Username)
            .all(&self.db)
            .await?
            .into_iter()
            .map(user_from_row)
            .collect()
    }

    /// Store a token by its hash.
    ///
    /// # Errors
    /// On database failure.
    pub async fn insert_token(
        &self,
        token_hash: &str,
        user: Uuid,
        kind: TokenKind,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        auth_token::Model {
            token_hash: token_hash.to_owned(),
            user_id: user,
            kind: kind.as_str().to_owned(),
            created_at: now,
            expires_at,
            revoked_at: None,
        }
        .into_active_model()
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// The enabled user holding a live (unexpired, unrevoked) token with this hash, how the
    /// token was issued, the name of the user's unit and the chains that unit belongs to —
    /// one statement (a row per chain), since every API request starts here.
    ///
    /// # Errors
    /// On database failure; an unknown or dead token is `Ok(None)`.
    pub async fn user_by_token(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<TokenHolder>> {
        use crate::entities::unit;
        use sea_orm::sea_query::{Alias, Asterisk, ExprTrait, Query};
        use sea_orm::{ConnectionTrait, FromQueryResult, JoinType};
        let stmt = Query::select()
            .column((user::Entity, Asterisk))
            .expr_as(
                Expr::col((auth_token::Entity, auth_token::Column::Kind)),
                Alias::new("token_kind"),
            )
            .expr_as(
                Expr::col((unit::Entity, unit::Column::Name)),
                Alias::new("unit_name"),
            )
            .from(auth_token::Entity)
            .join(
                JoinType::InnerJoin,
                user::Entity,
                Expr::col((user::Entity, user::Column::Id))
                    .equals((auth_token::Entity, auth_token::Column::UserId)),
            )
            .expr_as(
                Expr::col((chain_unit::Entity, chain_unit::Column::ChainId)),
                Alias::new("unit_chain_id"),
            )
            .join(
                JoinType::InnerJoin,
                unit::Entity,
                Expr::col((unit::Entity, unit::Column::Id))
                    .equals((user::Entity, user::Column::UnitId)),
            )
            .join(
                JoinType::LeftJoin,
                chain_unit::Entity,
                Expr::col((chain_unit::Entity, chain_unit::Column::UnitId))
                    .equals((user::Entity, user::Column::UnitId)),
            )
            .and_where(
                Expr::col((auth_token::Entity, auth_token::Column::TokenHash)).eq(token_hash),
            )
            .and_where(Expr::col((auth_token::Entity, auth_token::Column::RevokedAt)).is_null())
            .and_where(Expr::col((auth_token::Entity, auth_token::Column::ExpiresAt)).gt(now))
            .to_owned();
        let rows = self.db.query_all(&stmt).await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let user = user_from_row(user::Model::from_query_result(row, "")?)?;
        if user.disabled {
            return Ok(None);
        }
        let kind = if row.try_get::<String>("", "token_kind")? == TokenKind::Api.as_str() {
            TokenKind::Api
        } else {
            TokenKind::Session
        };
        let unit_name: String = row.try_get("", "unit_name")?;
        let mut unit_chains = Vec::new();
        for r in &rows {
            if let Some(c) = r.try_get::<Option<Uuid>>("", "unit_chain_id")? {
                unit_chains.push(ChainId::from(c));
            }
        }
        unit_chains.sort();
        unit_chains.dedup();
        Ok(Some(TokenHolder {
            user,
            via: kind,
            unit_name,
            unit_chains,
        }))
    }

    /// Revoke one token (logout).
    ///
    /// # Errors
    /// On database failure.
    pub async fn revoke_token(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        auth_token::Entity::update_many()
            .col_expr(auth_token::Column::RevokedAt, Expr::value(now))
            .filter(auth_token::Column::TokenHash.eq(token_hash))
            .filter(auth_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Revoke every token of a user; returns how many were live.
    ///
    /// # Errors
    /// On database failure.
    pub async fn revoke_user_tokens(&self, user: Uuid, now: DateTime<Utc>) -> StoreResult<u64> {
        Ok(auth_token::Entity::update_many()
            .col_expr(auth_token::Column::RevokedAt, Expr::value(now))
            .filter(auth_token::Column::UserId.eq(user))
            .filter(auth_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    /// Delete tokens that expired, or were revoked, before `before`; returns how many.
    ///
    /// # Errors
    /// On database failure.
    pub async fn purge_tokens(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        Ok(auth_token::Entity::delete_many()
            .filter(
                sea_orm::Condition::any()
                    .add(auth_token::Column::ExpiresAt.lt(before))
                    .add(auth_token::Column::RevokedAt.lt(before)),
            )
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    /// Chains a unit is linked to (as lead or responsible unit).
    ///
    /// # Errors
    /// On database failure.
    pub async fn chains_of_unit(&self, unit: UnitId) -> StoreResult<Vec<ChainId>> {
        let mut out: Vec<ChainId> = chain_unit::Entity::find()
            .filter(chain_unit::Column::UnitId.eq(unit.0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| c.chain_id.into())
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Chains a person leads.
    ///
    /// # Errors
    /// On database failure.
    pub async fn chains_led_by(&self, person: PersonId) -> StoreResult<Vec<ChainId>> {
        Ok(chain_leader::Entity::find()
            .filter(chain_leader::Column::PersonId.eq(person.0))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| c.chain_id.into())
            .collect())
    }
}
