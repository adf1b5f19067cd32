//! The streaming validator against every limit it checks, with modules generated here from text:
//! each limit is set to N, a module needing exactly N passes and one needing N + 1 stops the pass
//! with an error naming that limit, the value found and the value allowed. Also: chunked reading,
//! skipped debug sections, fail-fast reading, the component walk and malformed input.

use std::io::Read;

use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, GIB, PlatformLimits};
use runtime_core::validate::{ModuleRequirements, StreamValidator, validate_bytes, validate_read};
use runtime_core::{Error, Extern, Module, Val};

fn base() -> PlatformLimits {
    linux_production(GIB, AsilLevel::QM, DebugLevel::FullDebug)
}

fn wasm(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// A module text repeating `item` `n` times inside `(module ...)`.
fn module_of(n: u64, item: &str) -> String {
    format!("(module {})", item.repeat(n as usize))
}

fn custom(n: u64, name: &str, size: usize) -> String {
    let data = "a".repeat(size);
    format!(
        "(module {})",
        format!("(@custom \"{name}\" \"{data}\")").repeat(n as usize)
    )
}

struct Case {
    limit: &'static str,
    value: u64,
    /// The smallest need past `value` a module can express (memory comes in pages).
    past: u64,
    /// The module needing `n` of the limited thing.
    module: fn(u64) -> String,
}

const PAGE: u64 = 65536;

fn cases() -> Vec<Case> {
    vec![
        Case {
            limit: "max_functions",
            value: 5,
            past: 5 + 1,
            module: |n| module_of(n, "(func)"),
        },
        Case {
            limit: "max_functions",
            value: 3,
            past: 3 + 1,
            module: |n| module_of(n, "(import \"env\" \"f\" (func))"),
        },
        Case {
            limit: "max_function_locals",
            value: 10,
            past: 10 + 1,
            module: |n| {
                format!(
                    "(module (func (param i32) {}))",
                    "(local i64)".repeat(n as usize - 1)
                )
            },
        },
        Case {
            limit: "max_block_nesting",
            value: 40,
            past: 40 + 1,
            // The function's own block is the first level.
            module: |n| {
                let depth = n as usize - 1;
                format!(
                    "(module (func {}{}))",
                    "(block ".repeat(depth),
                    ")".repeat(depth)
                )
            },
        },
        Case {
            limit: "max_globals",
            value: 4,
            past: 4 + 1,
            module: |n| module_of(n, "(global i32 (i32.const 0))"),
        },
        Case {
            limit: "max_table_elements",
            value: 100,
            past: 100 + 1,
            module: |n| format!("(module (table {n} funcref))"),
        },
        Case {
            limit: "max_wasm_linear_memory",
            value: 3 * PAGE,
            past: 4 * PAGE,
            module: |n| format!("(module (memory {}))", n / PAGE),
        },
        Case {
            limit: "max_wasm_linear_memory",
            value: 2 * PAGE,
            past: 3 * PAGE,
            module: |n| format!("(module (memory 1 {}))", n / PAGE),
        },
        Case {
            limit: "max_wasm_linear_memory",
            value: 100,
            past: 100 + 1,
            module: |n| {
                format!(
                    "(module (memory 0) (data (i32.const 0) \"{}\"))",
                    "x".repeat(n as usize)
                )
            },
        },
        Case {
            limit: "max_debug_sections",
            value: 3,
            past: 3 + 1,
            module: |n| custom(n, ".debug_info", 4),
        },
        Case {
            limit: "max_dwarf_section_size",
            value: 300,
            past: 300 + 1,
            module: |n| custom(1, ".debug_line", n as usize),
        },
        Case {
            limit: "max_components",
            value: 3,
            past: 3 + 1,
            module: |n| format!("(component {})", "(component)".repeat(n as usize - 1)),
        },
        Case {
            limit: "max_component_nesting",
            value: 3,
            past: 3 + 1,
            module: |n| {
                format!(
                    "{}{}",
                    "(component ".repeat(n as usize),
                    ")".repeat(n as usize)
                )
            },
        },
        Case {
            limit: "max_component_instances",
            value: 2,
            past: 2 + 1,
            module: |n| {
                format!(
                    "(component (core module $m) {})",
                    "(core instance (instantiate $m))".repeat(n as usize)
                )
            },
        },
        Case {
            limit: "max_component_types",
            value: 4,
            past: 4 + 1,
            module: |n| format!("(component {})", "(type (func))".repeat(n as usize)),
        },
        Case {
            limit: "max_resource_types",
            value: 2,
            past: 2 + 1,
            module: |n| {
                format!(
                    "(component {})",
                    "(type (resource (rep i32)))".repeat(n as usize)
                )
            },
        },
        Case {
            limit: "max_imports_per_component",
            value: 2,
            past: 2 + 1,
            module: |n| {
                let imports: String = (0..n)
                    .map(|i| format!("(import \"f{i}\" (func))"))
                    .collect();
                format!("(component {imports})")
            },
        },
        Case {
            limit: "max_exports_per_component",
            value: 2,
            past: 2 + 1,
            module: |n| {
                let exports: String = (0..n)
                    .map(|i| format!("(export \"f{i}\" (func $f))"))
                    .collect();
                format!("(component (import \"f\" (func $f)) {exports})")
            },
        },
    ]
}

#[test]
fn every_limit_at_and_past_its_value() {
    for case in cases() {
        let mut limits = base();
        limits.set(case.limit, case.value).unwrap();
        let at = wasm(&(case.module)(case.value));
        validate_bytes(&at, &limits)
            .unwrap_or_else(|e| panic!("{} = {}: at the limit: {e}", case.limit, case.value));
        let past = wasm(&(case.module)(case.past));
        match validate_bytes(&past, &limits) {
            Err(Error::ModuleLimit {
                limit,
                found,
                allowed,
                offset,
            }) => {
                assert_eq!(limit, case.limit);
                assert_eq!((found, allowed), (case.past, case.value), "{}", case.limit);
                assert!(
                    offset < past.len() as u64,
                    "{}: offset {offset}",
                    case.limit
                );
            }
            other => panic!(
                "{} = {}: past the limit gave {other:?}",
                case.limit, case.value
            ),
        }
    }
}

/// Reads one byte at a time, counting what was read.
struct Trickle<'a> {
    bytes: &'a [u8],
    read: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(1).min(self.bytes.len() - self.read);
        buf[..n].copy_from_slice(&self.bytes[self.read..self.read + n]);
        self.read += n;
        Ok(n)
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/fixtures/wasm/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn byte_by_byte_reading_measures_the_same() {
    for name in ["c-recursion-O0.wasm", "rust-demo.wasm", "kernels.wasm"] {
        let bytes = fixture(name);
        for level in [DebugLevel::None, DebugLevel::FullDebug] {
            let mut limits = base();
            limits.debug_level = level;
            limits.max_dwarf_section_size = GIB;
            let whole = validate_bytes(&bytes, &limits).unwrap();
            let trickled = validate_read(
                Trickle {
                    bytes: &bytes,
                    read: 0,
                },
                &limits,
            )
            .unwrap();
            assert_eq!(whole, trickled, "{name}");
            assert_eq!(whole.binary_bytes, bytes.len() as u64);
            assert_eq!(whole.debug_skipped, level == DebugLevel::None);
        }
    }
    let req = validate_bytes(&fixture("c-recursion-O0.wasm"), &base()).unwrap();
    assert_eq!(req.debug_sections, 7, "{req:?}");
    assert!(req.debug_bytes > 60_000);
}

#[test]
fn debug_sections_stream_past_without_being_held() {
    let big = 4 << 20;
    let text = format!(
        "(module (func (export \"f\") (result i32) i32.const 7) (@custom \".debug_info\" \"{}\"))",
        "d".repeat(big)
    );
    let bytes = wasm(&text);
    for level in [DebugLevel::None, DebugLevel::FullDebug] {
        let mut limits = base();
        limits.debug_level = level;
        limits.max_dwarf_section_size = GIB;
        let mut v = StreamValidator::new(&limits);
        let mut done: Option<ModuleRequirements> = None;
        for (i, chunk) in bytes.chunks(64 * 1024).enumerate() {
            let last = (i + 1) * 64 * 1024 >= bytes.len();
            done = v.push(chunk, last).unwrap();
        }
        let req = done.expect("finished");
        assert_eq!(req.largest_debug_section, big as u64);
        assert!(v.peak_held() < 128 * 1024, "held {} bytes", v.peak_held());
    }
}

#[test]
fn a_broken_limit_stops_the_read() {
    let text = format!(
        "(module (memory 100) {})",
        "(func (result i32) i32.const 1 i32.const 2 i32.add)".repeat(50_000)
    );
    let bytes = wasm(&text);
    let mut limits = base();
    limits.max_wasm_linear_memory = 10 * PAGE;
    let mut reader = std::io::Cursor::new(&bytes);
    let err = validate_read(&mut reader, &limits).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ModuleLimit {
                limit: "max_wasm_linear_memory",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        reader.position() < bytes.len() as u64 / 2,
        "read {} of {}",
        reader.position(),
        bytes.len()
    );
}

#[test]
fn component_walk_counts() {
    let text = r#"(component
        (import "host" (instance $h (export "log" (func (param "m" string)))))
        (core module $m (func (export "run")))
        (core instance $i (instantiate $m))
        (type $r (resource (rep i32)))
        (type $t (func (result u32)))
        (component $inner
            (core module $n)
            (component $deepest)
        )
        (instance $x (instantiate $inner))
        (export "r" (type $r))
    )"#;
    let req = validate_bytes(&wasm(text), &base()).unwrap();
    let c = &req.components;
    assert_eq!(c.components, 3, "{c:?}");
    assert_eq!(c.core_modules, 2);
    assert_eq!(c.instances, 2);
    assert_eq!(c.resource_types, 1);
    assert_eq!(c.max_nesting, 3);
    assert_eq!(c.max_imports, 1);
    assert_eq!(c.max_exports, 1);
    assert!(c.types >= 2);
}

