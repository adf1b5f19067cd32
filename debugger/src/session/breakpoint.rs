//! The session's breakpoints and watchpoints: set, enabled, conditioned and counted on the
//! user's numbers (the points part), armed in the target as sites.

use crate::breakpoint::*;
use crate::dwarf::Ty;
use crate::error::Error;
use crate::location::Location;
use crate::report;
use crate::session::Session;
use runtime_core::debug::{MAX_WATCH_LEN, Watch, WatchKind};

impl Session {
    /// The code offsets a location means: one per function for a line.
    pub fn resolve(&self, location: &Location) -> Result<Vec<u64>, Error> {
        let nowhere = || Error::NoLocation(location.to_string());
        match location {
            Location::Address(addr) => {
                // An offset the module's code cannot reach is nowhere (it must not wrap into it).
                u32::try_from(addr + self.image.code_start)
                    .ok()
                    .and_then(|_| self.site(*addr))
                    .ok_or_else(nowhere)?;
                Ok(vec![*addr])
            }
            Location::Line { file, line, column } => {
                let files = match file {
                    Some(f) => self.image.dwarf.lines.files_named(f),
                    None => self.default_file().into_iter().collect(),
                };
                if files.is_empty() {
                    return Err(Error::NoSourceFile(
                        file.clone().unwrap_or_else(|| "(current)".into()),
                    ));
                }
                let lines = &self.image.dwarf.lines;
                let (_, addrs) = lines.line_addresses(&files, *line).ok_or_else(nowhere)?;
                // With a column: the statements starting nearest at or after it, else the line's.
                let column_of = |a: &u64| lines.row_at(*a).map_or(0, |r| r.column);
                let nearest = column
                    .and_then(|want| addrs.iter().map(column_of).filter(|&c| c >= want).min());
                let chosen: Vec<u64> = match nearest {
                    Some(c) => addrs.into_iter().filter(|a| column_of(a) == c).collect(),
                    None => addrs,
                };
                // One location per function: the lowest address where the line starts; at a
                // function's entry, past its prologue, as gdb sets it (the entry runs before
                // the frame is set up).
                let mut best: Vec<(u64, u64)> = Vec::new();
                for a in chosen {
                    let func = self.image.dwarf.function_at(a);
                    let a = match func {
                        Some(f) if f.low == a => self.image.dwarf.after_prologue(f),
                        _ => a,
                    };
                    let f = func.map_or(a, |f| f.low);
                    match best.iter_mut().find(|(func, _)| *func == f) {
                        Some(b) => b.1 = b.1.min(a),
                        None => best.push((f, a)),
                    }
                }
                Ok(best.into_iter().map(|(_, a)| a).collect())
            }
            Location::Function(name) => {
                let dwarf = &self.image.dwarf;
                let mut addrs: Vec<u64> = dwarf
                    .functions_named(name)
                    .into_iter()
                    .map(|f| dwarf.after_prologue(f))
                    .chain(dwarf.inlined_named(name).into_iter().map(|f| f.low))
                    .collect();
                if addrs.is_empty() {
                    addrs.extend(self.named_without_dwarf(name));
                }
                addrs.sort_unstable();
                addrs.dedup();
                if addrs.is_empty() {
                    return Err(Error::NoFunction(name.clone()));
                }
                Ok(addrs)
            }
        }
    }

    /// The entry offset of a function the name section names but DWARF does not describe.
    fn named_without_dwarf(&self, name: &str) -> Option<u64> {
        let imported = self.image.module.num_imported_funcs();
        (imported..self.image.module.num_funcs())
            .find(|&i| self.image.module.func_name(i) == Some(name))
            .and_then(|i| self.image.module.body(i))
            .and_then(|b| b.offsets.first())
            .map(|&o| o as u64 - self.image.code_start)
    }

    /// The file a bare line number means: the selected frame's, else `main`'s.
    fn default_file(&self) -> Option<u32> {
        let addr = self
            .frames()
            .ok()
            .and_then(|f| f.get(self.inspect.selected).map(|f| f.addr))
            .or_else(|| {
                self.image
                    .dwarf
                    .functions_named("main")
                    .first()
                    .map(|f| f.low)
            })?;
        self.image.dwarf.lines.row_at(addr).map(|r| r.file)
    }

    /// Sets a breakpoint at a location written as the command language writes it; returns its
    /// number.
    pub fn set_breakpoint(
        &mut self,
        location: &str,
        condition: Option<String>,
        temporary: bool,
    ) -> Result<u32, Error> {
        self.break_at(&Location::parse(location)?, condition, temporary)
    }

