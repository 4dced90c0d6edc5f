//! The 考核 page: the ranking of a chosen quarter or year (名次, 单位, 得分, 扣分, 加分)
//! and each unit's lines with the rule's label, points, the item and the event (links to
//! the item page and its timeline entry). A unit sees only its own row and lines.

use super::{UnitText, current_quarter, period_choices, texts};
use crate::auth::PageAuth;
use crate::pages::{Me, error_page, me};
use crate::{ApiError, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use xiaohao_engine::score::{reads_all_scores, score_period};

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/scores", get(score_page))
        .route("/static/score.css", get(css))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/score.css"),
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "score.html")]
struct ScorePage {
    me: Option<Me>,
    title: String,
    period: String,
    choices: Vec<(String, String)>,
    base: String,
    provisional: bool,
    all: bool,
    units: Vec<UnitText>,
}

#[derive(Debug, Deserialize)]
struct ScoreQuery {
    period: Option<String>,
}

async fn score_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Query(q): Query<ScoreQuery>,
) -> Response {
    let engine = &state.engine;
    let today = engine.today();
    let text = q
        .period
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| current_quarter(today));
    // People read this page: a bad period is told in Chinese, not in the API's words.
    let Ok(period) = score_period(&text) else {
        return error_page(
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                "考核期间有误：请选择季度（如2026Q4）或年度（如2026）。",
            )
            .field("period"),
        );
    };
    let result = async {
        let card = engine.scores_for(&p, &period).await?;
        let me = me(engine, &p).await?;
        Ok::<_, xiaohao_engine::EngineError>((card, me))
    }
    .await;
    let (card, me) = match result {
        Ok(x) => x,
        Err(e) => return error_page(e.into()),
    };
    let rules = &engine.policy().scoring;
    let all = reads_all_scores(p.role());
    ScorePage {
        me: Some(me),
        title: format!(
            "{}考核{}",
            period.title_zh(),
            if all { "排名" } else { "得分" }
        ),
        period: period.label.clone(),
        choices: period_choices(today),
        base: card.base.to_string().trim_start_matches('+').to_owned(),
        provisional: period.to >= today,
        all,
        units: texts(&card, rules),
    }
    .into_response()
}
