//! 对账: the engine's side of reconciliation statements. It opens a cycle's statements
//! when the scheduler says so (drafted by `xiaohao_core::recon` from the ledger as it
//! stands), and carries out the acts of units and offices: each act is loaded, decided in
//! core, and written under the statement's version. A dispute resolved by a command goes
//! through the one command path, like any other command.

use crate::requests::CommandRequest;
use crate::{Engine, EngineError, Principal};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use xiaohao_core::cycles::{CycleDef, Occurrence};
use xiaohao_core::recon::{
    self, Answer, BrokenSeal, Header, ItemAfter, Line, Mark, ReconError, Status,
};
use xiaohao_core::{AccountRole, Jurisdiction, UnitId};
use xiaohao_store::{
    DisputeRow, NewStatement, StatementFilter, StatementSummary, StoreError, StoredStatement,
};

/// A statement as its reader sees it, with what the reader may do to it.
#[derive(Debug, Clone, Serialize)]
pub struct StatementView {
    #[serde(flatten)]
    pub header: Header,
    pub lines: Vec<Line>,
    pub version: i64,
    /// The level its duty reached on the ladder (unsigned past the due date).
    pub escalation_level: i32,
    /// Working days past the due date while unsigned (the policy's count); 0 otherwise.
    pub working_days_late: i64,
    /// The seal's hash once countersigned.
    pub content_hash: Option<String>,
    pub can_mark: bool,
    pub can_sign: bool,
    pub can_countersign: bool,
    /// The lines whose dispute the reader may answer.
    pub answerable: Vec<i32>,
}

/// A unit's word on a line, as it arrives.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRequest {
    /// `confirm` or `dispute`.
    pub verdict: String,
    /// For a dispute: done_pending_strike_off, not_our_duty, wrong_deadline, wrong_progress
    /// or other (or its Chinese label).
    pub reason: Option<String>,
    pub note: Option<String>,
    #[serde(default)]
    pub attachments: Vec<String>,
}

/// The office's answer to a dispute, as it arrives.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// `resolve` or `reject`.
    pub action: String,
    /// Resolution note.
    pub note: Option<String>,
    /// Why the dispute is rejected (required for `reject`).
    pub reason: Option<String>,
    /// A command on the line's item to run first (reschedule, transfer, verify …), through
    /// the normal command path.
    pub command: Option<CommandRequest>,
}

fn recon_err(e: ReconError) -> EngineError {
    match e {
        ReconError::Invalid { field, message } => EngineError::invalid(field, message),
        ReconError::State(m) => EngineError::Conflict(m),
        ReconError::NotPermitted(m) => EngineError::Forbidden(m),
    }
}

fn not_found(id: Uuid) -> EngineError {
    StoreError::NotFound {
        what: "statement",
        key: id.to_string(),
    }
    .into()
}

/// The keeping offices an office's statements and disputes come from (`None`: all).
fn kept_by(who: &Principal) -> Option<Vec<UnitId>> {
    match &who.actor.jurisdiction {
        Jurisdiction::All => None,
        Jurisdiction::Units(units) => Some(units.iter().copied().collect()),
        Jurisdiction::OwnUnit => Some(who.actor.unit.into_iter().collect()),
    }
}

fn owners(s: &StoredStatement) -> Vec<Option<UnitId>> {
    s.lines.iter().map(|l| l.snapshot.owner_unit).collect()
}

