//! The bridge's protocol, packet by packet, with our RSP client against the served fixtures:
//! handshake, library list, the four `qWasm*` queries, memory and code reads (never past the end),
//! breakpoints where our DWARF engine resolves them, `monitor` commands, refusals at the embedded
//! preset, interrupts, kill, and malformed input that must not end the session.

mod common;

use std::net::TcpStream;
use std::sync::mpsc;

use common::{fixture, linux};

use debugger::dwarf::DwarfInfo;
use gdb_bridge::client::{Client, ClientError};
use gdb_bridge::stub::Ending;
use runtime_core::Module;
use runtime_core::limits::preset::embedded_minimal;
use runtime_core::limits::{EmbeddedPlatform, MIB, PlatformLimits};

/// Serves `name` under `limits` on a thread; returns the client (no-ack mode) and how the
/// session ended.
fn start(
    name: &'static str,
    limits: PlatformLimits,
) -> (Client<TcpStream>, mpsc::Receiver<(Ending, Vec<u8>)>) {
    let (addr, rx) = common::listen(name, limits);
    let mut c = Client::new(TcpStream::connect(addr).unwrap());
    c.request("qSupported:swbreak+;hwbreak+;qXfer:libraries:read+")
        .unwrap();
    c.no_ack().unwrap();
    (c, rx)
}

/// LLDB's code address of function `name` past its prologue, from our own DWARF engine.
fn code_addr(name: &str, fixture_name: &str) -> u64 {
    let bytes = fixture(fixture_name);
    let module = Module::new_for_debugging(&bytes).unwrap();
    let dwarf = DwarfInfo::load(module.custom_sections(), &bytes, &linux()).unwrap();
    let f = dwarf.functions_named(name)[0].clone();
    let code_start = module.code_section().unwrap().start as u64;
    0x4000_0000_0000_0000 | (dwarf.after_prologue(&f) + code_start)
}

/// Code addresses of distinct internal instructions (each its own breakpoint site).
fn instruction_addrs(fixture_name: &str) -> Vec<u64> {
    let limits = runtime_core::limits::PlatformLimits::unbounded();
    let module = debugger::translate::translate(&fixture(fixture_name), &limits)
        .unwrap()
        .module;
    let body = (0..module.num_funcs())
        .find_map(|i| module.body(i).filter(|b| b.offsets.len() > 40))
        .unwrap();
    let mut offsets: Vec<u64> = body
        .offsets
        .iter()
        .map(|&o| 0x4000_0000_0000_0000 | u64::from(o))
        .collect();
    offsets.dedup();
    offsets
}

