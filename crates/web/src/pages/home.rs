//! 待办: the first page after login, one per role. The lists come from the engine
//! (`xiaohao_engine::worklist`); this module only turns them into lines of text and links.

use super::{Me, Names, PageError, PageResult, local_time, me, zh_date};
use crate::auth::PageAuth;
use crate::{ApiError, AppState};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use xiaohao_core::AccountRole;
use xiaohao_core::order::OrderRules;
use xiaohao_engine::worklist::{
    DeadMail, Entry, Order, RankRow, RankingFilter, Section, SupervisionHome,
};
use xiaohao_engine::{Engine, EngineError};
use xiaohao_store::DutyRow;

/// One line of a 待办 list.
pub struct Line {
    pub href: Option<String>,
    /// CSS class and words of the light (never colour alone).
    pub light: Option<(&'static str, &'static str)>,
    pub title: String,
    pub meta: String,
    pub note: String,
    /// An undeliverable reminder's id: the line carries a 重新发送 button.
    pub retry: Option<String>,
}

/// One 待办 list: its count, first lines and the link to all of it.
pub struct List {
    pub id: &'static str,
    pub title: &'static str,
    pub total: u64,
    pub more: Option<String>,
    /// The link's own words, when it leads beyond the list (not "查看全部 N 项").
    pub more_label: Option<&'static str>,
    pub lines: Vec<Line>,
    pub empty: &'static str,
}

impl List {
    fn new<T>(
        id: &'static str,
        title: &'static str,
        s: &Section<T>,
        more: Option<&str>,
        line: impl Fn(&T) -> Line,
    ) -> Self {
        List {
            id,
            title,
            total: s.total,
            more: more.filter(|_| s.total > 0).map(str::to_owned),
            more_label: None,
            lines: s.rows.iter().map(line).collect(),
            empty: "暂无",
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    me: Option<Me>,
    heading: String,
    today: String,
    flash_ok: Option<String>,
    flash_error: Option<String>,
    /// A leader's one line per chain: (link, text).
    summary: Vec<(String, String)>,
    ranking: Option<Ranking>,
    lists: Vec<List>,
}

/// The 督查室's ranking tables and their filters.
pub struct Ranking {
    pub by_unit: Vec<RankRow>,
    pub by_chain: Vec<RankRow>,
    pub chains: Vec<(String, String)>,
    pub units: Vec<(String, String)>,
    pub plans: Vec<(String, String)>,
    pub f_chain: String,
    pub f_unit: String,
    pub f_plan: String,
}

#[derive(Deserialize, Default)]
pub(super) struct HomeQuery {
    ok: Option<String>,
    error: Option<String>,
    chain: Option<String>,
    unit: Option<String>,
    plan: Option<String>,
}

fn entry_line(names: &Names, e: &Entry) -> Line {
    let it = &e.item;
    let mut meta = Vec::new();
    if let Some(u) = &it.lead_unit {
        meta.push(format!("牵头:{}", names.unit(u)));
    }
    match it.deadline {
        Some(d) => meta.push(format!("时限:{}", zh_date(d))),
        None => {
            if let Some(t) = &it.deadline_text {
                meta.push(format!("时限:{t}"));
            }
        }
    }
    if e.lateness.working_days > 0 {
        meta.push(format!("逾期 {} 个工作日", e.lateness.working_days));
    } else if let Some(left) = e.lateness.working_days_left.filter(|_| it.state.is_open()) {
        meta.push(format!("剩余 {left} 个工作日"));
    }
    let mut note = Vec::new();
    if let Some(reply) = e.reply_due {
        note.push(format!(
            "督办{}级,请于{}前书面反馈",
            it.escalation_level,
            zh_date(reply)
        ));
    }
    if let (Some(step), Some(on)) = (&e.step, e.due) {
        note.push(format!("{}起将{step}", zh_date(on)));
    }
    if let Some(r) = &e.reason {
        note.push(format!("退回理由:{r}"));
    }
    if let Some(p) = e.expected_percent {
        note.push(format!(
            "序时进度 {p}%,已报 {}%",
            it.progress_percent.unwrap_or(0)
        ));
    }
    Line {
        href: Some(format!("/items/{}", it.id)),
        light: Some((e.light.as_str(), e.light.label_zh())),
        title: match &it.number {
            Some(n) if !n.is_empty() => format!("{n} {}", it.title),
            _ => it.title.clone(),
        },
        meta: meta.join(" · "),
        note: note.join(";"),
        retry: None,
    }
}

fn since_line(names: &Names, e: &Entry, what: &str) -> Line {
    let mut l = entry_line(names, e);
    l.meta = format!("{what}于 {} · {}", local_time(e.since), l.meta);
    l
}

/// A 延期申请 waiting for the office: the date asked for beside the item.
fn extension_line(names: &Names, e: &Entry) -> Line {
    let mut l = entry_line(names, e);
    if let Some(asked) = xiaohao_core::extension::pending_zh(&e.item) {
        l.note = asked;
    }
    l
}

fn duty_line(d: &DutyRow) -> Line {
    Line {
        href: Some(
            d.item
                .map_or_else(|| "/progress".to_owned(), |i| format!("/items/{i}")),
        ),
        light: None,
        title: d.title.clone(),
        meta: format!("应于 {} 前报送", zh_date(d.due_on)),
        note: String::new(),
        retry: None,
    }
}

/// A 督办单: its number and item, linked to the order itself (its document and, for the
/// lead unit, the 督办回复 form).
fn order_line(names: &Names, rules: &OrderRules, o: &Order) -> Line {
    let number = o.order.number(rules).unwrap_or_else(|| "未编号".into());
    Line {
        href: Some(format!("/orders/{}", o.order.id)),
        light: None,
        title: format!("{number} {}", o.item.title),
        meta: format!(
            "{} · {} · 牵头:{}",
            o.order.step,
            local_time(o.order.issued_at),
            o.item
                .lead_unit
                .as_ref()
                .map(|u| names.unit(u))
                .unwrap_or_default()
        ),
        note: match (o.order.answered_at, o.order.reply_due) {
            (Some(at), _) => format!("已于 {} 回复", local_time(at)),
            (None, Some(d)) => format!("请于{}前书面反馈(督办回复)", zh_date(d)),
            (None, None) => o.order.text.clone(),
        },
        retry: None,
    }
}

fn mail_line(m: &DeadMail) -> Line {
    Line {
        href: m.item.map(|i| format!("/items/{i}")),
        light: None,
        title: format!(
            "致{}:{}",
            m.recipient_name,
            m.item_title.clone().unwrap_or_else(|| "汇总提醒".into())
        ),
        meta: format!(
            "生成于 {} · 已尝试 {} 次",
            local_time(m.created_at),
            m.attempts
        ),
        note: if let Some(kind) = m.channel {
            format!("经{}发送失败，可重新发送", kind.label_zh())
        } else if m.recipient_has_email {
            "投递失败,可重新发送".into()
        } else {
            "该单位未登记电子邮箱,请先补登邮箱再重新发送".into()
        },
        retry: Some(m.id.to_string()),
    }
}

fn parse_opt<T: std::str::FromStr>(
    field: &str,
    raw: Option<&str>,
) -> Result<Option<T>, EngineError> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| EngineError::invalid(field, format!("`{s}` 不是有效的编号"))),
    }
}

