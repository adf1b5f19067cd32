//! A reference to a value with children: an expression evaluated in a frame and the path taken
//! down from it. Front-ends keep it and hand it back to page through the children.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a value with children is: an expression in a frame and a path down from it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct VarRef {
    /// The frame level the expression is evaluated in.
    pub frame: usize,
    /// The expression (a variable's name, or what `print` was given).
    pub expr: String,
    /// The children taken from it, outermost first.
    pub path: Vec<PathStep>,
}

/// One step down a [`VarRef`]'s path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PathStep {
    /// A member by name (`*` for a pointer's pointee).
    Field(String),
    /// An element by index.
    Index(u64),
}

impl VarRef {
    /// The reference to child `step` of this value.
    pub(crate) fn child(&self, step: PathStep) -> VarRef {
        let mut path = self.path.clone();
        path.push(step);
        VarRef {
            frame: self.frame,
            expr: self.expr.clone(),
            path,
        }
    }
}
