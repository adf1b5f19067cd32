//! The loop's safety on the public API: threads run only on their own store, code outside the crate can
//! only swap break markers in and out, and a host function cannot pull the store from under a thread.
//! Small enough to run under Miri.

use alloc::rc::Rc;
use alloc::vec;

use super::*;
use crate::store::{Config, Extern, Linker};
use crate::{FuncType, HostFn, Module};

const PROGRAM: &str = r#"
(module
  (import "host" "hook" (func $hook))
  (memory 1)
  (func $square (export "square") (param i32) (result i32)
    (i32.mul (local.get 0) (local.get 0)))
  (func (export "sum_squares") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $square (local.get $n))))
        (i32.store (i32.const 16) (local.get $acc))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func (export "calls_host") (result i32) (call $hook) (i32.const 7))
  (func $deep (export "deep") (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (i32.add (call $deep (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
      (else (i32.const 0)))))
"#;

fn config() -> Config {
    Config {
        max_frames: 64,
        max_values: 4096,
        ..Config::default()
    }
}

/// A store with `PROGRAM` instantiated; `hook` is its host import.
fn instance(hook: HostFn) -> (Store, u32) {
    let bytes = wat::parse_str(PROGRAM).expect("valid text");
    let module = Rc::new(Module::new(&bytes).expect("valid module"));
    let mut store = Store::new(config());
    let mut linker = Linker::new();
    let f = store.add_host_func(FuncType::new([], []), hook);
    linker.define("host", "hook", Extern::Func(f));
    let id = linker
        .instantiate(&mut store, module)
        .expect("instantiates");
    (store, id)
}

fn quiet() -> HostFn {
    Rc::new(|_, _, _| Ok(()))
}

fn func(store: &Store, inst: u32, name: &str) -> u32 {
    match store.instance(inst).export(name) {
        Some(Extern::Func(f)) => f,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn a_program_runs_and_traps_cleanly_at_its_stack_limit() {
    let (mut store, inst) = instance(quiet());
    let sum = func(&store, inst, "sum_squares");
    assert_eq!(store.invoke(sum, &[Val::I32(4)]), Ok(vec![Val::I32(30)]));
    let deep = func(&store, inst, "deep");
    assert_eq!(store.invoke(deep, &[Val::I32(10)]), Ok(vec![Val::I32(10)]));
    assert_eq!(
        store.invoke(deep, &[Val::I32(1000)]),
        Err(Error::Trap(Trap::CallStackExhausted))
    );
}

#[test]
fn a_thread_refuses_another_store_even_with_the_same_module() {
    let (mut a, inst) = instance(quiet());
    let (mut b, _) = instance(quiet());
    let sum = func(&a, inst, "sum_squares");
    let mut thread = Thread::new(&a, sum, &[Val::I32(3)]).unwrap();
    assert_eq!(thread.run(&mut b), Err(Trap::ForeignStore));
    assert_eq!(thread.step(&mut b), Err(Trap::ForeignStore));
    assert_eq!(thread.run(&mut a), Ok(Outcome::Finished));
    assert_eq!(thread.results(&a), vec![Val::I32(14)]);
}

#[test]
fn a_paused_thread_refuses_another_store() {
    let (mut a, inst) = instance(quiet());
    let (mut b, _) = instance(quiet());
    let sum = func(&a, inst, "sum_squares");
    let mut thread = Thread::new(&a, sum, &[Val::I32(3)]).unwrap();
    let mut steps = 0;
    let paused = thread.run_with_hook(&mut a, &mut |_: &Frame, depth: usize| {
        steps += 1;
        depth < 2
    });
    assert_eq!(paused, Ok(Outcome::Paused), "paused on entering square");
    assert_eq!(thread.frames().len(), 2);
    assert_eq!(thread.run(&mut b), Err(Trap::ForeignStore));
    assert_eq!(thread.run(&mut a), Ok(Outcome::Finished));
    assert_eq!(thread.results(&a), vec![Val::I32(14)]);
}

#[test]
fn a_host_function_that_swaps_the_store_stops_the_thread() {
    let swap: HostFn = Rc::new(|caller, _, _| {
        *caller.store() = Store::new(config());
        Ok(())
    });
    let (mut store, inst) = instance(swap);
    let calls_host = func(&store, inst, "calls_host");
    assert_eq!(
        store.invoke(calls_host, &[]),
        Err(Error::Trap(Trap::ForeignStore))
    );
}

#[test]
fn break_markers_are_the_only_code_a_caller_can_place() {
    let (mut store, inst) = instance(quiet());
    let square = func(&store, inst, "square");
    let body = store.func_body(square).unwrap().clone();
    let first = body.instr(0).unwrap();
    store.set_break(square, 0, 5).unwrap();
    assert_eq!(body.instr(0), Some(Instr::Break(5)));
    assert_eq!(
        body.original(0),
        Some(first),
        "the covered instruction is kept"
    );
    store.set_break(square, 0, 6).unwrap();
    assert_eq!(
        body.original(0),
        Some(first),
        "a second marker covers the same instruction"
    );
    assert_eq!(
        store.set_break(square, body.len() as u32, 1),
        Err(Error::NoSuchCode {
            func: square,
            pc: body.len() as u32
        })
    );
    assert_eq!(
        store.set_break(u32::MAX, 0, 1),
        Err(Error::NoSuchCode {
            func: u32::MAX,
            pc: 0
        })
    );

    let sum = func(&store, inst, "sum_squares");
    let mut thread = Thread::new(&store, sum, &[Val::I32(2)]).unwrap();
    assert_eq!(thread.run(&mut store), Ok(Outcome::Breakpoint(6)));
    assert!(store.clear_break(square, 0));
    assert!(!store.clear_break(square, 0), "nothing left to clear");
    assert_eq!(body.instr(0), Some(first));
    assert_eq!(thread.run(&mut store), Ok(Outcome::Finished));
    assert_eq!(thread.results(&store), vec![Val::I32(5)]);
}

#[test]
fn stepping_one_instruction_at_a_time_gives_the_same_result() {
    let (mut store, inst) = instance(quiet());
    let sum = func(&store, inst, "sum_squares");
    let mut thread = Thread::new(&store, sum, &[Val::I32(3)]).unwrap();
    let mut steps = 0;
    while !thread.is_finished() {
        thread.step(&mut store).unwrap();
        steps += 1;
    }
    assert!(steps > 20, "{steps} steps");
    assert_eq!(thread.results(&store), vec![Val::I32(14)]);
    let mem = store.instance(inst).memory_addr().unwrap();
    assert_eq!(store.memory(mem).data[16..20], 14u32.to_le_bytes());
}

#[test]
fn arguments_of_the_wrong_type_or_function_are_refused() {
    let (store, inst) = instance(quiet());
    let sum = func(&store, inst, "sum_squares");
    assert!(Thread::new(&store, sum, &[Val::I64(3)]).is_err());
    assert!(Thread::new(&store, u32::MAX, &[]).is_err());
}

/// Per-function instruction and call counts, as the accounting hook reports them.
#[derive(Default)]
struct Accounts {
    instructions: alloc::collections::BTreeMap<u32, u64>,
    calls: alloc::collections::BTreeMap<u32, u64>,
    /// Runs of each instruction, by (function, pc), from the reported spans.
    runs: alloc::collections::BTreeMap<(u32, u32), u64>,
    /// Functions entered and not yet left, with the call site each was entered from.
    stack: Vec<(u32, u32)>,
    /// The deepest `stack` got.
    deepest: usize,
}

impl Hook for Accounts {
    const ACTIVE: bool = false;
    const ACCOUNT: bool = true;
    const SPANS: bool = true;
    fn before(&mut self, _: &Frame, _: usize) -> bool {
        true
    }
    fn account(&mut self, func: u32, instructions: u64) {
        *self.instructions.entry(func).or_default() += instructions;
    }
    fn enter(&mut self, func: u32, site: u32) {
        *self.calls.entry(func).or_default() += 1;
        self.stack.push((func, site));
        self.deepest = self.deepest.max(self.stack.len());
    }
    fn leave(&mut self) {
        self.stack.pop().expect("a return left a function entered");
    }
    fn span(&mut self, func: u32, start: u32, end: u32) {
        for pc in start..end {
            *self.runs.entry((func, pc)).or_default() += 1;
        }
    }
}

#[test]
fn accounting_at_calls_and_returns_matches_a_count_of_every_instruction() {
    let (mut store, inst) = instance(quiet());
    let (deep, square) = (func(&store, inst, "deep"), func(&store, inst, "square"));
    for (entry, arg) in [(deep, 9), (func(&store, inst, "sum_squares"), 6)] {
        let mut each = alloc::collections::BTreeMap::<u32, u64>::new();
        let mut at = alloc::collections::BTreeMap::<(u32, u32), u64>::new();
        let mut thread = Thread::new(&store, entry, &[Val::I32(arg)]).unwrap();
        let mut count = |f: &Frame, _: usize| {
            *each.entry(f.func).or_default() += 1;
            *at.entry((f.func, f.pc)).or_default() += 1;
            true
        };
        assert_eq!(
            thread.run_with_hook(&mut store, &mut count),
            Ok(Outcome::Finished)
        );

        let mut accounts = Accounts::default();
        let mut thread = Thread::new(&store, entry, &[Val::I32(arg)]).unwrap();
        // A breakpoint's marker is not counted; the instruction stepped under it is, once.
        let mut marked = entry == deep;
        if marked {
            store.set_break(deep, 1, 0).unwrap();
        }
        loop {
            match thread.run_with_hook(&mut store, &mut accounts) {
                Ok(Outcome::Finished) => break,
                Ok(Outcome::Breakpoint(_)) if marked => {
                    assert!(store.clear_break(deep, 1));
                    marked = false;
                    thread.step_with_hook(&mut store, &mut accounts).unwrap();
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(accounts.instructions, each);
        assert_eq!(accounts.runs, at, "the spans cover every instruction run");
        assert!(accounts.stack.is_empty(), "every call returned");
        let calls = accounts.calls.get(&entry).copied().unwrap_or(0);
        if entry == deep {
            assert_eq!(
                calls, arg as u64,
                "recursive calls, the entry's not among them"
            );
            assert_eq!(
                accounts.deepest, arg as usize,
                "nested as deep as the calls"
            );
        } else {
            assert_eq!(accounts.calls.get(&square), Some(&(arg as u64)));
        }
    }
}

#[test]
fn a_stop_at_a_boundary_reads_the_operands_the_code_has_not_written_yet() {
    let text = r#"(module (func (export "f") (param i32) (result i32)
        (i32.add (local.get 0) (i32.const 7))))"#;
    let bytes = wat::parse_str(text).unwrap();
    // The eager translation has one instruction per operator: the third is the `i32.add`.
    let eager = Module::new_for_debugging(&bytes).unwrap();
    let add = eager.body(0).unwrap().offsets[2];
    let module = Rc::new(Module::new_with_boundaries(&bytes, &[add]).unwrap());
    let body = module.body(0).unwrap();
    let pc = body.pc_at_offset(add).unwrap();
    assert_eq!(
        body.offsets[pc as usize], add,
        "an instruction starts the boundary"
    );
    let mut store = Store::new(config());
    let inst = Linker::new().instantiate(&mut store, module).unwrap();
    let f = func(&store, inst, "f");
    store.set_break(f, pc, 1).unwrap();
    let mut thread = Thread::new(&store, f, &[Val::I32(5)]).unwrap();
    assert_eq!(thread.run(&mut store), Ok(Outcome::Breakpoint(1)));
    assert_eq!(
        thread.operands(&store, 0),
        vec![5, 7],
        "`local.get 0` and `i32.const 7`"
    );
    assert!(store.clear_break(f, pc));
    assert_eq!(thread.run(&mut store), Ok(Outcome::Finished));
    assert_eq!(thread.results(&store), vec![Val::I32(12)]);
}

#[test]
fn a_64_bit_compare_feeding_a_branch_is_one_instruction_and_branches_both_ways() {
    // A 64-bit counter (`i64.lt_u` then `br_if`, as clang emits for c-spin), and an `if` on a
    // signed compare, which branches when the compare is false.
    let text = r#"(module
      (func (export "count") (param $n i64) (result i64) (local $i i64)
        (loop $again
          (local.set $i (i64.add (local.get $i) (i64.const 1)))
          (br_if $again (i64.lt_u (local.get $i) (local.get $n))))
        (local.get $i))
      (func (export "positive") (param $n i64) (result i32)
        (if (result i32) (i64.gt_s (local.get $n) (i64.const 0))
          (then (i32.const 1)) (else (i32.const 0)))))"#;
    let module = Rc::new(Module::new(&wat::parse_str(text).unwrap()).unwrap());
    let code = |f: u32| -> alloc::vec::Vec<Instr> {
        let body = module.body(f).unwrap();
        (0..body.len() as u32)
            .filter_map(|pc| body.instr(pc))
            .collect()
    };
    let (count, positive) = (code(0), code(1));
    assert!(
        count
            .iter()
            .any(|i| matches!(i, Instr::I64BrLtU(_) | Instr::I64BrLtUAcc(_))),
        "{count:?}"
    );
    assert!(
        !count.iter().any(|i| matches!(i, Instr::I64LtU(_))),
        "{count:?}"
    );
    assert!(
        positive.iter().any(|i| matches!(i, Instr::I64BrLeS(_))),
        "{positive:?}"
    );
    let mut store = Store::new(config());
    let inst = Linker::new().instantiate(&mut store, module).unwrap();
    let (count, positive) = (func(&store, inst, "count"), func(&store, inst, "positive"));
    for (n, want) in [(5, 5), (1, 1), (0, 1)] {
        let got = store.invoke(count, &[Val::I64(n)]).unwrap();
        assert_eq!(got, vec![Val::I64(want)], "count {n}");
    }
    for (n, want) in [(-3, 0), (0, 0), (7, 1), (i64::MIN, 0), (i64::MAX, 1)] {
        let got = store.invoke(positive, &[Val::I64(n)]).unwrap();
        assert_eq!(got, vec![Val::I32(want)], "positive {n}");
    }
}

#[test]
fn a_load_or_store_at_a_constant_address_is_one_instruction_and_traps_past_the_memory() {
    // A C global in memory (`i32.const 0` then an access with its offset, as clang emits), and
    // constant addresses whose sum with the offset passes the memory or 32 bits.
    let text = r#"(module (memory 1)
      (func (export "bump") (result i64)
        (i64.store offset=1024 (i32.const 0)
          (i64.add (i64.load offset=1024 (i32.const 0)) (i64.const 3)))
        (i64.load offset=1020 (i32.const 4)))
      (func (export "past_memory") (result i32) (i32.load offset=65533 (i32.const 0)))
      (func (export "past_32_bits") (result i32)
        (i32.load offset=0x20 (i32.const 0xfffffff0)))
      (func (export "store_past") (i32.store16 offset=65535 (i32.const 0) (i32.const 1)))
      (func (export "offset_past_32_bits") (result i32)
        (i32.load offset=0xfffffffd (i32.const 0))))"#;
    let module = Rc::new(Module::new(&wat::parse_str(text).unwrap()).unwrap());
    let bump = module.body(0).unwrap();
    let bump: alloc::vec::Vec<Instr> = (0..bump.len() as u32)
        .filter_map(|pc| bump.instr(pc))
        .collect();
    assert!(
        !bump
            .iter()
            .any(|i| matches!(i, Instr::Const32 { .. } | Instr::I64Load(_))),
        "{bump:?}"
    );
    assert_eq!(
        bump.iter()
            .filter(|i| matches!(
                i,
                Instr::I64LoadAt(_) | Instr::I64StoreAt(_) | Instr::I64StoreAtAcc(_)
            ))
            .count(),
        3,
        "{bump:?}"
    );
    // An offset whose access passes 32 bits traps whatever the address: one instruction says so.
    assert_eq!(code_of(&module, 4).first(), Some(&Instr::OutOfBounds));
    let mut store = Store::new(config());
    let inst = Linker::new().instantiate(&mut store, module).unwrap();
    let call = |store: &mut Store, name| {
        let f = func(store, inst, name);
        store.invoke(f, &[])
    };
    assert_eq!(call(&mut store, "bump").unwrap(), vec![Val::I64(3)]);
    assert_eq!(call(&mut store, "bump").unwrap(), vec![Val::I64(6)]);
    for name in [
        "past_memory",
        "past_32_bits",
        "store_past",
        "offset_past_32_bits",
    ] {
        let got = call(&mut store, name);
        assert!(
            matches!(got, Err(Error::Trap(Trap::MemoryOutOfBounds))),
            "{name}: {got:?}"
        );
    }
}

/// The instructions translation made of function `f`.
fn code_of(module: &Module, f: u32) -> alloc::vec::Vec<Instr> {
    let body = module.body(f).unwrap();
    (0..body.len() as u32)
        .filter_map(|pc| body.instr(pc))
        .collect()
}

#[test]
fn a_shift_then_a_mask_or_an_add_is_one_instruction_unless_a_boundary_parts_them() {
    // C's `x >> 8 & 0xff`, the mask first with a shift of 36 (32 bits: a shift of 4), and an
    // array element's address `p + (i << 2)` either way round.
    let text = r#"(module
      (func (export "byte1") (param i32 i32) (result i32)
        (i32.and (i32.shr_u (local.get 0) (i32.const 8)) (i32.const 0xff)))
      (func (export "nibbles") (param i32 i32) (result i32)
        (i32.and (i32.const 0xf0f) (i32.shr_u (local.get 0) (i32.const 36))))
      (func (export "element") (param i32 i32) (result i32)
        (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2))))
      (func (export "element_shift_first") (param i32 i32) (result i32)
        (i32.add (i32.shl (local.get 1) (i32.const 34)) (local.get 0))))"#;
    let bytes = wat::parse_str(text).unwrap();
    let fused = |i: &Instr| matches!(i, Instr::I32ShrUAndImm { .. } | Instr::I32AddShl { .. });
    let parts = |i: &Instr| matches!(i, Instr::I32ShrUImm(_) | Instr::I32ShlImm(_));
    let module = Rc::new(Module::new(&bytes).unwrap());
    for f in 0..4 {
        let code = code_of(&module, f);
        assert!(
            code.iter().any(fused) && !code.iter().any(parts),
            "{code:?}"
        );
    }
    // A debugger stopped at the `i32.and` or `i32.add` sees the shift's result: they stay apart.
    let eager = Module::new_for_debugging(&bytes).unwrap();
    let ends: alloc::vec::Vec<u32> = (0..4)
        .map(|f| {
            let body = eager.body(f).unwrap();
            body.offsets[body.len() - 2]
        })
        .collect();
    let parted = Rc::new(Module::new_with_boundaries(&bytes, &ends).unwrap());
    for f in 0..4 {
        let code = code_of(&parted, f);
        assert!(
            !code.iter().any(fused) && code.iter().any(parts),
            "{code:?}"
        );
        assert!(!code_of(&eager, f).iter().any(fused));
    }

    type Expect = fn(u32, u32) -> u32;
    let expect: [(&str, Expect); 4] = [
        ("byte1", |x, _| x >> 8 & 0xff),
        ("nibbles", |x, _| x >> 4 & 0xf0f),
        ("element", |p, i| p.wrapping_add(i << 2)),
        ("element_shift_first", |p, i| p.wrapping_add(i << 2)),
    ];
    for module in [module, parted] {
        let mut store = Store::new(config());
        let inst = Linker::new().instantiate(&mut store, module).unwrap();
        for (name, want) in expect {
            let f = func(&store, inst, name);
            for (x, y) in [
                (0u32, 0u32),
                (0x1234_5678, 3),
                (0xdead_beef, 0x4000_0001),
                (u32::MAX, u32::MAX),
            ] {
                let got = store
                    .invoke(f, &[Val::I32(x as i32), Val::I32(y as i32)])
                    .unwrap();
                assert_eq!(
                    got,
                    vec![Val::I32(want(x, y) as i32)],
                    "{name} {x:#x} {y:#x}"
                );
            }
        }
    }
}

