//! The stack-trace store: captured call stacks kept for profiling and post-mortem, in storage
//! allocated once. When full, the oldest trace is overwritten.

use alloc::vec::Vec;

use super::table::allocate;
use crate::error::Error;
use crate::exec::Frame;

/// Frames kept per trace; deeper stacks keep their innermost frames.
pub const TRACE_DEPTH: usize = 16;

/// A ring of at most `capacity` traces of at most [`TRACE_DEPTH`] frames.
#[derive(Debug)]
pub struct Traces {
    frames: Vec<Frame>,
    depths: Vec<u8>,
    next: usize,
    stored: usize,
}

impl Traces {
    /// Storage for `capacity` traces, allocated now; one the host cannot hold is an error naming
    /// `max_stack_traces`.
    pub fn new(capacity: u64) -> Result<Self, Error> {
        const LIMIT: &str = "max_stack_traces";
        let empty = Frame {
            func: 0,
            pc: 0,
            fp: 0,
            instance: 0,
        };
        let frames = capacity
            .checked_mul(TRACE_DEPTH as u64)
            .ok_or(Error::Limit {
                limit: LIMIT,
                asked: capacity,
                allowed: u64::MAX / TRACE_DEPTH as u64,
            })?;
        Ok(Traces {
            frames: allocate(frames, LIMIT, || empty)?,
            depths: allocate(capacity, LIMIT, || 0)?,
            next: 0,
            stored: 0,
        })
    }

    /// Stores the innermost [`TRACE_DEPTH`] frames of `stack` (outermost first, as
    /// [`crate::Thread::frames`] gives them); overwrites the oldest trace when full. No allocation.
    pub fn capture(&mut self, stack: &[Frame]) {
        if self.depths.is_empty() {
            return;
        }
        let keep = &stack[stack.len().saturating_sub(TRACE_DEPTH)..];
        let slot = self.next;
        self.frames[slot * TRACE_DEPTH..slot * TRACE_DEPTH + keep.len()].copy_from_slice(keep);
        self.depths[slot] = keep.len() as u8;
        self.next = (slot + 1) % self.depths.len();
        self.stored = (self.stored + 1).min(self.depths.len());
    }

    /// The number of traces it holds at most.
    pub fn capacity(&self) -> usize {
        self.depths.len()
    }

    /// The stored traces, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &[Frame]> {
        let n = self.depths.len();
        let first = (self.next + n - self.stored) % n.max(1);
        (0..self.stored).map(move |k| {
            let slot = (first + k) % n;
            &self.frames[slot * TRACE_DEPTH..slot * TRACE_DEPTH + usize::from(self.depths[slot])]
        })
    }
}
