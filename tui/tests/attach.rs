//! `wrt-dbg attach --batch -x SCRIPT` on a program `wrt-dbg serve` runs prints what
//! `wrt-dbg debug --batch -x SCRIPT` prints on the same program: the same stops, frames,
//! variables, steps and watchpoints, over TCP and over a serial line (a pty pair); the program's
//! output and exit status are the server's.

mod common;

use std::process::{Command, Output};

use common::{Server, expected_stdout, root, serve};

/// `wrt-dbg debug` or `wrt-dbg attach` (`target` given) running a script of `tui/tests/scripts`.
fn batch(script: &str, target: Result<&str, &str>, extra: &[&str]) -> Output {
    let root = root();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"));
    cmd.arg(if target.is_ok() { "attach" } else { "debug" })
        .args(["--batch", "-x"])
        .arg(root.join(format!("tui/tests/scripts/{script}.gdb")))
        .arg("-d")
        .arg(root.join("tests/fixtures/src"))
        .args(extra);
    match target {
        Ok(spec) => cmd.arg(spec),
        Err(fixture) => cmd
            .arg("--program-output")
            .arg(std::env::temp_dir().join(format!("wrt-dbg-attach-{}", std::process::id())))
            .arg(root.join(format!("tests/fixtures/wasm/{fixture}.wasm"))),
    };
    cmd.output().expect("run wrt-dbg")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Attaches over TCP to a served `fixture`, runs `script`, and checks the output is the local
/// session's; returns the program's output and the server's exit status.
fn matches_local(script: &str, fixture: &str, extra: &[&str]) -> (String, Option<i32>) {
    let local = batch(script, Err(fixture), extra);
    let server = serve(fixture, &["--listen", "0", "--once"]);
    let spec = format!("tcp:{}", server.address());
    let remote = batch(script, Ok(&spec), extra);
    assert_eq!(
        text(&remote),
        text(&local),
        "{script} on {fixture}: attach and debug differ; attach said: {}",
        String::from_utf8_lossy(&remote.stderr)
    );
    assert_eq!(
        remote.status.code(),
        local.status.code(),
        "{script}: status"
    );
    server.finish()
}

#[test]
fn c_structs_pointers_watchpoints_over_tcp() {
    let (program, status) = matches_local("vec", "c-vec-O0", &[]);
    assert_eq!(
        program,
        expected_stdout("c-vec"),
        "the served program's output"
    );
    assert_eq!(status, Some(0));
}

#[test]
fn c_conditions_stepping_and_deep_frames_over_tcp() {
    let (_, status) = matches_local("recursion", "c-recursion-O0", &[]);
    assert_eq!(
        status,
        Some(137),
        "`kill` ends the server, not as a success"
    );
}

#[test]
fn c_optimised_inlined_frames_over_tcp() {
    matches_local("recursion-O2", "c-recursion-O2", &[]);
}

#[test]
fn a_watched_write_under_a_breakpoint_over_tcp() {
    matches_local("watch-under-break", "c-vec-O0", &[]);
}

#[test]
fn rust_values_over_tcp() {
    let (program, _) = matches_local("rust", "rust-demo-O0", &[]);
    assert!(
        program.starts_with("Circle { radius: 1.5 } area = 7.0686\n"),
        "{program}"
    );
}

#[test]
fn traps_over_tcp_in_json() {
    let (program, status) = matches_local("trap", "c-trap-O0", &["--format", "json"]);
    assert_eq!(program, "average = 5\n");
    assert_eq!(status, Some(134), "the server ends with the trap's status");
}

#[test]
fn c_over_a_serial_line() {
    let (mut socat, [server_end, client_end]) = common::pty_pair();
    let local = batch("vec", Err("c-vec-O0"), &[]);
    let server = serve("c-vec-O0", &["--serial", &format!("{server_end}@115200")]);
    let remote = batch("vec", Ok(&format!("serial:{client_end}@115200")), &[]);
    let (program, status) = server.finish();
    let _ = socat.kill();
    assert_eq!(
        text(&remote),
        text(&local),
        "{}",
        String::from_utf8_lossy(&remote.stderr)
    );
    assert_eq!(program, expected_stdout("c-vec"));
    assert_eq!(status, Some(0));
}

#[test]
fn a_remote_program_runs_once_and_its_stub_answers_monitor() {
    let server: Server = serve("c-vec-O0", &["--listen", "0", "--once"]);
    let out = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
        .args(["attach", "--batch"])
        .args([
            "--ex",
            "break add",
            "--ex",
            "run",
            "--ex",
            "run",
            "--ex",
            "profile on",
        ])
        .args([
            "--ex",
            "monitor budget",
            "--ex",
            "info budget",
            "--ex",
            "kill",
        ])
        .arg(format!("tcp:{}", server.address()))
        .output()
        .unwrap();
    let text = text(&out);
    assert!(text.contains("Breakpoint 1, add ("), "{text}");
    assert!(
        text.contains("The remote program has run; it cannot be started again from here."),
        "{text}"
    );
    assert!(text.contains("Profiling on."), "the stub counts: {text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("breakpoints") && l.contains(" 1 of ")),
        "the stub's budget counts the breakpoint: {text}"
    );
    assert!(
        text.contains("breakpoints and watchpoints are in the remote stub's tables"),
        "info budget says whose tables hold them: {text}"
    );
    assert_eq!(out.status.code(), Some(1), "the second run failed");
    let (_, status) = server.finish();
    assert_eq!(status, Some(137), "killed");
}

#[test]
fn unreachable_targets_are_named() {
    for (spec, says) in [
        ("tcp:127.0.0.1:1", "tcp:127.0.0.1:1: "),
        (
            "serial:/nonexistent/tty",
            "cannot open serial line /nonexistent/tty",
        ),
        ("udp:1", "`udp:1` is not a target"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
            .args(["attach", "--batch", spec])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{spec}: {err}");
        assert_eq!(out.status.code(), Some(2), "{spec}");
    }
}

#[test]
fn a_detached_program_waits_for_the_next_client_without_breakpoints() {
    let server = serve("c-vec-O0", &["--listen", "0"]);
    let spec = format!("tcp:{}", server.address());
    let attach = |commands: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"));
        cmd.args(["attach", "--batch"]);
        for c in commands {
            cmd.args(["--ex", c]);
        }
        text(&cmd.arg(&spec).output().unwrap())
    };
    let first = attach(&[
        "break add",
        "watch -l 0x10,4",
        "continue",
        "detach",
        "continue",
    ]);
    assert!(first.contains("Breakpoint 1, add ("), "{first}");
    assert!(
        first.contains("[Inferior 1 (process 1) detached]"),
        "{first}"
    );
    assert!(
        first.ends_with("(wrt-dbg) continue\nThe program is not being run.\n"),
        "{first}"
    );
    let second = attach(&["bt 1", "continue"]);
    assert!(
        second.contains("#0  add ("),
        "still where the first client left it: {second}"
    );
    assert!(
        second.contains("exited normally") && !second.contains("Breakpoint 1,"),
        "the first client's breakpoint and watchpoint are gone: {second}"
    );
    let (program, status) = server.finish();
    assert_eq!(program, expected_stdout("c-vec"));
    assert_eq!(status, Some(0));
}

#[test]
fn a_local_program_cannot_be_detached() {
    let out = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
        .args([
            "debug", "--batch", "--ex", "start", "--ex", "detach", "--ex", "next",
        ])
        .arg(root().join("tests/fixtures/wasm/c-vec-O0.wasm"))
        .output()
        .unwrap();
    let text = text(&out);
    assert!(
        text.contains("has no server to be left to; `kill` ends it."),
        "{text}"
    );
    assert!(text.contains("(wrt-dbg) next\n"), "{text}");
    assert!(
        !text.contains("not being run"),
        "the session goes on: {text}"
    );
}
