//! A validating operator visitor that also notes what translation will make of each operator, so
//! the streaming pass measures code at the speed of plain validation.

use alloc::vec::Vec;

use wasmparser::{BinaryReaderError, VisitOperator};

/// Wraps the validator's visitor for one operator and records whether translation folds it.
pub struct Measure<V> {
    inner: V,
    folded: bool,
}

impl<V> Measure<V> {
    /// Wraps `inner`, the function validator's visitor at one operator's offset.
    pub fn new(inner: V) -> Self {
        Measure {
            inner,
            folded: false,
        }
    }

    /// Whether translation folds the visited operator into the instructions that use it
    /// (constants, `local.get`, `nop` and block structure) instead of emitting one of its own.
    pub fn folded(&self) -> bool {
        self.folded
    }
}

/// Operators translation folds; see [`Measure::folded`].
const FOLDED: &[&str] = &[
    "LocalGet", "I32Const", "I64Const", "F32Const", "F64Const", "Nop", "Block", "Loop", "End",
];

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn is_folded(op: &str) -> bool {
    let mut i = 0;
    while i < FOLDED.len() {
        if str_eq(FOLDED[i], op) {
            return true;
        }
        i += 1;
    }
    false
}

macro_rules! forward {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(,$arg: $argty)*)?) -> Self::Output {
                self.folded = const { is_folded(stringify!($op)) };
                self.inner.$visit($($($arg),*)?)
            }
        )*
    };
}

impl<'a, V> VisitOperator<'a> for Measure<V>
where
    V: VisitOperator<'a, Output = Result<(), BinaryReaderError>>,
{
    type Output = Result<(), BinaryReaderError>;

    wasmparser::for_each_visit_operator!(forward);
}
