//! `xiaohao bench`: our code path against the raw database limit, measured in the same run
//! on the same database. Prints `ours`, `raw`, `ratio` and the durability settings.
//!
//! A crate of its own so that a production build of `xiaohao` can leave it out (the binary's
//! `bench` feature, on by default); only this crate turns on the store's raw-SQL baselines
//! (`xiaohao-store`'s `bench` feature).

mod api;
mod args;
mod changes;
mod cycle;
mod error;
mod fixtures;
mod import;
mod outbox;
mod pages;
mod sweep;

pub use args::{BenchArgs, BenchDb, BenchWorkload};
pub use error::BenchError;

use xiaohao_engine::Engine;

pub(crate) type BenchResult<T = ()> = Result<T, BenchError>;

/// Run one workload on a scratch database and print its figures to stdout.
///
/// # Errors
/// Bad arguments ([`BenchError::Usage`]) or any failure of the run.
pub async fn run(args: BenchArgs) -> BenchResult {
    if let BenchWorkload::Outbox = args.workload {
        let report = outbox::outbox(
            args.db,
            args.messages,
            args.in_flight,
            args.smtp.as_deref(),
            &fixtures::pg_admin_url(),
        )
        .await?;
        println!("{report}");
        return Ok(());
    }
    let scratch = fixtures::scratch(args.db).await?;
    match args.workload {
        BenchWorkload::Api => return api::api(&scratch, &args).await,
        BenchWorkload::Pages => {
            return pages::pages_bench(&scratch, &args, pages::Pages::All).await;
        }
        BenchWorkload::Dashboard => {
            return pages::pages_bench(&scratch, &args, pages::Pages::Dashboard).await;
        }
        BenchWorkload::Export => {
            return pages::pages_bench(&scratch, &args, pages::Pages::Export).await;
        }
        _ => {}
    }
    let store = fixtures::open(&scratch.url, (args.writers as u32 + 2).max(4)).await?;
    let settings = store.durability_settings().await?;
    let clock = fixtures::wall_clock();
    let engine = Engine::new(store.clone(), clock.clone(), fixtures::policy()?);
    match args.workload {
        BenchWorkload::Changes => changes::changes(&engine, &args, &settings).await,
        BenchWorkload::Sweep => sweep::sweep(&engine, clock, &args, &settings).await,
        BenchWorkload::Cycle => cycle::cycle(&engine, &args, &settings).await,
        BenchWorkload::Import => import::import(&engine, &args, &settings).await,
        BenchWorkload::Outbox
        | BenchWorkload::Api
        | BenchWorkload::Pages
        | BenchWorkload::Dashboard
        | BenchWorkload::Export => Ok(()),
    }
}
