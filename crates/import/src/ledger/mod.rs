//! The 台账 as a spreadsheet: one layout for every copy of it. [`COLUMNS`] is the column
//! definition; [`LedgerRow::cell`] is the one place a row becomes cells; [`write_ledger`]
//! (.xlsx, rust_xlsxwriter) and [`write_ledger_csv`] (CSV, UTF-8 with a BOM) lay those
//! cells out; [`read_ledger`] reads an edited workbook back by the same headers (calamine).
//! The CLI export, the web download and the ledger import all go through here, so a sheet
//! downloaded anywhere imports as commands on the same items. Everything works on bytes;
//! the caller does the I/O.
//!
//! Columns, in this order, with these exact Chinese headers ([`HEADERS`]):
//! 序号, 类别, 事项, 产业链/专项, 牵头单位, 责任单位, 牵头领导, 完成时限, 状态, 红黄绿灯,
//! 进度(%), 逾期(工作日), 督办级别, 最新进展, 工作内容, ID. The ID column is hidden in the
//! workbook; a row without an ID is a new item. Reading maps columns by header text, not
//! position, so a user may reorder or add columns. Dates are written as Excel dates
//! (`yyyy-mm-dd`); reading accepts a date cell, a date serial number or text `YYYY-MM-DD`
//! (also `YYYY/MM/DD`, `YYYY年M月D日`); other text (`长期坚持`, `每季度`) is kept as a
//! deadline text.

mod read;
mod write;

use chrono::NaiveDate;
use std::borrow::Cow;

pub use read::{LedgerInput, RowError, parse_date_text, read_ledger, split_units};
pub use write::{LedgerBook, LedgerCsv, write_ledger, write_ledger_csv};

/// The sheet name of the 台账.
pub const SHEET: &str = "台账";

/// One column of the 台账.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Number,
    Kind,
    Title,
    Chain,
    Lead,
    Co,
    Leader,
    Deadline,
    State,
    Light,
    Percent,
    DaysLate,
    Escalation,
    LatestProgress,
    Text,
    Id,
}

/// The columns, in the order every export writes them.
pub const COLUMNS: [Column; 16] = [
    Column::Number,
    Column::Kind,
    Column::Title,
    Column::Chain,
    Column::Lead,
    Column::Co,
    Column::Leader,
    Column::Deadline,
    Column::State,
    Column::Light,
    Column::Percent,
    Column::DaysLate,
    Column::Escalation,
    Column::LatestProgress,
    Column::Text,
    Column::Id,
];

/// Column headers as written, in [`COLUMNS`] order.
pub const HEADERS: [&str; COLUMNS.len()] = {
    let mut out = [""; COLUMNS.len()];
    let mut i = 0;
    while i < COLUMNS.len() {
        out[i] = COLUMNS[i].header();
        i += 1;
    }
    out
};

impl Column {
    /// The header text; import finds the column by it.
    pub const fn header(self) -> &'static str {
        match self {
            Self::Number => "序号",
            Self::Kind => "类别",
            Self::Title => "事项",
            Self::Chain => "产业链/专项",
            Self::Lead => "牵头单位",
            Self::Co => "责任单位",
            Self::Leader => "牵头领导",
            Self::Deadline => "完成时限",
            Self::State => "状态",
            Self::Light => "红黄绿灯",
            Self::Percent => "进度(%)",
            Self::DaysLate => "逾期(工作日)",
            Self::Escalation => "督办级别",
            Self::LatestProgress => "最新进展",
            Self::Text => "工作内容",
            Self::Id => "ID",
        }
    }

    /// Width in Excel character units; CJK characters count about two each.
    const fn width(self) -> f64 {
        match self {
            Self::Number => 8.0,
            Self::Kind => 6.0,
            Self::Title => 48.0,
            Self::Chain => 18.0,
            Self::Lead => 22.0,
            Self::Co => 36.0,
            Self::Leader | Self::Percent => 10.0,
            Self::Deadline => 14.0,
            Self::State | Self::Light | Self::Escalation => 10.0,
            Self::DaysLate => 12.0,
            Self::LatestProgress => 40.0,
            Self::Text => 60.0,
            Self::Id => 38.0,
        }
    }

    /// Whether an edit in this column is imported; the others are shown, never read.
    pub const fn editable(self) -> bool {
        matches!(
            self,
            Self::Number
                | Self::Title
                | Self::Lead
                | Self::Co
                | Self::Leader
                | Self::Deadline
                | Self::Text
                | Self::Id
        )
    }
}

