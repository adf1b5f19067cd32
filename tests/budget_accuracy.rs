//! The budget's prediction against what the runtime really allocates: a counting global allocator
//! measures the heap bytes held after loading, linking WASI and instantiating each fixture, and the
//! prediction (runtime overhead plus linear memory) must be within 5% of it under every preset the
//! fixture fits; of its parts, linear memory must be exact and the runtime overhead within
//! [`RUNTIME_PART_ERROR`].

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicI64, Ordering};

use runtime_core::budget::{MemoryBudget, load_transient, runtime_held, runtime_overhead};
use runtime_core::limits::preset::{embedded_minimal, linux_production, qnx_safety_critical};
use runtime_core::limits::{
    AsilLevel, DebugLevel, EmbeddedPlatform, GIB, MIB, PlatformLimits, SafetyDebugMode,
};
use runtime_core::validate::validate_bytes;
use runtime_core::wasi::{self, WasiCtx};
use runtime_core::{Error, Linker, Module, Store};

/// Counts live heap bytes.
struct Counting;

static LIVE: AtomicI64 = AtomicI64::new(0);

// SAFETY: forwards to the system allocator unchanged, only counting sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as i64, Ordering::Relaxed);
        // SAFETY: same layout contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as i64, Ordering::Relaxed);
        // SAFETY: same layout contract as our caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Heap bytes held after loading, linking and instantiating `bytes` (the store and module kept),
/// and of those the bytes of linear memory.
fn measure(bytes: &[u8], limits: &PlatformLimits) -> (i64, u64) {
    let before = LIVE.load(Ordering::Relaxed);
    let module = Rc::new(Module::new(bytes).expect("fixture loads"));
    let mut store = Store::new(limits.store_config());
    let mut linker = Linker::new();
    let ctx = Rc::new(RefCell::new(WasiCtx::new(vec!["fixture".into()], vec![])));
    wasi::link(&mut store, &mut linker, &module, ctx.clone()).expect("wasi links");
    let inst = linker
        .instantiate(&mut store, module)
        .expect("fixture instantiates");
    let held = LIVE.load(Ordering::Relaxed) - before;
    let linear = store
        .instance(inst)
        .memory_addr()
        .map_or(0, |m| store.memory(m).data.len() as u64);
    drop((inst, store, linker, ctx));
    (held, linear)
}

/// How far the runtime overhead part alone may be off. The streaming pass counts operators, not the
/// instructions translation makes of them (fusions, copies at block ends), and the ratio differs
/// between C and Rust code.
const RUNTIME_PART_ERROR: f64 = 5.0;

#[test]
fn prediction_within_five_percent_of_measured() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/wasm");
    let presets = [
        (
            "linux 512MiB",
            linux_production(512 * MIB, AsilLevel::B, DebugLevel::None),
        ),
        (
            "linux 4GiB full",
            linux_production(4 * GIB, AsilLevel::QM, DebugLevel::FullDebug),
        ),
        (
            "qnx 256MiB dev",
            qnx_safety_critical(256 * MIB, AsilLevel::C, SafetyDebugMode::Development),
        ),
        (
            "zephyr 4MiB",
            embedded_minimal(4 * MIB, EmbeddedPlatform::Zephyr, false),
        ),
    ];
    // Standard input's 8 KiB buffer is the process's, allocated at its first use and never freed:
    // make that use here, not inside the first fixture's measure (its WASI context takes stdin).
    drop(std::io::stdin());
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        // The kernels are not a program; the freestanding board program imports two WASI calls
        // where this measure links the host's whole WASI (its forty-odd host functions are no
        // part of the model): its prediction is checked on the board (tui/tests/embedded.rs).
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .filter(|p| !p.ends_with("kernels.wasm") && !p.ends_with("c-board-O1.wasm"))
        .collect();
    paths.sort();
    let (mut checked, mut worst, mut worst_part) = (0, 0.0f64, 0.0f64);
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        for (preset, limits) in &presets {
            let fits = validate_bytes(&bytes, limits).map(|req| {
                let budget = MemoryBudget::new(&req, limits);
                let broken = budget
                    .violations(&req, limits)
                    .first()
                    .map(|v| v.rule.clone());
                (req, budget, broken)
            });
            let (req, budget) = match fits {
                Ok((req, budget, None)) => (req, budget),
                Ok((_, _, Some(rule))) => {
                    println!(
                        "{:<24} {preset:<16} does not fit ({rule}); skipped",
                        name(path)
                    );
                    continue;
                }
                Err(Error::ModuleLimit { limit, .. }) => {
                    println!(
                        "{:<24} {preset:<16} does not fit ({limit}); skipped",
                        name(path)
                    );
                    continue;
                }
                Err(e) => panic!("{}: {e}", name(path)),
            };
            // What stays held is measured; the load's transient control stacks are freed by then.
            let predicted = (runtime_held(&req) + budget.linear_memory) as f64;
            assert_eq!(
                runtime_overhead(&req),
                runtime_held(&req) + load_transient(&req)
            );
            let (held, linear_bytes) = measure(&bytes, limits);
            let measured = held as f64;
            let error = (predicted - measured) / measured * 100.0;
            assert_eq!(
                budget.linear_memory,
                linear_bytes,
                "{}: linear memory part",
                name(path)
            );
            let linear = linear_bytes as f64;
            let overhead_error = (predicted - measured) / (measured - linear) * 100.0;
            println!(
                "{:<24} {preset:<16} predicted {predicted:>9} measured {measured:>9} error {error:+.2}% \
                 (runtime overhead alone {:>7} vs {:>7}: {overhead_error:+.1}%)",
                name(path),
                predicted - linear,
                measured - linear,
            );
            worst = worst.max(error.abs());
            worst_part = worst_part.max(overhead_error.abs());
            assert!(error.abs() <= 5.0, "{}: {preset}: {error:+.2}%", name(path));
            assert!(
                overhead_error.abs() <= RUNTIME_PART_ERROR,
                "{}: {preset}: runtime overhead part {overhead_error:+.2}%",
                name(path)
            );
            checked += 1;
        }
    }
    println!(
        "{checked} fixture/preset pairs, worst error {worst:.2}%, worst runtime overhead part {worst_part:.2}%"
    );
    assert!(checked >= paths.len() * 2, "most fixtures fit most presets");
}

fn name(p: &std::path::Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}
