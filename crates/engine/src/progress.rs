//! Progress per unit: every unit's reports are its own rows; the item shows the lead unit's
//! figures as its own and lists the others'.

use serde::Serialize;
use xiaohao_core::{Item, UnitId};
use xiaohao_store::ProgressRow;

/// One reporting unit's standing on an item.
#[derive(Debug, Clone, Serialize)]
pub struct UnitProgress {
    pub unit: Option<UnitId>,
    pub unit_name: Option<String>,
    /// The item's lead unit (牵头单位): its latest report is the item's progress.
    pub lead: bool,
    /// How many reports the unit has filed on the item.
    pub reports: usize,
    /// Its latest report.
    pub latest: ProgressRow,
}

/// Each reporting unit's latest report (`rows` oldest first), the lead unit first, then the
/// others in the order they first reported.
pub fn by_unit(item: &Item, rows: &[ProgressRow]) -> Vec<UnitProgress> {
    let mut out: Vec<UnitProgress> = Vec::new();
    for row in rows {
        match out.iter_mut().find(|u| u.unit == row.unit) {
            Some(u) => {
                u.reports += 1;
                u.latest = row.clone();
            }
            None => out.push(UnitProgress {
                unit: row.unit,
                unit_name: row.unit_name.clone(),
                lead: row.unit.is_some() && row.unit == item.lead_unit,
                reports: 1,
                latest: row.clone(),
            }),
        }
    }
    // A stable sort: the lead first, the others keep their order.
    out.sort_by_key(|u| !u.lead);
    out
}
