//! A flame graph of the instructions each call stack ran, drawn by inferno from the folded
//! stacks.

use std::io::{self, Write};

use super::{Profiled, folded};

/// Writes the flame graph as SVG.
pub fn write(p: &Profiled, out: &mut dyn Write) -> io::Result<()> {
    let lines = folded::lines(p.tree);
    let mut options = inferno::flamegraph::Options::default();
    options.title = format!("{}: instructions", p.argv.join(" "));
    options.count_name = "instructions".into();
    options.subtitle = Some(format!("wrt-dbg profile of {}", p.module));
    inferno::flamegraph::from_lines(&mut options, lines.iter().map(String::as_str), out)
        .map_err(io::Error::other)
}