    /// Sets a breakpoint; returns its number. A condition that does not parse is refused, with
    /// its column.
    pub fn break_at(
        &mut self,
        location: &Location,
        condition: Option<String>,
        temporary: bool,
    ) -> Result<u32, Error> {
        let limits = self.debug.limits.clone();
        if self.points.breakpoints.len() as u64 >= limits.max_source_breakpoints {
            return Err(runtime_core::Error::DebugCapacity {
                limit: "max_source_breakpoints",
                allowed: limits.max_source_breakpoints,
                platform: limits.platform,
                debug_level: limits.debug_level,
            }
            .into());
        }
        let addrs = self.resolve(location)?;
        if let Some(c) = &condition {
            self.check_expression(c)?;
        }
        let number = self.points.next_number;
        self.points.breakpoints.push(UserBreakpoint {
            number,
            location: location.to_string(),
            addrs,
            condition,
            ignore: 0,
            hits: 0,
            enabled: true,
            temporary,
        });
        if let Err(e) = self.rearm() {
            self.points.breakpoints.pop();
            self.rearm()?;
            return Err(e);
        }
        self.points.next_number += 1;
        Ok(number)
    }

    /// Deletes breakpoint or watchpoint `number`, or all of them.
    pub fn delete(&mut self, number: Option<u32>) -> Result<(), Error> {
        let before = self.points.breakpoints.len() + self.points.watches.len();
        let keep = |n: u32| number.is_some_and(|x| x != n);
        self.points.breakpoints.retain(|b| keep(b.number));
        let (kept, gone): (Vec<_>, Vec<_>) =
            self.points.watches.drain(..).partition(|w| keep(w.number));
        for w in gone {
            self.debug.watches.remove(w.slot);
            if let Some(t) = self.process.target.as_mut() {
                t.watch(w.addr, w.len.into(), w.kind, false)?;
            }
        }
        self.points.watches = kept;
        if number.is_some() && before == self.points.breakpoints.len() + self.points.watches.len() {
            return Err(Error::NoBreakpoint(number.unwrap_or(0)));
        }
        self.rearm()
    }

    /// Enables or disables breakpoint `number`.
    pub fn set_enabled(&mut self, number: u32, enabled: bool) -> Result<(), Error> {
        let bp = self
            .points
            .breakpoints
            .iter_mut()
            .find(|b| b.number == number)
            .ok_or(Error::NoBreakpoint(number))?;
        bp.enabled = enabled;
        self.rearm()
    }

    /// Sets how many hits of breakpoint `number` pass without stopping.
    pub fn set_ignore(&mut self, number: u32, count: u64) -> Result<(), Error> {
        let bp = self
            .points
            .breakpoints
            .iter_mut()
            .find(|b| b.number == number)
            .ok_or(Error::NoBreakpoint(number))?;
        bp.ignore = count;
        Ok(())
    }

    /// Makes the armed sites match the enabled breakpoints: disarms the sites no longer wanted,
    /// arms the new ones. A full table is an error naming the limit.
    pub(crate) fn rearm(&mut self) -> Result<(), Error> {
        let wanted: Vec<(u32, u32)> = self
            .points
            .breakpoints
            .iter()
            .filter(|b| b.enabled)
            .flat_map(|b| b.addrs.iter().filter_map(|&a| self.site(a)))
            .chain(
                self.points
                    .watches
                    .iter()
                    .filter_map(|w| w.scope.map(|s| s.site)),
            )
            .collect();
        let Some(target) = self.process.target.as_mut() else {
            return Ok(());
        };
        for site in self.points.armed.clone() {
            if !wanted.contains(&site) {
                target.disarm(&mut self.debug, site)?;
                self.points.armed.retain(|&s| s != site);
            }
        }
        for site in wanted {
            if !self.points.armed.contains(&site) {
                target.arm(&mut self.debug, site)?;
                self.points.armed.push(site);
            }
        }
        Ok(())
    }

    /// Sets a watchpoint on `len` bytes at `addr`; `expr` and `ty` say what the user watched.
    pub fn set_watch(
        &mut self,
        expr: &str,
        addr: u64,
        len: u32,
        ty: Ty,
        kind: WatchKind,
    ) -> Result<u32, Error> {
        if len == 0 || len > MAX_WATCH_LEN {
            return Err(Error::Value(format!(
                "a watchpoint covers 1 to {MAX_WATCH_LEN} bytes; `{expr}` is {len}"
            )));
        }
        let old = self.read_memory(addr, len as usize)?;
        let mut bytes = [0u8; MAX_WATCH_LEN as usize];
        bytes[..old.len()].copy_from_slice(&old);
        let slot = self.debug.watches.insert(
            Watch {
                addr: u32::try_from(addr).map_err(|_| {
                    Error::Value(format!("`{expr}` is at {addr:#x}, past a 32-bit memory"))
                })?,
                len,
                kind,
                old: bytes,
            },
            &self.debug.limits,
        )?;
        if let Some(Err(e)) = self
            .process
            .target
            .as_mut()
            .map(|t| t.watch(addr, len.into(), kind, true))
        {
            self.debug.watches.remove(slot);
            return Err(e);
        }
        let number = self.points.next_number;
        self.points.next_number += 1;
        self.points.watches.push(UserWatch {
            number,
            expr: expr.to_string(),
            addr,
            len,
            kind,
            ty,
            old,
            hits: 0,
            slot,
            scope: None,
        });
        Ok(number)
    }

