//! Bad input that once crashed or hung the tool: each gets a named error, a non-zero exit status,
//! and nothing already done is lost.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::root;

fn wrt_dbg(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"));
    c.args(args);
    c
}

fn fixture(name: &str) -> String {
    root()
        .join(format!("tests/fixtures/wasm/{name}.wasm"))
        .display()
        .to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `wrt-dbg debug --batch` on c-vec-O0 stopped in `main`, then `commands`.
fn in_main(commands: &[String]) -> Output {
    let mut args = vec!["debug", "--batch", "--ex", "break main", "--ex", "run"];
    for c in commands {
        args.extend(["--ex", c.as_str()]);
    }
    let m = fixture("c-vec-O0");
    args.push(&m);
    wrt_dbg(&args).stderr(Stdio::null()).output().unwrap()
}

#[test]
fn deeply_nested_expressions_are_refused_in_every_command_that_takes_one() {
    let parens = format!("{}1{}", "(".repeat(2000), ")".repeat(2000));
    let minus = format!("{}1", "-".repeat(100_000));
    let not = format!("{}1", "!".repeat(100_000));
    let star = format!("{}sum", "*".repeat(100_000));
    let commands = vec![
        format!("print {parens}"),
        format!("print {minus}"),
        format!("print {not}"),
        format!("print {star}"),
        format!("watch {parens}"),
        format!("display {parens}"),
        format!("x/4xb {parens}"),
        // A condition is parsed when it is set: one nested too deep is refused by `break`, not
        // where the breakpoint would be hit, so there is no breakpoint 2 and the program runs to
        // its end.
        format!("break vec.c:38 if {parens}"),
        "continue".into(),
        format!("print {}7{}", "(".repeat(200), ")".repeat(200)),
        "print 1 + 1".into(),
    ];
    let out = in_main(&commands);
    let stdout = text(&out.stdout);
    assert_eq!(
        stdout.matches("nested deeper than 256 levels").count(),
        8,
        "seven commands and the condition `break` refused: {stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "(wrt-dbg) break vec.c:38 if {parens}\nexpression nested deeper than 256 levels"
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("Breakpoint 2"), "{stdout}");
    assert!(
        stdout.contains("[Inferior 1 (process 1) exited normally]"),
        "{stdout}"
    );
    assert!(stdout.contains("$1 = 7"), "200 levels are fine: {stdout}");
    assert!(stdout.contains("$2 = 2"), "the session went on: {stdout}");
    assert_eq!(out.status.code(), Some(1), "failed commands");
}

#[test]
fn table_limits_no_host_could_hold_are_refused_before_allocating() {
    let m = fixture("c-vec-O0");
    for value in ["18446744073709551615", "1000000000000"] {
        let check = wrt_dbg(&["check", &m, "--debug-level", "full"])
            .env("WRT_MAX_BREAKPOINTS", value)
            .output()
            .unwrap();
        let stdout = text(&check.stdout);
        assert_eq!(check.status.code(), Some(1), "{value}: {stdout}");
        assert!(stdout.contains("verdict: does not fit"), "{stdout}");
        assert!(
            stdout.contains("estimated_debug_overhead: found"),
            "{stdout}"
        );

        let debug = wrt_dbg(&["debug", "--batch", "--ex", "info budget", &m])
            .env("WRT_MAX_BREAKPOINTS", value)
            .output()
            .unwrap();
        let stderr = text(&debug.stderr);
        assert_eq!(debug.status.code(), Some(2), "{value}: {stderr}");
        assert!(stderr.contains("estimated_debug_overhead"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn endless_inputs_are_refused_by_size_or_content() {
    let m = fixture("c-vec-O0");
    // Past the caps, as sparse files: their size costs no disk.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(17 << 20)
        .unwrap();
    let big = big.display().to_string();
    let script_says = format!("cannot read {big}: larger than 16777216 bytes");
    let config_says = format!("cannot read config {big}: larger than 1048576 bytes");
    let cases: [(&[&str], &str); 6] = [
        (&["run", "/dev/zero"], "/dev/zero"),
        (&["debug", "--batch", "/dev/zero"], "/dev/zero"),
        (&["debug", "--batch", "-x", &big, &m], &script_says),
        (&["run", "--config", &big, &m], &config_says),
        (
            &["debug", "--batch", "-x", "/dev/zero", &m],
            "cannot read /dev/zero: not a regular file (a device)",
        ),
        (
            &["run", "--config", "/dev/zero", &m],
            "cannot read config /dev/zero: not a regular file (a device)",
        ),
    ];
    for (args, says) in cases {
        let started = Instant::now();
        let out = wrt_dbg(args).output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{args:?} read on"
        );
    }
}

#[test]
fn a_reader_that_went_away_ends_the_output_quietly() {
    let m = fixture("c-vec-O0");
    for args in [
        vec!["check", m.as_str()],
        vec!["check", m.as_str(), "--format", "json"],
        vec!["debug", "--batch", "--ex", "info limits", m.as_str()],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = wrt_dbg(&args).stdout(writer).output().unwrap();
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("cannot write"), "quietly: {stderr}");
        assert_eq!(out.status.code(), Some(141), "{args:?}");
    }
}

#[test]
fn a_full_disk_is_reported() {
    let m = fixture("c-vec-O0");
    let kernels = fixture("kernels");
    for args in [
        vec!["check", m.as_str()],
        vec!["debug", "--batch", "--ex", "info limits", m.as_str()],
        vec!["run", "--invoke", "fib", &kernels, "--", "10"],
    ] {
        let full = std::fs::File::create("/dev/full").unwrap();
        let out = wrt_dbg(&args).stdout(full).output().unwrap();
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("wrt-dbg: cannot write output: No space left on device"),
            "{args:?}: {stderr}"
        );
        assert_eq!(out.status.code(), Some(74), "{args:?}");
    }
}

/// `wrt-dbg debug --batch` on a program that loops forever, sent SIGINT once the first command's
/// output arrived: that first line, the rest of stdout, stderr and the exit status.
fn interrupted_batch(extra: &[&str]) -> (String, String, String, Option<i32>) {
    let forever = wat::parse_str(r#"(module (func (export "_start") (loop $l (br $l))))"#).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("forever.wasm");
    std::fs::write(&module, forever).unwrap();
    let mut child = wrt_dbg(&["debug", "--batch", "--ex", "print 6 * 7", "--ex", "run"])
        .args(["--ex", "print 1"])
        .args(extra)
        .arg(&module)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut stderr = String::new();
    let mut err = child.stderr.take().unwrap();
    err.read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap().code();
    (first, rest, stderr, status)
}

#[test]
fn ctrl_c_in_batch_mode_stops_the_program_and_keeps_the_output() {
    let (first, rest, stderr, status) = interrupted_batch(&[]);
    assert_eq!(first, "(wrt-dbg) print 6 * 7\n", "flushed as it goes");
    assert!(rest.contains("(wrt-dbg) run\n"), "{rest}");
    assert!(
        rest.contains("Program received signal SIGINT, Interrupt."),
        "{rest}"
    );
    assert!(!rest.contains("print 1"), "the script ended there: {rest}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(status, Some(130));
}

#[test]
fn ctrl_c_in_json_is_an_interrupt_stop() {
    let (first, rest, _, status) = interrupted_batch(&["--format", "json"]);
    assert!(first.starts_with("{"), "{first}");
    let run: serde_json::Value = serde_json::from_str(rest.lines().next().unwrap()).unwrap();
    assert_eq!(run["command"], "run");
    assert_eq!(run["stop"]["reason"], "interrupt");
    assert_eq!(rest.lines().count(), 1, "nothing after the interrupt");
    assert_eq!(status, Some(130));
}

fn attach(addr: &str, extra: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let target = format!("tcp:{addr}");
    let mut args = vec!["attach", "--batch", "--ex", "info frame"];
    args.extend(extra);
    args.push(&target);
    let out = wrt_dbg(&args).output().unwrap();
    (out, started.elapsed())
}

#[test]
fn a_stub_announcing_a_huge_module_is_refused_by_the_limits() {
    let addr = common::stub(|body| {
        vec![match body {
            b if b.starts_with("qXfer:memory-map") => b"l<memory-map><memory type=\"rom\" start=\"0x4000000000000000\" length=\"0xffffffffffffffff\"/></memory-map>".to_vec(),
            "QStartNoAckMode" => b"OK".to_vec(),
            _ => Vec::new(),
        }]
    });
    let (out, _) = attach(&addr, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the stub's module is 18446744073709551615 bytes; max_total_memory allows"),
        "{stderr}"
    );
}

#[test]
fn a_stub_that_never_answers_times_out() {
    let addr = common::stub(|_| Vec::new());
    let (out, took) = attach(&addr, &["--timeout", "0.5"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no reply within 0.5 s"), "{stderr}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

/// `wrt-dbg attach` to a stub that never answers, with a minute to wait (the engine thread waits
/// in `read`, where no interrupt flag is seen), sent `signals` 300 ms apart: the exit status and
/// how long the process took to end after the first.
fn stuck_engine(signals: &[&str]) -> (Option<i32>, Duration) {
    let addr = common::stub(|_| Vec::new());
    let mut child = wrt_dbg(&["attach", "--batch", "--timeout", "60", "--ex", "info frame"])
        .arg(format!("tcp:{addr}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let sent = Instant::now();
    for signal in signals {
        let kill = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        std::thread::sleep(Duration::from_millis(300));
    }
    while child.try_wait().unwrap().is_none() && sent.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    (child.wait().unwrap().code(), sent.elapsed())
}

#[test]
fn sigterm_ends_the_process_while_the_engine_is_blocked() {
    let (status, took) = stuck_engine(&["TERM"]);
    assert_eq!(status, Some(143), "after {took:?}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn a_second_ctrl_c_ends_the_process_while_the_engine_is_blocked() {
    let (status, took) = stuck_engine(&["INT", "INT"]);
    assert_eq!(status, Some(130), "after {took:?}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}
