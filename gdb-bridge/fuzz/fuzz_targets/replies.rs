//! The client side: any bytes from a stub (replies, garbage, bad checksums, odd stop packets,
//! call stacks pointing nowhere) must become errors or stops, never a panic, as the engine's
//! target reads frames, values and memory, arms breakpoints and resumes; and the handshake reads
//! no more of a module than the limit allows.
#![no_main]

use std::io::{Cursor, Read, Write};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use debugger::target::{Run, Target, Verdict};
use gdb_bridge::client::Client;
use gdb_bridge::remote::Remote;
use libfuzzer_sys::fuzz_target;
use runtime_core::Module;
use runtime_core::debug::{DebugSession, WatchKind};
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB};

const FIXTURE: &[u8] = include_bytes!("../../../tests/fixtures/wasm/c-vec-O2.wasm");

/// The stub: its replies are the fuzz input; what the client sends is dropped.
struct Stub(Cursor<Vec<u8>>);

impl Read for Stub {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for Stub {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

thread_local! {
    /// The fixture, parsed once: the fuzzed part is the stub, not the module.
    static MODULE: Rc<Module> = Rc::new(Module::new_for_debugging(FIXTURE).expect("fixture"));
}

fuzz_target!(|data: &[u8]| {
    // Inputs starting with `H` are a stub answering the handshake: whatever it announces, the
    // client reads no more than the limit allows.
    if let Some(stub) = data.strip_prefix(b"H") {
        let stub = Stub(Cursor::new(stub.to_vec()));
        let _ = gdb_bridge::remote::handshake(stub, gdb_bridge::client::DEFAULT_TIMEOUT, 1 << 20);
        return;
    }
    let mut limits = linux_production(256 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    limits.max_stack_bytes = 256 * 1024;
    let module = MODULE.with(Rc::clone);
    let client = Client::new(Stub(Cursor::new(data.to_vec())));
    let Ok(mut remote) = Remote::new(client, module) else { return };
    let mut debug = DebugSession::open(&limits).expect("tables");
    let depth = remote.frames().len();
    for frame in 0..depth.min(3) {
        let _ = remote.local(frame, 0);
        let _ = remote.stack(frame, 1);
    }
    let _ = remote.global(0);
    let _ = remote.operands(0);
    let _ = remote.ping();
    let _ = remote.memory(1024, 64);
    let _ = remote.arm(&mut debug, (5, 0));
    let _ = remote.watch(0x1000, 4, WatchKind::Write, true);
    let interrupt = AtomicBool::new(false);
    let executed = AtomicU64::new(0);
    let mut steps = 0;
    let mut test = |_: &runtime_core::Frame, depth: usize| {
        steps += 1;
        match steps {
            1 => Verdict::Return(depth.saturating_sub(1)),
            2..=4 => Verdict::Go,
            _ => Verdict::Stop,
        }
    };
    for test in [Some(&mut test as _), None] {
        let run = Run {
            test,
            watches: &[(0x1000, 4, WatchKind::Write)],
            profile: None,
            interruptible: true,
            interrupt: &interrupt,
            executed: &executed,
        };
        if remote.resume(&mut debug, run).is_err() {
            break;
        }
    }
    let _ = remote.monitor("budget");
    remote.kill();
});
