//! 单位管理: the office's unit directory (units an import created and nobody checked come
//! first, then by name), and a unit's page: correct its kind, level, parent, e-mail
//! addresses and contact; confirm it; add an alias; merge it into an existing unit.
//! Saving an address queues the unit's undelivered reminders again.

use crate::pages::{PageError, PageResult, me};
use crate::{ApiError, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;
use xiaohao_core::UnitId;
use xiaohao_core::org::{Level, Unit, UnitKind};
use xiaohao_engine::unit_directory::DirectoryRow;
use xiaohao_engine::{Engine, EngineError, Principal};
use xiaohao_store::UnitEdit;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/units", get(directory_page))
        .route("/units/{id}", get(unit_page).post(unit_save))
        .route("/units/{id}/confirm", post(unit_confirm))
        .route("/units/{id}/alias", post(unit_alias))
        .route("/units/{id}/merge", post(unit_merge))
        .merge(crate::unit_channel_pages::routes())
}

#[derive(Deserialize, Default)]
struct DirectoryQuery {
    /// `review` (待核对), `unreachable` (既无邮箱也无群机器人) or all.
    show: Option<String>,
    ok: Option<String>,
}

/// A directory line as the page shows it.
struct UnitLine {
    id: String,
    name: String,
    kind: &'static str,
    level: &'static str,
    aliases: String,
    emails: String,
    contact: String,
    accounts: u64,
    dead_mail: u64,
    robots: usize,
    needs_review: bool,
}

impl UnitLine {
    fn of(r: &DirectoryRow) -> Self {
        let u = &r.unit;
        UnitLine {
            id: u.id.to_string(),
            name: u.name.clone(),
            kind: u.kind.label_zh(),
            level: u.level.map_or("—", level_zh),
            aliases: u.aliases.join("、"),
            emails: u.emails.join("、"),
            contact: u.contact.clone().unwrap_or_default(),
            accounts: r.accounts,
            dead_mail: r.dead_mail,
            robots: r.robots,
            needs_review: u.needs_review,
        }
    }
}

fn level_zh(l: Level) -> &'static str {
    match l {
        Level::Province => "省级",
        Level::City => "市级",
        Level::County => "县级",
        Level::District => "区级",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "units.html")]
struct DirectoryPage {
    me: Option<crate::pages::Me>,
    show: String,
    review: usize,
    unreachable: usize,
    total: usize,
    rows: Vec<UnitLine>,
    flash_ok: Option<String>,
}

async fn directory_page(
    State(state): State<AppState>,
    crate::auth::PageAuth(p): crate::auth::PageAuth,
    Query(q): Query<DirectoryQuery>,
) -> PageResult {
    let engine = &state.engine;
    let all = engine.unit_directory(&p).await?;
    let show = q.show.unwrap_or_default();
    let keep = |r: &DirectoryRow| match show.as_str() {
        "review" => r.unit.needs_review,
        "unreachable" => r.unreachable(),
        _ => true,
    };
    Ok(DirectoryPage {
        me: Some(me(engine, &p).await?),
        review: all.iter().filter(|r| r.unit.needs_review).count(),
        unreachable: all.iter().filter(|r| r.unreachable()).count(),
        total: all.len(),
        rows: all.iter().filter(|r| keep(r)).map(UnitLine::of).collect(),
        show,
        flash_ok: q.ok.as_deref().and_then(|code| {
            code.strip_prefix("merged-")
                .map(|n| format!("已合并，{n} 项事项已随之转至目标单位并记入各自的办理记录。"))
        }),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "unit.html")]
pub(crate) struct UnitPage {
    me: Option<crate::pages::Me>,
    line: UnitLine,
    kinds: Vec<(&'static str, &'static str, bool)>,
    levels: Vec<(&'static str, &'static str, bool)>,
    /// Other units, as (id, name, selected as parent).
    others: Vec<(String, String, bool)>,
    emails_text: String,
    /// Its robots, secrets masked.
    robots: Vec<crate::unit_channel_pages::RobotLine>,
    robot_kinds: Vec<(&'static str, &'static str)>,
    flash_ok: Option<String>,
    error: Option<String>,
}

fn unit_id(raw: &str) -> Result<UnitId, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::from(EngineError::Invalid {
            field: "id".into(),
            message: "not a unit id".into(),
        })
    })
}

