//! The bounded debug infrastructure on real code: sessions refused by level and safety rules, tables
//! sized by the limits and refusing one more, breakpoints armed by patching the internal code, and no
//! allocation at all while a program runs with breakpoints armed.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::rc::Rc;

use runtime_core::debug::{DebugSession, Inspector, Watch, WatchKind};
use runtime_core::exec::{NoHook, POLL_PERIOD};
use runtime_core::limits::preset::{embedded_minimal, linux_production, qnx_safety_critical};
use runtime_core::limits::{
    AsilLevel, DebugLevel, EmbeddedPlatform, MIB, PlatformId, SafetyDebugMode,
};
use runtime_core::{Error, Extern, Linker, Module, Outcome, Store, Thread, Val};

/// Counts allocations per thread (tests run in parallel threads).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: forwards to the system allocator unchanged, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: same layout contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn kernels() -> (Store, u32, u32, u32) {
    let path = format!("{}/fixtures/wasm/kernels.wasm", env!("CARGO_MANIFEST_DIR"));
    let module = Rc::new(Module::new_for_debugging(&std::fs::read(path).unwrap()).unwrap());
    let limits = linux_production(256 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    let mut store = Store::new(limits.store_config());
    let inst = Linker::new().instantiate(&mut store, module).unwrap();
    let export = |store: &Store, name| match store.instance(inst).export(name) {
        Some(Extern::Func(f)) => f,
        _ => panic!("{name}"),
    };
    let (fib, sort, hot) = (
        export(&store, "fib"),
        export(&store, "sort"),
        export(&store, "hot_loop"),
    );
    (store, fib, sort, hot)
}

#[test]
fn sessions_refused_by_level_and_safety_rule() {
    let off = linux_production(64 * MIB, AsilLevel::QM, DebugLevel::None);
    let err = DebugSession::open(&off).unwrap_err();
    assert!(
        err.to_string().contains("debug level none on linux"),
        "{err}"
    );
    for asil in [AsilLevel::C, AsilLevel::D] {
        let mut prod = qnx_safety_critical(64 * MIB, asil, SafetyDebugMode::Production);
        prod.debug_level = DebugLevel::FullDebug;
        let err = DebugSession::open(&prod).unwrap_err();
        let rule = format!(
            "ASIL-{} in production refuses debug access",
            asil.name().to_uppercase()
        );
        assert!(
            matches!(&err, Error::DebugRefused { rule: r } if *r == rule),
            "{err}"
        );
    }
    let dev = qnx_safety_critical(64 * MIB, AsilLevel::D, SafetyDebugMode::Development);
    let s = DebugSession::open(&dev).unwrap();
    assert_eq!(s.breakpoints.capacity(), 50);
    assert_eq!(s.watches.capacity(), 0, "profile level has no watches");
}

#[test]
fn tables_past_the_debug_budget_are_refused_before_allocating() {
    for (key, value) in [
        ("max_breakpoints", u64::MAX),
        ("max_stack_traces", u64::MAX),
        ("max_variable_watches", 1_000_000_000_000),
        ("max_memory_inspectors", 1 << 40),
    ] {
        let mut limits = linux_production(512 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
        limits.set(key, value).unwrap();
        let err = DebugSession::open(&limits).unwrap_err();
        match err {
            Error::DebugBudget {
                table,
                capacity,
                bytes,
                allowed,
            } => {
                assert_eq!((table, capacity), (key, value));
                assert!(bytes > allowed, "{bytes} > {allowed}");
                assert_eq!(allowed, limits.estimated_debug_overhead);
            }
            other => panic!("{key}: {other}"),
        }
        // The budget says so too, without wrapping into a figure that fits.
        let req = runtime_core::validate::ModuleRequirements::default();
        let budget = runtime_core::budget::MemoryBudget::new(&req, &limits);
        assert!(
            budget.debug_overhead > limits.estimated_debug_overhead,
            "{key}"
        );
        assert!(budget.total() >= budget.debug_overhead, "{key}: no wrap");
        assert!(
            budget
                .violations(&req, &limits)
                .iter()
                .any(|v| v.rule == "estimated_debug_overhead"),
            "{key}"
        );
    }
}

#[test]
fn embedded_capacities_refuse_one_more_cleanly() {
    let (mut store, fib, sort, _) = kernels();
    let mut limits = embedded_minimal(64 * 1024, EmbeddedPlatform::Zephyr, true);
    let mut s = DebugSession::open(&limits).unwrap();
    assert_eq!(s.breakpoints.capacity(), 10);
    for pc in 0..10 {
        s.breakpoints.arm(&mut store, sort, pc, &limits).unwrap();
    }
    let err = s
        .breakpoints
        .arm(&mut store, sort, 10, &limits)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "limit `max_breakpoints` reached: 10 allowed on zephyr at debug level profile"
    );
    let watch = Watch {
        addr: 0,
        len: 4,
        kind: WatchKind::Write,
        old: [0; 8],
    };
    let err = s.watches.insert(watch, &limits).unwrap_err();
    assert!(
        matches!(
            err,
            Error::DebugCapacity {
                limit: "max_variable_watches",
                allowed: 0,
                platform: PlatformId::Zephyr,
                debug_level: DebugLevel::BasicProfile
            }
        ),
        "{err}"
    );
    // The refusal broke nothing: the armed breakpoints still stop, and one freed slot is reusable.
    let mut t = Thread::new(&store, sort, &[Val::I32(8)]).unwrap();
    assert!(matches!(t.run(&mut store), Ok(Outcome::Breakpoint(1))));
    s.breakpoints.disarm(&mut store, 3).unwrap();
    assert_eq!(s.breakpoints.arm(&mut store, fib, 0, &limits).unwrap(), 3);

    limits.debug_level = DebugLevel::FullDebug;
    limits.max_memory_inspectors = 2;
    let mut full = DebugSession::open(&limits).unwrap();
    for _ in 0..2 {
        full.inspectors
            .insert(Inspector { addr: 0, len: 16 }, &limits)
            .unwrap();
    }
    let err = full
        .inspectors
        .insert(Inspector { addr: 0, len: 16 }, &limits)
        .unwrap_err();
    assert!(err.to_string().contains("max_memory_inspectors"), "{err}");
}

