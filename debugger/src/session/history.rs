//! The session's value history (`$1`, ...) and `display` expressions (the inspector part).

use crate::children::VarRef;
use crate::dwarf::Place;
use crate::error::Error;
use crate::history::*;
use crate::report::{Display, Printed, Variable};
use crate::session::Session;
use crate::value::{Format, Printer, Value};
use runtime_core::debug::Inspector;

impl Session {
    /// Keeps a value as the next `$N`, its bytes copied as gdb's history is; returns N. A value
    /// that cannot be read is an error, as in gdb, not a history entry.
    pub fn record(&mut self, v: Value) -> Result<usize, Error> {
        let view = self.view(self.inspect.selected)?;
        let p = Printer {
            dwarf: &self.image.dwarf,
            state: &view.state,
            format: Format::Natural,
        };
        let size = self.image.dwarf.size_of(&v.ty)?;
        let kept = match &v.place {
            Place::Memory(_) => Place::Bytes(p.bytes(&v.place, size)?),
            other => other.clone(),
        };
        self.inspect.history.push(Value {
            ty: v.ty,
            place: kept,
        });
        Ok(self.inspect.history.len())
    }

    /// Evaluates `expr` in the selected frame, keeps it as `$N` and returns it with its first
    /// page of children (their references evaluate `expr` again, so they follow the program).
    pub fn print(&mut self, expr: &str, format: Format) -> Result<Printed, Error> {
        let v = self.evaluate(expr)?;
        self.printed(expr, v, format)
    }

    /// Evaluates `expr` in the selected frame without keeping it (a watch expression).
    pub fn watch_value(&self, expr: &str, format: Format) -> Result<Variable, Error> {
        let v = self.evaluate(expr)?;
        self.shown(expr, &v, format)
    }

    /// Value `v` of `expr` as `print` shows it in `format`, its children found by evaluating
    /// `expr` again in the selected frame.
    fn shown(&self, expr: &str, v: &Value, format: Format) -> Result<Variable, Error> {
        let value = self.show(v, format)?;
        let at = VarRef {
            frame: self.inspect.selected,
            expr: expr.to_string(),
            path: Vec::new(),
        };
        Ok(Variable {
            value,
            ..self.variable_at(expr, v, at)?
        })
    }

    /// A value as printed: shown in `format`, kept in the history, its first children listed.
    pub(crate) fn printed(
        &mut self,
        expr: &str,
        v: Value,
        format: Format,
    ) -> Result<Printed, Error> {
        let value = self.shown(expr, &v, format)?;
        let history = self.record(v)?;
        let members = match &value.children {
            Some(at) => self.children(at, 0, 100, format)?.items,
            None => Vec::new(),
        };
        Ok(Printed {
            history,
            value,
            members,
        })
    }

    /// Adds a `display` expression; returns its value now.
    pub fn add_display(&mut self, expr: &str, format: Format) -> Result<Display, Error> {
        let v = self.evaluate(expr)?;
        let inspector = match v.place {
            Place::Memory(addr) => match (
                u32::try_from(addr),
                u32::try_from(self.image.dwarf.size_of(&v.ty)?),
            ) {
                (Ok(addr), Ok(len)) => Inspector { addr, len },
                _ => Inspector { addr: 0, len: 0 },
            },
            _ => Inspector { addr: 0, len: 0 },
        };
        let limits = self.limits().clone();
        let number = self.debug.inspectors.insert(inspector, &limits)?;
        let d = DisplayExpr {
            number,
            expr: expr.to_string(),
            format,
        };
        self.inspect.displays.push(d.clone());
        Ok(Display {
            number,
            expr: d.expr,
            value: Some(self.show(&v, format)?),
            error: None,
        })
    }

    /// Removes `display` number `n`.
    pub fn remove_display(&mut self, n: u32) -> Result<(), Error> {
        if self.debug.inspectors.remove(n).is_none() {
            return Err(Error::NoDisplay(n));
        }
        self.inspect.displays.retain(|d| d.number != n);
        Ok(())
    }

    /// Every `display` expression valued where the program stands.
    pub fn displays(&self) -> Vec<Display> {
        self.inspect
            .displays
            .iter()
            .map(|d| {
                let value = self.evaluate(&d.expr).and_then(|v| self.show(&v, d.format));
                Display {
                    number: d.number,
                    expr: d.expr.clone(),
                    error: value.as_ref().err().map(Error::to_string),
                    value: value.ok(),
                }
            })
            .collect()
    }
}
