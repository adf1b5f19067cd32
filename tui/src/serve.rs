//! `wrt-dbg serve`: run a WASI program as a GDB remote target (LLDB's Wasm extensions) on TCP or a
//! serial line, stopped at its first instruction until a client connects.

use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};

use gdb_bridge::WasmTarget;
use gdb_bridge::serve::serve;
use gdb_bridge::stub::Ending;
use gdb_bridge::target::Exec;
use runtime_core::debug::profile::Clock;
use runtime_core::wasi::WasiCtx;
use runtime_core::{Extern, Trap};

use crate::exit::{self, EXIT_KILLED, EXIT_TRAP};
use crate::program::ProgramArgs;
use crate::run::{Instantiation, Program};

/// Arguments of `wrt-dbg serve`.
#[derive(clap::Args)]
#[command(mut_arg("module", |a| a.help("The module to serve")))]
pub struct ServeArgs {
    /// Listen on this TCP address; `PORT` alone means 127.0.0.1:PORT, port 0 picks a free one.
    #[arg(long, value_name = "[ADDR:]PORT", default_value = "1234")]
    listen: String,
    /// Serve on a serial line instead, 8N1 at BAUD (default 115200).
    #[arg(long, value_name = "PATH[@BAUD]")]
    serial: Option<String>,
    /// Exit when the first client disconnects instead of waiting for the next.
    #[arg(long)]
    once: bool,
    #[command(flatten)]
    program: ProgramArgs,
}

/// Serves until the program ends (its exit status, 134 after a trap), is killed (137, as a
/// program killed by SIGKILL), or, with `--once`, the client leaves (0); 2 when the module or the
/// configuration is unusable.
pub fn main(args: ServeArgs) -> ExitCode {
    exit::code(run(&args))
}

fn run(args: &ServeArgs) -> Result<u8, String> {
    let path = &args.program.module;
    let limits = args.program.limits.resolve_for_debugging()?.limits;
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let bytes: Rc<[u8]> = crate::module::read(path, &limits)?.into();
    let admitted = debugger::translate::translate(&bytes, &limits).map_err(|e| at(&e))?;
    let module = Rc::new(admitted.module);
    let name = args.program.name_or("module.wasm");
    let program = Program::new(args.program.argv(name.clone()), &args.program.wasi);
    let (store, inst, wasi) = match program.instantiate(&module, &limits, WasiCtx::new) {
        Ok(x) => x,
        Err(Instantiation::Trap(t, _)) => return Err(at(&t)),
        Err(Instantiation::Failed(e)) => return Err(at(&e)),
    };
    let Some(Extern::Func(entry)) = store.instance(inst).export("_start") else {
        return Err(at(&"no exported function `_start`"));
    };
    let mut target =
        WasmTarget::new(store, inst, entry, module, bytes, name, &limits).map_err(|e| at(&e))?;
    target.clock = Some(wall_clock);
    let ending = match &args.serial {
        Some(spec) => serve_serial(&mut target, spec)?,
        None => serve_tcp(&mut target, &args.listen, args.once)?,
    };
    wasi.borrow_mut().flush();
    // A program that trapped has ended there, killed or not.
    Ok(match (ending, &target.exec) {
        (_, Exec::Exited(code)) => *code as u8,
        (_, Exec::Trapped(Trap::Exit(code))) => *code as u8,
        (_, Exec::Trapped(_)) => EXIT_TRAP,
        (Ending::Killed, _) => EXIT_KILLED,
        _ => 0,
    })
}

/// A wall clock for a served profile: a time sample every millisecond, in nanoseconds.
fn wall_clock() -> Clock {
    let mut last = Instant::now();
    Box::new(move || {
        let elapsed = last.elapsed();
        (elapsed >= Duration::from_millis(1)).then(|| {
            last = Instant::now();
            elapsed.as_nanos() as u64
        })
    })
}

/// `1234` is 127.0.0.1:1234; anything with a colon is taken as written.
fn listen_addr(spec: &str) -> String {
    if spec.contains(':') {
        spec.to_string()
    } else {
        format!("127.0.0.1:{spec}")
    }
}

fn serve_tcp(target: &mut WasmTarget, spec: &str, once: bool) -> Result<Ending, String> {
    let addr = listen_addr(spec);
    let listener =
        std::net::TcpListener::bind(&addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!("wrt-dbg: listening on {local}; in LLDB:");
    eprintln!("    process connect --plugin wasm connect://{local}");
    loop {
        let (stream, peer) = listener
            .accept()
            .map_err(|e| format!("accept on {local}: {e}"))?;
        eprintln!("wrt-dbg: client {peer} connected");
        let _ = stream.set_nodelay(true);
        let input = stream.try_clone().map_err(|e| e.to_string())?;
        let ending = serve(target, input, || stream.try_clone())?;
        eprintln!("wrt-dbg: client {peer}: {ending:?}");
        if ending != Ending::Disconnected || once || target.exec != Exec::Stopped {
            return Ok(ending);
        }
        target.forget_client();
    }
}

fn serve_serial(target: &mut WasmTarget, spec: &str) -> Result<Ending, String> {
    let (port, path, baud) = open_serial(spec)?;
    let input = port.try_clone().map_err(|e| format!("{path}: {e}"))?;
    eprintln!("wrt-dbg: serving on {path} at {baud} baud 8N1; in LLDB:");
    eprintln!("    process connect --plugin wasm serial://{path}?baud={baud}");
    serve(target, input, || {
        port.try_clone().map_err(std::io::Error::other)
    })
}

/// Opens a serial line given as `PATH[@BAUD]` (115200 by default), 8N1; with its path and baud.
pub fn open_serial(spec: &str) -> Result<(Box<dyn serialport::SerialPort>, &str, u32), String> {
    let (path, baud) = match spec.split_once('@') {
        Some((p, b)) => (
            p,
            b.parse()
                .map_err(|_| format!("serial line {spec}: `{b}` is not a baud rate"))?,
        ),
        None => (spec, 115_200),
    };
    let port = serialport::new(path, baud)
        .data_bits(serialport::DataBits::Eight)
        .parity(serialport::Parity::None)
        .stop_bits(serialport::StopBits::One)
        .timeout(std::time::Duration::from_millis(100))
        .open()
        .map_err(|e| format!("cannot open serial line {path}: {e}"))?;
    Ok((port, path, baud))
}
