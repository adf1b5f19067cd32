//! Replays the committed seeds of the debugger's fuzz targets (`debugger/fuzz/seeds`) on stable,
//! through the same bodies the targets run: the `dwarf` seeds (`*.bin`, sections of fixtures and
//! regressions) and the `command` seeds (`command/*.bin`, command lines and expressions), each
//! without a panic and within a few seconds.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use debugger::fuzzing::{Fixture, command, dwarf};

/// The files of `dir` ending in `.bin`, sorted.
fn seeds(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect();
    seeds.sort();
    seeds
}

/// Runs on every seed the body `make` makes, on a thread with a main thread's stack (what a
/// front-end's engine has at least: expressions nest to the evaluator's limit in unoptimised
/// builds too).
fn replay<F: FnMut(&[u8])>(seeds: Vec<PathBuf>, make: impl FnOnce() -> F + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let mut body = make();
            for seed in seeds {
                let bytes = std::fs::read(&seed).unwrap();
                let started = Instant::now();
                body(&bytes);
                let took = started.elapsed();
                assert!(
                    took < Duration::from_secs(5),
                    "{}: {took:?}",
                    seed.display()
                );
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn every_dwarf_seed_replays_without_a_panic() {
    let seeds = seeds("fuzz/seeds");
    assert!(seeds.len() >= 4, "{} seeds", seeds.len());
    replay(seeds, || dwarf);
}

#[test]
fn every_command_seed_replays_without_a_panic() {
    let seeds = seeds("fuzz/seeds/command");
    assert!(seeds.len() >= 20, "{} seeds", seeds.len());
    let module = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/wasm/c-board-O1.wasm"),
    )
    .unwrap();
    replay(seeds, move || {
        let mut fixture = Fixture::open(&module, "filter").unwrap();
        move |bytes: &[u8]| command(&mut fixture, bytes)
    });
}
