//! The runtime and its debug stub as firmware on an emulated Cortex-M3 held to 64 KiB of RAM
//! (`tests/embedded/run-qemu`, qemu's mps2-an385): a freestanding C program runs there with its
//! output and exit code, `wrt-dbg attach` debugs it over the board's UART on TCP and on a pty as a
//! local session debugs the same module, the breakpoint table refuses past its capacity, Ctrl-C
//! stops it, LLDB debugs it over the pty, and the budget predicts the RAM the board measures.
//!
//! Needs `qemu-system-arm` (Debian package qemu-system-arm) and the `thumbv7m-none-eabi` target:
//! skipped without them, unless `WRT_REQUIRE_QEMU` is set.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{expected_stdout, root};

/// The fixture every test runs on the board.
const BOARD: &str = "c-board-O1";

/// Whether the board can be booted here; panics when `WRT_REQUIRE_QEMU` asks for it and not.
fn board_available() -> bool {
    let qemu = Command::new("qemu-system-arm")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let target = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("thumbv7m-none-eabi"));
    let ok = qemu && target;
    if !ok {
        assert!(
            std::env::var_os("WRT_REQUIRE_QEMU").is_none(),
            "WRT_REQUIRE_QEMU is set but qemu-system-arm ({qemu}) or the thumbv7m-none-eabi \
             target ({target}) is missing"
        );
        eprintln!("no qemu-system-arm or thumbv7m-none-eabi target: board tests skipped");
    }
    ok
}

fn fixture(name: &str) -> PathBuf {
    root().join(format!("tests/fixtures/wasm/{name}.wasm"))
}

fn wrt_dbg() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
}

/// `run-qemu MODULE ARGS`, its footprint kept in `footprint`.
fn run_qemu(module: &Path, args: &[&str], footprint: &Path) -> Command {
    let mut cmd = Command::new(root().join("tests/embedded/run-qemu"));
    cmd.arg(module)
        .args(args)
        .env("WRT_DBG", env!("CARGO_BIN_EXE_wrt-dbg"))
        .env("FOOTPRINT", footprint);
    cmd
}

/// The `footprint KEY=VALUE` lines the firmware printed.
fn footprint(path: &Path) -> HashMap<String, u64> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.parse().expect("a number")))
        .collect()
}

/// A board serving a module to a debugger, and the host's full copy of that module.
struct Served {
    child: Child,
    /// Where the debugger connects: `tcp:127.0.0.1:PORT` or `serial:/dev/pts/N`.
    spec: String,
    /// The packed module with its DWARF, for `attach --module` and local sessions, under the
    /// name the board reports (so LLDB finds it in this directory).
    full: PathBuf,
    footprint: PathBuf,
    _dir: tempfile::TempDir,
}

impl Served {
    /// Boots the board serving `module` on TCP (`pty` false) or a pty, once qemu is listening.
    fn start(module: &Path, pty: bool) -> Served {
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join(module.file_name().unwrap());
        let packed = wrt_dbg()
            .arg("pack")
            .arg(module)
            .arg("-o")
            .arg(&full)
            .output()
            .unwrap();
        assert!(packed.status.success(), "{packed:?}");
        let footprint = dir.path().join("footprint");
        let port = free_port().to_string();
        let args: &[&str] = if pty { &["--pty"] } else { &["--tcp", &port] };
        let mut child = run_qemu(module, args, &footprint)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run-qemu");
        let marker = if pty {
            "redirected to "
        } else {
            "waiting for connection"
        };
        let line = first_line_with(child.stderr.take().unwrap(), marker);
        let spec = match pty {
            true => {
                let (_, rest) = line.split_once(marker).expect("the marker");
                let path = rest.split_whitespace().next().expect("a pty path");
                format!("serial:{path}")
            }
            false => format!("tcp:127.0.0.1:{port}"),
        };
        Served {
            child,
            spec,
            full,
            footprint,
            _dir: dir,
        }
    }

    /// `wrt-dbg attach --batch` with the script `tui/tests/scripts/SCRIPT.gdb` and the full module.
    fn attach(&self, script: &str) -> Output {
        self.attach_command(script)
            .output()
            .expect("wrt-dbg attach")
    }

    fn attach_command(&self, script: &str) -> Command {
        let mut cmd = wrt_dbg();
        cmd.args(["attach", "--batch", "-x"])
            .arg(root().join(format!("tui/tests/scripts/{script}.gdb")))
            .arg("-d")
            .arg(root().join("tests/fixtures/src"))
            .arg("--module")
            .arg(&self.full)
            .args(["--timeout", "30"])
            .arg(&self.spec);
        cmd
    }

