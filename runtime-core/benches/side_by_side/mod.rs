//! Side-by-side measurement shared by the benches: criterion runs each (workload, engine) pair and
//! the total times are kept to print the ratio of two engines per workload.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use criterion::Criterion;

/// (workload, engine) -> (total time, iterations) over all criterion samples.
type Times = BTreeMap<(&'static str, &'static str), (Duration, u64)>;

thread_local! {
    static TIMES: RefCell<Times> = RefCell::default();
}

/// A committed fixture's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../tests/fixtures/wasm/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Runs `routine` under criterion and keeps its total time for the ratio table.
pub fn measure(
    c: &mut Criterion,
    workload: &'static str,
    engine: &'static str,
    mut routine: impl FnMut(),
) {
    c.benchmark_group(workload).bench_function(engine, |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                routine();
            }
            let took = start.elapsed();
            TIMES.with(|t| {
                let mut t = t.borrow_mut();
                let e = t.entry((workload, engine)).or_default();
                e.0 += took;
                e.1 += iters;
            });
            took
        })
    });
}

/// Prints per-iteration times of engines `a` and `b` and their ratio `a/b` for each workload.
pub fn report(workloads: &[&'static str], a: &'static str, b: &'static str) {
    println!("\nworkload           {a:>12}/iter {b:>12}/iter  {a}/{b}");
    TIMES.with(|t| {
        let t = t.borrow();
        let per_iter = |w, e| {
            t.get(&(w, e))
                .map(|(d, n): &(Duration, u64)| d.as_secs_f64() / (*n).max(1) as f64)
        };
        for &w in workloads {
            if let (Some(x), Some(y)) = (per_iter(w, a), per_iter(w, b)) {
                println!(
                    "{w:<18} {:>14.3} ms {:>14.3} ms  {:>8.3}x",
                    x * 1e3,
                    y * 1e3,
                    x / y
                );
            }
        }
    });
}