#[test]
fn a_select_reads_a_local_condition_and_writes_a_local_without_copies() {
    let text = r#"(module
      (func (export "pick") (param $a i32) (param $b i32) (param $c i32) (result i32)
        (local $r i32)
        (local.set $r (select (local.get $a) (local.get $b) (local.get $c)))
        (local.get $r)))"#;
    let module = Rc::new(Module::new(&wat::parse_str(text).unwrap()).unwrap());
    let code = code_of(&module, 0);
    assert!(
        code.contains(&Instr::SelectOn {
            cond: 2,
            dst: 3,
            a_b: 1 << 16
        }),
        "{code:?}"
    );
    // No copy of the condition, nor of the result into `$r` (only `local.get $r`'s, to return it).
    assert!(
        !code
            .iter()
            .any(|i| matches!(i, Instr::Copy { src: 2, .. } | Instr::Copy { dst: 3, .. })),
        "{code:?}"
    );
    let mut store = Store::new(config());
    let inst = Linker::new().instantiate(&mut store, module).unwrap();
    let pick = func(&store, inst, "pick");
    for (c, want) in [(0, 20), (1, 10), (-1, 10)] {
        let got = store.invoke(pick, &[Val::I32(10), Val::I32(20), Val::I32(c)]);
        assert_eq!(got.unwrap(), vec![Val::I32(want)], "condition {c}");
    }
}

