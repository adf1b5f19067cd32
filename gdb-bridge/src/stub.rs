//! The stub's event loop (`no_std` + `alloc`): packets framed out of the client's bytes, some
//! answered beside `gdbstub` ([`crate::beside`]), the rest fed to its state machine, and the
//! program run between them. The host's transports ([`crate::serve`]) and a device's UART feed
//! it alike, through [`Inputs`].

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

use gdbstub::common::Signal;
use gdbstub::conn::Connection;
use gdbstub::stub::state_machine::GdbStubStateMachine;
use gdbstub::stub::{DisconnectReason, GdbStub, GdbStubBuilder, SingleThreadStopReason};
use gdbstub_arch::wasm::reg::id::WasmRegId;
use runtime_core::budget::PACKET_FRAMING;
use runtime_core::error::Error;
use runtime_core::limits::PlatformLimits;

use crate::target::{Exec, WasmTarget, stopped_by};
use crate::{beside, packet};

/// The smallest packet a stub can serve with: its `qSupported` and stop replies must fit.
pub const MIN_PACKET: u64 = 256;

/// The stub's packet buffers besides the framer's, allocated once for a served program at
/// `max_debug_packet` bytes each and reused, so serving holds what the budget's
/// `bridge_buffers` says: the state machine's packet buffer and a reply's body.
pub struct Buffers {
    packet: Vec<u8>,
    reply: Vec<u8>,
}

impl Buffers {
    /// Buffers for packets of `limits.max_debug_packet` bytes; refused, naming the limit, when
    /// that is too small to serve with or cannot be addressed.
    pub fn new(limits: &PlatformLimits) -> Result<Buffers, Error> {
        let asked = limits.max_debug_packet;
        let size = usize::try_from(asked)
            .ok()
            .filter(|_| asked >= MIN_PACKET)
            .ok_or(Error::Limit {
                limit: "max_debug_packet",
                asked: MIN_PACKET.max(asked),
                allowed: asked,
            })?;
        Ok(Buffers {
            packet: alloc::vec![0; size],
            reply: Vec::with_capacity(size),
        })
    }

    /// The largest packet served.
    pub fn packet_size(&self) -> usize {
        self.packet.len()
    }
}

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

/// What the framer passes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// An ack or a Ctrl-C.
    Byte(u8),
    /// A whole `$…#xx` packet for the stub.
    Packet(Vec<u8>),
    /// A whole `$…#xx` packet to look at beside the stub ([`crate::beside`]), its checksum checked.
    Beside(Vec<u8>),
}

/// Where the framer is in the byte stream.
enum Framing {
    /// Between packets: only `$`, acks and Ctrl-C mean anything.
    Outside,
    /// In a packet body.
    Body,
    /// In the checksum, this many digits read.
    Sum(u8),
}

/// Cuts a client's byte stream into [`Input`]s. Bytes between packets and packets longer than
/// the packet size are dropped here, so they never reach the stub.
pub struct Framer {
    packet: Vec<u8>,
    state: Framing,
    packet_size: usize,
    /// Whether the client has asked for no-ack mode.
    pub no_ack: bool,
}

impl Framer {
    /// A framer for packets of at most `packet_size` bytes, its buffer allocated now.
    pub fn new(packet_size: usize) -> Framer {
        Framer {
            packet: Vec::with_capacity(packet_size + PACKET_FRAMING as usize),
            state: Framing::Outside,
            packet_size,
            no_ack: false,
        }
    }

    /// Takes the next byte; what it completes, if anything.
    pub fn push(&mut self, b: u8) -> Option<Input> {
        let (state, out) = match self.state {
            Framing::Outside => match b {
                b'$' => {
                    self.packet.clear();
                    self.packet.push(b);
                    (Framing::Body, None)
                }
                b'+' | b'-' | 0x03 => (Framing::Outside, Some(Input::Byte(b))),
                _ => (Framing::Outside, None),
            },
            Framing::Body if self.packet.len() > self.packet_size => (Framing::Outside, None),
            Framing::Body => {
                self.packet.push(b);
                let next = if b == b'#' {
                    Framing::Sum(0)
                } else {
                    Framing::Body
                };
                (next, None)
            }
            Framing::Sum(0) => {
                self.packet.push(b);
                (Framing::Sum(1), None)
            }
            Framing::Sum(_) => {
                self.packet.push(b);
                (Framing::Outside, self.finish())
            }
        };
        self.state = state;
        out
    }

    /// The input a whole packet makes (a copy: the framer keeps its buffer): dropped on a bad
    /// checksum when it is for beside the stub, as the stub drops its own.
    fn finish(&mut self) -> Option<Input> {
        let packet = self.packet.clone();
        if packet.starts_with(b"$QStartNoAckMode#") {
            self.no_ack = true;
        }
        let body = &packet[1..packet.len() - 3];
        if !beside::wants(body) {
            return Some(Input::Packet(packet));
        }
        let sum = packet::unhex(&packet[packet.len() - 2..]);
        let good = sum.and_then(|s| s.first().copied()) == Some(packet::checksum(body));
        good.then_some(Input::Beside(packet))
    }
}