#[test]
fn breakpoints_stop_every_call_and_disarm_cleanly() {
    let (mut store, fib, _, _) = kernels();
    let limits = linux_production(256 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    let mut s = DebugSession::open(&limits).unwrap();
    let id = s.breakpoints.arm(&mut store, fib, 0, &limits).unwrap();
    let mut t = Thread::new(&store, fib, &[Val::I32(10)]).unwrap();
    loop {
        match t.run(&mut store).unwrap() {
            Outcome::Breakpoint(hit) => {
                assert_eq!(hit, id);
                assert_eq!(t.frames().last().unwrap().func, fib);
                s.breakpoints.hit(hit);
                s.traces.capture(t.frames());
                s.breakpoints
                    .step_over(&mut store, &mut t, hit, &mut NoHook)
                    .unwrap();
            }
            Outcome::Finished => break,
            Outcome::Paused | Outcome::Watchpoint => unreachable!(),
        }
    }
    let hits = s.breakpoints.get(id).unwrap().hits;
    assert_eq!(t.results(&store), vec![Val::I32(55)]);
    // The stepping hook, a separate mechanism, sees the same entries and the same deepest nesting.
    let (mut entries, mut deepest) = (0u64, 0usize);
    let mut stepped = Thread::new(&store, fib, &[Val::I32(10)]).unwrap();
    let mut hook = |f: &runtime_core::Frame, depth: usize| {
        if f.func == fib && f.pc == 0 {
            entries += 1;
            deepest = deepest.max(depth);
        }
        true
    };
    s.breakpoints.disarm(&mut store, id).unwrap();
    assert_eq!(
        stepped.run_with_hook(&mut store, &mut hook).unwrap(),
        Outcome::Finished
    );
    let bp = s.breakpoints.get(id);
    assert!(bp.is_none(), "disarmed");
    assert_eq!(hits, entries);
    assert!(entries > 1, "fib recursed");
    let traced = s.traces.iter().map(<[_]>::len).max().unwrap();
    assert_eq!(traced, deepest.min(runtime_core::debug::TRACE_DEPTH));
    let mut plain = Thread::new(&store, fib, &[Val::I32(10)]).unwrap();
    assert_eq!(plain.run(&mut store).unwrap(), Outcome::Finished);
}

#[test]
fn no_allocation_while_running_with_breakpoints_armed_and_hit() {
    let (mut store, fib, sort, hot) = kernels();
    let limits = linux_production(256 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    let mut s = DebugSession::open(&limits).unwrap();
    // Ten armed where they never run, one at fib's entry and one in hot_loop's body, hit often.
    for pc in 0..10 {
        s.breakpoints.arm(&mut store, sort, pc, &limits).unwrap();
    }
    let at_fib = s.breakpoints.arm(&mut store, fib, 0, &limits).unwrap();
    // The loop body: the pc of hot_loop that runs most often, and how often, per the stepping hook.
    let mut counts = std::collections::HashMap::new();
    let mut count = |f: &runtime_core::Frame, _: usize| {
        *counts.entry(f.pc).or_insert(0u64) += 1;
        true
    };
    let mut probe = Thread::new(&store, hot, &[Val::I32(10_000)]).unwrap();
    probe.run_with_hook(&mut store, &mut count).unwrap();
    let (&body, &runs) = counts.iter().max_by_key(|(_, n)| **n).unwrap();
    let in_loop = s.breakpoints.arm(&mut store, hot, body, &limits).unwrap();
    let mut t = Thread::new(&store, fib, &[Val::I32(20)]).unwrap();
    t.preallocate(&store);
    let mut h = Thread::new(&store, hot, &[Val::I32(10_000)]).unwrap();
    h.preallocate(&store);
    let mut hits = [0u64; 2];
    let before = allocations();
    for (thread, n) in [(&mut t, 0), (&mut h, 1)] {
        loop {
            match thread.run(&mut store) {
                Ok(Outcome::Breakpoint(id)) => {
                    hits[n] += 1;
                    s.breakpoints.hit(id);
                    s.breakpoints
                        .step_over(&mut store, thread, id, &mut NoHook)
                        .unwrap();
                }
                Ok(Outcome::Finished) => break,
                other => panic!("{other:?}"),
            }
        }
    }
    let during = allocations() - before;
    assert_eq!(during, 0, "allocations while running and stopping");
    assert_eq!(s.breakpoints.get(at_fib).unwrap().hits, hits[0]);
    assert_eq!(t.results(&store), vec![Val::I32(6765)]);
    // As many stops as entries to fib that the stepping hook, a separate mechanism, counts.
    s.breakpoints.disarm(&mut store, at_fib).unwrap();
    let mut entries = 0u64;
    let mut count = |f: &runtime_core::Frame, _: usize| {
        entries += u64::from(f.func == fib && f.pc == 0);
        true
    };
    let mut stepped = Thread::new(&store, fib, &[Val::I32(20)]).unwrap();
    assert_eq!(
        stepped.run_with_hook(&mut store, &mut count),
        Ok(Outcome::Finished)
    );
    assert_eq!(hits[0], entries);
    assert!(entries > 1000, "fib recursed: {entries}");
    assert_eq!(hits[1], runs, "a stop each time the loop body ran");
    assert!(runs >= 5_000, "the loop ran: {runs}");
    assert_eq!(s.breakpoints.get(in_loop).unwrap().hits, hits[1]);
}

/// Stops where the production watch test, [`runtime_core::debug::tripped`], says (the test the
/// engine's local hook and the bridge's both call).
struct WatchHook<'a> {
    watches: &'a [(u64, u64, WatchKind)],
}

impl runtime_core::Hook for WatchHook<'_> {
    const ACTIVE: bool = false;
    const WATCH: bool = true;
    fn before(&mut self, _: &runtime_core::Frame, _: usize) -> bool {
        true
    }
    fn access(&mut self, addr: u64, len: u64, write: bool) -> bool {
        runtime_core::debug::tripped(self.watches, addr, len, write).is_some()
    }
}

