//! 群机器人 on a unit's page: the office adds a 企业微信 or 钉钉 robot (webhook address, the
//! optional DingTalk 加签 secret), sends it a test message, and removes it. Secrets are
//! shown masked; every write goes through the engine.

use crate::ApiError;
use crate::AppState;
use crate::pages::PageResult;
use crate::unit_pages::{refused, unit_view};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use serde::Deserialize;
use uuid::Uuid;
use xiaohao_core::UnitId;
use xiaohao_engine::EngineError;
use xiaohao_engine::unit_channels::{ChannelView, TestOutcome};

/// The name the test message gives the sender.
const SYSTEM_NAME: &str = "对账销号系统";

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/units/{id}/robots", post(robot_add))
        .route("/units/{id}/robots/{robot}/test", post(robot_test))
        .route("/units/{id}/robots/{robot}/remove", post(robot_remove))
}

/// A robot as the unit's page lists it.
pub(crate) struct RobotLine {
    pub id: String,
    pub kind: &'static str,
    pub webhook: String,
    /// `已设置（SEC••••cdef）` or `未设置`; empty for WeCom (no 加签).
    pub secret: String,
    pub added: String,
}

impl RobotLine {
    pub(crate) fn of(c: &ChannelView) -> Self {
        RobotLine {
            id: c.id.to_string(),
            kind: c.kind.label_zh(),
            webhook: c.webhook.clone(),
            secret: match (&c.secret, c.kind.takes_secret()) {
                (Some(s), _) => format!("已设置（{s}）"),
                (None, true) => "未设置".into(),
                (None, false) => String::new(),
            },
            added: crate::pages::zh_date(c.created_at.date_naive()),
        }
    }
}

fn ids(unit: &str, robot: Option<&str>) -> Result<(UnitId, Option<Uuid>), ApiError> {
    let unit = unit
        .parse()
        .map_err(|_| ApiError::from(EngineError::invalid("id", "not a unit id")))?;
    let robot = robot
        .map(|r| {
            r.parse()
                .map_err(|_| ApiError::from(EngineError::invalid("robot", "not a robot id")))
        })
        .transpose()?;
    Ok((unit, robot))
}

#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    webhook_url: String,
    #[serde(default)]
    secret: String,
}

async fn robot_add(
    State(state): State<AppState>,
    crate::auth::PageAuth(p): crate::auth::PageAuth,
    Path(raw): Path<String>,
    Form(f): Form<AddForm>,
) -> PageResult {
    let (id, _) = ids(&raw, None)?;
    let engine = &state.engine;
    let secret = Some(f.secret.as_str()).filter(|s| !s.trim().is_empty());
    match engine
        .add_unit_channel(&p, id, &f.kind, &f.webhook_url, secret)
        .await
    {
        Ok((_, resent)) => {
            Ok(Redirect::to(&format!("/units/{id}?ok=robot-added-{resent}")).into_response())
        }
        Err(e) => refused(engine, &p, id, e).await,
    }
}

async fn robot_remove(
    State(state): State<AppState>,
    crate::auth::PageAuth(p): crate::auth::PageAuth,
    Path((raw, robot)): Path<(String, String)>,
) -> PageResult {
    let (id, robot) = ids(&raw, Some(&robot))?;
    let robot = robot.unwrap_or_default();
    match state.engine.remove_unit_channel(&p, id, robot).await {
        Ok(()) => Ok(Redirect::to(&format!("/units/{id}?ok=robot-removed")).into_response()),
        Err(e) => refused(&state.engine, &p, id, e).await,
    }
}

/// Why a test message did not arrive, in the office's words.
fn not_delivered(o: &TestOutcome) -> String {
    match (o.status, o.errcode) {
        (None, _) => "测试消息未送达：无法连接该机器人地址，请核对 Webhook 地址及网络。".into(),
        (Some(s), _) if !(200..300).contains(&s) => {
            format!("测试消息未送达：机器人地址答复 HTTP {s}，请核对 Webhook 地址。")
        }
        (Some(_), Some(code)) => format!(
            "测试消息未送达：机器人拒收（错误码 {code}{}），请核对 Webhook 地址和加签密钥。",
            if o.errmsg.is_empty() {
                String::new()
            } else {
                format!("，{}", o.errmsg)
            }
        ),
        (Some(_), None) => "测试消息未送达：机器人的答复无法识别，请核对 Webhook 地址。".into(),
    }
}

async fn robot_test(
    State(state): State<AppState>,
    crate::auth::PageAuth(p): crate::auth::PageAuth,
    Path((raw, robot)): Path<(String, String)>,
) -> PageResult {
    let (id, robot) = ids(&raw, Some(&robot))?;
    let robot = robot.unwrap_or_default();
    let engine = &state.engine;
    match engine.test_unit_channel(&p, id, robot, SYSTEM_NAME).await {
        Ok(o) if o.delivered => {
            Ok(Redirect::to(&format!("/units/{id}?ok=robot-tested")).into_response())
        }
        Ok(o) => Ok(unit_view(engine, &p, id, None, Some(not_delivered(&o)))
            .await?
            .into_response()),
        Err(e) => refused(engine, &p, id, e).await,
    }
}
