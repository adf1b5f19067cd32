//! The engine's target interface over the GDB remote protocol (`std`): a program served by
//! `wrt-dbg serve` (or any stub with LLDB's Wasm extensions) debugged by the same engine as a
//! local one. Stepping is built from single steps, and a call to step over runs at full speed to
//! a breakpoint at its return address.

use std::boxed::Box;
use std::cell::RefCell;
use std::format;
use std::io::{Read, Write};
use std::rc::Rc;
use std::string::{String, ToString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use std::vec::Vec;

use debugger::Error;
use debugger::target::{Event, Run, Target, Verdict};
use gdbstub_arch::wasm::addr::{WasmAddr, WasmAddrType};
use runtime_core::debug::{DebugSession, WatchKind};
use runtime_core::{Frame, Module, Trap};

use crate::client::{Client, ClientError};
use crate::target::WasmTarget;

/// Bytes asked for in one binary memory read: half a host stub's packet (escapes may double
/// them); a stub with smaller packets answers with fewer.
const CHUNK: usize = 32 * 1024;

/// Bytes written in one hex `M` packet: its hex and header fit the smallest packet a stub may
/// take ([`crate::stub::MIN_PACKET`]).
const WRITE_CHUNK: usize = 64;

/// Error number of a breakpoint or watchpoint the stub refused for a full table.
const ENOSPC: u8 = 28;

/// A program running behind a remote stub.
pub struct Remote<S: Read + Write> {
    client: RefCell<Client<S>>,
    module: Rc<Module>,
    /// The frames of the last stop, outermost first.
    frames: Vec<Frame>,
    /// Breakpoint sites armed at the stub.
    armed: Vec<(u32, u32)>,
    /// Whether the program has exited (the stub has nothing more to say about it).
    ended: bool,
}

/// A stop reply, parsed.
enum Reply {
    Exited(i32),
    Signal {
        signo: u8,
        swbreak: bool,
        watch: Option<(u64, bool)>,
    },
}

/// A stop reply with how the program had been resumed.
struct Stopped {
    reply: Reply,
    step: bool,
}

/// A failed exchange as the engine reports it: a link that failed or went quiet is target I/O,
/// anything else the stub's answer.
fn remote(e: ClientError) -> Error {
    match e {
        ClientError::Io(_) | ClientError::Timeout(_) => Error::TargetIo {
            cause: e.to_string(),
        },
        other => Error::Remote(other.to_string()),
    }
}

/// Connects to a stub on `stream` (no-ack mode) and reads the module it serves, through its code
/// address space: the bytes to open the debug session with. Every reply must come within
/// `timeout`, and a module larger than `max_module` bytes (the limits' total memory) is refused
/// before it is read.
pub fn handshake<S: Read + Write>(
    stream: S,
    timeout: Duration,
    max_module: u64,
) -> Result<(Client<S>, Vec<u8>), Error> {
    let mut client = Client::new(stream);
    client.set_timeout(timeout);
    client.no_ack().map_err(remote)?;
    client
        .request("qSupported:swbreak+;hwbreak+;xmlRegisters=wasm")
        .map_err(remote)?;
    let size = memory_map(&mut client, "rom")?;
    if size > max_module {
        return Err(Error::Remote(format!(
            "the stub's module is {size} bytes; max_total_memory allows {max_module}"
        )));
    }
    let bytes = client
        .read_memory(WasmTarget::code_addr(0), size as usize, CHUNK, true)
        .map_err(remote)?;
    if bytes.len() as u64 != size {
        return Err(Error::Remote(format!(
            "the stub served {} of the module's {size} bytes",
            bytes.len()
        )));
    }
    Ok((client, bytes))
}

/// The length of the memory-map region of `kind` (`rom`: the module, `ram`: linear memory), from
/// the whole map, however many parts the stub sends it in.
fn memory_map<S: Read + Write>(client: &mut Client<S>, kind: &str) -> Result<u64, Error> {
    let xml = client.read_xfer("memory-map", "").map_err(remote)?;
    let xml = String::from_utf8_lossy(&xml);
    let region = xml
        .split("<memory ")
        .find(|r| r.contains(&format!("type=\"{kind}\"")))
        .ok_or_else(|| Error::Remote(format!("the memory map has no {kind} region")))?;
    let length = region
        .split("length=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|l| u64::from_str_radix(l.trim_start_matches("0x"), 16).ok())
        .ok_or_else(|| Error::Remote(format!("the memory map's {kind} region has no length")))?;
    Ok(length)
}

impl<S: Read + Write> Remote<S> {
    /// A value query's answer: an error reply means no such value; a failed link is an error.
    fn value(&self, query: &str) -> Result<Option<u64>, Error> {
        match self.client.borrow_mut().wasm_value(query) {
            Err(ClientError::Reply(_)) => Ok(None),
            other => other.map_err(remote),
        }
    }

    /// The target behind `client`, whose module is `module`; reads where the program stands.
    pub fn new(client: Client<S>, module: Rc<Module>) -> Result<Self, Error> {
        let mut r = Remote {
            client: RefCell::new(client),
            module,
            frames: Vec::new(),
            armed: Vec::new(),
            ended: false,
        };
        r.refresh()?;
        Ok(r)
    }

    /// Reads the frames where the program stands. A call stack with a PC outside the module's
    /// code is a protocol error naming it, and leaves no frames.
    fn refresh(&mut self) -> Result<(), Error> {
        self.frames.clear();
        let pcs = self.client.get_mut().call_stack().map_err(remote)?;
        let frames = pcs
            .iter()
            .enumerate()
            .rev()
            .map(|(level, &pc)| self.frame_at(level, pc))
            .collect::<Result<Vec<Frame>, Error>>()?;
        self.frames = frames;
        Ok(())
    }

    /// The frame at call-stack PC `pc` (frame `level`, 0 innermost): it must be a code address of
    /// the module (module 0 of LLDB's code space) inside one of its function bodies.
    fn frame_at(&self, level: usize, pc: u64) -> Result<Frame, Error> {
        WasmAddr::from_raw(pc)
            .filter(|a| (a.addr_type(), a.module_index()) == (WasmAddrType::Object, 0))
            .and_then(|a| self.module.locate_offset(a.offset()))
            .map(|(func, pc)| Frame {
                func,
                pc,
                fp: 0,
                instance: 0,
            })
            .ok_or_else(|| {
                Error::Remote(format!(
                    "the stub's call stack puts frame {level} at {pc:#x}, outside the module's code"
                ))
            })
    }

    /// The stub's number (0 innermost) for frame `frame` (outermost 0), if there is one.
    fn level(&self, frame: usize) -> Option<usize> {
        self.frames.len().checked_sub(1)?.checked_sub(frame)
    }

    fn code_addr(&self, (func, pc): (u32, u32)) -> Option<u64> {
        Some(WasmTarget::code_addr(self.module.offset(func, pc)?))
    }

    fn site(&self) -> Option<(u32, u32)> {
        self.frames.last().map(|f| (f.func, f.pc))
    }

    /// Sends a `Z`/`z` packet; a full table at the stub comes back as its refusal message.
    fn point(&mut self, packet: &str) -> Result<(), Error> {
        let client = self.client.get_mut();
        match client.request(packet) {
            Ok(r) if r == "OK" => Ok(()),
            Ok(r) => Err(Error::Remote(format!("`{packet}` not supported: `{r}`"))),
            Err(ClientError::Reply(ENOSPC)) => {
                let budget = client.monitor("budget").map_err(remote)?;
                let why = budget
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("last refusal: "))
                    .unwrap_or("the stub's table is full");
                Err(Error::Remote(why.to_string()))
            }
            Err(e) => Err(remote(e)),
        }
    }

    fn breakpoint(&mut self, site: (u32, u32), on: bool) -> Result<(), Error> {
        let Some(addr) = self.code_addr(site) else {
            return Ok(());
        };
        self.point(&format!("{}0,{addr:x},1", if on { 'Z' } else { 'z' }))
    }

    /// Resumes (`step` or continue), waits for the stop (interrupting the program when
    /// `interrupt` is set meanwhile) and reads the new frames.
    fn go(&mut self, step: bool, interrupt: Option<&AtomicBool>) -> Result<Stopped, Error> {
        let text = self
            .client
            .get_mut()
            .resume_or_interrupt(step, interrupt)
            .map_err(remote)?;
        let reply = parse_stop(&text)?;
        match reply {
            Reply::Exited(_) => {
                self.ended = true;
                self.frames.clear();
            }
            Reply::Signal { .. } => self.refresh()?,
        }
        Ok(Stopped { reply, step })
    }

    /// What a stop means to the engine, read as gdb reads it. A SIGTRAP at a breakpoint we armed
    /// is that breakpoint: after a continue whatever else the stub says, after a step when it
    /// says `swbreak`. Otherwise a SIGTRAP after a step, or at `expected` (our breakpoint at a
    /// return address) is no event, and anywhere else it is the signal, which ends the run; a
    /// watch stop at an address we do not watch is read as that SIGTRAP.
    fn event(
        &mut self,
        stopped: Stopped,
        run: &Run<'_>,
        expected: Option<(u32, u32)>,
    ) -> Result<Option<Event>, Error> {
        let (signo, swbreak, watch) = match stopped.reply {
            Reply::Exited(code) => return Ok(Some(Event::Exited(code))),
            Reply::Signal {
                signo,
                swbreak,
                watch,
            } => (signo, swbreak, watch),
        };
        let watched = watch.and_then(|(addr, write)| {
            let index = run
                .watches
                .iter()
                .position(|&(a, n, _)| a <= addr && addr - a < n)?;
            Some(Event::Watch { index, write })
        });
        if watched.is_some() {
            return Ok(watched);
        }
        let site = self.site();
        let armed = site.filter(|s| self.armed.contains(s));
        Ok(match signo {
            SIGTRAP if armed.is_some() && (swbreak || !stopped.step) => {
                armed.map(|(f, pc)| Event::Breakpoint(f, pc))
            }
            SIGTRAP if stopped.step || (expected.is_some() && site == expected) => None,
            SIGTRAP => Some(Event::Trap(Trap::Host(
                "SIGTRAP (Trace/breakpoint trap) at no breakpoint of ours".into(),
            ))),
            SIGINT => Some(Event::Interrupted),
            _ => {
                let text = self.client.get_mut().monitor("trap").map_err(remote)?;
                Some(Event::Trap(trap_named(text.trim())))
            }
        })
    }

    /// Runs at full speed until the frame at `depth` is innermost again (a breakpoint at its
    /// return address), or something else stops the program.
    fn run_to_return(&mut self, depth: usize, run: &Run<'_>) -> Result<Option<Event>, Error> {
        let back = self
            .frames
            .get(depth.wrapping_sub(1))
            .map(|f| (f.func, f.pc));
        let Some(back) = back else {
            return Err(Error::Remote("no caller frame to return to".into()));
        };
        let temporary = !self.armed.contains(&back);
        loop {
            if temporary {
                self.breakpoint(back, true)?;
            }
            let stopped = self.go(false, Some(run.interrupt))?;
            if temporary && !self.ended {
                self.breakpoint(back, false)?;
            }
            let event = self.event(stopped, run, Some(back))?;
            let returned = self.site() == Some(back) && self.frames.len() <= depth;
            match event {
                Some(Event::Breakpoint(..)) | None if returned => return Ok(None),
                // Stopped at the return address in a deeper call of the same function.
                None if !run.interrupt.swap(false, Ordering::Relaxed) => continue,
                None => return Ok(Some(Event::Interrupted)),
                other => return Ok(other),
            }
        }
    }
}

const SIGINT: u8 = 2;
const SIGTRAP: u8 = 5;

/// Parses a stop reply as gdb reads one: `W` and `X` with the exit status or signal in hex (and
/// anything after a `;`, such as `process:PID`), `S` with the signal in two hex digits, and `T`
/// with the signal and `key:value;` pairs after it. Of the pairs, the stop kind (`swbreak`,
/// `hwbreak`, LLDB's `reason:breakpoint`) and watch addresses are read; registers, threads and
/// keys it does not know are passed over, as gdb does.
fn parse_stop(text: &str) -> Result<Reply, Error> {
    let bad = |why: &str| Error::Remote(format!("unexpected stop reply `{text}`: {why}"));
    // Hex digits only: `from_str_radix` would take a sign too.
    let hex = |s: &str| {
        let digits = s.bytes().all(|b| b.is_ascii_hexdigit());
        u64::from_str_radix(s, 16).ok().filter(|_| digits)
    };
    let Some(kind) = text.bytes().next() else {
        return Err(bad("empty"));
    };
    let status = || {
        let digits = text[1..].split(';').next().unwrap_or_default();
        hex(digits)
            .and_then(|n| u8::try_from(n).ok())
            .ok_or_else(|| bad("no status of one or two hex digits"))
    };
    match kind {
        b'W' => Ok(Reply::Exited(i32::from(status()?))),
        b'X' => Ok(Reply::Exited(128 + i32::from(status()?))),
        b'S' | b'T' => {
            let signo = text
                .get(1..3)
                .and_then(hex)
                .ok_or_else(|| bad("no signal of two hex digits"))? as u8;
            let mut swbreak = false;
            let mut watch = None;
            let pairs = if kind == b'T' { text.get(3..) } else { None };
            for field in pairs.unwrap_or_default().split(';') {
                let (key, value) = field.split_once(':').unwrap_or((field, ""));
                let addr = || {
                    hex(value)
                        .and_then(WasmAddr::from_raw)
                        .map(|a| u64::from(a.offset()))
                        .ok_or_else(|| bad(&format!("`{key}` address `{value}` is not hex")))
                };
                match (key, value) {
                    ("swbreak" | "hwbreak", _) | ("reason", "breakpoint") => swbreak = true,
                    ("watch", _) => watch = Some((addr()?, true)),
                    ("rwatch" | "awatch", _) => watch = Some((addr()?, false)),
                    _ => {}
                }
            }
            Ok(Reply::Signal {
                signo,
                swbreak,
                watch,
            })
        }
        _ => Err(bad("not a stop (`W`, `X`, `S` or `T`)")),
    }
}

/// The trap a stub's `monitor trap` names.
fn trap_named(message: &str) -> Trap {
    [
        Trap::Unreachable,
        Trap::IntegerDivideByZero,
        Trap::IntegerOverflow,
        Trap::InvalidConversionToInteger,
        Trap::MemoryOutOfBounds,
        Trap::TableOutOfBounds,
        Trap::UndefinedElement,
        Trap::UninitializedElement,
        Trap::IndirectCallTypeMismatch,
        Trap::CallStackExhausted,
    ]
    .into_iter()
    .find(|t| t.to_string() == message)
    .unwrap_or_else(|| Trap::Host(message.to_string()))
}

fn memory_addr(addr: u64) -> Option<u64> {
    let offset = u32::try_from(addr).ok()?;
    WasmAddr::new(WasmAddrType::Memory, 0, offset).map(WasmAddr::as_raw)
}

impl<S: Read + Write> Target for Remote<S> {
    fn frames(&self) -> &[Frame] {
        &self.frames
    }

    fn local(&self, frame: usize, index: u32) -> Result<Option<u64>, Error> {
        let Some(n) = self.level(frame) else {
            return Ok(None);
        };
        self.value(&format!("qWasmLocal:{n};{index}"))
    }

    fn global(&self, index: u32) -> Result<Option<u64>, Error> {
        self.value(&format!("qWasmGlobal:0;{index}"))
    }

    fn set_local(&mut self, frame: usize, index: u32, raw: u64) -> Result<(), Error> {
        let n = self
            .level(frame)
            .ok_or_else(|| Error::no_local(frame, index))?;
        match self.client.get_mut().set_wasm_local(n, index, raw) {
            Err(ClientError::Reply(_)) => Err(Error::no_local(frame, index)),
            other => other.map_err(remote),
        }
    }

    fn stack(&self, frame: usize, index: u32) -> Result<Option<u64>, Error> {
        let Some(n) = self.level(frame) else {
            return Ok(None);
        };
        self.value(&format!("qWasmStackValue:{n};{index}"))
    }

    fn operands(&self, frame: usize) -> Result<Option<Vec<u64>>, Error> {
        let Some(n) = self.level(frame) else {
            return Ok(None);
        };
        let reply = self
            .client
            .borrow_mut()
            .monitor(&format!("operands {n}"))
            .map_err(remote)?;
        let Some(values) = reply.trim().strip_prefix("operands:") else {
            return Ok(None);
        };
        values
            .split_whitespace()
            .map(|v| {
                u64::from_str_radix(v.trim_start_matches("0x"), 16)
                    .map_err(|_| Error::Remote(format!("bad operand `{v}` in `{reply}`")))
            })
            .collect::<Result<Vec<u64>, Error>>()
            .map(Some)
    }

    fn memory(&self, addr: u64, len: usize) -> Result<Vec<u8>, Error> {
        let mut client = self.client.borrow_mut();
        let read = memory_addr(addr)
            .filter(|_| addr.checked_add(len as u64).is_some_and(|e| e <= 1 << 32))
            .map(|at| client.read_memory(at, len, CHUNK, true));
        match read {
            Some(Ok(bytes)) if bytes.len() == len => Ok(bytes),
            Some(Err(e)) if !matches!(e, ClientError::Reply(_)) => Err(remote(e)),
            _ => Err(Error::Memory {
                addr,
                len,
                size: memory_map(&mut client, "ram")?,
            }),
        }
    }

    fn write_memory(&mut self, addr: u64, bytes: &[u8]) -> Result<(), Error> {
        let mut client = self.client.borrow_mut();
        let written = memory_addr(addr)
            .filter(|_| {
                addr.checked_add(bytes.len() as u64)
                    .is_some_and(|e| e <= 1 << 32)
            })
            .map(|at| client.write_memory(at, bytes, WRITE_CHUNK));
        match written {
            Some(Ok(())) => Ok(()),
            Some(Err(e)) if !matches!(e, ClientError::Reply(_)) => Err(remote(e)),
            _ => Err(Error::Memory {
                addr,
                len: bytes.len(),
                size: memory_map(&mut client, "ram")?,
            }),
        }
    }

    fn arm(&mut self, _: &mut DebugSession, site: (u32, u32)) -> Result<(), Error> {
        self.breakpoint(site, true)?;
        self.armed.push(site);
        Ok(())
    }

    fn disarm(&mut self, _: &mut DebugSession, site: (u32, u32)) -> Result<(), Error> {
        self.armed.retain(|&s| s != site);
        self.breakpoint(site, false)
    }

    fn watch(&mut self, addr: u64, len: u64, kind: WatchKind, on: bool) -> Result<(), Error> {
        let at = memory_addr(addr)
            .ok_or_else(|| Error::Value(format!("{addr:#x} is past 32-bit memory")))?;
        let kind = match kind {
            WatchKind::Write => 2,
            WatchKind::Read => 3,
            WatchKind::Access => 4,
        };
        let z = if on { 'Z' } else { 'z' };
        self.point(&format!("{z}{kind},{at:x},{len:x}"))
    }

    fn resume(&mut self, _: &mut DebugSession, run: Run<'_>) -> Result<Event, Error> {
        let mut run = run;
        if self.ended {
            return Err(Error::NotRunning);
        }
        let Some(test) = run.test.take() else {
            let interrupt = run.interruptible.then_some(run.interrupt);
            loop {
                let stopped = self.go(false, interrupt)?;
                if let Some(event) = self.event(stopped, &run, None)? {
                    return Ok(event);
                }
            }
        };
        let mut step = true;
        loop {
            if step {
                let stopped = self.go(true, None)?;
                if let Some(event) = self.event(stopped, &run, None)? {
                    return Ok(event);
                }
            }
            if run.interrupt.swap(false, Ordering::Relaxed) {
                return Ok(Event::Interrupted);
            }
            let top = *self.frames.last().ok_or(Error::NotRunning)?;
            step = true;
            match test(&top, self.frames.len()) {
                Verdict::Stop => return Ok(Event::Stepped),
                Verdict::Go if self.armed.contains(&(top.func, top.pc)) => {
                    return Ok(Event::Breakpoint(top.func, top.pc));
                }
                Verdict::Go => {}
                Verdict::Return(depth) => {
                    if let Some(event) = self.run_to_return(depth, &run)? {
                        return Ok(event);
                    }
                    step = false;
                }
            }
        }
    }

    fn monitor(&mut self, cmd: &str) -> Result<String, Error> {
        self.client.get_mut().monitor(cmd).map_err(remote)
    }

    fn console(&mut self) -> String {
        self.client.get_mut().take_console()
    }

    fn ping(&mut self) -> Result<Option<Duration>, Error> {
        let sent = Instant::now();
        self.client
            .get_mut()
            .request("qfThreadInfo")
            .map_err(remote)?;
        Ok(Some(sent.elapsed()))
    }

    fn detach(&mut self) -> Result<(), Error> {
        match self.client.get_mut().request("D").map_err(remote)?.as_str() {
            "OK" => {
                self.ended = true;
                Ok(())
            }
            other => Err(Error::Remote(format!("detach answered `{other}`"))),
        }
    }

    fn kill(&mut self) {
        if !self.ended {
            let _ = self.client.get_mut().send_raw(&crate::packet::frame(b"k"));
            self.ended = true;
        }
    }
}

/// A boxed remote target, for [`debugger::Session::attach`].
pub fn boxed<S: Read + Write + 'static>(
    client: Client<S>,
    module: &Rc<Module>,
) -> Result<Box<dyn Target>, Error> {
    Ok(Box::new(Remote::new(client, module.clone())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(text: &str) -> (u8, bool, Option<(u64, bool)>) {
        match parse_stop(text) {
            Ok(Reply::Signal {
                signo,
                swbreak,
                watch,
            }) => (signo, swbreak, watch),
            Ok(Reply::Exited(c)) => panic!("{text}: exited {c}"),
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn stop_replies() {
        assert!(matches!(parse_stop("W00"), Ok(Reply::Exited(0))));
        assert!(matches!(parse_stop("W2a"), Ok(Reply::Exited(42))));
        assert!(matches!(parse_stop("X09"), Ok(Reply::Exited(137))));
        assert_eq!(signal("T05thread:p01.01;"), (5, false, None));
        assert_eq!(signal("T05swbreak:;thread:p01.01;"), (5, true, None));
        assert_eq!(signal("S08"), (8, false, None));
        assert_eq!(signal("T05watch:1130;"), (5, false, Some((0x1130, true))));
        assert_eq!(signal("T05rwatch:10;"), (5, false, Some((0x10, false))));
        // Every form gdb reads: registers, threads and keys it does not know are passed over.
        assert_eq!(signal("S05"), (5, false, None));
        assert_eq!(signal("T05"), (5, false, None));
        assert_eq!(signal("T05thread:02;"), (5, false, None));
        assert_eq!(
            signal("T0500:0000000000000040;thread:p01.01;core:0;;"),
            (5, false, None)
        );
        assert_eq!(signal("T05reason:breakpoint;"), (5, true, None));
        assert_eq!(signal("T05hwbreak:;"), (5, true, None));
        assert!(matches!(parse_stop("W00;process:1"), Ok(Reply::Exited(0))));
        assert!(matches!(parse_stop("W1"), Ok(Reply::Exited(1))));
        assert!(matches!(
            parse_stop("X09;process:1"),
            Ok(Reply::Exited(137))
        ));
        let watch = parse_stop("T05watch:zz;").err().map(|e| e.to_string());
        assert_eq!(
            watch.as_deref(),
            Some(
                "remote target: unexpected stop reply `T05watch:zz;`: `watch` address `zz` is not hex"
            )
        );
        for bad in [
            "", "T", "T5", "Tzz", "T+5", "OK", "E01", "W", "W100", "W+1", "N", "é",
        ] {
            let e = parse_stop(bad).err().map(|e| e.to_string());
            assert!(
                e.is_some_and(|e| e.contains("unexpected stop reply")),
                "{bad}"
            );
        }
    }

    #[test]
    fn traps_by_their_message() {
        assert_eq!(
            trap_named("integer divide by zero"),
            Trap::IntegerDivideByZero
        );
        assert_eq!(trap_named("unreachable"), Trap::Unreachable);
        assert_eq!(
            trap_named("stack smashed"),
            Trap::Host("stack smashed".into())
        );
    }
}
