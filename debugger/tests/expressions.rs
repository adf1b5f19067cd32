//! Expressions as gdb evaluates them (C's integer types, conversions and wrapping in wasm32's data
//! model), constant expressions and static data before `run`, and breakpoint conditions checked
//! when they are set.

use std::process::Command;

use debugger::{Debugger, Error, Program, Session};
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, MIB};

fn open(name: &str) -> Debugger {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../tests/fixtures/wasm/{name}.wasm"));
    let program = Program {
        output: Some(debugger::SharedOutput(std::rc::Rc::new(
            std::cell::RefCell::new(std::io::sink()),
        ))),
        ..Program::default()
    };
    let bytes = std::fs::read(path).unwrap();
    let limits = linux_production(512 * MIB, AsilLevel::QM, DebugLevel::FullDebug);
    Debugger::new(Session::open(bytes, &limits, program).unwrap())
}

/// Each expression and what gdb 13 prints for it on a 32-bit target (`set architecture i386`,
/// whose `int`, `long` and pointers are 4 bytes and `long long` 8, as on wasm32).
const GDB: &[(&str, &str)] = &[
    (r"18446744073709551615", r"18446744073709551615"),
    (r"18446744073709551615 > 0", r"1"),
    (r"18446744073709551615 == -1", r"1"),
    (r"2147483647", r"2147483647"),
    (r"2147483648", r"2147483648"),
    (r"2147483647 + 1", r"-2147483648"),
    (r"2147483648 + 1", r"2147483649"),
    (r"4294967295", r"4294967295"),
    (r"4294967295 + 1", r"4294967296"),
    (r"4294967296", r"4294967296"),
    (r"0x7fffffff + 1", r"-2147483648"),
    (r"0xffffffff", r"4294967295"),
    (r"0xffffffff + 1", r"0"),
    (r"0xffffffff == -1", r"1"),
    (r"0x80000000 > 0", r"1"),
    (r"0x100000000", r"4294967296"),
    (r"9223372036854775807", r"9223372036854775807"),
    (r"9223372036854775807 + 1", r"-9223372036854775808"),
    (r"9223372036854775808", r"9223372036854775808"),
    (r"-9223372036854775808", r"9223372036854775808"),
    (r"-2147483648", r"-2147483648"),
    (r"-0x80000000", r"2147483648"),
    (r"017", r"15"),
    (r"0b101", r"5"),
    (r"1u", r"1"),
    (r"1u - 2", r"4294967295"),
    (r"1ul - 2", r"4294967295"),
    (r"1l - 2", r"-1"),
    (r"1ll - 2", r"-1"),
    (r"1ull - 2", r"18446744073709551615"),
    (r"-1 < 0u", r"0"),
    (r"-1 < 0", r"1"),
    (r"-1 < 0ull", r"0"),
    (r"-1ll < 0u", r"1"),
    (r"-1 > 4294967295", r"0"),
    (r"4294967295 == -1", r"0"),
    (r"10 / 3", r"3"),
    (r"-7 / 2", r"-3"),
    (r"-7 % 2", r"-1"),
    (r"-5 / 2u", r"2147483645"),
    (r"7u % 3", r"1"),
    (r"(int)-2147483648 / -1", r"-2147483648"),
    (r"1 << 31", r"-2147483648"),
    (r"1 << 40", r"0"),
    (r"1u << 32", r"0"),
    (r"1ll << 40", r"1099511627776"),
    (r"-1 >> 40", r"-1"),
    (r"-8 >> 1", r"-4"),
    (r"-1u >> 1", r"2147483647"),
    (r"~0", r"-1"),
    (r"~0u", r"4294967295"),
    (r"!5", r"0"),
    (r"!0", r"1"),
    (r"-(-2147483647 - 1)", r"-2147483648"),
    (r"65536 * 65536", r"0"),
    (r"65536u * 65536", r"0"),
    (r"65536ll * 65536", r"4294967296"),
    (r"4294967295 * 4294967295", r"-8589934591"),
    (r"18446744073709551615 + 1", r"0"),
    (r"18446744073709551615 / 2", r"9223372036854775807"),
    (r"5 & 3 | 8 ^ 1", r"9"),
    (r"1 + 2 * 3 - 4 / 2 % 3", r"5"),
    (r"3 > 2 > 1", r"0"),
    (r"0 && 1 / 0", r"0"),
    (r"1 || 1 / 0", r"1"),
    (r"1 ? 2 : 3", r"2"),
    (r"0 ? 2 : 3", r"3"),
    (r"1 ? 0 ? 4 : 5 : 6", r"5"),
    (r"sizeof(int)", r"4"),
    (r"sizeof(char)", r"1"),
    (r"sizeof(long)", r"4"),
    (r"sizeof(long long)", r"8"),
    (r"sizeof(unsigned long int)", r"4"),
    (r"sizeof(int *)", r"4"),
    (r"sizeof(double)", r"8"),
    (r"sizeof 1", r"4"),
    (r"sizeof(1ll)", r"8"),
    (r"sizeof 1.5f", r"4"),
    (r"(char)65", r"65 'A'"),
    (r"(signed char)200", r"-56 '\310'"),
    (r"(unsigned char)200", r"200 '\310'"),
    (r"(unsigned char)300", r"44 ','"),
    (r"(short)70000", r"4464"),
    (r"(unsigned short)-1", r"65535"),
    (r"(long)4294967296", r"0"),
    (r"(long long)4294967296", r"4294967296"),
    (r"(unsigned)-1", r"4294967295"),
    (r"(unsigned long long)-1", r"18446744073709551615"),
    (r"(int)3.9", r"3"),
    (r"(int)-3.9", r"-3"),
    (r"1.5 + 1", r"2.5"),
    (r"3.0f / 2", r"1.5"),
    (r"7 == 7.0", r"1"),
    (r"1.5 > 1", r"1"),
    (r"-1.5", r"-1.5"),
    (r"!0.0", r"1"),
    (r"'a'", r"97 'a'"),
    (r"'A' + 1", r"66"),
    (r"'\n'", r"10 '\n'"),
    (r"'\101'", r"65 'A'"),
    (r"'\x41'", r"65 'A'"),
    (r"(char)0", r"0 '\000'"),
    (r"(char)-1", r"-1 '\377'"),
    (r"(unsigned char)255 + 1", r"256"),
    (r"(short)-1 + 0u", r"4294967295"),
    (r"1e3", r"1000"),
];

