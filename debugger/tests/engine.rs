//! The debugger engine on the committed fixtures (clang-19 -O0/-O2, rustc): breakpoints by function
//! and line stop where the DWARF says, stepping follows the source, variables hold the values the
//! program computes, backtraces are complete in deep recursion and at traps, watchpoints report
//! old and new values, the embedded preset's capacities are refused cleanly, and mutated DWARF
//! never panics.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use debugger::step::{Resume, Stop};
use debugger::{Debugger, Error, Program, Session, SharedOutput, State};
use runtime_core::limits::preset::{embedded_minimal, linux_production};
use runtime_core::limits::{AsilLevel, DebugLevel, EmbeddedPlatform, MIB, PlatformLimits};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn limits() -> PlatformLimits {
    linux_production(512 * MIB, AsilLevel::QM, DebugLevel::FullDebug)
}

/// A session on a fixture whose program output is kept in the returned buffer.
fn open_with(name: &str, limits: &PlatformLimits) -> (Session, Rc<RefCell<Vec<u8>>>) {
    let bytes = std::fs::read(fixtures().join(format!("wasm/{name}.wasm"))).unwrap();
    let out = Rc::new(RefCell::new(Vec::new()));
    let program = Program {
        args: vec![name.into()],
        output: Some(SharedOutput(out.clone())),
        ..Program::default()
    };
    (Session::open(bytes, limits, program).unwrap(), out)
}

fn open(name: &str) -> Session {
    open_with(name, &limits()).0
}

/// Runs a command that must succeed and returns its text.
fn ok(d: &mut Debugger, cmd: &str) -> String {
    let r = d.execute(cmd);
    assert!(r.ok, "`{cmd}` failed: {}", r.text);
    r.text
}

fn top(s: &Session) -> (String, u32) {
    let f = s.selected_frame().unwrap();
    (f.function, f.loc.map_or(0, |l| l.line))
}

#[test]
fn function_breakpoints_stop_past_the_prologue_of_every_called_function() {
    let cases: &[(&str, &[&str])] = &[
        (
            "c-vec-O0",
            &["main", "scale", "add", "dot", "length_squared"],
        ),
        (
            "c-recursion-O0",
            &["main", "fib", "factorial", "ackermann", "is_even", "is_odd"],
        ),
        ("c-trap-O0", &["main", "average", "divide"]),
        ("c-recursion-O2", &["main", "fib", "is_odd"]),
    ];
    for (fixture, functions) in cases {
        for func in *functions {
            let mut s = open(fixture);
            s.set_breakpoint(func, None, false).unwrap();
            s.start().unwrap();
            let stop = s.resume(Resume::Continue).unwrap();
            assert!(
                matches!(stop, Stop::Breakpoint { number: 1, .. }),
                "{fixture} {func}: {stop:?}"
            );
            let (name, line) = top(&s);
            assert_eq!(name, *func, "{fixture}");
            // The stop is where the line table says the body starts: a statement of that function
            // after its prologue (not the opening line, which holds the prologue).
            let f = s.dwarf().functions_named(func).first().copied().cloned();
            if let Some(f) = f {
                let body = s.dwarf().after_prologue(&f);
                let want = s.dwarf().lines.row_at(body).unwrap().line;
                assert_eq!(line, want, "{fixture} {func}");
            } else {
                assert!(line > 0, "{fixture} {func}: inlined call with a line");
            }
        }
    }
}

#[test]
fn line_breakpoints_stop_on_their_line_each_time_it_runs() {
    let mut s = open("c-vec-O0");
    for line in [25, 20, 40] {
        s.set_breakpoint(&format!("vec.c:{line}"), None, false)
            .unwrap();
    }
    s.start().unwrap();
    let mut lines = Vec::new();
    while let Stop::Breakpoint { .. } = s.resume(Resume::Continue).unwrap() {
        lines.push(top(&s).1);
    }
    // Per loop iteration: scale (25), add (20), printf (40); four iterations.
    assert_eq!(lines, [25, 20, 40].repeat(4));
    assert_eq!(s.state(), &State::Exited(0));
}