#[test]
#[cfg_attr(miri, ignore = "a frame of 65,000 registers is slow under Miri")]
fn a_select_of_registers_past_u16_keeps_its_condition_beside_the_result() {
    // 50,000 locals (the most a function may declare) and 15,600 operands below the select: its
    // first operand is register 65,600, past what `SelectOn` packs.
    let depth = 15_600;
    let text = alloc::format!(
        r#"(module (func (export "far") (param i32 i32 i32) (result i32)
          (local {locals}) {pushes}
          (select (i32.add (local.get 0) (i32.const 1)) (local.get 1) (local.get 2))
          (local.set 3) {drops} (local.get 3)))"#,
        locals = "i32 ".repeat(50_000 - 3),
        pushes = "(i32.const 0) ".repeat(depth),
        drops = "(drop) ".repeat(depth),
    );
    let module = Rc::new(Module::new(&wat::parse_str(&text).unwrap()).unwrap());
    let code = code_of(&module, 0);
    assert!(
        code.iter().any(|i| matches!(i, Instr::Select { .. }))
            && !code.iter().any(|i| matches!(i, Instr::SelectOn { .. })),
        "{:?}",
        code.iter().rev().take(6).collect::<alloc::vec::Vec<_>>()
    );
    let mut store = Store::new(Config {
        max_values: 70_000,
        ..config()
    });
    let inst = Linker::new().instantiate(&mut store, module).unwrap();
    let far = func(&store, inst, "far");
    for (c, want) in [(0, 20), (3, 11)] {
        let got = store.invoke(far, &[Val::I32(10), Val::I32(20), Val::I32(c)]);
        assert_eq!(got.unwrap(), vec![Val::I32(want)], "condition {c}");
    }
}

