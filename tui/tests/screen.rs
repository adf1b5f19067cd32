//! The full-screen interface in a real terminal: `wrt-dbg debug` and `attach` run in tmux (Debian
//! package tmux), driven with `send-keys` and read with `capture-pane`, on a C and a Rust fixture,
//! locally and attached over TCP and a serial line. Each session ends with `q` and the terminal
//! is left as it was (the shell's next line prints below no leftover screen).

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{pty_pair, root, serve};

/// A tmux session running one command in a 120x40 window.
struct Tmux {
    name: String,
    _config: tempfile::TempDir,
}

impl Tmux {
    /// Starts `args` of wrt-dbg in a new session; when it exits, the shell prints `EXITED <code>`.
    fn start(args: &[String]) -> Option<Tmux> {
        Tmux::start_with(args, |_| {})
    }

    /// [`Tmux::start`] with the configuration directory (`XDG_CONFIG_HOME`) first laid out by
    /// `setup`.
    fn start_with(args: &[String], setup: impl FnOnce(&std::path::Path)) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var_os("WRT_REQUIRE_TMUX").is_none(),
                "WRT_REQUIRE_TMUX is set but there is no tmux"
            );
            eprintln!("no tmux: terminal tests skipped");
            return None;
        }
        let config = tempfile::tempdir().unwrap();
        setup(config.path());
        let name = format!("wrt-dbg-{}-{}", std::process::id(), args.len() + rand());
        let bin = PathBuf::from(env!("CARGO_BIN_EXE_wrt-dbg"));
        let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
        let line = format!(
            "cd {} && XDG_CONFIG_HOME={} {} {}; echo EXITED $?; sleep 60",
            root().display(),
            config.path().display(),
            bin.display(),
            quoted.join(" ")
        );
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                "120",
                "-y",
                "40",
                &line,
            ])
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux new-session");
        Some(Tmux {
            name,
            _config: config,
        })
    }

    /// Sends tmux key names (`F10`, `S-F11`, `Enter`), one at a time as a hand types them.
    fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.send(&[key]);
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    fn send(&self, args: &[&str]) {
        let ok = Command::new("tmux")
            .args(["send-keys", "-t", &self.name])
            .args(args)
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux send-keys {args:?}");
    }

    /// Moves the focus from the command line to the panes: Escape alone (tmux sends a quick
    /// Escape and the next key as one Alt chord).
    fn escape(&self) {
        self.send(&["Escape"]);
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Types a command line.
    fn command(&self, line: &str) {
        self.send(&["-l", line]);
        self.keys(&["Enter"]);
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text`; fails with the screen after 20 s.
    fn wait_for(&self, text: &str) -> String {
        let end = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < end,
                "`{text}` never appeared; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

fn rand() -> usize {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as usize)
}

/// The C session: a breakpoint, run, F10, Shift-F11, F11, a struct expanded, a watch, memory,
/// quit; the terminal restored.
fn c_session(t: &Tmux) {
    t.wait_for("(wrt-dbg)");
    t.command("break scale");
    t.wait_for("Breakpoint 1 at 0x48b: file vec.c, line 25.");
    t.command("run");
    t.wait_for("Breakpoint 1, scale (v=0x11300, k=1) at vec.c:25");
    // The gutter marks the breakpoint and the line.
    t.wait_for("●▶25");
    t.keys(&["F10"]);
    t.wait_for("▶26");
    t.keys(&["S-F11"]);
    t.wait_for("Value returned is $1 = {x = 1, y = 2, z = 3}");
    t.keys(&["F11"]);
    t.wait_for("add (acc=0x112f0, v=0x112e0) at vec.c:19");
    // Variables: expand `*acc` through the pointer.
    t.escape();
    t.keys(&["Tab", "Tab"]);
    t.wait_for("▸ acc = (struct vec *) 0x112f0");
    t.keys(&["Enter"]);
    t.wait_for("▾ acc");
    t.keys(&["Down", "Enter"]);
    t.wait_for("x = 0");
    // A watch on `v` (below acc, *acc and its three fields), then its memory.
    t.keys(&["Down", "Down", "Down", "Down", "w"]);
    t.wait_for("Watch (1)");
    t.wait_for("v = (const struct vec *) 0x112e0");
    t.keys(&["m"]);
    t.wait_for("Memory: v");
    t.wait_for("0x000112e0  01 00 00 00");
    t.keys(&["q"]);
    let s = t.wait_for("EXITED 0");
    assert!(
        !s.contains("Source: vec.c") && !s.contains("Breakpoints"),
        "the terminal is restored:\n{s}"
    );
}

fn module(name: &str) -> String {
    format!("tests/fixtures/wasm/{name}.wasm")
}

#[test]
fn a_c_program_at_the_terminal() {
    let args = [
        "debug",
        "-d",
        "tests/fixtures/src",
        "--program-output",
        "/dev/null",
    ];
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    args.push(module("c-vec-O0"));
    let Some(t) = Tmux::start(&args) else { return };
    c_session(&t);
}

#[test]
fn a_rust_program_at_the_terminal() {
    let args: Vec<String> = ["debug".to_string(), module("rust-demo-O0")].into();
    let Some(t) = Tmux::start(&args) else { return };
    t.wait_for("(wrt-dbg)");
    t.command("break demo.rs:85");
    t.command("run");
    t.wait_for("Breakpoint 1, demo::main () at demo.rs:85");
    t.escape();
    t.keys(&["Tab", "Tab"]);
    let s = t.wait_for("▸ primes = vec![2, 3, 5");
    assert!(s.contains("Output"), "{s}");
    assert!(
        s.contains("largest: Some(Rect"),
        "the program's output in its pane:\n{s}"
    );
    t.keys(&["F11"]);
    t.wait_for("Stack");
    t.keys(&["q"]);
    t.wait_for("EXITED 0");
}

/// A child process killed when the test ends, passed or not.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn an_attached_program_at_the_terminal_over_tcp() {
    let server = serve("c-vec-O0", &["--listen", "0", "--once"]);
    let target = format!("tcp:{}", server.address());
    let _server = Killed(server.child);
    let args: Vec<String> = [
        "attach".to_string(),
        "-d".into(),
        "tests/fixtures/src".into(),
        target,
    ]
    .into();
    let Some(t) = Tmux::start(&args) else { return };
    c_session(&t);
}

#[test]
fn an_attached_program_at_the_terminal_over_a_serial_line() {
    let (socat, [a, b]) = pty_pair();
    let _socat = Killed(socat);
    let _server = Killed(serve("c-vec-O0", &["--serial", &a, "--once"]).child);
    let args: Vec<String> = [
        "attach".to_string(),
        "-d".into(),
        "tests/fixtures/src".into(),
        format!("serial:{b}"),
    ]
    .into();
    let Some(t) = Tmux::start(&args) else { return };
    c_session(&t);
}

/// A TCP relay from `port` to `to` (socat), for one connection: killing it drops the link as a
/// pulled cable does, and a new one on the same port restores the way to the server.
fn relay(port: u16, to: &str) -> Killed {
    use std::io::BufRead;
    let mut child = Command::new("socat")
        .args([
            "-d",
            "-d",
            &format!("TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr"),
            &format!("TCP:{to}"),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("socat (Debian package socat) relays TCP");
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("listening on") {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "socat ended");
    }
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    Killed(child)
}

#[test]
fn a_dropped_link_is_shown_and_the_session_reconnects() {
    let server = serve("c-vec-O0", &["--listen", "0"]);
    let to = server.address().to_string();
    let _server = Killed(server.child);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let first = relay(port, &to);
    let args: Vec<String> = [
        "attach".to_string(),
        "-d".into(),
        "tests/fixtures/src".into(),
        format!("tcp:127.0.0.1:{port}"),
    ]
    .into();
    let Some(t) = Tmux::start(&args) else { return };
    t.wait_for("(wrt-dbg)");
    t.command("break scale");
    t.command("continue");
    t.wait_for("Breakpoint 1, scale (v=0x11300, k=1) at vec.c:25");
    // The status bar times the link.
    t.wait_for(" ms ");
    drop(first);
    t.wait_for("link lost: reconnect");
    let _second = relay(port, &to);
    t.command("reconnect");
    t.wait_for("Reconnected.");
    // The server kept the program where it stopped.
    let s = t.wait_for("●▶25");
    assert!(s.contains("#0  scale vec.c:25"), "the stack is back:\n{s}");
    let status = s
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert!(status.contains(" link "), "the link is timed again:\n{s}");
    assert!(!status.contains("link lost"), "{s}");
    t.command("next");
    t.wait_for("▶26");
    t.keys(&["C-q"]);
    t.wait_for("EXITED 0");
}

/// Lays `files` out in the configuration directory's `wrt-dbg/`: each a symbolic link to a
/// device, or a FIFO where the target is `fifo`.
fn lay_out(config: &std::path::Path, files: &[(&str, &str)]) {
    let dir = config.join("wrt-dbg");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, target) in files {
        let path = dir.join(name);
        if *target == "fifo" {
            assert!(
                Command::new("mkfifo")
                    .arg(&path)
                    .status()
                    .unwrap()
                    .success()
            );
        } else {
            std::os::unix::fs::symlink(target, &path).unwrap();
        }
    }
}

#[test]
fn endless_or_blocking_histories_are_skipped_with_a_warning_and_the_session_goes_on() {
    for (front, files) in [
        ("tui", [("tui-history", "/dev/zero"), ("unused", "fifo")]),
        ("cli", [("history", "/dev/zero"), ("unused", "fifo")]),
        ("cli", [("history", "fifo"), ("unused", "/dev/full")]),
    ] {
        let mut args = vec!["debug".to_string()];
        if front == "cli" {
            args.push("--cli".into());
        }
        args.push(module("c-vec-O0"));
        let Some(t) = Tmux::start_with(&args, |c| lay_out(c, &files)) else {
            return;
        };
        t.wait_for("not used: not a");
        t.wait_for("(wrt-dbg)");
        t.command("print 6*7");
        t.wait_for("$1 = 42");
    }
}

#[test]
fn an_endless_or_blocking_key_map_is_refused_by_name_before_the_screen_opens() {
    for target in ["/dev/zero", "fifo"] {
        let args = vec!["debug".to_string(), module("c-vec-O0")];
        let Some(t) = Tmux::start_with(&args, |c| lay_out(c, &[("tui.toml", target)])) else {
            return;
        };
        let s = t.wait_for("EXITED 2");
        assert!(s.contains("tui.toml: not a regular file"), "{s}");
    }
}
