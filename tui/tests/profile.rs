//! `wrt-dbg profile` on the committed fixtures, each format read by what reads it: the text
//! table and folded stacks as snapshots (counts only), the flame graph as inferno's SVG,
//! callgrind's file by `callgrind_annotate`, speedscope's against its published schema, and
//! the Firefox Profiler's checked for a consistent stack, frame and string table.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::root;

/// `wrt-dbg profile` on `fixture` with `flags` and the program's `args`: its stdout, which it
/// checks ended with the program's status.
fn profile(fixture: &str, flags: &[&str], args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
        .arg("profile")
        .args(flags)
        .arg(root().join(format!("tests/fixtures/wasm/{fixture}.wasm")))
        .arg("--")
        .args(args)
        .output()
        .expect("run wrt-dbg profile");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text with each time (`17.1ms`), which varies from run to run, as `[time]`.
fn timeless(text: &str) -> String {
    let time = |w: &str| {
        let w = w.trim_end_matches(',');
        let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
            && ["s", "ms", "us"].contains(&&w[digits.len()..])
    };
    let line = |l: &str| -> String {
        let words: Vec<&str> = l
            .split(' ')
            .map(|w| match (time(w), w.ends_with(',')) {
                (true, true) => "[time],",
                (true, false) => "[time]",
                (false, _) => w,
            })
            .collect();
        words.join(" ")
    };
    text.lines().map(line).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_table_counts_each_function_and_its_callers_and_callees() {
    let text = profile(
        "c-profile-O2",
        &["--interval", "0", "--top", "6"],
        &["1000"],
    );
    insta::assert_snapshot!(timeless(&text));
    let row = |name: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|l| l.ends_with(&format!("  {name}")))
            .unwrap_or_else(|| panic!("no row for {name} in\n{text}"));
        line.split_whitespace().map(str::to_string).collect()
    };
    // Calls: 4 * rounds steps, 10 of each loop; a third of the loop rounds are stir's.
    assert_eq!(row("step")[4], "4000");
    assert_eq!(
        (row("mix")[4].as_str(), row("stir")[4].as_str()),
        ("10", "10")
    );
}

#[test]
fn by_line_each_frame_is_a_line_and_inlined_functions_are_marked() {
    let text = profile(
        "c-spin-O2",
        &["--by", "line", "--interval", "0", "--top", "4"],
        &["0", "1000"],
    );
    insta::assert_snapshot!(timeless(&text));
    assert!(text.contains("fill (spin.c:17) [inlined]"), "{text}");
}

#[test]
fn folded_stacks_weigh_each_stack_by_its_own_instructions() {
    let folded = profile("c-profile-O2", &["--format", "folded"], &["1000"]);
    insta::assert_snapshot!(folded);
    let total: u64 = folded
        .lines()
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum();
    let text = profile("c-profile-O2", &["--interval", "0"], &["1000"]);
    assert!(
        text.contains(&format!(": {total} instructions in")),
        "{text}"
    );
    let by_line = profile(
        "c-profile-O2",
        &["--format", "folded", "--by", "line"],
        &["1000"],
    );
    // Each call from the loop's line runs step's three instructions.
    for stack in [
        "main (profile.c:26);mix (profile.c:12);step (profile.c:8) 9000",
        "main (profile.c:27);stir (profile.c:18);step (profile.c:8) 3000",
    ] {
        assert!(by_line.lines().any(|l| l.ends_with(stack)), "{by_line}");
    }
}

#[test]
fn the_flame_graph_is_inferno_svg_of_the_stacks() {
    let svg = profile("c-profile-O2", &["--format", "svg"], &["1000"]);
    assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{svg}");
    for name in ["mix", "stir", "step", "main"] {
        assert!(svg.contains(&format!("<title>{name} (")), "no {name} frame");
    }
    assert!(svg.contains("instructions"));
}

/// Where a tool the tests need is, or `None` (skipping) unless `require` says it must be.
fn tool(found: Option<PathBuf>, what: &str, require: &str) -> Option<PathBuf> {
    if found.is_none() {
        assert!(
            std::env::var_os(require).is_none(),
            "{require} is set but {what} is missing"
        );
        eprintln!("skipped: no {what}");
    }
    found
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|f| f.is_file())
    })
}

#[test]
fn callgrind_annotate_reads_the_callgrind_file_and_names_the_hot_function() {
    let Some(annotate) = tool(
        on_path("callgrind_annotate"),
        "callgrind_annotate (Debian valgrind)",
        "WRT_REQUIRE_VALGRIND",
    ) else {
        return;
    };
    for by in ["function", "line"] {
        let file = tempfile::NamedTempFile::new().unwrap();
        let path = file.path().to_str().unwrap();
        profile(
            "c-profile-O2",
            &["--format", "callgrind", "--by", by, "-o", path],
            &["100000"],
        );
        let out = Command::new(&annotate).arg(path).output().unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{report}");
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("WARNING"),
            "{out:?}"
        );
        // The functions by instructions: the first is the hottest.
        let first = report
            .split("file:function")
            .nth(1)
            .and_then(|t| t.lines().find(|l| l.contains(':') && l.contains('%')))
            .unwrap_or_default();
        assert!(first.ends_with("profile.c:mix"), "by {by}: {report}");
    }
}

