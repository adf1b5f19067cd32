//! `monitor` commands: the limits, the live debug budget and the profile, as text.

use alloc::format;
use alloc::string::String;
use core::fmt::Write;

use runtime_core::limits::PlatformLimits;

use crate::target::WasmTarget;

/// Runs one monitor command and returns what it prints.
pub fn run(target: &WasmTarget, cmd: &str) -> String {
    let mut words = cmd.split_whitespace();
    match words.next() {
        Some("limits") => limits(target.limits()),
        Some("budget") => budget(target),
        Some("profile") => profile(
            target,
            words.next().and_then(|n| n.parse().ok()).unwrap_or(10),
        ),
        _ => String::from("monitor commands: limits, budget, profile [N]"),
    }
}

fn limits(l: &PlatformLimits) -> String {
    let mut out = format!(
        "platform {}  asil {}  debug level {}  mode {}",
        l.platform, l.asil_level, l.debug_level, l.safety_debug_mode
    );
    for k in PlatformLimits::KEYS {
        let _ = write!(out, "\n{k:<28} {}", l.get(k).unwrap_or(0));
    }
    out
}

fn budget(t: &WasmTarget) -> String {
    let d = &t.debug;
    let l = t.limits();
    let mut out = format!(
        "debug budget ({} at debug level {}):",
        l.platform, l.debug_level
    );
    let rows = [
        (
            "breakpoints",
            "max_breakpoints",
            t.armed(),
            d.breakpoints.capacity(),
        ),
        (
            "watchpoints",
            "max_variable_watches",
            d.watches.len(),
            d.watches.capacity(),
        ),
        (
            "memory inspectors",
            "max_memory_inspectors",
            d.inspectors.len(),
            d.inspectors.capacity(),
        ),
        (
            "stack traces",
            "max_stack_traces",
            d.traces.iter().count(),
            d.traces.capacity(),
        ),
    ];
    for (what, limit, used, cap) in rows {
        let _ = write!(out, "\n  {what:<18} {used:>6} of {cap:<6} ({limit})");
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

fn profile(t: &WasmTarget, n: usize) -> String {
    let total = t.profile.total().max(1);
    let mut out = format!(
        "{:>12} {:>6} {:>10}  function",
        "instructions", "share", "calls"
    );
    for c in t.profile.top(n) {
        let share = c.instructions * 1000 / total;
        let _ = write!(
            out,
            "\n{:>12} {:>3}.{}% {:>10}  {}",
            c.instructions,
            share / 10,
            share % 10,
            c.calls,
            t.func_name(c.func)
        );
    }
    out
}
