//! The ledger (台账) an office works from: filters in the query string (a link can be
//! shared), every column sortable, pages that keep filters and sort, the Excel download of
//! exactly the filtered rows, and the drafts handed out (交办) in bulk ([`assign`]).

mod assign;
mod query;

pub(super) use assign::assign_selected;
pub(crate) use query::LedgerQuery;

use super::{Me, Names, PageResult, Row, me};
use crate::AppState;
use crate::api::item_filter;
use crate::auth::PageAuth;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use query::{Heading, PAGE, headings};
use std::collections::{BTreeSet, HashMap};
use xiaohao_core::{Action, ItemState, Light, permitted_actions};
use xiaohao_engine::{Engine, EngineError};

/// One ledger row: the shared display strings, the chain, and whether the reader may
/// select it for 交办 (the transition table and the office's jurisdiction decide).
pub struct LedgerLine {
    pub r: Row,
    pub chain: String,
    pub selectable: bool,
}

/// The option lists of the filter and 交办 forms: (value, label).
pub struct Choices {
    pub states: Vec<(String, String)>,
    pub lights: Vec<(String, String)>,
    pub chains: Vec<(String, String)>,
    pub units: Vec<(String, String)>,
    pub plans: Vec<(String, String)>,
    pub levels: Vec<(String, String)>,
}

impl Choices {
    async fn load(engine: &Engine, names: &Names) -> Result<Self, EngineError> {
        let mut levels: BTreeSet<(i32, String)> = BTreeSet::new();
        for step in &engine.policy().ladder.steps {
            if !levels.iter().any(|(l, _)| *l == step.level) {
                levels.insert((step.level, step.name.clone()));
            }
        }
        Ok(Self {
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
            units: names.sorted(),
            plans: engine
                .plans()
                .await?
                .into_iter()
                .map(|p| {
                    let label = match p.doc_number {
                        Some(n) => format!("{}（{n}）", p.title),
                        None => p.title,
                    };
                    (p.id.to_string(), label)
                })
                .collect(),
            levels: std::iter::once(("0".to_owned(), "未督办".to_owned()))
                .chain(
                    levels
                        .into_iter()
                        .map(|(l, name)| (l.to_string(), format!("{l}级（{name}）"))),
                )
                .collect(),
        })
    }
}

/// Each chain as the ledger names it: 石化产业链（郭宁宁）, with its leaders (链长).
async fn chain_labels(
    engine: &Engine,
) -> Result<HashMap<xiaohao_core::ChainId, String>, EngineError> {
    let mut people: HashMap<xiaohao_core::PersonId, String> = HashMap::new();
    let mut out = HashMap::new();
    for chain in engine.chains().await? {
        let mut leaders = Vec::new();
        for p in &chain.leaders {
            if !people.contains_key(p) {
                people.insert(*p, engine.person_name(*p).await?);
            }
            leaders.extend(people.get(p).cloned());
        }
        let label = if leaders.is_empty() {
            chain.name
        } else {
            format!("{}（{}）", chain.name, leaders.join("、"))
        };
        out.insert(chain.id, label);
    }
    Ok(out)
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger.html")]
struct LedgerPage {
    me: Option<Me>,
    total: u64,
    first: u64,
    last: u64,
    rows: Vec<LedgerLine>,
    any_selectable: bool,
    choices: Choices,
    headings: Vec<Heading>,
    f: LedgerQuery,
    f_overdue: bool,
    /// Filters only: the download selects the same rows.
    filters: String,
    /// Filters and sort: kept by the filter form and the 交办 form's way back.
    keep: String,
    sort: String,
    dir: String,
    prev: Option<String>,
    next: Option<String>,
    flash_error: Option<String>,
    may_file: bool,
}

pub(super) async fn ledger(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    query: Result<Query<LedgerQuery>, QueryRejection>,
) -> PageResult {
    let Query(q) = query?;
    let engine = &state.engine;
    let offset = q.offset.unwrap_or(0);
    let sort = q.sort()?;
    let filter = item_filter(engine, q.item_query(Some(PAGE), Some(offset))).await?;
    let page = engine.ledger_page_for(&p, filter, sort).await?;
    let names = Names::load(engine).await?;
    let chain_names = chain_labels(engine).await?;
    let rows: Vec<LedgerLine> = page
        .items
        .iter()
        .map(|it| LedgerLine {
            r: names.row(it, engine),
            chain: it
                .chain_id
                .and_then(|c| chain_names.get(&c).cloned())
                .unwrap_or_else(|| "—".into()),
            selectable: it.state == ItemState::Draft
                && permitted_actions(it, &p.actor).contains(&Action::Assign),
        })
        .collect();
    let shown = rows.len() as u64;
    Ok(LedgerPage {
        me: Some(me(engine, &p).await?),
        total: page.total,
        first: if shown == 0 { 0 } else { offset + 1 },
        last: offset + shown,
        any_selectable: rows.iter().any(|r| r.selectable),
        rows,
        choices: Choices::load(engine, &names).await?,
        headings: headings(&q),
        f_overdue: q.overdue(),
        filters: q.filters(),
        keep: q.filters_and_sort(),
        sort: sort.map(|s| s.key.as_str().to_owned()).unwrap_or_default(),
        dir: if sort.is_some_and(|s| s.descending) {
            "desc".into()
        } else {
            String::new()
        },
        prev: (offset > 0).then(|| q.page_link(offset.saturating_sub(PAGE))),
        next: (offset.saturating_add(PAGE) < page.total).then(|| q.page_link(offset + PAGE)),
        flash_error: q
            .error
            .as_deref()
            .and_then(|c| crate::flash::error_text(c, q.field.as_deref())),
        may_file: p.role().may_file(),
        f: q,
    }
    .into_response())
}