#[test]
fn handshake_libraries_and_wasm_queries() {
    let (mut c, done) = start("c-vec-O0", linux());
    let host = c.request("qHostInfo").unwrap();
    assert!(
        host.contains("triple:7761736d3332;"),
        "plain wasm32: {host}"
    );
    assert!(c.request("qProcessInfo").unwrap().starts_with("pid:1;"));
    let libs = c.request("qXfer:libraries:read::0,ffff").unwrap();
    assert!(
        libs.ends_with("<library-list><library name=\"c-vec-O0.wasm\"><section address=\"0x4000000000000000\"/></library></library-list>"),
        "{libs}"
    );
    assert_eq!(
        c.request("qFooBarBaz").unwrap(),
        "",
        "unknown packets get an empty reply"
    );
    assert_eq!(
        c.call_stack().unwrap().len(),
        1,
        "stopped at the first instruction"
    );

    let scale = code_addr("scale", "c-vec-O0");
    assert_eq!(c.request(&format!("Z0,{scale:x},1")).unwrap(), "OK");
    assert_eq!(
        c.request(&format!("Z0,{scale:x},4")).unwrap(),
        "OK",
        "any breakpoint kind"
    );
    assert_eq!(
        c.monitor("profile").unwrap().trim(),
        "Profiling is off; `monitor profile on` starts it."
    );
    assert_eq!(c.monitor("profile on").unwrap().trim(), "Profiling on.");
    let stop = c.resume(false).unwrap();
    assert!(
        stop.starts_with("T05") && stop.contains("swbreak"),
        "{stop}"
    );
    let stack = c.call_stack().unwrap();
    assert_eq!(stack[0], scale, "the PC is the breakpoint's address");
    assert_eq!(stack.len(), 4, "scale, main, _start, the export wrapper");
    // scale(v, k) returns a struct: local 0 is where to (the hidden sret pointer), 1 is v, 2 is k.
    let v = c.wasm_value("qWasmLocal:0;1").unwrap().unwrap();
    assert_eq!(c.wasm_value("qWasmLocal:0;2").unwrap(), Some(1));
    let sp = c.wasm_value("qWasmGlobal:0;0").unwrap().unwrap();
    assert!(
        sp > 0 && sp < 0x2_0000,
        "__stack_pointer in memory: {sp:#x}"
    );
    assert_eq!(
        c.request("qWasmLocal:0;999").unwrap(),
        "",
        "a local that does not exist is an empty reply"
    );
    let s = c.request("qWasmStackValue:1;0");
    assert!(s.is_ok(), "operand stack of the caller: {s:?}");

    // Memory: the vector v points to, then nothing past the end; code reads give the module file.
    for binary in [false, true] {
        let m = c.read_memory(v, 12, 4096, binary).unwrap();
        let ints: Vec<i32> = m
            .chunks(4)
            .map(|b| i32::from_le_bytes(b.try_into().unwrap()))
            .collect();
        assert_eq!(ints, [1, 2, 3]);
        assert_eq!(
            &c.read_memory(0x4000_0000_0000_0000, 4, 4096, binary)
                .unwrap(),
            b"\0asm"
        );
        let code = c
            .read_memory(0x4000_0000_0000_0000, 20_000, 4096, binary)
            .unwrap();
        assert_eq!(
            code,
            fixture("c-vec-O0")[..20_000],
            "escaped bytes come back whole"
        );
        assert!(
            matches!(
                c.read_memory(0xffff_fff0, 64, 4096, binary),
                Err(ClientError::Reply(_))
            ),
            "past the memory"
        );
        assert!(
            matches!(
                c.read_memory(0x4000_0001_0000_0000, 4, 4096, binary),
                Err(ClientError::Reply(_))
            ),
            "no module 1"
        );
    }
    assert_eq!(c.request("x0,0").unwrap(), "OK", "binary reads are offered");

    assert!(
        c.monitor("budget")
            .unwrap()
            .contains("     1 of 10000  (max_breakpoints)")
    );
    assert!(c.monitor("limits").unwrap().contains("max_breakpoints"));
    let profile = c.monitor("profile 3").unwrap();
    assert!(
        profile.lines().count() == 4 && profile.contains("instructions"),
        "{profile}"
    );

    assert_eq!(c.request(&format!("z0,{scale:x},1")).unwrap(), "OK");
    let stop = c.resume(false).unwrap();
    assert!(stop.starts_with("W00"), "runs to the end: {stop}");
    let (ending, out) = done.recv().unwrap();
    assert_eq!(ending, Ending::Exited);
    assert!(String::from_utf8_lossy(&out).starts_with("scaled[0] = (1, 2, 3)\n"));
}

#[test]
fn malformed_input_gets_errors_and_the_session_goes_on() {
    let (mut c, done) = start("c-vec-O0", linux());
    // Garbage, a bad checksum, a huge length, an unterminated packet: none ends the session.
    c.send_raw(b"garbage\x00\xffbytes").unwrap();
    c.send_raw(b"$qHostInfo#00").unwrap();
    assert!(matches!(
        c.request("mffffff00,ffffffffffffffff"),
        Err(ClientError::Reply(_))
    ));
    assert!(matches!(c.request("mzz,qq"), Err(ClientError::Reply(1))));
    assert!(matches!(c.request("Z0,zzz,1"), Err(ClientError::Reply(1))));
    c.send_raw(&vec![b'x'; 100_000]).unwrap();
    // The stub still answers.
    let host = c.request("qHostInfo");
    let host = match host {
        Ok(h) => h,
        Err(_) => c.request("qHostInfo").unwrap(),
    };
    assert!(host.contains("triple:7761736d3332;"), "{host}");
    assert_eq!(c.call_stack().unwrap().len(), 1);
    c.send_raw(&gdb_bridge::packet::frame(b"vKill;1")).unwrap();
    let (ending, _) = done.recv().unwrap();
    assert_eq!(ending, Ending::Killed);
}

#[test]
fn capacities_are_refused_with_an_error_and_named_in_the_budget() {
    let mut limits = embedded_minimal(4 * MIB, EmbeddedPlatform::Zephyr, true);
    limits.max_dwarf_section_size = 4 * MIB;
    let capacity = limits.max_breakpoints;
    let (mut c, _done) = start("c-vec-O0", limits);
    let mut refused = None;
    for (i, addr) in instruction_addrs("c-vec-O0")
        .into_iter()
        .take(capacity as usize + 2)
        .enumerate()
    {
        let i = i as u64;
        match c.request(&format!("Z0,{addr:x},1")) {
            Ok(r) => assert_eq!(r, "OK"),
            Err(e) => {
                refused = Some((i, e));
                break;
            }
        }
    }
    let (at, e) = refused.expect("refused past the capacity");
    assert_eq!(at, capacity, "the first one past the capacity is refused");
    assert!(matches!(e, ClientError::Reply(0x1c)), "ENOSPC: {e}");
    let budget = c.monitor("budget").unwrap();
    assert!(
        budget.contains("last refusal: limit `max_breakpoints` reached: 10 allowed on zephyr at debug level profile"),
        "{budget}"
    );
    let w = c.request("Z2,11300,4");
    assert!(
        matches!(w, Err(ClientError::Reply(0x1c))),
        "no watches at level profile: {w:?}"
    );
}

