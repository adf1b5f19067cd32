//! The call tree: a profile's calling contexts with their functions (or source lines) named
//! from the DWARF, each path from the root one call stack the program went through.

use std::collections::HashMap;
use std::time::Duration;

use runtime_core::debug::Profile;
use runtime_core::debug::profile::{NO_FUNC, OTHER, ROOT};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::dwarf::DwarfInfo;

/// What a call tree's frames are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// Functions: one frame per Wasm function, inlined code counted in the function it is in.
    Function,
    /// Source lines: a frame per function and line, inlined functions their own frames.
    Line,
}

/// One frame of a call tree: a function, or a line of one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct ProfileFrame {
    /// The function's source name (the module's name without DWARF; `[other]` for the
    /// contexts past the profile's capacity).
    pub function: String,
    /// The source file, where the DWARF names one.
    pub file: Option<String>,
    /// The line: where the function starts in a tree by function, the line itself by line.
    pub line: Option<u32>,
    /// Whether the compiler inlined this function into its caller (trees by line only).
    pub inlined: bool,
}

/// One calling context of a call tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CallNode {
    /// The caller's node; the root's is itself (0).
    pub parent: usize,
    /// Index into [`CallTree::frames`] (unused for the root).
    pub frame: usize,
    /// Instructions run in this context itself (exact).
    pub instructions: u64,
    /// Times a call entered this context: for a line, calls that started at it.
    pub calls: u64,
    /// Time run in this context itself, sampled (by line, the context's time shared by the
    /// instructions of each line).
    pub time: Duration,
}

/// A profile as a tree of calling contexts: node 0 the root, each node after its parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CallTree {
    /// What the frames are.
    pub by: By,
    /// Every frame the nodes name.
    pub frames: Vec<ProfileFrame>,
    /// The contexts, the root first.
    pub nodes: Vec<CallNode>,
    /// Wall time the program ran while profiled.
    pub elapsed: Duration,
    /// Time samples taken.
    pub samples: u64,
}

/// What a call tree's frames are named from: the module's code offsets and names and its DWARF
/// (the session implements it).
pub(crate) trait Symbols {
    /// The code offset of internal `pc` of module function `func`.
    fn addr_of(&self, func: u32, pc: u32) -> Option<u64>;
    /// The code offset of the Wasm operator instruction `pc` of `func` executes.
    fn operator_addr(&self, func: u32, pc: u32) -> Option<u64>;
    /// The module's DWARF.
    fn dwarf(&self) -> &DwarfInfo;
    /// Function `func`'s source name.
    fn function_name(&self, func: u32) -> String;
}

/// Builds the tree of `profile`, taken in `session` over `elapsed`.
pub(crate) fn build(
    session: &dyn Symbols,
    profile: &Profile,
    by: By,
    elapsed: Duration,
) -> CallTree {
    let mut b = Builder {
        session,
        tree: CallTree {
            by,
            frames: Vec::new(),
            nodes: vec![CallNode {
                parent: 0,
                frame: usize::MAX,
                instructions: 0,
                calls: 0,
                time: Duration::ZERO,
            }],
            elapsed,
            samples: profile.samples(),
        },
        frame_ids: HashMap::new(),
        children: HashMap::new(),
        chains: HashMap::new(),
    };
    let nodes = profile.nodes();
    // Where each runtime context's frames hang in the tree: by function, its own node; by
    // line, the node of its call site's line, under which each of its lines is a node.
    let mut base = vec![0usize; nodes.len()];
    for (i, n) in nodes.iter().enumerate().skip(1) {
        let i32 = i as u32;
        let parent = base[n.parent as usize];
        if i32 == OTHER || n.func == NO_FUNC {
            let other = b.frame(ProfileFrame {
                function: "[other]".into(),
                file: None,
                line: None,
                inlined: false,
            });
            let at = b.child(0, other);
            b.add(at, n.instructions, n.calls, n.time);
            base[i] = at;
            continue;
        }
        match by {
            By::Function => {
                let frame = b.function_frame(n.func);
                let at = b.child(parent, frame);
                b.add(at, n.instructions, n.calls, n.time);
                base[i] = at;
            }
            By::Line => {
                let caller = nodes[n.parent as usize];
                base[i] = if n.parent == ROOT || caller.func == NO_FUNC {
                    0
                } else {
                    b.line_node(parent, caller.func, n.site)
                };
                for (pc, &count) in profile.pc_counts(i32).iter().enumerate() {
                    if count > 0 {
                        let at = b.line_node(base[i], n.func, pc as u32);
                        let share = u128::from(n.time) * u128::from(count)
                            / u128::from(n.instructions.max(1));
                        b.add(at, count, 0, share as u64);
                    }
                }
                let entry = b.line_node(base[i], n.func, 0);
                b.add(entry, 0, n.calls, 0);
            }
        }
    }
    b.tree
}

