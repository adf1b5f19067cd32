//! The session's paged children of a value: members, elements and pointees, read again
//! through their reference each time, so they follow the program.

use crate::children::*;
use crate::error::Error;
use crate::report::{Children, Variable};
use crate::session::Session;
use crate::value::{Format, Printer, Value};

impl Session {
    /// A value as a [`Variable`] whose children are found at `at`.
    pub(crate) fn variable_at(&self, name: &str, v: &Value, at: VarRef) -> Result<Variable, Error> {
        let view = self.view(at.frame)?;
        let p = Printer {
            dwarf: &self.image.dwarf,
            state: &view.state,
            format: Format::Natural,
        };
        Ok(p.variable(name.to_string(), v, &at))
    }

    /// Children `start..start + count` of the value `at` names (at most [`MAX_PAGE`]), their
    /// values shown in `format`.
    pub fn children(
        &mut self,
        at: &VarRef,
        start: u64,
        count: u64,
        format: Format,
    ) -> Result<Children, Error> {
        if self.process.target.is_some() && at.frame >= self.frames()?.len() {
            return Err(Error::NoFrameAt(at.frame));
        }
        let selected = std::mem::replace(&mut self.inspect.selected, at.frame);
        let root = self.evaluate(&at.expr);
        self.inspect.selected = selected;
        let view = self.view(at.frame)?;
        let p = Printer {
            dwarf: &self.image.dwarf,
            state: &view.state,
            format,
        };
        let mut v = root?;
        for step in &at.path {
            v = child(&p, &p.kids(&v)?, step)
                .ok_or_else(|| Error::Value(format!("`{}` has no child {step:?} now.", at.expr)))?;
        }
        let kids = p.kids(&v)?;
        let total = kids.count();
        let end = start.saturating_add(count.min(MAX_PAGE)).min(total);
        let items = match &kids {
            Kids::Leaf => Vec::new(),
            Kids::Fields(fields) => fields
                .iter()
                .skip(start as usize)
                .take((end.saturating_sub(start)) as usize)
                .map(|(name, value)| {
                    p.variable(
                        name.clone(),
                        value,
                        &at.child(PathStep::Field(name.clone())),
                    )
                })
                .collect(),
            Kids::Elements { .. } => (start..end)
                .filter_map(|i| {
                    let step = PathStep::Index(i);
                    let value = child(&p, &kids, &step)?;
                    Some(p.variable(format!("[{i}]"), &value, &at.child(step)))
                })
                .collect(),
        };
        Ok(Children {
            total,
            start,
            items,
        })
    }
}
