//! The session's inspector: the frame the user selected, the values printed so far and the
//! `display` expressions shown at each stop.

use crate::history::DisplayExpr;
use crate::value::Value;

/// What the user looks at in a stopped program.
#[derive(Default)]
pub struct Inspector {
    /// Selected frame, 0 the innermost.
    pub(super) selected: usize,
    /// Values printed so far: `$1`, `$2`, ...
    pub(super) history: Vec<Value>,
    /// `display` expressions.
    pub(super) displays: Vec<DisplayExpr>,
}
