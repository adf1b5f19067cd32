//! `wrt-dbg debug --batch -x SCRIPT`: whole sessions on the fixtures, their output snapshotted, the
//! program's output kept apart from the debugger's, JSON output one object per command.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{expected_stdout, root};

/// Runs a script on a fixture; the program's output goes to `program_output`.
fn batch(script: &str, fixture: &str, extra: &[&str], program_output: &Path) -> Output {
    let root = root();
    Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
        .args(["debug", "--batch", "-x"])
        .arg(root.join(format!("tui/tests/scripts/{script}.gdb")))
        .arg("-d")
        .arg(root.join("tests/fixtures/src"))
        .arg("--program-output")
        .arg(program_output)
        .args(extra)
        .arg(root.join(format!("tests/fixtures/wasm/{fixture}.wasm")))
        .output()
        .expect("run wrt-dbg")
}

fn session(script: &str, fixture: &str) -> (String, String, Option<i32>) {
    let dir = std::env::temp_dir().join(format!("wrt-dbg-debug-{}-{script}", std::process::id()));
    let out = batch(script, fixture, &[], &dir);
    let program = std::fs::read_to_string(&dir).unwrap_or_default();
    let _ = std::fs::remove_file(&dir);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        program,
        out.status.code(),
    )
}

#[test]
fn c_structs_pointers_watchpoints() {
    let (out, program, status) = session("vec", "c-vec-O0");
    insta::assert_snapshot!(out);
    assert_eq!(
        program,
        expected_stdout("c-vec"),
        "the program's output, apart and whole"
    );
    assert_eq!(status, Some(0));
}

#[test]
fn a_watched_write_by_the_instruction_under_a_breakpoint() {
    let (out, _, status) = session("watch-under-break", "c-vec-O0");
    insta::assert_snapshot!(out);
    assert!(out.contains("Old value = 0\nNew value = 1\n"), "{out}");
    assert_eq!(status, Some(0));
}

#[test]
fn c_recursion_conditions_and_stepping() {
    let (out, _, status) = session("recursion", "c-recursion-O0");
    insta::assert_snapshot!(out);
    assert_eq!(status, Some(0));
}

#[test]
fn c_optimised_inlined_frames() {
    let (out, _, status) = session("recursion-O2", "c-recursion-O2");
    insta::assert_snapshot!(out);
    assert_eq!(status, Some(0));
}

#[test]
fn c_trap_stops_with_backtrace() {
    let (out, program, status) = session("trap", "c-trap-O0");
    insta::assert_snapshot!(out);
    assert_eq!(program, "average = 5\n");
    assert_eq!(status, Some(1), "continuing after a trap is an error");
}

#[test]
fn rust_values() {
    let (out, program, status) = session("rust", "rust-demo-O0");
    insta::assert_snapshot!(out);
    assert!(
        program.starts_with("Circle { radius: 1.5 } area = 7.0686\n"),
        "{program}"
    );
    assert_eq!(status, Some(0));
}

#[test]
fn mistakes_are_reported_and_the_session_goes_on() {
    let (out, program, status) = session("errors", "c-vec-O0");
    insta::assert_snapshot!(out);
    assert_eq!(program, expected_stdout("c-vec"));
    assert_eq!(status, Some(1));
}

#[test]
fn json_prints_one_object_per_command() {
    let dir = std::env::temp_dir().join(format!("wrt-dbg-json-{}", std::process::id()));
    let out = batch("trap", "c-trap-O0", &["--format", "json"], &dir);
    let _ = std::fs::remove_file(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    let objects: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(objects.len(), 7, "one object per command");
    assert_eq!(objects[0]["command"], "run");
    assert_eq!(objects[0]["stop"]["reason"], "trap");
    assert_eq!(objects[0]["stop"]["kind"], "IntegerDivideByZero");
    assert_eq!(objects[0]["stop"]["message"], "integer divide by zero");
    assert_eq!(objects[0]["stop"]["frame"]["function"], "divide");
    let frames = objects[1]["backtrace"]["frames"].as_array().unwrap();
    let names: Vec<&str> = frames
        .iter()
        .map(|f| f["function"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "divide",
            "average",
            "main",
            "_start",
            "_start.command_export"
        ]
    );
    assert_eq!(frames[1]["line"], 11);
    assert_eq!(objects[5]["printed"]["value"], "12");
    assert_eq!(objects[5]["printed"]["history"], 1);
    assert_eq!(objects[6]["ok"], false);
    insta::assert_json_snapshot!(objects[4]);
}

#[test]
fn json_stop_reasons_name_finish() {
    let m = root().join("tests/fixtures/wasm/c-vec-O0.wasm");
    let out = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
        .args(["debug", "--batch", "--format", "json"])
        .args([
            "--ex",
            "break scale",
            "--ex",
            "run",
            "--ex",
            "finish",
            "--ex",
            "next",
        ])
        .arg(m)
        .stderr(std::process::Stdio::null())
        .output()
        .unwrap();
    let reasons: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["stop"]["reason"].clone())
        .collect();
    assert_eq!(
        reasons,
        [
            serde_json::Value::Null,
            "breakpoint".into(),
            "finish".into(),
            "step".into()
        ]
    );
}

#[test]
fn safety_rules_refuse_the_session() {
    let dir = std::env::temp_dir().join(format!("wrt-dbg-refused-{}", std::process::id()));
    let out = batch(
        "trap",
        "c-trap-O0",
        &[
            "--platform",
            "qnx",
            "--asil",
            "d",
            "--safety-mode",
            "production",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("debug session refused: ASIL-D in production refuses debug access"),
        "{err}"
    );
}