#[test]
fn malformed_input_names_the_offset_and_never_panics() {
    let good = fixture("c-recursion-O0.wasm");
    for cut in [0, 3, 7, 9, 100, good.len() / 2, good.len() - 1] {
        let err = validate_bytes(&good[..cut], &base()).unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "cut at {cut}: {err}");
    }
    let mut flipped = good.clone();
    for i in (8..good.len()).step_by(97) {
        flipped[i] ^= 0x5a;
        let _ = validate_bytes(&flipped, &base());
        flipped[i] ^= 0x5a;
    }
    // An error after a dropped custom section still points at the right byte of the file.
    let mut bad = wasm("(module (@custom \"x\" (before first) \"0123456789\") (func))");
    let last = bad.len() - 1;
    bad[last] = 0xff;
    let expected = Module::new(&bad).unwrap_err();
    let got = validate_bytes(&bad, &base()).unwrap_err();
    let offset = |e: &Error| match e {
        Error::Invalid { offset, .. } => *offset,
        other => panic!("{other}"),
    };
    assert_eq!(offset(&got), offset(&expected), "{got} vs {expected}");
}

#[test]
fn growth_past_the_limits_fails_at_run_time() {
    use runtime_core::{Extern, Linker, Store, Thread, Val};
    let text = r#"(module
        (memory 1) (table 1 funcref)
        (func (export "grow_mem") (param i32) (result i32) (memory.grow (local.get 0)))
        (func (export "grow_table") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))"#;
    let mut limits = base();
    limits.max_wasm_linear_memory = 4 * PAGE;
    limits.max_table_elements = 10;
    let module = std::rc::Rc::new(Module::new(&wasm(text)).unwrap());
    let mut store = Store::new(limits.store_config());
    let inst = Linker::new().instantiate(&mut store, module).unwrap();
    let mut call = |name: &str, n: i32| {
        let Some(Extern::Func(f)) = store.instance(inst).export(name) else {
            panic!("{name}")
        };
        let mut t = Thread::new(&store, f, &[Val::I32(n)]).unwrap();
        t.run(&mut store).unwrap();
        t.results(&store)[0]
    };
    assert_eq!(call("grow_mem", 3), Val::I32(1), "up to the limit grows");
    assert_eq!(call("grow_mem", 1), Val::I32(-1), "past it fails");
    assert_eq!(call("grow_table", 9), Val::I32(1));
    assert_eq!(call("grow_table", 1), Val::I32(-1));
}