#[test]
fn a_running_program_is_interrupted_by_ctrl_c() {
    let (mut c, _done) = start("rust-demo-O0", linux());
    c.send_raw(&gdb_bridge::packet::frame(b"vCont;c:p1.-1"))
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    c.send_raw(&[0x03]).unwrap();
    let stop = String::from_utf8_lossy(&c.read_packet().unwrap()).into_owned();
    assert!(stop.starts_with("T02"), "SIGINT: {stop}");
    assert!(
        c.call_stack().unwrap().len() > 3,
        "stopped inside the program"
    );
    let stop = c.resume(true).unwrap();
    assert!(stop.starts_with("T05"), "and it steps on: {stop}");
}

#[test]
fn packets_gdbstub_would_take_on_trust_are_checked() {
    let (mut c, done) = start("c-vec-O0", linux());
    let stack = c.call_stack().unwrap();
    // A resume of a thread that does not exist is refused, and nothing ran.
    assert!(matches!(
        c.request("vCont;c:p99.99"),
        Err(ClientError::Reply(3))
    ));
    assert!(matches!(
        c.request("vCont;s:p1.2"),
        Err(ClientError::Reply(3))
    ));
    assert_eq!(c.call_stack().unwrap(), stack, "the program did not move");
    // Writes whose data is not the length they say.
    let before = c.read_memory(0x11300, 4, 4096, true).unwrap();
    assert!(matches!(
        c.request("M11300,4:0102"),
        Err(ClientError::Reply(1))
    ));
    assert!(matches!(
        c.request("X11300,4:ab"),
        Err(ClientError::Reply(1))
    ));
    assert_eq!(
        c.read_memory(0x11300, 4, 4096, true).unwrap(),
        before,
        "nothing written"
    );
    // Watchpoint lengths `watch -l` refuses.
    for len in ["0", "9", "f4240"] {
        let reply = c.request(&format!("Z2,11300,{len}"));
        assert!(
            matches!(reply, Err(ClientError::Reply(0x16))),
            "{len}: {reply:?}"
        );
    }
    assert_eq!(c.request("Z2,11300,4").unwrap(), "OK");
    // Numbers past 64 bits get an error reply, not silence.
    assert!(matches!(
        c.request("m123456789012345678901,4"),
        Err(ClientError::Reply(1))
    ));
    assert!(matches!(
        c.request("x123456789012345678901,4"),
        Err(ClientError::Reply(1))
    ));
    // A binary read with a bad checksum is dropped like any other packet: the next reply is
    // the next request's.
    c.send_raw(b"$x11300,4#00").unwrap();
    assert!(
        c.request("qHostInfo")
            .unwrap()
            .contains("triple:7761736d3332;")
    );
    // A local that does not exist is an empty reply, as gdbstub's Wasm extension has it.
    assert_eq!(c.request("qWasmLocal:0;999").unwrap(), "");
    c.send_raw(&gdb_bridge::packet::frame(b"vKill;1")).unwrap();
    assert_eq!(done.recv().unwrap().0, Ending::Killed);
}

#[test]
fn the_stop_query_after_ctrl_c_says_sigint_and_k_is_answered() {
    let (mut c, done) = start("rust-demo-O0", linux());
    assert!(
        c.request("?").unwrap().starts_with("T05"),
        "stopped at the first instruction"
    );
    c.send_raw(&gdb_bridge::packet::frame(b"vCont;c:p1.-1"))
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    c.send_raw(&[0x03]).unwrap();
    let stop = String::from_utf8_lossy(&c.read_packet().unwrap()).into_owned();
    assert!(stop.starts_with("T02"), "{stop}");
    assert!(
        c.request("?").unwrap().starts_with("T02"),
        "`?` repeats the interrupt"
    );
    assert!(c.resume(true).unwrap().starts_with("T05"));
    assert!(
        c.request("?").unwrap().starts_with("T05"),
        "and forgets it after the step"
    );
    // LLDB's `process kill` sends `k` and waits for an exit status.
    assert_eq!(c.request("k").unwrap(), "X09");
    assert_eq!(done.recv().unwrap().0, Ending::Killed);
}
