//! The stub's event loop (`no_std` + `alloc`): packets framed out of the client's bytes, some
//! answered ahead of `gdbstub` ([`crate::prefilter`]), the rest fed to its state machine, and the
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
use crate::{packet, prefilter};

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
    /// A whole `$…#xx` packet for the pre-filter to look at first ([`crate::prefilter`]), its
    /// checksum checked.
    ForPrefilter(Vec<u8>),
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
/// the packet size (`$` to checksum) are dropped here, so they never reach the stub.
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
            Framing::Body if !self.fits(b) => (Framing::Outside, None),
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

    /// Whether the packet, with body byte `b` and what must still follow it (`#` and the
    /// checksum), fits the packet size: the stub's buffer holds it whole, `$` to checksum.
    fn fits(&self, b: u8) -> bool {
        let after = if b == b'#' { 2 } else { 3 };
        self.packet.len() + 1 + after <= self.packet_size
    }

    /// The input a whole packet makes (a copy: the framer keeps its buffer), or nothing for a
    /// bad checksum: such a packet is dropped here, whoever it is for, and the client resends it
    /// or gives up. What reaches the stub is whole, so every packet it fails on is answered.
    fn finish(&mut self) -> Option<Input> {
        let packet = self.packet.clone();
        let body = &packet[1..packet.len() - 3];
        let sum = packet::unhex(&packet[packet.len() - 2..]);
        if sum.and_then(|s| s.first().copied()) != Some(packet::checksum(body)) {
            return None;
        }
        if body == b"QStartNoAckMode" {
            self.no_ack = true;
        }
        Some(if prefilter::wants(body) {
            Input::ForPrefilter(packet)
        } else {
            Input::Packet(packet)
        })
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

/// A protocol error `gdbstub` cannot go on from (a packet it cannot parse or fails on while
/// handling it): the session survives it with a fresh stub.
pub type StubError<E> = gdbstub::stub::GdbStubError<&'static str, E>;

/// Serves one client until it disconnects, kills the program, or the program ends, writing
/// through connections `connect` opens, with `buffers`. A packet the stub fails on gets an `E01`
/// reply (after `malformed` is told) and a fresh stub, told what the session agreed (no-ack
/// mode); the program's state is the target's, untouched. It never ends the session.
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
        let conn = Quiet {
            inner: connect()?,
            muted: false,
        };
        let stub = GdbStubBuilder::new(conn)
            .with_packet_buffer(packet)
            .build()
            .map_err(|e| e.to_string())?;
        match drive(target, stub, inputs, reply) {
            Ok(ending) => return Ok(ending),
            Err(e) if e.is_connection_error() || e.is_target_error() => return Err(e.to_string()),
            Err(e) => {
                let e = e.to_string();
                if let Some(acked) = unanswered(&e) {
                    malformed(&e);
                    let mut c = connect()?;
                    let ack = !acked && !inputs.no_ack();
                    let _ = send(&mut c, b"E01", ack).and_then(|()| c.flush());
                }
            }
        }
    }
}

/// Whether the `gdbstub` error `e` left a packet without a reply, and if so whether the stub had
/// acked it: a packet it cannot parse is refused before the ack, one it fails on while handling
/// it (a number wider than the target's, a thread kind it does not take, a register block of
/// the wrong size) after. A client's nack (`-`) is no packet: nothing to answer.
fn unanswered(e: &str) -> Option<bool> {
    (!e.contains("nack'd")).then(|| !e.starts_with("Failed to parse packet"))
}

/// A connection whose writes can be held back, so that a fresh stub is told what the session
/// agreed without its replies reaching the client.
struct Quiet<C> {
    inner: C,
    muted: bool,
}

impl<C: Connection> Connection for Quiet<C> {
    type Error = C::Error;
    fn write(&mut self, byte: u8) -> Result<(), C::Error> {
        if self.muted {
            return Ok(());
        }
        self.inner.write(byte)
    }
    fn write_all(&mut self, buf: &[u8]) -> Result<(), C::Error> {
        if self.muted {
            return Ok(());
        }
        self.inner.write_all(buf)
    }
    fn flush(&mut self) -> Result<(), C::Error> {
        if self.muted {
            return Ok(());
        }
        self.inner.flush()
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

/// Tells a fresh stub that acks are off, when the client turned them off with an earlier stub;
/// its reply is held back.
fn agree<'a, C: Connection>(
    sm: Machine<'a, Quiet<C>>,
    target: &mut WasmTarget,
    no_ack: bool,
) -> Result<Machine<'a, Quiet<C>>, StubError<C::Error>> {
    let GdbStubStateMachine::Idle(mut gdb) = sm else {
        return Ok(sm);
    };
    if !no_ack {
        return Ok(GdbStubStateMachine::Idle(gdb));
    }
    gdb.borrow_conn().muted = true;
    let sm = idle_bytes(gdb, target, &packet::frame(b"QStartNoAckMode"))?;
    Ok(match sm {
        GdbStubStateMachine::Idle(mut gdb) => {
            gdb.borrow_conn().muted = false;
            GdbStubStateMachine::Idle(gdb)
        }
        other => other,
    })
}

