//! `monitor` commands: the limits, the live debug budget, the profile, a frame's operand stack
//! and the trap that stopped the program, as text.

use alloc::string::String;
use core::fmt::{self, Write};

use crate::target::{Exec, WasmTarget};

/// Runs one monitor command, writing what it prints to `out` as it goes (a device's stub sends
/// each piece as console output, holding no copy of the whole).
pub fn run(target: &mut WasmTarget, cmd: &str, out: &mut dyn Write) -> fmt::Result {
    let mut words = cmd.split_whitespace();
    match words.next() {
        Some("limits") => target.limits().write_report(out),
        Some("budget") => budget(target, out),
        Some("profile") => out.write_str(&profile(target, words.next(), words.next())),
        Some("operands") => {
            let frame = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            match target.operands(frame) {
                Some(values) => {
                    out.write_str("operands:")?;
                    values.iter().try_for_each(|v| write!(out, " {v:#x}"))
                }
                None => write!(out, "no frame {frame}"),
            }
        }
        Some("trap") => match &target.exec {
            Exec::Trapped(t) => write!(out, "{t}"),
            _ => out.write_str("no trap"),
        },
        _ => out.write_str(
            "monitor commands: limits, budget, profile on [exit]|off|reset|tree|[N], operands [FRAME], trap",
        ),
    }
}

/// `profile on|off|reset` switches the counters; `profile [N]` shows the top N functions;
/// `profile tree` sends every calling context, as [`runtime_core::debug::Profile::encode`] writes.
/// `profile on exit` also sends the contexts as console output when the program ends, for a
/// client that cannot ask once the session is over.
fn profile(t: &mut WasmTarget, arg: Option<&str>, then: Option<&str>) -> String {
    match arg {
        Some("on") => match t.set_profiling(true) {
            Ok(()) => {
                t.profile_at_exit = then == Some("exit");
                String::from("Profiling on.")
            }
            Err(e) => e,
        },
        Some("off") => {
            let _ = t.set_profiling(false);
            String::from("Profiling off.")
        }
        Some("tree") => match &t.profile {
            Some(p) => p.encode(),
            None => String::from(PROFILING_OFF),
        },
        Some("reset") => match &mut t.profile {
            Some(p) => {
                p.reset();
                String::from("Profile counters reset.")
            }
            None => String::from(PROFILING_OFF),
        },
        n => match &t.profile {
            Some(p) => {
                let n = n.and_then(|n| n.parse().ok()).unwrap_or(10);
                p.report(n, |f| t.func_name(f))
            }
            None => String::from(PROFILING_OFF),
        },
    }
}

/// What `profile` says while the counters are off.
const PROFILING_OFF: &str = "Profiling is off; `monitor profile on` starts it.";

fn budget(t: &WasmTarget, out: &mut dyn Write) -> fmt::Result {
    let l = t.limits();
    write!(
        out,
        "debug budget ({} at debug level {}):",
        l.platform, l.debug_level
    )?;
    for row in t.debug.usage() {
        write!(out, "\n{}", row.line())?;
    }
    write!(
        out,
        "\n  table memory reserved: {} bytes",
        runtime_core::debug::reserved_bytes(l)
    )?;
    if let Some(r) = &t.last_refusal {
        write!(out, "\n  last refusal: {r}")?;
    }
    Ok(())
}