pub(crate) async fn unit_view(
    engine: &Engine,
    p: &Principal,
    id: UnitId,
    flash_ok: Option<String>,
    error: Option<String>,
) -> Result<UnitPage, PageError> {
    let all = engine.unit_directory(p).await?;
    let row = all.iter().find(|r| r.unit.id == id).ok_or_else(|| {
        ApiError::from(EngineError::Store(xiaohao_store::StoreError::NotFound {
            what: "unit",
            key: id.to_string(),
        }))
    })?;
    let u: &Unit = &row.unit;
    Ok(UnitPage {
        me: Some(me(engine, p).await?),
        kinds: UnitKind::ALL
            .into_iter()
            .map(|k| (k.as_str(), k.label_zh(), k == u.kind))
            .collect(),
        levels: Level::ALL
            .into_iter()
            .map(|l| (l.as_str(), level_zh(l), Some(l) == u.level))
            .collect(),
        others: all
            .iter()
            .filter(|r| r.unit.id != id)
            .map(|r| {
                (
                    r.unit.id.to_string(),
                    r.unit.name.clone(),
                    Some(r.unit.id) == u.parent,
                )
            })
            .collect(),
        emails_text: u.emails.join("\n"),
        robots: engine
            .unit_channels(p, id)
            .await?
            .iter()
            .map(crate::unit_channel_pages::RobotLine::of)
            .collect(),
        robot_kinds: xiaohao_core::channel::ChannelKind::ALL
            .into_iter()
            .map(|k| (k.as_str(), k.label_zh()))
            .collect(),
        line: UnitLine::of(row),
        flash_ok,
        error,
    })
}

async fn unit_page(
    State(state): State<AppState>,
    crate::auth::PageAuth(p): crate::auth::PageAuth,
    Path(raw): Path<String>,
    Query(q): Query<DirectoryQuery>,
) -> PageResult {
    let id = unit_id(&raw)?;
    let ok = q.ok.as_deref().map(|code| match code {
        "confirmed" => "已确认该单位。".to_owned(),
        "alias" => "已添加别名。".to_owned(),
        "robot-removed" => "已删除该群机器人，尚未发出的提醒不再发往该群。".to_owned(),
        "robot-tested" => "测试消息已送达，请在群中查看。".to_owned(),
        c if c.starts_with("robot-added-") => match c["robot-added-".len()..].parse::<u64>() {
            Ok(0) | Err(_) => "已添加群机器人，今后的提醒将同时发往该群。".to_owned(),
            Ok(n) => format!(
                "已添加群机器人，今后的提醒将同时发往该群；此前未能以邮件送达的 {n} 条提醒将发往该群。"
            ),
        },
        c => match c.strip_prefix("saved-").and_then(|n| n.parse::<u64>().ok()) {
            Some(0) | None => "已保存。".to_owned(),
            Some(n) => format!("已保存；该单位此前未送达的 {n} 条提醒已重新排入发送队列。"),
        },
    });
    Ok(unit_view(&state.engine, &p, id, ok, None)
        .await?
        .into_response())
}