#[test]
fn next_walks_main_line_by_line_and_step_enters_calls() {
    let mut s = open("c-vec-O0");
    s.set_breakpoint("main", None, false).unwrap();
    s.start().unwrap();
    s.resume(Resume::Continue).unwrap();
    let mut lines = vec![top(&s).1];
    while let Stop::Step = s.resume(Resume::Next).unwrap() {
        let (f, line) = top(&s);
        if f != "main" {
            break;
        }
        assert!(
            s.at_statement(),
            "next stops at statement starts (line {line})"
        );
        lines.push(line);
    }
    let mut want = vec![35, 36, 37];
    for _ in 0..4 {
        want.extend([38, 39, 40, 37]);
    }
    want.extend([42, 43, 44, 45, 46]);
    assert_eq!(lines, want);

    // `step` at the call of `scale` enters it, `finish` comes back with its value.
    let mut s = open("c-vec-O0");
    s.set_breakpoint("vec.c:38", None, true).unwrap();
    s.start().unwrap();
    s.resume(Resume::Continue).unwrap();
    s.resume(Resume::Step).unwrap();
    assert_eq!(top(&s), ("scale".to_string(), 25));
    let Stop::Finish { value: Some(v), .. } = s.resume(Resume::Finish).unwrap() else {
        panic!("finish returns a value");
    };
    assert_eq!(top(&s).0, "main");
    let mut d = Debugger::new(s);
    d.session.record(v).unwrap();
    assert_eq!(ok(&mut d, "p $1"), "$2 = {x = 1, y = 2, z = 3}");
}

#[test]
fn variables_hold_the_values_the_program_computes() {
    let points = [[1, 2, 3], [-4, 5, 6], [7, -8, 9], [0, 0, 1]];
    let mut d = Debugger::new(open("c-vec-O0"));
    ok(&mut d, "break add");
    ok(&mut d, "run");
    let mut sum = [0i32; 3];
    for (i, p) in points.iter().enumerate() {
        d.session.forget_values();
        let k = i as i32 + 1;
        let s = [p[0] * k, p[1] * k, p[2] * k];
        assert_eq!(
            ok(&mut d, "p *v"),
            format!("$1 = {{x = {}, y = {}, z = {}}}", s[0], s[1], s[2])
        );
        assert_eq!(
            ok(&mut d, "p acc->x + acc->y + acc->z"),
            format!("$2 = {}", sum.iter().sum::<i32>())
        );
        for c in 0..3 {
            sum[c] += s[c];
        }
        ok(&mut d, "up");
        assert_eq!(ok(&mut d, "p i"), format!("$3 = {i}"));
        assert_eq!(ok(&mut d, "p points[3].z == 1 && sum.x < 100"), "$4 = 1");
        assert_eq!(
            ok(&mut d, "p &points[1]"),
            format!("$5 = (struct vec *) {:#x}", 12 + addr_of(&mut d, "points"))
        );
        ok(&mut d, "continue");
    }
    assert!(ok(&mut d, "info breakpoints").contains("breakpoint already hit 4 times"));

    // Structs with a string member, arrays and pointer arithmetic.
    let mut d = Debugger::new(open("c-vec-O0"));
    ok(&mut d, "break length_squared");
    ok(&mut d, "run");
    let name = ok(&mut d, "p s->name");
    assert!(
        name.starts_with("$1 = 0x") && name.ends_with(" \"diagonal\""),
        "{name}"
    );
    assert_eq!(ok(&mut d, "p s->to"), "$2 = {x = 4, y = 5, z = 1}");
    assert_eq!(ok(&mut d, "p s->to.y - s->from.y"), "$3 = 4");
    assert_eq!(ok(&mut d, "p/c *s->name"), "$4 = 100 'd'");
    assert_eq!(ok(&mut d, "p s->name[4]"), "$5 = 111 'o'");
}

/// The address of a variable in memory, read back through `&`.
fn addr_of(d: &mut Debugger, var: &str) -> u64 {
    let v = d.session.evaluate(&format!("&{var}")).unwrap();
    match v.place {
        debugger::dwarf::Place::Bytes(b) => u32::from_le_bytes(b[..4].try_into().unwrap()) as u64,
        other => panic!("{other:?}"),
    }
}

