//! Our DWARF address lookups against LLVM's: for every recorded line-table address of each fixture,
//! the inlined frames (function, file, line, column) must equal what `llvm-addr2line-19` reported
//! (recorded by `tests/fixtures/dwarf-expect.py`). Also the DWARF budget and malformed DWARF.

use std::path::PathBuf;

use debugger::dwarf::DwarfInfo;
use runtime_core::Module;
use runtime_core::limits::preset::{embedded_minimal, linux_production};
use runtime_core::limits::{AsilLevel, DebugLevel, EmbeddedPlatform, GIB};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn load(name: &str) -> (Vec<u8>, Module) {
    let bytes = std::fs::read(fixtures().join("wasm").join(format!("{name}.wasm"))).unwrap();
    let module = Module::new_for_debugging(&bytes).unwrap();
    (bytes, module)
}

fn roomy() -> runtime_core::limits::PlatformLimits {
    let mut l = linux_production(4 * GIB, AsilLevel::QM, DebugLevel::FullDebug);
    l.max_dwarf_section_size = 64 << 20;
    l
}

#[test]
fn frames_match_llvm_addr2line() {
    for name in [
        "c-recursion-O0",
        "c-recursion-O2",
        "c-vec-O0",
        "c-vec-O2",
        "c-floats-O2",
        "rust-demo",
    ] {
        let (bytes, module) = load(name);
        let dwarf = DwarfInfo::load(module.custom_sections(), &bytes, &roomy()).unwrap();
        assert!(dwarf.refused.is_empty(), "{:?}", dwarf.refused);
        let expected =
            std::fs::read_to_string(fixtures().join(format!("expected/{name}.frames.tsv")))
                .unwrap();
        let mut by_addr: std::collections::BTreeMap<u64, Vec<Vec<&str>>> = Default::default();
        for line in expected.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            by_addr.entry(f[0].parse().unwrap()).or_default().push(f);
        }
        let mut inlined = 0;
        let mut from_symbols = 0;
        for (addr, want) in &by_addr {
            let got = dwarf.frames(*addr).unwrap();
            // Where DWARF knows nothing (an end-of-sequence address between functions) LLVM prints
            // one frame without a file: `??` or the symbol name.
            let want: Vec<_> = want.iter().filter(|w| w[3..] != ["-", "0", "0"]).collect();
            assert_eq!(got.len(), want.len(), "{name} {addr:#x}: {got:?}");
            inlined += usize::from(got.len() > 1);
            for (depth, (g, w)) in got.iter().zip(&want).enumerate() {
                let l = g.loc.as_ref().unwrap();
                let got_row = [
                    g.function.as_deref().unwrap_or("-").to_string(),
                    l.file.as_deref().unwrap_or("-").to_string(),
                    l.line.to_string(),
                    l.column.to_string(),
                ];
                // Line 0 marks code with no source position; LLVM still prints the row's column, we
                // report none.
                let mut want_row = [w[2], w[3], w[4], if w[4] == "0" { "0" } else { w[5] }];
                // For the outermost frame LLVM prints a name from its symbol table, not DWARF, and
                // for Wasm that lookup is unreliable (it names `.rodata` inside `ackermann`): there we
                // only ask for a DWARF name. Inlined frames' names must match exactly.
                if depth == got.len() - 1 {
                    assert!(
                        g.function.is_some(),
                        "{name} {addr:#x}: outermost frame has a name"
                    );
                    want_row[0] = g.function.as_deref().unwrap();
                    from_symbols += usize::from(Some(w[2]) != g.function.as_deref());
                }
                assert_eq!(got_row, want_row, "{name} {addr:#x}");
            }
        }
        assert!(by_addr.len() > 500, "{name}");
        println!(
            "{name}: {} addresses, {inlined} with inlined frames, {from_symbols} outermost names differing from LLVM's symbol-table names",
            by_addr.len()
        );
        if name.ends_with("O2") || name.starts_with("rust") {
            assert!(inlined > 0, "{name}: some inlined frames");
        }
    }
}

#[test]
fn budget_refuses_sections_and_the_session_goes_on() {
    let (bytes, module) = load("c-recursion-O0");
    let tiny = embedded_minimal(64 << 10, EmbeddedPlatform::Zephyr, true);
    let dwarf = DwarfInfo::load(module.custom_sections(), &bytes, &tiny).unwrap();
    assert!(!dwarf.refused.is_empty());
    assert!(
        dwarf
            .refused
            .iter()
            .all(|r| r.reason.contains("max_dwarf_section_size")),
        "{:?}",
        dwarf.refused
    );
    assert!(
        dwarf.frames(0x10).is_ok(),
        "the session goes on without them"
    );
    let mut two = roomy();
    two.max_debug_sections = 2;
    let dwarf = DwarfInfo::load(module.custom_sections(), &bytes, &two).unwrap();
    let present = module
        .custom_sections()
        .iter()
        .filter(|c| debugger::dwarf::SECTIONS.contains(&c.name.as_str()))
        .count();
    assert_eq!(dwarf.refused.len(), present - 2);
    assert!(
        dwarf
            .refused
            .iter()
            .all(|r| r.reason == "limit `max_debug_sections` reached: 2 allowed")
    );
    let off = linux_production(GIB, AsilLevel::QM, DebugLevel::None);
    let none = DwarfInfo::load(module.custom_sections(), &bytes, &off).unwrap();
    assert!(none.frames(0x10).unwrap().is_empty());
    assert!(none.refused.is_empty());
}

