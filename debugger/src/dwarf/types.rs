//! Types as DWARF describes them, read on demand from their DIE, and the types the expression
//! language makes up (literals, `&x`, casts). One [`Ty`] names either.

use gimli::UnitOffset;

use super::{DwarfInfo, Reader, attr_text};
use crate::error::Error;

/// Deepest chain of typedefs, qualifiers or nested arrays followed before giving up.
const MAX_NESTING: u32 = 64;

/// A type DIE: unit index and offset.
pub type TypeId = (usize, UnitOffset);

/// A type a value can have.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// A type DIE.
    Dwarf(TypeId),
    /// An integer the expression language made (`4`, `a + 1`).
    Int {
        /// Whether it is signed.
        signed: bool,
        /// Bytes.
        size: u8,
    },
    /// A float the expression language made.
    Float {
        /// Bytes: 4 or 8.
        size: u8,
    },
    /// A pointer the expression language made (`&x`).
    Ptr(Box<Ty>),
    /// A truth value (`a == b`).
    Bool,
    /// No type (`void`, or a type DWARF leaves out).
    Void,
}

/// How a base type's bits are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Two's complement.
    Signed,
    /// Unsigned.
    Unsigned,
    /// A character (`char`, Rust `char`).
    Char,
    /// IEEE float.
    Float,
    /// A truth value.
    Bool,
}

/// A struct or union member, or a field of an enum variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Its name (`__0` for tuple fields in Rust).
    pub name: String,
    /// Its type.
    pub ty: Ty,
    /// Byte offset in the aggregate.
    pub offset: u64,
}

/// One variant of a Rust enum: the discriminant value that selects it and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Discriminant value; `None` for the default variant.
    pub discr: Option<u64>,
    /// The variant as a member (its type is the variant struct).
    pub member: Member,
}

/// A type with typedefs and qualifiers seen through: what a value of it looks like.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Nothing.
    Void,
    /// A scalar.
    Base {
        /// Bytes.
        size: u64,
        /// How to read it.
        encoding: Encoding,
    },
    /// A pointer or reference.
    Pointer {
        /// What it points to.
        target: Ty,
    },
    /// A struct, class or union; Rust enums with data carry their variants.
    Struct {
        /// Bytes.
        size: u64,
        /// Whether it is a union.
        union: bool,
        /// Members in order.
        members: Vec<Member>,
        /// For a Rust enum: discriminant member and variants.
        variants: Option<(Option<Member>, Vec<Variant>)>,
    },
    /// An array; `count` is `None` for a flexible member.
    Array {
        /// Element type.
        elem: Ty,
        /// Number of elements.
        count: Option<u64>,
    },
    /// A C-like enumeration.
    Enum {
        /// Bytes.
        size: u64,
        /// Whether the values are signed.
        signed: bool,
        /// Names and values.
        values: Vec<(String, i64)>,
    },
    /// A function type (values are code addresses).
    Function,
}

/// The base type a C or Rust name means in a cast: `(int)`, `(unsigned char)`, `(u64)`.
pub fn base_named(name: &str) -> Option<Ty> {
    let int = |signed, size| Some(Ty::Int { signed, size });
    match name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .as_str()
    {
        "char" | "signed char" | "i8" => int(true, 1),
        "unsigned char" | "u8" => int(false, 1),
        "short" | "signed short" | "i16" => int(true, 2),
        "unsigned short" | "u16" => int(false, 2),
        "int" | "signed" | "signed int" | "long" | "i32" | "isize" => int(true, 4),
        "unsigned" | "unsigned int" | "unsigned long" | "u32" | "usize" => int(false, 4),
        "long long" | "i64" => int(true, 8),
        "unsigned long long" | "u64" => int(false, 8),
        "float" | "f32" => Some(Ty::Float { size: 4 }),
        "double" | "f64" => Some(Ty::Float { size: 8 }),
        "bool" | "_Bool" => Some(Ty::Bool),
        _ => None,
    }
}

impl DwarfInfo {
    fn type_die(&self, id: TypeId) -> Result<gimli::DebuggingInformationEntry<Reader>, Error> {
        let unit = self
            .units
            .get(id.0)
            .ok_or_else(|| Error::dwarf(".debug_info", "type in no unit"))?;
        unit.entry(id.1).map_err(|e| Error::dwarf(".debug_info", e))
    }

    /// The type a DIE's `DW_AT_type` names, or [`Ty::Void`].
    pub(crate) fn attr_type(
        &self,
        unit: usize,
        die: &gimli::DebuggingInformationEntry<Reader>,
    ) -> Ty {
        match die.attr_value(gimli::DW_AT_type) {
            Some(gimli::AttributeValue::UnitRef(o)) => Ty::Dwarf((unit, o)),
            _ => Ty::Void,
        }
    }

