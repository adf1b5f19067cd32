//! A second `run` (or `kill` then `run`) is a first run again: a fresh instance and memory, every
//! breakpoint armed anew, and the program goes on past them once they are deleted.

mod common;

use std::process::{Command, Stdio};

use common::root;

/// `wrt-dbg debug --batch` on c-vec-O0 with `commands`: its stdout.
fn session(format: &str, commands: &[&str]) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"));
    c.args(["debug", "--batch", "--format", format]);
    for command in commands {
        c.args(["--ex", command]);
    }
    c.arg(root().join("tests/fixtures/wasm/c-vec-O0.wasm"));
    let out = c.stderr(Stdio::null()).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_second_run_stops_at_each_breakpoint_as_the_first_did_and_continue_goes_on_from_it() {
    for restart in [&["run"][..], &["kill", "run"]] {
        let mut commands = vec!["break scale", "run", "continue"];
        commands.extend(restart);
        commands.extend(["continue", "delete", "continue"]);
        let out = session("text", &commands);
        let stops: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("Breakpoint 1, "))
            .collect();
        assert_eq!(
            stops,
            [
                "Breakpoint 1, scale (v=0x11300, k=1) at vec.c:25",
                "Breakpoint 1, scale (v=0x1130c, k=2) at vec.c:25",
                "Breakpoint 1, scale (v=0x11300, k=1) at vec.c:25",
                "Breakpoint 1, scale (v=0x1130c, k=2) at vec.c:25",
            ],
            "after {restart:?}: {out}"
        );
        assert!(
            out.trim_end()
                .ends_with("[Inferior 1 (process 1) exited normally]"),
            "after {restart:?}, the last continue runs to the end: {out}"
        );
    }
}

#[test]
fn stepi_after_a_rerun_moves_on() {
    let out = session("text", &["break main", "run", "run", "stepi", "stepi"]);
    let addrs: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("0x"))
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(addrs.len(), 2, "{out}");
    assert_ne!(addrs[0], addrs[1], "{out}");
}

#[test]
fn a_rerun_in_json_runs_to_the_end_once_the_breakpoint_is_deleted() {
    let out = session("json", &["break main", "run", "run", "delete", "continue"]);
    let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["stop"]["reason"], "exited", "{out}");
    assert_eq!(last["stop"]["code"], 0, "{out}");
}