/// The pcs the loop asks about, as a stepping hook sees them.
struct Seen(Vec<u32>);

impl Hook for Seen {
    const ACTIVE: bool = true;
    fn before(&mut self, frame: &Frame, _: usize) -> bool {
        self.0.push(frame.pc);
        true
    }
}

#[test]
fn a_br_table_takes_its_entrys_jump_itself_but_stops_at_a_marker_on_the_entry() {
    let text = r#"(module (func (export "pick") (param i32) (result i32)
        (block $c (block $b (block $a (br_table $a $b $c (local.get 0)))
          (return (i32.const 10)))
          (return (i32.const 20)))
        (i32.const 30)))"#;
    let module = Rc::new(Module::new(&wat::parse_str(text).unwrap()).unwrap());
    let code = code_of(&module, 0);
    let table = code
        .iter()
        .position(|i| matches!(i, Instr::BrTable { len: 2, .. }))
        .expect("a table") as u32;
    let entries = table + 1..=table + 3;
    let mut store = Store::new(config());
    let inst = Linker::new().instantiate(&mut store, module).unwrap();
    let pick = func(&store, inst, "pick");
    for (index, want) in [(0, 10), (1, 20), (2, 30), (7, 30), (-1, 30)] {
        let mut thread = Thread::new(&store, pick, &[Val::I32(index)]).unwrap();
        let mut seen = Seen(Vec::new());
        assert_eq!(
            thread.run_with_hook(&mut store, &mut seen),
            Ok(Outcome::Finished)
        );
        assert_eq!(
            thread.results(&store),
            vec![Val::I32(want)],
            "index {index}"
        );
        assert!(seen.0.contains(&table), "{:?}", seen.0);
        assert!(
            !seen.0.iter().any(|pc| entries.contains(pc)),
            "{:?}",
            seen.0
        );
    }
    // A marker on the second entry stops index 1 there, and no other.
    store.set_break(pick, table + 2, 9).unwrap();
    for (index, want) in [(1, Outcome::Breakpoint(9)), (0, Outcome::Finished)] {
        let mut thread = Thread::new(&store, pick, &[Val::I32(index)]).unwrap();
        assert_eq!(thread.run(&mut store), Ok(want), "index {index}");
    }
}

