//! 批示: a leader who reads an item writes an instruction on it — or the office that keeps
//! it writes it on a leader's behalf, naming him. The lead and co-units are told at once;
//! the instruction stays open (`Item::instructed_at`) until the lead unit answers it (回复).
//! A new 批示 on an open one keeps it open from the new date.

use crate::command::{Actor, Command, required};
use crate::error::DomainError;
use crate::item::Item;
use crate::notify::Notification;
use crate::payload::{Instructed, InstructionAnswered, Payload};
use crate::state::Role;
use crate::validate;
use chrono::{DateTime, Utc};

fn note(item: &Item, next: &Item, recipient: crate::ids::UnitId, kind: &str) -> Notification {
    Notification {
        recipient,
        kind: kind.to_owned(),
        item: Some(item.id),
        dedupe_key: format!("{}:{kind}:v{}:{recipient}", item.id, next.version),
        // A leader's word is passed on at once, not in the daily digest.
        urgent: kind == "instructed",
    }
}

/// Decide a 批示 command (the transition table and roles are already checked; `role` is
/// the one the actor acts in).
pub(crate) fn decide_instruction(
    item: &Item,
    actor: &Actor,
    role: Role,
    command: &Command,
    next: &mut Item,
    now: DateTime<Utc>,
) -> Result<(Payload, Vec<Notification>), DomainError> {
    match command {
        Command::Instruct { by, text } => {
            let text = required(validate::INSTRUCTION, text)?;
            let by = match (role, by.as_deref().map(str::trim)) {
                (_, Some(name)) if !name.is_empty() => {
                    validate::check(validate::INSTRUCTED_BY, name)?;
                    name.to_owned()
                }
                (Role::Leader, _) => actor.name.clone(),
                _ => {
                    return Err(DomainError::invalid(
                        "by",
                        "the office writes a 批示 on a leader's behalf and must name him",
                    ));
                }
            };
            next.instructed_at = Some(now);
            let mut told = Vec::new();
            for u in item.lead_unit.iter().chain(item.co_units.iter()) {
                told.push(note(item, next, *u, "instructed"));
            }
            Ok((Payload::Instructed(Instructed { by, text }), told))
        }
        Command::AnswerInstruction { text, attachments } => {
            if item.instructed_at.is_none() {
                return Err(DomainError::invalid(
                    "instruction",
                    "no 批示 is waiting for an answer on this item",
                ));
            }
            let text = required(validate::INSTRUCTION, text)?;
            crate::attachment::check_list(attachments)?;
            next.instructed_at = None;
            let told = item
                .owner_unit
                .map(|o| note(item, next, o, "instruction_answered"))
                .into_iter()
                .collect();
            Ok((
                Payload::InstructionAnswered(InstructionAnswered {
                    text,
                    attachments: crate::attachment::trimmed(attachments),
                }),
                told,
            ))
        }
        _ => Err(DomainError::invalid("action", "not a 批示 command")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Jurisdiction;
    use crate::command::{Capacity, decide, new_item};
    use crate::ids::{ItemId, UnitId};
    use crate::item::NewItem;
    use crate::state::ItemState;
    use chrono::TimeZone;

    fn actor(name: &str, capacity: Capacity) -> Actor {
        Actor {
            unit: Some(UnitId::new()),
            capacity,
            name: name.into(),
            jurisdiction: Jurisdiction::OwnUnit,
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
    }

    #[test]
    fn a_leader_instructs_the_units_hear_and_the_lead_answers() {
        let office = actor("专班办公室", Capacity::Office);
        let lead = actor("省工信厅", Capacity::Unit);
        let co = actor("省科技厅", Capacity::Unit);
        let leader = actor("郭宁宁", Capacity::Leader);
        let new = NewItem {
            title: "推进古雷石化基地配套项目".into(),
            lead_unit: lead.unit,
            co_units: vec![co.unit.unwrap()],
            ..NewItem::default()
        };
        let mut item = new_item(ItemId::new(), &new, &office, now()).unwrap().item;
        item.state = ItemState::InProgress;
        let instruct = |by: Option<&str>| Command::Instruct {
            by: by.map(str::to_owned),
            text: "请加快进度，月底前报送办理情况".into(),
        };
        let d = decide(&item, &leader, &instruct(None), now()).unwrap();
        assert_eq!(d.item.instructed_at, Some(now()));
        assert_eq!(d.event.actor_role, "leader");
        let told: Vec<_> = d.notifications.iter().map(|n| n.recipient).collect();
        assert_eq!(told, vec![lead.unit.unwrap(), co.unit.unwrap()]);
        assert!(
            d.notifications
                .iter()
                .all(|n| n.urgent && n.kind == "instructed")
        );
        assert_eq!(
            d.event.payload.summary_zh(),
            "批示领导：郭宁宁；批示：请加快进度，月底前报送办理情况"
        );
        // The office names the leader; a unit cannot instruct.
        assert_eq!(
            decide(&item, &office, &instruct(None), now())
                .unwrap_err()
                .field(),
            Some("by")
        );
        assert!(decide(&item, &office, &instruct(Some("郭宁宁")), now()).is_ok());
        assert!(matches!(
            decide(&item, &lead, &instruct(Some("郭宁宁")), now()),
            Err(DomainError::NotPermitted { .. })
        ));
        // Only the lead unit answers, and only an open 批示.
        let answer = Command::AnswerInstruction {
            text: "已部署，月底前报送".into(),
            attachments: vec![],
        };
        assert!(matches!(
            decide(&d.item, &co, &answer, now()),
            Err(DomainError::NotPermitted { .. })
        ));
        assert_eq!(
            decide(&item, &lead, &answer, now()).unwrap_err().field(),
            Some("instruction")
        );
        let a = decide(&d.item, &lead, &answer, now()).unwrap();
        assert_eq!(a.item.instructed_at, None);
        assert_eq!(a.notifications[0].recipient, office.unit.unwrap());
        assert_eq!(a.event.payload.summary_zh(), "回复：已部署，月底前报送");
        // An answer without files is stored as before files were taken.
        assert_eq!(
            a.event.payload.to_json(),
            r#"{"text":"已部署，月底前报送"}"#
        );
    }

    #[test]
    fn an_answer_carries_its_files_sha256_into_the_payload() {
        use crate::attachment::{Attachment, FileRef};
        let office = actor("专班办公室", Capacity::Office);
        let lead = actor("省工信厅", Capacity::Unit);
        let leader = actor("郭宁宁", Capacity::Leader);
        let new = NewItem {
            title: "推进古雷石化基地配套项目".into(),
            lead_unit: lead.unit,
            ..NewItem::default()
        };
        let mut item = new_item(ItemId::new(), &new, &office, now()).unwrap().item;
        item.state = ItemState::InProgress;
        let instruct = Command::Instruct {
            by: None,
            text: "请月底前报送".into(),
        };
        let item = decide(&item, &leader, &instruct, now()).unwrap().item;
        let file = FileRef {
            id: uuid::Uuid::now_v7(),
            name: "落实情况.pdf".into(),
            sha256: crate::attachment::sha256_hex(b"%PDF-1.7"),
            size: 8,
            content_type: "application/pdf".into(),
        };
        let answer = Command::AnswerInstruction {
            text: "已落实".into(),
            attachments: vec![Attachment::File(file.clone())],
        };
        let a = decide(&item, &lead, &answer, now()).unwrap();
        assert_eq!(a.event.payload.files(), vec![&file]);
        assert_eq!(
            a.event.payload.summary_zh(),
            "回复：已落实；附件：落实情况.pdf"
        );
        let back = Payload::parse(a.event.kind, &a.event.payload.to_json()).unwrap();
        assert_eq!(back, a.event.payload);
    }
}
