//! The debugger engine on a served program through the RSP client (`gdb_bridge::remote`): what
//! the batch comparison in `tui/tests/attach.rs` does not reach — interrupting a running remote
//! program, a stub's full breakpoint table, and memory reads past the end.

mod common;

use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::time::Duration;

use debugger::step::{Resume, Stop};
use debugger::{Error, Program, Session};
use gdb_bridge::remote;
use runtime_core::limits::preset::embedded_minimal;
use runtime_core::limits::{EmbeddedPlatform, MIB, PlatformLimits};

use common::{fixture, linux, listen};

/// A session attached to fixture `name` served under `limits`; the engine runs under Linux limits.
fn attach(name: &'static str, limits: PlatformLimits) -> Session {
    attach_on(name, limits).0
}

/// [`attach`], with a handle on the connection.
fn attach_on(name: &'static str, limits: PlatformLimits) -> (Session, TcpStream) {
    let (addr, _done) = listen(name, limits);
    let stream = TcpStream::connect(addr).unwrap();
    let handle = stream.try_clone().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let (client, bytes) =
        remote::handshake(stream, gdb_bridge::client::DEFAULT_TIMEOUT, u64::MAX).unwrap();
    assert_eq!(
        bytes,
        fixture(name),
        "the module, read through the code space"
    );
    let session = Session::attach(bytes, &linux(), |m| remote::boxed(client, m)).unwrap();
    (session, handle)
}

#[test]
fn a_dropped_link_is_a_target_io_error_not_a_missing_variable() {
    let (mut s, link) = attach_on("c-vec-O0", linux());
    s.set_breakpoint("scale", None, false).unwrap();
    assert!(matches!(
        s.resume(Resume::Continue).unwrap(),
        Stop::Breakpoint { .. }
    ));
    assert!(s.evaluate("k").is_ok(), "a parameter in a Wasm local reads");
    link.shutdown(std::net::Shutdown::Both).unwrap();
    let err = s.evaluate("k").unwrap_err();
    assert!(matches!(err, Error::TargetIo { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("target I/O: connection: "),
        "{err}"
    );
    // Looking a name up reads the frame's variables: with the link down it is not "No symbol".
    let missing = s.evaluate("nosuch").unwrap_err();
    assert!(matches!(missing, Error::TargetIo { .. }), "{missing:?}");
}

#[test]
fn a_running_program_is_attached_to_whatever_limits_this_end_has() {
    let (addr, _done) = listen("c-vec-O0", linux());
    let stream = TcpStream::connect(addr).unwrap();
    let (client, bytes) =
        remote::handshake(stream, gdb_bridge::client::DEFAULT_TIMEOUT, u64::MAX).unwrap();
    let mut tight = linux();
    tight.max_functions = 1;
    // Here, the module would not be admitted to run...
    let refused = Session::open(bytes.clone(), &tight, Program::default()).err();
    assert!(
        refused.is_some_and(|e| e.to_string().contains("max_functions")),
        "a module with more than one function opened under max_functions = 1"
    );
    // ...but it runs there already: these limits only measure it.
    let mut s = Session::attach(bytes, &tight, |m| remote::boxed(client, m)).unwrap();
    s.set_breakpoint("scale", None, false).unwrap();
    assert!(matches!(
        s.resume(Resume::Continue).unwrap(),
        Stop::Breakpoint { .. }
    ));
    assert!(s.budget().memory.iter().any(|p| p.bytes > 0));
}

#[test]
fn ctrl_c_interrupts_a_remote_continue() {
    // c-spin without arguments loops for minutes: the interrupt comes while it runs.
    let mut s = attach("c-spin-O0", linux());
    let flag = s.interrupter();
    s.interrupt_with(flag.clone());
    let ctrl_c = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        flag.store(true, Ordering::Relaxed);
    });
    let stop = s.resume(Resume::Continue).unwrap();
    ctrl_c.join().unwrap();
    assert_eq!(stop, Stop::Interrupted);
    assert!(s.frames().unwrap().len() > 3, "stopped inside the program");
    assert_eq!(
        s.resume(Resume::StepInstr).unwrap(),
        Stop::Step,
        "and it goes on"
    );
}

#[test]
fn the_stubs_full_breakpoint_table_is_a_named_refusal() {
    let mut limits = embedded_minimal(4 * MIB, EmbeddedPlatform::Zephyr, true);
    limits.max_dwarf_section_size = 4 * MIB;
    let capacity = limits.max_breakpoints;
    let mut s = attach("c-vec-O0", limits);
    let lines = 20..(21 + capacity as u32 * 4);
    let mut refused = None;
    let mut set = 0;
    for line in lines {
        match s.set_breakpoint(&format!("vec.c:{line}"), None, false) {
            Ok(_) => set += 1,
            Err(Error::NoLocation(_)) => {}
            Err(e) => {
                refused = Some(e.to_string());
                break;
            }
        }
    }
    let refused = refused.expect("the stub's table fills up");
    assert!(
        refused.contains("max_breakpoints") && refused.contains(&format!("{capacity} allowed")),
        "{refused}"
    );
    assert!(set >= 1, "breakpoints before the table was full were set");
    assert_eq!(
        s.points().breakpoints().len(),
        set,
        "the refused one is not kept"
    );
    let Stop::Breakpoint { number, .. } = s.resume(Resume::Continue).unwrap() else {
        panic!("the armed breakpoints still stop the program")
    };
    assert!(number >= 1);
}

#[test]
fn memory_past_the_end_is_an_error_naming_its_size() {
    let mut remote = attach("c-vec-O0", linux());
    let mut local = Session::open(fixture("c-vec-O0"), &linux(), Program::default()).unwrap();
    local.start().unwrap();
    for (addr, len) in [(0xffff_fff0, 64), (u64::MAX - 4, 8), (1 << 40, 1)] {
        let (r, l) = (
            remote.read_memory(addr, len).unwrap_err().to_string(),
            local.read_memory(addr, len).unwrap_err().to_string(),
        );
        assert_eq!(r, l, "{addr:#x}+{len}");
        assert!(r.contains("memory is "), "{r}");
    }
    assert_eq!(
        remote.read_memory(1024, 256).unwrap(),
        local.read_memory(1024, 256).unwrap(),
        "the same bytes before the program runs"
    );
    remote.kill();
}
