//! The expression language of `print`, `display`, `watch` and breakpoint conditions: variables,
//! `a.b`, `p->b`, `a[i]`, `*p`, `&x`, integer arithmetic and comparisons, casts to base types and
//! `$N` history values, evaluated in the selected frame.

use crate::dwarf::vars::le_u64;
use crate::dwarf::{Place, Shape, Ty, types::base_named};
use crate::error::Error;
use crate::session::Session;
use crate::value::{Format, Printer, Value, sign_extend};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(u64),
    Float(f64),
    Ident(String),
    History(usize),
    Op(&'static str),
}

const OPS: &[&str] = &[
    "->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "%", "<", ">", "&",
    "|", "^", "!", "~", "(", ")", "[", "]", ".",
];

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, (usize, String)> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() {
            let hex = b[i..].starts_with(b"0x") || b[i..].starts_with(b"0X");
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                // A decimal exponent's sign belongs to the number: `1e-310`.
                let exponent = !hex && matches!(b[i], b'e' | b'E');
                i += 1;
                if exponent && matches!(b.get(i), Some(b'+' | b'-')) {
                    i += 1;
                }
            }
            let text = &src[start..i];
            let float = !hex && text.contains(['.', 'e', 'E']);
            let tok = if float {
                text.parse().map(Tok::Float).ok()
            } else {
                let t = text.trim_end_matches(['u', 'U', 'l', 'L']);
                crate::breakpoint::parse_number(t).map(Tok::Num)
            };
            out.push((
                tok.ok_or((start, format!("invalid number `{text}`")))?,
                start,
            ));
        } else if c == '\'' {
            let (ch, len) = match (b.get(i + 1), b.get(i + 2), b.get(i + 3)) {
                (Some(b'\\'), Some(e), Some(b'\'')) => {
                    let v = match e {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'0' => 0,
                        other => *other,
                    };
                    (v, 4)
                }
                (Some(&ch), Some(b'\''), _) => (ch, 3),
                _ => return Err((start, "invalid character literal".into())),
            };
            out.push((Tok::Num(ch as u64), start));
            i += len;
        } else if c.is_ascii_alphabetic() || c == '_' {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || src[i..].starts_with("::"))
            {
                i += if src[i..].starts_with("::") { 2 } else { 1 };
            }
            out.push((Tok::Ident(src[start..i].to_string()), start));
        } else if c == '$' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let n = src[start + 1..i]
                .parse()
                .map_err(|_| (start, "expected a history number after `$`".to_string()))?;
            out.push((Tok::History(n), start));
        } else {
            let op = OPS
                .iter()
                .find(|op| src[i..].starts_with(**op))
                .ok_or((start, format!("unexpected `{c}`")))?;
            out.push((Tok::Op(op), start));
            i += op.len();
        }
    }
    Ok(out)
}

/// Binary operators by precedence, loosest first.
const LEVELS: &[&[&str]] = &[
    &["||"],
    &["&&"],
    &["|"],
    &["^"],
    &["&"],
    &["==", "!="],
    &["<", "<=", ">", ">="],
    &["<<", ">>"],
    &["+", "-"],
    &["*", "/", "%"],
];

struct Parser<'s> {
    session: &'s Session,
    src: &'s str,
    toks: Vec<(Tok, usize)>,
    pos: usize,
    /// Unary operators and parentheses open now: parsing and evaluation recurse once for each.
    depth: usize,
}

/// The deepest nesting of parentheses, brackets and unary operators an expression may have: deeper
/// ones are refused before they can exhaust the host's stack.
pub const MAX_DEPTH: usize = 256;

/// A number read from a value: integers keep their signedness, pointers their target.
enum Num {
    Int(i128, bool),
    Float(f64),
    Ptr(u64, Ty),
}

