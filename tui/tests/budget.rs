//! `wrt-dbg budget` on the committed fixtures at the Linux, QNX and Zephyr presets: a row for
//! every debug level and safety mode; the prediction within 5% of the bytes the runtime really
//! holds, as a whole and part by part (the runtime's own structures, and the debug overhead each
//! level adds); refusals named; the chart drawn.

mod common;

use std::process::Command;

use common::root;
use serde_json::Value;

/// `wrt-dbg budget` on `fixture` with `flags` (and the program's arguments after `--`), its
/// stdout.
fn budget(fixture: &str, flags: &[&str]) -> String {
    let (flags, args) = match flags.iter().position(|&f| f == "--") {
        Some(at) => flags.split_at(at),
        None => (flags, &[][..]),
    };
    let out = Command::new(env!("CARGO_BIN_EXE_wrt-dbg"))
        .arg("budget")
        .args(flags)
        .arg(root().join(format!("tests/fixtures/wasm/{fixture}.wasm")))
        .args(args)
        .output()
        .expect("run wrt-dbg budget");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `(predicted - measured) / measured` in percent.
fn error(predicted: u64, measured: u64) -> f64 {
    (predicted as f64 - measured as f64) / measured as f64 * 100.0
}

#[test]
fn every_level_is_predicted_within_five_percent_as_a_whole_and_by_part() {
    let presets: [&[&str]; 3] = [
        &["--platform", "linux", "--memory", "512MiB"],
        &["--platform", "qnx", "--memory", "64MiB", "--asil", "b"],
        &["--platform", "zephyr", "--memory", "4MiB"],
    ];
    let mut worst: f64 = 0.0;
    for fixture in ["c-recursion-O0", "c-profile-O2", "c-vec-O2", "rust-demo"] {
        for preset in presets {
            let flags: Vec<&str> = ["--format", "json", "--no-run"]
                .into_iter()
                .chain(preset.iter().copied())
                .collect();
            let report: Value = serde_json::from_str(&budget(fixture, &flags)).unwrap();
            let rows = report["rows"].as_array().unwrap();
            let levels: Vec<(&str, &str)> = rows
                .iter()
                .map(|r| {
                    (
                        r["debug_level"].as_str().unwrap(),
                        r["safety_mode"].as_str().unwrap(),
                    )
                })
                .collect();
            assert_eq!(levels.len(), 8, "{levels:?}");
            for level in ["none", "line", "profile", "full"] {
                for mode in ["production", "development"] {
                    assert!(levels.contains(&(level, mode)), "{level} {mode}");
                }
            }
            let at = |r: &Value, k: &str| r[k].as_u64();
            for r in rows {
                let what = format!(
                    "{fixture} {preset:?} {} {}",
                    r["debug_level"], r["safety_mode"]
                );
                let Some(measured) = at(r, "measured_bytes") else {
                    assert!(!r["violations"].as_array().unwrap().is_empty(), "{what}");
                    continue;
                };
                let whole = error(at(r, "predicted_bytes").unwrap(), measured);
                assert!(whole.abs() <= 5.0, "{what}: {whole:+.2}%");
                // The debug overhead alone: what this row holds beyond the same mode without
                // debugging, which the runtime part predicts.
                let none = rows
                    .iter()
                    .find(|n| n["debug_level"] == "none" && n["safety_mode"] == r["safety_mode"])
                    .unwrap();
                let base = at(none, "measured_bytes").unwrap();
                let runtime = error(at(none, "runtime_bytes").unwrap(), base);
                assert!(runtime.abs() <= 5.0, "{what}: runtime part {runtime:+.2}%");
                let debug = at(r, "debug_overhead").unwrap();
                let parts: u64 = r["debug_parts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p[1].as_u64().unwrap())
                    .sum();
                assert_eq!(parts, debug, "{what}: the parts add up");
                if debug > 0 {
                    // What setup holds of it: all but the request in flight.
                    let held = at(r, "predicted_bytes").unwrap() - at(r, "runtime_bytes").unwrap();
                    let part = error(held, measured - base);
                    assert!(part.abs() <= 5.0, "{what}: debug part {part:+.2}%");
                    worst = worst.max(part.abs());
                }
                worst = worst.max(whole.abs()).max(runtime.abs());
            }
        }
    }
    println!("worst prediction error: {worst:.2}%");
}

#[test]
fn asil_d_in_production_allows_no_debugging_and_the_rows_say_why() {
    let report: Value = serde_json::from_str(&budget(
        "c-profile-O2",
        &[
            "--format",
            "json",
            "--no-run",
            "--platform",
            "qnx",
            "--memory",
            "64MiB",
            "--asil",
            "d",
        ],
    ))
    .unwrap();
    for r in report["rows"].as_array().unwrap() {
        let violations = r["violations"].to_string();
        match (
            r["debug_level"].as_str().unwrap(),
            r["safety_mode"].as_str().unwrap(),
        ) {
            ("none", _) => assert_eq!(r["fits"], true, "{r}"),
            (_, "production") => assert!(violations.contains("max_debug_sections"), "{r}"),
            (_, _) => assert!(violations.contains("ASIL-D debug overhead"), "{r}"),
        }
    }
}

#[test]
fn the_run_time_of_each_configuration_is_given_against_run() {
    let text = budget(
        "c-profile-O2",
        &["--platform", "linux", "--memory", "512MiB", "--", "20000"],
    );
    let rows: Vec<&str> = text.lines().skip(3).take(8).collect();
    for row in &rows {
        let time = row.split_whitespace().nth(8).unwrap();
        let ratio: f64 = time
            .trim_end_matches('x')
            .parse()
            .unwrap_or_else(|_| panic!("{row}"));
        assert!(ratio > 0.0, "{row}");
    }
    assert!(text.contains("Debug overhead by part"), "{text}");
}

#[test]
fn the_chart_draws_both_bars_for_every_configuration() {
    let svg = budget(
        "c-recursion-O0",
        &[
            "--format",
            "svg",
            "--no-run",
            "--platform",
            "zephyr",
            "--memory",
            "4MiB",
        ],
    );
    assert!(
        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
    assert_eq!(svg.matches("<rect").count(), 16, "{svg}");
    assert!(svg.contains("platform total 4096 KiB"), "{svg}");
}
