//! The bodies of the fuzz targets (`fuzz/fuzz_targets`), here so that the test replaying their
//! committed seeds on stable (`tests/fuzz_corpus.rs`) runs the same code: not an API.

use std::boxed::Box;
use std::cell::RefCell;
use std::io::{Cursor, Read, Write};
use std::rc::Rc;
use std::string::{String, ToString};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::vec;
use std::vec::Vec;

use debugger::target::{Run, Target, Verdict};
use runtime_core::debug::{DebugSession, WatchKind};
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB, PlatformLimits};
use runtime_core::wasi::{self, WasiCtx};
use runtime_core::{Extern, Frame, Linker, Module};

use crate::WasmTarget;
use crate::client::{Client, DEFAULT_TIMEOUT};
use crate::remote::{Remote, handshake};
use crate::serve::serve;
use crate::stub::Ending;

/// Linux limits at full debug with a small interpreter stack: the target allocates all of it up
/// front, every run.
fn limits() -> PlatformLimits {
    let mut limits = linux_production(256 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    limits.max_stack_bytes = 256 * 1024;
    limits
}

/// The `packets` target: serves the module `bytes` (a WASI command) to a client whose bytes are
/// `data`, replies dropped; how the session ended once the server has read all of `data` (or the
/// program ended or was killed first), or why it could not be served.
pub fn packets(bytes: &[u8], data: &[u8]) -> Result<Ending, String> {
    let limits = limits();
    let bytes: Rc<[u8]> = bytes.into();
    let module = Rc::new(Module::new_for_debugging(&bytes).map_err(|e| e.to_string())?);
    let mut store = runtime_core::Store::new(limits.store_config());
    let mut linker = Linker::new();
    let ctx = WasiCtx::with_stdio(
        vec!["fuzz".into()],
        vec![],
        Box::new(std::io::empty()),
        Box::new(std::io::sink()),
        Box::new(std::io::sink()),
    );
    let ctx = Rc::new(RefCell::new(ctx));
    wasi::link(&mut store, &mut linker, &module, ctx).map_err(|e| e.to_string())?;
    let inst = linker
        .instantiate(&mut store, module.clone())
        .map_err(|e| e.to_string())?;
    let Some(Extern::Func(entry)) = store.instance(inst).export("_start") else {
        return Err("no exported function `_start`".into());
    };
    let name = "fuzz.wasm".into();
    let mut target = WasmTarget::new(store, inst, entry, module, bytes, name, &limits)
        .map_err(|e| e.to_string())?;
    serve(&mut target, Cursor::new(data.to_vec()), || {
        Ok(std::io::sink())
    })
}

/// A stub whose replies are fixed bytes; what the client sends it is dropped.
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

/// The `replies` target: the engine's remote target on `module`, its stub's replies `data`,
/// reads frames, values and memory, arms breakpoints, sets a watchpoint, steps, runs to a return
/// and continues, asks `monitor budget` and kills; any reply must become an error or a stop. An
/// input starting with `H` is a stub answering the handshake instead, which may read no more of
/// a module than 1 MiB.
pub fn replies(module: &Rc<Module>, data: &[u8]) {
    if let Some(stub) = data.strip_prefix(b"H") {
        let _ = handshake(Stub(Cursor::new(stub.to_vec())), DEFAULT_TIMEOUT, 1 << 20);
        return;
    }
    let client = Client::new(Stub(Cursor::new(data.to_vec())));
    let Ok(mut remote) = Remote::new(client, module.clone()) else {
        return;
    };
    let Ok(mut debug) = DebugSession::open(&limits()) else {
        return;
    };
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
    let mut test = |_: &Frame, depth: usize| {
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
}
