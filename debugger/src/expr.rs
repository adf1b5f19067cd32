//! The expression language of `print`, `display`, `watch` and breakpoint conditions: variables,
//! `a.b`, `p->b`, `a[i]`, `*p`, `&x`, C's arithmetic, comparisons and `?:`, casts to base types,
//! `sizeof` and `$N` history values, evaluated in the selected frame, or, before `run`, on
//! constants and the module's static data alone.
//!
//! Integers are C's as gdb evaluates them, in wasm32's data model (ILP32: `int`, `long` and
//! pointers are 4 bytes, `long long` 8), which is what clang's DWARF for wasm32 describes. A
//! literal takes the first type that holds it, as gdb 13 types it: a decimal one `int`, `long`,
//! `long long`, then `unsigned long long`; a hex, octal or binary one also each unsigned type
//! after its signed one; a `u` suffix only the unsigned types, an `l` or `ll` suffix starts at
//! `long` or `long long`. Operands are converted to a common type as C converts them, and every
//! result wraps at its type's width.

use std::cell::OnceCell;

use crate::dwarf::vars::le_u64;
use crate::dwarf::{DwarfInfo, Encoding, Place, Shape, Ty, types::base_named};
use crate::error::Error;
use crate::statics::View;
use crate::value::{Format, Printer, Value, sign_extend};

/// Bytes of C's `int` on wasm32.
pub(crate) const INT: u8 = 4;
/// Bytes of C's `long` on wasm32 (ILP32: as wide as `int`).
pub(crate) const LONG: u8 = 4;
/// Bytes of C's `long long`.
pub(crate) const LONG_LONG: u8 = 8;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Int(CInt),
    /// A floating literal and its size (`1.5` a double, `1.5f` a float).
    Float(f64, u8),
    /// A character literal (a `char`).
    Char(u8),
    Ident(String),
    History(History),
    Op(&'static str),
}

/// A value of the history a `$` names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum History {
    /// `$N`.
    Number(u64),
    /// `$$N`: N before the last (`$` is `$$0`).
    Back(u64),
}

pub(crate) const OPS: &[&str] = &[
    "->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "%", "<", ">", "&",
    "|", "^", "!", "~", "(", ")", "[", "]", ".", "?", ":",
];

/// Why a text is not an integer literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadLiteral {
    /// It is not written as one.
    Invalid,
    /// It is one, larger than 64 bits hold.
    TooLarge,
}

/// An integer literal as C writes one: `42`, `0x2a`, `052`, `0b101010`, with a `u`, `l`, `ul`,
/// `ll` or `ull` suffix in either case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Literal {
    /// Its value.
    pub value: u64,
    decimal: bool,
    unsigned: bool,
    /// How many `l`s its suffix has.
    longs: u8,
}

