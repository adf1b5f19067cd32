//! The host's transports (`std`): a client's bytes arrive on a reader thread, which frames them
//! ([`crate::stub::Framer`]) for the event loop ([`crate::stub::session`]) on this one, and raises
//! an interrupt when a Ctrl-C (0x03) comes in while the program runs, or when the client goes
//! away: a running program stops and waits for the next client.

use std::io::{self, Read, Write};
use std::string::{String, ToString};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};

use gdbstub::conn::Connection;

use crate::stub::{self, Buffers, Ending, Framer, Input, Inputs};
use crate::target::WasmTarget;

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

/// The inputs the reader thread sends, and the flags it raises.
struct Channel {
    rx: Receiver<Input>,
    interrupt: Arc<AtomicBool>,
    no_ack: Arc<AtomicBool>,
}

impl Inputs for Channel {
    fn recv(&mut self) -> Option<Input> {
        self.rx.recv().ok()
    }
    fn try_recv(&mut self) -> Option<Input> {
        self.rx.try_recv().ok()
    }
    fn interrupted(&mut self) -> bool {
        self.interrupt.load(Ordering::Relaxed)
    }
    fn clear_interrupt(&mut self) {
        self.interrupt.store(false, Ordering::Relaxed);
    }
    fn no_ack(&self) -> bool {
        self.no_ack.load(Ordering::Relaxed)
    }
}

/// Reads a connection's bytes on a thread of their own and passes on what the framer makes of
/// them; a Ctrl-C also raises the interrupt at once, for the running program to see, and so does
/// the end of the connection, after which the inputs end.
fn reader(mut input: impl Read + Send + 'static, packet_size: usize) -> Channel {
    let (tx, rx) = mpsc::channel();
    let interrupt = Arc::new(AtomicBool::new(false));
    let no_ack = Arc::new(AtomicBool::new(false));
    let (raise, acks_off) = (interrupt.clone(), no_ack.clone());
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut framer = Framer::new(packet_size);
        'read: loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::TimedOut => continue,
                Err(_) => break,
            };
            for &b in &buf[..n] {
                let Some(input) = framer.push(b) else {
                    continue;
                };
                if input == Input::Byte(0x03) {
                    raise.store(true, Ordering::Relaxed);
                }
                acks_off.store(framer.no_ack, Ordering::Relaxed);
                if tx.send(input).is_err() {
                    break 'read;
                }
            }
        }
        // The client has gone: a running program stops, as for its Ctrl-C.
        raise.store(true, Ordering::Relaxed);
    });
    Channel {
        rx,
        interrupt,
        no_ack,
    }
}

/// Serves one client on `input` (writing through connections `output` opens) until it disconnects
/// (a running program stopped where it is), kills the program, or the program ends. A packet the
/// stub fails on gets an `E01` reply and a fresh stub (the program's state is the target's,
/// untouched); it never ends the session.
pub fn serve<R, W>(
    target: &mut WasmTarget,
    input: R,
    mut output: impl FnMut() -> io::Result<W>,
) -> Result<Ending, String>
where
    R: Read + Send + 'static,
    W: Write,
{
    let mut buffers = Buffers::new(target.limits()).map_err(|e| e.to_string())?;
    let size = buffers.packet_size();
    let mut inputs = reader(input, size);
    let connect = || {
        output()
            .map(|w| Link(io::BufWriter::with_capacity(size, w)))
            .map_err(|e| e.to_string())
    };
    stub::session(target, &mut inputs, &mut buffers, connect, |e| {
        std::eprintln!("wrt-dbg: a packet the stub failed on answered with E01: {e}");
    })
}