#[test]
fn malformed_dwarf_never_panics() {
    let (bytes, module) = load("c-vec-O0");
    let info = module
        .custom_sections()
        .iter()
        .find(|c| c.name == ".debug_info")
        .unwrap()
        .range
        .clone();
    let line = module
        .custom_sections()
        .iter()
        .find(|c| c.name == ".debug_line")
        .unwrap()
        .range
        .clone();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for round in 0..200 {
        let mut broken = bytes.clone();
        let target = if round % 2 == 0 { &info } else { &line };
        for _ in 0..1 + round % 8 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = target.start + (seed as usize) % target.len();
            broken[at] = (seed >> 32) as u8;
        }
        if let Ok(dwarf) = DwarfInfo::load(module.custom_sections(), &broken, &roomy()) {
            for addr in (0..0x3000).step_by(97) {
                let _ = dwarf.frames(addr);
                let _ = dwarf.location(addr);
            }
        }
    }
    // Truncated sections: every DWARF section cut to a prefix, the module re-encoded around it.
    for cut in [0usize, 1, 7, 64, 1000] {
        let b = truncate_debug_sections(&bytes, cut);
        assert!(b.len() < bytes.len(), "cut to {cut}");
        let module = Module::new_for_debugging(&b).unwrap();
        let cut_to = module
            .custom_sections()
            .iter()
            .filter(|c| c.name.starts_with(".debug_"))
            .map(|c| c.range.len())
            .max()
            .unwrap();
        assert!(cut_to <= cut, "sections really are {cut_to} bytes");
        if let Ok(dwarf) = DwarfInfo::load(module.custom_sections(), &b, &roomy()) {
            for addr in (0..0x3000).step_by(97) {
                let _ = dwarf.frames(addr);
                let _ = dwarf.location(addr);
            }
        }
    }
}

/// `bytes` with the contents of custom section `name` of `module` overwritten by 0xff bytes.
fn garbage_in(bytes: &[u8], module: &Module, name: &str) -> Vec<u8> {
    let range = module
        .custom_sections()
        .iter()
        .find(|c| c.name == name)
        .unwrap()
        .range
        .clone();
    let mut broken = bytes.to_vec();
    broken[range].fill(0xff);
    broken
}

#[test]
fn garbage_in_the_line_table_is_named_and_the_functions_are_still_read() {
    let (bytes, module) = load("c-vec-O0");
    let whole = DwarfInfo::load(module.custom_sections(), &bytes, &roomy()).unwrap();
    assert!(whole.damaged.is_empty(), "{:?}", whole.damaged);
    let scale = whole.functions_named("scale")[0].low;
    let broken = garbage_in(&bytes, &module, ".debug_line");
    let dwarf = DwarfInfo::load(module.custom_sections(), &broken, &roomy()).unwrap();
    // Every unit's line program is garbage, and only those: each is named by its offset.
    let first = dwarf.damaged.first().map(|d| (d.section, d.offset));
    assert_eq!(first, Some((".debug_line", 0)), "{:?}", dwarf.damaged);
    assert_eq!(
        dwarf.damaged.len(),
        whole.units_len(),
        "{:?}",
        dwarf.damaged
    );
    assert!(
        dwarf.damaged.iter().all(|d| d.section == ".debug_line"),
        "{:?}",
        dwarf.damaged
    );
    assert!(dwarf.lines.row_at(scale).is_none(), "no line is read");
    for name in ["main", "scale", "dot", "add"] {
        assert_eq!(
            dwarf.functions_named(name).len(),
            1,
            "{name} is still known"
        );
    }
    let frames = dwarf.frames(scale + 1).unwrap();
    assert_eq!(frames.len(), 1, "{frames:?}");
    assert_eq!(frames[0].function.as_deref(), Some("scale"));
    assert_eq!(frames[0].loc, None, "{frames:?}");
}

#[test]
fn garbage_in_the_unit_entries_is_named_with_the_unit_offset() {
    let (bytes, module) = load("c-vec-O0");
    let broken = garbage_in(&bytes, &module, ".debug_info");
    let dwarf = DwarfInfo::load(module.custom_sections(), &broken, &roomy()).unwrap();
    assert!(
        dwarf
            .damaged
            .iter()
            .any(|d| d.section == ".debug_info" && d.offset == 0),
        "{:?}",
        dwarf.damaged
    );
    assert!(dwarf.functions.is_empty());
}

/// `wasm` with the payload of every `.debug_*` custom section cut to its first `cut` bytes.
fn truncate_debug_sections(wasm: &[u8], cut: usize) -> Vec<u8> {
    fn leb(b: &[u8], at: &mut usize) -> usize {
        let (mut n, mut shift) = (0usize, 0);
        loop {
            let byte = b[*at];
            *at += 1;
            n |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            if byte < 0x80 {
                return n;
            }
        }
    }
    fn put_leb(out: &mut Vec<u8>, mut n: usize) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    let mut out = wasm[..8].to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = leb(wasm, &mut at);
        let payload = &wasm[at..at + size];
        at += size;
        let mut name_at = 0;
        let name_len = if id == 0 {
            leb(payload, &mut name_at)
        } else {
            0
        };
        let name = &payload[name_at..name_at + name_len];
        let payload = if id == 0 && name.starts_with(b".debug_") {
            let data = &payload[name_at + name_len..];
            let mut p = payload[..name_at + name_len].to_vec();
            p.extend_from_slice(&data[..cut.min(data.len())]);
            p
        } else {
            payload.to_vec()
        };
        out.push(id);
        put_leb(&mut out, payload.len());
        out.extend_from_slice(&payload);
    }
    out
}
