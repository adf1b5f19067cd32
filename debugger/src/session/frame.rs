//! The session's frames: the process's Wasm frames expanded into source frames, selected by level.

use crate::children::VarRef;
use crate::dwarf::{Place, Shape, VarKind, Variable, strip_hash};
use crate::error::Error;
use crate::frame::*;
use crate::report;
use crate::session::Session;
use crate::value::{Format, Printer, Value};

impl Session {
    /// The frames of the stopped program, innermost first.
    pub fn frames(&self) -> Result<Vec<FrameInfo>, Error> {
        let wasm = self.wasm_frames();
        let mut out = Vec::new();
        let trapped = matches!(self.process.state, crate::session::State::Trapped(_));
        for (i, f) in wasm.iter().enumerate().rev() {
            // A caller stands at its call, a trapped frame at its faulting operator: each at the
            // operator its instruction executes; a stopped frame at the statement it starts.
            let innermost = i + 1 == wasm.len();
            let addr = if innermost && !trapped {
                self.addr_of(f.func, f.pc)
            } else {
                self.operator_addr(f.func, f.pc.saturating_sub(u32::from(!innermost)))
            }
            .unwrap_or(0);
            let source = self.image.dwarf.frames(addr)?;
            if source.is_empty() {
                out.push(FrameInfo {
                    level: out.len(),
                    wasm: i,
                    inline: 0,
                    inlined: false,
                    func: f.func,
                    addr,
                    function: self.func_label(f.func),
                    loc: None,
                });
                continue;
            }
            let n = source.len();
            // The innermost frame's inlined calls stopped at their entry are not shown yet.
            let hidden = if i + 1 == wasm.len() {
                self.process.hidden.min(n - 1)
            } else {
                0
            };
            for (k, s) in source.into_iter().enumerate().skip(hidden) {
                let function = s
                    .display
                    .map(|d| strip_hash(&d).to_string())
                    .unwrap_or_else(|| self.func_label(f.func));
                out.push(FrameInfo {
                    level: out.len(),
                    wasm: i,
                    inline: k,
                    inlined: k + 1 < n,
                    func: f.func,
                    addr,
                    function,
                    loc: s.loc,
                });
            }
        }
        Ok(out)
    }

    /// The selected frame.
    pub fn selected_frame(&self) -> Result<FrameInfo, Error> {
        let frames = self.frames()?;
        frames
            .get(self.inspect.selected)
            .or(frames.first())
            .cloned()
            .ok_or(Error::NotRunning)
    }

    /// Frame `f` as a front-end shows it, its arguments valued as a frame line shows them: C
    /// structs and arrays as `...`, everything else one level deep.
    pub fn frame_report(&self, f: &FrameInfo) -> Result<report::Frame, Error> {
        let state = self.wasm_state(f.wasm).ok_or(Error::NotRunning)?;
        let p = Printer {
            dwarf: &self.image.dwarf,
            state: &state,
            format: Format::Natural,
        };
        let mut args = Vec::new();
        for (v, place) in self.frame_vars(f)? {
            if v.kind != VarKind::Param {
                continue;
            }
            let value = Value { ty: v.ty, place };
            let at = VarRef {
                frame: f.level,
                expr: v.name.clone(),
                path: Vec::new(),
            };
            let name = if v.name.is_empty() { "_" } else { &v.name };
            let mut arg = p.variable(name.to_string(), &value, &at);
            if v.name.is_empty() {
                arg.children = None;
            }
            arg.value = match self.image.dwarf.shape(&value.ty) {
                Ok(Shape::Struct { .. } | Shape::Array { .. }) if !p.rust(&value.ty) => {
                    "...".to_string()
                }
                _ => p.show(&value, 1),
            };
            args.push(arg);
        }
        let loc = f.loc.as_ref();
        Ok(report::Frame {
            level: f.level,
            function: f.function.clone(),
            inlined: f.inlined,
            file: loc.and_then(|l| l.file.clone()),
            line: loc.map(|l| l.line),
            column: loc.map(|l| l.column),
            addr: f.addr,
            exact: f.wasm + 1 == self.wasm_frames().len(),
            args,
        })
    }

    /// The variables of kind `kind` frame `level` sees, as a front-end lists them.
    pub fn variables(
        &self,
        level: usize,
        kind: VarKind,
        format: Format,
    ) -> Result<Vec<report::Variable>, Error> {
        let f = self
            .frames()?
            .get(level)
            .cloned()
            .ok_or(Error::NotRunning)?;
        let state = self.wasm_state(f.wasm).ok_or(Error::NotRunning)?;
        let vars = if kind == VarKind::Global {
            let mut out = Vec::new();
            for g in self.image.dwarf.globals()? {
                let place = self.image.dwarf.place(&g, f.addr, None, &state)?;
                out.push((g, place));
            }
            out
        } else {
            self.frame_vars(&f)?
                .into_iter()
                .filter(|(v, _)| v.kind == kind)
                .collect()
        };
        let p = Printer {
            dwarf: &self.image.dwarf,
            state: &state,
            format,
        };
        Ok(vars
            .into_iter()
            .map(|(v, place)| {
                let at = VarRef {
                    frame: level,
                    expr: v.name.clone(),
                    path: Vec::new(),
                };
                p.variable(v.name.clone(), &Value { ty: v.ty, place }, &at)
            })
            .collect())
    }

    /// The variables frame `f` sees, innermost block first, each with where its value is now.
    pub fn frame_vars(&self, f: &FrameInfo) -> Result<Vec<(Variable, Place)>, Error> {
        let scopes = self.image.dwarf.scopes(f.addr)?;
        let Some(state) = self.wasm_state(f.wasm) else {
            return Ok(Vec::new());
        };
        let Some(outer) = scopes.first() else {
            return Ok(Vec::new());
        };
        let base = self.image.dwarf.frame_base(outer, f.addr, &state)?;
        let mut out = Vec::new();
        for scope in own_scopes(&scopes, f.inline).iter().rev() {
            for v in &scope.vars {
                let place = self.image.dwarf.place(v, f.addr, base, &state)?;
                out.push((v.clone(), place));
            }
        }
        Ok(out)
    }
}
