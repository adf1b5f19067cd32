//! The value history (`$1`, `$2`, ...) and the `display` expressions shown at every stop.

use crate::value::Format;

/// A `display` expression: its number (its memory-inspector slot), text and format.
#[derive(Debug, Clone)]
pub(crate) struct DisplayExpr {
    pub(crate) number: u32,
    pub(crate) expr: String,
    pub(crate) format: Format,
}
