//! Frames of a stopped program: Wasm frames expanded into their inlined source frames, innermost
//! first, with the variables each can see.

use crate::dwarf::{Scope, SourceLoc};

/// One frame as a user sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameInfo {
    /// Its number in the backtrace, 0 the innermost.
    pub level: usize,
    /// Index of its Wasm frame in [`Session::wasm_frames`](crate::session::Session::wasm_frames) (outermost 0).
    pub wasm: usize,
    /// Inline depth within the Wasm frame, 0 the innermost.
    pub inline: usize,
    /// Whether this frame is a call the compiler inlined into its caller.
    pub inlined: bool,
    /// The module's index of the Wasm function.
    pub func: u32,
    /// Code offset execution stands at: the instruction for the innermost Wasm frame, the call
    /// for its callers.
    pub addr: u64,
    /// The function's name.
    pub function: String,
    /// Its source position, where DWARF has one.
    pub loc: Option<SourceLoc>,
}

/// The scopes of the function at inline depth `inline` (0 innermost): from its function scope to
/// the next function scope inside it.
pub(crate) fn own_scopes(scopes: &[Scope], inline: usize) -> &[Scope] {
    let starts: Vec<usize> = (0..scopes.len()).filter(|&i| scopes[i].function).collect();
    let Some(seg) = starts.len().checked_sub(inline + 1) else {
        return &[];
    };
    let end = starts.get(seg + 1).copied().unwrap_or(scopes.len());
    &scopes[starts[seg]..end]
}
