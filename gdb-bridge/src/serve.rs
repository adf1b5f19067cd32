//! The event loop and its transports (`std`): a client's bytes arrive on a reader thread, the
//! program runs on this one and is interrupted when a Ctrl-C (0x03) comes in.

use core::fmt::Write as _;
use std::io::{self, Read, Write};
use std::string::String;
use std::string::ToString;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::vec::Vec;

use gdbstub::common::Signal;
use gdbstub::conn::Connection;
use gdbstub::stub::state_machine::GdbStubStateMachine;
use gdbstub::stub::{DisconnectReason, GdbStubBuilder, SingleThreadStopReason};
use gdbstub_arch::wasm::reg::id::WasmRegId;

use crate::beside;
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

/// What the reader passes on: bytes for the stub, or a whole `x` (binary memory read) request,
/// which this loop answers itself (`gdbstub` knows only `m`, whose hex replies take twice the bytes).
enum Input {
    /// A byte of a packet, an ack or a Ctrl-C.
    Byte(u8),
    /// A whole `$…#xx` packet to look at beside the stub ([`crate::beside`]), its checksum checked.
    Beside(Vec<u8>),
}

/// Where the reader is in the byte stream.
enum Framing {
    /// Between packets: only `$`, acks and Ctrl-C mean anything.
    Outside,
    /// In a packet body.
    Body,
    /// In the checksum, this many digits read.
    Sum(u8),
}

/// Reads a connection's bytes on a thread of their own and passes on whole packets, acks and
/// Ctrl-C (which also raises `interrupt`). Bytes between packets and packets longer than
/// [`PACKET_SIZE`] are dropped here, so they never reach the stub.
fn reader(
    mut input: impl Read + Send + 'static,
    interrupt: Arc<AtomicBool>,
    no_ack: Arc<AtomicBool>,
) -> Receiver<Input> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut packet = Vec::new();
        let mut state = Framing::Outside;
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::TimedOut => continue,
                Err(_) => return,
            };
            for &b in &buf[..n] {
                let send = |bytes: &[u8]| bytes.iter().all(|&b| tx.send(Input::Byte(b)).is_ok());
                state = match state {
                    Framing::Outside => match b {
                        b'$' => {
                            packet.clear();
                            packet.push(b);
                            Framing::Body
                        }
                        b'+' | b'-' | 0x03 => {
                            if b == 0x03 {
                                interrupt.store(true, Ordering::Relaxed);
                            }
                            if !send(&[b]) {
                                return;
                            }
                            Framing::Outside
                        }
                        _ => Framing::Outside,
                    },
                    Framing::Body if packet.len() > PACKET_SIZE => Framing::Outside,
                    Framing::Body => {
                        packet.push(b);
                        if b == b'#' {
                            Framing::Sum(0)
                        } else {
                            Framing::Body
                        }
                    }
                    Framing::Sum(0) => {
                        packet.push(b);
                        Framing::Sum(1)
                    }
                    Framing::Sum(_) => {
                        packet.push(b);
                        if packet.starts_with(b"$QStartNoAckMode#") {
                            no_ack.store(true, Ordering::Relaxed);
                        }
                        let body = &packet[1..packet.len() - 3];
                        let sent = if beside::wants(body) {
                            // Dropped on a bad checksum, as the stub drops its own packets.
                            let sum = crate::client::unhex(&packet[packet.len() - 2..]);
                            let good = sum.and_then(|s| s.first().copied())
                                == Some(crate::client::checksum(body));
                            !good || tx.send(Input::Beside(core::mem::take(&mut packet))).is_ok()
                        } else {
                            send(&packet)
                        };
                        if !sent {
                            return;
                        }
                        Framing::Outside
                    }
                };
            }
        }
    });
    rx
}

/// A protocol error `gdbstub` cannot go on from (a malformed or mis-checksummed packet): the
/// session survives it with a fresh stub.
type StubError = gdbstub::stub::GdbStubError<&'static str, io::Error>;

/// Serves one client on `input` (writing through connections `output` opens) until it disconnects,
/// kills the program, or the program ends. A malformed packet gets an `E01` reply and a fresh stub
/// (the program's state is the target's, untouched); it never ends the session.
pub fn serve<R, W>(
    target: &mut WasmTarget,
    input: R,
    mut output: impl FnMut() -> io::Result<W>,
) -> Result<Ending, String>
where
    R: Read + Send + 'static,
    W: Write,
{
    let interrupt = Arc::new(AtomicBool::new(false));
    let no_ack = Arc::new(AtomicBool::new(false));
    let rx = reader(input, interrupt.clone(), no_ack.clone());
    loop {
        let link = Link(io::BufWriter::with_capacity(
            PACKET_SIZE,
            output().map_err(|e| e.to_string())?,
        ));
        let stub = GdbStubBuilder::new(link)
            .packet_buffer_size(PACKET_SIZE)
            .build()
            .map_err(|e| e.to_string())?;
        match drive(target, stub, &rx, &interrupt, &no_ack) {
            Ok(ending) => return Ok(ending),
            Err(e) if e.is_connection_error() || e.is_target_error() => return Err(e.to_string()),
            // A packet with a bad checksum is dropped (the client resends or gives up); a command
            // the stub cannot parse is answered with an error.
            Err(e) if !e.to_string().contains("MalformedCommand") => {}
            Err(e) => {
                std::eprintln!("wrt-dbg: malformed packet answered with E01: {e}");
                let mut w = output().map_err(|e| e.to_string())?;
                let _ = w.write_all(b"$E01#a6").and_then(|()| w.flush());
            }
        }
    }
}

