//! Profiling counters: instructions executed and calls made per function, reported by the
//! interpreter at calls and returns while profiling is on (debug level `profile` and up), so
//! counting costs nothing per instruction. Sized once for the instance's functions; counting
//! never allocates.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write;

/// Per-function counters, indexed by the frames' function numbers (store addresses in the
/// runtime, module indices in the debugger engine).
#[derive(Debug, Clone, Default)]
pub struct Profile {
    instructions: Vec<u64>,
    calls: Vec<u64>,
}

/// One function's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionCount {
    /// The function's number, as the counted frames gave it.
    pub func: u32,
    /// Instructions it executed itself (callees not included).
    pub instructions: u64,
    /// Times it was entered.
    pub calls: u64,
}

impl Profile {
    /// Counters for functions numbered below `functions`, allocated now.
    pub fn new(functions: usize) -> Self {
        Profile {
            instructions: vec![0; functions],
            calls: vec![0; functions],
        }
    }

    /// Counts `instructions` more run by function `func` itself.
    #[inline]
    pub fn add(&mut self, func: u32, instructions: u64) {
        if let Some(n) = self.instructions.get_mut(func as usize) {
            *n += instructions;
        }
    }

    /// Counts a call of function `func`.
    #[inline]
    pub fn call(&mut self, func: u32) {
        if let Some(n) = self.calls.get_mut(func as usize) {
            *n += 1;
        }
    }

    /// Sets every counter to zero.
    pub fn reset(&mut self) {
        self.instructions.fill(0);
        self.calls.fill(0);
    }

    /// Instructions counted in all.
    pub fn total(&self) -> u64 {
        self.instructions.iter().sum()
    }

    /// A table of the top `n` functions (instructions, share, calls, name), `name` naming each.
    pub fn report(&self, n: usize, name: impl Fn(u32) -> String) -> String {
        report_table(
            self.total(),
            self.top(n)
                .iter()
                .map(|c| (c.instructions, c.calls, name(c.func))),
        )
    }

    /// The `n` functions that executed the most instructions, most first.
    pub fn top(&self, n: usize) -> Vec<FunctionCount> {
        let mut all: Vec<FunctionCount> = (0..self.instructions.len())
            .filter(|&f| self.instructions[f] > 0)
            .map(|f| FunctionCount {
                func: f as u32,
                instructions: self.instructions[f],
                calls: self.calls[f],
            })
            .collect();
        all.sort_by(|a, b| {
            b.instructions
                .cmp(&a.instructions)
                .then(a.func.cmp(&b.func))
        });
        all.truncate(n);
        all
    }
}

/// The profile table of [`Profile::report`] from its rows (instructions, calls, function name),
/// so a front-end holding only the numbers prints the same table.
pub fn report_table(total: u64, rows: impl Iterator<Item = (u64, u64, String)>) -> String {
    let total = total.max(1) as f64;
    let mut out = format!(
        "{:>12} {:>6} {:>10}  function",
        "instructions", "share", "calls"
    );
    for (instructions, calls, name) in rows {
        let share = instructions as f64 * 100.0 / total;
        let _ = write!(
            out,
            "\n{instructions:>12} {share:>5.1}% {calls:>10}  {name}"
        );
    }
    out
}
