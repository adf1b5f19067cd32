//! `monitor` commands: the limits, the live debug budget, the profile, a frame's operand stack
//! and the trap that stopped the program, as text.

use alloc::format;
use alloc::string::String;
use core::fmt::Write;

use crate::target::{Exec, WasmTarget};

/// Runs one monitor command and returns what it prints.
pub fn run(target: &WasmTarget, cmd: &str) -> String {
    let mut words = cmd.split_whitespace();
    match words.next() {
        Some("limits") => target.limits().report(),
        Some("budget") => budget(target),
        Some("profile") => {
            let n = words.next().and_then(|n| n.parse().ok()).unwrap_or(10);
            target.profile.report(n, |f| target.func_name(f))
        }
        Some("operands") => {
            let frame = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            match target.operands(frame) {
                Some(values) => values.iter().fold(String::from("operands:"), |mut out, v| {
                    let _ = write!(out, " {v:#x}");
                    out
                }),
                None => format!("no frame {frame}"),
            }
        }
        Some("trap") => match &target.exec {
            Exec::Trapped(t) => format!("{t}"),
            _ => String::from("no trap"),
        },
        _ => String::from("monitor commands: limits, budget, profile [N], operands [FRAME], trap"),
    }
}

fn budget(t: &WasmTarget) -> String {
    let l = t.limits();
    let mut out = format!(
        "debug budget ({} at debug level {}):",
        l.platform, l.debug_level
    );
    for row in t.debug.usage() {
        let _ = write!(out, "\n{}", row.line());
    }
    let _ = write!(
        out,
        "\n  table memory reserved: {} bytes",
        runtime_core::debug::reserved_bytes(l)
    );
    if let Some(r) = &t.last_refusal {
        let _ = write!(out, "\n  last refusal: {r}");
    }
    out
}
