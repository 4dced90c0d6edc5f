//! The office's forms on an item — 交办, 编辑, 转办, 调整时限 — and the new-item form.
//! Which forms a reader sees is what the domain permits them (the transition table with
//! the office's jurisdiction: [`permitted_actions`]); every post goes through the engine,
//! and a refusal comes back as a fixed Chinese sentence ([`crate::flash`]).

use crate::auth::PageAuth;
use crate::pages::{Me, Names, PageError, PageResult, me};
use crate::{ApiError, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use xiaohao_core::{Action, DomainError, Item, validate};
use xiaohao_engine::workbench::ItemEdit;
use xiaohao_engine::{Engine, EngineError, ItemRequest};

/// A unit in a form's list, with whether it is the item's lead or one of its co-units.
pub struct UnitChoice {
    pub id: String,
    pub name: String,
    pub lead: bool,
    pub co: bool,
}

/// A chain or plan in a form's list.
pub struct Choice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// The office forms of an item page and what they start from.
#[derive(Default)]
pub struct OfficeForms {
    pub assign: bool,
    pub edit: bool,
    pub transfer: bool,
    pub reschedule: bool,
    pub is_draft: bool,
    pub units: Vec<UnitChoice>,
    pub chains: Vec<Choice>,
    pub title: String,
    pub text: String,
    pub number: String,
    pub leader: String,
    /// The deadline as a date input takes it (`YYYY-MM-DD`), or empty.
    pub deadline_iso: String,
}

impl OfficeForms {
    pub(super) async fn load(
        engine: &Engine,
        names: &Names,
        item: &Item,
        actions: &[Action],
    ) -> Result<Self, EngineError> {
        let has = |a: Action| actions.contains(&a);
        let mut out = Self {
            assign: has(Action::Assign),
            edit: has(Action::Edit),
            transfer: has(Action::Transfer),
            reschedule: has(Action::Reschedule),
            ..Self::default()
        };
        if !(out.assign || out.edit || out.transfer || out.reschedule) {
            return Ok(out);
        }
        out.is_draft = item.state == xiaohao_core::ItemState::Draft;
        out.units = unit_choices(names, item);
        out.chains = chain_choices(engine, item.chain_id.map(|c| c.to_string())).await?;
        out.title = item.title.clone();
        out.text = item.text.clone();
        out.number = item.number.clone().unwrap_or_default();
        out.leader = match item.leader {
            Some(p) => engine.person_name(p).await?,
            None => String::new(),
        };
        out.deadline_iso = item
            .deadline
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        Ok(out)
    }
}

fn unit_choices(names: &Names, item: &Item) -> Vec<UnitChoice> {
    names
        .sorted()
        .into_iter()
        .map(|(id, name)| UnitChoice {
            lead: item.lead_unit.is_some_and(|u| u.to_string() == id),
            co: item.co_units.iter().any(|u| u.to_string() == id),
            id,
            name,
        })
        .collect()
}

async fn chain_choices(
    engine: &Engine,
    selected: Option<String>,
) -> Result<Vec<Choice>, EngineError> {
    Ok(engine
        .chains()
        .await?
        .into_iter()
        .map(|c| Choice {
            selected: selected.as_deref() == Some(c.id.to_string().as_str()),
            id: c.id.to_string(),
            name: c.name,
        })
        .collect())
}

/// The first value of a form field, blank as `None`.
fn field(fields: &[(String, String)], name: &str) -> Option<String> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.trim().is_empty())
}

fn all(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

/// 编辑: the item as corrected in the form (`POST /items/{id}/edit`).
pub(in crate::pages) async fn edit_submit(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = crate::api::parse_item_id(&raw)?;
    let version = match field(&fields, "version") {
        Some(v) => Some(v.trim().parse::<i64>().map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "version").field("version")
        })?),
        None => None,
    };
    let req = ItemEdit {
        title: field(&fields, "title"),
        // The text may be emptied on purpose: sent means set.
        text: fields
            .iter()
            .find(|(k, _)| k == "text")
            .map(|(_, v)| v.clone()),
        number: fields
            .iter()
            .find(|(k, _)| k == "number")
            .map(|(_, v)| v.clone()),
        lead_unit: field(&fields, "lead_unit"),
        co_units: Some(all(&fields, "co_units")),
        leader: field(&fields, "leader"),
        chain: field(&fields, "chain"),
        reason: field(&fields, "reason").unwrap_or_default(),
    };
    let target = match state.engine.edit_as(&p, id, version, &req).await {
        Ok(_) => format!("/items/{id}?ok=edit"),
        Err(EngineError::Domain(DomainError::Invalid { field: "edit", .. })) => {
            format!("/items/{id}?error=nothing_changed")
        }
        Err(e) => {
            let api = ApiError::from(e);
            if api.status == StatusCode::NOT_FOUND {
                return Err(PageError(api));
            }
            format!("/items/{id}?{}", crate::flash::error_query(&api))
        }
    };
    Ok(Redirect::to(&target).into_response())
}

