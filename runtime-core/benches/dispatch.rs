//! Interpreter designs measured on one loop, side by side in one run: `hot_loop`'s (from
//! `tests/fixtures/src/kernels.c`, as our translation leaves it), run by handlers that end in a
//! tail call to the next, against our interpreter and wasmi 2.0 running the whole function.
//! The designs differ in how a handler finds the next one (an opcode table, or the handler's
//! address in the instruction) and in whether the previous result stays in a machine register
//! (an accumulator) for the next instruction to take. Prints each design's time against ours.
//!
//! The tail calls become jumps only in an optimised build (as here, in the bench profile): the
//! designs are a measurement, not code that runs anywhere else.

use std::hint::black_box;
use std::rc::Rc;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use runtime_core::{Extern, Linker, Module, Store, Val};
use side_by_side::{fixture, measure};

mod side_by_side;

const ROUNDS: u32 = 2_000_000;

/// One instruction: how its handler is found, then `dst = a OP b` (`b` a register or an
/// immediate), or a branch back by `a` instructions while register `dst` differs from `b`.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct Instr<D> {
    find: D,
    dst: u16,
    a: u16,
    b: u32,
}

/// A handler: runs the instruction at `ip` on registers `regs` with the previous result in
/// `acc`, then tail-calls the next instruction's handler; returns the accumulator at the end.
#[derive(Clone, Copy)]
struct Handler<D>(extern "C" fn(*const Instr<D>, *mut u64, *const Handler<D>, u64) -> u64);

/// How a handler finds the next instruction's.
trait Dispatch: Copy + 'static {
    /// The instruction's own reference to `h`, the handler of instruction `pc`.
    fn new(h: Handler<Self>, pc: usize) -> Self;
    /// The handler of the instruction at `ip`, `table` holding one per instruction.
    fn find(ip: *const Instr<Self>, table: *const Handler<Self>) -> Handler<Self>;
}

/// The handler's address in the instruction (wasmi 2.0's default).
#[derive(Clone, Copy)]
struct Direct(Handler<Direct>);

impl Dispatch for Direct {
    fn new(h: Handler<Self>, _: usize) -> Self {
        Direct(h)
    }
    #[inline(always)]
    fn find(ip: *const Instr<Self>, _: *const Handler<Self>) -> Handler<Self> {
        // SAFETY: handlers are only called with `ip` inside the code `run` passes.
        unsafe { (*ip).find.0 }
    }
}

/// An opcode in the instruction, its handler in a table (the 16-bit tag our `Instr` has).
#[derive(Clone, Copy)]
struct Table(u16);

impl Dispatch for Table {
    fn new(_: Handler<Self>, pc: usize) -> Self {
        Table(pc as u16)
    }
    #[inline(always)]
    fn find(ip: *const Instr<Self>, table: *const Handler<Self>) -> Handler<Self> {
        // SAFETY: as for `Direct`; the table holds a handler for every opcode the code has.
        unsafe { *table.add((*ip).find.0 as usize) }
    }
}

/// The operations the loop uses.
const MUL: u8 = 0;
const ADD: u8 = 1;
const SHR_U: u8 = 2;
const SHL: u8 = 3;
const AND: u8 = 4;
const RSUB: u8 = 5;
const XOR: u8 = 6;

/// `a OP b`.
#[inline(always)]
fn apply(op: u8, a: u32, b: u32) -> u32 {
    match op {
        MUL => a.wrapping_mul(b),
        ADD => a.wrapping_add(b),
        SHR_U => a.wrapping_shr(b),
        SHL => a.wrapping_shl(b),
        AND => a & b,
        RSUB => b.wrapping_sub(a),
        _ => a ^ b,
    }
}

/// The register `i` of the frame.
macro_rules! r {
    ($regs:ident, $i:expr) => {
        // SAFETY: the code only names registers below `REGS`, the frame's size.
        *unsafe { &mut *$regs.add($i as usize) }
    };
}

/// `dst = a OP b`: `b` an immediate (`IMM`), `a` the accumulator (`ACC`), `dst` written (`STORE`)
/// or only left in the accumulator.
extern "C" fn binary<
    D: Dispatch,
    const OP: u8,
    const IMM: bool,
    const ACC: bool,
    const STORE: bool,
>(
    ip: *const Instr<D>,
    regs: *mut u64,
    table: *const Handler<D>,
    acc: u64,
) -> u64 {
    // SAFETY: see `Direct::find`.
    let x = unsafe { *ip };
    let a = if ACC { acc } else { r!(regs, x.a) };
    let b = if IMM { x.b } else { r!(regs, x.b) as u32 };
    let v = u64::from(apply(OP, a as u32, b));
    if STORE {
        r!(regs, x.dst) = v;
    }
    let ip = ip.wrapping_add(1);
    (D::find(ip, table).0)(ip, regs, table, v)
}