#[test]
fn watchpoints_stop_after_each_write_without_allocating() {
    let (mut store, _, sort, _) = kernels();
    let limits = linux_production(256 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    let mut s = DebugSession::open(&limits).unwrap();
    // Find the array `sort` fills: the lowest address it writes.
    let mut lowest = u64::MAX;
    let mut log = Thread::new(&store, sort, &[Val::I32(64)]).unwrap();
    struct Lowest<'a>(&'a mut u64);
    impl runtime_core::Hook for Lowest<'_> {
        const ACTIVE: bool = false;
        const WATCH: bool = true;
        fn before(&mut self, _: &runtime_core::Frame, _: usize) -> bool {
            true
        }
        fn access(&mut self, addr: u64, _: u64, write: bool) -> bool {
            if write {
                *self.0 = (*self.0).min(addr);
            }
            false
        }
    }
    assert_eq!(
        log.run_with_hook(&mut store, &mut Lowest(&mut lowest)),
        Ok(Outcome::Finished)
    );
    assert_eq!(log.results(&store), vec![Val::I32(63)], "sorted");
    let watch = Watch {
        addr: lowest as u32,
        len: 4,
        kind: WatchKind::Write,
        old: [0; 8],
    };
    s.watches.insert(watch, &limits).unwrap();
    let fib = fib_of(&store);
    for pc in 0..10 {
        s.breakpoints.arm(&mut store, fib, pc, &limits).unwrap();
    }
    let mem = store.instance(0).memory_addr().unwrap();
    let read = |store: &Store| {
        let d = &store.memory(mem).data[lowest as usize..lowest as usize + 4];
        i32::from_le_bytes(d.try_into().unwrap())
    };
    let watched: Vec<_> = s
        .watches
        .iter()
        .map(|(_, w)| (u64::from(w.addr), u64::from(w.len), w.kind))
        .collect();
    let mut t = Thread::new(&store, sort, &[Val::I32(64)]).unwrap();
    t.preallocate(&store);
    let (mut stops, mut last) = (0, 0);
    let before = allocations();
    loop {
        match t.run_with_hook(&mut store, &mut WatchHook { watches: &watched }) {
            Ok(Outcome::Watchpoint) => {
                stops += 1;
                last = read(&store);
            }
            Ok(Outcome::Finished) => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        allocations() - before,
        0,
        "allocations while running with a watch"
    );
    assert!(stops >= 1, "the fill loop writes the first element");
    assert_eq!(last, read(&store), "the last stop saw the final value");
    assert_eq!(t.results(&store), vec![Val::I32(63)]);
}

