//! The profiler on the committed fixtures: call counts with closed forms are exact, instruction
//! counts equal a count made by single-stepping, a profile by line adds up to the one by
//! function, and sampled time follows the instructions on a loop-dominated program.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::Duration;

use debugger::in_process::Local;
use debugger::profile::{By, CallTree, ProfileOptions};
use debugger::step::{Resume, Stop};
use debugger::target::{Event, Run, Target, Verdict};
use debugger::{Program, Session, SharedOutput};
use runtime_core::Frame;
use runtime_core::debug::DebugSession;
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../tests/fixtures/wasm/{name}.wasm"))
}

/// Fixture `name` run with `args`, its output kept apart.
fn program(name: &str, args: &[&str]) -> Program {
    Program {
        args: std::iter::once(name)
            .chain(args.iter().copied())
            .map(String::from)
            .collect(),
        output: Some(SharedOutput(Rc::new(RefCell::new(Vec::new())))),
        ..Program::default()
    }
}

/// A started session on fixture `name` with `args`.
fn start(name: &str, args: &[&str]) -> Session {
    let limits = linux_production(512 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    let bytes = std::fs::read(fixture(name)).unwrap();
    let mut s = Session::open(bytes, &limits, program(name, args)).unwrap();
    s.start().unwrap();
    s
}

/// Runs fixture `name` to its end under the profiler and returns its call tree `by`.
fn profile(name: &str, args: &[&str], by: By, interval: Option<Duration>) -> CallTree {
    let mut s = start(name, args);
    let lines = by == By::Line;
    s.start_profile(ProfileOptions { lines, interval }).unwrap();
    let stop = s.resume(Resume::Continue).unwrap();
    assert!(matches!(stop, Stop::Exited(_)), "{stop:?}");
    s.call_tree(by).unwrap()
}

/// Self instructions and calls by function name.
fn by_function(tree: &CallTree) -> BTreeMap<String, (u64, u64)> {
    let mut out = BTreeMap::new();
    for n in &tree.nodes[1..] {
        let e: &mut (u64, u64) = out
            .entry(tree.frames[n.frame].function.clone())
            .or_default();
        e.0 += n.instructions;
        e.1 += n.calls;
    }
    out
}

#[test]
fn call_counts_have_their_closed_forms() {
    let tree = profile("c-recursion-O0", &[], By::Function, None);
    let f = by_function(&tree);
    // fib(n) makes 2 fib(n + 1) - 1 calls; main asks for fib(0), fib(5) .. fib(25).
    let fib: u64 = [1, 8, 89, 987, 10946, 121393]
        .iter()
        .map(|f| 2 * f - 1)
        .sum();
    assert_eq!(f["fib"].1, fib);
    // factorial(n) makes n calls for n = 1, 5, .. 17; is_even(1001) alternates down to 0.
    assert_eq!(f["factorial"].1, 1 + 5 + 9 + 13 + 17);
    assert_eq!((f["is_even"].1, f["is_odd"].1), (501, 501));

    let tree = profile("c-profile-O2", &["1000"], By::Function, None);
    let f = by_function(&tree);
    assert_eq!((f["step"].1, f["mix"].1, f["stir"].1), (4000, 10, 10));
    // The same loop, three rounds to one, beside 7 (mix) and 3 (stir) instructions a call.
    assert_eq!(f["mix"].0 - 70, 3 * (f["stir"].0 - 30));
}

#[test]
fn instruction_counts_equal_a_count_made_by_single_stepping() {
    let tree = profile("c-exitcode-O0", &[], By::Function, None);
    // The same program asked about before every instruction, as stepping asks.
    let s = start("c-exitcode-O0", &[]);
    let bytes = std::fs::read(fixture("c-exitcode-O0")).unwrap();
    let module = Rc::new(
        debugger::translate::translate(&bytes, s.limits())
            .unwrap()
            .module,
    );
    let mut local = Local::start(&module, s.limits(), &program("c-exitcode-O0", &[])).unwrap();
    let mut debug = DebugSession::open(s.limits()).unwrap();
    let mut each: BTreeMap<u32, u64> = BTreeMap::new();
    // The first instruction is not asked about: the program stands on it.
    each.insert(local.frames()[0].func, 1);
    let mut test = |f: &Frame, _: usize| {
        *each.entry(f.func).or_default() += 1;
        Verdict::Go
    };
    let run = Run {
        test: Some(&mut test),
        watches: &[],
        profile: None,
        interruptible: false,
        interrupt: &AtomicBool::new(false),
        executed: &AtomicU64::new(0),
    };
    assert_eq!(local.resume(&mut debug, run).unwrap(), Event::Exited(42));
    let mut stepped: BTreeMap<String, u64> = BTreeMap::new();
    for (f, n) in each {
        *stepped.entry(s.function_name(f)).or_default() += n;
    }
    let counted: BTreeMap<String, u64> = by_function(&tree)
        .into_iter()
        .filter(|(_, (n, _))| *n > 0)
        .map(|(name, (n, _))| (name, n))
        .collect();
    assert_eq!(counted, stepped);
}

#[test]
fn a_profile_by_line_adds_up_to_the_profile_by_function() {
    let functions = profile("c-profile-O2", &["1000"], By::Function, None);
    let lines = profile("c-profile-O2", &["1000"], By::Line, None);
    let own = |t: &CallTree| -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for n in &t.nodes[1..] {
            let f = &t.frames[n.frame];
            if !f.inlined {
                *out.entry(f.function.clone()).or_default() += n.instructions;
            }
        }
        out
    };
    assert_eq!(lines.total_instructions(), functions.total_instructions());
    let by_line = own(&lines);
    for name in ["mix", "stir", "step", "main"] {
        assert_eq!(by_line[name], own(&functions)[name], "{name}");
    }
    // The loop's lines and the call from it: `x = step(x) ^ (x >> 7)` is line 12 of mix.
    let line12 = (1..lines.nodes.len())
        .find(|&i| {
            let f = &lines.frames[lines.nodes[i].frame];
            f.function == "mix" && f.line == Some(12)
        })
        .expect("mix's loop body");
    let callees: Vec<&str> = lines
        .nodes
        .iter()
        .filter(|n| n.parent == line12)
        .map(|n| lines.frames[n.frame].function.as_str())
        .collect();
    assert_eq!(callees, ["step"]);
}

#[test]
fn sampled_time_follows_the_instructions_on_a_loop_dominated_program() {
    let tree = profile(
        "c-profile-O2",
        &["1000000"],
        By::Function,
        Some(Duration::from_micros(200)),
    );
    assert!(tree.samples > 10, "{} samples", tree.samples);
    let total = tree.total_time().as_secs_f64();
    // Every moment the program ran is shared out, up to the stop.
    assert!(total <= tree.elapsed.as_secs_f64() && total > 0.9 * tree.elapsed.as_secs_f64());
    let hottest = tree.totals()[0];
    assert_eq!(tree.frames[hottest.frame].function, "mix");
    let instructions = hottest.self_instructions as f64 / tree.total_instructions() as f64;
    let time = hottest.self_time.as_secs_f64() / total;
    assert!(
        (time - instructions).abs() <= 0.1 * instructions,
        "mix ran {instructions:.3} of the instructions in {time:.3} of the time"
    );
}