/// Branches back by `a` while register `dst` (or the accumulator, `ACC`) differs from register `b`.
extern "C" fn branch_ne<D: Dispatch, const ACC: bool>(
    ip: *const Instr<D>,
    regs: *mut u64,
    table: *const Handler<D>,
    acc: u64,
) -> u64 {
    // SAFETY: see `Direct::find`.
    let x = unsafe { *ip };
    let a = if ACC { acc } else { r!(regs, x.dst) };
    let ip = if a as u32 != r!(regs, x.b) as u32 {
        ip.wrapping_sub(x.a as usize)
    } else {
        ip.wrapping_add(1)
    };
    (D::find(ip, table).0)(ip, regs, table, acc)
}

/// Ends the run.
extern "C" fn stop<D>(_: *const Instr<D>, _: *mut u64, _: *const Handler<D>, acc: u64) -> u64 {
    acc
}

/// An operation of the loop, as our translation emits it (`runtime-core` example `dump`, pcs
/// 13-35 of `hot_loop`): `dst = a OP b`, `b` a register or an immediate.
#[derive(Clone, Copy)]
struct Op {
    op: u8,
    dst: u16,
    a: u16,
    b: Operand,
}

/// The right operand: a register, or an immediate in the instruction.
#[derive(Clone, Copy, PartialEq)]
enum Operand {
    Reg(u16),
    Imm(u32),
}

/// Registers 0-4 are `hot_loop`'s locals (i, n & 1, x, acc, n & !1); the rest its operand stack.
const LOCALS: u16 = 5;
/// The frame's size: locals and operand stack.
const REGS: usize = 11;

/// The loop's operations, the branch back excepted.
fn hot_loop() -> Vec<Op> {
    use Operand::{Imm, Reg};
    let op = |op, dst, a, b| Op { op, dst, a, b };
    vec![
        op(MUL, 5, 2, Imm(1103515245)),
        op(MUL, 7, 2, Imm(-1029531031i32 as u32)),
        op(ADD, 2, 7, Imm(-740551042i32 as u32)),
        op(SHR_U, 7, 2, Imm(16)),
        op(ADD, 9, 5, Imm(12345)),
        op(SHR_U, 9, 9, Imm(16)),
        op(SHL, 10, 3, Imm(3)),
        op(XOR, 9, 9, Reg(10)),
        op(ADD, 3, 9, Reg(3)),
        op(AND, 9, 3, Imm(1)),
        op(RSUB, 8, 9, Imm(0)),
        op(AND, 8, 8, Reg(0)),
        op(XOR, 3, 8, Reg(3)),
        op(SHL, 8, 3, Imm(3)),
        op(XOR, 7, 7, Reg(8)),
        op(ADD, 3, 7, Reg(3)),
        op(AND, 7, 3, Imm(1)),
        op(RSUB, 6, 7, Imm(0)),
        op(ADD, 7, 0, Imm(1)),
        op(AND, 6, 6, Reg(7)),
        op(XOR, 3, 6, Reg(3)),
        op(ADD, 0, 0, Imm(2)),
    ]
}

/// Whether each operation takes `a` from the accumulator (the operation before wrote it; for a
/// commutative one, `b` is swapped in) and whether its result, a stack slot that only the next
/// operation reads, need not be written (`elide`). The loop's last operation feeds its branch.
fn accumulate(ops: &mut [Op], elide: bool) -> Vec<(bool, bool)> {
    let n = ops.len();
    let mut forms = vec![(false, true); n];
    for pc in 1..n {
        let prev = ops[pc - 1].dst;
        let commutative = matches!(ops[pc].op, ADD | MUL | AND | XOR);
        if ops[pc].b == Operand::Reg(prev) && ops[pc].a != prev && commutative {
            let a = ops[pc].a;
            (ops[pc].a, ops[pc].b) = (prev, Operand::Reg(a));
        }
        forms[pc].0 = ops[pc].a == prev;
    }
    if elide {
        for pc in 0..n - 1 {
            let (dst, next) = (ops[pc].dst, ops[pc + 1]);
            let reads = |o: &Op| o.a == dst || o.b == Operand::Reg(dst);
            // Dead once the next operation took it: it writes the register again, or the first
            // operation after it (round the loop) that names the register writes it.
            let dead = next.dst == dst
                || !(pc + 2..pc + n + 1)
                    .map(|i| ops[i % n])
                    .find(|o| reads(o) || o.dst == dst)
                    .is_some_and(|o| reads(&o));
            let only_next = forms[pc + 1].0 && next.b != Operand::Reg(dst) && dead;
            forms[pc].1 = dst < LOCALS || !only_next;
        }
    }
    forms
}

