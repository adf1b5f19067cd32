//! Malformed DWARF: any bytes as the `.debug_*` sections of a module must give errors, not panics
//! or hangs, through loading and every query the debugger makes of them.
#![no_main]

use std::rc::Rc;

use debugger::dwarf::{DwarfInfo, Place, SECTIONS, Ty, WasmState};
use debugger::value::{Format, Printer, Value};
use libfuzzer_sys::fuzz_target;

/// A stopped program whose every local, global, slot and byte reads as a small number.
struct Zeros;

impl WasmState for Zeros {
    fn local(&self, index: u32) -> Result<Option<u64>, debugger::Error> {
        Ok(Some(u64::from(index) * 16))
    }
    fn global(&self, _: u32) -> Result<Option<u64>, debugger::Error> {
        Ok(Some(0x1000))
    }
    fn stack(&self, index: u32) -> Result<Option<u64>, debugger::Error> {
        Ok((index < 4).then_some(8))
    }
    fn memory(&self, addr: u64, len: usize) -> Result<Vec<u8>, debugger::Error> {
        (addr < 0x10000 && len <= 4096)
            .then(|| vec![1; len])
            .ok_or(debugger::Error::Memory { addr, len, size: 0x10000 })
    }
}

/// Splits the input into sections: a byte choosing the section, two bytes of length, the bytes.
fn sections(mut data: &[u8]) -> Vec<(&'static str, Rc<[u8]>)> {
    let mut out = Vec::new();
    while let [which, lo, hi, rest @ ..] = data {
        let len = usize::from(u16::from_le_bytes([*lo, *hi])).min(rest.len());
        out.push((SECTIONS[usize::from(*which) % SECTIONS.len()], Rc::from(&rest[..len])));
        data = &rest[len..];
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let parts = sections(data);
    let Ok(dwarf) = DwarfInfo::from_sections(
        |id| parts.iter().find(|(n, _)| *n == id.name()).map(|(_, b)| b.clone()),
        Vec::new(),
    ) else {
        return;
    };
    let state = Zeros;
    let printer = Printer { dwarf: &dwarf, state: &state, format: Format::Natural };
    for f in dwarf.functions.iter().take(64) {
        let _ = dwarf.frames(f.low);
        let _ = dwarf.after_prologue(f);
        let Ok(scopes) = dwarf.scopes(f.low) else { continue };
        let base = scopes.first().and_then(|s| dwarf.frame_base(s, f.low, &state).ok().flatten());
        for v in scopes.iter().flat_map(|s| &s.vars).take(64) {
            let place = dwarf.place(v, f.low, base, &state).unwrap_or(Place::OptimizedOut);
            let _ = dwarf.type_name(&v.ty);
            let _ = printer.top(&Value { ty: v.ty.clone(), place });
        }
    }
    if let Ok(globals) = dwarf.globals() {
        for g in globals.iter().take(64) {
            let place = dwarf.place(g, 0, None, &state).unwrap_or(Place::OptimizedOut);
            let _ = printer.top(&Value { ty: g.ty.clone(), place });
        }
    }
    let files: Vec<u32> = (0..dwarf.lines.files.len() as u32).collect();
    let _ = dwarf.lines.line_addresses(&files, 1);
    let _ = printer.top(&Value { ty: Ty::Void, place: Place::Memory(0) });
});
