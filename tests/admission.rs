//! Admission, the one pass `run`, `debug` and `serve` load a module with: it validates, measures
//! against the limits and translates as the bytes stream in. Checked here: file offsets stay right
//! past the custom sections the pass drops, chunked reading builds the same module as one buffer,
//! what does not fit is refused naming each violation, and components are refused.

use std::cell::RefCell;
use std::io::Read;
use std::rc::Rc;

use runtime_core::admit::{Admitted, admit, admit_read, check_read};
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, GIB, PlatformLimits};
use runtime_core::module::Translation;
use runtime_core::validate::validate_bytes;
use runtime_core::wasi::{self, WasiCtx};
use runtime_core::{Error, Linker, Module, Store};

fn limits() -> PlatformLimits {
    linux_production(GIB, AsilLevel::QM, DebugLevel::FullDebug)
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/wasm/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn program(pad: Option<usize>) -> Vec<u8> {
    let pad = pad.map_or(String::new(), |n| {
        format!("(@custom \"pad\" (before first) \"{}\")", "p".repeat(n))
    });
    wat::parse_str(format!(
        r#"(module {pad}
            (func $double (export "double") (param i32) (result i32)
                local.get 0 i32.const 2 i32.mul)
            (func $twice (param i32) (result i32)
                local.get 0 call $double call $double)
            (@custom "after" (after code) "tail"))"#
    ))
    .unwrap()
}

/// Every body's instruction offsets, function by function.
fn offsets(m: &Module) -> Vec<Vec<u32>> {
    (m.num_imported_funcs()..m.num_funcs())
        .map(|f| m.body(f).unwrap().offsets.to_vec())
        .collect()
}

#[test]
fn offsets_stay_file_offsets_past_the_custom_sections_the_pass_drops() {
    let plain = admit(&program(None), &limits(), Translation::Speed)
        .unwrap()
        .module;
    let bytes = program(Some(300));
    let padded = admit(&bytes, &limits(), Translation::Speed).unwrap().module;
    let shift = (bytes.len() - program(None).len()) as u32;
    assert!(shift > 300);
    let moved: Vec<Vec<u32>> = offsets(&plain)
        .iter()
        .map(|b| b.iter().map(|o| o + shift).collect())
        .collect();
    assert_eq!(offsets(&padded), moved);
    let (customs, code) = Module::sections(&bytes).unwrap();
    assert_eq!(padded.code_section(), code);
    let kept: Vec<_> = padded
        .custom_sections()
        .iter()
        .map(|c| (c.name.clone(), c.range.clone()))
        .collect();
    let framed: Vec<_> = customs
        .iter()
        .map(|c| (c.name.clone(), c.range.clone()))
        .collect();
    assert_eq!(kept, framed);
    assert_eq!(&bytes[kept[0].1.clone()], "p".repeat(300).as_bytes());
    assert_eq!(padded.func_name(0), Some("double"));
    assert_eq!(padded.func_name(1), Some("twice"));
}

/// A reader that hands out at most `n` bytes a call.
struct Trickle<'a>(&'a [u8], usize);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.len().min(self.1).min(buf.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn read_a_few_bytes_at_a_time_it_builds_the_module_one_buffer_builds() {
    let bytes = fixture("c-recursion-O0.wasm");
    let whole = admit(&bytes, &limits(), Translation::Speed).unwrap();
    let trickled = admit_read(Trickle(&bytes, 7), &limits(), Translation::Speed).unwrap();
    assert_eq!(trickled.requirements, whole.requirements);
    assert_eq!(
        trickled.requirements,
        validate_bytes(&bytes, &limits()).unwrap()
    );
    let (a, b) = (&whole.module, &trickled.module);
    assert_eq!(offsets(a), offsets(b));
    assert_eq!(a.code_section(), b.code_section());
    let names = |m: &Module| -> Vec<Option<String>> {
        (0..m.num_funcs())
            .map(|f| m.func_name(f).map(str::to_string))
            .collect()
    };
    assert_eq!(names(a), names(b));
    assert!(names(a).iter().any(|n| n.as_deref() == Some("ackermann")));
    assert_eq!(a.custom_sections().len(), b.custom_sections().len());
    assert!(a.custom_sections().iter().any(|c| c.name == ".debug_info"));
}

#[test]
fn what_does_not_fit_is_refused_naming_each_violation() {
    let bytes = program(None);
    let mut few = limits();
    few.max_functions = 1;
    let Err(Error::DoesNotFit { violations }) = admit(&bytes, &few, Translation::Speed) else {
        panic!("two functions admitted under max_functions = 1");
    };
    assert_eq!(violations.len(), 1);
    assert_eq!(
        (
            violations[0].rule.as_str(),
            violations[0].found,
            violations[0].allowed
        ),
        ("max_functions", 2, 1)
    );
    // Refused while translating, as soon as what is held breaks the limit: the pass names where.
    let mut tight = limits();
    tight.max_total_memory = 1024;
    let err = admit(&bytes, &tight, Translation::Speed).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("does not fit the platform limits: max_total_memory (found "),
        "{err}"
    );
    let Error::DoesNotFit { violations } = err else {
        unreachable!()
    };
    let (_, code) = Module::sections(&bytes).unwrap();
    assert!(
        code.unwrap()
            .contains(&(violations[0].offset.unwrap() as usize))
    );
    let fits: Result<Admitted, Error> = admit(&bytes, &limits(), Translation::Speed);
    assert!(fits.is_ok());
}