#[test]
fn a_run_resumed_at_an_accumulator_form_loads_the_accumulator_from_the_frame() {
    // `(x + 5) * 3 - x`: the multiply takes the add's result from the accumulator, and so does
    // the subtract the multiply's.
    let text = r#"(module
      (func (export "f") (param i32) (result i32)
        (i32.sub (i32.mul (i32.add (local.get 0) (i32.const 5)) (i32.const 3)) (local.get 0))))"#;
    let module = Rc::new(Module::new(&wat::parse_str(text).unwrap()).unwrap());
    let body = module.body(0).unwrap();
    let acc_at: alloc::vec::Vec<u32> = (0..body.len() as u32)
        .filter(|&pc| body.instr(pc).and_then(|i| i.acc_source()).is_some())
        .collect();
    assert_eq!(acc_at, [1, 2], "{:?}", body.instr(1));
    let len = body.len();
    let mut store = Store::new(config());
    let inst = Linker::new().instantiate(&mut store, module).unwrap();
    let f = func(&store, inst, "f");
    assert_eq!(store.invoke(f, &[Val::I32(4)]), Ok(vec![Val::I32(23)]));

    // One instruction at a time: each run starts at an accumulator form but the first.
    let mut thread = Thread::new(&store, f, &[Val::I32(4)]).unwrap();
    let mut steps = 0;
    while !thread.is_finished() {
        assert!(thread.step(&mut store).is_ok());
        steps += 1;
    }
    assert_eq!(thread.results(&store), vec![Val::I32(23)]);
    assert_eq!(steps, len);

    // Stopped at a marker on the multiply, the run resumes there once it is cleared.
    store.set_break(f, 1, 9).unwrap();
    let mut thread = Thread::new(&store, f, &[Val::I32(4)]).unwrap();
    assert_eq!(thread.run(&mut store), Ok(Outcome::Breakpoint(9)));
    assert!(store.clear_break(f, 1));
    assert_eq!(thread.run(&mut store), Ok(Outcome::Finished));
    assert_eq!(thread.results(&store), vec![Val::I32(23)]);
}