/// 红黄绿灯 of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LightCell {
    Red,
    Yellow,
    Green,
    /// Not applicable (draft, suspended, closed, cancelled).
    #[default]
    None,
}

impl LightCell {
    pub fn label(self) -> &'static str {
        match self {
            Self::Red => "红灯",
            Self::Yellow => "黄灯",
            Self::Green => "绿灯",
            Self::None => "",
        }
    }
    fn fill(self) -> Option<u32> {
        match self {
            Self::Red => Some(0xFF_4D_4D),
            Self::Yellow => Some(0xFF_D9_40),
            Self::Green => Some(0x5C_B8_5C),
            Self::None => None,
        }
    }
}

/// A deadline cell: a date, a text such as 长期坚持, or empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DeadlineCell {
    Date(NaiveDate),
    Text(String),
    #[default]
    Empty,
}

/// One exported row: the item as the ledger shows it, every figure already decided by the
/// engine (light, working days late).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LedgerRow {
    pub number: String,
    /// 任务 or 问题.
    pub kind: String,
    pub title: String,
    pub chain: String,
    pub lead: String,
    /// 责任单位, written joined with `、`.
    pub co: Vec<String>,
    pub leader: String,
    pub deadline: DeadlineCell,
    pub state: String,
    pub light: LightCell,
    pub percent: Option<i32>,
    /// Working days past the due date; `None` (a blank cell) when not late.
    pub working_days_late: Option<i64>,
    pub escalation: String,
    pub latest_progress: String,
    pub text: String,
    pub id: String,
}

/// The value of one cell, as both writers lay it out.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Text(Cow<'a, str>),
    Date(NaiveDate),
    Number(f64),
    Light(LightCell),
    Blank,
}

impl LedgerRow {
    /// The one mapping from a row to its cells.
    pub fn cell(&self, column: Column) -> Cell<'_> {
        fn text(s: &str) -> Cell<'_> {
            Cell::Text(Cow::Borrowed(s))
        }
        match column {
            Column::Number => text(&self.number),
            Column::Kind => text(&self.kind),
            Column::Title => text(&self.title),
            Column::Chain => text(&self.chain),
            Column::Lead => text(&self.lead),
            Column::Co => Cell::Text(Cow::Owned(self.co.join("、"))),
            Column::Leader => text(&self.leader),
            Column::Deadline => match &self.deadline {
                DeadlineCell::Date(d) => Cell::Date(*d),
                DeadlineCell::Text(t) => text(t),
                DeadlineCell::Empty => Cell::Blank,
            },
            Column::State => text(&self.state),
            Column::Light => Cell::Light(self.light),
            Column::Percent => self.percent.map_or(Cell::Blank, |p| Cell::Number(p.into())),
            #[allow(clippy::cast_precision_loss)] // days late never reach 2^52
            Column::DaysLate => self
                .working_days_late
                .map_or(Cell::Blank, |d| Cell::Number(d as f64)),
            Column::Escalation => text(&self.escalation),
            Column::LatestProgress => text(&self.latest_progress),
            Column::Text => text(&self.text),
            Column::Id => text(&self.id),
        }
    }
}

/// Why a workbook cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("not an .xlsx workbook: {0}")]
    Workbook(String),
    #[error("the workbook has no sheet `{SHEET}` and no other sheet")]
    NoSheet,
    #[error("header row: missing column {0}")]
    MissingColumn(&'static str),
    /// The web download before the layout was one: its IDs are under 事项ID and its 序号 is a
    /// running count, so reading it would file every row as a new draft.
    #[error(
        "this sheet is the former web export (column 事项ID): export the ledger again and edit that copy"
    )]
    FormerLayout,
    #[error("cannot write the workbook: {0}")]
    Write(String),
}