    /// The type `DW_AT_type` of the DIE at `die` in unit `unit` names (a function's return type).
    pub fn die_type(&self, unit: usize, die: gimli::UnitOffset) -> Ty {
        let Ok(d) = self.type_die((unit, die)) else {
            return Ty::Void;
        };
        match self.attr_type(unit, &d) {
            Ty::Void => super::functions::origin_die(&self.units[unit], &d)
                .ok()
                .flatten()
                .map_or(Ty::Void, |o| self.attr_type(unit, &o)),
            ty => ty,
        }
    }

    fn die_name(
        &self,
        unit: usize,
        die: &gimli::DebuggingInformationEntry<Reader>,
    ) -> Option<String> {
        attr_text(
            &self.dwarf,
            &self.units[unit],
            die.attr_value(gimli::DW_AT_name),
        )
    }

    /// The size in bytes of a value of `ty`.
    pub fn size_of(&self, ty: &Ty) -> Result<u64, Error> {
        self.size_at(ty, 0)
    }

    /// [`DwarfInfo::size_of`], `depth` arrays deep (malformed DWARF can nest them in a cycle).
    fn size_at(&self, ty: &Ty, depth: u32) -> Result<u64, Error> {
        if depth > MAX_NESTING {
            return Err(Error::dwarf(".debug_info", "types nest too deep"));
        }
        Ok(match ty {
            Ty::Int { size, .. } | Ty::Float { size } => *size as u64,
            Ty::Ptr(_) => 4,
            Ty::Bool => 1,
            Ty::Void => 0,
            Ty::Dwarf(id) => {
                let die = self.type_die(*id)?;
                match die
                    .attr_value(gimli::DW_AT_byte_size)
                    .and_then(|v| v.udata_value())
                {
                    Some(n) => n,
                    None => match self.shape(ty)? {
                        Shape::Array { elem, count } => self
                            .size_at(&elem, depth + 1)?
                            .saturating_mul(count.unwrap_or(0)),
                        Shape::Pointer { .. } => 4,
                        Shape::Base { size, .. }
                        | Shape::Struct { size, .. }
                        | Shape::Enum { size, .. } => size,
                        Shape::Void | Shape::Function => 0,
                    },
                }
            }
        })
    }

    /// What a value of `ty` looks like, typedefs and qualifiers seen through.
    pub fn shape(&self, ty: &Ty) -> Result<Shape, Error> {
        self.shape_at(ty, 0)
    }

