//! Values and how they print: C the way gdb prints them (`{x = 1, y = 2}`, `0x4fa "text"`), Rust
//! the way a Rust user writes them (`Some(3)`, `"text"`, `vec![1, 2]`, `Circle { radius: 1.5 }`).

use crate::dwarf::vars::le_u64;
use crate::dwarf::{DwarfInfo, Encoding, Member, Place, Shape, Ty, WasmState};
use crate::error::Error;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A typed value and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// Its type.
    pub ty: Ty,
    /// Where its bytes are.
    pub place: Place,
}

/// A print format (`/x /d /u /c /s /o /t`); `Natural` is the type's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// As the type says.
    Natural,
    /// Hexadecimal.
    Hex,
    /// Signed decimal.
    Decimal,
    /// Unsigned decimal.
    Unsigned,
    /// Octal.
    Octal,
    /// Binary.
    Binary,
    /// A character.
    Char,
    /// A C string.
    Str,
}

impl Format {
    /// The format a gdb letter names.
    pub fn from_letter(c: char) -> Option<Format> {
        Some(match c {
            'x' => Format::Hex,
            'd' => Format::Decimal,
            'u' => Format::Unsigned,
            'o' => Format::Octal,
            't' => Format::Binary,
            'c' => Format::Char,
            's' => Format::Str,
            _ => return None,
        })
    }
}

/// Most elements shown of an array, string or vector.
const MAX_ELEMENTS: u64 = 200;
/// Deepest nesting followed through pointers and members.
const MAX_DEPTH: u32 = 8;

/// Prints values of one program state.
pub struct Printer<'a> {
    /// The types.
    pub dwarf: &'a DwarfInfo,
    /// Memory and registers.
    pub state: &'a dyn WasmState,
    /// The format asked for.
    pub format: Format,
}