/// Accounts and watches, and counts the spans it is given, though it asks for none.
#[derive(Default)]
struct NoSpans {
    instructions: u64,
    spans: usize,
}

impl Hook for NoSpans {
    const ACTIVE: bool = false;
    const WATCH: bool = true;
    const ACCOUNT: bool = true;
    fn before(&mut self, _: &Frame, _: usize) -> bool {
        true
    }
    fn account(&mut self, _: u32, instructions: u64) {
        self.instructions += instructions;
    }
    fn span(&mut self, _: u32, _: u32, _: u32) {
        self.spans += 1;
    }
}

#[test]
fn a_hook_runs_in_a_mode_with_more_flags_but_is_asked_only_what_its_own_ask_for() {
    let (mut store, inst) = instance(quiet());
    let sum = func(&store, inst, "sum_squares");
    let mut hook = NoSpans::default();
    let mut thread = Thread::new(&store, sum, &[Val::I32(6)]).unwrap();
    assert_eq!(
        thread.run_with_hook(&mut store, &mut hook),
        Ok(Outcome::Finished)
    );
    assert_eq!(thread.results(&store), vec![Val::I32(91)]);
    let mut counted = 0;
    let mut thread = Thread::new(&store, sum, &[Val::I32(6)]).unwrap();
    let mut count = |_: &Frame, _: usize| {
        counted += 1;
        true
    };
    assert_eq!(
        thread.run_with_hook(&mut store, &mut count),
        Ok(Outcome::Finished)
    );
    assert_eq!(hook.instructions, counted, "every instruction accounted");
    assert_eq!(hook.spans, 0, "no spans for a hook that asks for none");
}