    /// [`DwarfInfo::shape`] through `depth` typedefs and qualifiers (a cycle of them in malformed
    /// DWARF ends here).
    fn shape_at(&self, ty: &Ty, depth: u32) -> Result<Shape, Error> {
        if depth > MAX_NESTING {
            return Err(Error::dwarf(".debug_info", "typedefs nest too deep"));
        }
        let id = match ty {
            Ty::Int { size, signed } => {
                let encoding = if *signed {
                    Encoding::Signed
                } else {
                    Encoding::Unsigned
                };
                return Ok(Shape::Base {
                    size: *size as u64,
                    encoding,
                });
            }
            Ty::Float { size } => {
                return Ok(Shape::Base {
                    size: *size as u64,
                    encoding: Encoding::Float,
                });
            }
            Ty::Bool => {
                return Ok(Shape::Base {
                    size: 1,
                    encoding: Encoding::Bool,
                });
            }
            Ty::Ptr(t) => {
                return Ok(Shape::Pointer {
                    target: (**t).clone(),
                });
            }
            Ty::Void => return Ok(Shape::Void),
            Ty::Dwarf(id) => *id,
        };
        let die = self.type_die(id)?;
        let size = die
            .attr_value(gimli::DW_AT_byte_size)
            .and_then(|v| v.udata_value())
            .unwrap_or(0);
        Ok(match die.tag() {
            gimli::DW_TAG_base_type => {
                let enc = match die.attr_value(gimli::DW_AT_encoding) {
                    Some(gimli::AttributeValue::Encoding(e)) => e,
                    _ => gimli::DW_ATE_signed,
                };
                let encoding = match enc {
                    gimli::DW_ATE_float => Encoding::Float,
                    gimli::DW_ATE_boolean => Encoding::Bool,
                    gimli::DW_ATE_unsigned | gimli::DW_ATE_address => Encoding::Unsigned,
                    gimli::DW_ATE_signed_char | gimli::DW_ATE_unsigned_char | gimli::DW_ATE_UTF => {
                        Encoding::Char
                    }
                    _ => Encoding::Signed,
                };
                Shape::Base { size, encoding }
            }
            gimli::DW_TAG_pointer_type
            | gimli::DW_TAG_reference_type
            | gimli::DW_TAG_rvalue_reference_type => Shape::Pointer {
                target: self.attr_type(id.0, &die),
            },
            gimli::DW_TAG_typedef
            | gimli::DW_TAG_const_type
            | gimli::DW_TAG_volatile_type
            | gimli::DW_TAG_restrict_type
            | gimli::DW_TAG_atomic_type => self.shape_at(&self.attr_type(id.0, &die), depth + 1)?,
            gimli::DW_TAG_structure_type | gimli::DW_TAG_class_type | gimli::DW_TAG_union_type => {
                self.aggregate(id, size, die.tag() == gimli::DW_TAG_union_type)?
            }
            gimli::DW_TAG_array_type => {
                let elem = self.attr_type(id.0, &die);
                let mut count = None;
                self.children(id, |d| {
                    if d.tag() == gimli::DW_TAG_subrange_type && count.is_none() {
                        count = match (
                            d.attr_value(gimli::DW_AT_count),
                            d.attr_value(gimli::DW_AT_upper_bound),
                        ) {
                            (Some(c), _) => c.udata_value(),
                            (None, Some(u)) => u.udata_value().map(|u| u + 1),
                            _ => None,
                        };
                    }
                    Ok(())
                })?;
                Shape::Array { elem, count }
            }
            gimli::DW_TAG_enumeration_type => {
                let signed = match self.shape(&self.attr_type(id.0, &die)) {
                    Ok(Shape::Base { encoding, .. }) => encoding == Encoding::Signed,
                    _ => true,
                };
                let mut values = Vec::new();
                self.children(id, |d| {
                    if d.tag() == gimli::DW_TAG_enumerator {
                        let v = match d.attr_value(gimli::DW_AT_const_value) {
                            Some(gimli::AttributeValue::Sdata(v)) => v,
                            Some(v) => v.udata_value().unwrap_or(0) as i64,
                            None => 0,
                        };
                        values.push((self.die_name(id.0, d).unwrap_or_default(), v));
                    }
                    Ok(())
                })?;
                Shape::Enum {
                    size,
                    signed,
                    values,
                }
            }
            gimli::DW_TAG_subroutine_type => Shape::Function,
            _ => Shape::Void,
        })
    }

    /// A struct's members and, for a Rust enum, its variant part.
    fn aggregate(&self, id: TypeId, size: u64, union: bool) -> Result<Shape, Error> {
        let mut members = Vec::new();
        let mut parts = Vec::new();
        self.children(id, |d| {
            match d.tag() {
                gimli::DW_TAG_member => members.push(self.member(id.0, d)),
                gimli::DW_TAG_variant_part => parts.push(d.offset()),
                _ => {}
            }
            Ok(())
        })?;
        let variants = match parts.first() {
            None => None,
            Some(&part) => {
                let die = self.type_die((id.0, part))?;
                let discr = match die.attr_value(gimli::DW_AT_discr) {
                    Some(gimli::AttributeValue::UnitRef(o)) => {
                        Some(self.member(id.0, &self.type_die((id.0, o))?))
                    }
                    _ => None,
                };
                let mut variants = Vec::new();
                self.children((id.0, part), |v| {
                    if v.tag() != gimli::DW_TAG_variant {
                        return Ok(());
                    }
                    let discr = v
                        .attr_value(gimli::DW_AT_discr_value)
                        .and_then(|x| x.udata_value());
                    self.children((id.0, v.offset()), |m| {
                        if m.tag() == gimli::DW_TAG_member {
                            variants.push(Variant {
                                discr,
                                member: self.member(id.0, m),
                            });
                        }
                        Ok(())
                    })
                })?;
                Some((discr, variants))
            }
        };
        Ok(Shape::Struct {
            size,
            union,
            members,
            variants,
        })
    }

    fn member(&self, unit: usize, d: &gimli::DebuggingInformationEntry<Reader>) -> Member {
        Member {
            name: self.die_name(unit, d).unwrap_or_default(),
            ty: self.attr_type(unit, d),
            offset: d
                .attr_value(gimli::DW_AT_data_member_location)
                .and_then(|v| v.udata_value())
                .unwrap_or(0),
        }
    }