#[test]
fn rust_values_print_as_rust_writes_them() {
    let mut d = Debugger::new(open("rust-demo-O0"));
    ok(&mut d, "break Shape::area");
    ok(&mut d, "run");
    let mut shapes = Vec::new();
    for i in 0..4 {
        if i > 0 {
            ok(&mut d, "continue");
        }
        shapes.push(ok(&mut d, "p *self"));
        d.session.forget_values();
    }
    assert_eq!(
        shapes,
        [
            "$1 = Circle { radius: 1.5 }",
            "$1 = Rect { w: 2, h: 4.5 }",
            "$1 = Triangle(3, 4, 5)",
            "$1 = Empty"
        ]
    );
    let stop = ok(&mut d, "delete");
    assert!(stop.is_empty());
    ok(&mut d, "break demo::largest");
    ok(&mut d, "continue");
    assert!(
        ok(&mut d, "info args")
            .starts_with("shapes = &[Circle { radius: 1.5 }, Rect { w: 2, h: 4.5 }")
    );
    let fin = ok(&mut d, "finish");
    assert!(
        fin.ends_with("Value returned is $1 = Some(&Rect { w: 2, h: 4.5 })"),
        "{fin}"
    );
    ok(&mut d, "delete");
    ok(&mut d, "break demo.rs:74");
    ok(&mut d, "continue");
    assert_eq!(
        ok(&mut d, "p inv"),
        "$2 = Inventory { name: \"toolbox\", items: vec![(\"hammer\", 1), (\"nail\", 250)] }"
    );
    assert_eq!(ok(&mut d, "p inv.name"), "$3 = \"toolbox\"");
    assert_eq!(
        ok(&mut d, "p text"),
        "$4 = \"the quick brown fox jumps over the lazy dog the end\""
    );
    assert_eq!(ok(&mut d, "p inv.items.len"), "$5 = 2");
}

#[test]
fn deep_recursion_backtrace_is_complete() {
    let mut s = open("c-recursion-O0");
    s.set_breakpoint("is_odd", Some("n == 0".into()), false)
        .unwrap();
    s.start().unwrap();
    assert!(matches!(
        s.resume(Resume::Continue).unwrap(),
        Stop::Breakpoint { number: 1, .. }
    ));
    let frames = s.frames().unwrap();
    let names: Vec<&str> = frames.iter().map(|f| f.function.as_str()).collect();
    // is_even(1001) -> is_odd(1000) -> ... -> is_odd(0), then main and the entry.
    assert_eq!(names.len(), 1002 + 3, "{:?}", &names[names.len() - 4..]);
    for (k, name) in names.iter().take(1002).enumerate() {
        assert_eq!(
            *name,
            if k % 2 == 0 { "is_odd" } else { "is_even" },
            "level {k}"
        );
    }
    assert_eq!(&names[1002..], ["main", "_start", "_start.command_export"]);
    assert!(
        frames[..1002]
            .iter()
            .all(|f| f.loc.as_ref().is_some_and(|l| l.line == 15 || l.line == 16))
    );
    assert_eq!(frames[1002].loc.as_ref().unwrap().line, 22);
    let mut d = Debugger::new(s);
    ok(&mut d, "frame 1001");
    assert_eq!(ok(&mut d, "p n"), "$1 = 1001");
    ok(&mut d, "down 1000");
    assert_eq!(ok(&mut d, "p n"), "$2 = 1");
    let bt = ok(&mut d, "bt 3");
    assert!(
        bt.starts_with("#0  is_odd (n=0) at recursion.c:16\n#1  0x"),
        "{bt}"
    );
    assert!(bt.ends_with("(More stack frames follow...)"), "{bt}");
}

