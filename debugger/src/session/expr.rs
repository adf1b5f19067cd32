//! The session's expressions: evaluated in a frame of the process, or in static memory before `run`.

use crate::dwarf::{Encoding, Place, Shape, Ty};
use crate::error::Error;
use crate::expr::*;
use crate::report::Variable;
use crate::session::Session;
use crate::statics::View;
use crate::value::{Format, Printer, Value};

impl Session {
    /// Evaluates an expression in the selected frame; before `run`, constants and static data.
    pub fn evaluate(&self, src: &str) -> Result<Value, Error> {
        self.parse(src, true)
    }

    /// Checks that `src` is an expression, without evaluating it: a breakpoint condition is
    /// checked so when it is set, to be refused then, not where it is hit.
    pub fn check_expression(&self, src: &str) -> Result<(), Error> {
        self.parse(src, false).map(|_| ())
    }

    fn parse(&self, src: &str, evaluating: bool) -> Result<Value, Error> {
        let toks = lex(src).map_err(|(at, message)| expr_error(src, at, message))?;
        let mut p = Parser::new(self, src, toks);
        p.evaluating = evaluating;
        let v = p.conditional()?;
        if p.pos < p.toks.len() {
            return Err(p.err("unexpected text after the expression"));
        }
        Ok(v)
    }

    /// Whether a value is non-zero (a condition holds).
    pub fn truth(&self, v: &Value) -> Result<bool, Error> {
        Ok(Parser::new(self, "", Vec::new()).num(v)?.truth())
    }

    /// A variable visible from the selected frame: its locals innermost first, then globals;
    /// before `run`, globals alone.
    pub fn variable(&self, name: &str) -> Result<Value, Error> {
        self.variable_in(name, &self.view(self.inspect.selected)?)
    }

    /// A variable `view` sees.
    pub(crate) fn variable_in(&self, name: &str, view: &View<'_>) -> Result<Value, Error> {
        if let Some(frame) = &view.frame
            && let Some((v, place)) = self
                .frame_vars(frame)?
                .into_iter()
                .find(|(v, _)| v.name == name)
        {
            return Ok(Value { ty: v.ty, place });
        }
        let addr = view.frame.as_ref().map_or(0, |f| f.addr);
        for g in self.image.dwarf.globals()? {
            if g.name == name {
                let place = self.image.dwarf.place(&g, addr, None, &view.state)?;
                return Ok(Value { ty: g.ty, place });
            }
        }
        Err(Error::NoSymbol { name: name.into() })
    }
}

impl Session {
    /// Assigns the value of `value` to `var` as C assigns (`set var`): converted to the type of
    /// `var` and written where it lives, in linear memory or in the frame's Wasm local; returns
    /// `var` as it is now. A value DWARF computes has nowhere to be written, and says so.
    pub(crate) fn set_variable(&mut self, var: &str, value: &str) -> Result<Variable, Error> {
        let target = self.evaluate(var)?;
        let place = match target.place {
            Place::Memory(addr) => Assigned::Memory(addr),
            _ => self.wasm_local_of(var.trim())?.ok_or_else(|| {
                Error::Value(format!(
                    "`{var}` lives neither in linear memory nor in a Wasm local (DWARF computes \
                     its value): it cannot be assigned"
                ))
            })?,
        };
        let v = self.evaluate(value)?;
        let bytes = self.encoded(&v, &target.ty)?;
        match place {
            Assigned::Memory(addr) => self.write_memory(addr, &bytes)?,
            Assigned::Local { frame, index } => {
                let raw = crate::dwarf::vars::le_u64(&bytes);
                self.process
                    .target
                    .as_mut()
                    .ok_or(Error::NotRunning)?
                    .set_local(frame, index, raw)?;
            }
        }
        self.watch_value(var, Format::Natural)
    }

    /// The Wasm frame and local a variable of the selected frame is kept in, when `name` is
    /// such a variable and the local is all its location says.
    fn wasm_local_of(&self, name: &str) -> Result<Option<Assigned>, Error> {
        let Ok(f) = self.selected_frame() else {
            return Ok(None);
        };
        let Some((v, _)) = self
            .frame_vars(&f)?
            .into_iter()
            .find(|(v, _)| v.name == name)
        else {
            return Ok(None);
        };
        let local = self.image.dwarf.wasm_local(&v, f.addr)?;
        Ok(local.map(|index| Assigned::Local {
            frame: f.wasm,
            index,
        }))
    }

