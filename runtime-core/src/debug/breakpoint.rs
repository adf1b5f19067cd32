//! Breakpoints armed by patching the internal code: the instruction at the pc is swapped for
//! [`Instr::Break`] and kept here, so unhit breakpoints cost nothing while the program runs.

use crate::error::Error;
use crate::error::Trap;
use crate::exec::{Hook, Outcome, Thread};
use crate::instr::Instr;
use crate::limits::PlatformLimits;
use crate::store::Store;

use super::table::Table;

/// One armed breakpoint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Breakpoint {
    /// Store address of the function.
    pub func: u32,
    /// Internal pc the break marker sits at.
    pub pc: u32,
    /// Times it was reached.
    pub hits: u64,
}

/// The breakpoint table, sized by `max_breakpoints`.
#[derive(Debug)]
pub struct Breakpoints {
    table: Table<Breakpoint>,
}

impl Breakpoints {
    /// A table of `capacity` breakpoints, allocated now (or an error naming `max_breakpoints`).
    pub fn new(capacity: u64) -> Result<Self, Error> {
        Ok(Breakpoints {
            table: Table::new(capacity, "max_breakpoints")?,
        })
    }

    /// Arms a breakpoint at internal `pc` of function `func`; returns its id.
    pub fn arm(
        &mut self,
        store: &mut Store,
        func: u32,
        pc: u32,
        limits: &PlatformLimits,
    ) -> Result<u32, Error> {
        let current = store
            .func_body(func)
            .and_then(|b| b.instr(pc))
            .ok_or(Error::NoSuchCode { func, pc })?;
        if let Instr::Break(id) = current {
            return Ok(id);
        }
        let id = self
            .table
            .insert(Breakpoint { func, pc, hits: 0 }, limits)?;
        store.set_break(func, pc, id)?;
        Ok(id)
    }

    /// Restores the original instruction and forgets breakpoint `id`.
    pub fn disarm(&mut self, store: &mut Store, id: u32) -> Option<Breakpoint> {
        let bp = self.table.remove(id)?;
        store.clear_break(bp.func, bp.pc);
        Some(bp)
    }

    /// Forgets every breakpoint without touching code: for when their program was dropped, which
    /// put back what they covered.
    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// The breakpoint with `id`.
    pub fn get(&self, id: u32) -> Option<&Breakpoint> {
        self.table.get(id)
    }

    /// Every armed breakpoint with its id.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Breakpoint)> {
        self.table.iter()
    }

    /// Counts a hit of breakpoint `id`.
    pub fn hit(&mut self, id: u32) {
        if let Some(bp) = self.table.get_mut(id) {
            bp.hits += 1;
        }
    }

    /// Breakpoints armed.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether none is armed.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The number of breakpoints this table can hold.
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// Executes the instruction under breakpoint `id` (the thread stands on its marker) with
    /// `hook`'s memory-access checks, and re-arms it: how a stopped thread moves off a breakpoint.
    /// A watched access by that instruction ends it with [`Outcome::Watchpoint`].
    pub fn step_over<H: Hook>(
        &self,
        store: &mut Store,
        thread: &mut Thread,
        id: u32,
        hook: &mut H,
    ) -> Result<Outcome, Trap> {
        let Some(bp) = self.table.get(id) else {
            return thread.step_with_hook(store, hook);
        };
        store.clear_break(bp.func, bp.pc);
        let out = thread.step_with_hook(store, hook);
        // The marker goes back where it was; its site held code a moment ago, so this cannot fail.
        let _ = store.set_break(bp.func, bp.pc, id);
        out
    }
}