    /// Waits for the board to end: the program's output and the exit status.
    fn finish(self) -> (String, Option<i32>, HashMap<String, u64>) {
        let out = self.child.wait_with_output().expect("run-qemu ends");
        let footprint = footprint(&self.footprint);
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.code(),
            footprint,
        )
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// The first line of `stderr` with `marker` in it (waiting for the firmware's build and boot);
/// the rest is drained on a thread.
fn first_line_with(stderr: ChildStderr, marker: &str) -> String {
    let (tx, rx) = mpsc::channel();
    let wanted = marker.to_string();
    std::thread::spawn(move || {
        let mut err = BufReader::new(stderr);
        let mut seen = String::new();
        let mut line = String::new();
        while err.read_line(&mut line).unwrap_or(0) > 0 {
            seen.push_str(&line);
            if line.contains(&wanted) {
                let _ = tx.send(Ok(line.clone()));
                let _ = std::io::copy(&mut err, &mut std::io::sink());
                return;
            }
            line.clear();
        }
        let _ = tx.send(Err(seen));
    });
    match rx.recv_timeout(Duration::from_secs(600)) {
        Ok(Ok(line)) => line,
        Ok(Err(seen)) => panic!("run-qemu ended before `{marker}`: {seen}"),
        Err(_) => panic!("no `{marker}` from run-qemu in 10 minutes"),
    }
}

/// A local `wrt-dbg debug --batch` of `module` with `script`.
fn local(script: &str, module: &Path) -> Output {
    wrt_dbg()
        .args(["debug", "--batch", "-x"])
        .arg(root().join(format!("tui/tests/scripts/{script}.gdb")))
        .arg("-d")
        .arg(root().join("tests/fixtures/src"))
        .arg("--program-output")
        .arg(module.with_extension("out"))
        .arg(module)
        .output()
        .expect("wrt-dbg debug")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The budget's predictions within 5% of what the board measured: what setup holds, and the
/// heap's high-water mark over the whole run (a served program's packets included).
fn assert_predicted(fp: &HashMap<String, u64>) {
    for (predicted, measured) in [("predicted", "measured"), ("predicted_peak", "heap_peak")] {
        let (p, m) = (fp[predicted] as f64, fp[measured] as f64);
        let error = (p - m) / m * 100.0;
        println!("{predicted} {p}, {measured} {m}: {error:+.2}%");
        assert!(error.abs() <= 5.0, "{predicted} off by {error:.2}%: {fp:?}");
    }
}

/// RAM by part fits the board's 64 KiB, and the heap stayed in its region.
fn assert_fits(fp: &HashMap<String, u64>) {
    assert!(
        fp["data"] + fp["bss"] + fp["stack_region"] <= 64 * 1024,
        "{fp:?}"
    );
    assert!(fp["heap_peak"] <= fp["heap_region"], "{fp:?}");
    assert!(fp["stack_peak"] < fp["stack_region"], "{fp:?}");
}

#[test]
fn a_c_program_runs_on_the_board_with_its_output_and_exit_code() {
    if !board_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fp_path = dir.path().join("footprint");
    let out = run_qemu(&fixture(BOARD), &[], &fp_path).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected_stdout("c-board")
    );
    let status = std::fs::read_to_string(root().join("tests/fixtures/expected/c-board.status"));
    assert_eq!(out.status.code(), status.unwrap().trim().parse().ok());
    let fp = footprint(&fp_path);
    assert_fits(&fp);
    assert_predicted(&fp);
    let table = String::from_utf8_lossy(&out.stderr);
    assert!(table.contains("ram: heap high-water"), "{table}");
}

#[test]
fn attach_over_tcp_debugs_the_board_as_a_local_session() {
    if !board_available() {
        return;
    }
    let board = Served::start(&fixture(BOARD), false);
    let remote = board.attach("board");
    let local = local("board", &board.full);
    assert_eq!(
        text(&remote),
        text(&local),
        "attach said: {}",
        String::from_utf8_lossy(&remote.stderr)
    );
    assert!(text(&remote).contains("Old value = 1\nNew value = 2"));
    let (program, status, fp) = board.finish();
    assert_eq!(program, expected_stdout("c-board"));
    assert_eq!(status, Some(19));
    assert_fits(&fp);
    assert_predicted(&fp);
}

#[test]
fn the_boards_breakpoint_table_refuses_past_its_capacity() {
    if !board_available() {
        return;
    }
    let board = Served::start(&fixture(BOARD), false);
    let out = text(&board.attach("board-capacity"));
    let refused = "limit `max_breakpoints` reached: 10 allowed on zephyr at debug level full";
    let eleventh = format!("(wrt-dbg) break board.c:75\nremote target: {refused}\n");
    assert!(out.contains(&eleventh), "{out}");
    assert!(
        out.contains("Breakpoint 10 at "),
        "the tenth is armed: {out}"
    );
    assert!(out.contains("breakpoints              10 of 10"), "{out}");
    assert!(out.contains(&format!("last refusal: {refused}")), "{out}");
    // The first of the ten the program meets stops it.
    assert!(
        out.contains("Breakpoint 8, _start () at board.c:64"),
        "{out}"
    );
    assert!(out.contains("max_total_memory             65536"), "{out}");
    let (program, status, fp) = board.finish();
    assert_eq!(program, expected_stdout("c-board"));
    assert_eq!(status, Some(19));
    assert_fits(&fp);
    assert_predicted(&fp);
}

#[test]
fn attach_over_a_pty_debugs_the_board() {
    if !board_available() {
        return;
    }
    let board = Served::start(&fixture(BOARD), true);
    let remote = board.attach("board");
    let local = local("board", &board.full);
    assert_eq!(text(&remote), text(&local));
    let (program, status, fp) = board.finish();
    assert_eq!(program, expected_stdout("c-board"));
    assert_eq!(status, Some(19));
    assert_fits(&fp);
    assert_predicted(&fp);
}

#[test]
fn ctrl_c_stops_a_program_running_on_the_board() {
    if !board_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let forever = dir.path().join("forever.wasm");
    let wat = r#"(module (memory 1) (global (export "__heap_base") i32 (i32.const 64))
        (func $spin (export "_start") (loop $l (br $l))))"#;
    std::fs::write(&forever, wat::parse_str(wat).unwrap()).unwrap();
    let board = Served::start(&forever, false);
    let mut attach = board
        .attach_command("run")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = attach.stdout.take().unwrap();
    // Ctrl-C once the session has had time to attach and `run` (its output is not seen before
    // it ends), then again every two seconds until the batch ends, should one land before the
    // client waits for the stop.
    let pid = attach.id().to_string();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let interrupter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(4));
        while done_rx.recv_timeout(Duration::from_secs(2)).is_err() {
            let _ = Command::new("kill").args(["-INT", &pid]).status();
        }
    });
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let _ = done_tx.send(());
    interrupter.join().unwrap();
    assert!(rest.starts_with("(wrt-dbg) run\n"), "{rest}");
    assert!(
        rest.contains("Program received signal SIGINT, Interrupt."),
        "{rest}"
    );
    assert!(rest.contains("in spin ()"), "stopped in the loop: {rest}");
    assert_eq!(attach.wait().unwrap().code(), Some(130));
    // The batch ends by killing the program it attached to.
    let (_, status, fp) = board.finish();
    assert_eq!(status, Some(137));
    assert_fits(&fp);
    assert_predicted(&fp);
}