/// The new-item form, blank or as sent back with what was wrong.
#[derive(Template, WebTemplate)]
#[template(path = "item_new.html")]
struct NewItemPage {
    me: Option<Me>,
    error: Option<String>,
    units: Vec<UnitChoice>,
    chains: Vec<Choice>,
    plans: Vec<Choice>,
    v: NewItemValues,
}

/// What the form holds (blank at first; as sent after a refusal).
#[derive(Default)]
pub struct NewItemValues {
    pub problem: bool,
    pub title: String,
    pub number: String,
    pub text: String,
    pub leader: String,
    pub deadline: String,
    pub metric: String,
    pub target_value: String,
    pub target_unit: String,
    pub target_year: String,
}

async fn new_item_form(
    engine: &Engine,
    p: &xiaohao_engine::Principal,
    fields: &[(String, String)],
    error: Option<String>,
) -> PageResult {
    let names = Names::load(engine).await?;
    let lead = field(fields, "lead_unit");
    let co = all(fields, "co_units");
    let units = names
        .sorted()
        .into_iter()
        .map(|(id, name)| UnitChoice {
            lead: lead.as_deref() == Some(id.as_str()),
            co: co.contains(&id),
            id,
            name,
        })
        .collect();
    let plan = field(fields, "plan");
    let plans = engine
        .plans()
        .await?
        .into_iter()
        .map(|pl| Choice {
            selected: plan.as_deref() == Some(pl.id.to_string().as_str()),
            id: pl.id.to_string(),
            name: pl.title,
        })
        .collect();
    let text = |k: &str| field(fields, k).unwrap_or_default();
    let page = NewItemPage {
        me: Some(me(engine, p).await?),
        units,
        chains: chain_choices(engine, field(fields, "chain")).await?,
        plans,
        v: NewItemValues {
            problem: field(fields, "kind").as_deref() == Some("problem"),
            title: text("title"),
            number: text("number"),
            text: text("text"),
            leader: text("leader"),
            deadline: text("deadline"),
            metric: text("metric"),
            target_value: text("target_value"),
            target_unit: text("target_unit"),
            target_year: text("target_year"),
        },
        error: error.clone(),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, page).into_response())
}

/// `GET /items/new`: for the roles that file items.
pub(in crate::pages) async fn new_item_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
) -> PageResult {
    if !p.role().may_file() {
        return Err(ApiError::forbidden("only an office files items").into());
    }
    new_item_form(&state.engine, &p, &[], None).await
}

/// The quantified target of the form, if one was typed.
fn target(fields: &[(String, String)]) -> Result<Vec<xiaohao_core::Target>, EngineError> {
    let Some(metric) = field(fields, "metric") else {
        return Ok(Vec::new());
    };
    let value = field(fields, "target_value")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .ok_or_else(|| EngineError::invalid("target", "目标值须为数字"))?;
    let year = match field(fields, "target_year") {
        Some(y) => Some(
            y.trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or_else(|| EngineError::invalid("target", "年份须为 2000–2100 的整数"))?,
        ),
        None => None,
    };
    validate::check(validate::TITLE, &metric)
        .map_err(|_| EngineError::invalid("target", "指标名称过长"))?;
    Ok(vec![xiaohao_core::Target {
        metric: metric.trim().to_owned(),
        value,
        unit: field(fields, "target_unit").unwrap_or_default(),
        year,
        cmp: Some(">=".into()),
    }])
}

/// `POST /items/new`: file the draft, then show it (交办 is on its page and the ledger's).
pub(in crate::pages) async fn new_item_submit(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    if !p.role().may_file() {
        return Err(ApiError::forbidden("only an office files items").into());
    }
    let engine = &state.engine;
    let filed = async {
        let req = ItemRequest {
            kind: field(&fields, "kind"),
            number: field(&fields, "number"),
            title: field(&fields, "title").unwrap_or_default(),
            text: field(&fields, "text").unwrap_or_default(),
            plan: field(&fields, "plan"),
            chain: field(&fields, "chain"),
            lead_unit: field(&fields, "lead_unit"),
            co_units: all(&fields, "co_units"),
            leader: field(&fields, "leader"),
            deadline: field(&fields, "deadline"),
            targets: target(&fields)?,
            ..Default::default()
        };
        engine.file_as(&p, &req).await
    }
    .await;
    match filed {
        Ok(out) => Ok(Redirect::to(&format!("/items/{}?ok=filed", out.item.id)).into_response()),
        Err(e) => {
            let api = ApiError::from(e);
            if api.status.is_server_error() {
                return Err(PageError(api));
            }
            let message = crate::flash::error_text(api.code, api.field.as_deref())
                .unwrap_or_else(|| "填写内容有误，请检查后重新提交。".into());
            new_item_form(engine, &p, &fields, Some(message)).await
        }
    }
}
