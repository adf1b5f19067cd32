//! What the whole-program tests share: the workspace paths, the fixtures' expected output, a
//! `wrt-dbg serve` child and a pseudo-terminal pair standing in for a serial line.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

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

/// Serves a fixture on `transport` (`--listen 0`, `--serial PTY`) until its first client leaves.
pub fn serve(fixture: &str, transport: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
        .args(["serve", "--once"])
        .args(transport)
        .arg(root().join(format!("tests/fixtures/wasm/{fixture}.wasm")))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start wrt-dbg serve");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut connect = String::new();
    let mut said = String::new();
    let mut line = String::new();
    while err.read_line(&mut line).unwrap() > 0 {
        said.push_str(&line);
        if let Some(at) = line.find("process connect") {
            connect = line[at..].trim().to_string();
            break;
        }
        line.clear();
    }
    assert!(!connect.is_empty(), "serve printed no connect line: {said}");
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    Server { child, connect }
}

/// A pseudo-terminal pair joined by socat (Debian package socat): the process and its two ends.
pub fn pty_pair() -> (Child, [String; 2]) {
    let mut socat = Command::new("socat")
        .args(["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("socat (Debian package socat) makes the pty pair");
    let mut err = BufReader::new(socat.stderr.take().unwrap());
    let mut ptys = Vec::new();
    let mut line = String::new();
    while ptys.len() < 2 && err.read_line(&mut line).unwrap() > 0 {
        if let Some(at) = line.find("PTY is ") {
            ptys.push(line[at + 7..].trim().to_string());
        }
        line.clear();
    }
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    let [a, b]: [String; 2] = ptys.try_into().expect("socat names two ptys");
    (socat, [a, b])
}