#[test]
fn a_trap_stops_at_the_faulting_instruction_with_the_full_backtrace() {
    for fixture in ["c-trap-O0", "c-trap-O2"] {
        let (mut s, out) = open_with(fixture, &limits());
        s.start().unwrap();
        let stop = s.resume(Resume::Continue).unwrap();
        assert_eq!(
            stop,
            Stop::Trap(runtime_core::Trap::IntegerDivideByZero),
            "{fixture}"
        );
        let frames = s.frames().unwrap();
        let got: Vec<(String, u32)> = frames
            .iter()
            .map(|f| (f.function.clone(), f.loc.as_ref().map_or(0, |l| l.line)))
            .collect();
        let want_tail = [("main", 18), ("_start", 12)];
        assert_eq!(got[0], ("divide".into(), 6), "{fixture}: {got:?}");
        assert_eq!(got[1], ("average".into(), 11), "{fixture}: {got:?}");
        for (g, w) in got[2..4].iter().zip(want_tail) {
            assert_eq!((g.0.as_str(), g.1), w, "{fixture}");
        }
        assert_eq!(String::from_utf8_lossy(&out.borrow()), "average = 5\n");
        assert!(
            s.resume(Resume::Continue)
                .unwrap_err()
                .to_string()
                .contains("cannot go on")
        );
    }
}

#[test]
fn watchpoints_report_old_and_new_values() {
    let mut d = Debugger::new(open("c-vec-O0"));
    ok(&mut d, "break vec.c:37");
    ok(&mut d, "run");
    assert_eq!(ok(&mut d, "watch sum.x"), "Hardware watchpoint 2: sum.x");
    ok(&mut d, "delete 1");
    let mut seen = Vec::new();
    loop {
        let r = d.execute("continue");
        assert!(r.ok, "{}", r.text);
        if r.data["stop"]["reason"] != "watchpoint" {
            // As in gdb, the watchpoint goes when main returns; then the program exits.
            assert_eq!(r.data["stop"]["reason"], "watchpoint_scope");
            let r = d.execute("continue");
            assert_eq!(r.data["stop"]["reason"], "exited");
            break;
        }
        seen.push((
            r.data["stop"]["old"].as_str().unwrap().to_string(),
            r.data["stop"]["new"].as_str().unwrap().to_string(),
        ));
        assert_eq!(r.data["stop"]["frame"]["function"], "add");
    }
    // sum.x: 0 + 1*1 = 1, + (-4)*2 = -7, + 7*3 = 14, + 0*4 = 14 (no change, no stop).
    let want = [("0", "1"), ("1", "-7"), ("-7", "14")];
    assert_eq!(seen, want.map(|(a, b)| (a.to_string(), b.to_string())));

    // A read watchpoint on `k`'s home stops on the loads of it.
    let mut d = Debugger::new(open("c-vec-O0"));
    ok(&mut d, "break scale");
    ok(&mut d, "run");
    assert_eq!(ok(&mut d, "rwatch k"), "Hardware read watchpoint 2: k");
    let r = ok(&mut d, "continue");
    assert!(
        r.starts_with("Hardware read watchpoint 2: k\n\nValue = 1\n"),
        "{r}"
    );
}

#[test]
fn embedded_capacities_are_refused_naming_limit_platform_and_level() {
    let mut l = embedded_minimal(4 * MIB, EmbeddedPlatform::Zephyr, true);
    l.max_dwarf_section_size = 4 * MIB;
    l.max_debug_sections = 16;
    let (s, _) = open_with("c-vec-O0", &l);
    let mut d = Debugger::new(s);
    ok(&mut d, "start");
    // The first table to fill is the smaller of the armed sites and the user's breakpoints.
    let sites = d.session.debug_tables().breakpoints.capacity();
    let (capacity, limit) = if l.max_source_breakpoints < sites as u64 {
        (l.max_source_breakpoints as usize, "max_source_breakpoints")
    } else {
        (sites, "max_breakpoints")
    };
    assert!(capacity > 0);
    // Distinct instructions, each a site of its own.
    let bytes = std::fs::read(fixtures().join("wasm/c-vec-O0.wasm")).unwrap();
    let module = runtime_core::Module::new_for_debugging(&bytes).unwrap();
    let code = module.code_section().unwrap().start as u32;
    let body = (0..module.num_funcs())
        .find_map(|i| module.body(i).filter(|b| b.offsets.len() > capacity * 2))
        .unwrap();
    let mut offsets: Vec<u32> = body.offsets.iter().map(|o| o - code).collect();
    offsets.dedup();
    let mut refused = None;
    for (i, offset) in offsets.iter().take(capacity + 1).enumerate() {
        let r = d.execute(&format!("break *{offset:#x}"));
        if !r.ok {
            refused = Some((i, r.text));
            break;
        }
    }
    let (at, msg) = refused.expect("a refusal");
    assert_eq!(
        at, capacity,
        "the first past the capacity is refused: {msg}"
    );
    assert_eq!(
        msg,
        format!("limit `{limit}` reached: {capacity} allowed on zephyr at debug level profile")
    );
    // The profile level has no watches: refused by name, and the session goes on.
    let r = d.execute("watch -l 0x1000,4");
    assert!(!r.ok);
    assert_eq!(
        r.text,
        "limit `max_variable_watches` reached: 0 allowed on zephyr at debug level profile"
    );
    assert!(d.execute("delete").ok);
    assert!(d.execute("continue").ok);
    assert_eq!(d.session.state(), &State::Exited(0));
}

