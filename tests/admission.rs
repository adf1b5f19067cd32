//! Admission, the one pass `run`, `debug` and `serve` load a module with: it validates, measures
//! against the limits and translates as the bytes stream in. Checked here: file offsets stay right
//! past the custom sections the pass drops, chunked reading builds the same module as one buffer,
//! what does not fit is refused naming each violation, and components are refused.

use std::io::Read;

use runtime_core::admit::{Admitted, admit, admit_read};
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, GIB, PlatformLimits};
use runtime_core::module::Translation;
use runtime_core::validate::validate_bytes;
use runtime_core::{Error, Module};

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
