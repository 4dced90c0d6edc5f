//! The command line, as clap sees it.

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "xiaohao",
    version,
    about = "对账销号: ledger, supervision and reminders for work plans"
)]
pub struct Cli {
    /// Directory holding `config/` (defaults to the current directory).
    #[arg(long, global = true, env = "XIAOHAO_HOME", default_value = ".")]
    pub home: std::path::PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process; boxing the big variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (migrates first).
    Serve {
        /// Listen address, e.g. 127.0.0.1:8080 (overrides server.addr).
        #[arg(long)]
        addr: Option<String>,
        /// On an empty database, load demo data built from a real work plan.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations, or show their status.
    Migrate {
        #[arg(long)]
        status: bool,
    },
    /// Organisational units.
    #[command(subcommand)]
    Unit(UnitCommand),
    /// Ledger items.
    #[command(subcommand)]
    Item(ItemCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// User accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Load the demo data into an empty database.
    Demo,
}

#[derive(Debug, Subcommand)]
pub enum UnitCommand {
    /// Register a unit.
    Add {
        name: String,
        /// department, government, enterprise, office, supervision, group
        #[arg(long, default_value = "department")]
        kind: String,
        /// province, city, county, district (省/市/县/区)
        #[arg(long)]
        level: Option<String>,
        /// Parent unit (id, name or alias).
        #[arg(long)]
        parent: Option<String>,
        #[arg(long = "email")]
        emails: Vec<String>,
        #[arg(long = "alias")]
        aliases: Vec<String>,
    },
    /// Add an alias to a unit.
    Alias { unit: String, alias: String },
    /// List units.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum ItemCommand {
    /// File a new item as a draft.
    Add(ItemAdd),
    /// List items.
    List {
        #[arg(long)]
        state: Option<String>,
        /// Items a unit leads or co-handles.
        #[arg(long)]
        unit: Option<String>,
        /// Only open items past their deadline.
        #[arg(long)]
        overdue: bool,
        /// Text to search in title, text and number.
        #[arg(long)]
        q: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u64,
        #[arg(long)]
        json: bool,
    },
    /// Show one item with its timeline.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Act on an item: assign, accept, start, report, request_closure, verify, reject, …
    Do(ItemDo),
}

#[derive(Debug, Args)]
pub struct ItemAdd {
    #[arg(long)]
    pub title: String,
    /// The office filing the item (id, name or alias).
    #[arg(long = "as")]
    pub actor: String,
    #[arg(long, default_value = "task")]
    pub kind: String,
    #[arg(long)]
    pub number: Option<String>,
    #[arg(long, default_value = "")]
    pub text: String,
    #[arg(long)]
    pub lead: Option<String>,
    #[arg(long = "co")]
    pub co: Vec<String>,
    #[arg(long)]
    pub leader: Option<String>,
    /// YYYY-MM-DD
    #[arg(long)]
    pub deadline: Option<String>,
    #[arg(long)]
    pub chain: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ItemDo {
    pub id: String,
    pub action: String,
    /// The unit acting (id, name or alias).
    #[arg(long = "as")]
    pub actor: String,
    /// The version you saw; refused if the item changed since.
    #[arg(long)]
    pub version: Option<i64>,
    #[arg(long)]
    pub reason: Option<String>,
    #[arg(long)]
    pub evidence: Option<String>,
    #[arg(long)]
    pub comment: Option<String>,
    /// transfer: the new lead unit.
    #[arg(long)]
    pub to: Option<String>,
    /// assign: the lead unit.
    #[arg(long)]
    pub lead: Option<String>,
    /// assign: the deadline, YYYY-MM-DD.
    #[arg(long)]
    pub deadline: Option<String>,
    /// report: the period (2026-11, 2026-Q4).
    #[arg(long)]
    pub period: Option<String>,
    /// report: what was done.
    #[arg(long)]
    pub text: Option<String>,
    /// report: percent complete.
    #[arg(long)]
    pub percent: Option<i32>,
    #[arg(long = "attachment")]
    pub attachments: Vec<String>,
    /// escalate: level and step.
    #[arg(long)]
    pub level: Option<i32>,
    #[arg(long)]
    pub step: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute every item's event hash chain and report the first broken link.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account, e.g. the first admin:
    /// `xiaohao user add admin --unit 省发改委 --role admin --password-stdin`.
    Add {
        username: String,
        /// The unit the user belongs to (id, name or alias).
        #[arg(long)]
        unit: String,
        /// admin, office, unit, leader or supervision.
        #[arg(long)]
        role: String,
        /// Display name (defaults to the username).
        #[arg(long)]
        name: Option<String>,
        /// Leaders: the person (id or name) whose chains they read.
        #[arg(long)]
        person: Option<String>,
        /// Read the password from the first line of stdin; otherwise one is generated and
        /// printed once.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Revoke every session and API token of an account.
    Revoke { username: String },
}
