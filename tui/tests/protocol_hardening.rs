//! The remote protocol against a hostile or unusual peer: `attach` checks every value a stub
//! sends (call-stack PCs outside the module are named protocol errors and the session goes on),
//! reads stop replies and memory maps in parts as gdb and LLDB do; `serve` stops a running
//! program whose client went away and answers the next one, refuses kills of processes that are
//! not its own, and ends a killed program with a status that is not success.

mod common;

use std::net::TcpStream;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{call_stack, memory_map, root, serve, serve_module, serving, stub};
use gdb_bridge::client::{Client, ClientError};
use runtime_core::Module;

/// LLDB's code space: module 0 at offset 0.
const CODE: u64 = 0x4000_0000_0000_0000;

fn module_bytes() -> Vec<u8> {
    std::fs::read(root().join("tests/fixtures/wasm/c-vec-O0.wasm")).unwrap()
}

/// The code address of the first instruction of the module's first function body.
fn entry_pc(bytes: &[u8]) -> u64 {
    let module = Module::new_for_debugging(bytes).unwrap();
    let body = module.body(module.num_imported_funcs()).unwrap();
    CODE | u64::from(body.offsets[0])
}

/// `wrt-dbg attach --batch` with `--ex` for each of `commands` on the stub at `addr`.
fn attach(addr: &str, commands: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"));
    cmd.args(["attach", "--batch", "--timeout", "5"]);
    for c in commands {
        cmd.args(["--ex", c]);
    }
    cmd.arg(format!("tcp:{addr}")).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A stub serving c-vec-O0: its call stack is `stack()`, every resume stops with `stop()`, a
/// breakpoint is taken and the address of the last one set is passed to both; values read 1.
fn program_stub(
    stack: impl Fn(u64) -> Vec<u8> + Send + 'static,
    stop: impl Fn(u64) -> Vec<Vec<u8>> + Send + 'static,
) -> String {
    let bytes = module_bytes();
    let mut breakpoint = 0;
    stub(move |body| {
        if let Some(reply) = serving(&bytes, body) {
            return vec![reply];
        }
        if let Some(at) = body.strip_prefix("Z0,") {
            let at = at.split(',').next().unwrap_or_default();
            breakpoint = u64::from_str_radix(at, 16).unwrap_or(0);
        }
        match body {
            b if b.starts_with("qWasmCallStack") => vec![stack(breakpoint)],
            b if b.starts_with("vCont") => stop(breakpoint),
            b if b.starts_with(['Z', 'z']) => vec![b"OK".to_vec()],
            b if b.starts_with("qWasm") => vec![b"01000000".to_vec()],
            _ => vec![Vec::new()],
        }
    })
}

#[test]
fn a_call_stack_outside_the_module_is_a_named_protocol_error_and_the_session_goes_on() {
    // At the handshake: nothing to debug there, and said so.
    let addr = program_stub(|_| call_stack(&[u64::MAX]), |_| vec![b"W00".to_vec()]);
    let out = attach(&addr, &["info frame"]);
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains(
            "the stub's call stack puts frame 0 at 0xffffffffffffffff, outside the module's code"
        ),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(2), "{stderr}");

    // After a stop: that command fails naming it, and the next ones are served.
    let entry = entry_pc(&module_bytes());
    let stopped = Arc::new(Mutex::new(false));
    let seen = stopped.clone();
    let addr = program_stub(
        move |_| match *seen.lock().unwrap() {
            false => call_stack(&[entry]),
            true => call_stack(&[entry, CODE | 0xffff_ffff]),
        },
        move |_| {
            *stopped.lock().unwrap() = true;
            vec![b"T05thread:01;".to_vec()]
        },
    );
    let out = attach(&addr, &["continue", "break scale", "info breakpoints"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stdout.contains("engine"), "{stdout}");
    assert!(
        stdout.contains(
            "the stub's call stack puts frame 1 at 0x40000000ffffffff, outside the module's code"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("Breakpoint 1 at "), "{stdout}");
    assert!(stdout.contains("in scale at vec.c:"), "{stdout}");
}

#[test]
fn every_stop_reply_form_at_a_breakpoint_is_that_breakpoint() {
    let entry = entry_pc(&module_bytes());
    for reply in [
        "S05",
        "T05",
        "T05thread:02;",
        "T0500:0000000000000040;thread:p01.01;core:0;",
        "T05reason:breakpoint;",
        "T05thread:01;unknown:thing;;library:;",
    ] {
        // Read as anything but that breakpoint, the `continue` would go on to the exit.
        let resumed = Mutex::new(false);
        let addr = program_stub(
            move |at| match at {
                0 => call_stack(&[entry]),
                at => call_stack(&[at, entry]),
            },
            move |_| match std::mem::replace(&mut *resumed.lock().unwrap(), true) {
                false => vec![reply.as_bytes().to_vec()],
                true => vec![b"W00".to_vec()],
            },
        );
        let out = attach(&addr, &["break scale", "continue"]);
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains("\nBreakpoint 1, scale ("),
            "{reply}: {stdout}"
        );
        assert!(!stdout.contains("exited"), "{reply}: {stdout}");
    }
    // The exit forms, with what may follow them, after console output.
    for (reply, says) in [
        ("W00;process:1", "[Inferior 1 (process 1) exited normally]"),
        // gdb's exit codes are octal: 42 and 137 (128 + SIGKILL).
        ("W2a", "[Inferior 1 (process 1) exited with code 52]"),
        (
            "X09;process:1",
            "[Inferior 1 (process 1) exited with code 211]",
        ),
    ] {
        let addr = program_stub(
            move |_| call_stack(&[entry]),
            move |_| vec![b"O6869210a".to_vec(), reply.as_bytes().to_vec()],
        );
        let out = attach(&addr, &["continue"]);
        let stdout = text(&out.stdout);
        assert!(stdout.contains(says), "{reply}: {stdout}");
    }
}

/// A stub answering the memory map in parts of `part` bytes from the offset asked for, each but
/// the last `m`, as a stub with a small packet buffer does; or, `endless`, never a last one.
fn parted_map_stub(part: usize, endless: bool) -> String {
    let bytes = module_bytes();
    let entry = entry_pc(&bytes);
    let map = memory_map(bytes.len(), 0x1_0000)[1..].to_string();
    stub(move |body| {
        if let Some(range) = body.strip_prefix("qXfer:memory-map:read::") {
            let offset = range.split(',').next().unwrap_or_default();
            let offset = usize::from_str_radix(offset, 16).unwrap();
            if endless {
                return vec![[&b"m"[..], &[b' '; 60_000]].concat()];
            }
            let rest = map.get(offset..).unwrap_or_default();
            let (kind, n) = if rest.len() > part {
                ("m", part)
            } else {
                ("l", rest.len())
            };
            return vec![format!("{kind}{}", &rest[..n]).into_bytes()];
        }
        if let Some(reply) = serving(&bytes, body) {
            return vec![reply];
        }
        if body.starts_with("qWasmCallStack") {
            return vec![call_stack(&[entry])];
        }
        vec![Vec::new()]
    })
}

#[test]
fn a_memory_map_sent_in_parts_is_read_to_the_end_and_an_endless_one_is_refused() {
    let out = attach(&parted_map_stub(40, false), &["info frame"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        stdout.contains("Stack level 0, code offset"),
        "{stdout}{stderr}"
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");

    let out = attach(&parted_map_stub(0, true), &["info frame"]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("qXfer:memory-map: the object runs past 1048576 bytes (MAX_XFER)"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(2), "{stderr}");
}

/// A client of a `wrt-dbg serve` at `addr`, acks off, replies within `timeout`.
fn client(addr: &str, timeout: Duration) -> Client<TcpStream> {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let mut c = Client::new(stream);
    c.set_timeout(timeout);
    c.no_ack().unwrap();
    c
}

#[test]
fn a_client_gone_during_continue_leaves_the_program_stopped_for_the_next() {
    let forever = wat::parse_str(r#"(module (func (export "_start") (loop $l (br $l))))"#).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("forever.wasm");
    std::fs::write(&module, forever).unwrap();
    let server = serve_module(&module, &["--listen", "0"]);
    let addr = server.address().to_string();

    let mut first = client(&addr, Duration::from_secs(5));
    first
        .send_raw(&gdb_bridge::packet::frame(b"vCont;c:p1.-1"))
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    drop(first);

    // The next client is answered at once, the program stopped where it was.
    let mut next = client(&addr, Duration::from_secs(5));
    let stop = next.request("?").unwrap();
    assert!(stop.starts_with('T'), "{stop}");
    assert_eq!(next.call_stack().unwrap().len(), 1);
    // It runs on for this client, and its Ctrl-C stops it.
    next.send_raw(&gdb_bridge::packet::frame(b"vCont;c:p1.-1"))
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    next.send_raw(&[0x03]).unwrap();
    let stop = String::from_utf8_lossy(&next.read_packet().unwrap()).into_owned();
    assert!(stop.starts_with("T02"), "{stop}");
    assert_eq!(next.request("k").unwrap(), "X09");
    let (_, status) = server.finish();
    assert_eq!(status, Some(137), "killed");
}

#[test]
fn a_kill_of_another_process_is_refused_and_a_killed_program_is_no_success() {
    for kill in ["k", "vKill;1"] {
        let server = serve("c-vec-O0", &["--listen", "0", "--once"]);
        let mut c = client(server.address(), Duration::from_secs(5));
        assert!(matches!(c.request("vKill;99"), Err(ClientError::Reply(3))));
        assert!(matches!(c.request("D;99"), Err(ClientError::Reply(3))));
        assert_eq!(c.call_stack().unwrap().len(), 1, "still there");
        let answer = c.request(kill).unwrap();
        assert_eq!(answer, if kill == "k" { "X09" } else { "OK" });
        let (program, status) = server.finish();
        assert_eq!(program, "", "killed before it printed");
        assert_eq!(status, Some(137), "{kill}");
    }
}
