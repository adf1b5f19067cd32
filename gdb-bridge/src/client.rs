//! The client side of the GDB remote protocol (`std`): packet framing, checksums, acks and
//! no-ack mode, run-length and escape decoding, and the requests a debugger front-end makes of a
//! Wasm target (`qWasmCallStack`, `qWasmLocal`, memory reads, breakpoints, resume and step).

use std::collections::VecDeque;
use std::format;
use std::io::{self, Read, Write};
use std::string::String;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use std::vec::Vec;

use crate::packet::{checksum, decode, frame, hex, unhex};

/// How long a reply may take unless [`Client::set_timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest packet body read from a server: a longer one is a protocol error, not memory spent.
pub const MAX_PACKET: usize = 1 << 20;

/// The longest `qXfer` object read from a server, all its parts together: a longer one is
/// refused by this name.
pub const MAX_XFER: usize = 1 << 20;

/// Bytes asked for in each part of a `qXfer` read; a stub with a smaller packet buffer sends
/// fewer, and the next part is asked for from where it stopped.
const XFER_PART: usize = 0xffff;

/// A connection to a GDB remote-protocol server.
///
/// Every reply must come within the timeout, except the stop reply of a `continue`, which comes
/// when the program stops. The stream needs a read timeout of its own (a fraction of this one) for
/// a silent server to be noticed.
pub struct Client<S: Read + Write> {
    stream: S,
    acks: bool,
    /// Bytes read but not yet taken.
    pending: VecDeque<u8>,
    timeout: Duration,
    /// Console output (`O` packets) the server sent while the program ran, at most
    /// [`MAX_PACKET`] bytes.
    console: Vec<u8>,
}

/// A failed exchange.
#[derive(Debug)]
pub enum ClientError {
    /// The transport failed or closed.
    Io(io::Error),
    /// The server sent something that is not a packet.
    Protocol(String),
    /// The server answered `Exx`.
    Reply(u8),
    /// The server did not answer within the timeout.
    Timeout(Duration),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Io(e) => write!(f, "connection: {e}"),
            ClientError::Protocol(m) => write!(f, "protocol: {m}"),
            ClientError::Reply(n) => write!(f, "error reply E{n:02x}"),
            ClientError::Timeout(t) => write!(f, "no reply within {:.1} s", t.as_secs_f64()),
        }
    }
}

impl From<io::Error> for ClientError {
    fn from(e: io::Error) -> Self {
        ClientError::Io(e)
    }
}

impl<S: Read + Write> Client<S> {
    /// A client on `stream`, acking until no-ack mode is agreed.
    pub fn new(stream: S) -> Self {
        Client {
            stream,
            acks: true,
            pending: VecDeque::new(),
            timeout: DEFAULT_TIMEOUT,
            console: Vec::new(),
        }
    }

    /// How long a reply may take (the stop reply of a `continue` excepted).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Asks for no-ack mode (`QStartNoAckMode`); later packets go unacknowledged both ways.
    pub fn no_ack(&mut self) -> Result<(), ClientError> {
        if self.request("QStartNoAckMode")? == "OK" {
            self.acks = false;
        }
        Ok(())
    }

    /// Sends raw bytes (for malformed input in tests).
    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<(), ClientError> {
        self.stream.write_all(bytes)?;
        self.stream.flush()?;
        Ok(())
    }

