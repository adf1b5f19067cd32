//! What a call tree adds up to: each frame's self and inclusive counts, and the call graph.

use std::collections::HashMap;
use std::time::Duration;

use super::tree::CallTree;

/// One frame's counts over every context it appears in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameTotals {
    /// Index into [`CallTree::frames`].
    pub frame: usize,
    /// Instructions run in the frame itself.
    pub self_instructions: u64,
    /// Instructions run while the frame was on the stack (each counted once under recursion).
    pub instructions: u64,
    /// Times a call entered it.
    pub calls: u64,
    /// Time run in the frame itself.
    pub self_time: Duration,
    /// Time run while the frame was on the stack.
    pub time: Duration,
}

/// Calls from one frame to another, with what they cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallEdge {
    /// The calling frame.
    pub caller: usize,
    /// The called frame.
    pub callee: usize,
    /// Calls made.
    pub calls: u64,
    /// Instructions the calls ran, callees included.
    pub instructions: u64,
    /// Time the calls ran, callees included.
    pub time: Duration,
}

impl CallTree {
    /// Instructions counted in all.
    pub fn total_instructions(&self) -> u64 {
        self.nodes.iter().map(|n| n.instructions).sum()
    }

    /// Time counted in all (the run's, up to its last sample).
    pub fn total_time(&self) -> Duration {
        self.nodes.iter().map(|n| n.time).sum()
    }

    /// The frames of node `node`'s stack, outermost first.
    pub fn stack(&self, node: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = node;
        while at != 0 {
            out.push(self.nodes[at].frame);
            at = self.nodes[at].parent;
        }
        out.reverse();
        out
    }

    /// Each node's counts with its callees': (instructions, time), by node.
    pub fn inclusive(&self) -> Vec<(u64, Duration)> {
        let mut sums: Vec<(u64, Duration)> = self
            .nodes
            .iter()
            .map(|n| (n.instructions, n.time))
            .collect();
        // Every node comes after its parent, so one pass from the end adds children up.
        for i in (1..self.nodes.len()).rev() {
            let (p, (instructions, time)) = (self.nodes[i].parent, sums[i]);
            sums[p].0 += instructions;
            sums[p].1 += time;
        }
        sums
    }

    /// Every frame's totals, the most instructions run itself first.
    pub fn totals(&self) -> Vec<FrameTotals> {
        let mut by: Vec<FrameTotals> = (0..self.frames.len())
            .map(|frame| FrameTotals {
                frame,
                self_instructions: 0,
                instructions: 0,
                calls: 0,
                self_time: Duration::ZERO,
                time: Duration::ZERO,
            })
            .collect();
        for (i, n) in self.nodes.iter().enumerate().skip(1) {
            let t = &mut by[n.frame];
            t.self_instructions += n.instructions;
            t.calls += n.calls;
            t.self_time += n.time;
            if n.instructions == 0 && n.time.is_zero() {
                continue;
            }
            let mut stack = self.stack(i);
            stack.sort_unstable();
            stack.dedup();
            for f in stack {
                by[f].instructions += n.instructions;
                by[f].time += n.time;
            }
        }
        by.sort_by(|a, b| {
            (b.self_instructions, b.instructions, a.frame).cmp(&(
                a.self_instructions,
                a.instructions,
                b.frame,
            ))
        });
        by
    }

    /// The call graph: for each caller and callee frame, the calls between them, most first.
    /// By line, a call's callee is the line it entered, and what the call ran counts every
    /// line of the function it called.
    pub fn edges(&self) -> Vec<CallEdge> {
        let inclusive = self.inclusive();
        // Each call from a node: the callee's nodes under it, grouped by function.
        let mut calls: HashMap<(usize, &str, bool), Vec<usize>> = HashMap::new();
        for (i, n) in self.nodes.iter().enumerate().skip(1) {
            if n.parent != 0 {
                let f = &self.frames[n.frame];
                calls
                    .entry((n.parent, f.function.as_str(), f.inlined))
                    .or_default()
                    .push(i);
            }
        }
        let mut edges: HashMap<(usize, usize), CallEdge> = HashMap::new();
        for ((parent, ..), nodes) in calls {
            let entry = nodes
                .iter()
                .copied()
                .find(|&i| self.nodes[i].calls > 0)
                .unwrap_or(nodes[0]);
            let (caller, callee) = (self.nodes[parent].frame, self.nodes[entry].frame);
            let e = edges.entry((caller, callee)).or_insert(CallEdge {
                caller,
                callee,
                calls: 0,
                instructions: 0,
                time: Duration::ZERO,
            });
            for i in nodes {
                e.calls += self.nodes[i].calls;
                e.instructions += inclusive[i].0;
                e.time += inclusive[i].1;
            }
        }
        let mut out: Vec<CallEdge> = edges.into_values().collect();
        out.sort_by(|a, b| {
            (b.calls, b.instructions, a.caller, a.callee).cmp(&(
                a.calls,
                a.instructions,
                b.caller,
                b.callee,
            ))
        });
        out
    }
}