    /// The bytes of `v` as a value of type `ty`: numbers, characters, booleans, enumerations and
    /// pointers converted as C converts them; an aggregate only from one of the same type.
    fn encoded(&self, v: &Value, ty: &Ty) -> Result<Vec<u8>, Error> {
        let dwarf = &self.image.dwarf;
        let num = || Parser::new(self, "", Vec::new()).num(v);
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        match dwarf.shape(ty)? {
            Shape::Base {
                encoding: Encoding::Float,
                size: 4,
            } => Ok((num()?.float() as f32).to_le_bytes().to_vec()),
            Shape::Base {
                encoding: Encoding::Float,
                size: 8,
            } => Ok(num()?.float().to_le_bytes().to_vec()),
            Shape::Base { size: n, .. } | Shape::Enum { size: n, .. } if n <= 16 => {
                Ok((num()?.integer() as u128).to_le_bytes()[..size(n)].to_vec())
            }
            Shape::Pointer { .. } => Ok((num()?.integer() as u32).to_le_bytes().to_vec()),
            _ if dwarf.type_name(&v.ty) == dwarf.type_name(ty) => {
                let view = self.view(self.inspect.selected)?;
                let p = Printer {
                    dwarf,
                    state: &view.state,
                    format: Format::Natural,
                };
                p.bytes(&v.place, dwarf.size_of(ty)?)
            }
            _ => Err(Error::Value(format!(
                "a `{}` cannot be assigned to a `{}`",
                dwarf.type_name(&v.ty),
                dwarf.type_name(ty)
            ))),
        }
    }
}

/// Where an assignment writes.
enum Assigned {
    /// Linear memory at this address.
    Memory(u64),
    /// Local `index` of Wasm frame `frame` (outermost 0).
    Local { frame: usize, index: u32 },
}

impl Scope for Session {
    fn dwarf(&self) -> &crate::dwarf::DwarfInfo {
        Session::dwarf(self)
    }
    fn selected_view(&self) -> Result<View<'_>, Error> {
        self.view(self.inspect.selected)
    }
    fn history(&self) -> &[Value] {
        Session::history(self)
    }
    fn variable_in(&self, name: &str, view: &View<'_>) -> Result<Value, Error> {
        Session::variable_in(self, name, view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Half the stack of a main thread (what a front-end's engine has at least), in unoptimised
    /// builds too.
    #[test]
    fn the_deepest_expressions_allowed_fit_half_a_main_threads_stack() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/wasm/c-board-O1.wasm"
        ))
        .unwrap();
        let limits = runtime_core::limits::preset::linux_production(
            512 * runtime_core::limits::MIB,
            runtime_core::limits::AsilLevel::QM,
            runtime_core::limits::DebugLevel::FullDebug,
        );
        let n = MAX_DEPTH - 1;
        let allowed = [
            format!("{}1{}", "(".repeat(n), ")".repeat(n)),
            format!("{}1", "-".repeat(n)),
            format!("{}0{}", "weights[".repeat(n), "]".repeat(n)),
            format!("{}1{}", "1 ? ".repeat(n), " : 1".repeat(n)),
            format!("{}1{}", "(1 + (".repeat(n / 2), "))".repeat(n / 2)),
        ];
        std::thread::Builder::new()
            .stack_size(4 << 20)
            .spawn(move || {
                let s = Session::open(bytes, &limits, Default::default()).unwrap();
                for e in &allowed {
                    assert!(s.evaluate(e).is_ok(), "{e}");
                    let deeper = format!("{}{e}{}", "(".repeat(2), ")".repeat(2));
                    match s.evaluate(&deeper) {
                        Err(Error::Expr { message, .. }) => {
                            assert!(message.contains("nested deeper"), "{message}")
                        }
                        other => panic!("{deeper}: {other:?}"),
                    }
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