impl Printer<'_> {
    /// Whether `ty` comes from Rust.
    pub(crate) fn rust(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Dwarf((u, _)) => self.dwarf.is_rust(*u),
            Ty::Ptr(t) => self.rust(t),
            _ => false,
        }
    }

    /// The `size` bytes of a value.
    pub fn bytes(&self, place: &Place, size: u64) -> Result<Vec<u8>, Error> {
        let size = size.min(1 << 20) as usize;
        match place {
            Place::Memory(a) => self.state.memory(*a, size),
            Place::Bytes(b) => {
                let mut b = b.clone();
                b.resize(size, 0);
                Ok(b)
            }
            Place::OptimizedOut => Err(Error::Value("<optimized out>".into())),
        }
    }

    /// The value as a number (integers, pointers, enums, bools, chars).
    pub fn integer(&self, v: &Value) -> Result<(u64, bool, u64), Error> {
        let size = self.dwarf.size_of(&v.ty)?;
        let raw = le_u64(&self.bytes(&v.place, size)?);
        let signed = match self.dwarf.shape(&v.ty)? {
            Shape::Base { encoding, .. } => {
                encoding == Encoding::Signed || encoding == Encoding::Char && size == 1
            }
            Shape::Enum { signed, .. } => signed,
            _ => false,
        };
        Ok((raw, signed, size))
    }

    /// The value of member `m` of an aggregate at `place`.
    pub fn member(&self, place: &Place, m: &Member) -> Result<Value, Error> {
        Ok(Value {
            ty: m.ty.clone(),
            place: self.part(place, m.offset, &m.ty)?,
        })
    }

    /// Where the part of type `ty` at byte `offset` of an aggregate at `place` is (a member, an
    /// element): in memory past the aggregate's address, or among its bytes (what is past them
    /// is missing).
    pub(crate) fn part(&self, place: &Place, offset: u64, ty: &Ty) -> Result<Place, Error> {
        Ok(match place {
            Place::Memory(a) => Place::Memory(a.saturating_add(offset)),
            Place::Bytes(b) => {
                let size = self.dwarf.size_of(ty)?;
                let start = offset.min(b.len() as u64) as usize;
                let end = offset.saturating_add(size).min(b.len() as u64) as usize;
                Place::Bytes(b[start..end].to_vec())
            }
            Place::OptimizedOut => Place::OptimizedOut,
        })
    }

    /// The whole value as printed by `print`.
    pub fn top(&self, v: &Value) -> String {
        let text = self.show(v, 0);
        if self.rust(&v.ty) || self.format != Format::Natural {
            return text;
        }
        match self.dwarf.shape(&v.ty) {
            Ok(Shape::Pointer { target })
                if !matches!(
                    self.dwarf.shape(&target),
                    Ok(Shape::Base {
                        encoding: Encoding::Char,
                        size: 1
                    })
                ) =>
            {
                format!("({}) {text}", self.dwarf.type_name(&v.ty))
            }
            _ => text,
        }
    }

    /// The value nested `depth` deep.
    pub fn show(&self, v: &Value, depth: u32) -> String {
        if v.place == Place::OptimizedOut {
            return "<optimized out>".into();
        }
        self.try_show(v, depth)
            .unwrap_or_else(|e| format!("<error: {e}>"))
    }

    fn try_show(&self, v: &Value, depth: u32) -> Result<String, Error> {
        if depth > MAX_DEPTH {
            return Ok("{...}".into());
        }
        let rust = self.rust(&v.ty);
        let shape = self.dwarf.shape(&v.ty)?;
        if self.format != Format::Natural
            && matches!(
                shape,
                Shape::Base { .. } | Shape::Pointer { .. } | Shape::Enum { .. }
            )
        {
            let (raw, signed, size) = self.integer(v)?;
            return Ok(self.formatted(raw, signed, size));
        }
        match shape {
            Shape::Void => Ok("void".into()),
            Shape::Function => Ok(format!("{:#x}", le_u64(&self.bytes(&v.place, 4)?))),
            Shape::Base { size, encoding } => {
                let b = self.bytes(&v.place, size)?;
                let raw = le_u64(&b);
                Ok(match encoding {
                    // A one-byte integer the expression language made is C's `char`, by the name
                    // it has: `(char)65` and `'A'` are `65 'A'`, as gdb prints them.
                    _ if size == 1 && matches!(v.ty, Ty::Int { .. }) => {
                        let n = if encoding == Encoding::Signed {
                            sign_extend(raw, 1)
                        } else {
                            raw as i64
                        };
                        format!("{n} {}", c_char(raw as u8))
                    }
                    Encoding::Float if size == 4 => {
                        let v = f32::from_bits(raw as u32);
                        float_text(v.to_string(), format!("{v:e}"), 9)
                    }
                    Encoding::Float => {
                        let v = f64::from_bits(raw);
                        float_text(v.to_string(), format!("{v:e}"), 17)
                    }
                    Encoding::Bool => (raw != 0).to_string(),
                    Encoding::Char if rust => {
                        format!("{:?}", char::from_u32(raw as u32).unwrap_or('\u{fffd}'))
                    }
                    Encoding::Char => format!("{} {}", sign_extend(raw, size), c_char(raw as u8)),
                    Encoding::Signed => sign_extend(raw, size).to_string(),
                    Encoding::Unsigned => raw.to_string(),
                })
            }
            Shape::Enum { size, values, .. } => {
                let raw = sign_extend(le_u64(&self.bytes(&v.place, size)?), size);
                Ok(values
                    .iter()
                    .find(|(_, x)| *x == raw)
                    .map_or_else(|| raw.to_string(), |(n, _)| n.clone()))
            }
            Shape::Pointer { target } => self.pointer(v, &target, rust, depth),
            Shape::Array { elem, count } => {
                let n = count.unwrap_or(0);
                if !rust && is_c_char(self.dwarf, &elem) {
                    // Every element, as gdb shows a char array: only a final NUL, the
                    // terminator, is left out of an array shown whole.
                    let mut b = self.bytes(&v.place, n.min(MAX_ELEMENTS))?;
                    let cut = n > MAX_ELEMENTS;
                    if !cut && b.last() == Some(&0) {
                        b.pop();
                    }
                    return Ok(c_string(&b, cut));
                }
                self.sequence(
                    &v.place,
                    &elem,
                    n,
                    depth,
                    if rust { ("[", "]") } else { ("{", "}") },
                )
            }
            Shape::Struct {
                members, variants, ..
            } => {
                if rust {
                    return self.rust_struct(v, &members, variants, depth);
                }
                let fields: Vec<String> = members
                    .iter()
                    .map(|m| {
                        Ok(format!(
                            "{} = {}",
                            m.name,
                            self.show(&self.member(&v.place, m)?, depth + 1)
                        ))
                    })
                    .collect::<Result<_, Error>>()?;
                Ok(format!("{{{}}}", fields.join(", ")))
            }
        }
    }

    fn formatted(&self, raw: u64, signed: bool, size: u64) -> String {
        let bits = if size >= 8 {
            raw
        } else {
            raw & ((1u64 << (size * 8)) - 1)
        };
        match self.format {
            Format::Hex => format!("{bits:#x}"),
            // C's octal, as gdb writes it: `010`, and `0`.
            Format::Octal if bits == 0 => "0".into(),
            Format::Octal => format!("0{bits:o}"),
            Format::Binary => format!("{bits:b}"),
            Format::Unsigned => bits.to_string(),
            Format::Char => format!("{} {}", sign_extend(bits, 1), c_char(bits as u8)),
            Format::Decimal | Format::Natural | Format::Str => {
                if signed || self.format == Format::Decimal {
                    sign_extend(bits, size).to_string()
                } else {
                    bits.to_string()
                }
            }
        }
    }

    fn pointer(&self, v: &Value, target: &Ty, rust: bool, depth: u32) -> Result<String, Error> {
        let addr = le_u64(&self.bytes(&v.place, 4)?);
        let name = self.dwarf.type_name(&v.ty);
        if rust && name.starts_with('&') && addr != 0 && depth < MAX_DEPTH {
            let shown = self.show(
                &Value {
                    ty: target.clone(),
                    place: Place::Memory(addr),
                },
                depth + 1,
            );
            return Ok(format!("&{shown}"));
        }
        if (!rust && is_c_char(self.dwarf, target) || self.format == Format::Str) && addr != 0 {
            let text = match self.c_str(addr) {
                Ok((s, cut)) => c_string(&s, cut),
                Err(e) => format!("<error: {e}>"),
            };
            return Ok(format!("{addr:#x} {text}"));
        }
        Ok(format!("{addr:#x}"))
    }

    /// The NUL-terminated bytes at `addr` (at most `MAX_ELEMENTS`, and no further than the end of
    /// memory), and whether the string goes on past them; an error when not even the first byte
    /// can be read.
    pub fn c_str(&self, addr: u64) -> Result<(Vec<u8>, bool), Error> {
        self.state.memory(addr, 1)?;
        let mut out = Vec::new();
        loop {
            match self.state.memory(addr + out.len() as u64, 1) {
                Ok(b) if b[0] != 0 && out.len() == MAX_ELEMENTS as usize => return Ok((out, true)),
                Ok(b) if b[0] != 0 => out.push(b[0]),
                _ => return Ok((out, false)),
            }
        }
    }

    /// `n` elements of type `elem` from `place` on (memory, or a value's bytes).
    fn sequence(
        &self,
        place: &Place,
        elem: &Ty,
        n: u64,
        depth: u32,
        (open, close): (&str, &str),
    ) -> Result<String, Error> {
        let size = self.dwarf.size_of(elem)?.max(1);
        let shown: Vec<String> = (0..n.min(MAX_ELEMENTS))
            .map(|i| {
                let place = self.part(place, i.saturating_mul(size), elem)?;
                Ok(self.show(
                    &Value {
                        ty: elem.clone(),
                        place,
                    },
                    depth + 1,
                ))
            })
            .collect::<Result<_, Error>>()?;
        let more = if n > MAX_ELEMENTS { ", ..." } else { "" };
        Ok(format!("{open}{}{more}{close}", shown.join(", ")))
    }

    fn rust_struct(
        &self,
        v: &Value,
        members: &[Member],
        variants: Option<(Option<Member>, Vec<crate::dwarf::Variant>)>,
        depth: u32,
    ) -> Result<String, Error> {
        let name = self.dwarf.type_name(&v.ty);
        if let Some((discr, variants)) = variants {
            let Some(var) = self.active_variant(&v.place, &discr, &variants)? else {
                let value = match &discr {
                    Some(d) => self.integer(&self.member(&v.place, d)?)?.0,
                    None => 0,
                };
                return Ok(format!("{name}::<unknown variant {value}>"));
            };
            let inner = self.member(&v.place, &var.member)?;
            let Shape::Struct { members, .. } = self.dwarf.shape(&inner.ty)? else {
                return Ok(var.member.name.clone());
            };
            return self.fields(&var.member.name, &inner.place, &members, depth);
        }
        if let Some((elem, addr, n)) = self.rust_sequence(v, members)? {
            if name == "&str" || name == "&mut str" || name == "String" {
                return Ok(format!(
                    "{:?}",
                    String::from_utf8_lossy(&self.bytes(&Place::Memory(addr), n.min(4096))?)
                ));
            }
            let (prefix, open) = if name.starts_with("Vec<") {
                ("vec!", "[")
            } else {
                ("&", "[")
            };
            return Ok(format!(
                "{prefix}{}",
                self.sequence(&Place::Memory(addr), &elem, n, depth, (open, "]"))?
            ));
        }
        if name == "String" || name.starts_with("Vec<") {
            return Ok(name);
        }
        self.fields(rust_short(&name), &v.place, members, depth)
    }

    /// The variant of a Rust enum at `place` that its discriminant selects.
    pub(crate) fn active_variant<'v>(
        &self,
        place: &Place,
        discr: &Option<Member>,
        variants: &'v [crate::dwarf::Variant],
    ) -> Result<Option<&'v crate::dwarf::Variant>, Error> {
        let value = match discr {
            Some(d) => Some(self.integer(&self.member(place, d)?)?.0),
            None => None,
        };
        Ok(variants
            .iter()
            .find(|x| x.discr.is_some() && x.discr == value)
            .or_else(|| variants.iter().find(|x| x.discr.is_none())))
    }

    /// The elements of a Rust slice, `&str`, `String` or `Vec`: element type, address and count.
    pub(crate) fn rust_sequence(
        &self,
        v: &Value,
        members: &[Member],
    ) -> Result<Option<(Ty, u64, u64)>, Error> {
        let name = self.dwarf.type_name(&v.ty);
        let find = |n: &str| members.iter().find(|m| m.name == n);
        if let (Some(ptr), Some(len)) = (find("data_ptr"), find("length")) {
            let addr = le_u64(&self.bytes(&self.member(&v.place, ptr)?.place, 4)?);
            let n = self.integer(&self.member(&v.place, len)?)?.0;
            let elem = match self.dwarf.shape(&ptr.ty)? {
                Shape::Pointer { target } => target,
                _ => Ty::Void,
            };
            return Ok(Some((elem, addr, n)));
        }
        if name != "String" && !name.starts_with("Vec<") {
            return Ok(None);
        }
        let Some(first) = members.first() else {
            return Ok(None);
        };
        let vec = if name == "String" {
            self.member(&v.place, first)?
        } else {
            v.clone()
        };
        let Shape::Struct { members, .. } = self.dwarf.shape(&vec.ty)? else {
            return Ok(None);
        };
        let len = match members.iter().find(|m| m.name == "len") {
            Some(m) => self.integer(&self.member(&vec.place, m)?)?.0,
            None => 0,
        };
        let addr = self.first_pointer(&vec, 0)?.unwrap_or(0);
        let elem = match &vec.ty {
            _ if name == "String" => Ty::Int {
                signed: false,
                size: 1,
            },
            Ty::Dwarf(id) => self.dwarf.type_param(*id)?.unwrap_or(Ty::Void),
            _ => Ty::Void,
        };
        Ok(Some((elem, addr, len)))
    }

    /// `Name { a: 1 }`, `Name(1, 2)`, `(1, 2)` or `Name`, as Rust writes them.
    fn fields(
        &self,
        name: &str,
        place: &Place,
        members: &[Member],
        depth: u32,
    ) -> Result<String, Error> {
        let tuple = members.iter().all(|m| m.name.starts_with("__"));
        let shown: Vec<String> = members
            .iter()
            .map(|m| {
                let v = self.show(&self.member(place, m)?, depth + 1);
                Ok(if tuple { v } else { format!("{}: {v}", m.name) })
            })
            .collect::<Result<_, Error>>()?;
        Ok(match (members.is_empty(), tuple) {
            (true, _) => name.to_string(),
            (false, true) if name.starts_with('(') => format!("({})", shown.join(", ")),
            (false, true) => format!("{name}({})", shown.join(", ")),
            (false, false) => format!("{name} {{ {} }}", shown.join(", ")),
        })
    }

    /// The first pointer found depth-first among a struct's members: a `Vec`'s buffer.
    fn first_pointer(&self, v: &Value, depth: u32) -> Result<Option<u64>, Error> {
        match self.dwarf.shape(&v.ty)? {
            Shape::Pointer { .. } => Ok(Some(le_u64(&self.bytes(&v.place, 4)?))),
            Shape::Struct { members, .. } if depth < MAX_DEPTH => {
                for m in &members {
                    if let Some(p) = self.first_pointer(&self.member(&v.place, m)?, depth + 1)? {
                        return Ok(Some(p));
                    }
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    }
}

/// A Rust type name without its module path: `Inventory` for `demo::Inventory`,
/// `BTreeMap<&str, usize>` for `alloc::collections::btree::map::BTreeMap<&str, usize>`.
fn rust_short(name: &str) -> &str {
    if name.starts_with('(') || name.starts_with('[') || name.starts_with('&') {
        return name;
    }
    let generic = name.find('<').unwrap_or(name.len());
    match name[..generic].rfind("::") {
        Some(i) => &name[i + 2..],
        None => name,
    }
}

impl Printer<'_> {
    /// Whether `ty` is C's `char`.
    pub(crate) fn is_c_char(&self, ty: &Ty) -> bool {
        is_c_char(self.dwarf, ty)
    }
}

fn is_c_char(dwarf: &DwarfInfo, ty: &Ty) -> bool {
    matches!(
        dwarf.shape(ty),
        Ok(Shape::Base {
            encoding: Encoding::Char,
            size: 1
        })
    )
}

/// A raw value of `size` bytes as a signed number.
pub fn sign_extend(raw: u64, size: u64) -> i64 {
    match size {
        0 => return 0,
        8.. => return raw as i64,
        _ => {}
    }
    let shift = 64 - size * 8;
    ((raw << shift) as i64) >> shift
}

/// A C character literal as gdb writes one: `'a'`, `'\n'`, `'\303'`.
fn c_char(c: u8) -> String {
    format!("'{}'", escape(c, '\''))
}

/// How many times a character must come in a row, at least, to be shown once with
/// `<repeats N times>` (gdb's `repeat_count_threshold` is 10: more than that).
const REPEATS: usize = 11;

/// C characters as gdb writes a string of them: quoted runs, a character that comes more than ten
/// times in a row as `'c' <repeats N times>`, the pieces joined by `, `, and `...` after a string
/// cut at the `print elements` limit.
pub fn c_string(b: &[u8], cut: bool) -> String {
    let mut pieces: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < b.len() {
        let run = b[i..].iter().take_while(|&&c| c == b[i]).count();
        if run >= REPEATS {
            if !text.is_empty() {
                pieces.push(format!("\"{}\"", std::mem::take(&mut text)));
            }
            pieces.push(format!("{} <repeats {run} times>", c_char(b[i])));
        } else {
            (0..run).for_each(|_| text.push_str(&escape(b[i], '"')));
        }
        i += run;
    }
    if !text.is_empty() || pieces.is_empty() {
        pieces.push(format!("\"{text}\""));
    }
    let more = if cut { "..." } else { "" };
    format!("{}{more}", pieces.join(", "))
}

fn escape(c: u8, quote: char) -> String {
    match c {
        b'\n' => "\\n".into(),
        b'\t' => "\\t".into(),
        b'\r' => "\\r".into(),
        0x07 => "\\a".into(),
        0x08 => "\\b".into(),
        0x0b => "\\v".into(),
        0x0c => "\\f".into(),
        0 => "\\000".into(),
        b'\\' => "\\\\".into(),
        c if c as char == quote => format!("\\{quote}"),
        c if c.is_ascii_graphic() || c == b' ' => (c as char).to_string(),
        c => format!("\\{c:03o}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{c_char, c_string, sign_extend};

    #[test]
    fn strings_print_as_gdb_prints_them() {
        assert_eq!(c_string(b"", false), "\"\"");
        assert_eq!(c_string(b"hi", false), "\"hi\"");
        assert_eq!(
            c_string(&[0, 1, 2, 1, 1, 1, 2, 1, 2], false),
            "\"\\000\\001\\002\\001\\001\\001\\002\\001\\002\""
        );
        let mut buf = b"hi".to_vec();
        buf.resize(99, 0);
        assert_eq!(c_string(&buf, false), "\"hi\", '\\000' <repeats 97 times>");
        assert_eq!(c_string(&[b'a'; 10], false), "\"aaaaaaaaaa\"");
        assert_eq!(c_string(&[b'a'; 200], true), "'a' <repeats 200 times>...");
        assert_eq!(c_string(b"ab", true), "\"ab\"...");
        assert_eq!(c_char(8), "'\\b'");
        assert_eq!(c_char(0x1b), "'\\033'");
    }

    #[test]
    fn sign_extension_of_every_size() {
        assert_eq!(sign_extend(0xff, 1), -1);
        assert_eq!(sign_extend(0x7f, 1), 127);
        assert_eq!(sign_extend(0xfffe, 2), -2);
        assert_eq!(sign_extend(u64::MAX, 8), -1);
        assert_eq!(
            sign_extend(0xff, 0),
            0,
            "a zero-sized type (from bad DWARF) reads as 0"
        );
    }
}

/// A float as gdb prints it (`%g` with the shortest digits that read back to the same value):
/// positional for decimal exponents from -4 up to `digits`, else with a C-style exponent
/// (`8.4879831638e-311`, `1e+20`). `plain` and `sci` are Rust's shortest positional and exponent
/// forms of the value.
fn float_text(plain: String, sci: String, digits: i32) -> String {
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return match plain.as_str() {
            "NaN" => "nan".into(),
            _ => plain,
        };
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..digits).contains(&exp) {
        plain
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

#[cfg(test)]
mod float_tests {
    use super::float_text;

    fn f64_text(v: f64) -> String {
        float_text(v.to_string(), format!("{v:e}"), 17)
    }

    #[test]
    fn floats_print_as_gdb_prints_them() {
        // A denormal: the shortest digits (as Python's repr gives them), not 300 zeros.
        assert_eq!(
            f64_text(f64::from_bits(0x0000_0f9f_82b1_b01d)),
            "8.486944497431e-311"
        );
        assert_eq!(f64_text(1.5), "1.5");
        assert_eq!(f64_text(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(f64_text(0.0001), "0.0001");
        assert_eq!(f64_text(0.00001), "1e-05");
        assert_eq!(f64_text(1e16), "10000000000000000");
        assert_eq!(f64_text(1e17), "1e+17");
        assert_eq!(f64_text(-2.5e300), "-2.5e+300");
        assert_eq!(f64_text(f64::INFINITY), "inf");
        assert_eq!(f64_text(f64::NEG_INFINITY), "-inf");
        assert_eq!(f64_text(f64::NAN), "nan");
        let f = 1e-40f32;
        assert_eq!(float_text(f.to_string(), format!("{f:e}"), 9), "1e-40");
    }
}
