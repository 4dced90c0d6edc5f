//! 导入计划: an office uploads a plan (.docx, or .txt in UTF-8 or GB18030), reads the parsed
//! draft in an editable table, maps the unit names that match no unit, and confirms: the
//! tasks are filed as drafts (待交办) under a new plan in one transaction.
//!
//! The preview carries the parsed draft in a hidden field and the office's corrections in
//! the table's fields; nothing is stored until the confirmation.

use crate::pages::{PageError, PageResult, me};
use crate::{ApiError, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use xiaohao_core::UnitId;
use xiaohao_engine::plan_review::PlanPreview;
use xiaohao_engine::{EngineError, Principal};
use xiaohao_import::PlanDraft;
use xiaohao_store::StoreError;

/// The largest upload: the importer's own cap.
const MAX_UPLOAD: usize = 20 * 1024 * 1024;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/plans/import", get(upload_page))
        .route(
            "/plans/import/preview",
            post(preview).layer(DefaultBodyLimit::max(MAX_UPLOAD + 64 * 1024)),
        )
        .route(
            "/plans/import/confirm",
            post(confirm).layer(DefaultBodyLimit::max(8 * 1024 * 1024)),
        )
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    items: Option<usize>,
    created: Option<usize>,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan_upload.html")]
struct UploadPage {
    me: Option<crate::pages::Me>,
    flash_ok: Option<String>,
    error: Option<String>,
}

async fn upload_view(
    p: &Principal,
    state: &AppState,
    error: Option<String>,
) -> Result<UploadPage, PageError> {
    if !p.is_office_or_admin() {
        return Err(PageError(ApiError::from(EngineError::Forbidden(
            "only an office imports plans".into(),
        ))));
    }
    Ok(UploadPage {
        me: Some(me(&state.engine, p).await?),
        flash_ok: None,
        error,
    })
}

async fn upload_page(
    State(state): State<AppState>,
    crate::auth::PageAuth(p): crate::auth::PageAuth,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let mut page = upload_view(&p, &state, None).await?;
    if let Some(n) = q.items {
        let created = q.created.unwrap_or(0);
        page.flash_ok = Some(if created > 0 {
            format!("已导入 {n} 项任务，均为待交办；新建单位 {created} 个，请到单位管理中核对。")
        } else {
            format!("已导入 {n} 项任务，均为待交办。")
        });
    }
    Ok(page.into_response())
}

/// A task row of the preview.
struct TaskRow {
    number: String,
    title: String,
    lead: String,
    co: String,
    leaders: String,
    deadline: String,
    chain: String,
    targets: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan_preview.html")]
struct PreviewPage {
    me: Option<crate::pages::Me>,
    file_name: String,
    draft_json: String,
    title: String,
    doc_number: String,
    issuer: String,
    chains: Vec<String>,
    tasks: Vec<TaskRow>,
    unknown: Vec<String>,
    units: Vec<(String, String)>,
    error: Option<String>,
}

async fn preview_view(
    state: &AppState,
    p: &Principal,
    file_name: String,
    preview: PlanPreview,
    error: Option<String>,
) -> Result<PreviewPage, PageError> {
    let d = &preview.draft;
    let units = state
        .engine
        .units()
        .await?
        .into_iter()
        .map(|u| (u.id.to_string(), u.name))
        .collect();
    let mut chains = Vec::new();
    fn walk(c: &xiaohao_import::ChainDraft, depth: usize, out: &mut Vec<String>) {
        let lead = if c.lead_units.is_empty() {
            String::new()
        } else {
            format!("（牵头：{}）", c.lead_units.join("、"))
        };
        out.push(format!("{}{}{lead}", "　".repeat(depth), c.name));
        for ch in &c.children {
            walk(ch, depth + 1, out);
        }
    }
    for c in &d.chains {
        walk(c, 0, &mut chains);
    }
    Ok(PreviewPage {
        me: Some(me(&state.engine, p).await?),
        draft_json: serde_json::to_string(d).unwrap_or_default(),
        title: d.title.clone().unwrap_or_default(),
        doc_number: d.doc_number.clone().unwrap_or_default(),
        issuer: d.issuer.clone().unwrap_or_default(),
        chains,
        tasks: d
            .tasks
            .iter()
            .map(|t| TaskRow {
                number: t.number.clone(),
                title: t.title.clone(),
                lead: t.lead.clone().unwrap_or_default(),
                co: t.co.join("、"),
                leaders: t.leaders.join("、"),
                deadline: t.deadline.clone().unwrap_or_default(),
                chain: t.chain.clone().unwrap_or_default(),
                targets: t
                    .targets
                    .iter()
                    .map(|g| format!("{}{}{}", g.metric, g.value, g.unit))
                    .collect::<Vec<_>>()
                    .join("；"),
            })
            .collect(),
        unknown: preview.unknown_units,
        units,
        file_name,
        error,
    })
}

/// A refusal of the upload or the confirmation, as one sentence of ours.
fn said(e: &EngineError) -> Option<String> {
    match e {
        EngineError::Invalid { field, message } if field == "file" => {
            Some(if message.contains("no task") {
                "未在文件中找到任务条目。请上传任务分工方案的正文（.docx 或 .txt）。".into()
            } else if message.contains("larger") || message.contains("cap") {
                "文件过大，不能超过 20 MB。".into()
            } else {
                "无法读取该文件。请上传 .docx 文件，或另存为 .txt（UTF-8 或 GB18030 编码）后上传。"
                    .into()
            })
        }
        EngineError::Store(StoreError::Duplicate { field, .. }) if field.starts_with("plan") => {
            Some("该计划（文号或标题相同）已经导入过，未重复导入。".into())
        }
        EngineError::Domain(_)
        | EngineError::Invalid { .. }
        | EngineError::Store(StoreError::Invalid(_)) => {
            Some("有内容超出限制（如标题过长、日期有误），请修改后再确认。".into())
        }
        _ => None,
    }
}

async fn preview(
    State(state): State<AppState>,
    crate::auth::PageAuth(p): crate::auth::PageAuth,
    mut form: Multipart,
) -> PageResult {
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("plan.txt").to_owned();
            match field.bytes().await {
                Ok(b) => file = Some((name, b.to_vec())),
                Err(_) => {
                    let msg = "上传未完成或文件过大（不能超过 20 MB），请重试。".to_owned();
                    let page = upload_view(&p, &state, Some(msg)).await?;
                    return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
                }
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let page = upload_view(&p, &state, Some("请选择要上传的计划文件。".into())).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    match state.engine.preview_plan(&p, &name, &bytes).await {
        Ok(preview) => Ok(preview_view(&state, &p, name, preview, None)
            .await?
            .into_response()),
        Err(e) => match said(&e) {
            Some(msg) => {
                let page = upload_view(&p, &state, Some(msg)).await?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            None => Err(PageError(e.into())),
        },
    }
}

/// The office's corrections applied to the parsed draft; returns the unit mapping.
fn apply(draft: &mut PlanDraft, f: &HashMap<String, String>) -> Vec<(String, Option<UnitId>)> {
    let field = |k: &str| f.get(k).map(|v| v.trim().to_owned());
    let opt = |v: Option<String>| v.filter(|s| !s.is_empty());
    draft.title = opt(field("title")).or(draft.title.take());
    draft.doc_number = opt(field("doc_number"));
    draft.issuer = opt(field("issuer"));
    let list = |v: String| -> Vec<String> {
        v.split(['、', ',', '，', ';', '；'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut kept = Vec::new();
    for (i, mut t) in std::mem::take(&mut draft.tasks).into_iter().enumerate() {
        if f.get(&format!("t{i}_keep")).is_none() {
            continue;
        }
        if let Some(v) = opt(field(&format!("t{i}_title"))) {
            t.title = v;
        }
        if let Some(v) = field(&format!("t{i}_number")) {
            t.number = v;
        }
        if let Some(v) = field(&format!("t{i}_lead")) {
            t.lead = opt(Some(v));
        }
        if let Some(v) = field(&format!("t{i}_co")) {
            t.co = list(v);
        }
        if let Some(v) = field(&format!("t{i}_deadline")) {
            t.deadline = opt(Some(v));
        }
        kept.push(t);
    }
    draft.tasks = kept;
    let mut mapping = Vec::new();
    for k in 0.. {
        let Some(name) = field(&format!("u{k}_name")) else {
            break;
        };
        let target = field(&format!("u{k}_map")).and_then(|v| v.parse::<UnitId>().ok());
        mapping.push((name, target));
    }
    mapping
}

async fn confirm(
    State(state): State<AppState>,
    crate::auth::PageAuth(p): crate::auth::PageAuth,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    let Some(mut draft) = f
        .get("draft")
        .and_then(|d| serde_json::from_str::<PlanDraft>(d).ok())
    else {
        let page = upload_view(&p, &state, Some("预览已失效，请重新上传。".into())).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let file_name = f
        .get("file_name")
        .cloned()
        .unwrap_or_else(|| "plan.txt".into());
    let mapping = apply(&mut draft, &f);
    if draft.tasks.is_empty() {
        let unknown = state.engine.unknown_units(&draft).await?;
        let preview = PlanPreview {
            draft,
            unknown_units: unknown,
        };
        let page = preview_view(
            &state,
            &p,
            file_name,
            preview,
            Some("请至少保留一项任务。".into()),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match state
        .engine
        .import_reviewed_plan(&p, draft.clone(), &mapping, &file_name)
        .await
    {
        Ok(summary) => Ok(Redirect::to(&format!(
            "/plans/import?items={}&created={}",
            summary.items.len(),
            summary.units_created.len()
        ))
        .into_response()),
        Err(e) => match said(&e) {
            Some(msg) => {
                let unknown = state.engine.unknown_units(&draft).await?;
                let preview = PlanPreview {
                    draft,
                    unknown_units: unknown,
                };
                let page = preview_view(&state, &p, file_name, preview, Some(msg)).await?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            None => Err(PageError(e.into())),
        },
    }
}