/// Reads an integer literal.
pub(crate) fn literal(text: &str) -> Result<Literal, BadLiteral> {
    let lower = text.to_ascii_lowercase();
    let body = lower.trim_end_matches(['u', 'l']);
    let (unsigned, longs) = match &lower[body.len()..] {
        "" => (false, 0),
        "u" => (true, 0),
        "l" => (false, 1),
        "ul" | "lu" => (true, 1),
        "ll" => (false, 2),
        "ull" | "llu" => (true, 2),
        _ => return Err(BadLiteral::Invalid),
    };
    let (digits, radix) = if let Some(h) = body.strip_prefix("0x") {
        (h, 16)
    } else if let Some(b) = body.strip_prefix("0b") {
        (b, 2)
    } else if body.len() > 1 && body.starts_with('0') {
        (&body[1..], 8)
    } else {
        (body, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(BadLiteral::Invalid);
    }
    let value = u64::from_str_radix(digits, radix).map_err(|_| BadLiteral::TooLarge)?;
    Ok(Literal {
        value,
        decimal: radix == 10,
        unsigned,
        longs,
    })
}

impl Literal {
    /// The literal in the first C type that holds it (see the module's documentation).
    fn typed(self) -> CInt {
        let fits = |size: u8, signed: bool| self.value <= max_of(size, signed);
        let may_be_unsigned = self.unsigned || !self.decimal || !fits(LONG_LONG, true);
        let candidates = [
            (INT, true, 0),
            (INT, false, 0),
            (LONG, true, 1),
            (LONG, false, 1),
            (LONG_LONG, true, 2),
            (LONG_LONG, false, 2),
        ];
        let (size, signed, _) = candidates
            .into_iter()
            .find(|&(size, signed, longs)| {
                self.longs <= longs
                    && if signed {
                        !self.unsigned
                    } else {
                        may_be_unsigned
                    }
                    && fits(size, signed)
            })
            .unwrap_or((LONG_LONG, false, 2));
        CInt::new(i128::from(self.value), size, signed)
    }
}

/// The largest value of the integer type of `size` bytes.
pub(crate) fn max_of(size: u8, signed: bool) -> u64 {
    if signed { mask(size) >> 1 } else { mask(size) }
}

/// The bits an integer of `size` bytes has.
pub(crate) fn mask(size: u8) -> u64 {
    match size {
        8.. => u64::MAX,
        n => (1u64 << (u32::from(n) * 8)) - 1,
    }
}

/// The token a number starting a word is: an integer, a floating or (past 64 bits) an error.
pub(crate) fn number(text: &str) -> Result<Tok, String> {
    let lower = text.to_ascii_lowercase();
    let prefixed = lower.starts_with("0x") || lower.starts_with("0b");
    if !prefixed && lower.contains(['.', 'e']) {
        let (body, size) = match lower.strip_suffix('f') {
            Some(b) => (b, 4),
            None => (lower.as_str(), 8),
        };
        return match body.parse::<f64>() {
            Ok(v) if size == 4 => Ok(Tok::Float(f64::from(v as f32), 4)),
            Ok(v) => Ok(Tok::Float(v, 8)),
            Err(_) => Err(format!("invalid number `{text}`")),
        };
    }
    match literal(text) {
        Ok(l) => Ok(Tok::Int(l.typed())),
        Err(BadLiteral::Invalid) => Err(format!("invalid number `{text}`")),
        Err(BadLiteral::TooLarge) => Err(format!(
            "`{text}` is too large: at most {} (unsigned long long)",
            u64::MAX
        )),
    }
}

/// The character a `\` escape in a character literal means, and its length after the `\`.
pub(crate) fn escape(b: &[u8]) -> Option<(u8, usize)> {
    let octal = b.iter().take(3).take_while(|c| (b'0'..=b'7').contains(c));
    let digits = octal.count();
    if digits > 0 {
        let text = std::str::from_utf8(&b[..digits]).ok()?;
        return Some((u32::from_str_radix(text, 8).ok()? as u8, digits));
    }
    if b.first() == Some(&b'x') {
        let n = b[1..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
        let text = std::str::from_utf8(&b[1..1 + n]).ok()?;
        return Some((u64::from_str_radix(text, 16).ok()? as u8, 1 + n));
    }
    let c = match b.first()? {
        b'n' => b'\n',
        b't' => b'\t',
        b'r' => b'\r',
        b'a' => 7,
        b'b' => 8,
        b'f' => 12,
        b'v' => 11,
        b'e' => 27,
        other => *other,
    };
    Some((c, 1))
}

pub(crate) fn lex(src: &str) -> Result<Vec<(Tok, usize)>, (usize, String)> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            let hex = b[i..].starts_with(b"0x") || b[i..].starts_with(b"0X");
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                // A decimal exponent's sign belongs to the number: `1e-310`.
                let exponent = !hex && matches!(b[i], b'e' | b'E');
                i += 1;
                if exponent && matches!(b.get(i), Some(b'+' | b'-')) {
                    i += 1;
                }
            }
            out.push((number(&src[start..i]).map_err(|m| (start, m))?, start));
        } else if c == b'\'' {
            let (ch, len) = match b.get(i + 1) {
                Some(b'\\') => escape(&b[i + 2..]).map(|(c, n)| (c, n + 1)),
                Some(b'\'') | None => None,
                Some(&c) => Some((c, 1)),
            }
            .filter(|&(_, len)| b.get(i + 1 + len) == Some(&b'\''))
            .ok_or((start, "invalid character constant".to_string()))?;
            out.push((Tok::Char(ch), start));
            i += len + 2;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || src[i..].starts_with("::"))
            {
                i += if src[i..].starts_with("::") { 2 } else { 1 };
            }
            out.push((Tok::Ident(src[start..i].to_string()), start));
        } else if c == b'$' {
            // `$N` is value N; `$`, `$0` and `$$0` the last; `$$` and `$$N` N before the last.
            let back = b.get(i + 1) == Some(&b'$');
            i += 1 + usize::from(back);
            let digits = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let n: Option<u64> = match &src[digits..i] {
                "" => Some(u64::from(back)),
                d => d.parse().ok(),
            };
            let at = n
                .filter(|_| {
                    !b.get(i)
                        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
                })
                .map(|n| match (back, n) {
                    (false, n) if n > 0 => History::Number(n),
                    (_, n) => History::Back(n),
                })
                .ok_or((start, "expected a history number after `$`".to_string()))?;
            out.push((Tok::History(at), start));
        } else {
            let op = OPS
                .iter()
                .find(|op| src[i..].starts_with(**op))
                .ok_or_else(|| {
                    let ch = src[i..].chars().next().unwrap_or_default();
                    let shown: String = if ch.is_control() {
                        ch.escape_debug().collect()
                    } else {
                        ch.into()
                    };
                    (start, format!("unexpected `{shown}`"))
                })?;
            out.push((Tok::Op(op), start));
            i += op.len();
        }
    }
    Ok(out)
}

