//! Folded stacks: one line per call stack, `outer;inner;leaf count`, with the instructions the
//! leaf ran itself as the count: what flame graph tools (inferno, FlameGraph, speedscope) read.

use std::io::{self, Write};

use crate::profile::CallTree;

use super::label;

/// The folded lines of `tree`, sorted, each stack once.
pub fn lines(tree: &CallTree) -> Vec<String> {
    let mut out: Vec<String> = tree
        .nodes
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, n)| n.instructions > 0)
        .map(|(i, n)| {
            let stack: Vec<String> = tree
                .stack(i)
                .iter()
                .map(|&f| label(tree, &tree.frames[f]))
                .collect();
            format!("{} {}", stack.join(";"), n.instructions)
        })
        .collect();
    out.sort();
    out
}

/// Writes the folded lines of `tree`.
pub fn write(tree: &CallTree, out: &mut dyn Write) -> io::Result<()> {
    for line in lines(tree) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
