//! The debug stub on UART0: the program stops before its first instruction and is served to a
//! GDB remote-protocol client (`wrt-dbg attach`, LLDB) through the same event loop the host's
//! `wrt-dbg serve` runs ([`gdb_bridge::stub::session`]).

use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::string::{String, ToString};

use gdb_bridge::WasmTarget;
use gdb_bridge::stub::{self, Buffers, Ending, Framer, Input, Inputs};
use gdb_bridge::target::Exec;
use gdbstub::conn::Connection;
use runtime_core::limits::{DebugLevel, PlatformLimits};

use crate::HEAP;
use crate::footprint::Parts;
use crate::load::Loaded;
use crate::uart::UART0;

/// Exit status when the client kills the program.
const KILLED: i32 = 137;

/// The client's bytes, framed as they are polled off UART0.
struct Uart0 {
    framer: Framer,
    queue: VecDeque<Input>,
    interrupt: bool,
}

impl Uart0 {
    /// Frames every byte waiting on the UART.
    fn poll(&mut self) {
        while let Some(b) = UART0.read() {
            if let Some(input) = self.framer.push(b) {
                self.interrupt |= input == Input::Byte(0x03);
                self.queue.push_back(input);
            }
        }
    }
}

impl Inputs for Uart0 {
    fn recv(&mut self) -> Option<Input> {
        loop {
            self.poll();
            if let Some(input) = self.queue.pop_front() {
                return Some(input);
            }
        }
    }
    fn try_recv(&mut self) -> Option<Input> {
        self.poll();
        self.queue.pop_front()
    }
    fn interrupted(&mut self) -> bool {
        self.poll();
        self.interrupt
    }
    fn clear_interrupt(&mut self) {
        self.interrupt = false;
    }
    fn no_ack(&self) -> bool {
        self.framer.no_ack
    }
}

/// Writes to UART0; the UART cannot fail.
struct Link;

impl Connection for Link {
    type Error = core::convert::Infallible;
    fn write(&mut self, byte: u8) -> Result<(), Self::Error> {
        UART0.write(byte);
        Ok(())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Serves the loaded module (whose file is `bytes`) until the program ends or is killed: its
/// exit status and what setting up the session held (its tables and, where the debug level has
/// one, the profile, allocated up front); or why it could not be served.
pub fn serve(
    loaded: Loaded,
    bytes: &'static [u8],
    limits: &PlatformLimits,
) -> Result<(i32, Parts), (String, Parts)> {
    let Loaded {
        module,
        store,
        instance,
        entry,
        mut parts,
    } = loaded;
    let before = HEAP.held();
    let file: Rc<[u8]> = Rc::from(bytes);
    let target = WasmTarget::new(
        store,
        instance,
        entry,
        module,
        file,
        env!("WRT_MODULE_NAME").into(),
        limits,
    );
    let mut target = match target {
        Ok(t) => t,
        Err(e) => return Err((e.to_string(), parts)),
    };
    if limits.debug_level >= DebugLevel::BasicProfile
        && let Err(e) = target.set_profiling(true)
    {
        return Err((e, parts));
    }
    let tables = HEAP.held();
    let mut buffers = match Buffers::new(limits) {
        Ok(b) => b,
        Err(e) => return Err((e.to_string(), parts)),
    };
    let mut inputs = Uart0 {
        framer: Framer::new(buffers.packet_size()),
        queue: VecDeque::new(),
        interrupt: false,
    };
    parts.session = HEAP.held() - before;
    parts.bridge = HEAP.held() - tables;
    loop {
        let ending = stub::session(&mut target, &mut inputs, &mut buffers, || Ok(Link), |_| {});
        let ending = match ending {
            Ok(e) => e,
            Err(e) => return Err((e, parts)),
        };
        match (ending, &target.exec) {
            (Ending::Killed, _) => return Ok((KILLED, parts)),
            (_, Exec::Exited(code)) => return Ok((*code, parts)),
            (Ending::Exited, Exec::Trapped(_)) => return Ok((134, parts)),
            // The client went away: the program waits, stopped, for the next.
            _ => {}
        }
    }
}
