//! The event loop and its transports (`std`): a client's bytes arrive on a reader thread, the
//! program runs on this one and is interrupted when a Ctrl-C (0x03) comes in.

use std::format;
use std::io::{self, Read, Write};
use std::string::String;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};

use gdbstub::common::Signal;
use gdbstub::conn::Connection;
use gdbstub::stub::state_machine::GdbStubStateMachine;
use gdbstub::stub::{DisconnectReason, GdbStubBuilder, SingleThreadStopReason};
use gdbstub_arch::wasm::reg::id::WasmRegId;

use crate::target::{Exec, WasmTarget, stopped_by};

/// Largest packet accepted; longer ones are dropped by `gdbstub` with an error.
pub const PACKET_SIZE: usize = 64 * 1024;

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The client went away (or detached); the program waits for the next one.
    Disconnected,
    /// The client killed the program.
    Killed,
    /// The program ended.
    Exited,
}

/// The writing half of a connection, as `gdbstub` wants it: buffered, since `gdbstub` writes a
/// byte at a time and flushes at the end of each packet.
pub struct Link<W: Write>(pub io::BufWriter<W>);

impl<W: Write> Connection for Link<W> {
    type Error = io::Error;
    fn write(&mut self, byte: u8) -> io::Result<()> {
        self.0.write_all(&[byte])
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Reads a connection's bytes on a thread of their own; raises `interrupt` on Ctrl-C.
fn reader(mut input: impl Read + Send + 'static, interrupt: Arc<AtomicBool>) -> Receiver<u8> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::TimedOut => continue,
                Err(_) => return,
            };
            for &b in &buf[..n] {
                if b == 0x03 {
                    interrupt.store(true, Ordering::Relaxed);
                }
                if tx.send(b).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

/// Serves one client on `input`/`output` until it disconnects, kills the program, or the program
/// ends. Malformed packets get error replies or are dropped; they never end the session.
pub fn serve<R, W>(target: &mut WasmTarget, input: R, output: W) -> Result<Ending, String>
where
    R: Read + Send + 'static,
    W: Write,
{
    let interrupt = Arc::new(AtomicBool::new(false));
    let rx = reader(input, interrupt.clone());
    let stub = GdbStubBuilder::new(Link(io::BufWriter::with_capacity(PACKET_SIZE, output)))
        .packet_buffer_size(PACKET_SIZE)
        .build()
        .map_err(|e| format!("{e}"))?;
    let mut sm = stub.run_state_machine(target).map_err(|e| format!("{e}"))?;
    let fail = |e: gdbstub::stub::GdbStubError<&'static str, io::Error>| format!("{e}");
    let mut held = false;
    loop {
        sm = match sm {
            GdbStubStateMachine::Idle(mut gdb) => {
                let _ = gdb.borrow_conn().flush();
                let Ok(byte) = rx.recv() else {
                    return Ok(Ending::Disconnected);
                };
                gdb.incoming_data(target, byte).map_err(fail)?
            }
            GdbStubStateMachine::Running(mut gdb) => {
                let _ = gdb.borrow_conn().flush();
                if let Ok(byte) = rx.try_recv() {
                    gdb.incoming_data(target, byte).map_err(fail)?
                } else if held {
                    // Stopped for the client's Ctrl-C, which is on its way: wait for it.
                    let Ok(byte) = rx.recv() else {
                        return Ok(Ending::Disconnected);
                    };
                    gdb.incoming_data(target, byte).map_err(fail)?
                } else {
                    let (reason, pc) = target.run(|| interrupt.load(Ordering::Relaxed));
                    if reason == stopped_by(Signal::SIGINT) && target.exec == Exec::Stopped {
                        held = true;
                        GdbStubStateMachine::Running(gdb)
                    } else {
                        report(gdb, target, reason, pc).map_err(fail)?
                    }
                }
            }
            GdbStubStateMachine::CtrlCInterrupt(gdb) => {
                held = false;
                interrupt.store(false, Ordering::Relaxed);
                let stop: Option<SingleThreadStopReason<u64>> = None;
                match gdb.interrupt_handled(target, stop).map_err(fail)? {
                    GdbStubStateMachine::Running(gdb) => {
                        let pc = target.pc();
                        report(gdb, target, stopped_by(Signal::SIGINT), pc).map_err(fail)?
                    }
                    other => other,
                }
            }
            GdbStubStateMachine::Disconnected(gdb) => {
                return Ok(match gdb.get_reason() {
                    DisconnectReason::Kill => Ending::Killed,
                    DisconnectReason::TargetExited(_) | DisconnectReason::TargetTerminated(_) => {
                        Ending::Exited
                    }
                    DisconnectReason::Disconnect => Ending::Disconnected,
                });
            }
        };
    }
}

type Running<'a, W> = gdbstub::stub::state_machine::GdbStubStateMachineInner<
    'a,
    gdbstub::stub::state_machine::state::Running,
    WasmTarget,
    Link<W>,
>;

/// Reports a stop with the PC expedited, as LLDB's Wasm plugin needs.
fn report<'a, W: Write>(
    gdb: Running<'a, W>,
    target: &mut WasmTarget,
    reason: SingleThreadStopReason<u64>,
    pc: u64,
) -> Result<
    GdbStubStateMachine<'a, WasmTarget, Link<W>>,
    gdbstub::stub::GdbStubError<&'static str, io::Error>,
> {
    let bytes = pc.to_le_bytes();
    let mut regs = core::iter::once((WasmRegId::Pc, bytes.as_slice()));
    gdb.report_stop_with_regs(target, reason, &mut regs)
}
