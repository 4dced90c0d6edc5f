//! The first page after login: light counts by chain and by unit.

use super::{Me, PageResult, me};
use crate::AppState;
use crate::auth::PageAuth;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;
use xiaohao_core::AccountRole;

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    me: Option<Me>,
    today: String,
    all: xiaohao_engine::LightCounts,
    chains: Vec<xiaohao_engine::StatsRow>,
    units: Vec<xiaohao_engine::StatsRow>,
    feed_url: Option<String>,
    /// The yellow rule in words, from the policy.
    yellow_rule: String,
}

pub(super) async fn dashboard(State(state): State<AppState>, PageAuth(p): PageAuth) -> PageResult {
    let engine = &state.engine;
    let stats = engine.stats_for(&p).await?;
    // The address itself is shown once, on the unit's feed page.
    let feed_url = matches!(p.role(), AccountRole::Unit | AccountRole::Office)
        .then(|| format!("/units/{}/feed", p.user.unit));
    Ok(DashboardPage {
        me: Some(me(engine, &p).await?),
        today: super::zh_date(stats.today),
        all: stats.all,
        chains: stats.by_chain,
        units: stats.by_unit,
        feed_url,
        yellow_rule: format!(
            "{}个工作日内到期或进度落后序时进度{}个百分点以上",
            engine.policy().lights.yellow_within_working_days,
            engine.policy().lights.lag_percent
        ),
    }
    .into_response())
}