fn fib_of(store: &Store) -> u32 {
    match store.instance(0).export("fib") {
        Some(Extern::Func(f)) => f,
        _ => panic!("fib"),
    }
}

/// Asks to pause at the `n`th poll.
struct PollAfter(u32);

impl runtime_core::Hook for PollAfter {
    const ACTIVE: bool = false;
    const POLL: bool = true;
    fn before(&mut self, _: &runtime_core::Frame, _: usize) -> bool {
        true
    }
    fn poll(&mut self, _: u64) -> bool {
        self.0 = self.0.saturating_sub(1);
        self.0 == 0
    }
}

/// Counts the instructions it is asked about, and checks at every poll that the interpreter's
/// own count of instructions run says the same; keeps the counts it was polled at.
#[derive(Default)]
struct CountsAgree {
    stepped: u64,
    at: Vec<u64>,
}

/// Keeps the counts a full-speed run (no per-instruction hook) was polled at.
#[derive(Default)]
struct PolledAt(Vec<u64>);

impl runtime_core::Hook for PolledAt {
    const ACTIVE: bool = false;
    const POLL: bool = true;
    fn before(&mut self, _: &runtime_core::Frame, _: usize) -> bool {
        true
    }
    fn poll(&mut self, executed: u64) -> bool {
        self.0.push(executed);
        false
    }
}

impl runtime_core::Hook for CountsAgree {
    const ACTIVE: bool = true;
    const POLL: bool = true;
    fn before(&mut self, _: &runtime_core::Frame, _: usize) -> bool {
        self.stepped += 1;
        true
    }
    fn poll(&mut self, executed: u64) -> bool {
        assert_eq!(executed, self.stepped, "at poll {}", self.at.len());
        self.at.push(executed);
        false
    }
}

#[test]
fn the_instructions_a_polling_run_reports_are_those_it_ran() {
    let (mut store, fib, _, hot) = kernels();
    for (f, arg) in [(hot, 100_000), (fib, 20)] {
        let mut t = Thread::new(&store, f, &[Val::I32(arg)]).unwrap();
        let mut counts = CountsAgree::default();
        assert_eq!(
            t.run_with_hook(&mut store, &mut counts).unwrap(),
            Outcome::Finished
        );
        // The first taken branch or call polls, then the first after every `POLL_PERIOD`
        // instructions.
        let (polls, last) = (
            counts.at.len() as u64,
            counts.at.last().copied().unwrap_or(0),
        );
        assert!(polls > 10, "function {f}: {polls} polls");
        assert!(last > polls, "{last} instructions");
        for pair in counts.at.windows(2) {
            let gap = pair[1] - pair[0];
            assert!(
                (POLL_PERIOD..POLL_PERIOD + 64).contains(&gap),
                "function {f}: polls {gap} instructions apart"
            );
        }
        // A run without a per-instruction hook leaves its loop for a poll another way; it is
        // polled at the same counts.
        let mut t = Thread::new(&store, f, &[Val::I32(arg)]).unwrap();
        let mut fast = PolledAt::default();
        assert_eq!(
            t.run_with_hook(&mut store, &mut fast).unwrap(),
            Outcome::Finished
        );
        assert_eq!(fast.0, counts.at, "function {f}");
    }
}

#[test]
fn polling_pauses_loops_and_calls_and_resumes_exactly() {
    let (mut store, fib, _, hot) = kernels();
    for (f, arg) in [(hot, 100_000), (fib, 20)] {
        let want = store.invoke(f, &[Val::I32(arg)]).unwrap();
        let mut t = Thread::new(&store, f, &[Val::I32(arg)]).unwrap();
        let mut pauses = 0;
        loop {
            match t.run_with_hook(&mut store, &mut PollAfter(3)).unwrap() {
                Outcome::Paused => pauses += 1,
                Outcome::Finished => break,
                other => panic!("{other:?}"),
            }
        }
        assert!(pauses >= 2, "function {f} paused {pauses} times");
        assert_eq!(t.results(&store), want, "interrupted runs compute the same");
    }
}
