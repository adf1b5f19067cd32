//! The engine as a service (`debugger::engine::Engine`), driven from the test thread as a TUI
//! drives it, on a program in this process and on one served over TCP: breakpoints, stepping,
//! `finish` with the value, lazily expanded values (a struct through a pointer, a page of a
//! million-element array, a Rust `Vec`), an expansion kept across a step, requests refused while
//! the program runs, an interrupt answered within 50 ms, kill, and program output as events.

mod common;

use std::time::{Duration, Instant};

use debugger::Error;
use debugger::children::VarRef;
use debugger::dwarf::VarKind;
use debugger::engine::{Engine, Event, Stream};
use debugger::location::Location;
use debugger::report::{BreakpointKind, Children, Machine, Printed, Stop, StopReason, Variable};
use debugger::request::{FrameRef, Request, Response};
use debugger::step::Resume;
use debugger::value::Format;

use common::{attached, local};

/// Sends a request and waits for its answer; the other events are kept in `seen`.
fn call(e: &mut Engine, req: Request, seen: &mut Vec<Event>) -> Response {
    let what = format!("{req:?}");
    e.call(req, &mut |ev| seen.push(ev))
        .unwrap_or_else(|err| panic!("{what}: {err}"))
}

fn stop(e: &mut Engine, req: Request) -> Stop {
    let mut seen = Vec::new();
    match call(e, req, &mut seen) {
        Response::Stop(s) => {
            assert!(matches!(seen.first(), Some(Event::Running)), "{seen:?}");
            assert!(
                seen.iter()
                    .any(|ev| matches!(ev, Event::Stopped(x) if *x == s)),
                "the stop comes as an event before the reply: {seen:?}"
            );
            s
        }
        other => panic!("not a stop: {other:?}"),
    }
}

fn resume(how: Resume) -> Request {
    Request::Resume { how, count: 1 }
}

fn children(e: &mut Engine, var: &VarRef, start: u64, count: u64) -> Children {
    match call(
        e,
        Request::Children {
            var: var.clone(),
            start,
            count,
            format: Format::Natural,
        },
        &mut Vec::new(),
    ) {
        Response::Children(c) => c,
        other => panic!("{other:?}"),
    }
}

/// Sets a breakpoint at `location` and runs to it.
fn run_to(e: &mut Engine, location: &str) -> Stop {
    call(
        e,
        Request::Break {
            location: Some(Location::parse(location).unwrap()),
            condition: None,
            temporary: false,
            frame: None,
        },
        &mut Vec::new(),
    );
    stop(e, Request::Run)
}

fn print(e: &mut Engine, expr: &str) -> Printed {
    let req = Request::Print {
        expr: expr.into(),
        format: Format::Natural,
        frame: None,
    };
    match call(e, req, &mut Vec::new()) {
        Response::Printed(p) => p,
        other => panic!("{other:?}"),
    }
}

fn variables(e: &mut Engine, kind: VarKind) -> Vec<Variable> {
    let req = Request::Variables {
        kind,
        format: Format::Natural,
        frame: None,
    };
    match call(e, req, &mut Vec::new()) {
        Response::Variables(v) => v,
        other => panic!("{other:?}"),
    }
}

fn named<'a>(vars: &'a [Variable], name: &str) -> &'a Variable {
    vars.iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no {name} in {vars:?}"))
}

/// The code offset the selected frame stands at.
fn line_addr(e: &mut Engine) -> u64 {
    match call(e, Request::Frame(None), &mut Vec::new()) {
        Response::Frame(f) => f.frame.addr,
        other => panic!("{other:?}"),
    }
}

fn line(s: &Stop) -> (String, Option<u32>) {
    let f = s.frame.as_ref().expect("a frame");
    (f.function.clone(), f.line)
}