/// Binary operators by precedence, loosest first.
pub(crate) const LEVELS: &[&[&str]] = &[
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

/// What an expression is evaluated against: the module's DWARF, what the selected frame (or the
/// static data before `run`) holds, the value history and the variables in scope. The session
/// implements it.
pub(crate) trait Scope {
    /// The module's DWARF.
    fn dwarf(&self) -> &DwarfInfo;
    /// What the selected frame sees.
    fn selected_view(&self) -> Result<View<'_>, Error>;
    /// The values printed so far, `$1` first.
    fn history(&self) -> &[Value];
    /// The variable `name` as `view` sees it.
    fn variable_in(&self, name: &str, view: &View<'_>) -> Result<Value, Error>;
}

pub(crate) struct Parser<'s> {
    session: &'s dyn Scope,
    src: &'s str,
    pub(crate) toks: Vec<(Tok, usize)>,
    pub(crate) pos: usize,
    /// Unary operators, parentheses, brackets and `?:` open now: parsing and evaluation recurse
    /// once for each.
    depth: usize,
    /// Whether what is parsed is evaluated: not in a branch C does not evaluate (the right of
    /// `0 && x`, the other arm of `?:`), nor when an expression is only checked.
    pub(crate) evaluating: bool,
    /// What the expression sees, found when first needed.
    view: OnceCell<View<'s>>,
}

/// The deepest nesting of parentheses, brackets and unary operators an expression may have: deeper
/// ones are refused before they can exhaust the host's stack.
pub const MAX_DEPTH: usize = 256;

/// An integer of one of C's types: its bits, width in bytes and signedness.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CInt {
    bits: u64,
    size: u8,
    signed: bool,
}

impl CInt {
    /// `v` converted to the type of `size` bytes: wrapped to its width, as C converts.
    pub(crate) fn new(v: i128, size: u8, signed: bool) -> CInt {
        CInt {
            bits: v as u64 & mask(size),
            size,
            signed,
        }
    }

    /// The value the bits have in the type.
    fn value(self) -> i128 {
        if self.signed {
            i128::from(sign_extend(self.bits, u64::from(self.size)))
        } else {
            i128::from(self.bits)
        }
    }

    /// After C's integer promotions: a type narrower than `int` (bool, char, short) is `int`.
    fn promoted(self) -> CInt {
        if self.size < INT {
            CInt::new(self.value(), INT, true)
        } else {
            self
        }
    }

    fn to_value(self) -> Value {
        Value {
            ty: Ty::Int {
                signed: self.signed,
                size: self.size,
            },
            place: bytes(self.bits, usize::from(self.size)),
        }
    }
}

/// The type C converts two integer operands to (its usual arithmetic conversions).
pub(crate) fn common(a: CInt, b: CInt) -> (u8, bool) {
    let (a, b) = (a.promoted(), b.promoted());
    if a.signed == b.signed {
        return (a.size.max(b.size), a.signed);
    }
    let (unsigned, signed) = if a.signed { (b, a) } else { (a, b) };
    if unsigned.size >= signed.size {
        (unsigned.size, false)
    } else {
        (signed.size, true)
    }
}

/// A number read from a value: an integer of its C type, a floating of its size, or a pointer
/// with its target.
pub(crate) enum Num {
    Int(CInt),
    Float(f64, u8),
    Ptr(u64, Ty),
}

impl Num {
    /// Whether it is non-zero (a condition holds).
    pub(crate) fn truth(&self) -> bool {
        match self {
            Num::Int(n) => n.bits != 0,
            Num::Float(f, _) => *f != 0.0,
            Num::Ptr(p, _) => *p != 0,
        }
    }

    /// The number as an integer: a floating truncated toward zero, a pointer's address.
    pub(crate) fn integer(&self) -> i128 {
        match self {
            Num::Int(n) => n.value(),
            Num::Float(f, _) => *f as i128,
            Num::Ptr(p, _) => i128::from(*p),
        }
    }

    /// The number as a floating.
    pub(crate) fn float(&self) -> f64 {
        match self {
            Num::Float(f, _) => *f,
            other => other.integer() as f64,
        }
    }
}

/// What a value's type does not allow, as gdb says it.
pub(crate) const NOT_A_NUMBER: &str = "Argument to arithmetic operation not a number or boolean.";

