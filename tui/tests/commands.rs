//! Every number a command takes, through `wrt-dbg debug --batch`: taken over its whole range or
//! refused naming the text and the bound, never truncated; counts past 32 bits that run as asked;
//! gdb's messages for commands that need a program before `run`; conditions refused when set;
//! expressions typed as gdb types them.

mod common;

use std::process::{Command, Stdio};

use common::root;

/// Each command of a `wrt-dbg debug --batch` session on the board fixture, with what it printed.
fn session(commands: &[&str]) -> Vec<(String, String)> {
    let mut args = vec!["debug", "--batch"];
    for c in commands {
        args.extend(["--ex", c]);
    }
    let module = root().join("tests/fixtures/wasm/c-board-O1.wasm");
    let module = module.display().to_string();
    args.push(&module);
    let out = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
        .args(&args)
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut replies: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        match line.strip_prefix("(wrt-dbg) ") {
            Some(cmd) => replies.push((cmd.to_string(), String::new())),
            None => {
                let (_, reply) = replies.last_mut().expect("output before a command");
                if !reply.is_empty() {
                    reply.push('\n');
                }
                reply.push_str(line);
            }
        }
    }
    assert_eq!(replies.len(), commands.len(), "{text}");
    replies
}

/// What each command printed, looked up by the command.
fn replies(commands: &[&str]) -> impl Fn(&str) -> String {
    let replies = session(commands);
    move |cmd| {
        replies
            .iter()
            .find(|(c, _)| c == cmd)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("no `{cmd}`"))
    }
}