/// Runs one `gdbstub` state machine over `inputs`, the pre-filter answering into `reply`.
fn drive<C: Connection, I: Inputs>(
    target: &mut WasmTarget,
    stub: GdbStub<'_, WasmTarget, Quiet<C>>,
    inputs: &mut I,
    reply: &mut Vec<u8>,
) -> Result<Ending, StubError<C::Error>> {
    let sm = stub.run_state_machine(target)?;
    let mut sm = agree(sm, target, inputs.no_ack())?;
    let mut held = false;
    // Whether the last stop reported was the client's Ctrl-C (what `?` says), and what answers a
    // kill: `k` wants an exit status (LLDB waits for one), `vKill` an `OK`.
    let mut interrupted = false;
    let mut kill_reply: &[u8] = b"";
    loop {
        sm = match sm {
            GdbStubStateMachine::Idle(mut gdb) => {
                let _ = gdb.borrow_conn().flush();
                let Some(input) = inputs.recv() else {
                    return Ok(Ending::Disconnected);
                };
                let ack = !inputs.no_ack();
                match prefilter_answer(gdb.borrow_conn(), target, &input, interrupted, reply, ack) {
                    None => return Ok(Ending::Disconnected),
                    Some(true) => GdbStubStateMachine::Idle(gdb),
                    Some(false) => {
                        kill_reply = kill_reply_for(&input);
                        match input {
                            Input::Byte(byte) => gdb.incoming_data(target, byte)?,
                            Input::Packet(p) | Input::ForPrefilter(p) => {
                                idle_bytes(gdb, target, &p)?
                            }
                        }
                    }
                }
            }
            GdbStubStateMachine::Running(mut gdb) => {
                let _ = gdb.borrow_conn().flush();
                // Stopped for the client's Ctrl-C, which is on its way: wait for it.
                let input = match inputs.try_recv() {
                    None if held => match inputs.recv() {
                        None => return Ok(Ending::Disconnected),
                        input => input,
                    },
                    input => input,
                };
                let ack = !inputs.no_ack();
                match input {
                    Some(input) => {
                        let conn = gdb.borrow_conn();
                        match prefilter_answer(conn, target, &input, interrupted, reply, ack) {
                            None => return Ok(Ending::Disconnected),
                            Some(true) => GdbStubStateMachine::Running(gdb),
                            Some(false) => {
                                kill_reply = kill_reply_for(&input);
                                feed(gdb, target, input)?
                            }
                        }
                    }
                    None => {
                        let (reason, pc) = target.run(|| inputs.interrupted());
                        if reason == stopped_by(Signal::SIGINT) && target.exec == Exec::Stopped {
                            held = true;
                            GdbStubStateMachine::Running(gdb)
                        } else {
                            interrupted = reason == stopped_by(Signal::SIGINT);
                            send_final_profile(gdb.borrow_conn(), target, ack);
                            report(gdb, target, reason, pc)?
                        }
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
                        if !kill_reply.is_empty() {
                            let _ = send(gdb.borrow_conn(), kill_reply, !inputs.no_ack());
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

/// Answers `input` ahead of the stub when it is a packet the pre-filter answers
/// ([`prefilter::answer`]), whether the program stands or runs: whether it was (`None` when the
/// connection failed).
fn prefilter_answer<C: Connection>(
    conn: &mut C,
    target: &mut WasmTarget,
    input: &Input,
    interrupted: bool,
    reply: &mut Vec<u8>,
    ack: bool,
) -> Option<bool> {
    let Input::ForPrefilter(packet) = input else {
        return Some(false);
    };
    if !prefilter::answer(target, &packet[1..packet.len() - 3], interrupted, reply) {
        return Some(false);
    }
    send(conn, reply, ack).ok().map(|()| true)
}

/// What answers a kill, should `input` be one ([`prefilter::kill_reply`]).
fn kill_reply_for(input: &Input) -> &'static [u8] {
    match input {
        Input::ForPrefilter(packet) => prefilter::kill_reply(&packet[1..packet.len() - 3]),
        _ => b"",
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

/// Gives the running stub what came in and the pre-filter did not answer.
fn feed<'a, C: Connection>(
    mut gdb: Running<'a, C>,
    target: &mut WasmTarget,
    input: Input,
) -> Result<Machine<'a, C>, StubError<C::Error>> {
    let bytes = match input {
        Input::Byte(b) => return gdb.incoming_data(target, b),
        Input::Packet(packet) | Input::ForPrefilter(packet) => packet,
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
        assert_eq!(
            inputs[2],
            Input::ForPrefilter(b"$m0,1#fa".to_vec()),
            "{inputs:?}"
        );
        assert_eq!(inputs.len(), 3, "the 10-byte body is dropped");
        assert_eq!(framer.packet.capacity(), capacity);
        let whole = |framer: &mut Framer, bytes: &[u8]| bytes.iter().find_map(|&b| framer.push(b));
        assert!(whole(&mut framer, b"$m0,1#fa").is_some(), "8 bytes fit");
        assert_eq!(whole(&mut framer, b"$m00,1#2a"), None, "9 do not");
    }
}