    /// The next byte from the server. While the line is quiet (a read timeout) and `interrupt`
    /// is set, it is taken and the server interrupted (`0x03`, as Ctrl-C in gdb); a quiet line
    /// past `deadline` is [`ClientError::Timeout`].
    fn byte(
        &mut self,
        interrupt: Option<&AtomicBool>,
        deadline: Option<Instant>,
    ) -> Result<u8, ClientError> {
        if let Some(b) = self.pending.pop_front() {
            return Ok(b);
        }
        let mut b = [0u8; 4096];
        // Checked before each read, not each byte: a server that trickles bytes that never make a
        // packet is cut off too, at the cost of one clock read per buffer. A signal interrupts a
        // read with a timeout even under SA_RESTART (signal(7)): it is read again.
        let n = loop {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(ClientError::Timeout(self.timeout));
            }
            match self.stream.read(&mut b) {
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut
                            | io::ErrorKind::WouldBlock
                            | io::ErrorKind::Interrupted
                    ) =>
                {
                    if interrupt.is_some_and(|i| i.swap(false, Ordering::Relaxed)) {
                        self.send_raw(&[0x03])?;
                    }
                }
                other => break other?,
            }
        };
        if n == 0 {
            return Err(ClientError::Io(io::ErrorKind::UnexpectedEof.into()));
        }
        self.pending.extend(&b[1..n]);
        Ok(b[0])
    }

    /// Reads one packet within the timeout, checks its checksum, acks it (when acking) and returns
    /// its decoded body.
    pub fn read_packet(&mut self) -> Result<Vec<u8>, ClientError> {
        self.read_packet_or_interrupt(None, true)
    }

    /// Reads one packet; only a `timed` one must arrive within the timeout (a packet once begun
    /// must always end within it).
    fn read_packet_or_interrupt(
        &mut self,
        interrupt: Option<&AtomicBool>,
        timed: bool,
    ) -> Result<Vec<u8>, ClientError> {
        let timeout = self.timeout;
        let deadline = || Instant::now().checked_add(timeout);
        let first = if timed { deadline() } else { None };
        // Acks and anything else between packets (a device's boot messages on the same UART)
        // are passed over, as the server does.
        while self.byte(interrupt, first)? != b'$' {}
        let rest = deadline();
        let mut body = Vec::new();
        loop {
            match self.byte(None, rest)? {
                b'#' => break,
                _ if body.len() == MAX_PACKET => {
                    return Err(ClientError::Protocol(format!(
                        "a reply longer than {MAX_PACKET} bytes"
                    )));
                }
                b => body.push(b),
            }
        }
        let sum = [self.byte(None, rest)?, self.byte(None, rest)?];
        let want = unhex(&sum).and_then(|v| v.first().copied());
        if want != Some(checksum(&body)) {
            return Err(ClientError::Protocol(format!(
                "bad checksum on a {}-byte reply",
                body.len()
            )));
        }
        if self.acks {
            self.send_raw(b"+")?;
        }
        Ok(decode(&body))
    }

    /// Sends a packet and returns the reply body as text; `Exx` replies are errors.
    pub fn request(&mut self, body: &str) -> Result<String, ClientError> {
        let reply = self.exchange(body)?;
        Ok(String::from_utf8_lossy(&reply).into_owned())
    }

    /// Sends a packet and returns the reply body as bytes; `Exx` replies are errors.
    fn exchange(&mut self, body: &str) -> Result<Vec<u8>, ClientError> {
        self.send_raw(&frame(body.as_bytes()))?;
        let reply = self.read_packet()?;
        match reply.as_slice() {
            [b'E', code @ ..] if code.len() == 2 => match unhex(code) {
                Some(n) => Err(ClientError::Reply(n[0])),
                None => Ok(reply),
            },
            _ => Ok(reply),
        }
    }

    /// The whole of `qXfer` object `object` (annex `annex`), read part by part from offset 0
    /// until a part comes marked last (`l`), as a stub with a small packet buffer sends it. An
    /// object longer than [`MAX_XFER`], an empty middle part or a reply that is neither kind of
    /// part is a protocol error; an empty reply means the stub does not serve the object.
    pub fn read_xfer(&mut self, object: &str, annex: &str) -> Result<Vec<u8>, ClientError> {
        let mut out = Vec::new();
        loop {
            let at = out.len();
            let reply =
                self.exchange(&format!("qXfer:{object}:read:{annex}:{at:x},{XFER_PART:x}"))?;
            let (last, part) = match reply.split_first() {
                Some((b'l', part)) => (true, part),
                Some((b'm', part)) if !part.is_empty() => (false, part),
                Some((b'm', _)) => {
                    return Err(ClientError::Protocol(format!(
                        "qXfer:{object}: an empty part at offset {at} that is not the last"
                    )));
                }
                None => {
                    return Err(ClientError::Protocol(format!(
                        "the stub does not serve qXfer:{object}"
                    )));
                }
                Some(_) => {
                    return Err(ClientError::Protocol(format!(
                        "qXfer:{object}: a reply at offset {at} that is neither a part (`m`) nor the last (`l`)"
                    )));
                }
            };
            if at + part.len() > MAX_XFER {
                return Err(ClientError::Protocol(format!(
                    "qXfer:{object}: the object runs past {MAX_XFER} bytes (MAX_XFER)"
                )));
            }
            out.extend_from_slice(part);
            if last {
                return Ok(out);
            }
        }
    }

    /// Reads `len` bytes at an LLDB address in packets of up to `chunk` bytes each: binary `x`
    /// packets, or hex `m` packets when `binary` is false. A reply with more bytes than asked for
    /// is a protocol error.
    pub fn read_memory(
        &mut self,
        addr: u64,
        len: usize,
        chunk: usize,
        binary: bool,
    ) -> Result<Vec<u8>, ClientError> {
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            let n = chunk.min(len - out.len());
            let Some(at) = addr.checked_add(out.len() as u64) else {
                break;
            };
            let bytes = if binary {
                self.exchange(&format!("x{at:x},{n:x}"))?
            } else {
                let reply = self.request(&format!("m{at:x},{n:x}"))?;
                unhex(reply.as_bytes()).ok_or_else(|| {
                    ClientError::Protocol(format!("m{at:x},{n:x}: `{reply}` is not hex"))
                })?
            };
            if bytes.is_empty() {
                break;
            }
            if bytes.len() > n {
                return Err(ClientError::Protocol(format!(
                    "asked for {n} bytes at {at:#x}, the stub sent {}",
                    bytes.len()
                )));
            }
            out.extend_from_slice(&bytes);
        }
        Ok(out)
    }

    /// Writes `bytes` at an LLDB address in hex `M` packets of up to `chunk` bytes each; a reply
    /// other than `OK` is an error.
    pub fn write_memory(
        &mut self,
        addr: u64,
        bytes: &[u8],
        chunk: usize,
    ) -> Result<(), ClientError> {
        for (i, part) in bytes.chunks(chunk.max(1)).enumerate() {
            let at = addr.saturating_add((i * chunk.max(1)) as u64);
            self.expect_ok(&format!("M{at:x},{:x}:{}", part.len(), hex(part)))?;
        }
        Ok(())
    }

    /// Sends a packet whose only good answer is `OK`; any other is a protocol error.
    fn expect_ok(&mut self, body: &str) -> Result<(), ClientError> {
        match self.request(body)?.as_str() {
            "OK" => Ok(()),
            reply => Err(ClientError::Protocol(format!(
                "{body}: the stub answered `{reply}`"
            ))),
        }
    }

    /// Sets local `index` of frame `frame` (0 innermost) to the raw bits `raw`, with our stub's
    /// `QWasmLocal:FRAME;INDEX;HEX` (LLDB's Wasm extension reads locals but cannot write them).
    pub fn set_wasm_local(
        &mut self,
        frame: usize,
        index: u32,
        raw: u64,
    ) -> Result<(), ClientError> {
        let raw = hex(&raw.to_le_bytes());
        self.expect_ok(&format!("QWasmLocal:{frame};{index};{raw}"))
    }

    /// The PCs of the call stack, innermost first: 8 bytes each, little-endian, in hex; any
    /// other length is a protocol error.
    pub fn call_stack(&mut self) -> Result<Vec<u64>, ClientError> {
        let reply = self.request("qWasmCallStack:1")?;
        let bytes = unhex(reply.as_bytes())
            .filter(|b| b.len() % 8 == 0)
            .ok_or_else(|| {
                ClientError::Protocol(format!(
                    "qWasmCallStack: `{reply}` is not PCs of 8 bytes each in hex"
                ))
            })?;
        Ok(bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect())
    }

    /// A Wasm value the server holds (`qWasmLocal:frame;index` and the like), little-endian;
    /// `None` for the empty reply of one that does not exist. A value of more than 8 bytes is a
    /// protocol error.
    pub fn wasm_value(&mut self, query: &str) -> Result<Option<u64>, ClientError> {
        let reply = self.request(query)?;
        if reply.is_empty() {
            return Ok(None);
        }
        let bytes = unhex(reply.as_bytes())
            .filter(|b| b.len() <= 8)
            .ok_or_else(|| {
                ClientError::Protocol(format!(
                    "{query}: `{reply}` is not a value of at most 8 bytes in hex"
                ))
            })?;
        let mut b = [0u8; 8];
        b[..bytes.len()].copy_from_slice(&bytes);
        Ok(Some(u64::from_le_bytes(b)))
    }

    /// Resumes (`vCont;c`) or single-steps (`vCont;s`) and waits for the stop reply.
    pub fn resume(&mut self, step: bool) -> Result<String, ClientError> {
        self.resume_or_interrupt(step, None)
    }

    /// Like [`Client::resume`], interrupting the program when `interrupt` is set while it runs;
    /// the stream needs a read timeout for the flag to be seen.
    pub fn resume_or_interrupt(
        &mut self,
        step: bool,
        interrupt: Option<&AtomicBool>,
    ) -> Result<String, ClientError> {
        let body: &[u8] = if step {
            b"vCont;s:p1.1"
        } else {
            b"vCont;c:p1.-1"
        };
        self.send_raw(&frame(body))?;
        loop {
            let reply = self.read_packet_or_interrupt(interrupt, step)?;
            match reply.split_first() {
                Some((b'O', rest)) if rest != b"K" => {
                    // Kept up to one packet's worth: what a stub sends is bounded here.
                    let room = MAX_PACKET.saturating_sub(self.console.len());
                    let text = unhex(rest).unwrap_or_default();
                    self.console.extend(text.into_iter().take(room));
                }
                _ => return Ok(String::from_utf8_lossy(&reply).into_owned()),
            }
        }
    }

    /// The console output the server sent while the program ran, since last taken.
    pub fn take_console(&mut self) -> String {
        String::from_utf8_lossy(&core::mem::take(&mut self.console)).into_owned()
    }

    /// Sends a `monitor` command (`qRcmd`) and returns what it printed.
    pub fn monitor(&mut self, cmd: &str) -> Result<String, ClientError> {
        self.send_raw(&frame(format!("qRcmd,{}", hex(cmd.as_bytes())).as_bytes()))?;
        let mut text = Vec::new();
        loop {
            let body = self.read_packet()?;
            match body.split_first() {
                Some((b'O', rest)) if rest != b"K" => text.extend(unhex(rest).unwrap_or_default()),
                _ => break,
            }
        }
        Ok(String::from_utf8_lossy(&text).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server whose replies are fixed bytes; what the client sends is dropped.
    struct Replies(io::Cursor<Vec<u8>>);

    impl Read for Replies {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }

    impl Write for Replies {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn client(bytes: &[u8]) -> Client<Replies> {
        let mut c = Client::new(Replies(io::Cursor::new(bytes.to_vec())));
        c.acks = false;
        c
    }

    #[test]
    fn bytes_between_packets_are_passed_over() {
        let mut c = client(b"U-Boot 2024.01\r\n+-\x03$OK#9a$E1c#d9");
        assert_eq!(c.request("qC").unwrap(), "OK");
        assert!(matches!(c.request("qC"), Err(ClientError::Reply(0x1c))));
        assert!(
            matches!(c.request("qC"), Err(ClientError::Io(_))),
            "then the line ends"
        );
    }

    #[test]
    fn bad_checksums_and_run_length_encoding() {
        assert!(matches!(
            client(b"$OK#00").read_packet(),
            Err(ClientError::Protocol(m)) if m.contains("bad checksum")
        ));
        let body = b"0* ";
        let mut packet = Vec::from(&b"$"[..]);
        packet.extend_from_slice(body);
        packet.extend_from_slice(format!("#{:02x}", checksum(body)).as_bytes());
        assert_eq!(client(&packet).read_packet().unwrap(), b"0000");
    }

    /// A client whose server answers with `bodies`, one packet each.
    fn answering(bodies: &[&[u8]]) -> Client<Replies> {
        client(&bodies.iter().flat_map(|b| frame(b)).collect::<Vec<u8>>())
    }

    #[test]
    fn a_qxfer_object_is_read_part_by_part_to_its_last() {
        let mut c = answering(&[b"m<memory-map>", b"m<memory ", b"l/></memory-map>"]);
        assert_eq!(
            c.read_xfer("memory-map", "").unwrap(),
            b"<memory-map><memory /></memory-map>"
        );
        let refused = |bodies: &[&[u8]]| match answering(bodies).read_xfer("memory-map", "") {
            Err(ClientError::Protocol(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(refused(&[b""]).contains("does not serve qXfer:memory-map"));
        assert!(refused(&[b"mab", b"m"]).contains("an empty part at offset 2"));
        assert!(refused(&[b"OK"]).contains("neither a part"));
        let part = [&b"m"[..], &[b'x'; 0xffff]].concat();
        let endless: Vec<&[u8]> = std::iter::repeat_n(&part[..], 17).collect();
        assert!(refused(&endless).contains("runs past 1048576 bytes (MAX_XFER)"));
        assert!(matches!(
            answering(&[b"E05"]).read_xfer("memory-map", ""),
            Err(ClientError::Reply(5))
        ));
    }

    #[test]
    fn values_of_the_wrong_size_are_protocol_errors() {
        fn protocol<T>(r: Result<T, ClientError>) -> bool {
            matches!(r, Err(ClientError::Protocol(_)))
        }
        assert!(protocol(answering(&[b"0011223344"]).call_stack()));
        assert!(protocol(answering(&[b"zz"]).call_stack()));
        assert_eq!(
            answering(&[b"0100000000000040"]).call_stack().unwrap(),
            [0x4000_0000_0000_0001]
        );
        assert!(protocol(
            answering(&[b"001122334455667788"]).wasm_value("qWasmLocal:0;0")
        ));
        assert_eq!(
            answering(&[b"2a000000"])
                .wasm_value("qWasmLocal:0;0")
                .unwrap(),
            Some(42)
        );
        let longer = answering(&[b"abcdefgh"]).read_memory(0, 4, 4096, true);
        assert!(
            matches!(&longer, Err(ClientError::Protocol(m)) if m == "asked for 4 bytes at 0x0, the stub sent 8"),
            "{longer:?}"
        );
    }

    #[test]
    fn console_output_during_a_continue_is_kept_apart_from_the_stop() {
        let mut bytes = Vec::new();
        for body in [&b"O6869"[..], b"O0a", b"W00"] {
            bytes.extend(frame(body));
        }
        let mut c = client(&bytes);
        assert_eq!(c.resume(false).unwrap(), "W00");
        assert_eq!(c.take_console(), "hi\n");
        assert_eq!(c.take_console(), "", "taken");
    }
}
