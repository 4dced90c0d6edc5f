//! 督办单 for pages and the API: one order as a document (composed by
//! [`xiaohao_core::order::compose`] from the facts read here), the lists of the unit, the
//! office and the 督查室, and the 督办回复 through the one command path.

use crate::accounts::Principal;
use crate::requests::CommandRequest;
use crate::{Engine, EngineError, Outcome};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;
use xiaohao_core::attachment::FileRef;
use xiaohao_core::order::{OrderDocument, OrderFacts, compose, may_answer};
use xiaohao_core::payload::Payload;
use xiaohao_core::{Actor, Command, Item, ItemId, UnitId};
use xiaohao_store::{OrderRow, OrderStatus, StoreError};

/// How many orders a list shows at most.
pub const ORDER_LIST_LIMIT: u64 = 200;

/// One 督办单 as a line of a list.
#[derive(Debug, Clone, Serialize)]
pub struct OrderLine {
    pub id: Uuid,
    /// 督〔2026〕12号; absent for an order without a number.
    pub number: Option<String>,
    pub item_id: Uuid,
    pub item_title: String,
    pub lead_unit: Option<String>,
    /// The ladder step that issued it (督办).
    pub step: String,
    pub issued_at: DateTime<Utc>,
    pub reply_due: Option<NaiveDate>,
    /// `open` (awaiting the 督办回复) or `answered`.
    pub status: String,
    pub answered_at: Option<DateTime<Utc>>,
    /// Working days the reply is late (today, or when it was answered); 0 when in time.
    pub reply_days_late: i64,
}

/// One 督办单 with its document, for the print page and the .docx.
#[derive(Debug, Clone, Serialize)]
pub struct OrderView {
    pub line: OrderLine,
    pub item: Item,
    pub document: OrderDocument,
    pub answer_text: Option<String>,
    /// The files sent with the 督办回复 (the reader's scope on them is checked on download).
    pub answer_files: Vec<FileRef>,
    /// The reader may answer it now (the lead unit, order open).
    pub can_answer: bool,
}

fn status_of(o: &OrderRow) -> &'static str {
    if o.answered_at.is_some() {
        "answered"
    } else {
        "open"
    }
}

impl Engine {
    fn order_line(&self, o: &OrderRow, item: &Item, units: &BTreeMap<UnitId, String>) -> OrderLine {
        let reply_days_late = o.reply_due.map_or(0, |due| {
            let on = o
                .answered_at
                .map_or_else(|| self.today(), |t| self.policy().local_date(t));
            self.policy().working_days_between(due, on).max(0)
        });
        OrderLine {
            id: o.id,
            number: o.number(&self.policy().orders),
            item_id: item.id.0,
            item_title: item.title.clone(),
            lead_unit: item.lead_unit.and_then(|u| units.get(&u).cloned()),
            step: o.step.clone(),
            issued_at: o.issued_at,
            reply_due: o.reply_due,
            status: status_of(o).to_owned(),
            answered_at: o.answered_at,
            reply_days_late,
        }
    }

    /// The 督办单 `who` may read by `status`, newest first: a unit those on items it leads,
    /// an office, leader or 督查室 those on items in its scope.
    ///
    /// # Errors
    /// On store failure.
    pub async fn orders_for_reader(
        &self,
        who: &Principal,
        status: OrderStatus,
    ) -> Result<Vec<OrderLine>, EngineError> {
        let lead = (who.role() == xiaohao_core::AccountRole::Unit).then_some(who.user.unit.0);
        let rows = self.store().orders(status, lead, ORDER_LIST_LIMIT).await?;
        let ids: Vec<ItemId> = rows.iter().map(|o| o.item).collect();
        let items = self.store().items_by_ids(&ids).await?;
        let units: BTreeMap<UnitId, String> = self.unit_names().await?;
        Ok(rows
            .iter()
            .filter_map(|o| {
                let item = items.get(&o.item)?;
                who.scope
                    .admits(item)
                    .then(|| self.order_line(o, item, &units))
            })
            .collect())
    }

