//! The committed fuzz seeds replayed on stable, through the code the fuzz targets run
//! (`gdb_bridge::fuzzing`): every client input in `fuzz/seeds/*.bin` is served to its end without
//! a panic, and every stub's replies in `fuzz/seeds/replies` are read without one.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use gdb_bridge::fuzzing;
use runtime_core::Module;

/// The module both targets serve or debug.
fn fixture() -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/wasm/c-vec-O2.wasm"),
    )
    .unwrap()
}

/// The seed files in `dir` (under `fuzz/seeds`), scripts left out, sorted.
fn seeds(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(dir);
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "py"))
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no seeds in {}", dir.display());
    found
}

#[test]
fn every_packets_seed_is_served_to_its_end() {
    let module = fixture();
    for seed in seeds("")
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
    {
        let data = std::fs::read(&seed).unwrap();
        let ending = fuzzing::packets(&module, &data);
        assert!(ending.is_ok(), "{}: {ending:?}", seed.display());
    }
}

#[test]
fn every_replies_seed_is_read_without_a_panic() {
    let module = Rc::new(Module::new_for_debugging(&fixture()).unwrap());
    for seed in seeds("replies") {
        let data = std::fs::read(&seed).unwrap();
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            fuzzing::replies(&module, &data)
        }));
        assert!(read.is_ok(), "{} panicked", seed.display());
    }
}
