//! What the bridge's tests share: the fixtures, a server thread and the limits they run under.
#![allow(dead_code)]

use std::cell::RefCell;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::mpsc;

use std::net::TcpStream;
use std::time::Duration;

use debugger::engine::Engine;
use debugger::{Program, Session};
use gdb_bridge::WasmTarget;
use gdb_bridge::remote;
use gdb_bridge::serve::serve;
use gdb_bridge::stub::Ending;
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB, PlatformLimits};
use runtime_core::wasi::{self, WasiCtx};
use runtime_core::{Extern, Linker};

/// A committed fixture's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../tests/fixtures/wasm/{name}.wasm"));
    std::fs::read(path).unwrap()
}

/// Linux limits at full debug.
pub fn linux() -> PlatformLimits {
    linux_production(512 * MIB, AsilLevel::QM, DebugLevel::FullDebug)
}

/// Serves fixture `name` under `limits` to one client on a thread: the address to connect to,
/// and how the session ended with what the program printed.
pub fn listen(
    name: &'static str,
    limits: PlatformLimits,
) -> (SocketAddr, mpsc::Receiver<(Ending, Vec<u8>)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let bytes: Rc<[u8]> = fixture(name).into();
        // The module as `serve` translates it; the tables under test are the stub's, not admission.
        let unbounded = PlatformLimits::unbounded();
        let module = debugger::translate::translate(&bytes, &unbounded)
            .unwrap()
            .module;
        let module = Rc::new(module);
        let mut store = runtime_core::Store::new(limits.store_config());
        let mut linker = Linker::new();
        let out = Rc::new(RefCell::new(Vec::new()));
        let ctx = WasiCtx::with_stdio(
            vec![name.into()],
            vec![],
            Box::new(std::io::empty()),
            Box::new(Shared(out.clone())),
            Box::new(Shared(out.clone())),
        );
        wasi::link(&mut store, &mut linker, &module, Rc::new(RefCell::new(ctx))).unwrap();
        let inst = linker.instantiate(&mut store, module.clone()).unwrap();
        let Some(Extern::Func(entry)) = store.instance(inst).export("_start") else {
            panic!()
        };
        let mut target = WasmTarget::new(
            store,
            inst,
            entry,
            module,
            bytes,
            format!("{name}.wasm"),
            &limits,
        )
        .unwrap();
        let (stream, _) = listener.accept().unwrap();
        let ending = serve(&mut target, stream.try_clone().unwrap(), || {
            stream.try_clone()
        })
        .unwrap();
        let _ = tx.send((ending, out.borrow().clone()));
    });
    (addr, rx)
}

/// A writer the test keeps a handle on.
pub struct Shared(pub Rc<RefCell<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An engine on fixture `name` run here with `args`.
pub fn local(name: &str, args: &[&str]) -> Engine {
    let bytes = fixture(name);
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    Engine::spawn(move || {
        let program = Program {
            args,
            ..Program::default()
        };
        Session::open(bytes, &linux(), program)
    })
    .unwrap()
}

/// An engine attached over TCP to fixture `name`, served on a thread.
pub fn attached(name: &'static str) -> Engine {
    let (addr, _done) = listen(name, linux());
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(10)))
        .unwrap();
    let (client, bytes) =
        remote::handshake(stream, gdb_bridge::client::DEFAULT_TIMEOUT, u64::MAX).unwrap();
    Engine::spawn(move || Session::attach(bytes, &linux(), |m| remote::boxed(client, m))).unwrap()
}
