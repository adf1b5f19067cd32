//! What the whole-program tests share: the workspace paths, the fixtures' expected output, a
//! `wrt-dbg serve` child and a pseudo-terminal pair standing in for a serial line.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStderr, Command, Stdio};

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What a fixture prints when run natively.
pub fn expected_stdout(name: &str) -> String {
    std::fs::read_to_string(root().join(format!("tests/fixtures/expected/{name}.stdout"))).unwrap()
}

/// A running `wrt-dbg serve` and the LLDB connect line it printed.
pub struct Server {
    /// The server; its stdout is the program's output.
    pub child: Child,
    /// `process connect --plugin wasm ...`.
    pub connect: String,
}

impl Server {
    /// The server's `HOST:PORT`, from its connect line.
    pub fn address(&self) -> &str {
        self.connect.rsplit("//").next().unwrap_or_default()
    }

    /// Waits for the server to end: the program's output and the server's exit status.
    pub fn finish(self) -> (String, Option<i32>) {
        let done = self.child.wait_with_output().expect("server ends");
        (
            String::from_utf8_lossy(&done.stdout).into_owned(),
            done.status.code(),
        )
    }
}

/// Serves a fixture with `args` (`--listen 0 --once`, `--serial PTY`).
pub fn serve(fixture: &str, args: &[&str]) -> Server {
    serve_module(
        &root().join(format!("tests/fixtures/wasm/{fixture}.wasm")),
        args,
    )
}

/// Serves the module at `path` with `args`.
pub fn serve_module(path: &std::path::Path, args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
        .arg("serve")
        .args(args)
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wrt-dbg serve");
    let [connect] = said(child.stderr.take().unwrap(), "process connect");
    Server { child, connect }
}

/// The first `N` lines a child writes to stderr with `marker` in them, each from the marker on;
/// the rest of its stderr is drained on a thread.
fn said<const N: usize>(stderr: ChildStderr, marker: &str) -> [String; N] {
    let mut err = BufReader::new(stderr);
    let mut found = Vec::new();
    let mut all = String::new();
    let mut line = String::new();
    while found.len() < N && err.read_line(&mut line).unwrap() > 0 {
        all.push_str(&line);
        if let Some(at) = line.find(marker) {
            found.push(line[at..].trim().to_string());
        }
        line.clear();
    }
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    found
        .try_into()
        .unwrap_or_else(|_| panic!("no {N} lines with `{marker}` in: {all}"))
}

/// A pseudo-terminal pair joined by socat (Debian package socat): the process and its two ends.
pub fn pty_pair() -> (Child, [String; 2]) {
    let mut socat = Command::new("socat")
        .args(["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("socat (Debian package socat) makes the pty pair");
    let [a, b] = said(socat.stderr.take().unwrap(), "PTY is ")
        .map(|l| l.trim_start_matches("PTY is ").to_string());
    (socat, [a, b])
}

/// The LLDB to drive, or `None` (after saying why) when there is none and none is required.
pub fn lldb() -> Option<PathBuf> {
    let found = std::env::var_os("WRT_LLDB").map(PathBuf::from).or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|d| d.join("lldb"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("WRT_REQUIRE_LLDB").is_none(),
            "WRT_REQUIRE_LLDB is set but no lldb was found (set WRT_LLDB or PATH)"
        );
        eprintln!("no lldb (set WRT_LLDB or PATH): LLDB tests skipped");
    }
    found
}

/// A stub on loopback for one client: acks every packet and answers it with the packets
/// `reply(body)` gives, reply bodies escaped and framed here (none answers nothing at all). Its
/// `HOST:PORT`.
pub fn stub(mut reply: impl FnMut(&str) -> Vec<Vec<u8>> + Send + 'static) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else {
            return;
        };
        let mut r = BufReader::new(s.try_clone().unwrap());
        loop {
            let mut packet = Vec::new();
            if r.read_until(b'#', &mut packet).unwrap_or(0) == 0 {
                return;
            }
            let mut sum = [0u8; 2];
            if r.read_exact(&mut sum).is_err() {
                return;
            }
            let body = String::from_utf8_lossy(&packet);
            let body = body.rsplit('$').next().unwrap_or("").trim_end_matches('#');
            let mut framed = b"+".to_vec();
            for answer in reply(body) {
                framed.extend(gdb_bridge::packet::frame(&escape(&answer)));
            }
            if s.write_all(&framed).is_err() {
                return;
            }
        }
    });
    addr
}

/// A reply body with `#`, `$`, `}` and `*` escaped, as a stub sends binary data.
fn escape(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    for &b in body {
        if matches!(b, b'#' | b'$' | b'}' | b'*') {
            out.extend([b'}', b ^ 0x20]);
        } else {
            out.push(b);
        }
    }
    out
}

/// What a stub serving `module` (its code at LLDB's `0x4000000000000000`, 64 KiB of zeroed linear
/// memory) answers to the handshake and to reads: no-ack mode, the memory map (in one part),
/// code and memory reads; `None` for any other packet.
pub fn serving(module: &[u8], body: &str) -> Option<Vec<u8>> {
    const CODE: u64 = 0x4000_0000_0000_0000;
    const MEMORY: usize = 0x1_0000;
    if body == "QStartNoAckMode" {
        return Some(b"OK".to_vec());
    }
    if body.starts_with("qXfer:memory-map:read::") {
        return Some(memory_map(module.len(), MEMORY).into_bytes());
    }
    let (addr, len) = body.strip_prefix(['x', 'm'])?.split_once(',')?;
    let (addr, len) = (
        u64::from_str_radix(addr, 16).ok()?,
        usize::from_str_radix(len, 16).ok()?,
    );
    let (data, at) = match addr.checked_sub(CODE) {
        Some(offset) => (module, offset as usize),
        None => (&[0u8; MEMORY][..], addr as usize),
    };
    let Some(bytes) = data.get(at..at.saturating_add(len).min(data.len())) else {
        return Some(b"E0e".to_vec());
    };
    Some(if body.starts_with('x') {
        bytes.to_vec()
    } else {
        bytes
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
            .into_bytes()
    })
}

/// A whole memory map, as `l` and the XML: the module and `memory` bytes of linear memory.
pub fn memory_map(module: usize, memory: usize) -> String {
    format!(
        "l<memory-map><memory type=\"rom\" start=\"0x4000000000000000\" length=\"{module:#x}\"/>\
         <memory type=\"ram\" start=\"0x0\" length=\"{memory:#x}\"/></memory-map>"
    )
}

/// A call stack as `qWasmCallStack` answers it: each PC 8 bytes little-endian, in hex.
pub fn call_stack(pcs: &[u64]) -> Vec<u8> {
    pcs.iter()
        .flat_map(|pc| pc.to_le_bytes())
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .into_bytes()
}