    /// Scopes watchpoint `number` to the selected frame when `expr` uses its variables: it is
    /// deleted when that frame returns. The return is seen at a site armed in the caller.
    pub(crate) fn scope_watch(&mut self, number: u32, expr: &str) -> Result<(), Error> {
        let Ok(f) = self.selected_frame() else {
            return Ok(());
        };
        let names: Vec<String> = self
            .frame_vars(&f)?
            .into_iter()
            .map(|(v, _)| v.name)
            .collect();
        let uses_frame = crate::expr::lex(expr).is_ok_and(|toks| {
            toks.iter()
                .any(|(t, _)| matches!(t, crate::expr::Tok::Ident(n) if names.contains(n)))
        });
        let caller = f
            .wasm
            .checked_sub(1)
            .and_then(|i| self.wasm_frames().get(i));
        let (true, Some(caller)) = (uses_frame, caller) else {
            return Ok(());
        };
        let scope = WatchScope {
            frames: f.wasm + 1,
            site: (caller.func, caller.pc),
        };
        if let Some(w) = self.points.watches.iter_mut().find(|w| w.number == number) {
            w.scope = Some(scope);
        }
        if let Err(e) = self.rearm() {
            self.delete(Some(number))?;
            return Err(e);
        }
        Ok(())
    }

    /// The scoped watchpoint whose frame has returned to `site`, deleted: a deeper call of the
    /// same function returning there leaves it be.
    pub(crate) fn watch_out_of_scope(&mut self, site: (u32, u32)) -> Result<Option<u32>, Error> {
        let depth = self.wasm_frames().len();
        let gone = self
            .points
            .watches
            .iter()
            .find(|w| w.scope.is_some_and(|s| s.site == site && depth < s.frames))
            .map(|w| w.number);
        if let Some(n) = gone {
            self.delete(Some(n))?;
        }
        Ok(gone)
    }
}

impl Session {
    /// Breakpoint `b` as a front-end lists it, each location with its function and line.
    pub fn breakpoint_report(&self, b: &UserBreakpoint) -> report::Breakpoint {
        let locations = b
            .addrs
            .iter()
            .map(|&addr| {
                // The line a stop there reports: an inlined call's site when the address is its
                // entry, unless the breakpoint names the inlined code.
                let stack = self.image.dwarf.frames(addr).unwrap_or_default();
                let hidden = if self.names_inlined(&b.location, addr, &stack) {
                    0
                } else {
                    crate::inline::entries(&self.image.dwarf, addr, &stack)
                };
                let loc = stack
                    .get(hidden)
                    .and_then(|f| f.loc.clone())
                    .filter(|l| l.line != 0);
                report::Location {
                    addr,
                    function: self.image.dwarf.function_at(addr).map(|f| f.name.clone()),
                    file: loc.as_ref().and_then(|l| l.file.clone()),
                    line: loc.map(|l| l.line),
                }
            })
            .collect();
        report::Breakpoint {
            number: b.number,
            kind: report::BreakpointKind::Breakpoint {
                location: b.location.clone(),
                locations,
            },
            enabled: b.enabled,
            condition: b.condition.clone(),
            ignore: b.ignore,
            hits: b.hits,
            temporary: b.temporary,
        }
    }

    /// Watchpoint `w` as a front-end lists it.
    pub fn watch_report(&self, w: &UserWatch) -> report::Breakpoint {
        report::Breakpoint {
            number: w.number,
            kind: report::BreakpointKind::Watchpoint {
                access: w.kind,
                expr: w.expr.clone(),
                addr: w.addr,
                len: w.len,
            },
            enabled: true,
            condition: None,
            ignore: 0,
            hits: w.hits,
            temporary: false,
        }
    }

    /// Every breakpoint, then every watchpoint.
    pub fn breakpoint_list(&self) -> Vec<report::Breakpoint> {
        self.points
            .breakpoints
            .iter()
            .map(|b| self.breakpoint_report(b))
            .chain(self.points.watches.iter().map(|w| self.watch_report(w)))
            .collect()
    }

    /// Sets the condition of breakpoint `number` (`None` removes it); one that does not parse is
    /// refused now, with its column, not where the breakpoint is hit.
    pub fn set_condition(&mut self, number: u32, condition: Option<String>) -> Result<(), Error> {
        let i = self
            .points
            .breakpoints
            .iter()
            .position(|b| b.number == number)
            .ok_or(Error::NoBreakpoint(number))?;
        if let Some(c) = &condition {
            self.check_expression(c)?;
        }
        self.points.breakpoints[i].condition = condition;
        Ok(())
    }
}