    /// The first template type parameter of a type (`T` of `Vec<T>`).
    pub fn type_param(&self, id: TypeId) -> Result<Option<Ty>, Error> {
        let mut found = None;
        self.children(id, |d| {
            if d.tag() == gimli::DW_TAG_template_type_parameter && found.is_none() {
                found = Some(self.attr_type(id.0, d));
            }
            Ok(())
        })?;
        Ok(found)
    }

    /// Calls `f` on each direct child of the DIE `id`.
    pub(crate) fn children(
        &self,
        id: TypeId,
        mut f: impl FnMut(&gimli::DebuggingInformationEntry<Reader>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let bad = |e: gimli::Error| Error::dwarf(".debug_info", e);
        let unit = &self.units[id.0];
        let mut tree = unit.entries_tree(Some(id.1)).map_err(bad)?;
        let root = tree.root().map_err(bad)?;
        let mut kids = root.children();
        while let Some(child) = kids.next().map_err(bad)? {
            f(child.entry())?;
        }
        Ok(())
    }

    /// The type's name as the source language writes it (`struct vec *`, `&str`, `int [4]`,
    /// C's declarators as gdb writes them: `const char * const *`, `int (*)[3]`,
    /// `int (*)(int, char *)`).
    pub fn type_name(&self, ty: &Ty) -> String {
        self.declared(ty, String::new(), 0)
    }

    /// The type as gdb's `ptype` shows it: typedefs at the top seen through, and the C struct,
    /// union or enum it is built on (through pointers, arrays and qualifiers) written out.
    pub fn type_expanded(&self, ty: &Ty) -> Result<String, Error> {
        let ty = self.without_typedefs(ty, 0)?;
        let name = self.type_name(&ty);
        let Some(base) = self.aggregate_base(&ty, 0)? else {
            return Ok(name);
        };
        let base_name = self.type_name(&base);
        let heading = base_name.trim_end_matches(" {...}");
        let body = match self.shape(&base)? {
            Shape::Struct { members, .. } => {
                let lines: String = members
                    .iter()
                    .map(|m| format!("    {};\n", self.declared(&m.ty, m.name.clone(), 0)))
                    .collect();
                format!("{heading} {{\n{lines}}}")
            }
            Shape::Enum { values, .. } => {
                let mut next = 0;
                let items: Vec<String> = values
                    .iter()
                    .map(|(n, v)| {
                        let item = if *v == next {
                            n.clone()
                        } else {
                            format!("{n} = {v}")
                        };
                        next = v.wrapping_add(1);
                        item
                    })
                    .collect();
                format!("{heading} {{{}}}", items.join(", "))
            }
            _ => return Ok(name),
        };
        Ok(name.replacen(&base_name, &body, 1))
    }

    /// `ty` with the typedefs at its top seen through.
    fn without_typedefs(&self, ty: &Ty, depth: u32) -> Result<Ty, Error> {
        if let Ty::Dwarf(id) = ty
            && depth < MAX_NESTING
        {
            let die = self.type_die(*id)?;
            if die.tag() == gimli::DW_TAG_typedef {
                return self.without_typedefs(&self.attr_type(id.0, &die), depth + 1);
            }
        }
        Ok(ty.clone())
    }

    /// The C struct, union or enum a type is built on through pointers, arrays and qualifiers.
    fn aggregate_base(&self, ty: &Ty, depth: u32) -> Result<Option<Ty>, Error> {
        let id = match ty {
            _ if depth > MAX_NESTING => return Ok(None),
            Ty::Ptr(t) => return self.aggregate_base(t, depth + 1),
            Ty::Dwarf(id) if !self.is_rust(id.0) => *id,
            _ => return Ok(None),
        };
        let die = self.type_die(id)?;
        match die.tag() {
            gimli::DW_TAG_structure_type
            | gimli::DW_TAG_union_type
            | gimli::DW_TAG_class_type
            | gimli::DW_TAG_enumeration_type => Ok(Some(ty.clone())),
            gimli::DW_TAG_pointer_type
            | gimli::DW_TAG_reference_type
            | gimli::DW_TAG_const_type
            | gimli::DW_TAG_volatile_type
            | gimli::DW_TAG_array_type => {
                self.aggregate_base(&self.attr_type(id.0, &die), depth + 1)
            }
            _ => Ok(None),
        }
    }

    /// The name of a thing of type `ty` declared by `decl` (the declarator text to the right of
    /// the base type: `*`, `[3]`, `(*)[9]`), built from the outside in as C reads it.
    fn declared(&self, ty: &Ty, decl: String, depth: u32) -> String {
        let base = |name: &str| declare(name, &decl);
        match ty {
            Ty::Int { signed, size } => {
                let name = match size {
                    1 => "char",
                    2 => "short",
                    8 => "long long",
                    _ => "int",
                };
                base(&if *signed {
                    name.to_string()
                } else {
                    format!("unsigned {name}")
                })
            }
            Ty::Float { size: 4 } => base("float"),
            Ty::Float { .. } => base("double"),
            Ty::Bool => base("bool"),
            Ty::Void => base("void"),
            Ty::Ptr(t) => self.declared(t, pointer(decl), depth + 1),
            Ty::Dwarf(id) => self
                .dwarf_declared(*id, decl, depth)
                .unwrap_or_else(|_| "?".into()),
        }
    }

    fn dwarf_declared(&self, id: TypeId, decl: String, depth: u32) -> Result<String, Error> {
        let die = self.type_die(id)?;
        let name = self.die_name(id.0, &die);
        let rust = self.is_rust(id.0);
        let inner = self.attr_type(id.0, &die);
        let inner = if depth < 16 { inner } else { Ty::Void };
        let named = |n: &str| declare(n, &decl);
        let qualified = |s: &Self, q: &str| -> String {
            // A qualifier of a pointer follows its `*`; one of anything else goes before.
            let of_pointer = matches!(&inner, Ty::Dwarf(t) if s.type_die(*t).is_ok_and(|d| {
                matches!(d.tag(), gimli::DW_TAG_pointer_type | gimli::DW_TAG_reference_type)
            }));
            if of_pointer {
                s.declared(&inner, declare(q, &decl), depth + 1)
            } else {
                format!("{q} {}", s.declared(&inner, decl.clone(), depth + 1))
            }
        };
        Ok(match die.tag() {
            gimli::DW_TAG_pointer_type | gimli::DW_TAG_reference_type => match name {
                Some(n) => named(&n),
                None => self.declared(&inner, pointer(decl), depth + 1),
            },
            gimli::DW_TAG_const_type => qualified(self, "const"),
            gimli::DW_TAG_volatile_type => qualified(self, "volatile"),
            gimli::DW_TAG_structure_type
            | gimli::DW_TAG_union_type
            | gimli::DW_TAG_enumeration_type
                if !rust =>
            {
                let kw = match die.tag() {
                    gimli::DW_TAG_union_type => "union",
                    gimli::DW_TAG_enumeration_type => "enum",
                    _ => "struct",
                };
                named(&format!("{kw} {}", name.unwrap_or_else(|| "{...}".into())))
            }
            gimli::DW_TAG_array_type => {
                let count = match self.shape(&Ty::Dwarf(id))? {
                    Shape::Array { count: Some(n), .. } => n.to_string(),
                    _ => String::new(),
                };
                if rust {
                    named(&format!(
                        "[{}; {count}]",
                        self.declared(&inner, String::new(), depth + 1)
                    ))
                } else {
                    self.declared(&inner, format!("{}[{count}]", grouped(decl)), depth + 1)
                }
            }
            gimli::DW_TAG_subroutine_type if !rust => {
                let mut params = Vec::new();
                self.children(id, |d| {
                    match d.tag() {
                        gimli::DW_TAG_formal_parameter => {
                            params.push(self.type_name(&self.attr_type(id.0, d)))
                        }
                        gimli::DW_TAG_unspecified_parameters => params.push("...".into()),
                        _ => {}
                    }
                    Ok(())
                })?;
                let params = if params.is_empty() {
                    "void".into()
                } else {
                    params.join(", ")
                };
                self.declared(&inner, format!("{}({params})", grouped(decl)), depth + 1)
            }
            gimli::DW_TAG_subroutine_type => named("fn"),
            _ => named(&name.unwrap_or_else(|| "?".into())),
        })
    }
}

/// `name` followed by the declarator `decl`, a space between them when there is one.
fn declare(name: &str, decl: &str) -> String {
    if decl.is_empty() {
        name.to_string()
    } else {
        format!("{name} {decl}")
    }
}

/// The declarator of a pointer to what `decl` declares: `*` before it, and a space between it
/// and a qualifier (`* const`), as gdb writes them.
fn pointer(decl: String) -> String {
    let qualifier = decl
        .split(' ')
        .next()
        .is_some_and(|w| w == "const" || w == "volatile");
    if qualifier {
        format!("* {decl}")
    } else {
        format!("*{decl}")
    }
}

/// `decl` ready for an array or function suffix: a pointer's declarator goes in parentheses
/// (`(*)[9]`, `(*)(int)`).
fn grouped(decl: String) -> String {
    if decl.starts_with('*') {
        format!("({decl})")
    } else {
        decl
    }
}