/// The whole session on c-spin-O0, local or attached.
fn exercise(mut e: Engine) {
    let mut seen = Vec::new();
    let set = call(
        &mut e,
        Request::Break {
            location: Some(Location::parse("spin.c:18").unwrap()),
            condition: None,
            temporary: false,
            frame: None,
        },
        &mut seen,
    );
    assert!(
        matches!(set, Response::Breakpoint(ref b) if b.number == 1),
        "{set:?}"
    );
    assert!(
        seen.iter()
            .any(|ev| matches!(ev, Event::BreakpointsChanged)),
        "{seen:?}"
    );

    let s = stop(&mut e, Request::Run);
    assert!(
        matches!(s.reason, StopReason::Breakpoint { number: 1, .. }),
        "{s:?}"
    );
    assert_eq!(line(&s), ("fill".into(), Some(18)));

    // A page at the end of a million-element array, fetched without the rest.
    let table = print(&mut e, "table");
    assert_eq!(table.value.child_count, Some(1_000_000));
    assert_eq!(table.members.len(), 100, "print carries a first page");
    assert_eq!(table.members[7].value, "21");
    let page = children(&mut e, table.value.children.as_ref().unwrap(), 999_990, 50);
    assert_eq!(
        (page.total, page.start, page.items.len()),
        (1_000_000, 999_990, 10)
    );
    assert_eq!(page.items[9].name, "[999999]");
    assert_eq!(page.items[9].value, "2999997");

    assert_eq!(
        line(&stop(&mut e, resume(Resume::Next))),
        ("fill".into(), Some(19))
    );
    assert_eq!(
        line(&stop(&mut e, resume(Resume::Step))),
        ("fill".into(), Some(20))
    );

    // A struct through a pointer: the pointer's child is the struct, its children the fields.
    let args = variables(&mut e, VarKind::Param);
    let p = named(&args, "p");
    let star = children(&mut e, p.children.as_ref().unwrap(), 0, 10);
    assert_eq!(star.items.len(), 1);
    let fields = children(&mut e, star.items[0].children.as_ref().unwrap(), 0, 10);
    let shown: Vec<(&str, &str)> = fields
        .items
        .iter()
        .map(|v| (v.name.as_str(), v.value.as_str()))
        .collect();
    assert_eq!(shown, [("x", "1000000"), ("y", "2999997")]);

    let s = stop(&mut e, resume(Resume::Finish));
    let StopReason::Finish { from, value } = &s.reason else {
        panic!("{s:?}")
    };
    assert_eq!(from.function, "fill");
    assert_eq!(
        value.as_ref().map(|v| v.value.value.as_str()),
        Some("3999997")
    );
    assert_eq!(line(&s).0, "main");

    // An expansion made before a step resolves again after it.
    let locals = variables(&mut e, VarKind::Local);
    let p_ref = named(&locals, "p").children.clone().unwrap();
    let before = children(&mut e, &p_ref, 0, 10);
    assert_eq!(
        line(&stop(&mut e, resume(Resume::Next))),
        ("main".into(), Some(33))
    );
    let after = children(&mut e, &p_ref, 0, 10);
    assert_eq!(before, after);
    assert_eq!(after.items[0].value, "1000000");

    // While the program runs, queries are refused at once; an interrupt stops it within 50 ms.
    let id = e.send(Request::Continue { ignore: None }).unwrap();
    let refused = e.send(Request::Backtrace { limit: None });
    assert!(matches!(refused, Err(Error::Running)), "{refused:?}");
    assert!(matches!(
        e.next_event(Duration::from_secs(5)),
        Some(Event::Running)
    ));
    std::thread::sleep(Duration::from_millis(200));
    let asked = Instant::now();
    e.interrupter().interrupt();
    let stopped = loop {
        match e.next_event(Duration::from_secs(5)) {
            Some(Event::Stopped(s)) => break s,
            Some(Event::Output { .. }) => {}
            other => panic!("{other:?}"),
        }
    };
    let latency = asked.elapsed();
    assert_eq!(stopped.reason, StopReason::Interrupt);
    assert_eq!(
        serde_json::to_value(&stopped).unwrap()["reason"],
        "interrupt"
    );
    assert!(
        latency < Duration::from_millis(50),
        "stopped {latency:?} after the interrupt"
    );
    assert!(matches!(
        e.next_event(Duration::from_secs(5)),
        Some(Event::Reply { id: i, .. }) if i == id
    ));
    assert_eq!(line(&stopped).0, "main");

    let mut seen = Vec::new();
    let killed = call(&mut e, Request::Kill, &mut seen);
    assert!(
        matches!(&killed, Response::Stop(s) if s.reason == StopReason::Killed),
        "{killed:?}"
    );
    assert!(matches!(&seen[..], [Event::Stopped(s)] if s.reason == StopReason::Killed));
    let gone = e.call(Request::Backtrace { limit: None }, &mut |_| {});
    assert!(matches!(gone, Err(Error::NoStack)), "{gone:?}");
}

