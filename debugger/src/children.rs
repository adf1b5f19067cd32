//! A value's children, fetched lazily and in pages: struct and union members, array elements, a
//! pointer's pointee, a C string's characters, a Rust enum's active variant, and the elements of a
//! `Vec`, `String` or slice. A [`VarRef`] names a path (frame, expression, field and index chain),
//! not a place in memory, so an expansion resolves again after a step while the path still exists.

use crate::dwarf::vars::le_u64;
use crate::dwarf::{Place, Shape, Ty};
use crate::error::Error;
use crate::report::Variable;
use crate::value::{Printer, Value};
pub use crate::varref::{PathStep, VarRef};

/// The most children one request returns: a bound on the work of one page.
pub const MAX_PAGE: u64 = 10_000;

/// What a value's children are.
pub(crate) enum Kids {
    /// None.
    Leaf,
    /// Named members.
    Fields(Vec<(String, Value)>),
    /// `count` elements of type `elem` from `addr` in linear memory.
    Elements {
        /// The element type.
        elem: Ty,
        /// The first element's address.
        addr: u64,
        /// How many there are.
        count: u64,
    },
}

impl Kids {
    pub(crate) fn count(&self) -> u64 {
        match self {
            Kids::Leaf => 0,
            Kids::Fields(f) => f.len() as u64,
            Kids::Elements { count, .. } => *count,
        }
    }
}

impl Printer<'_> {
    /// The children of `v`.
    pub(crate) fn kids(&self, v: &Value) -> Result<Kids, Error> {
        if v.place == Place::OptimizedOut {
            return Ok(Kids::Leaf);
        }
        let rust = self.rust(&v.ty);
        Ok(match self.dwarf.shape(&v.ty)? {
            Shape::Pointer { target } => {
                let addr = le_u64(&self.bytes(&v.place, 4)?);
                match self.dwarf.shape(&target)? {
                    _ if addr == 0 => Kids::Leaf,
                    Shape::Void | Shape::Function => Kids::Leaf,
                    _ if !rust && self.is_c_char(&target) => Kids::Elements {
                        count: self.c_str(addr).map_or(0, |(s, _)| s.len() as u64),
                        elem: target,
                        addr,
                    },
                    _ => Kids::Fields(vec![(
                        "*".into(),
                        Value {
                            ty: target,
                            place: Place::Memory(addr),
                        },
                    )]),
                }
            }
            Shape::Array { elem, count } => match v.place {
                Place::Memory(addr) => Kids::Elements {
                    elem,
                    addr,
                    count: count.unwrap_or(0),
                },
                _ => Kids::Leaf,
            },
            Shape::Struct {
                members, variants, ..
            } if rust => self.rust_kids(v, members, variants)?,
            Shape::Struct { members, .. } => Kids::Fields(
                members
                    .iter()
                    .map(|m| Ok((m.name.clone(), self.member(&v.place, m)?)))
                    .collect::<Result<_, Error>>()?,
            ),
            _ => Kids::Leaf,
        })
    }

    fn rust_kids(
        &self,
        v: &Value,
        members: Vec<crate::dwarf::Member>,
        variants: Option<(Option<crate::dwarf::Member>, Vec<crate::dwarf::Variant>)>,
    ) -> Result<Kids, Error> {
        let field = |name: &str, value: Value| (name.trim_start_matches("__").to_string(), value);
        if let Some((discr, variants)) = variants {
            let Some(var) = self.active_variant(&v.place, &discr, &variants)? else {
                return Ok(Kids::Leaf);
            };
            let inner = self.member(&v.place, &var.member)?;
            let Shape::Struct { members, .. } = self.dwarf.shape(&inner.ty)? else {
                return Ok(Kids::Leaf);
            };
            return Ok(Kids::Fields(
                members
                    .iter()
                    .map(|m| Ok(field(&m.name, self.member(&inner.place, m)?)))
                    .collect::<Result<_, Error>>()?,
            ));
        }
        if let Some((elem, addr, count)) = self.rust_sequence(v, &members)? {
            return Ok(Kids::Elements { elem, addr, count });
        }
        Ok(Kids::Fields(
            members
                .iter()
                .map(|m| Ok(field(&m.name, self.member(&v.place, m)?)))
                .collect::<Result<_, Error>>()?,
        ))
    }

    /// A value as one child line: its name, type, one-line value and the reference to its own
    /// children.
    pub(crate) fn variable(&self, name: String, v: &Value, at: &VarRef) -> Variable {
        let count = self.kids(v).map_or(0, |k| k.count());
        Variable {
            name,
            ty: self.dwarf.type_name(&v.ty),
            value: self.top(v),
            children: (count > 0).then(|| at.clone()),
            child_count: (count > 0).then_some(count),
            addr: match v.place {
                Place::Memory(a) => Some(a),
                _ => None,
            },
        }
    }
}

/// The child `step` names.
pub(crate) fn child(p: &Printer, kids: &Kids, step: &PathStep) -> Option<Value> {
    match (kids, step) {
        (Kids::Fields(fields), PathStep::Field(name)) => fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone()),
        (Kids::Elements { elem, addr, count }, PathStep::Index(i)) if i < count => {
            let size = p.dwarf.size_of(elem).ok()?.max(1);
            Some(Value {
                ty: elem.clone(),
                place: Place::Memory(addr.checked_add(i.checked_mul(size)?)?),
            })
        }
        _ => None,
    }
}