impl Engine {
    /// Open the statements of a reconciliation occurrence: draft them from the ledger as
    /// it stands and write them with the occurrence's claim. `None` when already opened.
    ///
    /// # Errors
    /// On store failure.
    pub(crate) async fn open_statements(
        &self,
        cycle: &CycleDef,
        occurrence: &Occurrence,
        scheduled_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, EngineError> {
        let store = self.store();
        if store
            .occurrence_claimed(&cycle.key, &occurrence.period_key)
            .await?
        {
            return Ok(None);
        }
        let facts = store.recon_facts(scheduled_at).await?;
        let drafts = recon::draft_statements(&facts, self.policy(), occurrence.opens_on);
        let mut statements = Vec::with_capacity(drafts.len());
        for (unit, lines) in drafts {
            let unit_name = store.unit(unit).await?.name;
            statements.push(NewStatement {
                unit,
                unit_name,
                lines,
            });
        }
        Ok(store
            .open_statements(cycle, occurrence, scheduled_at, now, &statements)
            .await?)
    }

    /// Statements `who` may read: a unit its own (its history), an office those holding an
    /// item it keeps, 督查室 and administrators all; optionally of one unit and status.
    ///
    /// # Errors
    /// On store failure.
    pub async fn statements_for(
        &self,
        who: &Principal,
        unit: Option<UnitId>,
        status: Option<Status>,
        limit: u64,
    ) -> Result<Vec<StatementSummary>, EngineError> {
        let mut f = StatementFilter {
            unit,
            status,
            owners: None,
            limit,
        };
        match who.role() {
            AccountRole::Admin | AccountRole::Supervision => {}
            AccountRole::Unit => {
                if unit.is_some_and(|u| u != who.user.unit) {
                    return Ok(Vec::new());
                }
                f.unit = Some(who.user.unit);
            }
            AccountRole::Office => f.owners = kept_by(who),
            AccountRole::Leader => return Ok(Vec::new()),
        }
        Ok(self.store().statements(&f).await?)
    }

    async fn readable(&self, who: &Principal, id: Uuid) -> Result<StoredStatement, EngineError> {
        let s = match self.store().statement(id).await {
            Ok(s) => s,
            Err(StoreError::NotFound { .. }) => return Err(not_found(id)),
            Err(e) => return Err(e.into()),
        };
        if recon::may_read(who.role(), &who.actor, s.header.unit, &owners(&s)) {
            Ok(s)
        } else {
            Err(not_found(id))
        }
    }

    /// A statement, if `who` may read it; otherwise `NotFound`, as for a missing id.
    ///
    /// # Errors
    /// `Store(NotFound)`; on store failure.
    pub async fn statement_for(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<StatementView, EngineError> {
        let s = self.readable(who, id).await?;
        let unit = s.header.unit;
        let status = s.header.status;
        let owners = owners(&s);
        let today = self.today();
        let working_days_late = if status == Status::Open && s.header.due_on < today {
            self.policy()
                .working_days_between(s.header.due_on, today)
                .max(0)
        } else {
            0
        };
        let can_mark = status == Status::Open && recon::may_mark(&who.actor, unit).is_ok();
        let answerable = if status == Status::Open {
            s.lines
                .iter()
                .filter(|l| {
                    l.verdict == recon::Verdict::Disputed
                        && recon::may_answer(&who.actor, unit, l.snapshot.owner_unit).is_ok()
                })
                .map(|l| l.seq)
                .collect()
        } else {
            Vec::new()
        };
        Ok(StatementView {
            can_sign: can_mark && recon::check_sign(status, &s.lines).is_ok(),
            can_countersign: recon::check_countersign(status).is_ok()
                && recon::may_countersign(&who.actor, unit, &owners).is_ok(),
            can_mark,
            answerable,
            working_days_late,
            escalation_level: s.escalation_level,
            content_hash: s.content_hash,
            version: s.version,
            header: s.header,
            lines: s.lines,
        })
    }

    fn line_of(s: &StoredStatement, seq: i32) -> Result<&Line, EngineError> {
        s.lines
            .iter()
            .find(|l| l.seq == seq)
            .ok_or_else(|| EngineError::invalid("seq", format!("该对账单没有第{seq}行")))
    }

    /// The unit confirms or disputes a line.
    ///
    /// # Errors
    /// `NotFound` outside the reader's scope, `Forbidden` for anyone but the unit,
    /// `Conflict` after signing or on a concurrent change, `Invalid` naming the field.
    pub async fn mark_statement_line(
        &self,
        who: &Principal,
        id: Uuid,
        seq: i32,
        req: &MarkRequest,
    ) -> Result<Line, EngineError> {
        let mark = match req.verdict.trim() {
            "confirm" | "确认" => Mark::Confirm,
            "dispute" | "有异议" => {
                let reason = req
                    .reason
                    .as_deref()
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .ok_or_else(|| EngineError::invalid("reason", "有异议时须选择异议原因"))?
                    .parse()
                    .map_err(|e: String| EngineError::invalid("reason", e))?;
                Mark::Dispute {
                    reason,
                    note: req.note.clone(),
                    attachments: req.attachments.clone(),
                }
            }
            other => {
                return Err(EngineError::invalid(
                    "verdict",
                    format!(
                        "`{}` is not a verdict; use confirm or dispute",
                        other.chars().take(40).collect::<String>()
                    ),
                ));
            }
        };
        let s = self.readable(who, id).await?;
        recon::may_mark(&who.actor, s.header.unit).map_err(recon_err)?;
        let line = Self::line_of(&s, seq)?;
        let next = recon::mark_line(s.header.status, line, &mark, self.now()).map_err(recon_err)?;
        self.store()
            .save_statement_line(id, s.version, &next)
            .await?;
        Ok(next)
    }

    /// The keeping office answers a dispute: resolves it (after an optional command on the
    /// item, through the normal command path; the line then shows the item as it stands)
    /// or rejects it with a reason.
    ///
    /// # Errors
    /// As [`Engine::mark_statement_line`], plus whatever the command is refused with.
    pub async fn answer_dispute(
        &self,
        who: &Principal,
        id: Uuid,
        seq: i32,
        req: &AnswerRequest,
    ) -> Result<Line, EngineError> {
        let s = self.readable(who, id).await?;
        let line = Self::line_of(&s, seq)?.clone();
        recon::may_answer(&who.actor, s.header.unit, line.snapshot.owner_unit)
            .map_err(recon_err)?;
        let by = who.user.display_name.clone();
        let answer = match req.action.trim() {
            "resolve" => {
                // Refuse before any command runs if the line cannot be resolved.
                let probe = ItemAfter {
                    state: line.snapshot.state,
                    lead_unit: None,
                    deadline: None,
                    due_on: None,
                    working_days_late: 0,
                    escalation_level: 0,
                    percent: None,
                };
                recon::answer_line(
                    s.header.status,
                    &line,
                    Answer::Resolve {
                        note: req.note.clone(),
                        after: probe,
                    },
                    &by,
                    self.now(),
                )
                .map_err(recon_err)?;
                let item_id = line.snapshot.item_id;
                if let Some(cmd) = &req.command {
                    let scope = who.scope.clone();
                    self.request_if(item_id, &who.actor, cmd, move |i| scope.admits(i))
                        .await?;
                }
                let item = self.store().item(item_id).await?;
                Answer::Resolve {
                    note: req.note.clone(),
                    after: ItemAfter::of(&item, self.policy(), self.today()),
                }
            }
            "reject" => Answer::Reject {
                reason: req.reason.clone().unwrap_or_default(),
            },
            other => {
                return Err(EngineError::invalid(
                    "action",
                    format!(
                        "`{}` is not an answer; use resolve or reject",
                        other.chars().take(40).collect::<String>()
                    ),
                ));
            }
        };
        // The command (if any) changed the item, not the statement: the version still holds.
        let next = recon::answer_line(s.header.status, &line, answer, &by, self.now())
            .map_err(recon_err)?;
        self.store()
            .save_statement_line(id, s.version, &next)
            .await?;
        Ok(next)
    }

    /// The unit signs its statement once every line is agreed; its duty is settled.
    ///
    /// # Errors
    /// As [`Engine::mark_statement_line`].
    pub async fn sign_statement(&self, who: &Principal, id: Uuid) -> Result<(), EngineError> {
        let s = self.readable(who, id).await?;
        recon::may_mark(&who.actor, s.header.unit).map_err(recon_err)?;
        recon::check_sign(s.header.status, &s.lines).map_err(recon_err)?;
        self.store()
            .sign_statement(id, s.version, &who.user.display_name, self.now())
            .await?;
        Ok(())
    }

    /// The office countersigns: the statement is frozen and sealed in the chain. Returns
    /// the seal's hash.
    ///
    /// # Errors
    /// As [`Engine::mark_statement_line`].
    pub async fn countersign_statement(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<String, EngineError> {
        let mut attempt = 0;
        loop {
            let s = self.readable(who, id).await?;
            recon::may_countersign(&who.actor, s.header.unit, &owners(&s)).map_err(recon_err)?;
            recon::check_countersign(s.header.status).map_err(recon_err)?;
            match self
                .store()
                .countersign_statement(
                    id,
                    s.version,
                    &who.user.display_name,
                    who.actor.unit,
                    self.now(),
                )
                .await
            {
                // Another statement took the chain's next place: read again and retry.
                Err(StoreError::Conflict(_)) if attempt < 5 => attempt += 1,
                other => return Ok(other?),
            }
        }
    }

    /// Disputes waiting for `who`'s answer: an office's for the items it keeps, an
    /// administrator's all; nobody else answers disputes.
    ///
    /// # Errors
    /// On store failure.
    pub async fn disputes_for(
        &self,
        who: &Principal,
        limit: u64,
    ) -> Result<Vec<DisputeRow>, EngineError> {
        if who.role() != AccountRole::Office && who.role() != AccountRole::Admin {
            return Ok(Vec::new());
        }
        let kept = kept_by(who);
        let rows = self.store().open_disputes(kept.as_deref(), limit).await?;
        Ok(rows
            .into_iter()
            .filter(|r| recon::may_answer(&who.actor, r.unit, r.line.snapshot.owner_unit).is_ok())
            .collect())
    }

    /// Check the chain of sealed statements: `(seals checked, first broken seal)`.
    ///
    /// # Errors
    /// On store failure.
    pub async fn verify_statement_seals(&self) -> Result<(u64, Option<BrokenSeal>), EngineError> {
        Ok(self.store().verify_statement_seals().await?)
    }
}
