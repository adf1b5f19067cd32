//! A call tree written for people and for profiling tools: a table, folded stacks, a flame
//! graph, speedscope, callgrind and the Firefox Profiler's format.

mod callgrind;
mod firefox;
mod flame;
pub(crate) mod folded;
mod speedscope;
mod text;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};
use std::time::Duration;

use super::{By, CallTree, ProfileFrame};

/// How a profile is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// A table of the top frames and their callers and callees.
    Text,
    /// Folded stacks (`a;b;c 123`, instructions as weights) for flame graph tools.
    Folded,
    /// A flame graph of the instructions (SVG, drawn by inferno).
    Svg,
    /// speedscope's JSON file format.
    Speedscope,
    /// callgrind's format, for callgrind_annotate and KCachegrind.
    Callgrind,
    /// The Firefox Profiler's processed profile format.
    Firefox,
}

impl Format {
    /// Every format by the name commands and flags give it.
    pub const NAMES: [(&'static str, Format); 6] = [
        ("text", Format::Text),
        ("folded", Format::Folded),
        ("svg", Format::Svg),
        ("speedscope", Format::Speedscope),
        ("callgrind", Format::Callgrind),
        ("firefox", Format::Firefox),
    ];

    /// The format named `name`.
    pub fn named(name: &str) -> Option<Format> {
        Format::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, f)| f)
    }
}

/// How the profiled program ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// It exited with this status.
    Exited(i32),
    /// It trapped.
    Trapped(String),
    /// It had not ended when the profile was taken.
    Running,
}

/// What every format is given: the tree and what it is of.
pub struct Profiled<'a> {
    /// The module file's name.
    pub module: &'a str,
    /// The program's arguments, its name first.
    pub argv: &'a [String],
    /// The call tree.
    pub tree: &'a CallTree,
    /// How the program ended.
    pub ending: &'a Ending,
    /// The sampling interval (zero when no samples were taken).
    pub interval: Duration,
    /// Rows of a table.
    pub top: usize,
}

/// Writes `p` in `format`.
pub fn write(p: &Profiled, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => text::write(p, out),
        Format::Folded => folded::write(p.tree, out),
        Format::Svg => flame::write(p, out),
        Format::Speedscope => speedscope::write(p, out),
        Format::Callgrind => callgrind::write(p, out),
        Format::Firefox => firefox::write(p, out),
    }?;
    out.flush()
}

/// A frame as a flame graph or folded stack names it: the function, and by line its file and
/// line, inlined frames marked.
pub fn label(tree: &CallTree, frame: &ProfileFrame) -> String {
    let mut s = frame.function.replace(';', ",");
    if tree.by == By::Line {
        let file = frame.file.as_deref().map_or("??", base_name);
        match frame.line {
            Some(line) => s.push_str(&format!(" ({file}:{line})")),
            None => s.push_str(&format!(" ({file})")),
        }
    }
    if frame.inlined {
        s.push_str(" [inlined]");
    }
    s
}

/// The last component of a path as the DWARF gives it.
fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}