#[test]
fn a_local_program_driven_from_another_thread() {
    exercise(local("c-spin-O0", &["spin"]));
}

#[test]
fn an_attached_program_driven_from_another_thread() {
    exercise(attached("c-spin-O0"));
}

#[test]
fn program_output_arrives_as_events_in_order_with_nothing_lost() {
    let mut e = local("c-spin-O0", &["spin", "1000", "10"]);
    let mut seen = Vec::new();
    let r = call(&mut e, Request::Run, &mut seen);
    assert!(matches!(
        r,
        Response::Stop(Stop {
            reason: StopReason::Exited { code: 0 },
            ..
        })
    ));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    for ev in &seen {
        if let Event::Output { stream, bytes } = ev {
            match stream {
                Stream::Stdout => out.extend_from_slice(bytes),
                Stream::Stderr => err.extend_from_slice(bytes),
            }
        }
    }
    let want = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/expected/c-spin.stdout"),
    )
    .unwrap();
    assert_eq!(String::from_utf8_lossy(&out), want);
    let want_err: String = (0..1000)
        .step_by(10)
        .map(|i| format!("err {i}\n"))
        .collect();
    assert_eq!(String::from_utf8_lossy(&err), want_err);
    let exited = seen.iter().position(|ev| matches!(ev, Event::Exited(0)));
    let last_output = seen
        .iter()
        .rposition(|ev| matches!(ev, Event::Output { .. }));
    assert!(
        exited > last_output,
        "the exit comes after the output: {seen:?}"
    );
}

#[test]
fn a_rust_vec_expands_lazily_in_pages() {
    let mut e = local("rust-demo-O0", &["demo"]);
    run_to(&mut e, "demo.rs:85");
    let primes = print(&mut e, "primes");
    assert_eq!(primes.value.child_count, Some(46), "{primes:?}");
    assert_eq!(primes.members[0].value, "2");
    let page = children(&mut e, primes.value.children.as_ref().unwrap(), 40, 10);
    let tail: Vec<&str> = page.items.iter().map(|v| v.value.as_str()).collect();
    assert_eq!(tail, ["179", "181", "191", "193", "197", "199"]);
    assert_eq!(page.items[5].name, "[45]");

    // A struct holding a Vec of tuples: each level expands on its own.
    let inv = print(&mut e, "inv");
    let items = named(&inv.members, "items");
    assert_eq!(items.child_count, Some(2));
    let tuples = children(&mut e, items.children.as_ref().unwrap(), 0, 10);
    let nail = children(&mut e, tuples.items[1].children.as_ref().unwrap(), 0, 10);
    let shown: Vec<(&str, &str)> = nail
        .items
        .iter()
        .map(|v| (v.name.as_str(), v.value.as_str()))
        .collect();
    assert_eq!(shown, [("0", "\"nail\""), ("1", "250")]);
}