#[test]
fn every_number_a_command_takes_is_taken_whole_or_refused_by_name() {
    const U32: &str = "at most 4294967295";
    const U64: &str = "at most 18446744073709551615";
    let table: &[(&str, String)] = &[
        ("continue -1", "`-1` is too small: at least 0".into()),
        (
            "continue 18446744073709551616",
            format!("`18446744073709551616` is too large: {U64}"),
        ),
        ("continue abc", "`abc` is not a number".into()),
        ("step 4294967296", format!("`4294967296` is too large: {U32}")),
        ("next -1", "`-1` is too small: at least 0".into()),
        (
            "stepi 99999999999999999999",
            format!("`99999999999999999999` is too large: {U32}"),
        ),
        ("nexti 0x100000000", format!("`0x100000000` is too large: {U32}")),
        (
            "finish 1",
            "The \"finish\" command does not take any arguments.".into(),
        ),
        // Levels and counts take the whole range: 2^32 is not frame 0 nor one frame.
        ("frame 4294967296", "No frame at level 4294967296.".into()),
        ("frame -1", "`-1` is too small: at least 0".into()),
        (
            "frame 18446744073709551616",
            format!("`18446744073709551616` is too large: {U64}"),
        ),
        (
            "up 4294967297",
            "Initial frame selected; you cannot go up.".into(),
        ),
        (
            "up -1",
            "Bottom (innermost) frame selected; you cannot go down.".into(),
        ),
        (
            "down 9223372036854775808",
            "`9223372036854775808` is too large: at most 9223372036854775807".into(),
        ),
        (
            "down -9223372036854775808",
            "`-9223372036854775808` is too small: at least -9223372036854775807".into(),
        ),
        ("backtrace -1", "`-1` is too small: at least 0".into()),
        (
            "backtrace 4294967296",
            "#0  filter (s=0x1020, prev=0) at board.c:49\n#1  0x0000004d in _start () at board.c:66"
                .into(),
        ),
        ("delete 4294967297", format!("`4294967297` is too large: {U32}")),
        ("disable 4294967297", format!("`4294967297` is too large: {U32}")),
        ("enable -1", "`-1` is too small: at least 0".into()),
        ("disable", "Argument required (a number).".into()),
        (
            "condition 4294967297 1",
            format!("`4294967297` is too large: {U32}"),
        ),
        ("ignore 4294967297 1", format!("`4294967297` is too large: {U32}")),
        (
            "ignore 1 18446744073709551616",
            format!("`18446744073709551616` is too large: {U64}"),
        ),
        ("ignore 1 -1", "`-1` is too small: at least 0".into()),
        (
            "ignore 1 4294967296",
            "Will ignore next 4294967296 crossings of breakpoint 1.".into(),
        ),
        ("ignore 1 0", "Will ignore next 0 crossings of breakpoint 1.".into()),
        ("undisplay 4294967296", format!("`4294967296` is too large: {U32}")),
        (
            "info profile 18446744073709551616",
            format!("`18446744073709551616` is too large: {U64}"),
        ),
        (
            "x/4294967297xb s",
            "Count 4294967297 is too large: `x` shows at most 1048576 units at a time.".into(),
        ),
        ("x/0xb s", String::new()),
        // A code offset past 32 bits does not wrap into the module's code.
        ("tbreak *0x10000010a", format!("`0x10000010a` is too large: {U32}")),
        ("break *0x7fffffff", "No location matches \"*0x7fffffff\".".into()),
        ("break 4294967297", format!("`4294967297` is too large: {U32}")),
        (
            "break board.c:99999999999999999999",
            format!("`99999999999999999999` is too large: {U32}"),
        ),
        ("list 4294967296", format!("`4294967296` is too large: {U32}")),
        ("until 4294967296", format!("`4294967296` is too large: {U32}")),
        (
            "watch -l 0x1020,4294967296",
            format!("`4294967296` is too large: {U32}"),
        ),
        (
            "print/2x 1",
            "Item count other than 1 is meaningless in \"print\" command.".into(),
        ),
        (
            "display/xw 1",
            "Size letters are meaningless in \"display\" command.".into(),
        ),
    ];
    let mut commands = vec!["break filter", "run"];
    commands.extend(table.iter().map(|(c, _)| *c));
    let reply = replies(&commands);
    let wrong: Vec<String> = table
        .iter()
        .filter(|(cmd, want)| reply(cmd) != *want)
        .map(|(cmd, want)| format!("{cmd}: got `{}`, want `{want}`", reply(cmd)))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn counts_past_32_bits_run_as_many_as_asked() {
    let reply = replies(&[
        "break filter",
        "run",
        // 2^32 + 1: the next 2^32 hits pass; `filter` is hit 64 times, so the program ends.
        "continue 4294967297",
        "info breakpoints",
        "ignore 1 0",
        "run",
        "ignore 1 4294967296",
        "continue",
        "ignore 1 1",
        "run",
        "continue 3",
        "print s->id",
    ]);
    assert!(
        reply("continue 4294967297").ends_with("[Inferior 1 (process 1) exited with code 23]"),
        "{}",
        reply("continue 4294967297")
    );
    assert!(
        reply("info breakpoints").ends_with(
            "breakpoint already hit 64 times\n\tWill ignore next 4294967233 crossings of breakpoint."
        ),
        "{}",
        reply("info breakpoints")
    );
    assert!(
        reply("continue").ends_with("exited with code 23]"),
        "{}",
        reply("continue")
    );
    // The run passes one hit and stops at the second; `continue 3` passes two more: the stop is
    // the fifth, in the fifth sample.
    assert_eq!(reply("print s->id"), "$1 = 4");
}

/// Commands that need a program, before `run`: the messages gdb gives.
const BEFORE_RUN: &[(&str, &str)] = &[
    ("kill", "The program is not being run."),
    ("up", "No stack."),
    ("down", "No stack."),
    ("frame", "No stack."),
    ("backtrace", "No stack."),
    ("info frame", "No stack."),
    ("info locals", "No frame selected."),
    ("info args", "No frame selected."),
    ("finish", "The program is not being run."),
    ("next", "The program is not being run."),
    ("continue", "The program is not being run."),
];

#[test]
fn commands_that_need_a_program_say_what_gdb_says_before_run() {
    let mut commands: Vec<&str> = BEFORE_RUN.iter().map(|(c, _)| *c).collect();
    // gdb says "No registers." for this one; there is no stack to find level 1 in either way.
    commands.push("frame 1");
    let replies = session(&commands);
    for ((cmd, got), (_, want)) in replies.iter().zip(BEFORE_RUN) {
        assert_eq!(got, want, "{cmd}");
    }
    assert_eq!(replies.last().unwrap().1, "No stack.");
}

/// The messages above are what the gdb on this machine prints with a program loaded and not
/// started (checked where gdb is installed; `WRT_REQUIRE_GDB` makes its absence a failure).
#[test]
fn the_messages_before_run_are_gdbs() {
    let mut gdb = Command::new("gdb");
    gdb.args(["--batch", "-nx", "-iex", "set auto-load off"]);
    for (cmd, _) in BEFORE_RUN {
        gdb.args(["-ex", cmd]);
    }
    gdb.arg(std::env::current_exe().unwrap());
    let Ok(out) = gdb.output() else {
        assert!(
            std::env::var_os("WRT_REQUIRE_GDB").is_none(),
            "WRT_REQUIRE_GDB is set but there is no gdb"
        );
        eprintln!("gdb is not installed: the messages are not compared with it");
        return;
    };
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    let said: Vec<&str> = said.lines().collect();
    let ours: Vec<&str> = BEFORE_RUN.iter().map(|(_, m)| *m).collect();
    assert_eq!(said, ours);
}

#[test]
fn a_condition_that_does_not_parse_is_refused_when_set_with_its_column() {
    let reply = replies(&[
        "break filter if s->id == (",
        "break filter",
        "condition 1 (",
        "condition 1 s->id ==",
        "info breakpoints",
        "condition 1 s->id == 2",
        "run",
        "print s->id",
    ]);
    assert_eq!(
        reply("break filter if s->id == ("),
        "expected an expression (in `s->id == (` at column 11)"
    );
    assert_eq!(
        reply("condition 1 ("),
        "expected an expression (in `(` at column 2)"
    );
    assert_eq!(
        reply("condition 1 s->id =="),
        "expected an expression (in `s->id ==` at column 9)"
    );
    assert!(
        !reply("info breakpoints").contains("stop only if"),
        "{}",
        reply("info breakpoints")
    );
    assert_eq!(reply("print s->id"), "$1 = 2");
}

#[test]
fn expressions_follow_gdb_before_run_and_in_a_frame() {
    let reply = replies(&[
        "print 18446744073709551615",
        "print 18446744073709551615 > 0",
        "print 1+1",
        "print sizeof(int)",
        "print (char)65",
        "print (unsigned char)300",
        "print weights",
        "break filter",
        "run",
        "print -1 < 0u",
        "print s->value < 0u",
        "print prev + 2147483647 + 1",
    ]);
    for (cmd, want) in [
        ("print 18446744073709551615", "$1 = 18446744073709551615"),
        ("print 18446744073709551615 > 0", "$2 = 1"),
        ("print 1+1", "$3 = 2"),
        ("print sizeof(int)", "$4 = 4"),
        ("print (char)65", "$5 = 65 'A'"),
        ("print (unsigned char)300", "$6 = 44 ','"),
        ("print weights", "$7 = {1, 2, 3, 2}"),
        ("print -1 < 0u", "$8 = 0"),
        ("print s->value < 0u", "$9 = 0"),
        ("print prev + 2147483647 + 1", "$10 = -2147483648"),
    ] {
        assert_eq!(reply(cmd), want, "{cmd}");
    }
}
