//! callgrind's profile format (<https://valgrind.org/docs/manual/cl-format.html>), so that
//! `callgrind_annotate` and KCachegrind read our profiles: per function, the cost of each line
//! (instructions, and time from the samples), and its calls with what they cost. Inlined
//! frames are lines of the function they are inlined into, in their own files (`fi=`).

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::profile::CallTree;

use super::Profiled;

/// A function: its name and file.
type Func = (String, String);
/// A source position: file and line.
type Pos = (String, u32);

/// The costs of one function.
#[derive(Default)]
struct Costs {
    /// Instructions and time (ns) by position.
    lines: BTreeMap<Pos, (u64, u64)>,
    /// Calls from a position to a function: calls, instructions and time, and the line the
    /// callee was entered at.
    calls: BTreeMap<(Pos, Func), (u64, u64, u64, u32)>,
}

/// Writes the profile in callgrind's format.
pub fn write(p: &Profiled, out: &mut dyn Write) -> io::Result<()> {
    let tree = p.tree;
    let inclusive = tree.inclusive();
    let mut funcs: BTreeMap<Func, Costs> = BTreeMap::new();
    for (i, n) in tree.nodes.iter().enumerate().skip(1) {
        let here = pos(tree, i);
        let c = funcs.entry(func(tree, real(tree, i))).or_default();
        let line = c.lines.entry(here).or_default();
        line.0 += n.instructions;
        line.1 += n.time.as_nanos() as u64;
        if tree.frames[n.frame].inlined || n.parent == 0 {
            continue;
        }
        let callee = func(tree, i);
        let caller = funcs.entry(func(tree, real(tree, n.parent))).or_default();
        let call = caller
            .calls
            .entry((pos(tree, n.parent), callee))
            .or_default();
        call.0 += n.calls;
        call.1 += inclusive[i].0;
        call.2 += inclusive[i].1.as_nanos() as u64;
        if n.calls > 0 {
            call.3 = tree.frames[n.frame].line.unwrap_or(0);
        }
    }
    writeln!(out, "# callgrind format")?;
    writeln!(out, "version: 1")?;
    writeln!(out, "creator: wrt-dbg {}", env!("CARGO_PKG_VERSION"))?;
    writeln!(out, "cmd: {}", p.argv.join(" "))?;
    writeln!(out, "positions: line")?;
    // Instructions: Wasm instructions executed; Time: sampled, in nanoseconds.
    writeln!(out, "events: Instructions Time")?;
    writeln!(
        out,
        "summary: {} {}",
        tree.total_instructions(),
        tree.total_time().as_nanos()
    )?;
    for ((name, file), costs) in &funcs {
        writeln!(out, "\nfl={file}\nfn={name}")?;
        let mut at = file.clone();
        let mut switch = |out: &mut dyn Write, to: &str| -> io::Result<()> {
            if at != to {
                writeln!(out, "fi={to}")?;
                at = to.to_string();
            }
            Ok(())
        };
        for ((f, line), (instructions, time)) in &costs.lines {
            if *instructions > 0 || *time > 0 {
                switch(out, f)?;
                writeln!(out, "{line} {instructions} {time}")?;
            }
        }
        for (((f, line), (cname, cfile)), (calls, instructions, time, entry)) in &costs.calls {
            switch(out, f)?;
            writeln!(out, "cfl={cfile}\ncfn={cname}\ncalls={calls} {entry}")?;
            writeln!(out, "{line} {instructions} {time}")?;
        }
    }
    Ok(())
}

/// The node of the function node `i` runs in: itself, or for an inlined frame the caller it
/// was inlined into.
fn real(tree: &CallTree, mut i: usize) -> usize {
    while tree.frames[tree.nodes[i].frame].inlined && tree.nodes[i].parent != 0 {
        i = tree.nodes[i].parent;
    }
    i
}

/// Node `i`'s function and its file.
fn func(tree: &CallTree, i: usize) -> Func {
    let f = &tree.frames[tree.nodes[i].frame];
    (f.function.clone(), file(&f.file))
}

/// Node `i`'s position: a function's start, or a line.
fn pos(tree: &CallTree, i: usize) -> Pos {
    let f = &tree.frames[tree.nodes[i].frame];
    (file(&f.file), f.line.unwrap_or(0))
}

fn file(f: &Option<String>) -> String {
    f.clone().unwrap_or_else(|| "???".into())
}