/// Where the stub's inputs come from.
pub trait Inputs {
    /// The next input, waiting for it; `None` once the client has gone.
    fn recv(&mut self) -> Option<Input>;
    /// An input that has already come, if any.
    fn try_recv(&mut self) -> Option<Input>;
    /// Whether a Ctrl-C has come since the last [`Inputs::clear_interrupt`]; asked now and then
    /// while the program runs.
    fn interrupted(&mut self) -> bool;
    /// Forgets a Ctrl-C once it is handled.
    fn clear_interrupt(&mut self);
    /// Whether the client has turned acks off.
    fn no_ack(&self) -> bool;
}

/// A protocol error `gdbstub` cannot go on from (a malformed or mis-checksummed packet): the
/// session survives it with a fresh stub.
pub type StubError<E> = gdbstub::stub::GdbStubError<&'static str, E>;

/// Serves one client until it disconnects, kills the program, or the program ends, writing
/// through connections `connect` opens, with `buffers`. A malformed packet gets an `E01` reply
/// (after `malformed` is told) and a fresh stub (the program's state is the target's,
/// untouched); it never ends the session.
pub fn session<C, I>(
    target: &mut WasmTarget,
    inputs: &mut I,
    buffers: &mut Buffers,
    mut connect: impl FnMut() -> Result<C, String>,
    mut malformed: impl FnMut(&str),
) -> Result<Ending, String>
where
    C: Connection,
    C::Error: core::fmt::Display,
    I: Inputs,
{
    loop {
        let Buffers { packet, reply } = &mut *buffers;
        let stub = GdbStubBuilder::new(connect()?)
            .with_packet_buffer(packet)
            .build()
            .map_err(|e| e.to_string())?;
        match drive(target, stub, inputs, reply) {
            Ok(ending) => return Ok(ending),
            Err(e) if e.is_connection_error() || e.is_target_error() => return Err(e.to_string()),
            Err(e) => {
                let e = e.to_string();
                // A packet with a bad checksum is dropped (the client resends or gives up); a
                // command the stub cannot parse is answered with an error.
                if e.contains("MalformedCommand") {
                    malformed(&e);
                    let mut c = connect()?;
                    let _ = send(&mut c, b"E01", false).and_then(|()| c.flush());
                }
            }
        }
    }
}

/// Writes `$body#xx` (after a `+` when acking) straight to the connection, with no copy.
fn send<C: Connection>(conn: &mut C, body: &[u8], ack: bool) -> Result<(), C::Error> {
    if ack {
        conn.write(b'+')?;
    }
    conn.write(b'$')?;
    conn.write_all(body)?;
    conn.write_all(&packet::checksum_digits(body))
}