#[test]
fn the_speedscope_file_follows_the_published_schema() {
    let Some(schema) = tool(
        std::env::var_os("WRT_SPEEDSCOPE_SCHEMA").map(PathBuf::from),
        "speedscope schema (npm speedscope: dist/release/file-format-schema.json)",
        "WRT_REQUIRE_SCHEMAS",
    ) else {
        return;
    };
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let text = profile(
        "c-profile-O2",
        &["--format", "speedscope", "--interval", "100us"],
        &["100000"],
    );
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&file)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let profiles = file["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 2, "instructions and time");
    let instructions = &profiles[0];
    let weights: u64 = instructions["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_u64().unwrap())
        .sum();
    assert_eq!(instructions["endValue"].as_u64(), Some(weights));
    let frames = file["shared"]["frames"].as_array().unwrap();
    let step = frames.iter().position(|f| f["name"] == "step").unwrap();
    assert_eq!(frames[step]["line"], 8);
    assert!(
        frames[step]["file"]
            .as_str()
            .unwrap()
            .ends_with("profile.c")
    );
}

#[test]
fn the_firefox_profile_has_consistent_tables_and_counts_every_instruction() {
    let text = profile("c-profile-O2", &["--format", "firefox"], &["1000"]);
    let p: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(p["meta"]["version"].as_u64().is_some(), "{}", p["meta"]);
    let strings = p["shared"]["stringArray"]
        .as_array()
        .or_else(|| p["threads"][0]["stringArray"].as_array())
        .expect("a string table");
    let thread = &p["threads"][0];
    let len = |t: &serde_json::Value| t["length"].as_u64().unwrap() as usize;
    let column = |t: &serde_json::Value, c: &str| -> Vec<Option<u64>> {
        t[c].as_array()
            .unwrap_or_else(|| panic!("no {c}"))
            .iter()
            .map(serde_json::Value::as_u64)
            .collect()
    };
    let (stacks, frames, funcs) = (
        &thread["stackTable"],
        &thread["frameTable"],
        &thread["funcTable"],
    );
    for (i, prefix) in column(stacks, "prefix").into_iter().enumerate() {
        assert!(
            prefix.is_none_or(|p| (p as usize) < i),
            "a stack's prefix comes first"
        );
    }
    assert!(
        column(stacks, "frame")
            .iter()
            .all(|f| (f.unwrap() as usize) < len(frames))
    );
    assert!(
        column(frames, "func")
            .iter()
            .all(|f| (f.unwrap() as usize) < len(funcs))
    );
    let names: Vec<&str> = column(funcs, "name")
        .iter()
        .map(|n| strings[n.unwrap() as usize].as_str().unwrap())
        .collect();
    for name in ["mix", "stir", "step", "main"] {
        assert!(names.contains(&name), "{names:?}");
    }
    let samples = &thread["samples"];
    assert!(
        column(samples, "stack")
            .iter()
            .all(|s| (s.unwrap() as usize) < len(stacks))
    );
    let weights: u64 = column(samples, "weight").iter().map(|w| w.unwrap()).sum();
    let table = profile("c-profile-O2", &["--interval", "0"], &["1000"]);
    assert!(
        table.contains(&format!(": {weights} instructions in")),
        "{weights}"
    );
}

#[test]
fn an_attached_program_is_profiled_by_its_stub_and_written_in_the_same_formats() {
    let server = common::serve("c-profile-O2", &["--listen", "0", "--once"]);
    let dir = tempfile::tempdir().unwrap();
    let (mid, end) = (dir.path().join("mid.folded"), dir.path().join("end.folded"));
    let save = |path: &std::path::Path| format!("profile save {} folded", path.display());
    let out = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
        .args([
            "attach",
            "--batch",
            "--ex",
            "profile on",
            "--ex",
            "break profile.c:29",
        ])
        .args([
            "--ex",
            "continue",
            "--ex",
            "info profile 3",
            "--ex",
            &save(&mid),
        ])
        .args(["--ex", "continue", "--ex", &save(&end)])
        .arg(format!("tcp:{}", server.address()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(server.finish().1, Some(0));
    assert_eq!(text.matches("Profile written to").count(), 2, "{text}");
    let calls = text
        .lines()
        .find(|l| l.ends_with("  step"))
        .expect("step's row");
    assert!(calls.contains(" 4000000 "), "{text}");
    // At the breakpoint, the loops' stacks counted on the stub are what a local profile counts;
    // at the end (the counts the stub sent as the program ended), every stack is.
    let loops = |folded: &str| -> Vec<String> {
        folded
            .lines()
            .filter(|l| l.contains(";mix") || l.contains(";stir"))
            .map(str::to_string)
            .collect()
    };
    let local = profile("c-profile-O2", &["--format", "folded"], &[]);
    let mid = std::fs::read_to_string(&mid).unwrap();
    assert_eq!(loops(&mid).len(), 4, "{mid}");
    assert_eq!(loops(&mid), loops(&local));
    assert_eq!(std::fs::read_to_string(&end).unwrap(), local);
}

#[test]
fn a_trap_still_writes_the_profile_and_bad_input_is_named() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
            .arg("profile")
            .args(args)
            .output()
            .unwrap()
    };
    let trap = root().join("tests/fixtures/wasm/c-trap-O0.wasm");
    let out = run(&["--interval", "0", trap.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(134));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("trapped: integer divide by zero"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("the program trapped"));

    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.wasm");
    std::fs::write(&cut, &std::fs::read(&trap).unwrap()[..100]).unwrap();
    let out = run(&[cut.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid module at byte offset"));
    let out = run(&["--format", "pdf", trap.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not one of text, folded"));
}