#[test]
fn enums_and_c_strings_expand_to_what_they_hold() {
    // A Rust enum's children are its active variant's fields.
    let mut e = local("rust-demo-O0", &["demo"]);
    run_to(&mut e, "demo.rs:85");
    let shapes = print(&mut e, "shapes");
    let circle = &shapes.members[0];
    assert_eq!(circle.value, "Circle { radius: 1.5 }");
    let fields = children(&mut e, circle.children.as_ref().unwrap(), 0, 10);
    assert_eq!(fields.items[0].name, "radius");
    assert_eq!(fields.items[0].value, "1.5");
    let triangle = children(&mut e, shapes.members[2].children.as_ref().unwrap(), 0, 10);
    let sides: Vec<&str> = triangle.items.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(sides, ["0", "1", "2"], "tuple variant fields by position");

    // A C string's children are its characters.
    let mut e = local("c-strings-O0", &["strings"]);
    run_to(&mut e, "strings.c:22");
    let words = print(&mut e, "words");
    assert_eq!(words.value.child_count, Some(6));
    let first = &words.members[0];
    assert!(first.value.ends_with("\"asil\""), "{first:?}");
    let chars = children(&mut e, first.children.as_ref().unwrap(), 0, 10);
    assert_eq!(chars.total, 4);
    assert_eq!(chars.items[0].value, "97 'a'");
}

/// `info wasm` of fib's first statement in c-recursion-O2 (`return n < 2 ? ...`): fib's operand
/// stack holds `n` and the 2 it is compared with; its caller's holds the varargs buffer of the
/// `printf` the result goes to, at the stack pointer (global 0).
fn machine_at_fib(mut e: Engine) -> Vec<Machine> {
    run_to(&mut e, "fib");
    let mut seen = Vec::new();
    let inner = match call(&mut e, Request::Machine { frame: None }, &mut seen) {
        Response::Machine(m) => m,
        other => panic!("{other:?}"),
    };
    call(&mut e, Request::Up(1), &mut seen);
    let outer = match call(&mut e, Request::Machine { frame: None }, &mut seen) {
        Response::Machine(m) => m,
        other => panic!("{other:?}"),
    };
    vec![inner, outer]
}

#[test]
fn the_operand_stack_and_globals_read_alike_local_and_attached() {
    let here = machine_at_fib(local("c-recursion-O2", &[]));
    let [fib, main] = &here[..] else { panic!() };
    assert_eq!(fib.function, "fib");
    assert_eq!(fib.operands, [0, 2], "n = 0 and the 2 of `n < 2`");
    let sp = &fib.globals[0];
    assert_eq!(sp.name.as_deref(), Some("__stack_pointer"));
    assert_eq!(sp.ty, "mut i32");
    let sp_value: u64 = sp.value.split(' ').next().unwrap().parse().unwrap();
    assert_eq!(main.function, "__original_main");
    assert_eq!(
        main.operands,
        [sp_value],
        "printf's varargs at the stack pointer"
    );
    let there = machine_at_fib(attached("c-recursion-O2"));
    assert_eq!(here, there);
}

#[test]
fn a_remote_link_is_timed_and_a_local_program_has_none() {
    let mut seen = Vec::new();
    let mut e = attached("c-vec-O0");
    match call(&mut e, Request::Link, &mut seen) {
        Response::Link(l) => {
            assert!(l.remote);
            let us = l.round_trip_us.expect("a round trip");
            assert!(us < 5_000_000, "within the client's timeout: {us} µs");
        }
        other => panic!("{other:?}"),
    }
    let mut e = local("c-vec-O0", &[]);
    match call(&mut e, Request::Link, &mut seen) {
        Response::Link(l) => assert_eq!((l.remote, l.round_trip_us), (false, None)),
        other => panic!("{other:?}"),
    }
}

