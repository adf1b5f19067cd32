//! The session's expressions: evaluated in a frame of the process, or in static memory before `run`.

use crate::error::Error;
use crate::expr::*;
use crate::session::Session;
use crate::statics::View;
use crate::value::Value;

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
