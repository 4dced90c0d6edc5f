//! The arguments of `xiaohao bench`, as clap sees them.

use clap::Args;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum BenchWorkload {
    /// (a) state changes: update + event + outbox per change.
    Changes,
    /// (c) escalation sweep over many items, some overdue.
    Sweep,
    /// (d) a monthly cycle opening duties for every running item.
    Cycle,
    /// (e) outbox drain to a local sink (.eml files), messages/s.
    Outbox,
    /// (f) import of a work plan (read, parse, one transaction), repeated.
    Import,
    /// (b) state changes through the HTTP API of a `xiaohao serve` child process, and
    /// (g) that server's memory with `--items` more items loaded.
    Api,
    /// Every workbench page as each role opens it, over HTTP with `--items` in the
    /// ledger: p50/p95 per page (`--ops` samples each) and the server's memory.
    Pages,
    /// The supervision dashboard and a unit's 待办 page only, as `pages` measures them.
    Dashboard,
    /// The office's ledger download (.csv and .xlsx) of every item, as `pages` measures
    /// a page: time, size and the server's peak memory.
    Export,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum BenchDb {
    Sqlite,
    Postgres,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[arg(value_enum)]
    pub workload: BenchWorkload,
    /// A scratch SQLite file, or a scratch database on XIAOHAO_BENCH_PG_URL
    /// (default postgres://postgres@127.0.0.1:5432/test).
    #[arg(long, value_enum, default_value = "sqlite")]
    pub db: BenchDb,
    #[arg(long, default_value_t = 1)]
    pub writers: usize,
    #[arg(long, default_value_t = 2000)]
    pub ops: usize,
    #[arg(long, default_value_t = 100_000)]
    pub items: usize,
    #[arg(long, default_value_t = 10_000)]
    pub overdue: usize,
    /// outbox: messages to drain.
    #[arg(long, default_value_t = 2000)]
    pub messages: u64,
    /// outbox: messages in flight at once (default: mail.concurrency).
    #[arg(long)]
    pub in_flight: Option<usize>,
    /// outbox: send through this SMTP server (HOST:PORT, plain) instead of writing .eml files.
    #[arg(long)]
    pub smtp: Option<String>,
    /// import: the work plan to import.
    #[arg(long, default_value = "tests/data/seeds/sanming_2020_measures.txt")]
    pub file: std::path::PathBuf,
}
