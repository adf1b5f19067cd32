//! Profiling: instructions run, calls made and time taken per calling context, a tree whose
//! paths are the call stacks the program went through. The interpreter reports calls, returns
//! and instruction counts only at transfers of control, so counting costs nothing per
//! instruction. Time is sampled from a clock at the interpreter's polls: each sample's time is
//! shared between the contexts by the instructions each ran since the last one. The tree holds
//! at most its capacity of contexts, allocated up front; deeper or newer contexts past it are
//! counted together in one `[other]` node.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write;
use core::mem::size_of;

use crate::exec::Frame;

mod text;

/// The node every context descends from: no function runs in it.
pub const ROOT: u32 = 0;
/// The node counting every context past the tree's capacity.
pub const OTHER: u32 = 1;
/// The function number of the root and of [`OTHER`], which stand for no one function.
pub const NO_FUNC: u32 = u32::MAX;
/// The call site of a context that no call instruction entered (the entry function's).
pub const NO_SITE: u32 = u32::MAX;

/// One calling context: a function entered from a call site of its parent's function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// The calling context (its index), [`ROOT`] for the entry function's.
    pub parent: u32,
    /// The function, as the counting frames number it (module indices in the debuggers).
    pub func: u32,
    /// Where in the parent's function the call was: the pc of the call instruction that stands
    /// for its site (see [`Profile::with_lines`]); [`NO_SITE`] when sites are not told apart.
    pub site: u32,
    /// Instructions the function ran itself in this context (callees not included).
    pub instructions: u64,
    /// Times this context was entered.
    pub calls: u64,
    /// Time the function ran in this context itself, in the clock's units.
    pub time: u64,
    /// Time samples that saw this context run.
    pub samples: u64,
    /// `instructions` at the last time sample.
    sampled: u64,
    first_child: u32,
    next_sibling: u32,
}

/// Calling contexts a device's profile tells apart, for a module of `functions` functions: each
/// function from two call sites, before the rest count together as `[other]`.
pub fn device_contexts(functions: u64) -> usize {
    usize::try_from(functions.saturating_mul(2).saturating_add(2)).unwrap_or(usize::MAX)
}

/// Heap bytes [`Profile::new`] takes for a device's profile ([`device_contexts`]).
pub fn device_bytes(functions: u64) -> u64 {
    (device_contexts(functions) as u64).saturating_mul(size_of::<Node>() as u64)
}

/// Asked at each poll: when a time sample is due, the time since the last one (any unit).
pub type Clock = Box<dyn FnMut() -> Option<u64>>;

/// A calling-context profile: the tree of contexts and where the program stands in it.
pub struct Profile {
    nodes: Vec<Node>,
    capacity: usize,
    current: u32,
    /// Calls nested below [`OTHER`] not yet returned from, while the program runs there.
    beyond: u32,
    lines: Option<Lines>,
    clock: Option<Clock>,
    /// Time samples taken.
    taken: u64,
}

/// Per-instruction counts, kept for a line profile: for each context, a difference array over
/// its function's code (a run of `start..end` adds one at `start` and takes one at `end`), so
/// a straight run costs two additions however long it is.
struct Lines {
    /// For each function (by number), for each pc, the pc standing for its call site.
    sites: Vec<Vec<u32>>,
    /// Each context's difference array, made when the context first runs.
    runs: Vec<Vec<i64>>,
}

/// One function's counts over all its contexts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionCount {
    /// The function's number, as the counted frames gave it ([`NO_FUNC`] for `[other]`).
    pub func: u32,
    /// Instructions it executed itself (callees not included).
    pub instructions: u64,
    /// Times it was entered.
    pub calls: u64,
}

fn node(parent: u32, func: u32, site: u32) -> Node {
    Node {
        parent,
        func,
        site,
        instructions: 0,
        calls: 0,
        time: 0,
        samples: 0,
        sampled: 0,
        first_child: u32::MAX,
        next_sibling: u32::MAX,
    }
}