#[test]
fn lldb_debugs_the_board_over_a_pty() {
    if !board_available() {
        return;
    }
    let Some(lldb) = common::lldb() else {
        return;
    };
    let board = Served::start(&fixture(BOARD), true);
    let pty = board.spec.trim_start_matches("serial:").to_string();
    // `s` points at samples[0]: its `filtered` field, 8 bytes in, is written after the call.
    let commands = format!(
        "process connect --plugin wasm serial://{pty}\n\
         b filter\nc\nbt\nframe variable\np *s\nfinish\np samples[0].value\n\
         watchpoint set expression -w write -s 4 -- 0x1028\nc\n\
         breakpoint delete --force\nwatchpoint delete --force\nc\n"
    );
    let script = board.full.with_extension("lldb");
    std::fs::write(&script, commands).unwrap();
    // LLDB loads the module the board names from its working directory: the host's full file.
    let out = Command::new(lldb)
        .args(["--no-lldbinit", "-b", "-s"])
        .arg(&script)
        .current_dir(board.full.parent().unwrap())
        .output()
        .expect("run lldb");
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    for want in [
        "stop reason = breakpoint 1.1",
        "`filter(s=0x00001020, prev=0) at board.c:49",
        "`_start at board.c:66",
        "(int) prev = 0",
        "(id = 0, value = -50, filtered = 0)",
        "stop reason = step out",
        "(int) -50",
        "stop reason = watchpoint 1",
        "exited with status = 19",
    ] {
        assert!(said.contains(want), "LLDB did not say `{want}`: {said}");
    }
    let (program, status, fp) = board.finish();
    assert_eq!(program, expected_stdout("c-board"));
    assert_eq!(status, Some(19));
    assert_fits(&fp);
    assert_predicted(&fp);
}
