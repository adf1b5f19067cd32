//! `instructions!`, which turns the description of the instruction set in [`super`] (one line
//! per instruction: its operands and their roles) into [`Instr`], its accumulator forms, the
//! opcodes ([`op`]) and every per-instruction table the translator and the interpreter use.
//!
//! # The description
//!
//! First the instructions without operands, separated by `,` and ended by `;` (apart, so that
//! every other one's operands are one token tree, which its accumulator form copies). Then every
//! other instruction: its name, its operands (a payload type in parentheses or named fields in
//! braces) and the roles of its operands, in this order, each optional:
//!
//! - `dst(f)`: `f` is the register it writes, and it leaves that value in the accumulator
//!   ([`Instr::dst_mut`], [`Instr::result`]);
//! - `rare(f)` or `rare()`: it runs out of the handlers (`exec::rare`), writing `f` if named but
//!   not the accumulator ([`Instr::dst_mut`], [`op::is_rare`]);
//! - `target(f)`: `f` is its branch target ([`Instr::target_mut`]);
//! - `br(X)`: it is a comparison, and `X` the compare-and-branch on the same operands
//!   ([`Instr::branch_form`]);
//! - `not(X)`: it is a branch, taken exactly when `X` is not ([`Instr::inverted`]);
//! - `acc(f => X)`: `X` is its accumulator form, with the same operands and `f` taken from the
//!   accumulator (the variant `X`, [`Instr::acc_form`], [`Instr::acc_source`], [`op::base_of`]).
//!
//! For example `I32Add(R3) dst(dst) acc(a => I32AddAcc)`: `dst = a + b` on registers, its result
//! in `dst` and in the accumulator, and `I32AddAcc` the same with `a` from the accumulator. An
//! accumulator form has its instruction's `dst` and `target` roles, and comes after every
//! instruction of the description in the numbering. A new instruction is one line there and its
//! handler in `exec/dispatch.rs` (whose handler also serves its accumulator form).
//!
//! [`Instr`]: super::Instr
//! [`op`]: super::op
//! [`Instr::dst_mut`]: super::Instr::dst_mut
//! [`Instr::result`]: super::Instr::result
//! [`Instr::target_mut`]: super::Instr::target_mut
//! [`Instr::branch_form`]: super::Instr::branch_form
//! [`Instr::inverted`]: super::Instr::inverted
//! [`Instr::acc_form`]: super::Instr::acc_form
//! [`Instr::acc_source`]: super::Instr::acc_source
//! [`op::is_rare`]: super::op::is_rare
//! [`op::base_of`]: super::op::base_of

// The tables are `match`es with an arm per instruction. An arm's pattern and value depend on
// whether a role is there, which `macro_rules!` can only test by matching, in these helpers
// (called where a pattern or an expression goes, as a macro cannot give a `match` its arms).

/// A pattern for instruction `$v` (operands `$shape`) that binds `$x` to its field `$f`.
macro_rules! field {
    ($v:ident ($t:ident) $f:ident $x:ident) => {
        Instr::$v($t { $f: $x, .. })
    };
    ($v:ident { $($g:ident : $gt:ty),* $(,)? } $f:ident $x:ident) => {
        Instr::$v { $f: $x, .. }
    };
}

/// Instruction `$v` with all its operands: a pattern that binds them (`$x` to a payload, named
/// fields to their names), or the expression that makes instruction `$v` of them.
macro_rules! whole {
    ($v:ident ($t:ident) $x:ident) => {
        Instr::$v($x)
    };
    ($v:ident { $($g:ident : $gt:ty),* $(,)? } $x:ident) => {
        Instr::$v { $($g),* }
    };
}

/// Operand `$f` of what `whole!` bound.
macro_rules! get {
    (($t:ident) $f:ident $x:ident) => {
        $x.$f
    };
    ({ $($g:ident : $gt:ty),* $(,)? } $f:ident $x:ident) => {
        $f
    };
}