impl<'s> Parser<'s> {
    pub(crate) fn new(session: &'s dyn Scope, src: &'s str, toks: Vec<(Tok, usize)>) -> Parser<'s> {
        Parser {
            session,
            src,
            toks,
            pos: 0,
            depth: 0,
            evaluating: true,
            view: OnceCell::new(),
        }
    }

    pub(crate) fn err(&self, message: impl Into<String>) -> Error {
        let at = self.toks.get(self.pos).map_or(self.src.len(), |t| t.1);
        expr_error(self.src, at, message)
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

    /// What the expression sees: the selected frame, or the static data before `run`.
    fn view(&self) -> Result<&View<'s>, Error> {
        if let Some(v) = self.view.get() {
            return Ok(v);
        }
        let v = self.session.selected_view()?;
        Ok(self.view.get_or_init(|| v))
    }

    /// Goes one nesting level deeper, refused past [`MAX_DEPTH`]; the caller comes back up.
    fn enter(&mut self) -> Result<(), Error> {
        if self.depth == MAX_DEPTH {
            return Err(self.err(format!("expression nested deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        Ok(())
    }

    /// Parses with `f` without evaluating when `skip` (a branch C does not evaluate).
    fn skipping(
        &mut self,
        skip: bool,
        f: impl FnOnce(&mut Self) -> Result<Value, Error>,
    ) -> Result<Value, Error> {
        let was = self.evaluating;
        self.evaluating &= !skip;
        let v = f(self);
        self.evaluating = was;
        v
    }

    /// `c ? a : b`, or a binary expression.
    pub(crate) fn conditional(&mut self) -> Result<Value, Error> {
        let c = self.binary(0)?;
        if !self.eat("?") {
            return Ok(c);
        }
        self.enter()?;
        let v = self.arms(&c);
        self.depth -= 1;
        v
    }

    /// The arms of `c ? a : b`, the one `c` does not choose parsed without evaluating it.
    fn arms(&mut self, c: &Value) -> Result<Value, Error> {
        let holds = self.evaluating && self.num(c)?.truth();
        let a = self.skipping(!holds, Self::conditional)?;
        self.expect(":")?;
        let b = self.skipping(holds, Self::conditional)?;
        Ok(if holds { a } else { b })
    }

    /// Binary operators binding at least as tightly as level `min` of [`LEVELS`], by precedence
    /// climbing: a chain of operators is a loop, and only a tighter operator on the right recurses
    /// (at most once for each level).
    fn binary(&mut self, min: usize) -> Result<Value, Error> {
        let mut left = self.unary()?;
        while let Some(level) = self.operator_level(min) {
            left = self.operation(level, left)?;
        }
        Ok(left)
    }

    /// The level of the binary operator next, if it binds at least as tightly as level `min`.
    fn operator_level(&self, min: usize) -> Option<usize> {
        let Some(Tok::Op(op)) = self.peek() else {
            return None;
        };
        LEVELS
            .iter()
            .position(|l| l.contains(op))
            .filter(|&l| l >= min)
    }

    /// The binary operator next (of `level`) applied to `left` and the operand on its right.
    #[inline(never)]
    fn operation(&mut self, level: usize, left: Value) -> Result<Value, Error> {
        let Some(Tok::Op(op)) = self.peek().cloned() else {
            return Ok(left);
        };
        self.pos += 1;
        if op == "&&" || op == "||" {
            // The right operand is evaluated only when the left does not decide.
            let l = self.evaluating && self.num(&left)?.truth();
            let decided = l == (op == "||");
            let right = self.skipping(decided, |p| p.binary(level + 1))?;
            let r = self.evaluating && (decided && l || !decided && self.num(&right)?.truth());
            return Ok(int(i128::from(r)));
        }
        let right = self.binary(level + 1)?;
        self.apply(op, &left, &right)
    }

    fn unary(&mut self) -> Result<Value, Error> {
        self.enter()?;
        let v = self.unary_operand();
        self.depth -= 1;
        v
    }

    fn unary_operand(&mut self) -> Result<Value, Error> {
        if let Some(op) = ["-", "+", "!", "~", "*", "&"]
            .into_iter()
            .find(|op| self.eat(op))
        {
            let v = self.unary()?;
            return self.prefix(op, &v);
        }
        if matches!(self.peek(), Some(Tok::Ident(w)) if w == "sizeof") {
            self.pos += 1;
            return self.size_of_operand();
        }
        if let Some(ty) = self.type_in_parens() {
            let v = self.unary()?;
            return self.cast(&v, ty);
        }
        self.postfix()
    }

    /// Prefix operator `op` applied to `v`.
    #[inline(never)]
    fn prefix(&self, op: &str, v: &Value) -> Result<Value, Error> {
        if !self.evaluating {
            return Ok(int(0));
        }
        match op {
            "*" => self.deref(v),
            "&" => match v.place {
                Place::Memory(a) => Ok(Value {
                    ty: Ty::Ptr(Box::new(v.ty.clone())),
                    place: bytes(a, 4),
                }),
                _ => Err(self.err("Attempt to take address of value not located in memory.")),
            },
            "!" => Ok(int(i128::from(!self.num(v)?.truth()))),
            _ => self.negate(op, v),
        }
    }

    /// The operand of `sizeof`, a type in parentheses or a unary expression, as its size (an
    /// `int`, as gdb gives it).
    #[inline(never)]
    fn size_of_operand(&mut self) -> Result<Value, Error> {
        let ty = match self.type_in_parens() {
            Some(ty) => ty,
            None => self.unary()?.ty,
        };
        let size = if self.evaluating {
            self.session.dwarf().size_of(&ty)?
        } else {
            0
        };
        Ok(int(i128::from(size)))
    }

    /// `-x`, `+x` or `~x`, in `x`'s promoted type.
    fn negate(&self, op: &str, v: &Value) -> Result<Value, Error> {
        match (self.num(v)?, op) {
            (Num::Int(n), _) => {
                let n = n.promoted();
                let r = match op {
                    "-" => -n.value(),
                    "+" => n.value(),
                    _ => !n.value(),
                };
                Ok(CInt::new(r, n.size, n.signed).to_value())
            }
            (Num::Float(f, size), "-") => Ok(float(-f, size)),
            (Num::Float(f, size), "+") => Ok(float(f, size)),
            (_, "~") => Err(self.err("Argument to complement operation not an integer, boolean.")),
            _ => Err(self.err(NOT_A_NUMBER)),
        }
    }

    /// A base type in parentheses, `(unsigned char)` or `(int **)`, consumed; `None` (nothing
    /// consumed) when the parentheses hold something else.
    fn type_in_parens(&mut self) -> Option<Ty> {
        if !matches!(
            (self.peek(), self.toks.get(self.pos + 1)),
            (Some(Tok::Op("(")), Some((Tok::Ident(_), _)))
        ) {
            return None;
        }
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
        match type_named(&words) {
            Some(mut ty) if self.eat(")") => {
                for _ in 0..stars {
                    ty = Ty::Ptr(Box::new(ty));
                }
                Some(ty)
            }
            _ => {
                self.pos = save;
                None
            }
        }
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
                let i = self.conditional()?;
                self.expect("]")?;
                v = self.index(&v, &i)?;
            } else {
                return Ok(v);
            }
        }
    }

    fn primary(&mut self) -> Result<Value, Error> {
        if self.eat("(") {
            let v = self.conditional()?;
            self.expect(")")?;
            return Ok(v);
        }
        self.atom()
    }

    /// A literal, a variable or a history value.
    #[inline(never)]
    fn atom(&mut self) -> Result<Value, Error> {
        let tok = self
            .peek()
            .cloned()
            .ok_or_else(|| self.err("expected an expression"))?;
        let v = match tok {
            Tok::Int(n) => n.to_value(),
            Tok::Float(f, size) => float(f, size),
            Tok::Char(c) => CInt::new(i128::from(c as i8), 1, true).to_value(),
            Tok::History(_) | Tok::Ident(_) if !self.evaluating => int(0),
            Tok::History(at) => {
                let h = &self.session.history();
                let (index, name) = match at {
                    History::Number(n) => (n.checked_sub(1), format!("${n}")),
                    History::Back(n) => (
                        n.checked_add(1)
                            .and_then(|k| (h.len() as u64).checked_sub(k)),
                        format!("$${n}"),
                    ),
                };
                index
                    .and_then(|i| h.get(usize::try_from(i).ok()?))
                    .cloned()
                    .ok_or_else(|| self.err(format!("History has not yet reached {name}.")))?
            }
            Tok::Ident(name) => {
                self.session
                    .variable_in(&name, self.view()?)
                    .map_err(|e| match e {
                        Error::Value(m) => self.err(m),
                        other => other,
                    })?
            }
            Tok::Op(op) => return Err(self.err(format!("unexpected `{op}`"))),
        };
        self.pos += 1;
        Ok(v)
    }

    pub(crate) fn num(&self, v: &Value) -> Result<Num, Error> {
        let state = &self.view()?.state;
        let p = Printer {
            dwarf: self.session.dwarf(),
            state,
            format: Format::Natural,
        };
        let dwarf = &self.session.dwarf();
        match dwarf.shape(&v.ty)? {
            Shape::Pointer { target } => Ok(Num::Ptr(le_u64(&p.bytes(&v.place, 4)?), target)),
            Shape::Base {
                encoding: Encoding::Float,
                size,
            } => {
                let raw = le_u64(&p.bytes(&v.place, size)?);
                Ok(if size == 4 {
                    Num::Float(f64::from(f32::from_bits(raw as u32)), 4)
                } else {
                    Num::Float(f64::from_bits(raw), 8)
                })
            }
            Shape::Array { elem, .. } => match v.place {
                Place::Memory(a) => Ok(Num::Ptr(a, elem)),
                _ => Err(self.err("an array not in memory has no address")),
            },
            Shape::Base { .. } | Shape::Enum { .. } => {
                let (raw, signed, size) = p.integer(v)?;
                let size = size.min(8) as u8;
                let n = if signed {
                    i128::from(sign_extend(raw, u64::from(size)))
                } else {
                    i128::from(raw)
                };
                Ok(Num::Int(CInt::new(n, size, signed)))
            }
            _ => Err(self.err(format!("`{}` is not a number", dwarf.type_name(&v.ty)))),
        }
    }

    fn apply(&self, op: &str, a: &Value, b: &Value) -> Result<Value, Error> {
        if !self.evaluating {
            return Ok(int(0));
        }
        let pointer = |p: u64, t: Ty, n: i128| -> Result<Value, Error> {
            let size = i128::from(self.session.dwarf().size_of(&t)?.max(1));
            Ok(Value {
                ty: Ty::Ptr(Box::new(t)),
                place: bytes((i128::from(p) + n * size) as u64, 4),
            })
        };
        match (self.num(a)?, self.num(b)?) {
            (Num::Ptr(p, t), Num::Int(n)) if op == "+" => pointer(p, t, n.value()),
            (Num::Ptr(p, t), Num::Int(n)) if op == "-" => pointer(p, t, -n.value()),
            (Num::Int(n), Num::Ptr(p, t)) if op == "+" => pointer(p, t, n.value()),
            (Num::Ptr(p, t), Num::Ptr(q, _)) if op == "-" => {
                let size = i128::from(self.session.dwarf().size_of(&t)?.max(1));
                Ok(CInt::new((i128::from(p) - i128::from(q)) / size, LONG, true).to_value())
            }
            (Num::Ptr(..), Num::Float(..)) | (Num::Float(..), Num::Ptr(..)) => {
                Err(self.err(NOT_A_NUMBER))
            }
            (x @ Num::Float(..), y) | (x, y @ Num::Float(..)) => {
                let size = match (&x, &y) {
                    (Num::Float(_, s), Num::Float(_, t)) => *s.max(t),
                    (Num::Float(_, s), _) | (_, Num::Float(_, s)) => *s,
                    _ => 8,
                };
                let (f, g) = (x.float(), y.float());
                let r = match op {
                    "+" => f + g,
                    "-" => f - g,
                    "*" => f * g,
                    "/" => f / g,
                    _ => {
                        return compare(op, f.partial_cmp(&g))
                            .map(|r| int(i128::from(r)))
                            .ok_or_else(|| {
                                self.err("Integer-only operation on floating point number.")
                            });
                    }
                };
                Ok(float(r, size))
            }
            (x, y) => self.integer_op(op, as_int(&x), as_int(&y)),
        }
    }

    /// An operator on two integers, in the type C converts them to.
    fn integer_op(&self, op: &str, a: CInt, b: CInt) -> Result<Value, Error> {
        if op == "<<" || op == ">>" {
            // The result has the left operand's promoted type; a count past its width (or
            // negative) leaves no bits, or the sign's.
            let a = a.promoted();
            let r = match u32::try_from(b.value()) {
                Ok(n) if n < u32::from(a.size) * 8 => {
                    if op == "<<" {
                        a.value() << n
                    } else {
                        a.value() >> n
                    }
                }
                _ if op == ">>" && a.value() < 0 => -1,
                _ => 0,
            };
            return Ok(CInt::new(r, a.size, a.signed).to_value());
        }
        let (size, signed) = common(a, b);
        let x = CInt::new(a.value(), size, signed).value();
        let y = CInt::new(b.value(), size, signed).value();
        let r = match op {
            "+" => x + y,
            "-" => x - y,
            "*" => x.wrapping_mul(y),
            "/" | "%" if y == 0 => return Err(self.err("Division by zero")),
            "/" => x / y,
            "%" => x % y,
            "&" => x & y,
            "|" => x | y,
            "^" => x ^ y,
            _ => {
                return compare(op, Some(x.cmp(&y)))
                    .map(|r| int(i128::from(r)))
                    .ok_or_else(|| self.err(format!("`{op}` does not apply to these operands")));
            }
        };
        Ok(CInt::new(r, size, signed).to_value())
    }

    fn cast(&self, v: &Value, ty: Ty) -> Result<Value, Error> {
        if !self.evaluating {
            return Ok(int(0));
        }
        let n = self.num(v)?;
        Ok(match &ty {
            Ty::Float { size } => float(n.float(), *size),
            Ty::Bool => Value {
                ty,
                place: bytes(u64::from(n.truth()), 1),
            },
            Ty::Int { size, signed } => CInt::new(n.integer(), *size, *signed).to_value(),
            Ty::Void => Value {
                ty,
                place: Place::Bytes(Vec::new()),
            },
            _ => Value {
                ty,
                place: bytes(n.integer() as u64, 4),
            },
        })
    }

    fn deref(&self, v: &Value) -> Result<Value, Error> {
        if !self.evaluating {
            return Ok(int(0));
        }
        match self.num(v)? {
            Num::Ptr(a, t) if t != Ty::Void => Ok(Value {
                ty: t,
                place: Place::Memory(a),
            }),
            _ => Err(self.err("Attempt to take contents of a non-pointer value.")),
        }
    }

    fn index(&self, v: &Value, i: &Value) -> Result<Value, Error> {
        if !self.evaluating {
            return Ok(int(0));
        }
        let Num::Int(i) = self.num(i)? else {
            return Err(self.err("an index must be an integer"));
        };
        let dwarf = &self.session.dwarf();
        let (base, elem) = match (dwarf.shape(&v.ty)?, &v.place) {
            (Shape::Array { elem, count }, Place::Bytes(_)) => {
                // An array kept by value (a history entry): its elements are among its bytes.
                let n = u64::try_from(i.value())
                    .ok()
                    .filter(|&n| n < count.unwrap_or(0));
                let Some(n) = n else {
                    return Err(self.err(format!("no element {} in this array", i.value())));
                };
                let p = Printer {
                    dwarf,
                    state: &self.view()?.state,
                    format: Format::Natural,
                };
                let at = n.saturating_mul(dwarf.size_of(&elem)?);
                return Ok(Value {
                    place: p.part(&v.place, at, &elem)?,
                    ty: elem,
                });
            }
            (Shape::Array { elem, .. }, Place::Memory(a)) => (*a, elem),
            (Shape::Pointer { .. }, _) => match self.num(v)? {
                Num::Ptr(a, target) => (a, target),
                _ => return Err(self.err(NOT_A_NUMBER)),
            },
            _ => return Err(self.err("cannot subscript something that is not an array or pointer")),
        };
        let size = i128::from(dwarf.size_of(&elem)?.max(1));
        Ok(Value {
            ty: elem,
            place: Place::Memory((i128::from(base) + i.value() * size) as u64),
        })
    }

    fn field(&mut self, v: &Value) -> Result<Value, Error> {
        let Some(Tok::Ident(name)) = self.peek().cloned() else {
            return Err(self.err("expected a member name"));
        };
        if !self.evaluating {
            self.pos += 1;
            return Ok(int(0));
        }
        let p = Printer {
            dwarf: self.session.dwarf(),
            state: &self.view()?.state,
            format: Format::Natural,
        };
        let Shape::Struct { members, .. } = self.session.dwarf().shape(&v.ty)? else {
            return Err(self.err(format!(
                "`{}` is not a struct or union",
                self.session.dwarf().type_name(&v.ty)
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

/// An error in expression `src` at byte `at`, its column counted in characters (1 is the first;
/// one past the last is the end).
pub(crate) fn expr_error(src: &str, at: usize, message: impl Into<String>) -> Error {
    Error::Expr {
        expr: src.to_string(),
        column: src
            .get(..at)
            .map_or(src.chars().count(), |s| s.chars().count())
            + 1,
        message: message.into(),
    }
}

/// Whether comparison `op` holds for operands ordered so (`None`: unordered, a NaN); `None` when
/// `op` is no comparison.
pub(crate) fn compare(op: &str, order: Option<std::cmp::Ordering>) -> Option<bool> {
    let holds = |o: std::cmp::Ordering| match op {
        "==" => Some(o.is_eq()),
        "!=" => Some(o.is_ne()),
        "<" => Some(o.is_lt()),
        "<=" => Some(o.is_le()),
        ">" => Some(o.is_gt()),
        ">=" => Some(o.is_ge()),
        _ => None,
    };
    match order {
        Some(o) => holds(o),
        None => holds(std::cmp::Ordering::Equal).map(|_| op == "!="),
    }
}

/// An integer operand: a pointer is its address, as an `unsigned int`.
pub(crate) fn as_int(n: &Num) -> CInt {
    match n {
        Num::Int(n) => *n,
        other => CInt::new(other.integer(), INT, false),
    }
}

/// The base type words name in a cast or `sizeof`: C's integer words in any order
/// (`unsigned long int`, `long long`, `short`), `void`, or one word of [`base_named`]
/// (`double`, `bool`, `u8`).
pub(crate) fn type_named(words: &[String]) -> Option<Ty> {
    const INTEGER_WORDS: &[&str] = &["unsigned", "signed", "long", "short", "char", "int"];
    match words {
        [] => return None,
        [w] if w == "void" => return Some(Ty::Void),
        [w] if !INTEGER_WORDS.contains(&w.as_str()) => return base_named(w),
        _ => {}
    }
    let count = |w: &str| words.iter().filter(|x| *x == w).count();
    if words.iter().any(|w| !INTEGER_WORDS.contains(&w.as_str()))
        || count("unsigned") + count("signed") > 1
        || count("int") > 1
        || count("char") > 1
        || count("short") > 1
        || count("long") > 2
        || count("char") + count("short") + count("long").min(1) > 1
        || count("char") + count("int") > 1
    {
        return None;
    }
    let size = match (count("char"), count("short"), count("long")) {
        (1, _, _) => 1,
        (_, 1, _) => 2,
        (_, _, 2) => LONG_LONG,
        (_, _, 1) => LONG,
        _ => INT,
    };
    Some(Ty::Int {
        signed: count("unsigned") == 0,
        size,
    })
}

pub(crate) fn float(v: f64, size: u8) -> Value {
    let raw = if size == 4 {
        u64::from((v as f32).to_bits())
    } else {
        v.to_bits()
    };
    Value {
        ty: Ty::Float { size },
        place: bytes(raw, usize::from(size)),
    }
}

pub(crate) fn bytes(v: u64, size: usize) -> Place {
    Place::Bytes(v.to_le_bytes()[..size.min(8)].to_vec())
}

/// An `int` (what comparisons, `!` and `sizeof` give).
pub(crate) fn int(v: i128) -> Value {
    CInt::new(v, INT, true).to_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_take_the_first_c_type_that_holds_them() {
        let ty = |text: &str| {
            let n = literal(text).unwrap().typed();
            (n.size, n.signed)
        };
        assert_eq!(ty("2147483647"), (4, true));
        assert_eq!(
            ty("2147483648"),
            (8, true),
            "decimal: long long, not unsigned"
        );
        assert_eq!(ty("0x80000000"), (4, false), "hex: unsigned int");
        assert_eq!(ty("0xffffffff"), (4, false));
        assert_eq!(ty("0x100000000"), (8, true));
        assert_eq!(ty("9223372036854775808"), (8, false));
        assert_eq!(ty("18446744073709551615"), (8, false));
        assert_eq!(ty("1u"), (4, false));
        assert_eq!(ty("1l"), (4, true));
        assert_eq!(ty("1ul"), (4, false));
        assert_eq!(ty("1LL"), (8, true));
        assert_eq!(ty("1ull"), (8, false));
        assert_eq!(ty("017"), (4, true));
        assert_eq!(literal("017").unwrap().value, 15);
        assert_eq!(literal("0b101").unwrap().value, 5);
        assert_eq!(literal("08"), Err(BadLiteral::Invalid));
        assert_eq!(literal("0x"), Err(BadLiteral::Invalid));
        assert_eq!(literal("1uu"), Err(BadLiteral::Invalid));
        assert_eq!(literal("18446744073709551616"), Err(BadLiteral::TooLarge));
    }

    #[test]
    fn operands_convert_as_c_converts_them() {
        let i = |v, size, signed| CInt::new(v, size, signed);
        assert_eq!(common(i(-1, 4, true), i(0, 4, false)), (4, false));
        assert_eq!(common(i(-1, 8, true), i(0, 4, false)), (8, true));
        assert_eq!(common(i(-1, 4, true), i(0, 8, false)), (8, false));
        assert_eq!(
            common(i(1, 1, false), i(1, 2, false)),
            (4, true),
            "promoted"
        );
        assert_eq!(i(300, 1, false).value(), 44);
        assert_eq!(i(200, 1, true).value(), -56);
    }

    #[test]
    fn type_words_in_any_order_name_one_type() {
        let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let int = |signed, size| Some(Ty::Int { signed, size });
        assert_eq!(type_named(&words("unsigned long int")), int(false, 4));
        assert_eq!(type_named(&words("long unsigned long")), int(false, 8));
        assert_eq!(type_named(&words("short int")), int(true, 2));
        assert_eq!(type_named(&words("signed char")), int(true, 1));
        assert_eq!(type_named(&words("unsigned")), int(false, 4));
        assert_eq!(type_named(&words("double")), Some(Ty::Float { size: 8 }));
        assert_eq!(type_named(&words("void")), Some(Ty::Void));
        assert_eq!(type_named(&words("long char")), None);
        assert_eq!(type_named(&words("unsigned signed")), None);
        assert_eq!(type_named(&words("long long long")), None);
        assert_eq!(type_named(&words("x")), None);
    }
}
