//! `wrt-dbg serve` under a real client: LLDB 23 with its Wasm plugin (PyPI `lldb-for-pwndbg`),
//! found through `WRT_LLDB` or `PATH`, drives the fixtures over TCP and over a pty pair (socat):
//! breakpoints by line and function, backtraces, variables, step/next/finish, memory reads,
//! watchpoints, and the program's output and exit status at the end. Without LLDB the tests say
//! so and pass, unless `WRT_REQUIRE_LLDB` is set (CI sets it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Server, expected_stdout, serve};

/// The LLDB to drive, or `None` (after saying why) when there is none and none is required.
fn lldb() -> Option<PathBuf> {
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

/// Runs LLDB on `commands` after `connect`; returns its output, the program's output and the
/// server's exit status.
fn session(
    lldb: &Path,
    server: Server,
    connect: &str,
    commands: &str,
) -> (String, String, Option<i32>) {
    let script = std::env::temp_dir().join(format!(
        "wrt-dbg-lldb-{}-{}.lldb",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::write(&script, format!("{connect}\n{commands}")).unwrap();
    let out = Command::new(lldb)
        .args(["--no-lldbinit", "-b", "-s"])
        .arg(&script)
        .output()
        .expect("run lldb");
    let _ = std::fs::remove_file(&script);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let (program, status) = server.finish();
    (text, program, status)
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Asserts every needle appears in `text`, in order.
fn assert_in_order(text: &str, needles: &[&str]) {
    let mut from = 0;
    for n in needles {
        match text[from..].find(n) {
            Some(at) => from += at + n.len(),
            None => panic!("`{n}` not found (in order) in LLDB's output:\n{text}"),
        }
    }
}

const C_SESSION: &str = "\
breakpoint set --file vec.c --line 25
breakpoint set --name add
process plugin packet monitor budget
continue
bt
frame variable
next
frame variable r
finish
continue
frame variable *acc *v
memory read --size 4 --format d --count 3 v
watchpoint set expression -w write -s 4 -- acc
breakpoint delete --force
continue
watchpoint delete --force
continue
";

fn check_c(out: &str, program: &str, status: Option<i32>) {
    assert_in_order(
        out,
        &[
            "Breakpoint 1: where = c-vec-O0.wasm`scale",
            "Breakpoint 2: where = c-vec-O0.wasm`add",
            "     2 of 10000  (max_breakpoints)",
            "stop reason = breakpoint 1.1",
            "frame #0: 0x400000000000060d c-vec-O0.wasm`scale(v=0x00011300, k=1) at vec.c:25:21",
            "frame #1: 0x4000000000000349 c-vec-O0.wasm`main at vec.c:38:24",
            "frame #2: 0x400000000000018f c-vec-O0.wasm`_start at crt1-command.c:12:13",
            "(vec *) v = 0x00011300",
            "(int) k = 1",
            "stop reason = step over",
            "scale(v=0x00011300, k=1) at vec.c:26",
            "(vec) r = (x = 1, y = 2, z = 3)",
            "stop reason = step out",
            "main at vec.c:39",
            "stop reason = breakpoint 2.1",
            "add(acc=0x000112f0, v=0x000112e0) at vec.c:19",
            "(vec) *acc = (x = 0, y = 0, z = 0)",
            "(const vec) *v = (x = 1, y = 2, z = 3)",
            "0x000112e0: 1\n0x000112e4: 2\n0x000112e8: 3",
            "Watchpoint created: Watchpoint 1: addr = 0x000112f0, size = 4",
            "old value: 0x00000000",
            "new value: 0x00000001",
            "stop reason = watchpoint 1",
            "Process 1 exited with status = 0",
        ],
    );
    assert_eq!(program, expected_stdout("c-vec"), "the program's output");
    assert_eq!(status, Some(0));
}

#[test]
fn lldb_debugs_c_over_tcp() {
    let Some(lldb) = lldb() else { return };
    let server = serve("c-vec-O0", &["--listen", "0", "--once"]);
    let connect = server.connect.clone();
    let (out, program, status) = session(&lldb, server, &connect, C_SESSION);
    check_c(&out, &program, status);
}

#[test]
fn lldb_debugs_c_over_a_serial_line() {
    let Some(lldb) = lldb() else { return };
    let (mut socat, ptys) = common::pty_pair();
    let server = serve("c-vec-O0", &["--serial", &format!("{}@115200", ptys[0])]);
    // LLDB cannot set a pty's baud rate (`?baud=` fails on a pty), so it takes the line as it is.
    let connect = format!("process connect --plugin wasm serial://{}", ptys[1]);
    let (out, program, status) = session(&lldb, server, &connect, C_SESSION);
    let _ = socat.kill();
    check_c(&out, &program, status);
}

#[test]
fn lldb_debugs_rust() {
    let Some(lldb) = lldb() else { return };
    let server = serve("rust-demo-O0", &["--listen", "0", "--once"]);
    let connect = server.connect.clone();
    let commands = "\
breakpoint set --file demo.rs --line 48
continue
bt 3
frame variable n
next
breakpoint delete --force
breakpoint set --file demo.rs --line 78
continue
frame variable longest text inv.items.len
breakpoint delete --force
continue
";
    let (out, program, status) = session(&lldb, server, &connect, commands);
    assert_in_order(
        &out,
        &[
            "stop reason = breakpoint 1.1",
            "demo::collatz_len",
            "at demo.rs:48",
            "frame #1:",
            "(unsigned long long) n = 1",
            "stop reason = step over",
            "at demo.rs:52",
            "stop reason = breakpoint 2.1",
            "at demo.rs:78",
            "(unsigned long long) longest = 6171",
            "the quick brown fox",
            "len = 2",
            "Process 1 exited with status = 0",
        ],
    );
    assert_eq!(program, expected_stdout("rust-demo"));
    assert_eq!(status, Some(0));
}

#[test]
fn lldb_kills_the_program() {
    let Some(lldb) = lldb() else { return };
    let server = serve("c-vec-O0", &["--listen", "0", "--once"]);
    let connect = server.connect.clone();
    let commands = "\
breakpoint set --name scale
continue
process kill
";
    let (out, program, _) = session(&lldb, server, &connect, commands);
    assert!(!out.contains("failed to send k packet"), "{out}");
    assert_in_order(
        &out,
        &[
            "stop reason = breakpoint 1.1",
            "Process 1 exited with status = 9",
        ],
    );
    assert_eq!(program, "", "killed before it printed");
}
