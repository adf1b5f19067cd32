//! The JSON schema of everything `--format json` prints: each command's reply carries one
//! `Response` variant (`{"stop": {...}}`, `{"backtrace": {...}}`, ...) beside `command`, `ok` and
//! `output`; and of every `Request` a front-end sends. A change to either changes a snapshot, so
//! it is seen in review and docs/json.md is kept with it. Both read back what they write.

use debugger::Debugger;
use debugger::command::{Command, parse};
use debugger::request::{Request, Response};

#[test]
fn the_json_schema_of_every_result_type() {
    let schema = schemars::schema_for!(Response);
    insta::assert_json_snapshot!(schema);
}

#[test]
fn the_json_schema_of_every_request() {
    let schema = schemars::schema_for!(Request);
    insta::assert_json_snapshot!(schema);
}

/// Requests parsed from commands, and the responses a session gives them, written as JSON and
/// read back: the same values.
#[test]
fn requests_and_responses_read_back_what_they_write() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/wasm/c-vec-O0.wasm"
    ))
    .unwrap();
    let limits = runtime_core::limits::preset::linux_production(
        512 * runtime_core::limits::MIB,
        runtime_core::limits::AsilLevel::QM,
        runtime_core::limits::DebugLevel::FullDebug,
    );
    let program = debugger::Program {
        output: Some(debugger::SharedOutput(std::rc::Rc::new(
            std::cell::RefCell::new(Vec::<u8>::new()),
        ))),
        ..Default::default()
    };
    let session = debugger::Session::open(bytes, &limits, program).unwrap();
    let mut d = Debugger::new(session);
    let commands = [
        "break scale",
        "run",
        "watch -l 0x1000,4",
        "bt",
        "info frame",
        "info locals",
        "p/x *v",
        "x/4xw v",
        "set var v->x = 7",
        "display k",
        "info breakpoints",
        "info budget",
        "info limits",
        "list",
        "disassemble",
        "finish",
        "next 2",
        "profile on",
        "continue",
    ];
    for line in commands {
        let Command::Request(req) = parse(line).unwrap() else {
            panic!("{line} is a request")
        };
        let text = serde_json::to_string(&req).unwrap();
        let back: Request = serde_json::from_str(&text).unwrap();
        assert_eq!(back, req, "{line}: {text}");
        let resp = d
            .session
            .handle(req)
            .unwrap_or_else(|e| panic!("{line}: {e}"));
        let text = serde_json::to_string(&resp).unwrap();
        let back: Response = serde_json::from_str(&text).unwrap();
        assert_eq!(back, resp, "{line}: {text}");
    }
}
