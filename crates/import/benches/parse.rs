//! Parse timing: `cargo bench -p xiaohao-import --bench parse` (a plain `harness = false`
//! main). Parses the Sanming seed (≈22 KB) N times and prints mean and median.

use std::time::{Duration, Instant};

fn main() {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tests/data/seeds/sanming_2020_measures.txt"
            )
            .to_owned()
        });
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    let text = xiaohao_import::decode(&bytes).unwrap_or_else(|e| {
        eprintln!("cannot decode {path}: {e}");
        std::process::exit(1);
    });
    let n: usize = std::env::var("XIAOHAO_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    // Warm-up (regex compilation, allocator).
    for _ in 0..5 {
        std::hint::black_box(xiaohao_import::parse_plan(&text));
    }
    let mut times: Vec<Duration> = Vec::with_capacity(n);
    let mut tasks = 0;
    for _ in 0..n {
        let t = Instant::now();
        let draft = xiaohao_import::parse_plan(std::hint::black_box(&text));
        times.push(t.elapsed());
        tasks = draft.tasks.len();
    }
    times.sort();
    let total: Duration = times.iter().sum();
    let mean = total / u32::try_from(n.max(1)).unwrap_or(u32::MAX);
    let median = times.get(n / 2).copied().unwrap_or_default();
    let max = times.last().copied().unwrap_or_default();
    println!(
        "parse_plan {path}: {} bytes, {tasks} tasks, {n} runs: mean {:.3} ms, median {:.3} ms, max {:.3} ms",
        bytes.len(),
        mean.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
}
