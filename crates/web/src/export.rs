//! The ledger as a spreadsheet: CSV in UTF-8 with a BOM, so Excel on Chinese Windows
//! opens it without garbling the characters.

use crate::ApiError;
use std::collections::HashMap;
use xiaohao_core::{Item, item_light};
use xiaohao_engine::Engine;

fn cell(s: &str) -> String {
    // Quote every cell; a leading =,+,-,@ would be a formula in Excel — neutralise it.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// # Errors
/// When units or chains cannot be read.
pub async fn ledger_csv(engine: &Engine, items: &[Item]) -> Result<Vec<u8>, ApiError> {
    let units: HashMap<_, _> = engine
        .store()
        .units()
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let chains: HashMap<_, _> = engine
        .store()
        .chains()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let today = engine.today();
    let mut out = String::from("\u{feff}");
    out.push_str("序号,编号,类别,事项,产业链/专项,牵头单位,责任单位,完成时限,状态,灯号,进度(%),督办级别,编号ID\r\n");
    for (i, it) in items.iter().enumerate() {
        let unit = |u: &xiaohao_core::UnitId| units.get(u).cloned().unwrap_or_default();
        let row = [
            (i + 1).to_string(),
            it.number.clone().unwrap_or_default(),
            it.kind.label_zh().to_owned(),
            it.title.clone(),
            it.chain_id
                .and_then(|c| chains.get(&c).cloned())
                .unwrap_or_default(),
            it.lead_unit.as_ref().map(unit).unwrap_or_default(),
            it.co_units.iter().map(unit).collect::<Vec<_>>().join("、"),
            it.deadline
                .map(|d| d.to_string())
                .or_else(|| it.deadline_text.clone())
                .unwrap_or_default(),
            it.state.label_zh().to_owned(),
            item_light(it, today).label_zh().to_owned(),
            it.progress_percent
                .map(|p| p.to_string())
                .unwrap_or_default(),
            it.escalation_level.to_string(),
            it.id.to_string(),
        ];
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    Ok(out.into_bytes())
}