#[test]
fn mutated_dwarf_never_panics() {
    let bytes = std::fs::read(fixtures().join("wasm/c-vec-O0.wasm")).unwrap();
    let module = runtime_core::Module::new_for_debugging(&bytes).unwrap();
    let sections: Vec<_> = module
        .custom_sections()
        .iter()
        .filter(|c| c.name.starts_with(".debug_"))
        .map(|c| c.range.clone())
        .collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..120 {
        let mut m = bytes.clone();
        let r = &sections[round % sections.len()];
        for _ in 0..(1 + next() % 8) {
            let at = r.start + (next() as usize % r.len());
            m[at] = match next() % 3 {
                0 => 0xff,
                1 => 0,
                _ => next() as u8,
            };
        }
        let Ok(s) = Session::open(
            m,
            &limits(),
            Program {
                output: Some(SharedOutput(Rc::new(RefCell::new(Vec::new())))),
                ..Program::default()
            },
        ) else {
            continue;
        };
        let mut d = Debugger::new(s);
        for cmd in [
            "break add",
            "break vec.c:40",
            "run",
            "bt",
            "info locals",
            "p *v",
            "next",
            "step",
            "finish",
            "list",
            "info globals",
        ] {
            let _ = d.execute(cmd);
        }
    }
}

#[test]
fn a_running_program_can_be_interrupted_and_resumed() {
    let (mut s, out) = open_with("rust-demo-O0", &limits());
    let flag = s.interrupter();
    s.interrupt_with(flag.clone());
    s.start().unwrap();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let setter = {
        let (flag, done) = (flag.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        })
    };
    let stop = s.resume(Resume::Continue).unwrap();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    setter.join().unwrap();
    assert_eq!(stop, Stop::Interrupted);
    assert_eq!(s.state(), &State::Stopped);
    assert!(!s.frames().unwrap().is_empty());
    while s.resume(Resume::Continue).unwrap() != Stop::Exited(0) {}
    let want = std::fs::read_to_string(fixtures().join("expected/rust-demo.stdout")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.borrow()),
        want,
        "the interrupted program ends as usual"
    );
}

#[test]
fn profiling_counts_calls_and_instructions_per_function() {
    let mut d = Debugger::new(open("c-recursion-O0"));
    ok(&mut d, "profile on");
    ok(&mut d, "run");
    let report = d.execute("info profile 100");
    assert!(report.ok, "{}", report.text);
    let rows = report.data["profile"]["entries"].as_array().unwrap();
    assert_eq!(rows[0]["function"], "fib");
    // fib(n) makes 2 fib(n + 1) - 1 calls; main calls it for n = 0, 5, ..., 25.
    let fib = |n: u64| (0..n).fold((0u64, 1u64), |(a, b), _| (b, a + b)).0;
    let calls: u64 = (0..=25).step_by(5).map(|n| 2 * fib(n + 1) - 1).sum();
    assert_eq!(rows[0]["calls"], calls);
    let calls_of = |name: &str| {
        let row = rows.iter().find(|r| r["function"] == name);
        row.map(|r| r["calls"].clone())
    };
    for f in ["is_even", "is_odd"] {
        assert_eq!(
            calls_of(f),
            Some(501.into()),
            "{f}: is_even(1001) alternates with is_odd down to 0"
        );
    }
    assert_eq!(calls_of("main"), Some(1.into()), "the entry's callee once");

    // Calls that `next` steps over are counted too: the whole of line 19's loop, stepped over.
    let mut d = Debugger::new(open("c-recursion-O0"));
    ok(&mut d, "break recursion.c:19");
    ok(&mut d, "run");
    ok(&mut d, "profile on");
    for _ in 0..20 {
        ok(&mut d, "next");
        if d.execute("frame").text.contains("recursion.c:20") {
            break;
        }
    }
    assert!(d.execute("frame").text.contains("recursion.c:20"));
    let report = d.execute("info profile 1");
    let rows = report.data["profile"]["entries"].as_array().unwrap();
    assert_eq!(rows[0]["function"], "fib", "{}", report.text);
    assert_eq!(rows[0]["calls"], calls, "{}", report.text);

    let mut line = limits();
    line.debug_level = DebugLevel::LineInfo;
    let mut d = Debugger::new(open_with("c-recursion-O0", &line).0);
    let r = d.execute("profile on");
    assert!(!r.ok);
    assert_eq!(
        r.text,
        "profiling needs debug level profile or full; this session is at line"
    );
}