/// The refusal as one sentence on the form, or a page of its own (403, 404, 500).
pub(crate) async fn refused(
    engine: &Engine,
    p: &Principal,
    id: UnitId,
    e: EngineError,
) -> PageResult {
    let msg = match &e {
        EngineError::Conflict(m) if !m.is_ascii() => m.clone(),
        _ => {
            let api = ApiError::from(e);
            if matches!(
                api.status,
                StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED
            ) || api.status.is_server_error()
            {
                return Err(PageError(api));
            }
            match (api.code, api.field.as_deref()) {
                ("duplicate", _) => "该名称已是其他单位的名称或别名。".into(),
                (_, Some("emails" | "email")) => {
                    "邮箱格式不正确（每行一个，例如 gxt@example.gov.cn），最多 10 个。".into()
                }
                (_, Some("contact")) => "联系人不得超过 200 个字符，不含控制字符。".into(),
                (_, Some("parent")) => "上级单位不能是本单位或其下级单位。".into(),
                (_, Some("name" | "aliases")) => "别名须为 1 至 200 个字符，不含控制字符。".into(),
                (_, Some("kind")) => "请选择机器人类型：企业微信群机器人或钉钉群机器人。".into(),
                (_, Some("webhook_url")) => {
                    "Webhook 地址须以 https:// 或 http:// 开头、不含空格，不超过 500 个字符。"
                        .into()
                }
                (_, Some("secret")) => {
                    "加签密钥仅用于钉钉群机器人，须为不超过 200 个英文字符或数字（以 SEC 开头）。"
                        .into()
                }
                (_, Some("channels")) => "每个单位最多添加 10 个群机器人。".into(),
                _ => "操作未能完成：有事项当前状态不能转办，请先在事项页面处理后再合并。".into(),
            }
        }
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        unit_view(engine, p, id, None, Some(msg)).await?,
    )
        .into_response())
}

#[derive(Deserialize)]
struct EditForm {
    kind: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    emails: String,
    #[serde(default)]
    contact: String,
}

async fn unit_save(
    State(state): State<AppState>,
    crate::auth::PageAuth(p): crate::auth::PageAuth,
    Path(raw): Path<String>,
    Form(f): Form<EditForm>,
) -> PageResult {
    let id = unit_id(&raw)?;
    let engine = &state.engine;
    let edit = UnitEdit {
        kind: f.kind.parse().unwrap_or(UnitKind::Department),
        level: f.level.parse().ok(),
        parent: f.parent.parse().ok(),
        emails: f
            .emails
            .split(['\n', ',', ';', '，', '；', '、'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect(),
        contact: Some(f.contact),
    };
    match engine.edit_unit(&p, id, edit).await {
        Ok((_, requeued)) => {
            Ok(Redirect::to(&format!("/units/{id}?ok=saved-{requeued}")).into_response())
        }
        Err(e) => refused(engine, &p, id, e).await,
    }
}

async fn unit_confirm(
    State(state): State<AppState>,
    crate::auth::PageAuth(p): crate::auth::PageAuth,
    Path(raw): Path<String>,
) -> PageResult {
    let id = unit_id(&raw)?;
    match state.engine.confirm_unit(&p, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/units/{id}?ok=confirmed")).into_response()),
        Err(e) => refused(&state.engine, &p, id, e).await,
    }
}

#[derive(Deserialize)]
struct AliasForm {
    alias: String,
}

async fn unit_alias(
    State(state): State<AppState>,
    crate::auth::PageAuth(p): crate::auth::PageAuth,
    Path(raw): Path<String>,
    Form(f): Form<AliasForm>,
) -> PageResult {
    let id = unit_id(&raw)?;
    match state.engine.add_alias_as(&p, id, &f.alias).await {
        Ok(()) => Ok(Redirect::to(&format!("/units/{id}?ok=alias")).into_response()),
        Err(e) => refused(&state.engine, &p, id, e).await,
    }
}

#[derive(Deserialize)]
struct MergeForm {
    into: String,
}

async fn unit_merge(
    State(state): State<AppState>,
    crate::auth::PageAuth(p): crate::auth::PageAuth,
    Path(raw): Path<String>,
    Form(f): Form<MergeForm>,
) -> PageResult {
    let id = unit_id(&raw)?;
    let Ok(into) = f.into.parse::<UnitId>() else {
        let msg = "请选择要并入的单位。".to_owned();
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            unit_view(&state.engine, &p, id, None, Some(msg)).await?,
        )
            .into_response());
    };
    match state.engine.merge_unit(&p, id, into).await {
        Ok(m) => Ok(Redirect::to(&format!("/units?ok=merged-{}", m.items_moved)).into_response()),
        Err(e) => refused(&state.engine, &p, id, e).await,
    }
}
