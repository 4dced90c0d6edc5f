//! The ledger (台账): filtered, paged rows.

use super::{Me, Names, PageResult, Row, me};
use crate::AppState;
use crate::api::{ItemQuery, item_filter};
use crate::auth::PageAuth;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;
use xiaohao_core::{ItemState, Light};

#[derive(Template, WebTemplate)]
#[template(path = "ledger.html")]
struct LedgerPage {
    me: Option<Me>,
    total: u64,
    rows: Vec<Row>,
    states: Vec<(String, String)>,
    lights: Vec<(String, String)>,
    chains: Vec<(String, String)>,
    units: Vec<(String, String)>,
    f_state: String,
    f_light: String,
    f_chain: String,
    f_unit: String,
    f_q: String,
    f_overdue: bool,
    query: String,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize, Default, Clone, serde::Serialize)]
pub(super) struct LedgerQuery {
    state: Option<String>,
    light: Option<String>,
    chain: Option<String>,
    unit: Option<String>,
    q: Option<String>,
    overdue: Option<String>,
    offset: Option<u64>,
}

fn encode_query(q: &LedgerQuery) -> String {
    let mut parts = Vec::new();
    let mut push = |k: &str, v: &Option<String>| {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", crate::auth::url_encode(v)));
        }
    };
    push("state", &q.state);
    push("light", &q.light);
    push("chain", &q.chain);
    push("unit", &q.unit);
    push("q", &q.q);
    push("overdue", &q.overdue);
    parts.join("&")
}

const PAGE: u64 = 50;

pub(super) async fn ledger(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    query: Result<Query<LedgerQuery>, QueryRejection>,
) -> PageResult {
    let Query(q) = query?;
    let engine = &state.engine;
    let offset = q.offset.unwrap_or(0);
    let filter = item_filter(
        engine,
        ItemQuery {
            state: q.state.clone(),
            unit: q.unit.clone(),
            chain: q.chain.clone(),
            light: q.light.clone(),
            overdue: Some(q.overdue.as_deref() == Some("true")),
            q: q.q.clone(),
            limit: Some(PAGE),
            offset: Some(offset),
        },
    )
    .await?;
    let page = engine.list_for(&p, filter).await?;
    let names = Names::load(engine).await?;
    let base = encode_query(&q);
    let with_offset = |o: u64| {
        if base.is_empty() {
            format!("offset={o}")
        } else {
            format!("{base}&offset={o}")
        }
    };
    let mut units: Vec<(String, String)> = names
        .units
        .iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect();
    units.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(LedgerPage {
        me: Some(me(engine, &p).await?),
        total: page.total,
        rows: page.items.iter().map(|i| names.row(i, engine)).collect(),
        states: ItemState::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label_zh().to_owned()))
            .collect(),
        lights: Light::ALL
            .iter()
            .map(|l| (l.as_str().to_owned(), l.label_zh().to_owned()))
            .collect(),
        chains: engine
            .chains()
            .await?
            .into_iter()
            .map(|c| (c.id.to_string(), c.name))
            .collect(),
        units,
        f_state: q.state.clone().unwrap_or_default(),
        f_light: q.light.clone().unwrap_or_default(),
        f_chain: q.chain.clone().unwrap_or_default(),
        f_unit: q.unit.clone().unwrap_or_default(),
        f_q: q.q.clone().unwrap_or_default(),
        f_overdue: q.overdue.as_deref() == Some("true"),
        prev: (offset > 0).then(|| with_offset(offset.saturating_sub(PAGE))),
        next: (offset.saturating_add(PAGE) < page.total).then(|| with_offset(offset + PAGE)),
        query: base,
    }
    .into_response())
}
