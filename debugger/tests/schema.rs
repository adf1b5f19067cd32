//! The JSON schema of everything `--format json` prints: each command's reply carries one
//! `Response` variant (`{"stop": {...}}`, `{"backtrace": {...}}`, ...) beside `command`, `ok` and
//! `output`. A change to a result type changes this snapshot, so it is seen in review and the
//! README's description is kept with it.

use debugger::request::Response;

#[test]
fn the_json_schema_of_every_result_type() {
    let schema = schemars::schema_for!(Response);
    insta::assert_json_snapshot!(schema);
}