impl Profile {
    /// A profile of at most `capacity` contexts (at least the root and `[other]`), allocated now.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(2);
        let mut nodes = Vec::with_capacity(capacity);
        nodes.push(node(ROOT, NO_FUNC, NO_SITE));
        nodes.push(node(ROOT, NO_FUNC, NO_SITE));
        Profile {
            nodes,
            capacity,
            current: ROOT,
            beyond: 0,
            lines: None,
            clock: None,
            taken: 0,
        }
    }

    /// Also counts every instruction by its pc, and tells call sites apart: what a line
    /// profile needs. `sites` has, for each function (by number), for each of its pcs, the pc
    /// that stands for its site: calls whose pcs stand for the same one (calls on one source
    /// line, say) enter one context, so recursion from one line stays one path. Each context's
    /// counts (8 bytes an instruction) are allocated when it first runs: for hosts, not devices.
    pub fn with_lines(mut self, sites: Vec<Vec<u32>>) -> Self {
        self.lines = Some(Lines {
            sites,
            runs: Vec::new(),
        });
        self
    }

    /// Takes a time sample whenever `clock` says one is due; it is asked at the interpreter's
    /// polls (about every [`crate::exec::POLL_PERIOD`] instructions).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Whether instructions are counted by pc too (see [`Profile::with_lines`]).
    pub fn has_lines(&self) -> bool {
        self.lines.is_some()
    }

    /// Every context, the root first and `[other]` second; a node's parent comes before it.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The context that runs now.
    fn running(&self) -> u32 {
        if self.beyond > 0 { OTHER } else { self.current }
    }

    /// The child of the running context for `func` called from `site`, made if new and room
    /// is left; recently entered children are found first.
    fn child(&mut self, func: u32, site: u32) -> Option<u32> {
        let parent = self.current;
        let mut prev = u32::MAX;
        let mut at = self.nodes[parent as usize].first_child;
        while at != u32::MAX {
            let n = &self.nodes[at as usize];
            if n.func == func && n.site == site {
                if prev != u32::MAX {
                    let next = n.next_sibling;
                    self.nodes[prev as usize].next_sibling = next;
                    self.nodes[at as usize].next_sibling = self.nodes[parent as usize].first_child;
                    self.nodes[parent as usize].first_child = at;
                }
                return Some(at);
            }
            prev = at;
            at = n.next_sibling;
        }
        if self.nodes.len() == self.capacity {
            return None;
        }
        let id = self.nodes.len() as u32;
        let mut n = node(parent, func, site);
        n.next_sibling = self.nodes[parent as usize].first_child;
        self.nodes.push(n);
        self.nodes[parent as usize].first_child = id;
        Some(id)
    }

    /// Moves into `func` called from pc `site` of the running function without counting a call.
    pub fn descend(&mut self, func: u32, site: u32) {
        if self.beyond > 0 {
            self.beyond += 1;
            return;
        }
        let caller = self.nodes[self.current as usize].func as usize;
        let site = match &self.lines {
            Some(l) => l
                .sites
                .get(caller)
                .and_then(|s| s.get(site as usize))
                .copied()
                .unwrap_or(NO_SITE),
            None => NO_SITE,
        };
        match self.child(func, site) {
            Some(id) => self.current = id,
            None => self.beyond = 1,
        }
    }

    /// Moves into the calling context of `frames` (outermost first, callers at the
    /// instruction after their call), counting no calls: where a profile started while the
    /// program runs begins.
    pub fn descend_frames(&mut self, frames: impl IntoIterator<Item = Frame>) {
        let mut site = NO_SITE;
        for f in frames {
            self.descend(f.func, site);
            site = f.pc.wrapping_sub(1);
        }
    }

    /// Counts a call of `func` from `site` of the running function and moves into it.
    #[inline]
    pub fn enter(&mut self, func: u32, site: u32) {
        self.descend(func, site);
        let n = self.running();
        self.nodes[n as usize].calls += 1;
    }

    /// The running function returned to its caller.
    #[inline]
    pub fn leave(&mut self) {
        if self.beyond > 0 {
            self.beyond -= 1;
        } else if self.current != ROOT {
            self.current = self.nodes[self.current as usize].parent;
        }
    }

    /// Back at the root, as when the program starts again.
    pub fn restart(&mut self) {
        self.current = ROOT;
        self.beyond = 0;
    }

    /// Counts `instructions` more run by the running context itself.
    #[inline]
    pub fn add(&mut self, instructions: u64) {
        let n = self.running();
        self.nodes[n as usize].instructions += instructions;
    }

    /// Counts one straight run of instructions `start..end` of the running context, when
    /// counting by pc.
    #[inline]
    pub fn span(&mut self, start: u32, end: u32) {
        let n = self.running();
        let func = self.nodes[n as usize].func;
        let Some(l) = &mut self.lines else { return };
        if l.runs.len() <= n as usize {
            l.runs.resize(n as usize + 1, Vec::new());
        }
        let runs = &mut l.runs[n as usize];
        if runs.is_empty() {
            let len = l.sites.get(func as usize).map_or(0, Vec::len);
            *runs = vec![0; len + 1];
        }
        if let (Some(_), Some(_)) = (runs.get(start as usize), runs.get(end as usize)) {
            runs[start as usize] += 1;
            runs[end as usize] -= 1;
        }
    }

    /// Asks the clock whether a sample is due and takes it.
    #[inline]
    pub fn tick(&mut self) {
        if let Some(elapsed) = self.clock.as_mut().and_then(|c| c()) {
            self.sample(elapsed);
        }
    }

    /// Takes a time sample: `elapsed` since the last one is shared between the contexts by
    /// the instructions each ran since then (all to the running one if none ran, and what
    /// rounding leaves over too).
    pub fn sample(&mut self, elapsed: u64) {
        self.taken += 1;
        let ran: u64 = self.nodes.iter().map(|n| n.instructions - n.sampled).sum();
        if ran == 0 {
            let n = self.running();
            self.nodes[n as usize].time += elapsed;
            self.nodes[n as usize].samples += 1;
            return;
        }
        let mut given = 0;
        for n in &mut self.nodes {
            let own = n.instructions - n.sampled;
            if own > 0 {
                let share = (u128::from(elapsed) * u128::from(own) / u128::from(ran)) as u64;
                n.time += share;
                given += share;
                n.samples += 1;
                n.sampled = n.instructions;
            }
        }
        // What rounding left over goes where the program stands, so no time is lost.
        let n = self.running();
        self.nodes[n as usize].time += elapsed - given;
    }

    /// How many times each instruction of context `node`'s function ran there, by pc (empty
    /// when it never ran, or instructions are not counted by pc).
    pub fn pc_counts(&self, node: u32) -> Vec<u64> {
        let Some(runs) = self.lines.as_ref().and_then(|l| l.runs.get(node as usize)) else {
            return Vec::new();
        };
        let mut sum = 0i64;
        let mut out: Vec<u64> = runs
            .iter()
            .map(|d| {
                sum += d;
                sum.max(0) as u64
            })
            .collect();
        out.pop();
        out
    }

    /// Sets every counter to zero; the contexts and where the program stands stay.
    pub fn reset(&mut self) {
        for n in &mut self.nodes {
            (n.instructions, n.calls, n.time, n.samples, n.sampled) = (0, 0, 0, 0, 0);
        }
        self.taken = 0;
        if let Some(l) = &mut self.lines {
            l.runs.iter_mut().for_each(|r| r.fill(0));
        }
    }

    /// Instructions counted in all.
    pub fn total(&self) -> u64 {
        self.nodes.iter().map(|n| n.instructions).sum()
    }

    /// Time samples taken.
    pub fn samples(&self) -> u64 {
        self.taken
    }

    /// Time counted in all.
    pub fn time(&self) -> u64 {
        self.nodes.iter().map(|n| n.time).sum()
    }

    /// A table of the top `n` functions (instructions, share, calls, name), `name` naming each.
    pub fn report(&self, n: usize, name: impl Fn(u32) -> String) -> String {
        report_table(
            self.total(),
            self.top(n).iter().map(|c| {
                let label = match c.func {
                    NO_FUNC => String::from("[other]"),
                    f => name(f),
                };
                (c.instructions, c.calls, label)
            }),
        )
    }

    /// The `n` functions that executed the most instructions, over all their contexts, most first.
    pub fn top(&self, n: usize) -> Vec<FunctionCount> {
        let mut by_func: BTreeMap<u32, FunctionCount> = BTreeMap::new();
        for node in &self.nodes[1..] {
            let c = by_func.entry(node.func).or_insert(FunctionCount {
                func: node.func,
                instructions: 0,
                calls: 0,
            });
            c.instructions += node.instructions;
            c.calls += node.calls;
        }
        let mut all: Vec<FunctionCount> = by_func
            .into_values()
            .filter(|c| c.instructions > 0)
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

impl core::fmt::Debug for Profile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Profile")
            .field("contexts", &self.nodes.len())
            .field("capacity", &self.capacity)
            .field("current", &self.current)
            .finish_non_exhaustive()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_from_different_sites_are_different_contexts_and_returns_climb_back() {
        // Function 0's calls at pcs 5 and 6 stand for one site, at 9 for another.
        let mut sites = vec![(0..12).collect::<Vec<u32>>(), vec![0; 4]];
        sites[0][6] = 5;
        let mut p = Profile::new(16).with_lines(sites);
        p.enter(0, NO_SITE);
        p.add(3);
        p.enter(1, 5);
        p.add(10);
        p.leave();
        p.enter(1, 6);
        p.add(10);
        p.leave();
        p.enter(1, 9);
        p.add(4);
        p.leave();
        p.add(2);
        let n = p.nodes();
        assert_eq!(n.len(), 5, "root, other, main, and the callee at two sites");
        let main = &n[2];
        assert_eq!((main.func, main.instructions, main.calls), (0, 5, 1));
        let at5 = n.iter().find(|n| n.func == 1 && n.site == 5).unwrap();
        assert_eq!((at5.parent, at5.instructions, at5.calls), (2, 20, 2));
        let at9 = n.iter().find(|n| n.func == 1 && n.site == 9).unwrap();
        assert_eq!((at9.instructions, at9.calls), (4, 1));
        assert_eq!(
            p.top(1)[0],
            FunctionCount {
                func: 1,
                instructions: 24,
                calls: 3
            }
        );
        assert_eq!(p.total(), 29);
    }

    #[test]
    fn without_sites_a_function_is_one_context_under_each_caller() {
        let mut p = Profile::new(8);
        p.enter(0, NO_SITE);
        for (site, n) in [(3, 1), (7, 2), (3, 4)] {
            p.enter(1, site);
            p.add(n);
            // Recursion from one function nests once per depth, not per site.
            p.enter(1, site);
            p.add(n);
            p.leave();
            p.leave();
        }
        assert_eq!(p.nodes().len(), 5, "root, other, main, f, f under f");
        assert_eq!((p.nodes()[3].calls, p.nodes()[3].instructions), (3, 7));
        assert_eq!((p.nodes()[4].parent, p.nodes()[4].calls), (3, 3));
    }

    #[test]
    fn contexts_past_the_capacity_count_as_other_and_the_way_back_is_kept() {
        let mut p = Profile::new(4);
        p.enter(0, NO_SITE);
        p.enter(1, 0);
        // No room for these two: they and what they call count as `[other]`.
        p.enter(2, 0);
        p.enter(3, 0);
        p.add(7);
        p.leave();
        p.add(1);
        p.leave();
        // Back in function 1's context.
        p.add(5);
        assert_eq!(p.nodes().len(), 4);
        assert_eq!(p.nodes()[OTHER as usize].instructions, 8);
        assert_eq!(p.nodes()[OTHER as usize].calls, 2);
        assert_eq!(p.nodes()[3].instructions, 5);
        assert_eq!(p.top(5)[0].func, NO_FUNC);
    }

    #[test]
    fn counts_by_pc_add_up_the_straight_runs_of_each_context() {
        let mut p = Profile::new(8).with_lines(vec![(0..6).collect(), (0..4).collect()]);
        p.enter(0, NO_SITE);
        p.span(0, 3);
        p.span(1, 3);
        p.enter(1, 2);
        p.span(0, 4);
        p.leave();
        p.span(3, 6);
        assert_eq!(p.pc_counts(2), vec![1, 2, 2, 1, 1, 1]);
        assert_eq!(p.pc_counts(3), vec![1, 1, 1, 1]);
        p.reset();
        assert_eq!(p.pc_counts(2), vec![0; 6]);
    }

    #[test]
    fn a_sample_shares_its_time_by_the_instructions_run_since_the_last() {
        let mut due = [Some(100), None, Some(60), Some(30)].into_iter();
        let mut p = Profile::new(8).with_clock(Box::new(move || due.next().flatten()));
        p.enter(0, NO_SITE);
        p.add(10);
        p.enter(1, 0);
        p.add(30);
        p.tick(); // 100: 25 to main, 75 to the callee.
        p.tick(); // Not due.
        p.add(20);
        p.leave();
        p.add(10);
        p.tick(); // 60: 40 to the callee, 20 to main.
        p.tick(); // 30, nothing run since: all to main, where the program stands.
        let n = p.nodes();
        assert_eq!((n[2].time, n[2].samples), (25 + 20 + 30, 3));
        assert_eq!((n[3].time, n[3].samples), (75 + 40, 2));
        assert_eq!((p.time(), p.samples()), (190, 3));
    }
}
