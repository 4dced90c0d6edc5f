//! `xiaohao report score`: the 考核 of a quarter or a year. The JSON is a contract checked
//! by automated tools — `{"period","base","units":[{"unit","score","rank","lines":[{"rule",
//! "points","item_id","event_seq",…}]}]}`, `score` = `base` + the sum of `points` — and the
//! same log prints the same bytes. The default is a table for people.

use crate::out;
use crate::run::{CliError, CliResult, usage};
use clap::Args;
use xiaohao_core::score::{Scorecard, ScoringRules};
use xiaohao_engine::Engine;
use xiaohao_engine::score::score_period;

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// A quarter (2026Q4) or a year (2026).
    #[arg(long)]
    pub period: String,
    /// table (default) or json.
    #[arg(long, default_value = "table")]
    pub format: String,
    /// Each unit's lines under its row (table only).
    #[arg(long)]
    pub lines: bool,
}

pub async fn run(engine: &Engine, args: ScoreArgs) -> CliResult {
    let period = score_period(&args.period).map_err(|e| usage(format!("--{e}")))?;
    if !matches!(args.format.as_str(), "table" | "json") {
        return Err(usage(format!(
            "--format: `{}` is not table or json",
            args.format.chars().take(20).collect::<String>()
        )));
    }
    let card = engine.scorecard(&period).await?;
    let rules = &engine.policy().scoring;
    if args.format == "json" {
        let text = serde_json::to_string_pretty(&card.to_json(rules))
            .map_err(|e| CliError::Failure(e.to_string()))?;
        out!("{text}");
    } else {
        out!("{}", table(&card, rules, args.lines));
    }
    Ok(())
}

/// 名次 单位 得分 扣分 加分, one unit a row; with `lines`, each line under its unit.
fn table(card: &Scorecard, rules: &ScoringRules, lines: bool) -> String {
    let mut out = format!(
        "{}考核（基础分 {}）\n名次\t单位\t得分\t扣分\t加分\n",
        card.period.title_zh(),
        card.base.to_string().trim_start_matches('+')
    );
    for u in &card.units {
        let (minus, plus) = u.totals();
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            u.rank,
            u.unit,
            u.score.to_string().trim_start_matches('+'),
            minus,
            plus
        ));
        if lines {
            for l in &u.lines {
                out.push_str(&format!(
                    "\t\t{}\t{}\t{}\t事项 {} 第 {} 条记录\n",
                    l.on,
                    rules.line_label(l),
                    l.points,
                    l.item_id,
                    l.event_seq
                ));
            }
        }
    }
    if card.units.is_empty() {
        out.push_str("（本期无考核对象）\n");
    }
    out
}
