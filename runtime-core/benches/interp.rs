//! Interpreter speed against `wasmi`, side by side in one run: recursive fib, a hot integer loop, a
//! memory-heavy quicksort (all from `tests/fixtures/src/kernels.c`), the `c-recursion-O2` fixture
//! program end to end, and CoreMark (`../shared/bench/coremark.wasm`, 300 iterations). Prints the
//! ratio ours/wasmi per workload from the criterion samples.

use std::hint::black_box;
use std::rc::Rc;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use runtime_core::module::ExternType;
use runtime_core::{Extern, FuncType, Linker, Module, Store, Trap, Val};
use side_by_side::{fixture, measure};

mod side_by_side;

const FIB_N: i32 = 25;
const LOOP_N: i32 = 2_000_000;
const SORT_N: i32 = 20_000;

fn ours_kernel(export: &str) -> (Store, u32) {
    let module = Rc::new(Module::new(&fixture("kernels.wasm")).expect("kernels"));
    let mut store = Store::default();
    let inst = Linker::new()
        .instantiate(&mut store, module)
        .expect("instantiate");
    let Some(Extern::Func(f)) = store.instance(inst).export(export) else {
        panic!("no {export}")
    };
    (store, f)
}

fn wasmi_kernel(export: &str) -> (wasmi::Store<()>, wasmi::TypedFunc<i32, i32>) {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, fixture("kernels.wasm")).expect("kernels");
    let mut store = wasmi::Store::new(&engine, ());
    let inst = wasmi::Linker::new(&engine)
        .instantiate_and_start(&mut store, &module)
        .expect("instantiate");
    let f = inst
        .get_typed_func::<i32, i32>(&store, export)
        .expect("export");
    (store, f)
}

fn kernels(c: &mut Criterion) {
    for (workload, export, arg) in [
        ("fib", "fib", FIB_N),
        ("hot_loop", "hot_loop", LOOP_N),
        ("sort", "sort", SORT_N),
    ] {
        let (mut store, f) = ours_kernel(export);
        let (mut wstore, wf) = wasmi_kernel(export);
        let ours = store.invoke(f, &[Val::I32(arg)]).expect("ours");
        let theirs = wf.call(&mut wstore, arg).expect("wasmi");
        assert_eq!(ours, vec![Val::I32(theirs)], "{workload}: results differ");
        measure(c, workload, "ours", || {
            black_box(store.invoke(f, &[Val::I32(black_box(arg))]).unwrap());
        });
        measure(c, workload, "wasmi", || {
            black_box(wf.call(&mut wstore, black_box(arg)).unwrap());
        });
    }
}

/// Minimal WASI for the fixture program, the same on both sides: output is counted and dropped.
fn fd_write_len(mem: &[u8], iovs: u32, n: u32) -> u32 {
    let word = |at: u32| u32::from_le_bytes(mem[at as usize..at as usize + 4].try_into().unwrap());
    (0..n).map(|i| word(iovs + 8 * i + 4)).sum()
}

/// `args_sizes_get`: the argument count at `count`, the bytes their strings take (each
/// NUL-terminated) at `size`.
fn write_arg_sizes(mem: &mut [u8], args: &[&str], count: u32, size: u32) {
    let bytes: usize = args.iter().map(|a| a.len() + 1).sum();
    let (count, size) = (count as usize, size as usize);
    mem[count..count + 4].copy_from_slice(&(args.len() as u32).to_le_bytes());
    mem[size..size + 4].copy_from_slice(&(bytes as u32).to_le_bytes());
}

/// `args_get`: each argument's address at `argv`, their bytes at `buf`.
fn write_args(mem: &mut [u8], args: &[&str], argv: u32, buf: u32) {
    let mut at = buf;
    for (i, a) in args.iter().enumerate() {
        let slot = argv as usize + 4 * i;
        mem[slot..slot + 4].copy_from_slice(&at.to_le_bytes());
        let end = at as usize + a.len();
        mem[at as usize..end].copy_from_slice(a.as_bytes());
        mem[end] = 0;
        at += a.len() as u32 + 1;
    }
}

/// `clock_time_get`: nanoseconds since the first call, at `out`.
fn write_clock(mem: &mut [u8], out: u32) {
    thread_local!(static START: std::time::Instant = std::time::Instant::now());
    let now = START.with(|s| s.elapsed().as_nanos() as u64);
    mem[out as usize..out as usize + 8].copy_from_slice(&now.to_le_bytes());
}

