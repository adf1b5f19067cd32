//! What debugging costs a running program, side by side in one run on the benchmark kernels, each
//! mode against `run` (the speed translation, no hooks: what `wrt-dbg run` runs). The modes run on
//! the translation every debug session runs (an instruction at each line-table row,
//! [`debugger::translate::translate`]): `debug` (no hooks), `full10` (10
//! breakpoints armed in code that never runs, polling for an interrupt as a session's `continue`
//! does), `interruptible` (polling an interrupt flag about every `POLL_PERIOD` instructions, as an
//! interactive or served `continue` does, nothing armed), `watch1` (one watchpoint above
//! every access: the bounds check covers it; polling, as a session's `continue` does),
//! `watch_low` (one below: every store is compared with it), `profile` (per-function counts at calls and
//! returns) and `stepping` (the per-instruction hook of `step` and `next`).

use std::hint::black_box;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use runtime_core::debug::{DebugSession, Profile, Spans, Watch, WatchKind, tripped};
use runtime_core::exec::NoHook;
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB};
use runtime_core::{Extern, Frame, Hook, Linker, Module, Outcome, Store, Thread, Val};
use side_by_side::{fixture, measure};

#[path = "../../runtime-core/benches/side_by_side/mod.rs"]
mod side_by_side;

/// Polls an interrupt flag, as the debugger's `continue` does.
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

/// Checks every access against the span of the armed watches it could trip, and one in it
/// against each watch (gathered from the session's table before running), and polls an
/// interrupt flag, as the debugger's hook does in a `continue`.
struct Watching<'a> {
    watches: &'a [(u64, u64, WatchKind)],
    spans: Spans,
    interrupt: &'a AtomicBool,
}

impl<'a> Watching<'a> {
    fn new(watches: &'a [(u64, u64, WatchKind)], interrupt: &'a AtomicBool) -> Self {
        Watching {
            watches,
            spans: Spans::new(watches),
            interrupt,
        }
    }
}

impl Hook for Watching<'_> {
    const ACTIVE: bool = false;
    const WATCH: bool = true;
    const POLL: bool = true;
    fn before(&mut self, _: &Frame, _: usize) -> bool {
        true
    }
    fn poll(&mut self, _: u64) -> bool {
        self.interrupt.load(Ordering::Relaxed)
    }
    fn watched(&self, write: bool) -> (u64, u64) {
        self.spans.of(write)
    }
    fn access(&mut self, addr: u64, len: u64, write: bool) -> bool {
        tripped(self.watches, addr, len, write).is_some()
    }
}

fn run<H: Hook>(store: &mut Store, f: u32, arg: i32, hook: &mut H) -> Vec<Val> {
    let mut t = Thread::new(store, f, &[Val::I32(arg)]).unwrap();
    assert_eq!(t.run_with_hook(store, hook), Ok(Outcome::Finished));
    t.results(store)
}

/// Counts instructions and calls into calling contexts at calls and returns, as profiling
/// does; with `LINES`, every straight run of instructions by pc too, as a profile by line does.
struct Profiling<'a, const LINES: bool>(&'a mut Profile);

impl<const LINES: bool> Hook for Profiling<'_, LINES> {
    const ACTIVE: bool = false;
    const ACCOUNT: bool = true;
    const SPANS: bool = LINES;
    fn before(&mut self, _: &Frame, _: usize) -> bool {
        true
    }
    fn account(&mut self, _: u32, instructions: u64) {
        self.0.add(instructions);
    }
    fn enter(&mut self, func: u32, site: u32) {
        self.0.enter(func, site);
    }
    fn leave(&mut self) {
        self.0.leave();
    }
    fn span(&mut self, _: u32, start: u32, end: u32) {
        self.0.span(start, end);
    }
}

