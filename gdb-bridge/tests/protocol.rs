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
    let process = c.request("qProcessInfo").unwrap();
    assert!(process.starts_with("pid:1;"), "{process}");
    for reply in [&host, &process] {
        assert!(
            reply.split_terminator(';').all(|field| field.contains(':')),
            "every field is KEY:VALUE: {reply}"
        );
    }
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
    assert!(
        matches!(c.request("qWasmLocal:0;999"), Err(ClientError::Reply(2))),
        "a local that does not exist is refused"
    );
    // The caller's operand stack, without the arguments it passed: each value reads, and the
    // slot past them is refused, not made up.
    let operands = c.monitor("operands 1").unwrap();
    let height = operands.split_whitespace().count() - 1;
    for i in 0..height {
        let s = c.request(&format!("qWasmStackValue:1;{i}"));
        assert!(s.is_ok(), "operand {i} of the caller: {s:?} in {operands}");
    }
    assert!(
        matches!(
            c.request(&format!("qWasmStackValue:1;{height}")),
            Err(ClientError::Reply(2))
        ),
        "{operands}"
    );

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
    // A local that does not exist is refused, not an empty (unsupported) reply.
    assert!(matches!(
        c.request("qWasmLocal:0;999"),
        Err(ClientError::Reply(2))
    ));
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

/// Packets a hostile or confused client sends: numbers past 64 bits, register blocks of the
/// wrong size, thread kinds the stub does not take, processes and threads that are not ours,
/// values that do not exist, unknown and unsupported packets. None of them ends, resumes or
/// kills the program.
const HOSTILE: &[&str] = &[
    "Z0,123456789012345678901,1",
    "z0,123456789012345678901,1",
    "Z0,4000000000000000",
    "Z1,4000000000000100,1",
    "Z2,123456789012345678901,4",
    "Z9,0,0",
    "G00",
    "G",
    "Gzz",
    "g00",
    "Hg-1",
    "Hgzz",
    "Hc99",
    "Hm1",
    "H",
    "T2",
    "T-1",
    "Tp99.99",
    "vKill;99",
    "vKill;zz",
    "vKill",
    "D;99",
    "vCont;c:p99.99",
    "vCont;x",
    "vCont;c:zz",
    "vCont?",
    "vAttach;99",
    "vRun;00",
    "vMustReplyEmpty",
    "vFile:open:zz",
    "vFlashErase:0,0",
    "p0",
    "p1",
    "pffffffffffffffffffff",
    "P0=00",
    "Pzz",
    "m4000000000000000,0",
    "m,",
    "mzz",
    "M0,1:",
    "M0,ffffffffffffffffff:00",
    "X0,ffffffffffffffffff:",
    "x,",
    "qWasmCallStack:2",
    "qWasmCallStack:zz",
    "qWasmCallStack",
    "qWasmLocal:0;99999",
    "qWasmLocal:99;0",
    "qWasmLocal:18446744073709551615;0",
    "qWasmLocal:0;18446744073709551616",
    "qWasmLocal:zz",
    "qWasmGlobal:0;99999",
    "qWasmStackValue:0;99999",
    "qWasmStackValue:18446744073709551615;18446744073709551615",
    "qXfer:memory-map:read::zz",
    "qXfer:memory-map:read::ffffffffffffffff,ffff",
    "qXfer:libraries:read::0,0",
    "qXfer:features:read:target.xml:0,ffff",
    "qXfer:auxv:read::0,ffff",
    "qXfer:nothing:read::0,10",
    "qRcmd,zz",
    "qRcmd,",
    "qRcmd,6e6f7375636863",
    "qRegisterInfo1",
    "qRegisterInfozz",
    "qThreadExtraInfo,zz",
    "qAttached:zz",
    "qSupported:zz;;",
    "qC",
    "qOffsets",
    "qTStatus",
    "QTinit",
    "QTDP:zz",
    "bc",
    "bs",
    "!",
    "",
    "zz",
    "\u{1}\u{7f}",
];

/// What a stub answers to `packet`, checking it is one reply (after any console output, `O`)
/// by the probe's reply coming next.
fn one_reply(c: &mut Client<TcpStream>, packet: &str) -> String {
    c.send_raw(&gdb_bridge::packet::frame(packet.as_bytes()))
        .unwrap();
    let reply = loop {
        let reply = c
            .read_packet()
            .unwrap_or_else(|e| panic!("`{packet}` got no reply: {e}"));
        let reply = String::from_utf8_lossy(&reply).into_owned();
        if !reply.starts_with('O') || reply == "OK" {
            break reply;
        }
    };
    let probe = c
        .request("qHostInfo")
        .unwrap_or_else(|e| panic!("after `{packet}`: {e}"));
    assert!(
        probe.contains("triple:7761736d3332;"),
        "`{packet}` got more than one reply: `{reply}`, then `{probe}`"
    );
    reply
}

#[test]
fn every_packet_gets_exactly_one_reply() {
    let (mut c, done) = start("c-vec-O0", linux());
    let stack = c.call_stack().unwrap();
    for packet in HOSTILE {
        let reply = one_reply(&mut c, packet);
        assert!(
            !matches!(reply.bytes().next(), Some(b'T' | b'S' | b'W' | b'X')),
            "`{packet}` resumed or ended the program: `{reply}`"
        );
    }
    assert_eq!(c.call_stack().unwrap(), stack, "the program did not move");
    assert!(
        done.try_recv().is_err(),
        "the session is still up: {:?}",
        done.try_recv()
    );
}