impl Parser<'_> {
    fn err(&self, message: impl Into<String>) -> Error {
        let column = self.toks.get(self.pos).map_or(self.src.len(), |t| t.1) + 1;
        Error::Expr {
            expr: self.src.to_string(),
            column,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), Error> {
        if self.eat(op) {
            Ok(())
        } else {
            Err(self.err(format!("expected `{op}`")))
        }
    }

    fn binary(&mut self, level: usize) -> Result<Value, Error> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        while let Some(Tok::Op(op)) = self.peek().cloned() {
            if !LEVELS[level].contains(&op) {
                break;
            }
            self.pos += 1;
            let right = self.binary(level + 1)?;
            left = self.apply(op, &left, &right)?;
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Value, Error> {
        if self.depth == MAX_DEPTH {
            return Err(self.err(format!("expression nested deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        let v = self.unary_operand();
        self.depth -= 1;
        v
    }

    fn unary_operand(&mut self) -> Result<Value, Error> {
        for op in ["-", "!", "~", "*", "&"] {
            if self.eat(op) {
                let v = self.unary()?;
                return match op {
                    "*" => self.deref(&v),
                    "&" => match v.place {
                        Place::Memory(a) => Ok(Value {
                            ty: Ty::Ptr(Box::new(v.ty)),
                            place: bytes(a, 4),
                        }),
                        _ => Err(self.err("cannot take the address of a value not in memory")),
                    },
                    "-" => self.apply("-", &int(0, 4), &v),
                    "!" => self.apply("==", &int(0, 4), &v),
                    _ => self.apply("^", &int(-1, 8), &v),
                };
            }
        }
        // A cast: `(type)`.
        if let (Some(Tok::Op("(")), Some((Tok::Ident(_), _))) =
            (self.peek(), self.toks.get(self.pos + 1))
        {
            let save = self.pos;
            self.pos += 1;
            let mut words = Vec::new();
            while let Some(Tok::Ident(w)) = self.peek() {
                words.push(w.clone());
                self.pos += 1;
            }
            let mut stars = 0;
            while self.eat("*") {
                stars += 1;
            }
            if let Some(mut ty) = base_named(&words.join(" "))
                && self.eat(")")
            {
                for _ in 0..stars {
                    ty = Ty::Ptr(Box::new(ty));
                }
                let v = self.unary()?;
                return self.cast(&v, ty);
            }
            self.pos = save;
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Value, Error> {
        let mut v = self.primary()?;
        loop {
            if self.eat(".") {
                v = self.field(&v)?;
            } else if self.eat("->") {
                let d = self.deref(&v)?;
                v = self.field(&d)?;
            } else if self.eat("[") {
                let i = self.binary(0)?;
                self.expect("]")?;
                let Num::Int(i, _) = self.num(&i)? else {
                    return Err(self.err("an index must be an integer"));
                };
                v = self.index(&v, i as i64)?;
            } else {
                return Ok(v);
            }
        }
    }

    fn primary(&mut self) -> Result<Value, Error> {
        let tok = self
            .peek()
            .cloned()
            .ok_or_else(|| self.err("expected an expression"))?;
        self.pos += 1;
        match tok {
            Tok::Num(n) => Ok(int(n as i128, if n > i32::MAX as u64 { 8 } else { 4 })),
            Tok::Float(f) => Ok(Value {
                ty: Ty::Float { size: 8 },
                place: Place::Bytes(f.to_bits().to_le_bytes().to_vec()),
            }),
            Tok::History(n) => {
                let h = &self.session.history;
                let i = if n == 0 { h.len() } else { n };
                h.get(i.wrapping_sub(1))
                    .cloned()
                    .ok_or_else(|| self.err(format!("History has not yet reached ${n}.")))
            }
            Tok::Op("(") => {
                let v = self.binary(0)?;
                self.expect(")")?;
                Ok(v)
            }
            Tok::Ident(name) => {
                self.pos -= 1;
                let v = self.session.variable(&name).map_err(|e| match e {
                    Error::Usage(m) => self.err(m),
                    other => other,
                })?;
                self.pos += 1;
                Ok(v)
            }
            Tok::Op(op) => {
                self.pos -= 1;
                Err(self.err(format!("unexpected `{op}`")))
            }
        }
    }

    fn state(&self) -> Result<crate::session::FrameState<'_>, Error> {
        let f = self.session.selected_frame()?;
        self.session.wasm_state(f.wasm).ok_or(Error::NotRunning)
    }

    fn num(&self, v: &Value) -> Result<Num, Error> {
        let state = self.state()?;
        let p = Printer {
            dwarf: &self.session.dwarf,
            state: &state,
            format: Format::Natural,
        };
        let dwarf = &self.session.dwarf;
        match dwarf.shape(&v.ty)? {
            Shape::Pointer { target } => Ok(Num::Ptr(le_u64(&p.bytes(&v.place, 4)?), target)),
            Shape::Base {
                encoding: crate::dwarf::Encoding::Float,
                size,
            } => {
                let raw = le_u64(&p.bytes(&v.place, size)?);
                Ok(Num::Float(if size == 4 {
                    f32::from_bits(raw as u32) as f64
                } else {
                    f64::from_bits(raw)
                }))
            }
            Shape::Array { elem, .. } => match v.place {
                Place::Memory(a) => Ok(Num::Ptr(a, elem)),
                _ => Err(self.err("an array not in memory has no address")),
            },
            Shape::Base { .. } | Shape::Enum { .. } => {
                let (raw, signed, size) = p.integer(v)?;
                let n = if signed {
                    sign_extend(raw, size) as i128
                } else {
                    raw as i128
                };
                Ok(Num::Int(n, size == 8))
            }
            _ => Err(self.err(format!("`{}` is not a number", dwarf.type_name(&v.ty)))),
        }
    }

    fn apply(&self, op: &str, a: &Value, b: &Value) -> Result<Value, Error> {
        let (x, y) = (self.num(a)?, self.num(b)?);
        let cmp = |o: std::cmp::Ordering| {
            let r = match op {
                "==" => o.is_eq(),
                "!=" => o.is_ne(),
                "<" => o.is_lt(),
                "<=" => o.is_le(),
                ">" => o.is_gt(),
                _ => o.is_ge(),
            };
            Some(int(r as i128, 4))
        };
        let v = match (x, y) {
            (Num::Ptr(p, t), Num::Int(n, _)) | (Num::Int(n, _), Num::Ptr(p, t))
                if op == "+" || op == "-" =>
            {
                let size = self.session.dwarf.size_of(&t)?.max(1) as i128;
                let n = if op == "-" { -n } else { n };
                Some(Value {
                    ty: Ty::Ptr(Box::new(t)),
                    place: bytes((p as i128 + n * size) as u64, 4),
                })
            }
            (Num::Float(f), Num::Float(g)) => {
                float_op(op, f, g).or_else(|| f.partial_cmp(&g).and_then(cmp))
            }
            (Num::Float(f), Num::Int(n, _)) => {
                float_op(op, f, n as f64).or_else(|| f.partial_cmp(&(n as f64)).and_then(cmp))
            }
            (Num::Int(n, _), Num::Float(f)) => {
                float_op(op, n as f64, f).or_else(|| (n as f64).partial_cmp(&f).and_then(cmp))
            }
            (x, y) => {
                let (n, wide_a) = scalar(x);
                let (m, wide_b) = scalar(y);
                let size = if wide_a || wide_b { 8 } else { 4 };
                let r = match op {
                    "+" => Some(n.wrapping_add(m)),
                    "-" => Some(n.wrapping_sub(m)),
                    "*" => Some(n.wrapping_mul(m)),
                    "/" | "%" if m == 0 => return Err(self.err("Division by zero")),
                    "/" => Some(n / m),
                    "%" => Some(n % m),
                    "&" => Some(n & m),
                    "|" => Some(n | m),
                    "^" => Some(n ^ m),
                    "<<" => Some(n.wrapping_shl(m as u32)),
                    ">>" => Some(n.wrapping_shr(m as u32)),
                    "&&" => Some((n != 0 && m != 0) as i128),
                    "||" => Some((n != 0 || m != 0) as i128),
                    _ => None,
                };
                match r {
                    Some(r) => Some(int(r, size)),
                    None => cmp(n.cmp(&m)),
                }
            }
        };
        v.ok_or_else(|| self.err(format!("`{op}` does not apply to these operands")))
    }

    fn cast(&self, v: &Value, ty: Ty) -> Result<Value, Error> {
        let n = self.num(v)?;
        let size = self.session.dwarf.size_of(&ty)?;
        let raw = match (&ty, n) {
            (Ty::Float { size: 4 }, n) => (to_f64(n) as f32).to_bits() as u64,
            (Ty::Float { .. }, n) => to_f64(n).to_bits(),
            (_, Num::Float(f)) => f as i64 as u64,
            (_, n) => scalar(n).0 as u64,
        };
        Ok(Value {
            ty,
            place: Place::Bytes(raw.to_le_bytes()[..size as usize].to_vec()),
        })
    }

    fn deref(&self, v: &Value) -> Result<Value, Error> {
        match self.num(v)? {
            Num::Ptr(a, t) => {
                if t == Ty::Void {
                    return Err(self.err("Attempt to take contents of a non-pointer value."));
                }
                Ok(Value {
                    ty: t,
                    place: Place::Memory(a),
                })
            }
            _ => Err(self.err("Attempt to take contents of a non-pointer value.")),
        }
    }

    fn index(&self, v: &Value, i: i64) -> Result<Value, Error> {
        let (base, elem) = match (self.session.dwarf.shape(&v.ty)?, &v.place) {
            (Shape::Array { elem, .. }, Place::Memory(a)) => (*a, elem),
            (Shape::Pointer { target }, _) => match self.num(v)? {
                Num::Ptr(a, _) => (a, target),
                _ => unreachable!("a pointer reads as a pointer"),
            },
            _ => return Err(self.err("cannot subscript something that is not an array or pointer")),
        };
        let size = self.session.dwarf.size_of(&elem)?.max(1) as i64;
        Ok(Value {
            ty: elem,
            place: Place::Memory(base.wrapping_add((i * size) as u64)),
        })
    }

    fn field(&mut self, v: &Value) -> Result<Value, Error> {
        let Some(Tok::Ident(name)) = self.peek().cloned() else {
            return Err(self.err("expected a member name"));
        };
        let state = self.state()?;
        let p = Printer {
            dwarf: &self.session.dwarf,
            state: &state,
            format: Format::Natural,
        };
        let Shape::Struct { members, .. } = self.session.dwarf.shape(&v.ty)? else {
            return Err(self.err(format!(
                "`{}` is not a struct or union",
                self.session.dwarf.type_name(&v.ty)
            )));
        };
        let m = members
            .iter()
            .find(|m| m.name == name || m.name == format!("__{name}"))
            .ok_or_else(|| self.err(format!("There is no member named {name}.")))?;
        let out = p.member(&v.place, m)?;
        self.pos += 1;
        Ok(out)
    }
}

fn scalar(n: Num) -> (i128, bool) {
    match n {
        Num::Int(n, wide) => (n, wide),
        Num::Ptr(p, _) => (p as i128, false),
        Num::Float(f) => (f as i128, true),
    }
}

fn to_f64(n: Num) -> f64 {
    match n {
        Num::Float(f) => f,
        other => scalar(other).0 as f64,
    }
}

fn float_op(op: &str, a: f64, b: f64) -> Option<Value> {
    let r = match op {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" => a / b,
        _ => return None,
    };
    Some(Value {
        ty: Ty::Float { size: 8 },
        place: Place::Bytes(r.to_bits().to_le_bytes().to_vec()),
    })
}

fn bytes(v: u64, size: usize) -> Place {
    Place::Bytes(v.to_le_bytes()[..size].to_vec())
}

fn int(v: i128, size: u8) -> Value {
    Value {
        ty: Ty::Int { signed: true, size },
        place: bytes(v as u64, size as usize),
    }
}

impl Session {
    /// Evaluates an expression in the selected frame.
    pub fn evaluate(&self, src: &str) -> Result<Value, Error> {
        let toks = lex(src).map_err(|(at, message)| Error::Expr {
            expr: src.into(),
            column: at + 1,
            message,
        })?;
        let mut p = Parser {
            session: self,
            src,
            toks,
            pos: 0,
            depth: 0,
        };
        let v = p.binary(0)?;
        if p.pos < p.toks.len() {
            return Err(p.err("unexpected text after the expression"));
        }
        Ok(v)
    }

    /// Whether a value is non-zero (a condition holds).
    pub fn truth(&self, v: &Value) -> Result<bool, Error> {
        let p = Parser {
            session: self,
            src: "",
            toks: Vec::new(),
            pos: 0,
            depth: 0,
        };
        Ok(match p.num(v)? {
            Num::Float(f) => f != 0.0,
            n => scalar(n).0 != 0,
        })
    }

    /// A variable visible from the selected frame: its locals innermost first, then globals.
    pub fn variable(&self, name: &str) -> Result<Value, Error> {
        let frame = self.selected_frame()?;
        if let Some((v, place)) = self
            .frame_vars(&frame)?
            .into_iter()
            .find(|(v, _)| v.name == name)
        {
            return Ok(Value { ty: v.ty, place });
        }
        let state = self.wasm_state(frame.wasm).ok_or(Error::NotRunning)?;
        for g in self.dwarf.globals()? {
            if g.name == name {
                let place = self.dwarf.place(&g, frame.addr, None, &state)?;
                return Ok(Value { ty: g.ty, place });
            }
        }
        Err(Error::NoSymbol { name: name.into() })
    }
}
