//! Text that came from a module, a target or a script reaches the terminal with its control
//! characters escaped: no name can clear the screen or retitle the window.

use std::process::Command;

#[test]
fn control_characters_from_a_module_and_a_script_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("evil.wasm");
    let wasm =
        wat::parse_str(r#"(module (func $"\1b]0;owned\07\1b[2J" (export "_start") unreachable))"#)
            .unwrap();
    std::fs::write(&module, wasm).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
        .args([
            "debug",
            "--batch",
            "--ex",
            "run",
            "--ex",
            "bt",
            "--ex",
            "echo \x1b[2J\n",
        ])
        .arg(&module)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains('\x1b') && !stdout.contains('\x07'),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("\\x1b]0;owned\\x07\\x1b[2J"),
        "the name, escaped: {stdout}"
    );
    assert!(
        stdout.contains("(wrt-dbg) echo \\x1b[2J"),
        "the echo, escaped: {stdout}"
    );
}
