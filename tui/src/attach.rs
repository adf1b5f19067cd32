//! `wrt-dbg attach`: the debugger on a program that `wrt-dbg serve` (or another stub with LLDB's
//! Wasm extensions) runs elsewhere, over TCP or a serial line; the same commands and output as
//! `wrt-dbg debug`.

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

use debugger::Session;
use gdb_bridge::remote;

use crate::debug::{Connector, FrontArgs, Opener, drive};
use crate::limits::LimitArgs;

/// Arguments of `wrt-dbg attach`.
#[derive(clap::Args)]
pub struct AttachArgs {
    /// Where the stub is: `tcp:HOST:PORT` or `serial:PATH[@BAUD]`.
    target: String,
    #[command(flatten)]
    front: FrontArgs,
    #[command(flatten)]
    limits: LimitArgs,
    /// The module's file with its DWARF, when the target serves it without (packed with
    /// `--strip-debug` for a device): it must be the same module up to the end of its code.
    #[arg(long, value_name = "FILE")]
    module: Option<PathBuf>,
    /// Seconds the target may take to answer a request (a running `continue` excepted).
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    timeout: f64,
}

/// Attaches and drives the session: 0 when every command succeeded, 1 when one failed, 2 when
/// the target cannot be reached or its module not debugged. The screen can connect again after
/// the link drops (`reconnect`).
pub fn main(args: AttachArgs) -> ExitCode {
    let connect = connector(&args).map(Rc::new);
    let again: Option<Connector> = connect
        .clone()
        .ok()
        .map(|c| Box::new(move || c()) as Connector);
    drive(
        || connect.and_then(|c| c()),
        &args.front,
        Box::new(std::io::stderr()),
        &args.target,
        again,
    )
}

/// What connects to the target and reads the module here, each time it is called; the session
/// is made on the engine's thread.
fn connector(args: &AttachArgs) -> Result<impl Fn() -> Result<Opener, String> + 'static, String> {
    let limits = args.limits.resolve_for_debugging()?.limits;
    let spec = args.target.clone();
    let timeout = Duration::try_from_secs_f64(args.timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .ok_or_else(|| {
            format!(
                "--timeout {}: give a number of seconds above 0",
                args.timeout
            )
        })?;
    if !spec.starts_with("tcp:") && !spec.starts_with("serial:") {
        return Err(format!(
            "`{spec}` is not a target: give tcp:HOST:PORT or serial:PATH[@BAUD]"
        ));
    }
    let local = match &args.module {
        Some(path) => Some(std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?),
        None => None,
    };
    Ok(move || {
        let (client, served) = connect(&spec, &limits, timeout)?;
        let bytes = match &local {
            Some(full) => {
                debugger::pack::same_code(&served, full).map_err(|e| format!("{spec}: {e}"))?;
                full.clone()
            }
            None => served,
        };
        Ok(session(client, bytes, &limits, &spec))
    })
}

/// A connected client of either transport.
type Connected = (gdb_bridge::client::Client<Box<dyn Link>>, Vec<u8>);

/// A transport a client talks over.
trait Link: io::Read + io::Write + Send {}
impl<T: io::Read + io::Write + Send> Link for T {}

/// Connects to `spec` and reads its module.
fn connect(
    spec: &str,
    limits: &runtime_core::limits::PlatformLimits,
    timeout: Duration,
) -> Result<Connected, String> {
    let at = |e: &dyn std::fmt::Display| format!("{spec}: {e}");
    let max = limits.max_total_memory;
    if let Some(addr) = spec.strip_prefix("tcp:") {
        let addrs = addr.to_socket_addrs().map_err(|e| at(&e))?;
        let stream = addrs
            .map(|a| TcpStream::connect_timeout(&a, timeout))
            .reduce(|first, next| first.or(next))
            .unwrap_or_else(|| Err(io::ErrorKind::AddrNotAvailable.into()))
            .map_err(|e| at(&e))?;
        let _ = stream.set_nodelay(true);
        // Wakes the client now and then while the program runs, to pass on a Ctrl-C and to
        // notice a target that stopped answering.
        let _ = stream.set_read_timeout(Some(Duration::from_millis(10)));
        let link: Box<dyn Link> = Box::new(stream);
        remote::handshake(link, timeout, max).map_err(|e| at(&e))
    } else {
        let line = spec.strip_prefix("serial:").unwrap_or(spec);
        let (port, ..) = crate::serve::open_serial(line)?;
        let link: Box<dyn Link> = Box::new(port);
        remote::handshake(link, timeout, max).map_err(|e| at(&e))
    }
}

/// What opens the session on a connected client, on the engine's thread.
fn session<S: io::Read + io::Write + Send + 'static>(
    client: gdb_bridge::client::Client<S>,
    bytes: Vec<u8>,
    limits: &runtime_core::limits::PlatformLimits,
    spec: &str,
) -> Opener {
    let (spec, limits) = (spec.to_string(), limits.clone());
    Box::new(move || {
        Session::attach(bytes, &limits, |m| remote::boxed(client, m))
            .map_err(|e| debugger::Error::Remote(format!("{spec}: {e}")))
    })
}