#[test]
fn a_component_is_measured_by_the_limit_pass_but_not_admitted_to_run() {
    let bytes = wat::parse_str("(component (core module))").unwrap();
    let req = validate_bytes(&bytes, &limits()).unwrap();
    assert_eq!(req.components.core_modules, 1);
    let err = admit(&bytes, &limits(), Translation::Speed).unwrap_err();
    assert!(
        matches!(&err, Error::Unsupported { offset: 0, what } if what.contains("component")),
        "{err:?}"
    );
}

/// A module of one function `() -> ()` declaring `locals` (count, value type byte), from raw bytes:
/// text formats cannot declare billions of locals.
fn declaring_locals(locals: &[(u32, u8)]) -> Vec<u8> {
    fn leb(out: &mut Vec<u8>, mut v: u32) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            out.push(if v == 0 { byte } else { byte | 0x80 });
            if v == 0 {
                return;
            }
        }
    }
    let mut body = Vec::new();
    leb(&mut body, locals.len() as u32);
    for &(count, ty) in locals {
        leb(&mut body, count);
        body.push(ty);
    }
    body.push(0x0b);
    let mut code = vec![1];
    leb(&mut code, body.len() as u32);
    code.extend(body);
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    m.extend([1, 4, 1, 0x60, 0, 0]); // type section: () -> ()
    m.extend([3, 2, 1, 0]); // function section: one of type 0
    m.push(10);
    leb(&mut m, code.len() as u32);
    m.extend(code);
    m
}

#[test]
fn locals_are_counted_before_any_pass_expands_them() {
    let hostile = [
        declaring_locals(&[(u32::MAX, 0x7f)]),
        declaring_locals(&[(1 << 31, 0x7f), (1 << 31, 0x7e)]),
        declaring_locals(&[(50_001, 0x7f)]),
    ];
    assert!(Module::new(&declaring_locals(&[(50_000, 0x7f)])).is_ok());
    for bytes in &hostile {
        let started = std::time::Instant::now();
        let passes: [(&str, Result<(), Error>); 5] = [
            ("validate", validate_bytes(bytes, &limits()).map(drop)),
            (
                "admit",
                admit(bytes, &limits(), Translation::Speed).map(drop),
            ),
            (
                "admit_read",
                admit_read(Trickle(bytes, 3), &limits(), Translation::Debugging).map(drop),
            ),
            ("Module::new", Module::new(bytes).map(drop)),
            (
                "new_for_debugging",
                Module::new_for_debugging(bytes).map(drop),
            ),
        ];
        for (pass, result) in passes {
            let err = result.expect_err(pass);
            assert!(
                matches!(&err, Error::Invalid { message, .. } if message.contains("too many locals")),
                "{pass}: {err}"
            );
        }
        // Expanding 2^32 - 1 locals took 13 s and 4 GB before it was refused.
        assert!(started.elapsed().as_secs() < 2, "{:?}", started.elapsed());
    }
    // Under a platform's own limit, the translating pass refuses by name before expanding too.
    let mut few = limits();
    few.max_function_locals = 256;
    let Err(Error::DoesNotFit { violations }) =
        admit(&declaring_locals(&[(257, 0x7f)]), &few, Translation::Speed)
    else {
        panic!("257 locals admitted under max_function_locals = 256");
    };
    let v = &violations[0];
    assert_eq!(
        (v.rule.as_str(), v.found, v.allowed),
        ("max_function_locals", 257, 256)
    );
}

/// A reader that gives `head`, then zeros for ever, and fails the test past `most` bytes.
struct Endless {
    head: Vec<u8>,
    given: usize,
    most: usize,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        assert!(self.given <= self.most, "{} bytes read", self.given);
        let n = buf.len().min(1 << 16);
        for (i, b) in buf[..n].iter_mut().enumerate() {
            *b = self.head.get(self.given + i).copied().unwrap_or(0);
        }
        self.given += n;
        Ok(n)
    }
}

