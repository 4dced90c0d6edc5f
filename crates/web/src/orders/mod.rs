//! 督办单 on the web: the list (a unit's own, the office's and 督查室's in scope; open or
//! answered), the order page (the document as an A4 sheet, the 督办回复 form for the lead
//! unit, with files), the A4 print view and the .docx download (both list the reply's files
//! by name). The answer posts to the item's form with files (`answer_order`), so it is an
//! event on the item like any command and its files' SHA-256 are in the chain.

pub(crate) mod api;
pub mod docx;

use crate::auth::PageAuth;
use crate::pages::{
    FileLink, Me, PageError, PageResult, file_hint, file_link, me, readable_files, zh_date,
};
use crate::{ApiError, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;
use xiaohao_core::order::OrderDocument;
use xiaohao_engine::orders::{OrderLine, OrderView};
use xiaohao_store::OrderStatus;

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/orders", get(list_page))
        .route("/orders/{id}", get(order_page))
        .route("/orders/{id}/print", get(print_page))
        .route("/orders/{id}/document.docx", get(docx_download))
}

fn order_id(raw: &str) -> Result<Uuid, PageError> {
    raw.parse().map_err(|_| {
        PageError(ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such order").field("id"))
    })
}

fn status_zh(code: &str) -> &'static str {
    if code == "answered" {
        "已回复"
    } else {
        "待回复"
    }
}

/// One line of the list as shown.
pub struct Row {
    pub id: Uuid,
    pub number: String,
    pub item_id: Uuid,
    pub item_title: String,
    pub lead_unit: String,
    pub issued_on: String,
    pub reply_due: String,
    pub reply_days_late: i64,
    pub status: &'static str,
    pub status_code: String,
    pub answered_on: Option<String>,
}

fn row(l: &OrderLine, local: impl Fn(chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate) -> Row {
    Row {
        id: l.id,
        number: l.number.clone().unwrap_or_else(|| "未编号".into()),
        item_id: l.item_id,
        item_title: l.item_title.clone(),
        lead_unit: l.lead_unit.clone().unwrap_or_else(|| "—".into()),
        issued_on: zh_date(local(l.issued_at)),
        reply_due: l.reply_due.map(zh_date).unwrap_or_else(|| "—".into()),
        reply_days_late: l.reply_days_late,
        status: status_zh(&l.status),
        status_code: l.status.clone(),
        answered_on: l.answered_at.map(|t| zh_date(local(t))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "orders.html")]
struct ListPage {
    me: Option<Me>,
    tabs: Vec<(&'static str, &'static str)>,
    status: String,
    rows: Vec<Row>,
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    status: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let code = q.status.unwrap_or_else(|| "open".into());
    let status = match code.as_str() {
        "answered" => OrderStatus::Answered,
        "all" => OrderStatus::All,
        _ => OrderStatus::Open,
    };
    let lines = state.engine.orders_for_reader(&p, status).await?;
    let policy = state.engine.policy().clone();
    Ok(ListPage {
        me: Some(me(&state.engine, &p).await?),
        tabs: vec![("open", "待回复"), ("answered", "已回复"), ("all", "全部")],
        status: match status {
            OrderStatus::Answered => "answered",
            OrderStatus::All => "all",
            OrderStatus::Open => "open",
        }
        .into(),
        rows: lines
            .iter()
            .map(|l| row(l, |t| policy.local_date(t)))
            .collect(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "order.html")]
struct OrderPage {
    me: Option<Me>,
    id: Uuid,
    doc: OrderDocument,
    status: &'static str,
    status_code: String,
    item_id: Uuid,
    item_title: String,
    lead_unit: String,
    reply_due: String,
    reply_days_late: i64,
    answered_on: Option<String>,
    can_answer: bool,
    version: i64,
    /// The 督办回复's files, linked when the reader may open them.
    answer_files: Vec<FileLink>,
    /// What the reply form's file input takes.
    file_hint: String,
}

async fn order_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
) -> PageResult {
    let id = order_id(&raw)?;
    let v: OrderView = state.engine.order_for(&p, id).await?;
    let policy = state.engine.policy().clone();
    let r = row(&v.line, |t| policy.local_date(t));
    let readable = readable_files(&state.engine, &p, v.item.id).await?;
    Ok(OrderPage {
        me: Some(me(&state.engine, &p).await?),
        id,
        doc: v.document,
        status: r.status,
        status_code: r.status_code,
        item_id: r.item_id,
        item_title: r.item_title,
        lead_unit: r.lead_unit,
        reply_due: r.reply_due,
        reply_days_late: r.reply_days_late,
        answered_on: r.answered_on,
        can_answer: v.can_answer,
        version: v.item.version,
        answer_files: v
            .answer_files
            .iter()
            .map(|f| file_link(f, &readable))
            .collect(),
        file_hint: file_hint(&state.engine),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "order_print.html")]
struct PrintPage {
    doc: OrderDocument,
}

async fn print_page(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
) -> PageResult {
    let id = order_id(&raw)?;
    let v = state.engine.order_for(&p, id).await?;
    Ok(PrintPage { doc: v.document }.into_response())
}

async fn docx_download(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
) -> PageResult {
    let id = order_id(&raw)?;
    let v = state.engine.order_for(&p, id).await?;
    let bytes = docx::render(&v.document).map_err(|e| ApiError::internal(&e))?;
    let name = format!("{}督办单.docx", v.document.number);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"order.docx\"; filename*=UTF-8''{}",
                    crate::auth::url_encode(&name)
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