struct Builder<'s> {
    session: &'s dyn Symbols,
    tree: CallTree,
    frame_ids: HashMap<ProfileFrame, usize>,
    children: HashMap<(usize, usize), usize>,
    /// The frames, outermost first, at each (function, pc) resolved so far.
    chains: HashMap<(u32, u32), Vec<usize>>,
}

impl Builder<'_> {
    fn frame(&mut self, f: ProfileFrame) -> usize {
        let frames = &mut self.tree.frames;
        *self.frame_ids.entry(f).or_insert_with_key(|f| {
            frames.push(f.clone());
            frames.len() - 1
        })
    }

    fn child(&mut self, parent: usize, frame: usize) -> usize {
        let nodes = &mut self.tree.nodes;
        *self.children.entry((parent, frame)).or_insert_with(|| {
            nodes.push(CallNode {
                parent,
                frame,
                instructions: 0,
                calls: 0,
                time: Duration::ZERO,
            });
            nodes.len() - 1
        })
    }

    /// Adds to a node's counts, `time` in nanoseconds.
    fn add(&mut self, node: usize, instructions: u64, calls: u64, time: u64) {
        let n = &mut self.tree.nodes[node];
        n.instructions += instructions;
        n.calls += calls;
        n.time += Duration::from_nanos(time);
    }

    /// Function `func` as a frame: its name and where it starts.
    fn function_frame(&mut self, func: u32) -> usize {
        let s = self.session;
        let loc = s
            .addr_of(func, 0)
            .and_then(|a| s.dwarf().location(a).ok().flatten());
        self.frame(ProfileFrame {
            function: s.function_name(func),
            file: loc.as_ref().and_then(|l| l.file.clone()),
            line: loc.map(|l| l.line),
            inlined: false,
        })
    }

    /// The node under `base` for the line (with the functions inlined there) that instruction
    /// `pc` of `func` runs.
    fn line_node(&mut self, base: usize, func: u32, pc: u32) -> usize {
        let chain = match self.chains.get(&(func, pc)) {
            Some(c) => c.clone(),
            None => {
                let c = self.line_chain(func, pc);
                self.chains.insert((func, pc), c.clone());
                c
            }
        };
        chain.into_iter().fold(base, |at, f| self.child(at, f))
    }

    /// The frames at instruction `pc` of `func`, outermost first: the function at a line,
    /// then each function inlined there at its line.
    fn line_chain(&mut self, func: u32, pc: u32) -> Vec<usize> {
        let s = self.session;
        let frames = s
            .operator_addr(func, pc)
            .and_then(|a| s.dwarf().frames(a).ok())
            .unwrap_or_default();
        if frames.is_empty() {
            return vec![self.function_frame(func)];
        }
        let outer = frames.len() - 1;
        let mut out = Vec::with_capacity(frames.len());
        for (i, f) in frames.into_iter().enumerate().rev() {
            let function = match (f.display.or(f.function), i == outer) {
                (_, true) => s.function_name(func),
                (Some(name), false) => name,
                (None, false) => "??".into(),
            };
            out.push(self.frame(ProfileFrame {
                function,
                file: f.loc.as_ref().and_then(|l| l.file.clone()),
                line: f.loc.map(|l| l.line),
                inlined: i != outer,
            }));
        }
        out
    }
}