/// The kernels instantiated from the translation `translate` makes, and their exports.
fn instance(
    limits: &runtime_core::limits::PlatformLimits,
    translate: impl Fn(&[u8]) -> Result<Module, debugger::Error>,
) -> (Store, u32, [u32; 3]) {
    let module = Rc::new(translate(&fixture("kernels.wasm")).expect("kernels"));
    let mut store = Store::new(limits.store_config());
    let inst = Linker::new().instantiate(&mut store, module).unwrap();
    let export = |name| match store.instance(inst).export(name) {
        Some(Extern::Func(f)) => f,
        _ => panic!("{name}"),
    };
    let funcs = [export("fib"), export("hot_loop"), export("sort")];
    (store, inst, funcs)
}

fn kernels(c: &mut Criterion) {
    let limits = linux_production(512 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    // `run`: the speed translation, no hooks. Every debug mode runs on the translation a debug
    // session (local or served) runs.
    let (mut fast, _, [fib0, hot0, sort0]) = instance(&limits, |b| Ok(Module::new(b)?));
    let (mut store, inst, [fib, hot, sort]) = instance(&limits, |b| {
        Ok(debugger::translate::translate(b, &limits)?.module)
    });
    for (workload, f0, f, arg, cold) in [
        ("fib", fib0, fib, 25, sort),
        ("hot_loop", hot0, hot, 2_000_000, sort),
        ("sort", sort0, sort, 20_000, fib),
    ] {
        let want = run(&mut fast, f0, arg, &mut NoHook);
        measure(c, workload, "run", || {
            black_box(run(&mut fast, f0, black_box(arg), &mut NoHook));
        });
        assert_eq!(run(&mut store, f, arg, &mut NoHook), want);
        measure(c, workload, "debug", || {
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
        // A session's `continue` polls for an interrupt whatever is armed.
        let interrupt = AtomicBool::new(false);
        measure(c, workload, "full10", || {
            black_box(run(&mut store, f, black_box(arg), &mut Polling(&interrupt)));
        });
        // A watch on the last bytes of memory (every access is below it: the loop's bounds
        // check covers it), then on the first (every store is above it: each is tested against
        // the watch); never hit.
        let top = store
            .memory(store.instance(inst).memory_addr().unwrap())
            .data
            .len() as u32
            - 4;
        for (mode, addr) in [("watch1", top), ("watch_low", 0)] {
            let w = Watch {
                addr,
                len: 4,
                kind: WatchKind::Write,
                old: [0; 8],
            };
            let id = session.watches.insert(w, &limits).unwrap();
            let active: Vec<(u64, u64, WatchKind)> = session
                .watches
                .iter()
                .map(|(_, w)| (u64::from(w.addr), u64::from(w.len), w.kind))
                .collect();
            assert_eq!(
                run(&mut store, f, arg, &mut Watching::new(&active, &interrupt)),
                want
            );
            measure(c, workload, mode, || {
                black_box(run(
                    &mut store,
                    f,
                    black_box(arg),
                    &mut Watching::new(&active, &interrupt),
                ));
            });
            session.watches.remove(id);
        }
        // Contexts by store function address: the kernels instance has a few dozen functions.
        let mut profile = Profile::new(1 << 16);
        measure(c, workload, "profile", || {
            black_box(run(
                &mut store,
                f,
                black_box(arg),
                &mut Profiling::<false>(&mut profile),
            ));
        });
        let sites = (0..64)
            .map(|a| {
                store
                    .func_body(a)
                    .map_or(Vec::new(), |b| (0..b.len() as u32).collect())
            })
            .collect();
        let mut profile = Profile::new(1 << 16).with_lines(sites);
        measure(c, workload, "profile_lines", || {
            black_box(run(
                &mut store,
                f,
                black_box(arg),
                &mut Profiling::<true>(&mut profile),
            ));
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
        measure(c, workload, "interruptible", || {
            black_box(run(&mut store, f, black_box(arg), &mut Polling(&interrupt)));
        });
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
    for mode in [
        "debug",
        "full10",
        "interruptible",
        "watch1",
        "watch_low",
        "profile",
        "profile_lines",
        "stepping",
    ] {
        side_by_side::report(&["fib", "hot_loop", "sort"], mode, "run");
    }
}