/// Linear memory read and written, and variables assigned, on both targets: what was written is
/// what the program computes with afterwards (`scale` returns `*v` times `k`).
#[test]
fn memory_and_variables_are_written_on_either_target() {
    for (target, mut e) in [
        ("local", local("c-vec-O0", &[])),
        ("attached", attached("c-vec-O0")),
    ] {
        run_to(&mut e, "scale");
        let addr: u64 = print(&mut e, "(unsigned)v").value.value.parse().unwrap();
        let read =
            |e: &mut Engine, addr, len| call(e, Request::ReadMemory { addr, len }, &mut Vec::new());
        let Response::Bytes(b) = read(&mut e, addr, 12) else {
            panic!("{target}: not bytes")
        };
        assert_eq!(b.addr, addr);
        assert_eq!(b.bytes, [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0], "{target}");
        assert_eq!(
            print(&mut e, "*v").value.addr,
            Some(addr),
            "{target}: where *v lives"
        );
        assert_eq!(
            print(&mut e, "1 + 1").value.addr,
            None,
            "{target}: a value lives nowhere"
        );
        let write = Request::WriteMemory {
            addr: addr + 4,
            bytes: 20i32.to_le_bytes().to_vec(),
        };
        assert_eq!(call(&mut e, write, &mut Vec::new()), Response::Done);
        assert_eq!(print(&mut e, "v->y").value.value, "20", "{target}");
        let set = |e: &mut Engine, var: &str, value: &str| {
            let req = Request::SetVariable {
                var: var.into(),
                value: value.into(),
                frame: None,
            };
            e.call(req, &mut |_| {})
        };
        let Ok(Response::Variable(x)) = set(&mut e, "v->x", "40 + 2") else {
            panic!("{target}: v->x not assigned")
        };
        assert_eq!(x.value, "42", "{target}");
        let Ok(Response::Variable(z)) = set(&mut e, "v->z", "2.9") else {
            panic!("{target}: v->z not assigned")
        };
        assert_eq!(
            z.value, "2",
            "{target}: a double converts to int as C converts it"
        );
        let pc = line_addr(&mut e);
        let req = Request::DisassembleAt {
            addr: pc,
            offset: -2,
            count: 5,
        };
        let Response::Disassembly(d) = call(&mut e, req, &mut Vec::new()) else {
            panic!("{target}: not a disassembly")
        };
        assert_eq!(d.function, "scale", "{target}");
        assert_eq!(d.lines.len(), 5, "{target}");
        assert!(
            d.lines[2].current && d.lines[2].offset == pc,
            "{target}: {d:?}"
        );
        assert!(
            d.lines.windows(2).all(|w| w[0].offset < w[1].offset),
            "{target}"
        );
        let s = stop(&mut e, resume(Resume::Finish));
        let StopReason::Finish { value, .. } = &s.reason else {
            panic!("{target}: {s:?}")
        };
        assert_eq!(
            value.as_ref().map(|v| v.value.value.as_str()),
            Some("{x = 42, y = 20, z = 2}"),
            "{target}"
        );
        let err = e
            .call(
                Request::ReadMemory {
                    addr: 1 << 32,
                    len: 8,
                },
                &mut |_| {},
            )
            .unwrap_err();
        assert!(matches!(err, Error::Memory { .. }), "{target}: {err:?}");
        let err = e
            .call(
                Request::ReadMemory {
                    addr: 0,
                    len: (1 << 20) + 1,
                },
                &mut |_| {},
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("at most 1048576 bytes"),
            "{target}: {err}"
        );
        let err = set(&mut e, "1", "2").unwrap_err();
        assert!(
            err.to_string().contains("cannot be assigned"),
            "{target}: {err}"
        );
    }
}