/// A pattern for instruction `$v` and its accumulator form, if any, that binds `$x` to their
/// field in `[f]` (any field for `[]`).
macro_rules! either {
    ($v:ident $shape:tt [$f:ident] [$($acc:ident)?] $x:ident) => {
        field!($v $shape $f $x) $(| field!($acc $shape $f $x))?
    };
    ($v:ident $shape:tt [] [$($acc:ident)?] $x:ident) => {
        Instr::$v { .. } $(| Instr::$acc { .. })?
    };
}

/// `Some($e)` where the role `[f]` is there, `None` for `[]`.
macro_rules! some {
    ([$f:ident] $e:expr) => {
        Some($e)
    };
    ([] $e:expr) => {
        None
    };
}

/// Whether the tokens are `rare` (with its destination, if any).
macro_rules! flag {
    ([]) => {
        false
    };
    ([rare $($f:ident)?]) => {
        true
    };
}

/// Defines [`Instr`](super::Instr) from the description (see the module documentation) and, from
/// it, the tables: the opcodes ([`op`](super::op), [`OPCODES`](super::OPCODES)), the operand
/// roles (`impl Instr`), `handler_table!` (a handler per opcode, for the interpreter) and
/// `instr_pat!` (a pattern for an instruction and its accumulator form, for its handler).
macro_rules! instructions {
    (
        $d:tt
        $(#[$meta:meta])*
        pub enum Instr {
            $( $(#[$umeta:meta])* $u:ident ),* ;
            $(
                $(#[$vmeta:meta])*
                $v:ident $shape:tt
                $( dst($dst:ident) )?
                $( rare($($rare:ident)?) )?
                $( target($target:ident) )?
                $( br($br:ident) )?
                $( not($not:ident) )?
                $( acc($src:ident => $acc:ident) )?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub enum Instr {
            $( $(#[$umeta])* $u, )*
            $( $(#[$vmeta])* $v $shape, )*
            $($(
                #[doc = concat!(
                    "[`Instr::", stringify!($v), "`] with `", stringify!($src),
                    "` taken from the accumulator."
                )]
                $acc $shape,
            )?)*
        }

        /// Each instruction's opcode: its tag, the index of its variant in [`Instr`].
        #[allow(non_upper_case_globals, missing_docs)]
        pub mod op {
            /// The variants of [`super::Instr`] without their fields, numbered as its tags are.
            #[repr(u16)]
            enum Opcode {
                $( $u, )*
                $( $v, )*
                $($( $acc, )?)*
            }
            $( pub const $u: u16 = Opcode::$u as u16; )*
            $( pub const $v: u16 = Opcode::$v as u16; )*
            $($( pub const $acc: u16 = Opcode::$acc as u16; )?)*

            /// The instruction whose accumulator form `op` is; `op` itself for any other.
            pub const fn base_of(op: u16) -> u16 {
                match op {
                    $($( self::$acc => self::$v, )?)*
                    _ => op,
                }
            }

            /// Whether `op` is an accumulator form.
            pub const fn is_acc(op: u16) -> bool {
                base_of(op) != op
            }

            /// Whether `op` runs out of the handlers (`exec::rare`), and so leaves the
            /// accumulator as it was.
            pub const fn is_rare(op: u16) -> bool {
                $( (op == self::$v && flag!([$(rare $($rare)?)?])) || )* false
            }

            /// The operand the accumulator form of `op` (or `op`, an accumulator form) takes
            /// from the accumulator, by name.
            pub const fn acc_operand(op: u16) -> Option<&'static str> {
                match op {
                    $($( self::$v | self::$acc => Some(stringify!($src)), )?)*
                    _ => None,
                }
            }

            /// Whether `op`'s accumulator form, if it has one, takes `operand` from the
            /// accumulator: what a handler that takes `operand` from there asks as it compiles.
            pub const fn acc_takes(op: u16, operand: &str) -> bool {
                let Some(name) = acc_operand(op) else {
                    return true;
                };
                let (a, b) = (name.as_bytes(), operand.as_bytes());
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
        }

        /// How many opcodes there are.
        pub const OPCODES: usize = [$( op::$u, )* $( op::$v, )* $($( op::$acc, )?)*].len();

        /// `[handler::<F, { op::X }>, ...]`, one entry per opcode in order, with `handler` and `F`
        /// named where it is used: the interpreter's dispatch table.
        macro_rules! handler_table {
            () => {
                [
                    $( handler::<F, { crate::instr::op::$u }>, )*
                    $( handler::<F, { crate::instr::op::$v }>, )*
                    $($( handler::<F, { crate::instr::op::$acc }>, )?)*
                ]
            };
        }
        pub(crate) use handler_table;

        /// `instr_pat!(X (fields))`: the pattern `Instr::X (fields)`, or with `X` an instruction
        /// with an accumulator form `XAcc`, `Instr::X (fields) | Instr::XAcc (fields)`: what the
        /// handler of both matches.
        macro_rules! instr_pat {
            $( ($u) => { crate::instr::Instr::$u }; )*
            $(
                ($v $d($d p:tt)*) => {
                    crate::instr::Instr::$v $d($d p)* $(| crate::instr::Instr::$acc $d($d p)*)?
                };
            )*
        }
        pub(crate) use instr_pat;

        impl Instr {
            /// The destination register of an instruction that produces one value, to retarget it.
            pub fn dst_mut(&mut self) -> Option<&mut u32> {
                match self {
                    $(
                        either!($v $shape [$($dst)? $($($rare)?)?] [$($acc)?] x)
                            => some!([$($dst)? $($($rare)?)?] x),
                    )*
                    $( Instr::$u => None, )*
                }
            }

            /// The branch target of a jump, if this is one.
            pub fn target_mut(&mut self) -> Option<&mut u32> {
                match self {
                    $(
                        either!($v $shape [$($target)?] [$($acc)?] x)
                            => some!([$($target)?] x),
                    )*
                    $( Instr::$u => None, )*
                }
            }

            /// The register an instruction writes and also leaves in the accumulator for the
            /// next one: every instruction with a destination but the rare ones.
            pub fn result(&self) -> Option<u32> {
                match self {
                    $( either!($v $shape [$($dst)?] [$($acc)?] x) => some!([$($dst)?] *x), )*
                    $( Instr::$u => None, )*
                }
            }

            /// This instruction taking register `reg`, as its first operand (an address, a
            /// stored value, a condition, a copy's source), from the accumulator instead, where
            /// it has such a form: for an instruction that follows the one whose
            /// [`Instr::result`] `reg` is.
            pub fn acc_form(self, reg: u32) -> Option<Instr> {
                match self {
                    $($(
                        whole!($v $shape x) if get!($shape $src x) == reg
                            => Some(whole!($acc $shape x)),
                    )?)*
                    _ => None,
                }
            }

            /// The register an accumulator form's accumulator holds (written by the instruction
            /// before it): what a run resumed at it loads the accumulator from.
            pub fn acc_source(&self) -> Option<u32> {
                match *self {
                    $($( field!($acc $shape $src x) => Some(x), )?)*
                    _ => None,
                }
            }

            /// The compare-and-branch on this comparison's operands, taken when it holds, its
            /// target not linked yet.
            pub(crate) fn branch_form(self) -> Option<Instr> {
                match self {
                    $($( Instr::$v(x) => Some(Instr::$br(x.branch())), )?)*
                    _ => None,
                }
            }

            /// The branch taken exactly when this one is not, if this is a conditional branch.
            pub(crate) fn inverted(self) -> Option<Instr> {
                match self {
                    $($( whole!($v $shape x) => Some(whole!($not $shape x)), )?)*
                    _ => None,
                }
            }
        }
    };
}