#[test]
fn limits_round_trip_through_toml() {
    let l = base();
    let text = toml::to_string(&l).unwrap();
    assert!(text.contains("platform = \"linux\""), "{text}");
    assert_eq!(toml::from_str::<PlatformLimits>(&text).unwrap(), l);
    let err = toml::from_str::<PlatformLimits>(&text.replace("max_breakpoints", "max_breakpointz"))
        .unwrap_err();
    assert!(err.to_string().contains("max_breakpointz"), "{err}");
}

#[test]
fn largest_frame_matches_the_debug_translation() {
    for name in [
        "c-recursion-O0.wasm",
        "c-floats-O2.wasm",
        "rust-demo.wasm",
        "kernels.wasm",
    ] {
        let bytes = fixture(name);
        let req = validate_bytes(&bytes, &base()).unwrap();
        let m = Module::new_for_debugging(&bytes).unwrap();
        let largest = (0..m.num_funcs())
            .filter_map(|i| m.body(i))
            .map(|b| (b.locals.len() as u64 + u64::from(b.max_height)) * 8)
            .max()
            .unwrap();
        assert_eq!(req.max_frame_bytes, largest, "{name}");
    }
}

/// Resident memory of this process, in bytes (Linux).
fn resident() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib * 1024
}

#[test]
fn a_4_gib_initial_memory_is_committed_only_as_it_is_touched() {
    let module =
        std::rc::Rc::new(Module::new(&wasm("(module (memory (export \"m\") 65536))")).unwrap());
    let mut limits = base();
    limits.max_wasm_linear_memory = 4 * GIB;
    let mut store = runtime_core::Store::new(limits.store_config());
    let before = resident();
    let id = store.instantiate(module, &[]).unwrap();
    let after = resident();
    let mem = store.instance(id).memory_addr().unwrap();
    assert_eq!(store.memory(mem).data.len() as u64, 4 * GIB);
    assert!(
        after.saturating_sub(before) < GIB / 4,
        "instantiation made {} MiB resident",
        (after - before) >> 20
    );
}

