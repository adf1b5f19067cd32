//! `wrt-dbg check` and the limit flags of `wrt-dbg run`: budget reports, exit statuses, the JSON
//! schema, configuration precedence and refusal of modules that do not fit.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/wasm")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Runs wrt-dbg with no `WRT_*` variables but those given.
fn wrt_dbg(args: &[&str], env: &[(&str, &str)]) -> Output {
    let env: Vec<(OsString, OsString)> = env.iter().map(|&(k, v)| (k.into(), v.into())).collect();
    wrt_dbg_os(args, &env)
}

/// [`wrt_dbg`] with variables of any bytes.
fn wrt_dbg_os(args: &[&str], env: &[(OsString, OsString)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"));
    for (k, _) in std::env::vars_os().filter(|(k, _)| k.as_encoded_bytes().starts_with(b"WRT_")) {
        cmd.env_remove(k);
    }
    cmd.args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("run wrt-dbg")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).replace(&fixture(""), "FIXTURES/")
}

fn temp(name: &str, contents: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("wrt-check-{}-{name}", std::process::id()));
    std::fs::write(&p, contents).unwrap();
    p
}

#[test]
fn fits_a_container() {
    let m = fixture("c-recursion-O2.wasm");
    let o = wrt_dbg(
        &[
            "check",
            &m,
            "--platform",
            "linux",
            "--memory",
            "512MiB",
            "--asil",
            "b",
        ],
        &[],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    insta::assert_snapshot!(text(&o));
}

#[test]
fn does_not_fit_a_64kib_microcontroller() {
    let m = fixture("c-recursion-O2.wasm");
    let o = wrt_dbg(
        &["check", &m, "--platform", "zephyr", "--memory", "64KiB"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!(text(&o));
}

#[test]
fn lists_every_broken_rule() {
    // ASIL-D with full debugging breaks the no-debug rule; a 1 MiB stack cap is below the preset's.
    let m = fixture("c-recursion-O0.wasm");
    let config = temp(
        "rules.toml",
        "[limits]\nmax_stack_bytes = 1048576\nestimated_debug_overhead = 0\n",
    );
    let o = wrt_dbg(
        &[
            "check",
            &m,
            "--platform",
            "linux",
            "--memory",
            "1GiB",
            "--asil",
            "d",
            "--debug-level",
            "full",
            "--safety-mode",
            "development",
            "--config",
            config.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o);
    assert!(out.contains("ASIL-D debug overhead: found"), "{out}");
    assert!(out.contains("estimated_debug_overhead: found"), "{out}");
    assert!(
        out.contains("verdict: does not fit (2 violations)"),
        "{out}"
    );
}

#[test]
fn json_report_schema() {
    let m = fixture("c-vec-O0.wasm");
    let o = wrt_dbg(
        &[
            "check",
            &m,
            "--platform",
            "qnx",
            "--memory",
            "256MiB",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["fits"], true);
    assert_eq!(v["limits"]["platform"], "qnx");
    assert_eq!(v["limits"]["max_total_memory"], 256 << 20);
    assert_eq!(v["discovery"], serde_json::Value::Null);
    assert_eq!(v["requirements"]["linear_memory_bytes"], 131072);
    assert_eq!(v["requirements"]["debug_skipped"], true);
    let parts: Vec<&str> = v["budget"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        parts,
        [
            "linear_memory",
            "stack",
            "component_overhead",
            "debug_overhead",
            "runtime_overhead",
            "safety_reserve",
            "total"
        ]
    );
    assert_eq!(v["budget"][6]["limit_key"], "max_total_memory");
    assert!(v["violations"].as_array().unwrap().is_empty());
}

#[test]
fn host_platform_uses_discovery() {
    let m = fixture("c-vec-O2.wasm");
    let o = wrt_dbg(
        &["check", &m, "--platform", "host", "--format", "json"],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let discovered = v["discovery"]["total_memory"].as_u64().unwrap();
    assert_eq!(
        v["limits"]["max_total_memory"].as_u64().unwrap(),
        discovered
    );
    assert!(!v["discovery"]["notes"].as_array().unwrap().is_empty());
}

#[test]
fn precedence_file_then_env_then_flags() {
    let m = fixture("c-vec-O2.wasm");
    let config = temp(
        "prec.toml",
        "platform = \"zephyr\"\nmemory = \"64KiB\"\nasil = \"c\"\n[limits]\nmax_breakpoints = 3\n",
    );
    let cfg = config.to_str().unwrap();
    let json = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["check", &m, "--format", "json", "--config", cfg];
        all.extend_from_slice(args);
        let o = wrt_dbg(&all, env);
        serde_json::from_slice::<serde_json::Value>(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
    };
    let file = json(&[], &[]);
    assert_eq!(file["limits"]["platform"], "zephyr");
    assert_eq!(file["limits"]["asil_level"], "c");
    assert_eq!(file["limits"]["max_breakpoints"], 3);
    let env = json(
        &[],
        &[
            ("WRT_MEMORY", "16MiB"),
            ("WRT_MAX_BREAKPOINTS", "4"),
            ("WRT_ASIL", "a"),
        ],
    );
    assert_eq!(env["limits"]["max_total_memory"], 16 << 20);
    assert_eq!(env["limits"]["max_breakpoints"], 4);
    let flags = json(&["--asil", "d", "--platform", "qnx"], &[("WRT_ASIL", "a")]);
    assert_eq!(flags["limits"]["asil_level"], "d");
    assert_eq!(flags["limits"]["platform"], "qnx");
    assert_eq!(flags["limits"]["max_total_memory"], 64 << 10);
}

/// Arguments, environment and what stderr must say.
type Case<'a> = (Vec<String>, Vec<(&'a str, &'a str)>, &'a str);

#[test]
fn unusable_input_exits_2_naming_the_problem() {
    let m = fixture("c-vec-O2.wasm");
    let cases: Vec<Case> = vec![
        (
            vec!["check".into(), "/nonexistent.wasm".into()],
            vec![],
            "cannot read /nonexistent.wasm",
        ),
        (
            vec![
                "check".into(),
                m.clone(),
                "--config".into(),
                temp("bad.toml", "colour = 1").to_string_lossy().into(),
            ],
            vec![],
            "`colour`",
        ),
        (
            vec![
                "check".into(),
                m.clone(),
                "--config".into(),
                temp("pct.toml", "[limits]\nsafety_reserve_percentage = 150")
                    .to_string_lossy()
                    .into(),
            ],
            vec![],
            "`safety_reserve_percentage`",
        ),
        (
            vec!["check".into(), m.clone()],
            vec![("WRT_MAX_TYPO", "1")],
            "`WRT_MAX_TYPO`",
        ),
        (
            vec!["check".into(), m.clone()],
            vec![("WRT_MEMORY", "lots")],
            "`WRT_MEMORY`",
        ),
        (
            vec![
                "check".into(),
                temp("junk.wasm", "\0asm\x01\0\0\0\x01\x05junk")
                    .to_string_lossy()
                    .into(),
            ],
            vec![],
            "byte offset",
        ),
    ];
    for (args, env, needle) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = wrt_dbg(&args, &env);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let o = wrt_dbg(&["check", &m, "--memory", "12 parsecs"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--memory"));
}

#[test]
fn run_refuses_a_module_that_does_not_fit() {
    let m = fixture("c-recursion-O2.wasm");
    let o = wrt_dbg(
        &["run", &m, "--platform", "zephyr", "--memory", "64KiB"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("does not fit the platform limits: max_wasm_linear_memory"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
    let ok = wrt_dbg(
        &["run", &m, "--platform", "linux", "--memory", "64MiB"],
        &[],
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn run_enforces_the_stack_limit() {
    // Deep recursion under a 64 KiB stack traps as call stack exhaustion instead of growing.
    let wat = "(module (func $f (export \"deep\") (param i32) (result i32)
        (if (result i32) (local.get 0) (then (i32.add (call $f (i32.sub (local.get 0) (i32.const 1))) (i32.const 1))) (else (i32.const 0)))))";
    let wasm = std::env::temp_dir().join(format!("wrt-check-{}-deep.wasm", std::process::id()));
    std::fs::write(&wasm, wat::parse_str(wat).unwrap()).unwrap();
    let w = wasm.to_str().unwrap();
    let config = temp("stack.toml", "[limits]\nmax_stack_bytes = 65536\n");
    let c = config.to_str().unwrap();
    let call = |n: &str, limited: bool| {
        let mut args = vec!["run", w, "--platform", "linux", "--invoke", "deep"];
        if limited {
            args.extend(["--config", c]);
        }
        args.extend(["--", n]);
        wrt_dbg(&args, &[])
    };
    let shallow = call("100", true);
    assert_eq!(String::from_utf8_lossy(&shallow.stdout).trim(), "100");
    let deep = call("100000", true);
    assert_eq!(deep.status.code(), Some(134));
    assert!(String::from_utf8_lossy(&deep.stderr).contains("call stack exhausted"));
    let roomy = call("100000", false);
    assert_eq!(String::from_utf8_lossy(&roomy.stdout).trim(), "100000");
}

#[test]
fn the_environment_is_read_as_bytes_and_a_bad_variable_of_ours_is_refused_by_name() {
    let m = fixture("c-vec-O2.wasm");
    let bytes = |b: &[u8]| OsString::from_vec(b.to_vec());
    let foreign = wrt_dbg_os(
        &["check", &m, "--platform", "linux", "--memory", "64MiB"],
        &[
            ("FOO".into(), bytes(b"\xff")),
            (bytes(b"\xfe\xff"), "1".into()),
            ("WRT_LLDB".into(), bytes(b"/opt/\xff/lldb")),
        ],
    );
    assert_eq!(
        foreign.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&foreign.stderr)
    );
    for (var, value, named) in [
        (bytes(b"WRT_MEMORY"), bytes(b"64\xffMiB"), "`WRT_MEMORY`"),
        (bytes(b"WRT_MAX_\xff"), "1".into(), "`WRT_MAX_\u{fffd}`"),
    ] {
        for cmd in ["check", "run"] {
            let o = wrt_dbg_os(&[cmd, &m], &[(var.clone(), value.clone())]);
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{cmd} {var:?}: {err}");
            assert!(
                err.contains(named) && err.contains("is not UTF-8"),
                "{cmd}: {err}"
            );
        }
    }
}

/// `check`'s and `run`'s exit status and stderr on the module `text`.
fn check_and_run(name: &str, text: &str) -> [(Option<i32>, String); 2] {
    let wasm = std::env::temp_dir().join(format!("wrt-check-{}-{name}.wasm", std::process::id()));
    std::fs::write(&wasm, wat::parse_str(text).unwrap()).unwrap();
    let w = wasm.to_str().unwrap();
    ["check", "run"].map(|cmd| {
        let o = wrt_dbg(&[cmd, w, "--platform", "linux", "--memory", "64MiB"], &[]);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    })
}

#[test]
fn check_refuses_what_run_cannot_start_as_run_does() {
    let start = r#"(func (export "_start"))"#;
    let refused = [
        (
            "import",
            format!(r#"(module (import "env" "f" (func)) {start})"#),
            "unknown import `env::f`",
        ),
        (
            "wasi-type",
            format!(
                r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i64))) {start})"#
            ),
            "incompatible import type for `wasi_snapshot_preview1::proc_exit`",
        ),
        (
            "wasi-memory",
            format!(r#"(module (import "wasi_snapshot_preview1" "memory" (memory 1)) {start})"#),
            "unknown import `wasi_snapshot_preview1::memory`",
        ),
        (
            "data",
            format!(r#"(module (memory 1) (data (i32.const 65535) "ab") {start})"#),
            "data segment 0 does not fit memory 0",
        ),
        (
            "elem",
            format!(r#"(module (table 1 funcref) (elem (i32.const 1) func 0) {start})"#),
            "element segment 0 does not fit table 0",
        ),
    ];
    for (name, text, needle) in refused {
        let [(check, checked), (run, ran)] = check_and_run(name, &text);
        assert_eq!((check, run), (Some(2), Some(2)), "{name}: {checked}{ran}");
        assert!(checked.contains(needle), "{name}: {checked}");
        assert_eq!(checked, ran, "{name}");
    }
    let fits = format!(
        r#"(module (import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))
            (memory 1) (data (i32.const 65534) "ab") (table 1 funcref) (elem (i32.const 0) func 1)
            {start})"#
    );
    let [(check, checked), (run, ran)] = check_and_run("fits", &fits);
    assert_eq!((check, run), (Some(0), Some(0)), "{checked}{ran}");
}
