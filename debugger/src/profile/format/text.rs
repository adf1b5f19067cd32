//! The text report: the top frames by the instructions they ran themselves, then each one's
//! callers and callees.

use std::io::{self, Write};
use std::time::Duration;

use crate::profile::{By, CallEdge, FrameTotals};

use super::{Ending, Profiled, label};

/// Writes the table and the call graph of the top `p.top` frames.
pub fn write(p: &Profiled, out: &mut dyn Write) -> io::Result<()> {
    let tree = p.tree;
    let total = tree.total_instructions();
    let by = match tree.by {
        By::Function => "function",
        By::Line => "line",
    };
    let ending = match p.ending {
        Ending::Exited(code) => format!("exited with status {code}"),
        Ending::Trapped(t) => format!("trapped: {t}"),
        Ending::Running => "still running".into(),
    };
    let sampled = tree.samples > 0;
    let samples = match sampled {
        true => format!("{} time samples every {}", tree.samples, time(p.interval)),
        false => "time not sampled".into(),
    };
    writeln!(
        out,
        "Profile of {} by {by}: {total} instructions in {}, {samples}; {ending}",
        p.argv.join(" "),
        time(tree.elapsed),
    )?;
    let time = |d: Duration| if sampled { time(d) } else { "-".into() };
    writeln!(
        out,
        "\n{:>13} {:>6} {:>13} {:>6} {:>9} {:>9} {:>9}  {by}",
        "self instrs", "self", "total instrs", "total", "calls", "self time", "time"
    )?;
    let share = |n: u64| n as f64 * 100.0 / total.max(1) as f64;
    let totals = tree.totals();
    let top: Vec<&FrameTotals> = totals.iter().take(p.top).collect();
    for t in &top {
        writeln!(
            out,
            "{:>13} {:>5.1}% {:>13} {:>5.1}% {:>9} {:>9} {:>9}  {}",
            t.self_instructions,
            share(t.self_instructions),
            t.instructions,
            share(t.instructions),
            t.calls,
            time(t.self_time),
            time(t.time),
            label(tree, &tree.frames[t.frame]),
        )?;
    }
    if totals.len() > top.len() {
        writeln!(out, "... and {} more", totals.len() - top.len())?;
    }
    writeln!(
        out,
        "\nCall graph: each {by} with its callers (<) and callees (>): calls, and instructions run in them"
    )?;
    let edges = tree.edges();
    for t in &top {
        writeln!(out, "\n{}", label(tree, &tree.frames[t.frame]))?;
        let calls = |e: &CallEdge| match tree.frames[e.callee].inlined {
            true => format!("{:>15}", "inlined"),
            false => format!("{:>9} calls", e.calls),
        };
        for e in edges.iter().filter(|e| e.callee == t.frame) {
            let caller = label(tree, &tree.frames[e.caller]);
            writeln!(out, "  < {} {:>13}  {caller}", calls(e), e.instructions)?;
        }
        for e in edges.iter().filter(|e| e.caller == t.frame) {
            let callee = label(tree, &tree.frames[e.callee]);
            writeln!(out, "  > {} {:>13}  {callee}", calls(e), e.instructions)?;
        }
    }
    Ok(())
}

/// A duration as a person reads it: `1.25s`, `12.5ms`, `250us`.
fn time(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2}s")
    } else if s >= 1e-3 {
        format!("{:.1}ms", s * 1e3)
    } else {
        format!("{}us", d.as_micros())
    }
}