/// Runs one `gdbstub` state machine over the bytes of `rx`.
fn drive<W: Write>(
    target: &mut WasmTarget,
    stub: gdbstub::stub::GdbStub<'_, WasmTarget, Link<W>>,
    rx: &Receiver<Input>,
    interrupt: &AtomicBool,
    no_ack: &AtomicBool,
) -> Result<Ending, StubError> {
    let mut sm = stub.run_state_machine(target)?;
    let mut held = false;
    // Whether the last stop reported was the client's Ctrl-C (what `?` says), and whether the
    // client killed with `k`, which LLDB wants answered with an exit status.
    let (mut interrupted, mut killed_by_k) = (false, false);
    loop {
        sm = match sm {
            GdbStubStateMachine::Idle(mut gdb) => {
                let _ = gdb.borrow_conn().flush();
                match rx.recv() {
                    Err(_) => return Ok(Ending::Disconnected),
                    Ok(Input::Byte(byte)) => gdb.incoming_data(target, byte)?,
                    Ok(Input::Beside(packet)) => {
                        let body = &packet[1..packet.len() - 3];
                        killed_by_k |= body == b"k";
                        match beside::answer(target, body, interrupted) {
                            Some(reply) => {
                                let reply = beside::framed(&reply, !no_ack.load(Ordering::Relaxed));
                                if Connection::write_all(gdb.borrow_conn(), &reply).is_err() {
                                    return Ok(Ending::Disconnected);
                                }
                                GdbStubStateMachine::Idle(gdb)
                            }
                            None => {
                                let mut sm = GdbStubStateMachine::Idle(gdb);
                                for &b in &packet {
                                    sm = match sm {
                                        GdbStubStateMachine::Idle(gdb) => {
                                            gdb.incoming_data(target, b)?
                                        }
                                        other => other,
                                    };
                                }
                                sm
                            }
                        }
                    }
                }
            }
            GdbStubStateMachine::Running(mut gdb) => {
                let _ = gdb.borrow_conn().flush();
                if let Ok(input) = rx.try_recv() {
                    feed(gdb, target, input)?
                } else if held {
                    // Stopped for the client's Ctrl-C, which is on its way: wait for it.
                    let Ok(input) = rx.recv() else {
                        return Ok(Ending::Disconnected);
                    };
                    feed(gdb, target, input)?
                } else {
                    let (reason, pc) = target.run(|| interrupt.load(Ordering::Relaxed));
                    if reason == stopped_by(Signal::SIGINT) && target.exec == Exec::Stopped {
                        held = true;
                        GdbStubStateMachine::Running(gdb)
                    } else {
                        interrupted = reason == stopped_by(Signal::SIGINT);
                        let acks = !no_ack.load(Ordering::Relaxed);
                        send_final_profile(gdb.borrow_conn(), target, acks);
                        report(gdb, target, reason, pc)?
                    }
                }
            }
            GdbStubStateMachine::CtrlCInterrupt(gdb) => {
                held = false;
                interrupt.store(false, Ordering::Relaxed);
                let stop: Option<SingleThreadStopReason<u64>> = None;
                match gdb.interrupt_handled(target, stop)? {
                    GdbStubStateMachine::Running(gdb) => {
                        let pc = target.pc();
                        interrupted = true;
                        report(gdb, target, stopped_by(Signal::SIGINT), pc)?
                    }
                    other => other,
                }
            }
            GdbStubStateMachine::Disconnected(mut gdb) => {
                return Ok(match gdb.get_reason() {
                    DisconnectReason::Kill => {
                        if killed_by_k {
                            let reply = beside::framed(b"X09", !no_ack.load(Ordering::Relaxed));
                            let _ = Connection::write_all(gdb.borrow_conn(), &reply);
                            let _ = gdb.borrow_conn().flush();
                        }
                        Ending::Killed
                    }
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

/// Gives the running stub what came in; a binary read while running goes to the stub as bytes
/// (and gets its error reply).
fn feed<'a, W: Write>(
    mut gdb: Running<'a, W>,
    target: &mut WasmTarget,
    input: Input,
) -> Result<GdbStubStateMachine<'a, WasmTarget, Link<W>>, StubError> {
    let bytes = match input {
        Input::Byte(b) => return gdb.incoming_data(target, b),
        Input::Beside(packet) => packet,
    };
    let (last, rest) = bytes.split_last().map_or((0, &[][..]), |(l, r)| (*l, r));
    for &b in rest {
        match gdb.incoming_data(target, b)? {
            GdbStubStateMachine::Running(g) => gdb = g,
            other => return Ok(other),
        }
    }
    gdb.incoming_data(target, last)
}

/// Reports a stop with the PC expedited, as LLDB's Wasm plugin needs.
/// Sends the profile as console output (`O`) once the program has ended, when the client asked
/// for it (`monitor profile on exit`): the session ends with the exit, so it cannot ask after.
fn send_final_profile<W: Write>(conn: &mut Link<W>, target: &WasmTarget, acks: bool) {
    let (true, Exec::Exited(_), Some(p)) = (target.profile_at_exit, &target.exec, &target.profile)
    else {
        return;
    };
    let mut body = String::from("O");
    for b in p.encode().bytes() {
        let _ = write!(body, "{b:02x}");
    }
    let _ = Connection::write_all(conn, &beside::framed(body.as_bytes(), acks));
}

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
