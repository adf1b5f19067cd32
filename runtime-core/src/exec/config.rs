//! The store configuration a platform's limits give: how the stack bytes bound a thread's frames
//! and values. Here, beside [`Frame`], so that the limits need not know the interpreter.

use super::Frame;
use crate::limits::PlatformLimits;
use crate::store::Config;

impl PlatformLimits {
    /// The store configuration that enforces these limits at run time: memories and tables cannot
    /// grow past them, and calls past the stack bytes trap. A fifth of the stack bytes holds call
    /// frames, the rest 8-byte values (locals and operands).
    pub fn store_config(&self) -> Config {
        let count =
            |bytes: u64, each: usize| usize::try_from(bytes / each as u64).unwrap_or(usize::MAX);
        Config {
            max_frames: count(self.max_stack_bytes / 5, size_of::<Frame>()),
            max_values: count(
                self.max_stack_bytes - self.max_stack_bytes / 5,
                size_of::<u64>(),
            ),
            max_memory_bytes: self.max_wasm_linear_memory,
            max_table_elems: self.max_table_elements,
        }
    }
}