/// Runs one `gdbstub` state machine over `inputs`, answering beside it into `reply`.
fn drive<C: Connection, I: Inputs>(
    target: &mut WasmTarget,
    stub: GdbStub<'_, WasmTarget, C>,
    inputs: &mut I,
    reply: &mut Vec<u8>,
) -> Result<Ending, StubError<C::Error>> {
    let mut sm = stub.run_state_machine(target)?;
    let mut held = false;
    // Whether the last stop reported was the client's Ctrl-C (what `?` says), and whether the
    // client killed with `k`, which LLDB wants answered with an exit status.
    let (mut interrupted, mut killed_by_k) = (false, false);
    loop {
        sm = match sm {
            GdbStubStateMachine::Idle(mut gdb) => {
                let _ = gdb.borrow_conn().flush();
                match inputs.recv() {
                    None => return Ok(Ending::Disconnected),
                    Some(Input::Byte(byte)) => gdb.incoming_data(target, byte)?,
                    Some(Input::Packet(packet)) => idle_bytes(gdb, target, &packet)?,
                    Some(Input::Beside(packet)) => {
                        let body = &packet[1..packet.len() - 3];
                        killed_by_k |= body == b"k";
                        if beside::answer(target, body, interrupted, reply) {
                            if send(gdb.borrow_conn(), reply, !inputs.no_ack()).is_err() {
                                return Ok(Ending::Disconnected);
                            }
                            GdbStubStateMachine::Idle(gdb)
                        } else {
                            idle_bytes(gdb, target, &packet)?
                        }
                    }
                }
            }
            GdbStubStateMachine::Running(mut gdb) => {
                let _ = gdb.borrow_conn().flush();
                if let Some(input) = inputs.try_recv() {
                    feed(gdb, target, input)?
                } else if held {
                    // Stopped for the client's Ctrl-C, which is on its way: wait for it.
                    let Some(input) = inputs.recv() else {
                        return Ok(Ending::Disconnected);
                    };
                    feed(gdb, target, input)?
                } else {
                    let (reason, pc) = target.run(|| inputs.interrupted());
                    if reason == stopped_by(Signal::SIGINT) && target.exec == Exec::Stopped {
                        held = true;
                        GdbStubStateMachine::Running(gdb)
                    } else {
                        interrupted = reason == stopped_by(Signal::SIGINT);
                        let acks = !inputs.no_ack();
                        send_final_profile(gdb.borrow_conn(), target, acks);
                        report(gdb, target, reason, pc)?
                    }
                }
            }
            GdbStubStateMachine::CtrlCInterrupt(gdb) => {
                held = false;
                inputs.clear_interrupt();
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
                            let _ = send(gdb.borrow_conn(), b"X09", !inputs.no_ack());
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

type Machine<'a, C> = GdbStubStateMachine<'a, WasmTarget, C>;

type Running<'a, C> = gdbstub::stub::state_machine::GdbStubStateMachineInner<
    'a,
    gdbstub::stub::state_machine::state::Running,
    WasmTarget,
    C,
>;

/// Feeds a whole packet to an idle stub.
fn idle_bytes<'a, C: Connection>(
    gdb: gdbstub::stub::state_machine::GdbStubStateMachineInner<
        'a,
        gdbstub::stub::state_machine::state::Idle<WasmTarget>,
        WasmTarget,
        C,
    >,
    target: &mut WasmTarget,
    packet: &[u8],
) -> Result<Machine<'a, C>, StubError<C::Error>> {
    let mut sm = GdbStubStateMachine::Idle(gdb);
    for &b in packet {
        sm = match sm {
            GdbStubStateMachine::Idle(gdb) => gdb.incoming_data(target, b)?,
            other => other,
        };
    }
    Ok(sm)
}

/// Gives the running stub what came in; a binary read while running goes to the stub as bytes
/// (and gets its error reply).
fn feed<'a, C: Connection>(
    mut gdb: Running<'a, C>,
    target: &mut WasmTarget,
    input: Input,
) -> Result<Machine<'a, C>, StubError<C::Error>> {
    let bytes = match input {
        Input::Byte(b) => return gdb.incoming_data(target, b),
        Input::Packet(packet) | Input::Beside(packet) => packet,
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

/// Sends the profile as console output (`O`) once the program has ended, when the client asked
/// for it (`monitor profile on exit`): the session ends with the exit, so it cannot ask after.
fn send_final_profile<C: Connection>(conn: &mut C, target: &WasmTarget, acks: bool) {
    let (true, Exec::Exited(_), Some(p)) = (target.profile_at_exit, &target.exec, &target.profile)
    else {
        return;
    };
    let mut body = String::from("O");
    for b in p.encode().bytes() {
        let _ = write!(body, "{b:02x}");
    }
    let _ = send(conn, body.as_bytes(), acks);
}

/// Reports a stop with the PC expedited, as LLDB's Wasm plugin needs.
fn report<'a, C: Connection>(
    gdb: Running<'a, C>,
    target: &mut WasmTarget,
    reason: SingleThreadStopReason<u64>,
    pc: u64,
) -> Result<Machine<'a, C>, StubError<C::Error>> {
    let bytes = pc.to_le_bytes();
    let mut regs = core::iter::once((WasmRegId::Pc, bytes.as_slice()));
    gdb.report_stop_with_regs(target, reason, &mut regs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtime_core::limits::preset::embedded_minimal;
    use runtime_core::limits::{EmbeddedPlatform, KIB};

    #[test]
    fn buffers_are_sized_by_the_packet_limit_and_refused_below_the_least_a_stub_needs() {
        let mut limits = embedded_minimal(64 * KIB, EmbeddedPlatform::Zephyr, true);
        let buffers = Buffers::new(&limits).unwrap();
        assert_eq!(buffers.packet_size(), 1024);
        assert_eq!(buffers.reply.capacity(), 1024);
        limits.max_debug_packet = 100;
        let refused = Buffers::new(&limits).err().unwrap().to_string();
        assert_eq!(
            refused,
            "limit `max_debug_packet` exceeded: asked 256, allowed 100"
        );
    }

    #[test]
    fn the_framer_keeps_its_one_buffer_and_drops_packets_past_the_size() {
        let mut framer = Framer::new(8);
        let capacity = framer.packet.capacity();
        let mut inputs = Vec::new();
        for &b in b"+$g#67$0123456789#00$m0,1#fa" {
            inputs.extend(framer.push(b));
        }
        let packet = |s: &[u8]| Input::Packet(s.to_vec());
        assert_eq!(inputs[0], Input::Byte(b'+'));
        assert_eq!(inputs[1], packet(b"$g#67"));
        assert_eq!(inputs[2], Input::Beside(b"$m0,1#fa".to_vec()), "{inputs:?}");
        assert_eq!(inputs.len(), 3, "the 10-byte body is dropped");
        assert_eq!(framer.packet.capacity(), capacity);
    }
}
