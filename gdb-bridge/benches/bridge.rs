//! The bridge under an in-process client over loopback TCP: single steps per second, and reading
//! 64 KiB in hex `m` and binary `x` packets. For a serial line, the share of the line rate a read
//! gets is its payload over the bytes on the wire (a pty does not pace bytes at its baud rate, so
//! the share is computed from the bytes each packet kind puts on the wire). Then the debugger
//! engine's `stepi`, local and attached to the bridge, side by side.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use debugger::step::Resume;
use debugger::{Program, Session, SharedOutput};
use gdb_bridge::WasmTarget;
use gdb_bridge::client::Client;
use gdb_bridge::remote;
use gdb_bridge::serve::serve;
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB};
use runtime_core::wasi::{self, WasiCtx};
use runtime_core::{Extern, Linker, Module};

const READ: usize = 64 * 1024;
const STEPS: u32 = 1000;

/// A stream that counts the bytes read from it.
struct Counted(TcpStream, Arc<AtomicU64>);

impl Read for Counted {
    fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(b)?;
        self.1.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Write for Counted {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.write(b)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

fn server(name: &'static str) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let path = format!(
            "{}/../tests/fixtures/wasm/{name}.wasm",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes: Rc<[u8]> = std::fs::read(path).unwrap().into();
        let limits = linux_production(512 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
        let module = Rc::new(Module::new_for_debugging(&bytes).unwrap());
        let mut store = runtime_core::Store::new(limits.store_config());
        let mut linker = Linker::new();
        let ctx = WasiCtx::with_stdio(
            vec![name.into()],
            vec![],
            Box::new(std::io::empty()),
            Box::new(std::io::sink()),
            Box::new(std::io::sink()),
        );
        wasi::link(&mut store, &mut linker, &module, Rc::new(RefCell::new(ctx))).unwrap();
        let inst = linker.instantiate(&mut store, module.clone()).unwrap();
        let Some(Extern::Func(entry)) = store.instance(inst).export("_start") else {
            panic!()
        };
        let mut target =
            WasmTarget::new(store, inst, entry, module, bytes, name.into(), &limits).unwrap();
        let (stream, _) = listener.accept().unwrap();
        let _ = serve(&mut target, stream.try_clone().unwrap(), || {
            stream.try_clone()
        });
    });
    addr
}

fn bridge(c: &mut Criterion) {
    let addr = server("rust-demo-O0");
    let received = Arc::new(AtomicU64::new(0));
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut client = Client::new(Counted(stream, received.clone()));
    client.no_ack().unwrap();
    let mut g = c.benchmark_group("bridge");
    g.bench_function("1000 single steps", |b| {
        b.iter(|| {
            for _ in 0..STEPS {
                client.resume(true).unwrap();
            }
        })
    });
    let code = 0x4000_0000_0000_0000;
    for (name, binary) in [("read 64 KiB (m)", false), ("read 64 KiB (x)", true)] {
        g.bench_function(name, |b| {
            b.iter(|| client.read_memory(code, READ, 16 * 1024, binary).unwrap())
        });
    }
    g.finish();

    // Figures: steps per second, read throughput, and bytes on the wire per payload byte.
    let start = Instant::now();
    for _ in 0..STEPS {
        client.resume(true).unwrap();
    }
    let steps = f64::from(STEPS) / start.elapsed().as_secs_f64();
    println!("\nsingle steps: {steps:.0}/s");
    for (name, binary) in [("m", false), ("x", true)] {
        received.store(0, Ordering::Relaxed);
        let start = Instant::now();
        let got = client.read_memory(code, READ, 16 * 1024, binary).unwrap();
        let took = start.elapsed();
        let wire = received.load(Ordering::Relaxed) as f64;
        let mib = got.len() as f64 / (1024.0 * 1024.0) / took.as_secs_f64().max(1e-9);
        let share = got.len() as f64 / wire * 100.0;
        let line = 115_200.0 / 10.0;
        println!(
            "read 64 KiB in `{name}` packets: {mib:.1} MiB/s over TCP; {wire:.0} bytes on the wire, \
             {share:.1}% of a 115200-baud 8N1 line's rate ({:.1} s there)",
            wire / line
        );
    }
}

/// The debugger engine stepping one instruction at a time, on a local session and on one attached
/// to the bridge over loopback TCP (each remote step is a step packet and a call-stack query).
fn engine(c: &mut Criterion) {
    let name = "rust-demo-O0";
    let path = format!(
        "{}/../tests/fixtures/wasm/{name}.wasm",
        env!("CARGO_MANIFEST_DIR")
    );
    let limits = linux_production(512 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    let program = Program {
        args: vec![name.into()],
        output: Some(SharedOutput(Rc::new(RefCell::new(std::io::sink())))),
        ..Program::default()
    };
    let mut local = Session::open(std::fs::read(path).unwrap(), &limits, program).unwrap();
    local.start().unwrap();
    let stream = TcpStream::connect(server(name)).unwrap();
    stream.set_nodelay(true).unwrap();
    let (client, bytes) =
        remote::handshake(stream, gdb_bridge::client::DEFAULT_TIMEOUT, u64::MAX).unwrap();
    let mut attached = Session::attach(bytes, &limits, |m| remote::boxed(client, m)).unwrap();
    let stepi = |s: &mut Session| {
        let start = Instant::now();
        for _ in 0..STEPS {
            s.resume(Resume::StepInstr).unwrap();
        }
        start.elapsed()
    };
    let mut g = c.benchmark_group("engine");
    g.bench_function("1000 stepi, local", |b| b.iter(|| stepi(&mut local)));
    g.bench_function("1000 stepi, attached over TCP", |b| {
        b.iter(|| stepi(&mut attached))
    });
    g.finish();
    let (here, there) = (stepi(&mut local), stepi(&mut attached));
    println!(
        "\nengine stepi: {:.0}/s local, {:.0}/s attached over TCP ({:.1}x the time)",
        f64::from(STEPS) / here.as_secs_f64(),
        f64::from(STEPS) / there.as_secs_f64(),
        there.as_secs_f64() / here.as_secs_f64()
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = bridge, engine
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