/// Frames are named by level and the stop they were read at, on either target: each
/// frame-scoped request answers in the frame it names and leaves the selection alone, and once
/// the program has run, a frame of the earlier stop is refused as stale.
#[test]
fn frame_scoped_requests_answer_in_their_frame_and_refuse_stale_ones() {
    for (target, mut e) in [
        ("local", local("c-recursion-O0", &[])),
        ("attached", attached("c-recursion-O0")),
    ] {
        let mut seen = Vec::new();
        // factorial(5) -> (4) -> (3): three frames of one function with their own `n`.
        let set = Request::Break {
            location: Some(Location::Function("factorial".into())),
            condition: Some("n == 3".into()),
            temporary: false,
            frame: None,
        };
        call(&mut e, set, &mut seen);
        stop(&mut e, Request::Run);
        let Response::Backtrace(bt) = call(&mut e, Request::Backtrace { limit: None }, &mut seen)
        else {
            panic!("{target}: no backtrace")
        };
        let at = |level| {
            Some(FrameRef {
                level,
                stop: bt.stop,
            })
        };
        let n_in = |e: &mut Engine, frame| {
            let req = Request::Print {
                expr: "n".into(),
                format: Format::Natural,
                frame,
            };
            match e.call(req, &mut |_| {}) {
                Ok(Response::Printed(p)) => Ok(p.value.value),
                Ok(other) => panic!("{other:?}"),
                Err(err) => Err(err),
            }
        };
        assert_eq!(n_in(&mut e, at(2)).unwrap(), "5", "{target}");
        assert_eq!(n_in(&mut e, at(1)).unwrap(), "4", "{target}");
        assert_eq!(
            n_in(&mut e, None).unwrap(),
            "3",
            "{target}: the selection stays"
        );
        let params = Request::Variables {
            kind: VarKind::Param,
            format: Format::Natural,
            frame: at(1),
        };
        let Response::Variables(vars) = call(&mut e, params, &mut seen) else {
            panic!("{target}")
        };
        assert_eq!(vars[0].name, "n");
        assert_eq!(vars[0].value, "4", "{target}");
        let detail = Request::FrameDetail { frame: at(2) };
        let Response::FrameDetail(d) = call(&mut e, detail, &mut seen) else {
            panic!("{target}")
        };
        assert_eq!(d.frame.level, 2, "{target}");
        assert_eq!(d.caller.map(|c| c.function).as_deref(), Some("main"));
        // A breakpoint without a location goes at the named frame's pc.
        let here = Request::Break {
            location: None,
            condition: None,
            temporary: false,
            frame: at(1),
        };
        let Response::Breakpoint(b) = call(&mut e, here, &mut seen) else {
            panic!("{target}")
        };
        let BreakpointKind::Breakpoint { location, .. } = b.kind else {
            panic!("{target}: {b:?}")
        };
        assert_eq!(location, Location::Address(bt.frames[1].addr).to_string());
        assert!(matches!(
            n_in(&mut e, at(bt.frames.len())),
            Err(Error::NoFrameAt(l)) if l == bt.frames.len()
        ));

        stop(&mut e, resume(Resume::Next));
        match n_in(&mut e, at(0)) {
            Err(err @ Error::StaleFrame { asked, current }) => {
                assert_eq!(asked, bt.stop, "{target}");
                assert!(current > asked, "{target}: {current}");
                assert_eq!(err.kind(), "stale_frame");
            }
            other => panic!("{target}: a stale frame answered {other:?}"),
        }
        let Response::Backtrace(now) = call(&mut e, Request::Backtrace { limit: None }, &mut seen)
        else {
            panic!("{target}")
        };
        assert_ne!(now.stop, bt.stop, "{target}");
        let fresh = Some(FrameRef {
            level: 0,
            stop: now.stop,
        });
        assert!(n_in(&mut e, fresh).is_ok(), "{target}");
    }
}

/// Typed locations on either target: a source line with its file, and `until` a line.
#[test]
fn typed_locations_set_breakpoints_and_run_until_them() {
    for (target, mut e) in [
        ("local", local("c-recursion-O0", &[])),
        ("attached", attached("c-recursion-O0")),
    ] {
        let line = |line| {
            Some(Location::Line {
                file: Some("recursion.c".into()),
                line,
                column: None,
            })
        };
        let set = Request::Break {
            location: line(15),
            condition: None,
            temporary: false,
            frame: None,
        };
        call(&mut e, set, &mut Vec::new());
        let at = |s: Stop| s.frame.map(|f| (f.function, f.line));
        let s = stop(&mut e, Request::Run);
        assert_eq!(at(s), Some(("is_even".into(), Some(15))), "{target}");
        let s = stop(&mut e, Request::Until(line(16)));
        assert_eq!(at(s), Some(("is_odd".into(), Some(16))), "{target}");
        let nowhere = Request::Break {
            location: line(999),
            condition: None,
            temporary: false,
            frame: None,
        };
        match e.call(nowhere, &mut |_| {}) {
            Err(Error::NoLocation(l)) => assert_eq!(l, "recursion.c:999"),
            other => panic!("{target}: {other:?}"),
        }
    }
}

