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
    let mut child = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
        .arg("serve")
        .args(args)
        .arg(root().join(format!("tests/fixtures/wasm/{fixture}.wasm")))
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
