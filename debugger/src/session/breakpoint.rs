//! The session's breakpoints and watchpoints: set, enabled, conditioned and counted on the
//! user's numbers (the points part), armed in the target as sites.

use crate::breakpoint::*;
use crate::dwarf::Ty;
use crate::error::Error;
use crate::report;
use crate::session::Session;
use runtime_core::debug::{MAX_WATCH_LEN, Watch, WatchKind};

impl Session {
    /// The code offsets a location means, and a description of where they are.
    pub fn resolve(&self, location: &str) -> Result<Vec<u64>, Error> {
        let nowhere = || Error::Usage(format!("No location matches \"{location}\"."));
        if let Some(off) = location.strip_prefix('*') {
            let addr = crate::request::integer(off, 0, u32::MAX.into())? as u64;
            // An offset the module's code cannot reach is nowhere (it must not wrap into it).
            u32::try_from(addr + self.image.code_start)
                .ok()
                .and_then(|_| self.site(addr))
                .ok_or_else(nowhere)?;
            return Ok(vec![addr]);
        }
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        let (file, line) = match location.rsplit_once(':') {
            Some((f, l)) if digits(l) => (Some(f), Some(l)),
            _ if digits(location) => (None, Some(location)),
            _ => (None, None),
        };
        if let Some(line) = line {
            // A line number is decimal, as gdb reads it; all digits, it fails only past `u32`.
            let line: u32 = line.parse().map_err(|_| {
                Error::Usage(format!("`{line}` is too large: at most {}", u32::MAX))
            })?;
            let files = match file {
                Some(f) => self.image.dwarf.lines.files_named(f),
                None => self.default_file().into_iter().collect(),
            };
            if files.is_empty() {
                return Err(Error::Usage(format!(
                    "No source file named {}.",
                    file.unwrap_or("(current)")
                )));
            }
            let (_, addrs) = self
                .image
                .dwarf
                .lines
                .line_addresses(&files, line)
                .ok_or_else(nowhere)?;
            // One location per function: the lowest address where the line starts.
            let mut best: Vec<(u64, u64)> = Vec::new();
            for a in addrs {
                let f = self.image.dwarf.function_at(a).map_or(a, |f| f.low);
                match best.iter_mut().find(|(func, _)| *func == f) {
                    Some(b) => b.1 = b.1.min(a),
                    None => best.push((f, a)),
                }
            }
            return Ok(best.into_iter().map(|(_, a)| a).collect());
        }
        let mut addrs: Vec<u64> = self
            .image
            .dwarf
            .functions_named(location)
            .into_iter()
            .map(|f| self.image.dwarf.after_prologue(f))
            .chain(
                self.image
                    .dwarf
                    .inlined_named(location)
                    .into_iter()
                    .map(|f| f.low),
            )
            .collect();
        if addrs.is_empty() {
            addrs.extend(self.named_without_dwarf(location));
        }
        addrs.sort_unstable();
        addrs.dedup();
        if addrs.is_empty() {
            return Err(Error::Usage(format!(
                "Function \"{location}\" not defined."
            )));
        }
        Ok(addrs)
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

    /// Sets a breakpoint; returns its number. A condition that does not parse is refused, with
    /// its column.
    pub fn set_breakpoint(
        &mut self,
        location: &str,
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
            return Err(Error::Usage(format!(
                "No breakpoint number {}.",
                number.unwrap_or(0)
            )));
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
            .ok_or_else(|| Error::Usage(format!("No breakpoint number {number}.")))?;
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
            .ok_or_else(|| Error::Usage(format!("No breakpoint number {number}.")))?;
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
            return Err(Error::Usage(format!(
                "a watchpoint covers 1 to {MAX_WATCH_LEN} bytes; `{expr}` is {len}"
            )));
        }
        let old = self.read_memory(addr, len as usize)?;
        let mut bytes = [0u8; MAX_WATCH_LEN as usize];
        bytes[..old.len()].copy_from_slice(&old);
        let slot = self.debug.watches.insert(
            Watch {
                addr: u32::try_from(addr).map_err(|_| {
                    Error::Usage(format!("`{expr}` is at {addr:#x}, past a 32-bit memory"))
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
        });
        Ok(number)
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
                access: w.kind.into(),
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
            .ok_or_else(|| Error::Usage(format!("No breakpoint number {number}.")))?;
        if let Some(c) = &condition {
            self.check_expression(c)?;
        }
        self.points.breakpoints[i].condition = condition;
        Ok(())
    }
}