/// Set in the child process that [`growing_a_memory_page_by_page_commits_no_page_it_adds`] runs
/// alone, so that no other test of this binary allocates while it measures.
const MEASURE_ALONE: &str = "WRT_TEST_MEASURE_ALONE";

#[test]
fn growing_a_memory_page_by_page_commits_no_page_it_adds() {
    const NAME: &str = "growing_a_memory_page_by_page_commits_no_page_it_adds";
    if std::env::var_os(MEASURE_ALONE).is_none() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", NAME, "--test-threads=1"])
            .env(MEASURE_ALONE, "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("1 passed"),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let module = std::rc::Rc::new(
        Module::new(&wasm(
            r#"(module (memory 1 65536)
                (func (export "grow") (param $n i32) (result i32) (local $i i32)
                    (loop $more
                        (drop (memory.grow (i32.const 1)))
                        (br_if $more (i32.lt_u
                            (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                            (local.get $n))))
                    (memory.size))
                (func (export "poke") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
                (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))"#,
        ))
        .unwrap(),
    );
    let mut limits = base();
    limits.max_wasm_linear_memory = 4 * GIB;
    let mut store = runtime_core::Store::new(limits.store_config());
    let id = store.instantiate(module, &[]).unwrap();
    let call = |store: &mut runtime_core::Store, name: &str, args: &[Val]| {
        let Some(Extern::Func(f)) = store.instance(id).export(name) else {
            panic!("no {name}")
        };
        store.invoke(f, args).unwrap()
    };
    call(&mut store, "poke", &[Val::I32(100), Val::I32(7)]);
    let before = resident();
    let pages = call(&mut store, "grow", &[Val::I32(16383)]);
    let after = resident();
    assert_eq!(pages, [Val::I32(16384)], "grown to 1 GiB");
    assert!(
        after.saturating_sub(before) < 64 << 20,
        "growing to 1 GiB made {} MiB resident",
        (after - before) >> 20
    );
    let last = Val::I32((GIB - 1) as i32);
    assert_eq!(call(&mut store, "peek", &[Val::I32(100)]), [Val::I32(7)]);
    assert_eq!(call(&mut store, "peek", &[last]), [Val::I32(0)]);
    call(&mut store, "poke", &[last, Val::I32(9)]);
    assert_eq!(call(&mut store, "peek", &[last]), [Val::I32(9)]);
}
