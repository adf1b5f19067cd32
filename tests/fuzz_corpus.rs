//! Replays the committed seeds of the `admit` fuzz target (`runtime-core/fuzz/seeds`) on stable:
//! fixtures, and the hostile modules of issue 44 (billions of locals, a `name` section claiming
//! 4 GiB, unknown and mistyped imports, segments out of bounds, growth to the limits, loops for
//! ever, an hour's sleep). Each goes through admission, `check`'s pass and a run on fuel, with
//! no panic and no hang.

use std::path::Path;

#[test]
fn every_admit_seed_replays_without_a_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime-core/fuzz/seeds");
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 10, "{} seeds", seeds.len());
    for seed in seeds {
        let bytes = std::fs::read(&seed).unwrap();
        let started = std::time::Instant::now();
        runtime_core::fuzzing::admit_any(&bytes);
        let took = started.elapsed();
        assert!(took.as_secs() < 10, "{}: {took:?}", seed.display());
    }
}
