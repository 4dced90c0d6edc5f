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
    /// Copy the SQLite database to FILE while `serve` keeps running (PostgreSQL: pg_dump).
    Backup {
        file: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Replace the SQLite database by the backup FILE (checked first; `serve` must be stopped).
    Restore {
        file: std::path::PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Working-day calendars (holidays and 调休), one file per year in `calendar_dir`.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// User accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Load the demo data into an empty database.
    Demo,
    /// Run one scheduler tick: open due cycles, mark missed duties, fire escalation steps.
    Tick {
        /// The instant to tick at (RFC 3339, e.g. 2026-10-09T09:00:00+08:00); default now.
        #[arg(long)]
        now: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Drive the real scheduler over a virtual year with synthetic units, in a scratch database.
    Simulate(SimulateArgs),
    /// Reporting duties.
    #[command(subcommand)]
    Duty(DutyCommand),
    /// Benchmarks: our code path against the raw database limit, in one run.
    #[cfg(feature = "bench")]
    Bench(xiaohao_bench::BenchArgs),
    /// Reminder e-mail: the outbox and its delivery.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Import a work plan (text) or an edited Excel ledger.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export the ledger (台账) as a formatted Excel workbook.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Bulletins (通报): quarterly and annual figures per chain and per unit.
    #[command(subcommand)]
    Report(ReportCommand),
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Read a work plan (UTF-8, GB18030 or UTF-16 text) into a draft ledger.
    Plan {
        file: std::path::PathBuf,
        /// Parse only and print the draft; no database is opened.
        #[arg(long)]
        dry_run: bool,
        /// Output format: json (the draft, or the summary) or text.
        #[arg(long, default_value = "text")]
        format: String,
        /// The office filing the items (id, name or alias); required without --dry-run.
        #[arg(long = "as")]
        actor: Option<String>,
        /// Import even if a plan with the same document number (or title) exists.
        #[arg(long)]
        allow_duplicate: bool,
        /// Write the plan even when no task is found in it (otherwise exit 2).
        #[arg(long)]
        allow_empty: bool,
        /// Refuse files larger than this many bytes (read no further).
        #[arg(long, env = "XIAOHAO_IMPORT_MAX_BYTES", default_value_t = 20 * 1024 * 1024)]
        max_bytes: u64,
    },
    /// Read an edited ledger workbook back: new rows become drafts, changed rows commands.
    Ledger {
        file: std::path::PathBuf,
        /// The office applying the changes (id, name or alias).
        #[arg(long = "as")]
        actor: String,
        /// Validate and show what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The 台账 as .xlsx: one row per item, frozen header, 红黄绿灯 fills, hidden ID column.
    Ledger {
        #[arg(long)]
        xlsx: std::path::PathBuf,
        /// Only the items of this chain (id or name).
        #[arg(long)]
        chain: Option<String>,
        /// Only the items this unit leads or co-handles (id, name or alias).
        #[arg(long)]
        unit: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The bulletin of a quarter, e.g. --period 2026Q4.
    Quarterly {
        #[arg(long)]
        period: String,
        #[command(flatten)]
        output: ReportOutput,
    },
    /// The bulletin of a year, e.g. --year 2026.
    Annual {
        #[arg(long)]
        year: i32,
        #[command(flatten)]
        output: ReportOutput,
    },
    /// 考核: every unit's score, rank and lines for a quarter (2026Q4) or a year (2026).
    Score(crate::score_cmd::ScoreArgs),
}

#[derive(Debug, Args)]
pub struct ReportOutput {
    /// md, html, xlsx or json.
    #[arg(long, default_value = "md")]
    pub format: String,
    /// Write to this file instead of standard output (required for xlsx).
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Also write the 通报 as a Word document (GB/T 9704 layout, unnumbered draft) to FILE.
    #[arg(long)]
    pub docx: Option<std::path::PathBuf>,
    /// With --docx: the issuing office (id, name or alias); its items and those of the units
    /// below it. Default: every item.
    #[arg(long)]
    pub office: Option<String>,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// First day (YYYY-MM-DD).
    #[arg(long, default_value = "2026-01-01")]
    pub from: String,
    /// Last day (YYYY-MM-DD).
    #[arg(long, default_value = "2026-12-31")]
    pub to: String,
    #[arg(long, default_value_t = 50)]
    pub units: usize,
    #[arg(long, default_value_t = 500)]
    pub items: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Database to simulate in; default a scratch SQLite file removed afterwards.
    #[arg(long)]
    pub db: Option<String>,
    /// No progress bar (for logs and CI).
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum DutyCommand {
    /// List duties, optionally of one unit and status (open, missed, submitted).
    List {
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// List outbox rows, newest first.
    List {
        /// pending, sending, sent, folded or dead (repeatable).
        #[arg(long)]
        status: Vec<String>,
        #[arg(long, default_value_t = 100)]
        limit: u64,
        #[arg(long)]
        json: bool,
    },
    /// Re-queue a dead row (by id), or every dead row.
    Retry {
        id: Option<String>,
        #[arg(long)]
        all_dead: bool,
    },
    /// Send a test message to an address through the configured transport.
    SendTest { address: String },
    /// Send everything that is due now (for cron, operations and tests), then exit.
    Drain,
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
    /// Why; for escalate the 督办事由 (the ladder decides the step).
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
    /// assign, reschedule: the deadline; request_extension: the deadline asked for (YYYY-MM-DD).
    #[arg(long)]
    pub deadline: Option<String>,
    /// report: the period (2026-11, 2026-Q4).
    #[arg(long)]
    pub period: Option<String>,
    /// report: what was done; instruct: the 批示; answer_instruction: the 回复.
    #[arg(long)]
    pub text: Option<String>,
    /// instruct by an office: the leader it writes for.
    #[arg(long)]
    pub by: Option<String>,
    /// answer_order: the id of the 督办单 answered (the answer is --text).
    #[arg(long)]
    pub order: Option<String>,
    /// report: percent complete.
    #[arg(long)]
    pub percent: Option<i32>,
    /// report, request_closure, request_extension: the id of a file uploaded to the item
    /// (repeatable).
    #[arg(long = "attachment")]
    pub attachments: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Validate a year's calendar file (format: config/calendar/README.md) and install it as
    /// `<calendar_dir>/<year>.toml`; `serve` reads it at its next start.
    Import {
        file: std::path::PathBuf,
        /// Overwrite the calendar of a year that already has one.
        #[arg(long)]
        replace: bool,
    },
    /// The years that have a calendar, and those missing.
    Show,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute every item's event hash chain and report the first broken link.
    Verify {
        /// Also read every stored evidence file and check it against the SHA-256 its
        /// events recorded: a changed or missing file is reported.
        #[arg(long)]
        files: bool,
    },
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
    /// Set an account's password (at least 10 characters, not a common one); every session
    /// and token of the account is revoked.
    Passwd {
        username: String,
        /// Read the password from the first line of stdin; otherwise one is generated and
        /// printed once.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Reset an account to a temporary password that must be changed at the next login;
    /// every session and token of the account is revoked.
    Reset {
        username: String,
        /// Read the temporary password from stdin; otherwise one is generated and printed once.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account: it cannot sign in, and its sessions and tokens end at once.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
}

impl Command {
    /// Only these may create the SQLite file; every other command reads or changes an
    /// existing ledger and refuses (exit 2) when the file is missing.
    pub fn creates_database(&self) -> bool {
        matches!(
            self,
            Self::Serve { .. } | Self::Migrate { .. } | Self::Demo | Self::Import(_)
        )
    }
}
