//! The bounded debug infrastructure: breakpoint, watch, inspector and stack-trace tables whose
//! capacities come from [`PlatformLimits`] and the [`DebugLevel`], allocated once when a session
//! opens. Asking for more than a table holds is an error naming the limit; nothing grows.
//!
//! What each level allows: `None` no session at all; `LineInfo` breakpoints and stepping;
//! `BasicProfile` adds stored stack traces; `FullDebug` adds watches and memory inspectors. In
//! production, ASIL C and D refuse a session.

pub mod breakpoint;
pub mod debuggee;
pub mod profile;
mod table;
pub mod trace;
pub mod watch;

use alloc::format;
use core::mem::size_of;

pub use breakpoint::{Breakpoint, Breakpoints};
pub use debuggee::{Checks, Debuggee, Resumed};
pub use profile::{FunctionCount, Profile};
pub use table::Table;
pub use trace::{TRACE_DEPTH, Traces};
pub use watch::{Inspector, Inspectors, MAX_WATCH_LEN, Spans, Watch, WatchKind, Watches, tripped};

use crate::error::Error;
use crate::exec::Frame;
use crate::limits::{AsilLevel, DebugLevel, PlatformLimits, SafetyDebugMode};

/// The capacities a session gets under `limits`: (breakpoints, stack traces, watches, inspectors).
pub fn capacities(l: &PlatformLimits) -> (u64, u64, u64, u64) {
    let at = |level: DebugLevel, n: u64| if l.debug_level >= level { n } else { 0 };
    (
        at(DebugLevel::LineInfo, l.max_breakpoints),
        at(DebugLevel::BasicProfile, l.max_stack_traces),
        at(DebugLevel::FullDebug, l.max_variable_watches),
        at(DebugLevel::FullDebug, l.max_memory_inspectors),
    )
}

/// Each table a session allocates under `limits`: the limit sizing it, its capacity and its heap
/// bytes (saturating: a count no host could hold reads as `u64::MAX` bytes, never wraps).
pub fn tables(l: &PlatformLimits) -> [(&'static str, u64, u64); 4] {
    let (bps, traces, watches, inspectors) = capacities(l);
    let row = |limit, n: u64, each: usize| (limit, n, n.saturating_mul(each as u64));
    [
        row("max_breakpoints", bps, size_of::<Option<Breakpoint>>()),
        row(
            "max_stack_traces",
            traces,
            TRACE_DEPTH * size_of::<Frame>() + 1,
        ),
        row("max_variable_watches", watches, size_of::<Option<Watch>>()),
        row(
            "max_memory_inspectors",
            inspectors,
            size_of::<Option<Inspector>>(),
        ),
    ]
}

/// Heap bytes a session's tables take under `limits`: what the budget reserves for them.
pub fn reserved_bytes(l: &PlatformLimits) -> u64 {
    tables(l).iter().fold(0, |sum, t| sum.saturating_add(t.2))
}

/// Why `limits` refuse a debug session, if they do.
pub fn refusal(l: &PlatformLimits) -> Option<alloc::string::String> {
    if l.debug_level == DebugLevel::None {
        return Some(format!(
            "debug level none on {}: debugging is off",
            l.platform
        ));
    }
    if l.safety_debug_mode == SafetyDebugMode::Production && l.asil_level >= AsilLevel::C {
        let asil = l.asil_level.name().to_ascii_uppercase();
        return Some(format!("ASIL-{asil} in production refuses debug access"));
    }
    None
}

/// How full one debug table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableUse {
    /// What the table holds.
    pub what: &'static str,
    /// The [`PlatformLimits`] key sizing it.
    pub limit: &'static str,
    /// Records in use.
    pub used: usize,
    /// Records it holds at most.
    pub capacity: usize,
}

impl TableUse {
    /// `  breakpoints   2 of 10000  (max_breakpoints)`: one line of a budget report.
    pub fn line(&self) -> alloc::string::String {
        table_line(
            self.what,
            self.used as u64,
            self.capacity as u64,
            self.limit,
        )
    }
}

/// One line of a budget report from its parts (see [`TableUse::line`]).
pub fn table_line(what: &str, used: u64, capacity: u64, limit: &str) -> alloc::string::String {
    format!("  {what:<20} {used:>6} of {capacity:<6} ({limit})")
}

/// The debug tables of one session.
#[derive(Debug)]
pub struct DebugSession {
    /// The limits the tables were sized by.
    pub limits: PlatformLimits,
    /// Armed breakpoints.
    pub breakpoints: Breakpoints,
    /// Watchpoints.
    pub watches: Watches,
    /// Memory inspectors.
    pub inspectors: Inspectors,
    /// Stored stack traces.
    pub traces: Traces,
}

impl DebugSession {
    /// How full each table is: breakpoints (armed sites), watches, inspectors, stored traces.
    pub fn usage(&self) -> [TableUse; 4] {
        let row = |what, limit, used, capacity| TableUse {
            what,
            limit,
            used,
            capacity,
        };
        [
            row(
                "breakpoints",
                "max_breakpoints",
                self.breakpoints.len(),
                self.breakpoints.capacity(),
            ),
            row(
                "watchpoints",
                "max_variable_watches",
                self.watches.len(),
                self.watches.capacity(),
            ),
            row(
                "memory inspectors",
                "max_memory_inspectors",
                self.inspectors.len(),
                self.inspectors.capacity(),
            ),
            row(
                "stack traces",
                "max_stack_traces",
                self.traces.iter().count(),
                self.traces.capacity(),
            ),
        ]
    }

    /// Opens a session, allocating every table, or refuses it naming the rule, or naming the largest
    /// table when together they need more than `estimated_debug_overhead` (checked before allocating).
    pub fn open(limits: &PlatformLimits) -> Result<DebugSession, Error> {
        if let Some(rule) = refusal(limits) {
            return Err(Error::DebugRefused { rule });
        }
        let reserved = reserved_bytes(limits);
        if reserved > limits.estimated_debug_overhead {
            let largest = tables(limits).into_iter().max_by_key(|t| t.2);
            let (table, capacity, _) = largest.expect("four tables");
            return Err(Error::DebugBudget {
                table,
                capacity,
                bytes: reserved,
                allowed: limits.estimated_debug_overhead,
            });
        }
        let (bps, traces, watches, inspectors) = capacities(limits);
        Ok(DebugSession {
            limits: limits.clone(),
            breakpoints: Breakpoints::new(bps)?,
            watches: Table::new(watches, "max_variable_watches")?,
            inspectors: Table::new(inspectors, "max_memory_inspectors")?,
            traces: Traces::new(traces)?,
        })
    }
}
