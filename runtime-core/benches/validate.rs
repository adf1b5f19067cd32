//! Our streaming limit validation against plain `wasmparser` validation of the same bytes, side by
//! side, on fixtures and on a generated module of several MB; admission (one pass that validates,
//! measures and translates) against the two passes `run` made before it (the limit pass, then
//! `Module::new`); and host limit discovery.
//! The goals: our pass adds under 10% on top of plain validation; admission takes ~15% less than
//! two passes; discovery takes under 1 ms.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use runtime_core::admit::admit_read;
use runtime_core::limits::discover::discover;
use runtime_core::limits::preset::linux_production;
use runtime_core::limits::{AsilLevel, DebugLevel, GIB};
use runtime_core::module::Translation;
use runtime_core::validate::{validate_bytes, validate_read};
use side_by_side::{fixture, measure};
use wasm_encoder::{
    CodeSection, Function, FunctionSection, Instruction, Module, TypeSection, ValType,
};

mod side_by_side;

/// A module of `funcs` functions, each a loop of arithmetic over locals: several MB of code.
fn large_module(funcs: u32) -> Vec<u8> {
    let mut types = TypeSection::new();
    types
        .ty()
        .function([ValType::I32, ValType::I32], [ValType::I32]);
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    for _ in 0..funcs {
        functions.function(0);
        let mut f = Function::new([(4, ValType::I32)]);
        for i in 0..40 {
            f.instruction(&Instruction::LocalGet(i % 2))
                .instruction(&Instruction::I32Const(i as i32 * 7919))
                .instruction(&Instruction::I32Add)
                .instruction(&Instruction::LocalSet(2 + i % 4));
        }
        f.instruction(&Instruction::LocalGet(2))
            .instruction(&Instruction::End);
        code.function(&f);
    }
    let mut m = Module::new();
    m.section(&types).section(&functions).section(&code);
    m.finish()
}

fn plain(bytes: &[u8]) {
    let mut v = wasmparser::Validator::new_with_features(runtime_core::module::features());
    black_box(v.validate_all(bytes).expect("valid"));
}

/// The admission workloads, by input.
const LOADS: [&str; 3] = [
    "load c-recursion-O0",
    "load rust-demo",
    "load large-generated",
];

fn validation(c: &mut Criterion) {
    let limits = linux_production(4 * GIB, AsilLevel::QM, DebugLevel::FullDebug);
    let mut limits_full = limits.clone();
    limits_full.max_dwarf_section_size = GIB;
    let large = large_module(20_000);
    println!("large module: {} bytes", large.len());
    let inputs: [(&'static str, &'static str, Vec<u8>); 3] = [
        ("c-recursion-O0", LOADS[0], fixture("c-recursion-O0.wasm")),
        ("rust-demo", LOADS[1], fixture("rust-demo.wasm")),
        ("large-generated", LOADS[2], large),
    ];
    for (name, load, bytes) in &inputs {
        measure(c, name, "wasmparser", || plain(bytes));
        measure(c, name, "ours", || {
            black_box(validate_bytes(bytes, &limits_full).expect("fits"));
        });
        measure(c, name, "ours-read", || {
            black_box(validate_read(&bytes[..], &limits_full).expect("fits"));
        });
        measure(c, load, "two-passes", || {
            black_box(validate_read(&bytes[..], &limits_full).expect("fits"));
            black_box(runtime_core::Module::new(bytes).expect("valid"));
        });
        measure(c, load, "admit", || {
            black_box(admit_read(&bytes[..], &limits_full, Translation::Speed).expect("fits"));
        });
    }
}

fn discovery(c: &mut Criterion) {
    c.bench_function("discover", |b| b.iter(|| black_box(discover())));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = validation, discovery
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let workloads = ["c-recursion-O0", "rust-demo", "large-generated"];
    side_by_side::report(&workloads, "ours", "wasmparser");
    side_by_side::report(&workloads, "ours-read", "wasmparser");
    side_by_side::report(&LOADS, "admit", "two-passes");
}