/// The handler of one operation in the given forms.
fn handler<D: Dispatch>(o: Op, acc: bool, store: bool) -> Handler<D> {
    macro_rules! forms {
        ($($op:ident)*) => {
            match (o.op, matches!(o.b, Operand::Imm(_)), acc, store) {
                $(
                    ($op, false, false, false) => binary::<D, $op, false, false, false>,
                    ($op, false, false, true) => binary::<D, $op, false, false, true>,
                    ($op, false, true, false) => binary::<D, $op, false, true, false>,
                    ($op, false, true, true) => binary::<D, $op, false, true, true>,
                    ($op, true, false, false) => binary::<D, $op, true, false, false>,
                    ($op, true, false, true) => binary::<D, $op, true, false, true>,
                    ($op, true, true, false) => binary::<D, $op, true, true, false>,
                    ($op, true, true, true) => binary::<D, $op, true, true, true>,
                )*
                _ => unreachable!("no such operation"),
            }
        };
    }
    Handler(forms!(MUL ADD SHR_U SHL AND RSUB XOR))
}

/// The loop in one design: its code and the handler table (one entry per instruction).
struct Program<D> {
    code: Vec<Instr<D>>,
    table: Vec<Handler<D>>,
}

impl<D: Dispatch> Program<D> {
    fn new(accumulator: bool, elide: bool) -> Self {
        let mut ops = hot_loop();
        let forms = if accumulator {
            accumulate(&mut ops, elide)
        } else {
            vec![(false, true); ops.len()]
        };
        let mut table: Vec<Handler<D>> = ops
            .iter()
            .zip(&forms)
            .map(|(&o, &(acc, store))| handler(o, acc, store))
            .collect();
        let back = ops.len() as u16;
        table.push(Handler(if accumulator {
            branch_ne::<D, true>
        } else {
            branch_ne::<D, false>
        }));
        table.push(Handler(stop::<D>));
        let fields = ops.iter().map(|o| {
            let b = match o.b {
                Operand::Reg(r) => u32::from(r),
                Operand::Imm(v) => v,
            };
            (o.dst, o.a, b)
        });
        // The branch: register 0 (i, or the accumulator) against register 4 (the bound).
        let fields = fields.chain([(0, back, 4), (0, 0, 0)]);
        let code = fields
            .zip(&table)
            .enumerate()
            .map(|(pc, ((dst, a, b), &h))| Instr {
                find: D::new(h, pc),
                dst,
                a,
                b,
            })
            .collect();
        Program { code, table }
    }

    /// `hot_loop(rounds)`'s result for an even `rounds` of at least 2.
    fn run(&self, rounds: u32) -> u32 {
        let mut regs = [0u64; REGS];
        (regs[2], regs[4]) = (1, u64::from(rounds & !1));
        let (ip, table) = (self.code.as_ptr(), self.table.as_ptr());
        (D::find(ip, table).0)(ip, regs.as_mut_ptr(), table, 0);
        regs[3] as u32
    }
}

fn designs(c: &mut Criterion) {
    let module = Rc::new(Module::new(&fixture("kernels.wasm")).expect("kernels"));
    let mut store = Store::default();
    let inst = Linker::new()
        .instantiate(&mut store, module)
        .expect("instantiate");
    let Some(Extern::Func(f)) = store.instance(inst).export("hot_loop") else {
        panic!("no hot_loop")
    };
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, fixture("kernels.wasm")).expect("kernels");
    let mut wstore = wasmi::Store::new(&engine, ());
    let wf = wasmi::Linker::new(&engine)
        .instantiate_and_start(&mut wstore, &module)
        .and_then(|i| i.get_typed_func::<i32, i32>(&wstore, "hot_loop"))
        .expect("wasmi hot_loop");

    let ours = store.invoke(f, &[Val::I32(ROUNDS as i32)]).expect("ours");
    let table = Program::<Table>::new(false, false);
    let direct = Program::<Direct>::new(false, false);
    let table_acc = Program::<Table>::new(true, false);
    let direct_acc = Program::<Direct>::new(true, false);
    let direct_acc_elide = Program::<Direct>::new(true, true);
    let runs: [(&str, &dyn Fn(u32) -> u32); 5] = [
        ("table", &|n| table.run(n)),
        ("direct", &|n| direct.run(n)),
        ("table+acc", &|n| table_acc.run(n)),
        ("direct+acc", &|n| direct_acc.run(n)),
        ("direct+acc+elide", &|n| direct_acc_elide.run(n)),
    ];
    for (name, run) in runs {
        assert_eq!(
            ours,
            vec![Val::I32(run(ROUNDS) as i32)],
            "{name}: results differ"
        );
    }
    assert_eq!(
        ours,
        vec![Val::I32(wf.call(&mut wstore, ROUNDS as i32).unwrap())]
    );

    measure(c, "hot_loop", "ours", || {
        black_box(
            store
                .invoke(f, &[Val::I32(black_box(ROUNDS as i32))])
                .unwrap(),
        );
    });
    measure(c, "hot_loop", "wasmi", || {
        black_box(wf.call(&mut wstore, black_box(ROUNDS as i32)).unwrap());
    });
    for (name, run) in runs {
        measure(c, "hot_loop", name, || {
            black_box(run(black_box(ROUNDS)));
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = designs
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    for design in [
        "wasmi",
        "table",
        "direct",
        "table+acc",
        "direct+acc",
        "direct+acc+elide",
    ] {
        side_by_side::report(&["hot_loop"], design, "ours");
    }
}