fn ours_program(bytes: &[u8], args: &'static [&'static str]) {
    let module = Rc::new(Module::new(bytes).expect("fixture"));
    let mut store = Store::default();
    let mut linker = Linker::new();
    for imp in module.imports() {
        let ExternType::Func(t) = imp.ty else {
            continue;
        };
        let ty: FuncType = module.type_at(t).expect("a validated import type").clone();
        let f: runtime_core::HostFn = match imp.name.as_str() {
            "args_sizes_get" => Rc::new(move |caller, a, r| {
                let [Val::I32(count), Val::I32(size)] = *a else {
                    return Ok(());
                };
                let mem = caller.memory().expect("memory");
                write_arg_sizes(mem, args, count as u32, size as u32);
                r[0] = Val::I32(0);
                Ok(())
            }),
            "args_get" => Rc::new(move |caller, a, r| {
                let [Val::I32(argv), Val::I32(buf)] = *a else {
                    return Ok(());
                };
                let mem = caller.memory().expect("memory");
                write_args(mem, args, argv as u32, buf as u32);
                r[0] = Val::I32(0);
                Ok(())
            }),
            "clock_time_get" => Rc::new(|caller, a, r| {
                let [_, _, Val::I32(out)] = *a else {
                    return Ok(());
                };
                write_clock(caller.memory().expect("memory"), out as u32);
                r[0] = Val::I32(0);
                Ok(())
            }),
            "proc_exit" => {
                Rc::new(|_, a, _| Err(Trap::Exit(if let Val::I32(c) = a[0] { c } else { 0 })))
            }
            "fd_write" => Rc::new(|caller, a, r| {
                let [Val::I32(_), Val::I32(iovs), Val::I32(n), Val::I32(out)] = *a else {
                    return Ok(());
                };
                let mem = caller.memory().expect("memory");
                let len = fd_write_len(mem, iovs as u32, n as u32);
                mem[out as usize..out as usize + 4].copy_from_slice(&len.to_le_bytes());
                r[0] = Val::I32(0);
                Ok(())
            }),
            _ => Rc::new(|_, _, r| {
                r.iter_mut().for_each(|v| *v = Val::I32(0));
                Ok(())
            }),
        };
        let addr = store.add_host_func(ty, f);
        linker.define(&imp.module, &imp.name, Extern::Func(addr));
    }
    let inst = linker.instantiate(&mut store, module).expect("instantiate");
    let Some(Extern::Func(start)) = store.instance(inst).export("_start") else {
        panic!("no _start")
    };
    match store.invoke(start, &[]) {
        Ok(_) | Err(runtime_core::Error::Trap(Trap::Exit(0))) => {}
        Err(e) => panic!("fixture failed: {e}"),
    }
}

/// The calling instance's exported memory.
fn wasmi_memory(caller: &mut wasmi::Caller<'_, ()>) -> wasmi::Memory {
    caller
        .get_export("memory")
        .and_then(wasmi::Extern::into_memory)
        .expect("memory")
}

fn wasmi_program(engine: &wasmi::Engine, bytes: &[u8], args: &'static [&'static str]) {
    let module = wasmi::Module::new(engine, bytes).expect("fixture");
    let mut store = wasmi::Store::new(engine, ());
    let mut linker = wasmi::Linker::<()>::new(engine);
    let wasi = "wasi_snapshot_preview1";
    linker
        .func_wrap(
            wasi,
            "fd_write",
            |mut caller: wasmi::Caller<'_, ()>, _fd: i32, iovs: i32, n: i32, out: i32| -> i32 {
                let mem = wasmi_memory(&mut caller);
                let data = mem.data_mut(&mut caller);
                let len = fd_write_len(data, iovs as u32, n as u32);
                data[out as usize..out as usize + 4].copy_from_slice(&len.to_le_bytes());
                0
            },
        )
        .unwrap();
    linker
        .func_wrap(wasi, "proc_exit", |code: i32| -> Result<(), wasmi::Error> {
            Err(wasmi::Error::i32_exit(code))
        })
        .unwrap();
    linker
        .func_wrap(
            wasi,
            "args_sizes_get",
            move |mut caller: wasmi::Caller<'_, ()>, count: i32, size: i32| -> i32 {
                let mem = wasmi_memory(&mut caller);
                write_arg_sizes(mem.data_mut(&mut caller), args, count as u32, size as u32);
                0
            },
        )
        .unwrap();
    linker
        .func_wrap(
            wasi,
            "args_get",
            move |mut caller: wasmi::Caller<'_, ()>, argv: i32, buf: i32| -> i32 {
                let mem = wasmi_memory(&mut caller);
                write_args(mem.data_mut(&mut caller), args, argv as u32, buf as u32);
                0
            },
        )
        .unwrap();
    linker
        .func_wrap(
            wasi,
            "clock_time_get",
            |mut caller: wasmi::Caller<'_, ()>, _id: i32, _precision: i64, out: i32| -> i32 {
                let mem = wasmi_memory(&mut caller);
                write_clock(mem.data_mut(&mut caller), out as u32);
                0
            },
        )
        .unwrap();
    linker.func_wrap(wasi, "fd_close", |_: i32| 0i32).unwrap();
    linker
        .func_wrap(wasi, "fd_fdstat_get", |_: i32, _: i32| 0i32)
        .unwrap();
    linker
        .func_wrap(wasi, "fd_seek", |_: i32, _: i64, _: i32, _: i32| 0i32)
        .unwrap();
    let inst = linker
        .instantiate_and_start(&mut store, &module)
        .expect("instantiate");
    let start = inst
        .get_typed_func::<(), ()>(&store, "_start")
        .expect("_start");
    if let Err(e) = start.call(&mut store, ()) {
        assert_eq!(e.i32_exit_status(), Some(0), "fixture failed: {e}");
    }
}

/// CoreMark's arguments: seeds 0, 0, 0x66 (the validation run's) and the iteration count.
const COREMARK_ARGS: &[&str] = &["coremark", "0x0", "0x0", "0x66", "300"];

fn program(c: &mut Criterion) {
    let engine = wasmi::Engine::default();
    let recursion = fixture("c-recursion-O2.wasm");
    measure(c, "c-recursion-O2", "ours", || {
        ours_program(&recursion, &["fixture"])
    });
    measure(c, "c-recursion-O2", "wasmi", || {
        wasmi_program(&engine, &recursion, &["fixture"])
    });
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/bench/coremark.wasm"
    );
    let Ok(coremark) = std::fs::read(path) else {
        eprintln!("{path} is not here: CoreMark skipped");
        return;
    };
    measure(c, "coremark", "ours", || {
        ours_program(&coremark, COREMARK_ARGS)
    });
    measure(c, "coremark", "wasmi", || {
        wasmi_program(&engine, &coremark, COREMARK_ARGS)
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = kernels, program
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    side_by_side::report(
        &["fib", "hot_loop", "sort", "c-recursion-O2", "coremark"],
        "ours",
        "wasmi",
    );
}