#[test]
fn errors_a_front_end_acts_on_are_typed() {
    let mut s = open("c-vec-O0");
    // Before `run` a local is no symbol in the (static) context, as gdb says.
    assert!(matches!(s.evaluate("points"), Err(Error::NoSymbol { .. })));
    let bt = s.handle(debugger::request::Request::Backtrace { limit: None });
    assert!(matches!(bt, Err(Error::NoStack)), "{bt:?}");
    s.start().unwrap();
    match s.evaluate("nosuch") {
        Err(Error::NoSymbol { name }) => assert_eq!(name, "nosuch"),
        other => panic!("{other:?}"),
    }
    match s.evaluate("1 +") {
        Err(Error::Expr { column, .. }) => assert_eq!(column, 4),
        other => panic!("{other:?}"),
    }
    let mut l = embedded_minimal(4 * MIB, EmbeddedPlatform::Zephyr, true);
    l.max_dwarf_section_size = 4 * MIB;
    l.max_debug_sections = 16;
    let (mut small, _) = open_with("c-vec-O0", &l);
    small.start().unwrap();
    let ty = debugger::dwarf::Ty::Int {
        signed: false,
        size: 4,
    };
    match small.set_watch(
        "*0x1000",
        0x1000,
        4,
        ty,
        runtime_core::debug::WatchKind::Write,
    ) {
        Err(Error::TableFull {
            limit, capacity, ..
        }) => {
            assert_eq!((limit, capacity), ("max_variable_watches", 0));
        }
        other => panic!("{other:?}"),
    }
    let mut prod = limits();
    prod.asil_level = AsilLevel::D;
    prod.safety_debug_mode = runtime_core::limits::SafetyDebugMode::Production;
    let bytes = std::fs::read(fixtures().join("wasm/c-vec-O0.wasm")).unwrap();
    match Session::open(bytes, &prod, Program::default()) {
        Err(Error::Refused { rule }) => {
            assert_eq!(rule, "ASIL-D in production refuses debug access")
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("opened"),
    }
}

#[test]
fn inlined_calls_are_stepped_as_gdb_steps_them() {
    // c-heap-O2 inlines `push` into main's loop; its first instruction is main's first statement.
    let mut s = open("c-heap-O2");
    s.set_breakpoint("main", None, false).unwrap();
    s.start().unwrap();
    s.resume(Resume::Continue).unwrap();
    assert_eq!(
        top(&s),
        ("main".into(), 32),
        "the call site, not push's first line"
    );
    let pc = s.wasm_frames().last().copied();

    // `step` enters the inlined call without running.
    assert_eq!(s.resume(Resume::Step).unwrap(), Stop::Step);
    assert_eq!(s.wasm_frames().last().copied(), pc, "nothing ran");
    let frames = s.frames().unwrap();
    let shown: Vec<(&str, bool)> = frames
        .iter()
        .take(2)
        .map(|f| (f.function.as_str(), f.inlined))
        .collect();
    assert_eq!(shown, [("push", true), ("main", false)]);
    assert_eq!(top(&s), ("push".into(), 12));

    // `finish` from the inlined frame runs to the end of its range, back in main.
    let stop = s.resume(Resume::Finish).unwrap();
    assert!(matches!(stop, Stop::Finish { .. }), "{stop:?}");
    assert_eq!(top(&s).0, "main");

    // `next` steps over every inlined call: no stop is ever inside push or reverse.
    for _ in 0..12 {
        if s.resume(Resume::Next).unwrap() != Stop::Step {
            break;
        }
        let f = s.selected_frame().unwrap();
        assert!(!f.inlined, "next stopped in {} [inlined]", f.function);
        if f.function != "main" {
            assert_eq!(f.function, "_start", "next left main only by returning");
            break;
        }
    }

    // A breakpoint on the inlined function itself shows it.
    let mut s = open("c-heap-O2");
    s.set_breakpoint("push", None, false).unwrap();
    s.start().unwrap();
    s.resume(Resume::Continue).unwrap();
    assert_eq!(top(&s), ("push".into(), 12));
}

/// A line with a column resolves to the statements starting nearest at or after that column;
/// past the line's last statement it means the whole line, as without a column. In
/// `for (int i = 1; i < argc; i++)` the `i++` (column 32) is a statement of its own.
#[test]
fn a_column_picks_the_statement_it_names_on_a_line() {
    use debugger::location::Location;
    let bytes = std::fs::read(fixtures().join("wasm/c-args-O0.wasm")).unwrap();
    let program = Program {
        args: vec!["args".into(), "7".into()],
        ..Program::default()
    };
    let mut s = Session::open(bytes, &limits(), program).unwrap();
    let at = |column| Location::Line {
        file: Some("args.c".into()),
        line: 8,
        column,
    };
    let column_of = |s: &Session, a: u64| s.dwarf().lines.row_at(a).unwrap().column;
    let whole = s.resolve(&at(None)).unwrap();
    assert_eq!(whole.len(), 1);
    assert_eq!(column_of(&s, whole[0]), 14, "`int i = 1` starts the line");
    assert_eq!(s.resolve(&at(Some(14))).unwrap(), whole);
    let step = s.resolve(&at(Some(15))).unwrap();
    assert_eq!(step.len(), 1);
    assert_eq!(column_of(&s, step[0]), 32, "`i++`");
    assert_eq!(s.resolve(&at(Some(32))).unwrap(), step);
    assert_eq!(s.resolve(&at(Some(33))).unwrap(), whole);
    // The program stops at `i++` once the loop body has run with i = 1.
    s.break_at(&at(Some(32)), None, false).unwrap();
    s.start().unwrap();
    assert!(matches!(
        s.resume(Resume::Continue).unwrap(),
        Stop::Breakpoint { .. }
    ));
    assert_eq!(top(&s), ("main".into(), 8));
    let mut d = Debugger::new(s);
    assert_eq!(ok(&mut d, "print i"), "$1 = 1");
}

/// A watchpoint on an expression of a frame's variables is deleted when that frame returns, as
/// gdb deletes it, and the program stops there in the caller; calls of the same function
/// returning deeper down (recursion) leave it be. One on an address (`-l`) lives on.
#[test]
fn watchpoints_die_with_their_frame() {
    let mut d = Debugger::new(open("c-vec-O0"));
    ok(&mut d, "break add");
    ok(&mut d, "run");
    assert_eq!(ok(&mut d, "watch acc->x"), "Hardware watchpoint 2: acc->x");
    let r = ok(&mut d, "continue");
    assert!(r.contains("Old value = 0\nNew value = 1"), "{r}");
    let r = d.execute("continue");
    assert!(r.ok, "{}", r.text);
    assert_eq!(r.data["stop"]["reason"], "watchpoint_scope");
    // add returns to the start of line 40's statement.
    assert_eq!(
        r.text,
        "Watchpoint 2 deleted because the program has left the block in\n\
         which its expression is valid.\nmain () at vec.c:40\n\
         40\t        printf(\"scaled[%d] = (%d, %d, %d)\\n\", i, s.x, s.y, s.z);"
    );
    // The next call writes sum.x again; only the breakpoint stops.
    let r = d.execute("continue");
    assert_eq!(r.data["stop"]["reason"], "breakpoint", "{}", r.text);
    assert!(!ok(&mut d, "info breakpoints").contains("acc->x"));

    // factorial(5) -> (4) -> (3): a watch on n in factorial(3) outlives the returns of (2) and
    // (1) below it and ends where (3) returns into (4).
    let mut d = Debugger::new(open("c-recursion-O0"));
    ok(&mut d, "break factorial if n == 3");
    ok(&mut d, "run");
    ok(&mut d, "delete 1");
    ok(&mut d, "watch n");
    let r = d.execute("continue");
    assert_eq!(r.data["stop"]["reason"], "watchpoint_scope", "{}", r.text);
    assert_eq!(r.data["stop"]["frame"]["function"], "factorial");
    assert_eq!(ok(&mut d, "print n"), "$1 = 4");

    // An address watch is not scoped.
    let mut d = Debugger::new(open("c-vec-O0"));
    ok(&mut d, "break add");
    ok(&mut d, "run");
    ok(&mut d, "watch -l acc->x");
    ok(&mut d, "delete 1");
    ok(&mut d, "continue");
    let r = d.execute("continue");
    assert_eq!(r.data["stop"]["reason"], "watchpoint", "{}", r.text);
    assert_eq!(r.data["stop"]["frame"]["function"], "add");
}

/// C types are named with C's declarators, as gdb names them: a pointer to an array and a
/// pointer to a function put the `*` in parentheses.
#[test]
fn pointer_types_are_named_as_c_declares_them() {
    let mut d = Debugger::new(open("c-vec-O0"));
    ok(&mut d, "break vec.c:38");
    ok(&mut d, "run");
    assert_eq!(
        ok(&mut d, "print &points"),
        "$1 = (struct vec (*)[4]) 0x11300"
    );
    assert_eq!(
        ok(&mut d, "print &points[1]"),
        "$2 = (struct vec *) 0x1130c"
    );
    let mut d = Debugger::new(open("c-floats-O0"));
    ok(&mut d, "break square");
    ok(&mut d, "run");
    ok(&mut d, "up");
    assert_eq!(ok(&mut d, "print f"), "$1 = (double (*)(double)) 0x1");
}

/// A char array prints every element as gdb prints it: the final NUL left out, and a run of more
/// than ten as `<repeats N times>`.
#[test]
fn char_arrays_print_every_element_as_gdb_prints_them() {
    let mut d = Debugger::new(open("c-strings-O0"));
    ok(&mut d, "break strings.c:22");
    ok(&mut d, "run");
    assert_eq!(
        ok(&mut d, "print line"),
        "$1 = \"asil,budget,debugger,dwarf,interpreter,wasm\", '\\000' <repeats 84 times>"
    );
}

/// `whatis` and `ptype` print what gdb 13 prints for the same commands on vec.c built natively
/// with `cc -g -O0` (recorded here): the type as declared, and with the struct it is built on
/// written out.
#[test]
fn whatis_and_ptype_print_what_gdb_prints() {
    let mut d = Debugger::new(open("c-vec-O0"));
    ok(&mut d, "break length_squared");
    ok(&mut d, "run");
    let segment = "const struct segment {\n    struct vec from;\n    struct vec to;\n    \
                   const char *name;\n}";
    let vec = "struct vec {\n    int x;\n    int y;\n    int z;\n}";
    for (cmd, gdb) in [
        ("whatis s", "const struct segment *".to_string()),
        ("ptype s", format!("{segment} *")),
        ("ptype *s", segment.to_string()),
        ("whatis s->name", "const char *".into()),
        ("ptype d", vec.into()),
    ] {
        assert_eq!(ok(&mut d, cmd), format!("type = {gdb}"), "{cmd}");
    }
    ok(&mut d, "up");
    for (cmd, gdb) in [
        ("ptype points", format!("{vec} [4]")),
        ("whatis points", "struct vec [4]".into()),
        ("ptype sum.x", "int".into()),
        ("whatis &points", "struct vec (*)[4]".into()),
    ] {
        assert_eq!(ok(&mut d, cmd), format!("type = {gdb}"), "{cmd}");
    }
}