    /// One 督办单 with its document, if `who` may read its item (otherwise `NotFound`,
    /// exactly as a missing id).
    ///
    /// # Errors
    /// `Store(NotFound)`; on store failure.
    pub async fn order_for(&self, who: &Principal, id: Uuid) -> Result<OrderView, EngineError> {
        let o = self.store().order(id).await?;
        let item = match self.visible_item(who, o.item).await {
            Ok(item) => item,
            Err(_) => {
                return Err(StoreError::NotFound {
                    what: "order",
                    key: id.to_string(),
                }
                .into());
            }
        };
        let units: BTreeMap<UnitId, String> = self.unit_names().await?;
        let name = |u: Option<UnitId>| u.and_then(|u| units.get(&u).cloned());
        let events = self.store().events(item.id).await?;
        // The 督办事由 of a manual 督办: the escalate event written with the order.
        let reason =
            events.iter().filter(|e| e.at == o.issued_at).find_map(|e| {
                match Payload::parse(e.kind, &e.payload) {
                    Ok(Payload::Escalated(x)) => x.reason,
                    _ => None,
                }
            });
        // The files of the 督办回复: those its event carries.
        let answer_files: Vec<FileRef> = events
            .iter()
            .find_map(|e| match Payload::parse(e.kind, &e.payload) {
                Ok(Payload::OrderAnswered(a)) if a.order == o.id => Some(
                    a.attachments
                        .iter()
                        .filter_map(|f| f.file().cloned())
                        .collect(),
                ),
                _ => None,
            })
            .unwrap_or_default();
        let missed = self
            .store()
            .missed_duties_of_item(item.id, item.lead_unit.map(|u| u.0))
            .await?;
        let issuer = o
            .office
            .filter(|u| !u.is_nil())
            .and_then(|u| units.get(&UnitId(u)).cloned())
            .unwrap_or_else(|| "工作专班办公室".to_owned());
        let facts = OrderFacts {
            number: o.number(&self.policy().orders),
            step: o.step.clone(),
            item_number: item.number.clone(),
            item_title: item.title.clone(),
            lead_unit: name(item.lead_unit).unwrap_or_else(|| "牵头单位".to_owned()),
            co_units: item
                .co_units
                .iter()
                .filter_map(|u| name(Some(*u)))
                .collect(),
            issuer,
            due_on: o.due_on,
            working_days_late: o.working_days_late,
            issued_on: self.policy().local_date(o.issued_at),
            reply_due: o.reply_due,
            reason,
            missed_duties: missed,
            answered: o.answered_at.map(|t| {
                (
                    self.policy().local_date(t),
                    o.answer_text.clone().unwrap_or_default(),
                )
            }),
            answer_files: answer_files.iter().map(|f| f.name.clone()).collect(),
        };
        let actor = self.with_jurisdiction(&who.actor).await?;
        let can_answer = may_answer(&item, &actor, &o.to_ref(&self.policy().orders));
        Ok(OrderView {
            line: self.order_line(&o, &item, &units),
            document: compose(&facts),
            answer_text: o.answer_text.clone(),
            answer_files,
            can_answer,
            item,
        })
    }

    /// 督办回复 (`answer_order`): the order named in `req.order` is read and the answer
    /// decided on its item like any command.
    pub(crate) async fn answer_order(
        &self,
        id: ItemId,
        actor: &Actor,
        req: &CommandRequest,
        admit: impl Fn(&Item) -> bool,
    ) -> Result<Outcome, EngineError> {
        let raw = req
            .order
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| EngineError::invalid("order", "the 督办单 to answer is required"))?;
        let order_id =
            Uuid::parse_str(raw).map_err(|_| EngineError::invalid("order", "not a 督办单 id"))?;
        let o = match self.store().order(order_id).await {
            Ok(o) if o.item == id => o,
            Ok(_) | Err(StoreError::NotFound { .. }) => {
                return Err(EngineError::invalid("order", "no such 督办单 on this item"));
            }
            Err(e) => return Err(e.into()),
        };
        let mut command = Command::AnswerOrder {
            order: o.to_ref(&self.policy().orders),
            text: req.text.clone().unwrap_or_default(),
            attachments: Vec::new(),
        };
        self.attach_referenced(id, actor, req, &mut command).await?;
        self.execute_if(id, actor, &command, req.version, admit)
            .await
    }
}

impl Engine {
    /// The 督办单 of an item already read in scope, oldest first, with their numbers.
    ///
    /// # Errors
    /// On store failure.
    pub async fn orders_of_item(
        &self,
        id: ItemId,
    ) -> Result<Vec<(OrderRow, Option<String>)>, EngineError> {
        Ok(self
            .store()
            .orders_of_item(id)
            .await?
            .into_iter()
            .map(|o| {
                let n = o.number(&self.policy().orders);
                (o, n)
            })
            .collect())
    }
}