/// A variable kept in a Wasm local (clang -O2's `n` of `fib`) is assigned on either target, and
/// the program computes with what was written: fib(0) called, its `n` set to 10, returns 55.
#[test]
fn a_variable_in_a_wasm_local_is_assigned_on_either_target() {
    for (target, mut e) in [
        ("local", local("c-recursion-O2", &[])),
        ("attached", attached("c-recursion-O2")),
    ] {
        run_to(&mut e, "fib");
        assert_eq!(print(&mut e, "n").value.value, "0", "{target}");
        assert_eq!(
            print(&mut e, "n").value.addr,
            None,
            "{target}: not in memory"
        );
        let set = Request::SetVariable {
            var: "n".into(),
            value: "5 * 2".into(),
            frame: None,
        };
        let Response::Variable(n) = call(&mut e, set, &mut Vec::new()) else {
            panic!("{target}: n not assigned")
        };
        assert_eq!(n.value, "10", "{target}");
        // A value DWARF computes has nowhere to be written.
        let computed = Request::SetVariable {
            var: "n + 1".into(),
            value: "3".into(),
            frame: None,
        };
        match e.call(computed, &mut |_| {}) {
            Err(err @ Error::Value(_)) => assert!(err.to_string().contains("cannot be assigned")),
            other => panic!("{target}: {other:?}"),
        }
        call(&mut e, Request::Delete(None), &mut Vec::new());
        let s = stop(&mut e, resume(Resume::Finish));
        let StopReason::Finish { value, .. } = s.reason else {
            panic!("{target}: {s:?}")
        };
        assert_eq!(
            value.map(|v| v.value.value).as_deref(),
            Some("55"),
            "{target}"
        );
    }
}

/// `finish` from a function called through a pointer (`call_indirect`, which takes a table index
/// besides the arguments) reports what it returned, on either target: floats.c's
/// `integrate(square, 0.0, 3.0, ...)` calls `f(b)`, and square(3) is 9.
#[test]
fn finish_from_an_indirect_call_reports_its_value() {
    for (target, mut e) in [
        ("local", local("c-floats-O0", &[])),
        ("attached", attached("c-floats-O0")),
    ] {
        run_to(&mut e, "square");
        stop(&mut e, Request::Continue { ignore: None });
        assert_eq!(print(&mut e, "x").value.value, "3", "{target}");
        let s = stop(&mut e, resume(Resume::Finish));
        let StopReason::Finish { value, .. } = s.reason else {
            panic!("{target}: {s:?}")
        };
        assert_eq!(
            value.map(|v| v.value.value).as_deref(),
            Some("9"),
            "{target}"
        );
        assert_eq!(s.frame.map(|f| f.function).as_deref(), Some("integrate"));
    }
}

/// A watchpoint on a frame's variables ends with the frame on either target: the return is seen
/// at a site armed in the caller, through the stub's breakpoint table when attached.
#[test]
fn a_scoped_watchpoint_ends_with_its_frame_on_either_target() {
    use debugger::request::WatchTarget;
    for (target, mut e) in [
        ("local", local("c-vec-O0", &[])),
        ("attached", attached("c-vec-O0")),
    ] {
        run_to(&mut e, "add");
        let watch = Request::Watch {
            target: WatchTarget::Expr("acc->x".into()),
            kind: debugger::report::WatchKind::Write,
        };
        call(&mut e, watch, &mut Vec::new());
        call(&mut e, Request::Delete(Some(1)), &mut Vec::new());
        let hit = stop(&mut e, Request::Continue { ignore: None });
        assert!(
            matches!(hit.reason, StopReason::Watchpoint { number: 2, .. }),
            "{target}: {hit:?}"
        );
        let gone = stop(&mut e, Request::Continue { ignore: None });
        assert_eq!(
            gone.reason,
            StopReason::WatchpointScope { number: 2 },
            "{target}"
        );
        assert_eq!(
            gone.frame.map(|f| (f.function, f.line)),
            Some(("main".into(), Some(40)))
        );
        let Response::Stop(end) = call(&mut e, Request::Continue { ignore: None }, &mut Vec::new())
        else {
            panic!("{target}: no stop")
        };
        assert_eq!(end.reason, StopReason::Exited { code: 0 }, "{target}");
    }
}