#[test]
fn literals_conversions_and_casts_print_what_gdb_prints() {
    // Before `run`: none of these needs a program.
    let mut d = open("c-board-O1");
    let mut wrong = Vec::new();
    for (n, (expr, want)) in GDB.iter().enumerate() {
        let r = d.execute(&format!("print {expr}"));
        let want = format!("${} = {want}", n + 1);
        if !r.ok || r.text != want {
            wrong.push(format!("print {expr}: got `{}`, gdb `{want}`", r.text));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The table above is what the gdb on this machine prints (checked where gdb is installed;
/// `WRT_REQUIRE_GDB` makes its absence a failure).
#[test]
fn the_table_is_what_gdb_prints() {
    let mut gdb = Command::new("gdb");
    gdb.args(["--batch", "-nx", "-ex", "set architecture i386"]);
    for (expr, _) in GDB {
        gdb.args(["-ex", &format!("print {expr}")]);
    }
    let Ok(out) = gdb.output() else {
        assert!(
            std::env::var_os("WRT_REQUIRE_GDB").is_none(),
            "WRT_REQUIRE_GDB is set but there is no gdb"
        );
        eprintln!("gdb is not installed: the table is not compared with it");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let printed: Vec<&str> = text.lines().filter(|l| l.starts_with('$')).collect();
    assert_eq!(printed.len(), GDB.len(), "{text}");
    for (n, ((expr, want), got)) in GDB.iter().zip(printed).enumerate() {
        assert_eq!(got, format!("${} = {want}", n + 1), "print {expr}");
    }
}

#[test]
fn literals_past_64_bits_and_bad_ones_are_refused_with_their_column() {
    let mut d = open("c-board-O1");
    for (cmd, want) in [
        (
            "print 1 + 18446744073709551616",
            "`18446744073709551616` is too large: at most 18446744073709551615 (unsigned long long) \
             (in `1 + 18446744073709551616` at column 5)",
        ),
        ("print 08", "invalid number `08` (in `08` at column 1)"),
        ("print 1uu", "invalid number `1uu` (in `1uu` at column 1)"),
        (
            "print 2.5 % 2",
            "Integer-only operation on floating point number. (in `2.5 % 2` at column 8)",
        ),
        (
            "print ~1.5",
            "Argument to complement operation not an integer, boolean. (in `~1.5` at column 5)",
        ),
        ("print 1 / 0", "Division by zero (in `1 / 0` at column 6)"),
        // Columns count characters, and one past the end is the end.
        (
            "print \u{e9}\u{e9} +",
            "unexpected `\u{e9}` (in `\u{e9}\u{e9} +` at column 1)",
        ),
        (
            "print 1 + \u{e9}",
            "unexpected `\u{e9}` (in `1 + \u{e9}` at column 5)",
        ),
        ("print (1 + 2", "expected `)` (in `(1 + 2` at column 7)"),
        ("print 1 ? 2", "expected `:` (in `1 ? 2` at column 6)"),
    ] {
        let r = d.execute(cmd);
        assert!(!r.ok, "{cmd}");
        assert_eq!(r.text, want, "{cmd}");
    }
}

#[test]
fn static_data_reads_before_run_and_after_the_program_ends() {
    let mut d = open("c-board-O1");
    for (cmd, want) in [
        ("print weights", "$1 = {1, 2, 3, 2}"),
        ("print weights[2] * 10 + steps", "$2 = 30"),
        (
            "print samples[63]",
            "$3 = {id = 0, value = 0, filtered = 0}",
        ),
        ("print sizeof(samples)", "$4 = 768"),
        ("print $1[3]", "$5 = 2"),
        ("output weights[0]", "$6 = 1"),
    ] {
        let r = d.execute(cmd);
        assert_eq!((r.ok, r.text.as_str()), (true, want), "{cmd}");
    }
    let x = d.execute("x/4dw &weights");
    assert!(x.ok && x.text.ends_with(":\t1\t2\t3\t2"), "{}", x.text);
    // What needs a frame is refused as gdb refuses it.
    for (cmd, want) in [
        ("print prev", "No symbol \"prev\" in current context."),
        ("info locals", "No frame selected."),
        ("info args", "No frame selected."),
        ("up", "No stack."),
        ("down 2", "No stack."),
        ("frame 1", "No stack."),
        ("backtrace", "No stack."),
        ("info frame", "No stack."),
        ("kill", "The program is not being run."),
        ("finish", "The program is not being run."),
    ] {
        let r = d.execute(cmd);
        assert_eq!((r.ok, r.text.as_str()), (false, want), "{cmd}");
    }
    // While it runs, the program's memory; once it has ended, the module's again.
    assert!(d.execute("break checksum").ok);
    assert!(d.execute("run").ok);
    assert_eq!(d.execute("print steps").text, "$7 = 64");
    assert!(d.execute("delete").ok);
    let end = d.execute("continue");
    assert!(end.text.contains("exited"), "{}", end.text);
    assert_eq!(d.execute("print steps").text, "$8 = 0");
    assert_eq!(d.execute("print 1 + 1").text, "$9 = 2");
}

#[test]
fn a_condition_that_does_not_parse_is_refused_when_it_is_set() {
    let mut d = open("c-board-O1");
    let r = d.execute("break filter if (");
    assert_eq!(
        (r.ok, r.text.as_str()),
        (false, "expected an expression (in `(` at column 2)")
    );
    assert_eq!(
        d.execute("info breakpoints").text,
        "No breakpoints or watchpoints."
    );
    assert!(d.execute("break filter").ok);
    for (cond, want) in [
        ("(", "expected an expression (in `(` at column 2)"),
        ("1 +", "expected an expression (in `1 +` at column 4)"),
        (
            "s->id ==",
            "expected an expression (in `s->id ==` at column 9)",
        ),
        (
            "1 )",
            "unexpected text after the expression (in `1 )` at column 3)",
        ),
        ("x @ 2", "unexpected `@` (in `x @ 2` at column 3)"),
    ] {
        let r = d.execute(&format!("condition 1 {cond}"));
        assert_eq!((r.ok, r.text.as_str()), (false, want), "condition 1 {cond}");
    }
    assert!(!d.execute("info breakpoints").text.contains("stop only if"));
    // A condition that parses is kept, whatever it names: it is evaluated where it is hit, and
    // C does not evaluate what `&&` and `?:` pass over.
    assert!(
        d.execute("condition 1 s->id != 5 ? 0 && 1 / 0 : 1 || 1 / 0")
            .ok
    );
    let stop = d.execute("run");
    assert!(stop.ok && !stop.text.contains("Error"), "{}", stop.text);
    assert_eq!(d.execute("print s->id").text, "$1 = 5");
    let e = d.execute("condition 2 1");
    assert_eq!(e.text, "No breakpoint number 2.");
}

#[test]
fn an_expression_checks_wherever_it_evaluates() {
    let d = open("c-board-O1");
    for expr in GDB.iter().map(|(e, _)| *e) {
        assert!(d.session.check_expression(expr).is_ok(), "{expr}");
    }
    match d.session.check_expression("1 +") {
        Err(Error::Expr { column: 4, .. }) => {}
        other => panic!("{other:?}"),
    }
}