pub(super) async fn home(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    query: Result<Query<HomeQuery>, QueryRejection>,
) -> PageResult {
    let Query(q) = query?;
    let engine = &state.engine;
    let names = Names::load(engine).await?;
    let me = me(engine, &p).await?;
    let mut page = HomePage {
        heading: format!("{} 的待办", me.display_name),
        me: None,
        today: zh_date(engine.today()),
        flash_ok: (q.ok.as_deref() == Some("retried")).then(|| "已重新排入发送队列".to_owned()),
        flash_error: q.error.clone(),
        summary: Vec::new(),
        ranking: None,
        lists: Vec::new(),
    };
    let line = |e: &Entry| entry_line(&names, e);
    let rules = &engine.policy().orders;
    match p.role() {
        AccountRole::Office | AccountRole::Admin => {
            let h = engine.office_home(&p).await?;
            page.lists = vec![
                List::new(
                    "todo-drafts",
                    "待交办",
                    &h.drafts,
                    Some("/ledger?state=draft"),
                    line,
                ),
                List::new(
                    "todo-verify",
                    "待核验销号申请",
                    &h.to_verify,
                    None,
                    |e| since_line(&names, e, "申请"),
                ),
                List::new(
                    "todo-extensions",
                    "延期申请待审批",
                    &h.extensions,
                    None,
                    |e| extension_line(&names, e),
                ),
                List::new(
                    "todo-disputes",
                    "对账异议待处理",
                    &h.disputes,
                    Some("/statements/disputes"),
                    |d| Line {
                        href: Some(format!("/statements/{}", d.statement_id)),
                        light: None,
                        title: d.line.snapshot.title.clone(),
                        meta: format!("{} · {}", d.unit_name, d.title),
                        note: match (d.line.reason, &d.line.note) {
                            (Some(r), Some(n)) => format!("异议:{}。{n}", r.label_zh()),
                            (Some(r), None) => format!("异议:{}", r.label_zh()),
                            (None, _) => "异议".into(),
                        },
                        retry: None,
                    },
                ),
                List::new(
                    "todo-red",
                    "红灯事项(已超期)",
                    &h.red,
                    Some("/ledger?light=red"),
                    line,
                ),
                List {
                    // The office's way to every 督办单 (its menu has no room for one more).
                    more: Some("/orders?status=all".into()),
                    more_label: Some("全部督办单（含已回复）"),
                    ..List::new(
                        "todo-orders-open",
                        "督办单待回复",
                        &h.orders,
                        None,
                        |o| order_line(&names, rules, o),
                    )
                },
                List::new(
                    "todo-dead-mail",
                    "未送达的提醒",
                    &h.dead_mail,
                    None,
                    mail_line,
                ),
                List::new(
                    "todo-unreachable",
                    "既无邮箱也无群机器人的单位",
                    &h.units_unreachable,
                    Some("/units?show=unreachable"),
                    |u| Line {
                        href: Some(format!("/units/{}", u.id)),
                        light: None,
                        title: u.name.clone(),
                        meta: if u.needs_review {
                            "导入时新建,待核对".into()
                        } else {
                            String::new()
                        },
                        note: "提醒无法送达，请登记邮箱或添加群机器人".into(),
                        retry: None,
                    },
                ),
            ];
        }
        AccountRole::Unit => {
            let h = engine.unit_home(&p).await?;
            let yellow = format!("/ledger?light=yellow&unit={}", p.user.unit);
            page.lists = vec![
                List::new(
                    "todo-instructions",
                    "领导批示待回复",
                    &h.instructions,
                    None,
                    |e| {
                        let mut l = entry_line(&names, e);
                        if let Some(at) = e.item.instructed_at {
                            l.note = format!("{} 批示,请牵头单位回复", local_time(at));
                        }
                        l
                    },
                ),
                List::new(
                    "todo-orders-open",
                    "督办单待回复",
                    &h.orders,
                    Some("/orders"),
                    |o| order_line(&names, rules, o),
                ),
                List::new("todo-accept", "待签收", &h.to_accept, None, line),
                List::new(
                    "todo-report",
                    "本期待报送",
                    &h.to_report,
                    Some("/progress"),
                    duty_line,
                ),
                List::new("todo-escalated", "被督办事项", &h.escalated, None, line),
                List::new("todo-returned", "退回重办", &h.returned, None, |e| {
                    since_line(&names, e, "退回")
                }),
                List::new(
                    "todo-extensions",
                    "延期申请待审批",
                    &h.extensions,
                    None,
                    |e| extension_line(&names, e),
                ),
                List::new(
                    "todo-due-soon",
                    "临近时限或进度滞后(黄灯)",
                    &h.due_soon,
                    Some(yellow.as_str()),
                    line,
                ),
            ];
        }
        AccountRole::Leader => {
            let h = engine.leader_home(&p).await?;
            page.heading = format!("{} 同志的待办", h.name);
            page.summary = h
                .chains
                .iter()
                .map(|c| {
                    let link =
                        c.id.map_or_else(|| "/ledger".into(), |id| format!("/ledger?chain={id}"));
                    let n = &c.counts;
                    (
                        link,
                        format!(
                            "{}:共 {} 项,红灯 {}、黄灯 {}、绿灯 {},已销号 {}",
                            c.name, n.total, n.red, n.yellow, n.green, n.blue
                        ),
                    )
                })
                .collect();
            page.lists = vec![
                List::new(
                    "todo-red",
                    "红灯事项(已超期)",
                    &h.red,
                    Some("/ledger?light=red"),
                    line,
                ),
                List::new(
                    "todo-yellow",
                    "黄灯事项",
                    &h.yellow,
                    Some("/ledger?light=yellow"),
                    line,
                ),
                List::new("todo-lagging", "进度落后序时进度", &h.lagging, None, line),
                List::new("todo-orders", "最新督办单", &h.orders, None, |o| {
                    order_line(&names, rules, o)
                }),
            ];
        }
        AccountRole::Supervision => {
            let f = RankingFilter {
                chain: parse_opt("chain", q.chain.as_deref())?,
                unit: parse_opt("unit", q.unit.as_deref())?,
                plan: parse_opt("plan", q.plan.as_deref())?,
            };
            let h: SupervisionHome = engine.supervision_home(&p, &f).await?;
            page.ranking = Some(ranking(engine, &names, &q, h.by_unit, h.by_chain).await?);
            page.lists = vec![
                List::new(
                    "todo-orders",
                    "未办结的督办单",
                    &h.open_orders,
                    Some("/orders"),
                    |o| order_line(&names, rules, o),
                ),
                List::new("todo-missed", "逾期未报", &h.missed_duties, None, |d| {
                    let mut l = duty_line(d);
                    l.meta = format!(
                        "{} · {}",
                        names.unit(&d.unit),
                        l.meta.replace("应于", "原定")
                    );
                    l
                }),
            ];
        }
    }
    page.me = Some(me);
    Ok(page.into_response())
}

async fn ranking(
    engine: &Engine,
    names: &Names,
    q: &HomeQuery,
    by_unit: Vec<RankRow>,
    by_chain: Vec<RankRow>,
) -> Result<Ranking, EngineError> {
    Ok(Ranking {
        by_unit,
        by_chain,
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
            .map(|p| (p.id.to_string(), p.title))
            .collect(),
        f_chain: q.chain.clone().unwrap_or_default(),
        f_unit: q.unit.clone().unwrap_or_default(),
        f_plan: q.plan.clone().unwrap_or_default(),
    })
}

/// 重新发送 an undeliverable reminder (an office's 待办 line).
pub(super) async fn retry_mail(
    State(state): State<AppState>,
    PageAuth(p): PageAuth,
    Path(raw): Path<String>,
) -> PageResult {
    let id: uuid::Uuid = raw.parse().map_err(|_| {
        PageError(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "未找到该提醒",
        ))
    })?;
    state.engine.retry_dead_mail(&p, id).await?;
    Ok(Redirect::to("/?ok=retried").into_response())
}
