//! What debugging costs a running program, side by side in one run on the benchmark kernels:
//! `none` (no session: the loop instantiated without hooks, debug checks compiled out), `full10`
//! (a FullDebug session with 10 breakpoints armed in code that never runs), `interruptible` (the
//! same, polling an interrupt flag at calls and backward branches, as an interactive or remote
//! session's `continue` does), `watch1` (one
//! watchpoint: every load and store is checked) and `stepping` (the per-instruction hook that
//! `step` and `next` use). Prints each against `none`.

use std::hint::black_box;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use runtime_core::debug::{DebugSession, Watch, WatchKind};
use runtime_core::exec::NoHook;
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB};
use runtime_core::{Extern, Frame, Hook, Linker, Module, Outcome, Store, Thread, Val};
use side_by_side::{fixture, measure};

mod side_by_side;

/// Polls an interrupt flag at calls and backward branches, as the debugger's `continue` does.
struct Polling<'a>(&'a AtomicBool);

impl Hook for Polling<'_> {
    const ACTIVE: bool = false;
    const POLL: bool = true;
    fn before(&mut self, _: &Frame, _: usize) -> bool {
        true
    }
    fn poll(&mut self, _: u64) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Checks every access against the armed watches (gathered from the session's table before
/// running, as the debugger's hook does).
struct Watching<'a>(&'a [(u64, u64)]);

impl Hook for Watching<'_> {
    const ACTIVE: bool = false;
    const WATCH: bool = true;
    fn before(&mut self, _: &Frame, _: usize) -> bool {
        true
    }
    fn access(&mut self, addr: u64, len: u64, write: bool) -> bool {
        write && self.0.iter().any(|&(a, n)| addr < a + n && a < addr + len)
    }
}

fn run<H: Hook>(store: &mut Store, f: u32, arg: i32, hook: &mut H) -> Vec<Val> {
    let mut t = Thread::new(store, f, &[Val::I32(arg)]).unwrap();
    assert_eq!(t.run_with_hook(store, hook), Ok(Outcome::Finished));
    t.results(store)
}

fn kernels(c: &mut Criterion) {
    let limits = linux_production(512 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    let module = Rc::new(Module::new(&fixture("kernels.wasm")).expect("kernels"));
    let mut store = Store::new(limits.store_config());
    let inst = Linker::new().instantiate(&mut store, module).unwrap();
    let export = |store: &Store, name| match store.instance(inst).export(name) {
        Some(Extern::Func(f)) => f,
        _ => panic!("{name}"),
    };
    let (fib, hot, sort) = (
        export(&store, "fib"),
        export(&store, "hot_loop"),
        export(&store, "sort"),
    );
    for (workload, f, arg, cold) in [
        ("fib", fib, 25, sort),
        ("hot_loop", hot, 2_000_000, sort),
        ("sort", sort, 20_000, fib),
    ] {
        let want = run(&mut store, f, arg, &mut NoHook);
        measure(c, workload, "none", || {
            black_box(run(&mut store, f, black_box(arg), &mut NoHook));
        });
        let mut session = DebugSession::open(&limits).unwrap();
        let armed: Vec<u32> = (0..10)
            .map(|pc| {
                session
                    .breakpoints
                    .arm(&mut store, cold, pc, &limits)
                    .unwrap()
            })
            .collect();
        measure(c, workload, "full10", || {
            black_box(run(&mut store, f, black_box(arg), &mut NoHook));
        });
        let interrupt = AtomicBool::new(false);
        measure(c, workload, "interruptible", || {
            black_box(run(&mut store, f, black_box(arg), &mut Polling(&interrupt)));
        });
        // A watch on the last byte of memory: checked on every access, never hit.
        let top = store
            .memory(store.instance(inst).memory_addr().unwrap())
            .data
            .len() as u32
            - 4;
        let w = Watch {
            addr: top,
            len: 4,
            kind: WatchKind::Write,
            old: [0; 8],
        };
        session.watches.insert(w, &limits).unwrap();
        let active: Vec<(u64, u64)> = session
            .watches
            .iter()
            .map(|(_, w)| (u64::from(w.addr), u64::from(w.len)))
            .collect();
        assert_eq!(run(&mut store, f, arg, &mut Watching(&active)), want);
        measure(c, workload, "watch1", || {
            black_box(run(&mut store, f, black_box(arg), &mut Watching(&active)));
        });
        let mut count = 0u64;
        let mut stepping = |_: &Frame, _: usize| {
            count += 1;
            true
        };
        measure(c, workload, "stepping", || {
            black_box(run(&mut store, f, black_box(arg), &mut stepping));
        });
        for id in armed {
            session.breakpoints.disarm(&mut store, id);
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = kernels
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    for engine in ["full10", "interruptible", "watch1", "stepping"] {
        side_by_side::report(&["fib", "hot_loop", "sort"], engine, "none");
    }
}
