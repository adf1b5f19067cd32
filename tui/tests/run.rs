//! `wrt-dbg run` on the committed fixtures: stdout and exit status must match the same programs built
//! natively (recorded by `tests/fixtures/build.sh`), and bad modules must fail cleanly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn wrt_dbg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
        .args(args)
        .output()
        .expect("run wrt-dbg")
}

/// `c-heap-O2` is built from `src/heap.c` and expected to print `expected/c-heap.stdout`.
fn fixture_parts(wasm: &Path) -> (String, String) {
    let stem = wasm.file_stem().unwrap().to_string_lossy().into_owned();
    let base = stem
        .trim_end_matches("-O0")
        .trim_end_matches("-O1")
        .trim_end_matches("-O2")
        .to_string();
    let src = base
        .trim_start_matches("c-")
        .trim_start_matches("rust-")
        .to_string();
    (base, src)
}

#[test]
fn fixtures_match_native_output() {
    let dir = fixtures();
    let mut wasms: Vec<PathBuf> = std::fs::read_dir(dir.join("wasm"))
        .expect("fixture dir")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| !n.to_string_lossy().starts_with("kernels"))
        })
        .collect();
    wasms.sort();
    assert!(
        wasms.len() >= 19,
        "expected the committed fixtures, found {}",
        wasms.len()
    );
    let mut failures = Vec::new();
    for wasm in &wasms {
        let (base, src) = fixture_parts(wasm);
        let args = std::fs::read_to_string(dir.join(format!("src/{src}.args"))).unwrap_or_default();
        let mut argv = vec!["run", wasm.to_str().unwrap(), "--"];
        argv.extend(args.split_whitespace());
        let out = wrt_dbg(&argv);
        let want_stdout =
            std::fs::read_to_string(dir.join(format!("expected/{base}.stdout"))).unwrap();
        let want_status =
            std::fs::read_to_string(dir.join(format!("expected/{base}.status"))).unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let status = out.status.code().expect("exit status");
        let status_ok = match want_status.trim() {
            "trap" => {
                status == 134
                    && stderr
                        .lines()
                        .last()
                        .is_some_and(|l| l.starts_with("wrt-dbg: trap: "))
            }
            code => status.to_string() == code,
        };
        if stdout != want_stdout || !status_ok {
            failures.push(format!(
                "{}: status {status} (want {}), stdout {:?} (want {want_stdout:?}), stderr {stderr:?}",
                wasm.display(),
                want_status.trim(),
                stdout
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn trap_report_names_trap_function_and_offset() {
    let wasm = fixtures().join("wasm/c-trap-O0.wasm");
    let out = wrt_dbg(&["run", wasm.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(134));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().last().unwrap();
    assert!(
        line.starts_with("wrt-dbg: trap: integer divide by zero in `divide` at code offset 0x"),
        "{line}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "average = 5\n");
}

#[test]
fn malformed_module_exits_2_naming_the_offset() {
    let dir = tempdir();
    let bad = dir.join("bad.wasm");
    // Valid header, then a type section whose declared size runs past the end.
    std::fs::write(&bad, b"\0asm\x01\0\0\0\x01\x7f\x01").unwrap();
    let out = wrt_dbg(&["run", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid module at byte offset 0x"),
        "{stderr}"
    );
    std::fs::write(&bad, b"not wasm at all").unwrap();
    let out = wrt_dbg(&["run", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn invalid_module_exits_2() {
    let dir = tempdir();
    let bad = dir.join("invalid.wasm");
    // (func (result i32)) with an empty body: type mismatch at the `end`.
    std::fs::write(
        &bad,
        b"\0asm\x01\0\0\0\x01\x05\x01\x60\0\x01\x7f\x03\x02\x01\0\x0a\x04\x01\x02\0\x0b",
    )
    .unwrap();
    let out = wrt_dbg(&["run", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("type mismatch") && stderr.contains("offset 0x"),
        "{stderr}"
    );
}

#[test]
fn invoke_calls_an_export_with_numeric_arguments() {
    let dir = tempdir();
    let m = dir.join("add.wasm");
    // (func (export "add") (param i32 i64) (result i64) local.get 1 local.get 0 i64.extend_i32_s i64.add)
    std::fs::write(
        &m,
        b"\0asm\x01\0\0\0\x01\x07\x01\x60\x02\x7f\x7e\x01\x7e\x03\x02\x01\0\x07\x07\x01\x03add\0\0\x0a\x0a\x01\x08\0\x20\x01\x20\0\xac\x7c\x0b",
    )
    .unwrap();
    let out = wrt_dbg(&[
        "run",
        m.to_str().unwrap(),
        "--invoke",
        "add",
        "--",
        "-5",
        "10000000000",
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "9999999995\n");
    let out = wrt_dbg(&[
        "run",
        m.to_str().unwrap(),
        "--invoke",
        "add",
        "--",
        "x",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`x` is not a valid i32"));
}

#[test]
fn help_documents_the_exit_statuses() {
    let out = wrt_dbg(&["run", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("134") && help.contains("2 when the module is"),
        "{help}"
    );
}

fn tempdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "wrt-dbg-run-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs a module given as text; its exit status and last stderr line.
fn run_text(name: &str, text: &str) -> (Option<i32>, String) {
    let dir = tempdir();
    let path = dir.join(format!("{name}.wasm"));
    std::fs::write(&path, wat::parse_str(text).unwrap()).unwrap();
    let out = wrt_dbg(&["run", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default().to_string();
    (out.status.code(), last)
}

#[test]
fn every_trap_report_names_its_function_and_offset() {
    let (status, line) = run_text(
        "recursion",
        r#"(module (func $deep (export "_start") (call $deep)) (func $other))"#,
    );
    assert_eq!(status, Some(134), "{line}");
    assert!(
        line.starts_with("wrt-dbg: trap: call stack exhausted in `deep` at code offset 0x"),
        "{line}"
    );
    let (status, line) = run_text(
        "start",
        r#"(module (func $boom (unreachable)) (start $boom) (func (export "_start")))"#,
    );
    assert_eq!(status, Some(134), "{line}");
    assert!(
        line.starts_with("wrt-dbg: trap: unreachable in `boom` at code offset 0x"),
        "{line}"
    );
}

#[test]
fn a_data_segment_out_of_bounds_is_an_unusable_module() {
    let (status, line) = run_text(
        "segment",
        r#"(module (memory 1) (data (i32.const 65535) "ab") (func (export "_start")))"#,
    );
    assert_eq!(status, Some(2), "{line}");
    assert!(
        line.contains("data segment 0 does not fit memory 0")
            || line.contains("out of bounds memory access"),
        "{line}"
    );
}

#[test]
fn a_c_program_reaches_its_preopened_directory_and_nothing_else() {
    use std::os::unix::fs::symlink;
    let dir = tempdir();
    let (sb, outside) = (dir.join("sb"), dir.join("outside"));
    std::fs::create_dir_all(sb.join("sub")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(sb.join("inside.txt"), "inside").unwrap();
    std::fs::write(outside.join("secret.txt"), "secret").unwrap();
    symlink("/", sb.join("root")).unwrap();
    symlink(&outside, sb.join("out")).unwrap();
    symlink("..", sb.join("up")).unwrap();
    symlink("inside.txt", sb.join("alias")).unwrap();
    let ops = "cat /sb/inside.txt cat /sb/alias cat /sb/root/etc/hostname cat /sb/out/secret.txt \
               cat /sb/up/outside/secret.txt cat /sb/../outside/secret.txt write /sb/out/planted x \
               rm /sb/out/secret.txt mv /sb/inside.txt /sb/out/moved ln /etc/passwd /sb/abs \
               ln ../outside /sb/leak cat /sb/leak/secret.txt readlink /sb/alias readlink /sb/out \
               mkdir /sb/new write /sb/new/f made cat /sb/new/f rm /sb/new/f rmdir /sb/new \
               mv /sb/alias /sb/sub/alias2";
    let wasm = fixtures().join("wasm/c-sandbox-O2.wasm");
    let preopen = format!("{}::/sb", sb.display());
    let mut args = vec!["run", "--dir", &preopen, wasm.to_str().unwrap(), "--"];
    args.extend(ops.split(' ').filter(|a| !a.is_empty()));
    let out = wrt_dbg(&args);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "/sb/inside.txt: inside
/sb/alias: inside
/sb/root/etc/hostname: ENOTCAPABLE
/sb/out/secret.txt: ENOTCAPABLE
/sb/up/outside/secret.txt: ENOTCAPABLE
/sb/../outside/secret.txt: ENOTCAPABLE
/sb/out/planted: ENOTCAPABLE
/sb/out/secret.txt: ENOTCAPABLE
/sb/out/moved: ENOTCAPABLE
/sb/abs: ENOTCAPABLE
/sb/leak: ok
/sb/leak/secret.txt: ENOTCAPABLE
/sb/alias -> inside.txt
/sb/out: ENOTCAPABLE
/sb/new: ok
/sb/new/f: ok
/sb/new/f: made
/sb/new/f: ok
/sb/new: ok
/sb/sub/alias2: ok
"
    );
    let outside_now: Vec<_> = std::fs::read_dir(&outside).unwrap().collect();
    assert_eq!(outside_now.len(), 1, "nothing planted or moved outside");
    assert_eq!(
        std::fs::read_to_string(outside.join("secret.txt")).unwrap(),
        "secret"
    );
    assert!(sb.join("sub/alias2").is_symlink(), "renames inside work");
}
