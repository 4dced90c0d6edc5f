//! Row ⇄ domain conversions. A value the domain cannot parse is a `Corrupt` error, never a panic.

use crate::StoreError;
use crate::entities::{event, item, unit};
use std::str::FromStr;
use xiaohao_core::event::Event;
use xiaohao_core::org::{Level, Unit, UnitKind};
use xiaohao_core::{Item, ItemState, UnitId};

fn parse<T: FromStr<Err = String>>(what: &str, s: &str) -> Result<T, StoreError> {
    s.parse()
        .map_err(|e: String| StoreError::Corrupt(format!("{what}: {e}")))
}

pub(crate) fn item_from_row(row: item::Model, co_units: Vec<UnitId>) -> Result<Item, StoreError> {
    Ok(Item {
        id: row.id.into(),
        kind: parse("items.kind", &row.kind)?,
        number: row.number,
        title: row.title,
        text: row.text,
        plan_id: row.plan_id.map(Into::into),
        chain_id: row.chain_id.map(Into::into),
        owner_unit: row.owner_unit_id.map(Into::into),
        lead_unit: row.lead_unit_id.map(Into::into),
        co_units,
        leader: row.leader_id.map(Into::into),
        deadline: row.deadline,
        due_on: row.due_on,
        deadline_text: row.deadline_text,
        grade: row.grade,
        class: row
            .class
            .as_deref()
            .map(|c| parse("items.class", c))
            .transpose()?,
        state: parse("items.state", &row.state)?,
        suspended_from: row
            .suspended_from
            .as_deref()
            .map(|s| parse::<ItemState>("items.suspended_from", s))
            .transpose()?,
        escalation_level: row.escalation_level,
        closure_requested_by: row.closure_requested_by.map(Into::into),
        extension_requested: row.extension_requested,
        instructed_at: row.instructed_at,
        progress_percent: row.progress_percent,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        closed_at: row.closed_at,
    })
}

/// The row of an item whose last event has `last_seq` and `last_hash`, with the days its
/// light turns.
pub(crate) fn item_to_row(
    i: &Item,
    last_seq: i64,
    last_hash: &str,
    lights: xiaohao_core::light::LightDates,
) -> item::Model {
    item::Model {
        id: i.id.0,
        kind: i.kind.as_str().to_owned(),
        number: i.number.clone(),
        title: i.title.clone(),
        text: i.text.clone(),
        plan_id: i.plan_id.map(|p| p.0),
        chain_id: i.chain_id.map(|c| c.0),
        owner_unit_id: i.owner_unit.map(|u| u.0),
        lead_unit_id: i.lead_unit.map(|u| u.0),
        leader_id: i.leader.map(|p| p.0),
        deadline: i.deadline,
        due_on: i.due_on,
        deadline_text: i.deadline_text.clone(),
        grade: i.grade.clone(),
        class: i.class.map(|c| c.as_str().to_owned()),
        state: i.state.as_str().to_owned(),
        suspended_from: i.suspended_from.map(|s| s.as_str().to_owned()),
        escalation_level: i.escalation_level,
        closure_requested_by: i.closure_requested_by.map(|u| u.0),
        extension_requested: i.extension_requested,
        instructed_at: i.instructed_at,
        progress_percent: i.progress_percent,
        version: i.version,
        created_at: i.created_at,
        updated_at: i.updated_at,
        closed_at: i.closed_at,
        last_seq,
        last_hash: last_hash.to_owned(),
        near_due_on: lights.near_on,
        lagging_on: lights.lagging_on,
        number_sort: Some(xiaohao_core::numbering::number_sort_key(
            i.number.as_deref().unwrap_or(""),
        )),
    }
}

pub(crate) fn event_from_row(row: event::Model) -> Result<Event, StoreError> {
    Ok(Event {
        item_id: row.item_id.into(),
        seq: row.seq,
        kind: parse("events.kind", &row.kind)?,
        from_state: row
            .from_state
            .as_deref()
            .map(|s| parse("events.from_state", s))
            .transpose()?,
        to_state: parse("events.to_state", &row.to_state)?,
        actor_unit: row.actor_unit_id.map(Into::into),
        actor_role: row.actor_role,
        actor_name: row.actor_name,
        payload: row.payload,
        at: row.at,
        prev_hash: row.prev_hash,
        hash: row.hash,
    })
}

pub(crate) fn event_to_row(e: &Event) -> event::Model {
    event::Model {
        item_id: e.item_id.0,
        seq: e.seq,
        kind: e.kind.as_str().to_owned(),
        from_state: e.from_state.map(|s| s.as_str().to_owned()),
        to_state: e.to_state.as_str().to_owned(),
        actor_unit_id: e.actor_unit.map(|u| u.0),
        actor_role: e.actor_role.clone(),
        actor_name: e.actor_name.clone(),
        payload: e.payload.clone(),
        at: e.at,
        prev_hash: e.prev_hash.clone(),
        hash: e.hash.clone(),
    }
}

pub(crate) fn unit_from_row(row: unit::Model, aliases: Vec<String>) -> Result<Unit, StoreError> {
    let emails: Vec<String> = serde_json::from_str(&row.emails)
        .map_err(|e| StoreError::Corrupt(format!("units.emails: {e}")))?;
    Ok(Unit {
        id: row.id.into(),
        name: row.name,
        kind: parse::<UnitKind>("units.kind", &row.kind)?,
        level: row
            .level
            .as_deref()
            .map(|l| parse::<Level>("units.level", l))
            .transpose()?,
        parent: row.parent_id.map(Into::into),
        emails,
        aliases,
        needs_review: row.needs_review,
        contact: row.contact,
    })
}
