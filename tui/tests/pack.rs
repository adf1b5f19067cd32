//! `wrt-dbg pack`: a module's memory cut to the bytes it uses, with one-byte pages, so a 64 KiB
//! board can hold it; what it cannot safely cut is refused with the reason, and `check` names
//! the limit a whole page breaks.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn board() -> PathBuf {
    root().join("tests/fixtures/wasm/c-board-O1.wasm")
}

fn wrt_dbg(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"));
    cmd.args(args);
    cmd
}

fn pack(module: &Path, out: &Path, extra: &[&str]) -> Output {
    wrt_dbg(&["pack"])
        .arg(module)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn check(module: &Path) -> Output {
    wrt_dbg(&["check", "--platform", "zephyr", "--memory", "64KiB"])
        .arg(module)
        .output()
        .unwrap()
}

#[test]
fn a_page_too_many_for_the_board_is_cut_to_what_the_program_uses() {
    let whole = check(&board());
    assert_eq!(whole.status.code(), Some(1));
    assert!(
        stdout(&whole).contains("max_wasm_linear_memory: found 65536, allowed 39321"),
        "{}",
        stdout(&whole)
    );
    let dir = tempfile::tempdir().unwrap();
    let packed = dir.path().join("packed.wasm");
    let out = pack(&board(), &packed, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // 4096 bytes of stack, then 64 samples of 12 bytes, a counter, four weights and the text.
    assert!(
        stdout(&out).contains(
            "memory cut from 65536 to 4900 bytes in one-byte pages: the program never grows or \
             measures its memory and uses 4900 bytes (its data segments, stack and static variables)"
        ),
        "{}",
        stdout(&out)
    );
    assert_eq!(check(&packed).status.code(), Some(0));
    let run = wrt_dbg(&["run"]).arg(&packed).output().unwrap();
    let expected = std::fs::read_to_string(root().join("tests/fixtures/expected/c-board.stdout"));
    assert_eq!(stdout(&run), expected.unwrap());
    assert_eq!(run.status.code(), Some(19));
}

#[test]
fn a_stripped_module_keeps_its_code_where_the_full_one_has_it() {
    let dir = tempfile::tempdir().unwrap();
    let (full, stripped) = (dir.path().join("full.wasm"), dir.path().join("board.wasm"));
    assert!(pack(&board(), &full, &[]).status.success());
    assert!(
        pack(&board(), &stripped, &["--strip-debug"])
            .status
            .success()
    );
    let (full, stripped) = (
        std::fs::read(full).unwrap(),
        std::fs::read(stripped).unwrap(),
    );
    assert!(stripped.len() * 2 < full.len(), "the DWARF is gone");
    debugger::pack::same_code(&stripped, &full).expect("the same code");
    // Both record the statement starts the DWARF gives for the packed file.
    let from_dwarf = debugger::translate::statements(&full).unwrap();
    assert!(!from_dwarf.is_empty());
    assert_eq!(
        runtime_core::Module::recorded_statements(&stripped).unwrap(),
        from_dwarf
    );
    let other = std::fs::read(root().join("tests/fixtures/wasm/kernels.wasm")).unwrap();
    let refused = debugger::pack::same_code(&stripped, &other).unwrap_err();
    assert!(
        refused.to_string().contains("their code differs"),
        "{refused}"
    );
}

#[test]
fn what_cannot_be_cut_safely_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            r#"(module (memory 1) (func (export "_start") (drop (memory.grow (i32.const 1)))))"#,
            vec![],
            "memory.grow at code offset 0x",
        ),
        (
            r#"(module (memory 1) (func (export "_start") (drop (memory.size))))"#,
            vec![],
            "memory.size at code offset 0x",
        ),
        (
            r#"(module (import "env" "memory" (memory 1)) (func (export "_start")))"#,
            vec![],
            "the module imports its memory (env::memory)",
        ),
        (
            r#"(module (func (export "_start")))"#,
            vec![],
            "the module defines no memory",
        ),
        (
            r#"(module (memory 1) (func (export "_start")))"#,
            vec![],
            "names neither `__heap_base` nor, in DWARF, its static variables",
        ),
        (
            r#"(module (memory 1) (global (export "__heap_base") i32 (i32.const 2048))
                (func (export "_start")))"#,
            vec!["--memory", "1KiB"],
            "the module uses 2048 bytes of memory (below __heap_base), more than the 1024 asked",
        ),
        (
            r#"(module (memory 1) (global (export "__heap_base") i32 (i32.const 2048))
                (func (export "_start")))"#,
            vec!["--memory", "1MiB"],
            "1048576 bytes is more than the 65536 the module declares",
        ),
    ];
    for (i, (wat, extra, why)) in cases.iter().enumerate() {
        let module = dir.path().join(format!("{i}.wasm"));
        std::fs::write(&module, wat::parse_str(wat).unwrap()).unwrap();
        let out = pack(&module, &dir.path().join(format!("{i}.out.wasm")), extra);
        assert_eq!(out.status.code(), Some(2), "{wat}");
        assert!(stderr(&out).contains(why), "{wat}: {}", stderr(&out));
        assert!(stderr(&out).contains("cannot pack"), "{}", stderr(&out));
    }
}

#[test]
fn a_heap_base_bounds_the_memory_and_accesses_past_it_trap() {
    let dir = tempfile::tempdir().unwrap();
    let wat = r#"(module (memory 1) (global (export "__heap_base") i32 (i32.const 100))
        (func (export "_start") (i32.store (i32.const 96) (i32.const 7))
            (i32.store (i32.const 100) (i32.const 7))))"#;
    let module = dir.path().join("m.wasm");
    std::fs::write(&module, wat::parse_str(wat).unwrap()).unwrap();
    let packed = dir.path().join("p.wasm");
    let out = pack(&module, &packed, &[]);
    assert!(
        stdout(&out).contains("uses 100 bytes (below __heap_base)"),
        "{}",
        stdout(&out)
    );
    let run = wrt_dbg(&["run"]).arg(&packed).output().unwrap();
    assert_eq!(run.status.code(), Some(134));
    assert!(
        stderr(&run).contains("out of bounds memory access"),
        "{}",
        stderr(&run)
    );
}