#[test]
fn packets_the_stub_fails_on_are_refused_and_acked_in_either_ack_mode() {
    let (addr, _done) = common::listen("c-vec-O0", linux());
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let mut exchange = |packet: &str| {
        use std::io::{Read, Write};
        s.write_all(&gdb_bridge::packet::frame(packet.as_bytes()))
            .unwrap();
        let mut got = Vec::new();
        let mut b = [0u8; 1];
        while !(got.len() > 3 && got[got.len() - 3] == b'#') {
            s.read_exact(&mut b).unwrap();
            got.push(b[0]);
        }
        String::from_utf8_lossy(&got).into_owned()
    };
    // Acking: the reply comes after the ack, whether the stub could not parse the packet
    // (`mzz`), failed on it while handling it (`G00`) or never took it (`Hg-1`).
    for packet in ["mzz", "G00", "Hg-1", "Z0,123456789012345678901,1"] {
        assert_eq!(exchange(packet), "+$E01#a6", "{packet}");
    }
    assert_eq!(exchange("QStartNoAckMode"), "+$OK#9a");
    // No acks, also from the fresh stub that follows a failed packet.
    for packet in ["G00", "qHostInfo", "Hg-1", "vKill;99"] {
        let reply = exchange(packet);
        assert!(reply.starts_with('$'), "{packet}: {reply}");
    }
}

#[test]
fn a_kill_or_detach_of_another_process_is_refused_and_ours_is_answered() {
    let (mut c, done) = start("c-vec-O0", linux());
    assert!(matches!(c.request("vKill;99"), Err(ClientError::Reply(3))));
    assert!(matches!(c.request("D;99"), Err(ClientError::Reply(3))));
    assert_eq!(c.call_stack().unwrap().len(), 1, "still there");
    assert_eq!(c.request("vKill;1").unwrap(), "OK");
    assert_eq!(done.recv().unwrap().0, Ending::Killed);

    // Refused while the program runs too (answered before it runs, or once the client's Ctrl-C
    // has stopped it), and it runs on until that Ctrl-C.
    let (mut c, done) = start("rust-demo-O0", linux());
    let mut both = gdb_bridge::packet::frame(b"vCont;c:p1.-1");
    both.extend(gdb_bridge::packet::frame(b"vKill;99"));
    c.send_raw(&both).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    c.send_raw(&[0x03]).unwrap();
    let mut next = || String::from_utf8_lossy(&c.read_packet().unwrap()).into_owned();
    assert_eq!(next(), "E03");
    let stop = next();
    assert!(stop.starts_with("T02"), "{stop}");
    assert!(done.try_recv().is_err(), "not killed");
}

#[test]
fn values_that_do_not_exist_are_refused_not_made_up() {
    let (mut c, _done) = start("c-vec-O0", linux());
    let scale = code_addr("scale", "c-vec-O0");
    assert_eq!(c.request(&format!("Z0,{scale:x},1")).unwrap(), "OK");
    assert!(c.resume(false).unwrap().starts_with("T05"));
    let depth = c.call_stack().unwrap().len();
    let no_value = |c: &mut Client<TcpStream>, q: &str| {
        let r = c.request(q);
        assert!(matches!(r, Err(ClientError::Reply(2))), "{q}: {r:?}");
    };
    // Past the innermost frame's operand stack, as far as its function's code never reaches.
    no_value(&mut c, "qWasmStackValue:0;99999");
    no_value(&mut c, "qWasmStackValue:0;1000");
    no_value(&mut c, &format!("qWasmStackValue:{depth};0"));
    no_value(&mut c, "qWasmLocal:0;99999");
    no_value(&mut c, &format!("qWasmLocal:{depth};0"));
    no_value(&mut c, "qWasmGlobal:0;99999");
    assert!(c.wasm_value("qWasmLocal:0;2").unwrap().is_some(), "k is");
    assert!(matches!(
        c.request("qWasmCallStack:2"),
        Err(ClientError::Reply(3))
    ));
    // Memory past the end is an error, not zeros.
    assert!(matches!(
        c.read_memory(0x7fff_fff0, 16, 4096, false),
        Err(ClientError::Reply(_))
    ));
}

#[test]
fn a_packet_as_long_as_the_buffer_is_answered_and_a_longer_one_dropped() {
    let (mut c, _done) = start("c-vec-O0", linux());
    let size = linux().max_debug_packet as usize;
    // `$`, the body and `#xx`: the stub's buffer holds the whole packet.
    let read = |zeros: usize| format!("m{},1", "0".repeat(zeros));
    let fits = read(size - 4 - 3);
    assert_eq!(gdb_bridge::packet::frame(fits.as_bytes()).len(), size);
    assert_eq!(one_reply(&mut c, &fits).len(), 2, "one byte, in hex");
    c.send_raw(&gdb_bridge::packet::frame(read(size - 4 - 2).as_bytes()))
        .unwrap();
    assert!(
        c.request("qHostInfo")
            .unwrap()
            .contains("triple:7761736d3332;"),
        "the longer one was dropped, and the session goes on"
    );
}