#[test]
fn a_name_section_is_measured_before_the_admission_pass_holds_it() {
    // A `name` section declaring 4 GiB less a little: the pass that keeps function names would
    // hold it whole before counting it.
    let mut head = b"\0asm\x01\0\0\0\0\xf0\xff\xff\xff\x0f\x04name".to_vec();
    head.extend([1, 0xff, 0xff, 0xff, 0x0f]);
    for level in [DebugLevel::FullDebug, DebugLevel::None] {
        let l = linux_production(GIB, AsilLevel::QM, level);
        let reader = Endless {
            head: head.clone(),
            given: 0,
            most: 1 << 20,
        };
        let Err(Error::DoesNotFit { violations }) = admit_read(reader, &l, Translation::Speed)
        else {
            panic!("the name section was admitted");
        };
        let rule = if level == DebugLevel::None {
            "max_total_memory"
        } else {
            "max_dwarf_section_size"
        };
        assert_eq!(violations[0].rule, rule, "{level}");
        assert_eq!(violations[0].found, 0xffff_fff0 - 5, "{level}");
    }
}

/// Whether `text` can start as a WASI command, as `check` asks ([`check_read`]) and as linking
/// it for `run` finds ([`wasi::link`]): the two must give the same answer.
fn start(text: &str) -> Result<(), Error> {
    let bytes = wat::parse_str(text).unwrap();
    let checked = check_read(&bytes[..], &limits()).map(|v| assert!(v.fits(), "{text}"));
    let module = admit(&bytes, &limits(), Translation::Speed).unwrap().module;
    let mut store = Store::new(limits().store_config());
    let ctx = Rc::new(RefCell::new(WasiCtx::new(vec![], vec![])));
    let linked = wasi::link(&mut store, &mut Linker::new(), &module, ctx);
    assert_eq!(checked, linked, "{text}");
    checked
}

#[test]
fn check_refuses_what_run_cannot_start_with_the_error_run_gives() {
    let fine = [
        r#"(module (import "wasi_snapshot_preview1" "fd_write"
            (func (param i32 i32 i32 i32) (result i32))))"#,
        // A preview 1 function we do not implement answers ENOSYS when it returns an errno.
        r#"(module (import "wasi_snapshot_preview1" "sock_accept"
            (func (param i32 i32 i32) (result i32))))"#,
        r#"(module (memory 1) (data (i32.const 65534) "ab") (data (i32.const 65536) ""))"#,
        r#"(module (table 2 funcref) (func $f) (elem (i32.const 1) $f) (elem (i32.const 2)))"#,
        r#"(module (memory 0) (data "passive, never copied"))"#,
    ];
    for text in fine {
        assert_eq!(start(text), Ok(()), "{text}");
    }
    let unknown = |module: &str, name: &str| Error::UnknownImport {
        module: module.into(),
        name: name.into(),
    };
    assert_eq!(
        start(r#"(module (import "env" "f" (func)))"#),
        Err(unknown("env", "f"))
    );
    assert_eq!(
        start(r#"(module (import "wasi_snapshot_preview1" "sock_accept" (func (param i32))))"#),
        Err(unknown("wasi_snapshot_preview1", "sock_accept"))
    );
    assert_eq!(
        start(r#"(module (import "wasi_snapshot_preview1" "memory" (memory 1)))"#),
        Err(unknown("wasi_snapshot_preview1", "memory"))
    );
    let wrong = start(
        r#"(module (import "wasi_snapshot_preview1" "fd_write"
            (func (param i32 i32 i32 i32) (result i64))))"#,
    );
    assert!(
        matches!(&wrong, Err(Error::IncompatibleImport { name, .. }) if name == "fd_write"),
        "{wrong:?}"
    );
    let segment = |text: &str| match start(text) {
        Err(e @ Error::SegmentOutOfBounds { .. }) => e.to_string(),
        other => panic!("{text}: {other:?}"),
    };
    let data = segment(r#"(module (memory 1) (data (i32.const 65535) "ab"))"#);
    assert!(
        data.starts_with(
            "data segment 0 does not fit memory 0: offset 65535 + length 2 is past its size 65536"
        ),
        "{data}"
    );
    let past = segment(r#"(module (memory 1) (data (i32.const 65537) ""))"#);
    assert!(past.contains("offset 65537 + length 0"), "{past}");
    let negative = segment(r#"(module (memory 1) (data (i32.const -1) "a"))"#);
    assert!(
        negative.contains("offset 4294967295 + length 1"),
        "{negative}"
    );
    let elem = segment(
        r#"(module (table 1 funcref) (func $f) (elem (i32.const 0) $f) (elem (i32.const 1) $f))"#,
    );
    assert!(
        elem.starts_with(
            "element segment 1 does not fit table 0: offset 1 + length 1 is past its size 1"
        ),
        "{elem}"
    );
    let second = segment(
        r#"(module (table 3 funcref) (table 2 funcref) (func $f)
            (elem (table 1) (i32.const 2) func $f))"#,
    );
    assert!(
        second.contains("table 1: offset 2 + length 1 is past its size 2"),
        "{second}"
    );
}
