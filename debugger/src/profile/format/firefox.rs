//! The Firefox Profiler's processed format, written by the `fxprof-processed-profile` crate (as
//! wasmtime's `--profile=guest` is): one thread weighted by instructions, and one by time in
//! microseconds where time was sampled.

use std::io::{self, Write};
use std::time::SystemTime;

use fxprof_processed_profile::{
    CategoryColor, CategoryPairHandle, CpuDelta, Frame, FrameFlags, FrameInfo, Profile,
    ReferenceTimestamp, SamplingInterval, StackHandle, ThreadHandle, Timestamp,
};

use super::{Profiled, label};

/// Writes the profile as Firefox Profiler JSON.
pub fn write(p: &Profiled, out: &mut dyn Write) -> io::Result<()> {
    let tree = p.tree;
    let interval = match p.interval.is_zero() {
        true => SamplingInterval::from_millis(1),
        false => SamplingInterval::from_nanos(p.interval.as_nanos() as u64),
    };
    let mut profile = Profile::new(
        &format!("wrt-dbg: {}", p.argv.join(" ")),
        ReferenceTimestamp::from_system_time(SystemTime::now()),
        interval,
    );
    let category: CategoryPairHandle = profile.add_category("Wasm", CategoryColor::Blue).into();
    let start = Timestamp::from_millis_since_reference(0.0);
    let process = profile.add_process(p.module, 1, start);
    let mut thread = |name: &str, tid: u32, weight: &dyn Fn(u64, u64) -> u64| {
        let t = profile.add_thread(process, tid, start, tid == 1);
        profile.set_thread_name(t, name);
        let stacks = stacks(&mut profile, t, p, category);
        let weights: Vec<u64> = tree
            .nodes
            .iter()
            .map(|n| weight(n.instructions, n.time.as_micros() as u64))
            .collect();
        let all = weights.iter().sum::<u64>().max(1) as f64;
        let elapsed = tree.elapsed.as_secs_f64() * 1e3;
        let mut done = 0u64;
        for (i, &w) in weights.iter().enumerate().skip(1) {
            // Laid out one stack after another over the run, each as long as its share; a weight
            // past what one sample holds takes several.
            let at = Timestamp::from_millis_since_reference(elapsed * done as f64 / all);
            done += w;
            let mut left = w;
            while left > 0 {
                let part = left.min(i32::MAX as u64);
                profile.add_sample(t, at, stacks[i], CpuDelta::ZERO, part as i32);
                left -= part;
            }
        }
    };
    thread(&format!("{} (instructions)", p.module), 1, &|i, _| i);
    if tree.samples > 0 {
        thread(&format!("{} (time, us)", p.module), 2, &|_, us| us);
    }
    serde_json::to_writer(&mut *out, &profile)?;
    writeln!(out)
}

/// Each node's stack interned in thread `t` (none for the root).
fn stacks(
    profile: &mut Profile,
    t: ThreadHandle,
    p: &Profiled,
    category: CategoryPairHandle,
) -> Vec<Option<StackHandle>> {
    let tree = p.tree;
    let mut out: Vec<Option<StackHandle>> = Vec::with_capacity(tree.nodes.len());
    out.push(None);
    for n in &tree.nodes[1..] {
        let name = profile.intern_string(&label(tree, &tree.frames[n.frame]));
        let frame = profile.intern_frame(
            t,
            FrameInfo {
                frame: Frame::Label(name),
                category_pair: category,
                flags: FrameFlags::empty(),
            },
        );
        // A node comes after its parent, whose stack is interned already.
        out.push(Some(profile.intern_stack(t, out[n.parent], frame)));
    }
    out
}
