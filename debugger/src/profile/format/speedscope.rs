//! speedscope's file format (<https://www.speedscope.app/file-format-schema.json>): one sampled
//! profile weighted by instructions, and one by time where time was sampled.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::Profiled;

/// The speedscope schema's address, which files name as their `$schema`.
const SCHEMA: &str = "https://www.speedscope.app/file-format-schema.json";

/// Writes the profile as speedscope JSON.
pub fn write(p: &Profiled, out: &mut dyn Write) -> io::Result<()> {
    let tree = p.tree;
    let frames: Vec<Value> = tree
        .frames
        .iter()
        .map(|f| {
            let mut v = json!({ "name": name(f) });
            if let Some(file) = &f.file {
                v["file"] = json!(file);
            }
            if let Some(line) = f.line {
                v["line"] = json!(line);
            }
            v
        })
        .collect();
    let stacks: Vec<(Vec<usize>, u64, u64)> = tree
        .nodes
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, n)| (tree.stack(i), n.instructions, n.time.as_nanos() as u64))
        .collect();
    let sampled = |name: &str, unit: &str, weight: &dyn Fn(u64, u64) -> u64| {
        let (samples, weights): (Vec<&Vec<usize>>, Vec<u64>) = stacks
            .iter()
            .map(|(s, i, n)| (s, weight(*i, *n)))
            .filter(|&(_, w)| w > 0)
            .unzip();
        json!({
            "type": "sampled",
            "name": name,
            "unit": unit,
            "startValue": 0,
            "endValue": weights.iter().sum::<u64>(),
            "samples": samples,
            "weights": weights,
        })
    };
    let mut profiles = vec![sampled(
        &format!("{} (instructions)", p.module),
        "none",
        &|i, _| i,
    )];
    if tree.samples > 0 {
        profiles.push(sampled(
            &format!("{} (time)", p.module),
            "nanoseconds",
            &|_, ns| ns,
        ));
    }
    let file = json!({
        "$schema": SCHEMA,
        "shared": { "frames": frames },
        "profiles": profiles,
        "name": p.argv.join(" "),
        "activeProfileIndex": 0,
        "exporter": concat!("wrt-dbg ", env!("CARGO_PKG_VERSION")),
    });
    serde_json::to_writer(&mut *out, &file)?;
    writeln!(out)
}

/// A frame's name: its function, inlined ones marked.
fn name(f: &crate::profile::ProfileFrame) -> String {
    match f.inlined {
        true => format!("{} [inlined]", f.function),
        false => f.function.clone(),
    }
}
