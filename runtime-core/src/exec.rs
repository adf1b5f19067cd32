//! The interpreter loop and the resumable thread it runs on. Wasm calls never recurse on the host stack:
//! frames live in [`Thread::frames`], so deep recursion traps with `call stack exhausted` instead.

use alloc::rc::Rc;
use alloc::vec::Vec;

use crate::error::{Error, Trap};
use crate::instr::{DropKeep, Instr};
use crate::module::FuncBody;
use crate::numeric as num;
use crate::store::{Caller, FuncKind, Store, range};
use crate::value::Val;

/// A suspended or active call frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Store address of the function.
    pub func: u32,
    /// Internal pc: of the next instruction for callers, of the current one for the top frame.
    pub pc: u32,
    /// Index of the first local in the value stack.
    pub fp: u32,
    /// Instance the function belongs to.
    pub instance: u32,
}

/// Why [`Thread::run`] returned without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The entry function returned; see [`Thread::results`].
    Finished,
    /// A patched-in [`Instr::Break`] was reached; the top frame's pc points at it.
    Breakpoint(u32),
    /// The hook asked to stop before the instruction at the top frame's pc.
    Paused,
}

/// A per-instruction hook for stepping. The plain loop is compiled with [`NoHook`] and pays nothing.
pub trait Hook {
    /// Whether the loop calls [`Hook::before`] at all.
    const ACTIVE: bool;
    /// Called before each instruction with the current frame and the call depth; `false` pauses there.
    fn before(&mut self, frame: &Frame, depth: usize) -> bool;
}

/// The hook of the normal, full-speed loop.
pub struct NoHook;

impl Hook for NoHook {
    const ACTIVE: bool = false;
    fn before(&mut self, _: &Frame, _: usize) -> bool {
        true
    }
}

impl<F: FnMut(&Frame, usize) -> bool> Hook for F {
    const ACTIVE: bool = true;
    fn before(&mut self, frame: &Frame, depth: usize) -> bool {
        self(frame, depth)
    }
}

/// One Wasm call in progress: value stack and frames. It can be run, paused, inspected and resumed.
pub struct Thread {
    stack: Vec<u64>,
    sp: usize,
    frames: Vec<Frame>,
    entry: u32,
    done: bool,
    args: Vec<Val>,
    rets: Vec<Val>,
}

impl Thread {
    /// Prepares a call of function `addr` with `args`; nothing runs until [`Thread::run`].
    pub fn new(store: &Store, addr: u32, args: &[Val]) -> Result<Thread, Error> {
        let ty = store
            .funcs
            .get(addr as usize)
            .map(|f| &store.types[f.type_id as usize]);
        let ty = ty.ok_or_else(|| {
            Error::ArgumentMismatch(alloc::format!("no function at address {addr}"))
        })?;
        if ty.params.len() != args.len() || ty.params.iter().zip(args).any(|(t, a)| *t != a.ty()) {
            return Err(Error::ArgumentMismatch(alloc::format!(
                "expected {:?}, got {:?}",
                ty.params,
                args
            )));
        }
        let mut t = Thread {
            stack: Vec::new(),
            sp: 0,
            frames: Vec::new(),
            entry: addr,
            done: false,
            args: Vec::new(),
            rets: Vec::new(),
        };
        t.stack.resize(args.len().max(16), 0);
        for (i, a) in args.iter().enumerate() {
            t.stack[i] = a.to_raw();
        }
        t.sp = args.len();
        Ok(t)
    }

    /// The call frames, outermost first; the last is where execution stands.
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }

    /// Values of frame `i`'s locals (parameters first).
    pub fn locals(&self, store: &Store, i: usize) -> &[u64] {
        let f = &self.frames[i];
        let n = store.func_body(f.func).map_or(0, |b| b.locals.len());
        &self.stack[f.fp as usize..f.fp as usize + n]
    }

    /// Operand stack values of frame `i`, bottom first.
    pub fn operands(&self, store: &Store, i: usize) -> &[u64] {
        let f = &self.frames[i];
        let start = f.fp as usize + store.func_body(f.func).map_or(0, |b| b.locals.len());
        let end = self.frames.get(i + 1).map_or(self.sp, |g| g.fp as usize);
        &self.stack[start..end.max(start)]
    }

    /// Whether the entry function has returned.
    pub fn is_finished(&self) -> bool {
        self.done
    }

    /// The entry function's results, once finished.
    pub fn results(&self, store: &Store) -> Vec<Val> {
        let ty = store.func_type(self.entry);
        let base = self.sp - ty.results.len();
        ty.results
            .iter()
            .enumerate()
            .map(|(i, t)| Val::from_raw(*t, self.stack[base + i]))
            .collect()
    }

    /// Runs at full speed until the call finishes, traps or reaches a breakpoint.
    pub fn run(&mut self, store: &mut Store) -> Result<Outcome, Trap> {
        self.execute(store, &mut NoHook)
    }

    /// Runs with `hook` consulted before every instruction.
    pub fn run_with_hook<H: Hook>(
        &mut self,
        store: &mut Store,
        hook: &mut H,
    ) -> Result<Outcome, Trap> {
        self.execute(store, hook)
    }

    /// Executes exactly one instruction (stepping into calls), e.g. to step off a breakpoint.
    pub fn step(&mut self, store: &mut Store) -> Result<Outcome, Trap> {
        let mut first = true;
        self.execute(store, &mut |_: &Frame, _: usize| {
            core::mem::replace(&mut first, false)
        })
    }

    fn execute<H: Hook>(&mut self, store: &mut Store, hook: &mut H) -> Result<Outcome, Trap> {
        if self.done {
            return Ok(Outcome::Finished);
        }
        if self.frames.is_empty() {
            // First run: enter the entry function.
            match store.funcs[self.entry as usize].kind.clone() {
                FuncKind::Host(f) => {
                    self.call_host(store, &f, self.entry, None)?;
                    self.done = true;
                    return Ok(Outcome::Finished);
                }
                FuncKind::Wasm { instance, body, .. } => {
                    let fp = self.sp - body.num_params as usize;
                    self.enter(store, &body, fp)?;
                    self.frames.push(Frame {
                        func: self.entry,
                        pc: 0,
                        fp: fp as u32,
                        instance,
                    });
                }
            }
        }
        let out = self.interpret(store, hook);
        if matches!(out, Ok(Outcome::Finished)) {
            self.done = true;
        }
        out
    }

    /// Zeroes the declared locals of a new frame at `fp` and makes room for its operands.
    fn enter(&mut self, store: &Store, body: &FuncBody, fp: usize) -> Result<(), Trap> {
        let locals_end = fp + body.locals.len();
        let need = locals_end + body.max_height as usize;
        if need > self.stack.len() {
            if need > store.config.max_values {
                return Err(Trap::CallStackExhausted);
            }
            let new_len = need.max(self.stack.len() * 2).min(store.config.max_values);
            self.stack.resize(new_len, 0);
        }
        if self.frames.len() >= store.config.max_frames {
            return Err(Trap::CallStackExhausted);
        }
        self.stack[self.sp..locals_end].fill(0);
        self.sp = locals_end;
        Ok(())
    }

    /// Calls a host function with the arguments on top of the stack, leaving its results there.
    fn call_host(
        &mut self,
        store: &mut Store,
        f: &crate::store::HostFn,
        addr: u32,
        instance: Option<u32>,
    ) -> Result<(), Trap> {
        let ty = &store.types[store.funcs[addr as usize].type_id as usize];
        let (np, nr) = (ty.params.len(), ty.results.len());
        let base = self.sp - np;
        self.args.clear();
        self.args.extend(
            ty.params
                .iter()
                .enumerate()
                .map(|(i, t)| Val::from_raw(*t, self.stack[base + i])),
        );
        self.rets.clear();
        self.rets
            .extend(ty.results.iter().map(|t| Val::default_of(*t)));
        if base + nr > self.stack.len() {
            self.stack.resize(base + nr, 0);
        }
        f(&mut Caller { store, instance }, &self.args, &mut self.rets)?;
        for (i, v) in self.rets.iter().enumerate() {
            self.stack[base + i] = v.to_raw();
        }
        self.sp = base + nr;
        Ok(())
    }

    #[allow(clippy::too_many_lines)]
    fn interpret<H: Hook>(&mut self, store: &mut Store, hook: &mut H) -> Result<Outcome, Trap> {
        let top = self.frames.pop().expect("a frame to run");
        let mut func = top.func;
        let mut pc = top.pc as usize;
        let mut fp = top.fp as usize;
        let mut inst = top.instance;
        let mut body: Rc<FuncBody> = store.func_body(func).expect("wasm frame").clone();
        let mut mem = store.instances[inst as usize]
            .mems
            .first()
            .map_or(usize::MAX, |&m| m as usize);
        let mut sp = self.sp;

        macro_rules! pop {
            () => {{
                sp -= 1;
                self.stack[sp]
            }};
        }
        macro_rules! push {
            ($v:expr) => {{
                let v = $v;
                self.stack[sp] = v;
                sp += 1;
            }};
        }
        macro_rules! top {
            () => {
                self.stack[sp - 1]
            };
        }
        macro_rules! un {
            ($from:ident, $e:expr) => {{
                let a = $from(top!());
                top!() = IntoRaw::raw($e(a));
            }};
        }
        macro_rules! bin {
            ($from:ident, $e:expr) => {{
                let b = $from(pop!());
                let a = $from(top!());
                top!() = IntoRaw::raw($e(a, b));
            }};
        }
        macro_rules! bin_trap {
            ($from:ident, $e:expr) => {{
                let b = $from(pop!());
                let a = $from(top!());
                match $e(a, b) {
                    Ok(v) => top!() = IntoRaw::raw(v),
                    Err(t) => break Err(t),
                }
            }};
        }
        macro_rules! un_trap {
            ($from:ident, $e:expr) => {{
                match $e($from(top!())) {
                    Ok(v) => top!() = IntoRaw::raw(v),
                    Err(t) => break Err(t),
                }
            }};
        }
        macro_rules! load {
            ($off:expr, $n:literal, $conv:expr) => {{
                let addr = top!() as u32 as u64 + $off as u64;
                let data = &store.mems[mem].data;
                if addr + $n > data.len() as u64 {
                    break Err(Trap::MemoryOutOfBounds);
                }
                let mut b = [0u8; $n];
                b.copy_from_slice(&data[addr as usize..addr as usize + $n]);
                top!() = $conv(b);
            }};
        }
        macro_rules! store {
            ($off:expr, $n:literal, $conv:expr) => {{
                let v = pop!();
                let addr = pop!() as u32 as u64 + $off as u64;
                let data = &mut store.mems[mem].data;
                if addr + $n > data.len() as u64 {
                    break Err(Trap::MemoryOutOfBounds);
                }
                let b: [u8; $n] = $conv(v);
                data[addr as usize..addr as usize + $n].copy_from_slice(&b);
            }};
        }
        macro_rules! branch {
            ($target:expr, $dk:expr) => {{
                let DropKeep { drop, keep } = $dk;
                if drop > 0 {
                    let (keep, drop) = (keep as usize, drop as usize);
                    self.stack.copy_within(sp - keep..sp, sp - keep - drop);
                    sp -= drop;
                }
                pc = $target as usize;
            }};
        }

        let result = loop {
            if H::ACTIVE {
                let frame = Frame {
                    func,
                    pc: pc as u32,
                    fp: fp as u32,
                    instance: inst,
                };
                if !hook.before(&frame, self.frames.len() + 1) {
                    break Ok(Outcome::Paused);
                }
            }
            let instr = body.code[pc].get();
            pc += 1;
            match instr {
                Instr::Break(id) => {
                    pc -= 1;
                    break Ok(Outcome::Breakpoint(id));
                }
                Instr::Unreachable => break Err(Trap::Unreachable),
                Instr::Br { target, dk } => branch!(target, dk),
                Instr::BrIfNez { target, dk } => {
                    if pop!() as u32 != 0 {
                        branch!(target, dk);
                    }
                }
                Instr::BrIfEqz { target } => {
                    if pop!() as u32 == 0 {
                        pc = target as usize;
                    }
                }
                Instr::BrTable { len } => {
                    let i = (pop!() as u32).min(len);
                    pc += i as usize;
                }
                Instr::Return { keep } => {
                    let keep = keep as usize;
                    self.stack.copy_within(sp - keep..sp, fp);
                    sp = fp + keep;
                    match self.frames.pop() {
                        None => {
                            pc -= 1;
                            break Ok(Outcome::Finished);
                        }
                        Some(f) => {
                            if f.instance != inst {
                                inst = f.instance;
                                mem = store.instances[inst as usize]
                                    .mems
                                    .first()
                                    .map_or(usize::MAX, |&m| m as usize);
                            }
                            func = f.func;
                            pc = f.pc as usize;
                            fp = f.fp as usize;
                            body = store.func_body(func).expect("wasm caller").clone();
                        }
                    }
                }
                Instr::Call(_) | Instr::CallIndirect { .. } => {
                    let callee = match instr {
                        Instr::Call(idx) => store.instances[inst as usize].funcs[idx as usize],
                        Instr::CallIndirect { ty, table } => {
                            let i = pop!() as u32;
                            let t = &store.tables
                                [store.instances[inst as usize].tables[table as usize] as usize];
                            let Some(&r) = t.elems.get(i as usize) else {
                                break Err(Trap::UndefinedElement);
                            };
                            if r == 0 {
                                break Err(Trap::UninitializedElement);
                            }
                            let addr = (r - 1) as u32;
                            if store.funcs[addr as usize].type_id
                                != store.instances[inst as usize].types[ty as usize]
                            {
                                break Err(Trap::IndirectCallTypeMismatch);
                            }
                            addr
                        }
                        _ => unreachable!("only calls reach here"),
                    };
                    match &store.funcs[callee as usize].kind {
                        FuncKind::Wasm {
                            instance,
                            body: callee_body,
                            ..
                        } => {
                            let callee_body = callee_body.clone();
                            let instance = *instance;
                            self.frames.push(Frame {
                                func,
                                pc: pc as u32,
                                fp: fp as u32,
                                instance: inst,
                            });
                            let new_fp = sp - callee_body.num_params as usize;
                            self.sp = sp;
                            if let Err(t) = self.enter(store, &callee_body, new_fp) {
                                self.frames.pop();
                                break Err(t);
                            }
                            sp = self.sp;
                            fp = new_fp;
                            func = callee;
                            pc = 0;
                            body = callee_body;
                            if instance != inst {
                                inst = instance;
                                mem = store.instances[inst as usize]
                                    .mems
                                    .first()
                                    .map_or(usize::MAX, |&m| m as usize);
                            }
                        }
                        FuncKind::Host(f) => {
                            let f = f.clone();
                            self.sp = sp;
                            if let Err(t) = self.call_host(store, &f, callee, Some(inst)) {
                                break Err(t);
                            }
                            sp = self.sp;
                        }
                    }
                }
                Instr::Drop => sp -= 1,
                Instr::Select => {
                    let c = pop!() as u32;
                    let b = pop!();
                    if c == 0 {
                        top!() = b;
                    }
                }
                Instr::LocalGet(i) => push!(self.stack[fp + i as usize]),
                Instr::LocalSet(i) => {
                    let v = pop!();
                    self.stack[fp + i as usize] = v;
                }
                Instr::LocalTee(i) => self.stack[fp + i as usize] = top!(),
                Instr::GlobalGet(i) => {
                    push!(
                        store.globals[store.instances[inst as usize].globals[i as usize] as usize]
                            .value
                    )
                }
                Instr::GlobalSet(i) => {
                    let v = pop!();
                    store.globals[store.instances[inst as usize].globals[i as usize] as usize]
                        .value = v;
                }
                Instr::TableGet(t) => {
                    let i = top!() as u32;
                    let table =
                        &store.tables[store.instances[inst as usize].tables[t as usize] as usize];
                    match table.elems.get(i as usize) {
                        Some(&r) => top!() = r,
                        None => break Err(Trap::TableOutOfBounds),
                    }
                }
                Instr::TableSet(t) => {
                    let r = pop!();
                    let i = pop!() as u32;
                    let table = &mut store.tables
                        [store.instances[inst as usize].tables[t as usize] as usize];
                    match table.elems.get_mut(i as usize) {
                        Some(slot) => *slot = r,
                        None => break Err(Trap::TableOutOfBounds),
                    }
                }
                Instr::I32Load(o) => load!(o, 4, |b| u32::from_le_bytes(b) as u64),
                Instr::I64Load(o) => load!(o, 8, u64::from_le_bytes),
                Instr::F32Load(o) => load!(o, 4, |b| u32::from_le_bytes(b) as u64),
                Instr::F64Load(o) => load!(o, 8, u64::from_le_bytes),
                Instr::I32Load8S(o) => load!(o, 1, |b: [u8; 1]| b[0] as i8 as i32 as u32 as u64),
                Instr::I32Load8U(o) => load!(o, 1, |b: [u8; 1]| b[0] as u64),
                Instr::I32Load16S(o) => load!(o, 2, |b| i16::from_le_bytes(b) as i32 as u32 as u64),
                Instr::I32Load16U(o) => load!(o, 2, |b| u16::from_le_bytes(b) as u64),
                Instr::I64Load8S(o) => load!(o, 1, |b: [u8; 1]| b[0] as i8 as i64 as u64),
                Instr::I64Load8U(o) => load!(o, 1, |b: [u8; 1]| b[0] as u64),
                Instr::I64Load16S(o) => load!(o, 2, |b| i16::from_le_bytes(b) as i64 as u64),
                Instr::I64Load16U(o) => load!(o, 2, |b| u16::from_le_bytes(b) as u64),
                Instr::I64Load32S(o) => load!(o, 4, |b| i32::from_le_bytes(b) as i64 as u64),
                Instr::I64Load32U(o) => load!(o, 4, |b| u32::from_le_bytes(b) as u64),
                Instr::I32Store(o) | Instr::F32Store(o) | Instr::I64Store32(o) => {
                    store!(o, 4, |v: u64| (v as u32).to_le_bytes())
                }
                Instr::I64Store(o) | Instr::F64Store(o) => store!(o, 8, |v: u64| v.to_le_bytes()),
                Instr::I32Store8(o) | Instr::I64Store8(o) => store!(o, 1, |v: u64| [v as u8]),
                Instr::I32Store16(o) | Instr::I64Store16(o) => {
                    store!(o, 2, |v: u64| (v as u16).to_le_bytes())
                }
                Instr::MemorySize => push!(store.mems[mem].pages()),
                Instr::MemoryGrow => {
                    let delta = top!() as u32 as u64;
                    let limit = store.config.max_memory_pages;
                    top!() = match store.mems[mem].grow(delta, limit) {
                        Some(old) => old,
                        None => u32::MAX as u64,
                    };
                }
                Instr::I32Const(v) => push!(v as u32 as u64),
                Instr::I64Const(v) => push!(v as u64),
                Instr::F32Const(v) => push!(v as u64),
                Instr::F64Const(v) => push!(v),
                Instr::I32Eqz => un!(i32_, |a: i32| a == 0),
                Instr::I32Eq => bin!(i32_, |a, b| a == b),
                Instr::I32Ne => bin!(i32_, |a, b| a != b),
                Instr::I32LtS => bin!(i32_, |a, b| a < b),
                Instr::I32LtU => bin!(u32_, |a, b| a < b),
                Instr::I32GtS => bin!(i32_, |a, b| a > b),
                Instr::I32GtU => bin!(u32_, |a, b| a > b),
                Instr::I32LeS => bin!(i32_, |a, b| a <= b),
                Instr::I32LeU => bin!(u32_, |a, b| a <= b),
                Instr::I32GeS => bin!(i32_, |a, b| a >= b),
                Instr::I32GeU => bin!(u32_, |a, b| a >= b),
                Instr::I64Eqz => un!(i64_, |a: i64| a == 0),
                Instr::I64Eq => bin!(i64_, |a, b| a == b),
                Instr::I64Ne => bin!(i64_, |a, b| a != b),
                Instr::I64LtS => bin!(i64_, |a, b| a < b),
                Instr::I64LtU => bin!(u64_, |a, b| a < b),
                Instr::I64GtS => bin!(i64_, |a, b| a > b),
                Instr::I64GtU => bin!(u64_, |a, b| a > b),
                Instr::I64LeS => bin!(i64_, |a, b| a <= b),
                Instr::I64LeU => bin!(u64_, |a, b| a <= b),
                Instr::I64GeS => bin!(i64_, |a, b| a >= b),
                Instr::I64GeU => bin!(u64_, |a, b| a >= b),
                Instr::F32Eq => bin!(f32_, |a, b| a == b),
                Instr::F32Ne => bin!(f32_, |a, b| a != b),
                Instr::F32Lt => bin!(f32_, |a, b| a < b),
                Instr::F32Gt => bin!(f32_, |a, b| a > b),
                Instr::F32Le => bin!(f32_, |a, b| a <= b),
                Instr::F32Ge => bin!(f32_, |a, b| a >= b),
                Instr::F64Eq => bin!(f64_, |a, b| a == b),
                Instr::F64Ne => bin!(f64_, |a, b| a != b),
                Instr::F64Lt => bin!(f64_, |a, b| a < b),
                Instr::F64Gt => bin!(f64_, |a, b| a > b),
                Instr::F64Le => bin!(f64_, |a, b| a <= b),
                Instr::F64Ge => bin!(f64_, |a, b| a >= b),
                Instr::I32Clz => un!(u32_, u32::leading_zeros),
                Instr::I32Ctz => un!(u32_, u32::trailing_zeros),
                Instr::I32Popcnt => un!(u32_, u32::count_ones),
                Instr::I32Add => bin!(u32_, u32::wrapping_add),
                Instr::I32Sub => bin!(u32_, u32::wrapping_sub),
                Instr::I32Mul => bin!(u32_, u32::wrapping_mul),
                Instr::I32DivS => bin_trap!(i32_, |a: i32, b: i32| match b {
                    0 => Err(Trap::IntegerDivideByZero),
                    -1 if a == i32::MIN => Err(Trap::IntegerOverflow),
                    _ => Ok(a / b),
                }),
                Instr::I32DivU => bin_trap!(u32_, |a: u32, b: u32| a
                    .checked_div(b)
                    .ok_or(Trap::IntegerDivideByZero)),
                Instr::I32RemS => {
                    bin_trap!(i32_, |a: i32, b: i32| if b == 0 {
                        Err(Trap::IntegerDivideByZero)
                    } else {
                        Ok(a.wrapping_rem(b))
                    })
                }
                Instr::I32RemU => bin_trap!(u32_, |a: u32, b: u32| a
                    .checked_rem(b)
                    .ok_or(Trap::IntegerDivideByZero)),
                Instr::I32And => bin!(u32_, |a, b| a & b),
                Instr::I32Or => bin!(u32_, |a, b| a | b),
                Instr::I32Xor => bin!(u32_, |a, b| a ^ b),
                Instr::I32Shl => bin!(u32_, u32::wrapping_shl),
                Instr::I32ShrS => bin!(i32_, |a: i32, b: i32| a.wrapping_shr(b as u32)),
                Instr::I32ShrU => bin!(u32_, u32::wrapping_shr),
                Instr::I32Rotl => bin!(u32_, u32::rotate_left),
                Instr::I32Rotr => bin!(u32_, u32::rotate_right),
                Instr::I64Clz => un!(u64_, |a: u64| a.leading_zeros() as u64),
                Instr::I64Ctz => un!(u64_, |a: u64| a.trailing_zeros() as u64),
                Instr::I64Popcnt => un!(u64_, |a: u64| a.count_ones() as u64),
                Instr::I64Add => bin!(u64_, u64::wrapping_add),
                Instr::I64Sub => bin!(u64_, u64::wrapping_sub),
                Instr::I64Mul => bin!(u64_, u64::wrapping_mul),
                Instr::I64DivS => bin_trap!(i64_, |a: i64, b: i64| match b {
                    0 => Err(Trap::IntegerDivideByZero),
                    -1 if a == i64::MIN => Err(Trap::IntegerOverflow),
                    _ => Ok(a / b),
                }),
                Instr::I64DivU => bin_trap!(u64_, |a: u64, b: u64| a
                    .checked_div(b)
                    .ok_or(Trap::IntegerDivideByZero)),
                Instr::I64RemS => {
                    bin_trap!(i64_, |a: i64, b: i64| if b == 0 {
                        Err(Trap::IntegerDivideByZero)
                    } else {
                        Ok(a.wrapping_rem(b))
                    })
                }
                Instr::I64RemU => bin_trap!(u64_, |a: u64, b: u64| a
                    .checked_rem(b)
                    .ok_or(Trap::IntegerDivideByZero)),
                Instr::I64And => bin!(u64_, |a, b| a & b),
                Instr::I64Or => bin!(u64_, |a, b| a | b),
                Instr::I64Xor => bin!(u64_, |a, b| a ^ b),
                Instr::I64Shl => bin!(u64_, |a: u64, b: u64| a.wrapping_shl(b as u32)),
                Instr::I64ShrS => bin!(i64_, |a: i64, b: i64| a.wrapping_shr(b as u32)),
                Instr::I64ShrU => bin!(u64_, |a: u64, b: u64| a.wrapping_shr(b as u32)),
                Instr::I64Rotl => bin!(u64_, |a: u64, b: u64| a.rotate_left(b as u32)),
                Instr::I64Rotr => bin!(u64_, |a: u64, b: u64| a.rotate_right(b as u32)),
                Instr::F32Abs => top!() &= 0x7fff_ffff,
                Instr::F32Neg => top!() ^= 0x8000_0000,
                Instr::F32Ceil => un!(f32_, num::f32_ceil),
                Instr::F32Floor => un!(f32_, num::f32_floor),
                Instr::F32Trunc => un!(f32_, num::f32_trunc),
                Instr::F32Nearest => un!(f32_, num::f32_nearest),
                Instr::F32Sqrt => un!(f32_, num::f32_sqrt),
                Instr::F32Add => bin!(f32_, |a, b| a + b),
                Instr::F32Sub => bin!(f32_, |a, b| a - b),
                Instr::F32Mul => bin!(f32_, |a, b| a * b),
                Instr::F32Div => bin!(f32_, |a, b| a / b),
                Instr::F32Min => bin!(f32_, num::f32_min),
                Instr::F32Max => bin!(f32_, num::f32_max),
                Instr::F32Copysign => {
                    let b = pop!();
                    top!() = (top!() & 0x7fff_ffff) | (b & 0x8000_0000);
                }
                Instr::F64Abs => top!() &= 0x7fff_ffff_ffff_ffff,
                Instr::F64Neg => top!() ^= 0x8000_0000_0000_0000,
                Instr::F64Ceil => un!(f64_, num::f64_ceil),
                Instr::F64Floor => un!(f64_, num::f64_floor),
                Instr::F64Trunc => un!(f64_, num::f64_trunc),
                Instr::F64Nearest => un!(f64_, num::f64_nearest),
                Instr::F64Sqrt => un!(f64_, num::f64_sqrt),
                Instr::F64Add => bin!(f64_, |a, b| a + b),
                Instr::F64Sub => bin!(f64_, |a, b| a - b),
                Instr::F64Mul => bin!(f64_, |a, b| a * b),
                Instr::F64Div => bin!(f64_, |a, b| a / b),
                Instr::F64Min => bin!(f64_, num::f64_min),
                Instr::F64Max => bin!(f64_, num::f64_max),
                Instr::F64Copysign => {
                    let b = pop!();
                    top!() = (top!() & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000);
                }
                Instr::I32WrapI64 => top!() = top!() as u32 as u64,
                Instr::I32TruncF32S => un_trap!(f32_, num::i32_trunc_f32_s),
                Instr::I32TruncF32U => un_trap!(f32_, num::i32_trunc_f32_u),
                Instr::I32TruncF64S => un_trap!(f64_, num::i32_trunc_f64_s),
                Instr::I32TruncF64U => un_trap!(f64_, num::i32_trunc_f64_u),
                Instr::I64ExtendI32S => top!() = top!() as u32 as i32 as i64 as u64,
                Instr::I64ExtendI32U => top!() = top!() as u32 as u64,
                Instr::I64TruncF32S => un_trap!(f32_, num::i64_trunc_f32_s),
                Instr::I64TruncF32U => un_trap!(f32_, num::i64_trunc_f32_u),
                Instr::I64TruncF64S => un_trap!(f64_, num::i64_trunc_f64_s),
                Instr::I64TruncF64U => un_trap!(f64_, num::i64_trunc_f64_u),
                Instr::F32ConvertI32S => un!(i32_, |a: i32| a as f32),
                Instr::F32ConvertI32U => un!(u32_, |a: u32| a as f32),
                Instr::F32ConvertI64S => un!(i64_, |a: i64| a as f32),
                Instr::F32ConvertI64U => un!(u64_, |a: u64| a as f32),
                Instr::F32DemoteF64 => un!(f64_, |a: f64| a as f32),
                Instr::F64ConvertI32S => un!(i32_, |a: i32| a as f64),
                Instr::F64ConvertI32U => un!(u32_, |a: u32| a as f64),
                Instr::F64ConvertI64S => un!(i64_, |a: i64| a as f64),
                Instr::F64ConvertI64U => un!(u64_, |a: u64| a as f64),
                Instr::F64PromoteF32 => un!(f32_, |a: f32| a as f64),
                Instr::I32Extend8S => un!(u32_, |a: u32| a as i8 as i32),
                Instr::I32Extend16S => un!(u32_, |a: u32| a as i16 as i32),
                Instr::I64Extend8S => un!(u64_, |a: u64| a as i8 as i64),
                Instr::I64Extend16S => un!(u64_, |a: u64| a as i16 as i64),
                Instr::I64Extend32S => un!(u64_, |a: u64| a as i32 as i64),
                Instr::I32TruncSatF32S => un!(f32_, |a: f32| a as i32),
                Instr::I32TruncSatF32U => un!(f32_, |a: f32| a as u32),
                Instr::I32TruncSatF64S => un!(f64_, |a: f64| a as i32),
                Instr::I32TruncSatF64U => un!(f64_, |a: f64| a as u32),
                Instr::I64TruncSatF32S => un!(f32_, |a: f32| a as i64),
                Instr::I64TruncSatF32U => un!(f32_, |a: f32| a as u64),
                Instr::I64TruncSatF64S => un!(f64_, |a: f64| a as i64),
                Instr::I64TruncSatF64U => un!(f64_, |a: f64| a as u64),
                Instr::MemoryInit(d) => {
                    let n = pop!() as u32;
                    let src = pop!() as u32;
                    let dst = pop!() as u32;
                    let data = store.instances[inst as usize].datas[d as usize];
                    if let Err(t) = store.memory_init(mem as u32, data, dst, src, n) {
                        break Err(t);
                    }
                }
                Instr::DataDrop(d) => {
                    let data = store.instances[inst as usize].datas[d as usize];
                    store.datas[data as usize] = Vec::new();
                }
                Instr::MemoryCopy => {
                    let n = pop!() as u32;
                    let src = pop!() as u32;
                    let dst = pop!() as u32;
                    let data = &mut store.mems[mem].data;
                    let (Some(s), Some(_)) = (range(src, n, data.len()), range(dst, n, data.len()))
                    else {
                        break Err(Trap::MemoryOutOfBounds);
                    };
                    data.copy_within(s, dst as usize);
                }
                Instr::MemoryFill => {
                    let n = pop!() as u32;
                    let v = pop!() as u8;
                    let dst = pop!() as u32;
                    let data = &mut store.mems[mem].data;
                    let Some(d) = range(dst, n, data.len()) else {
                        break Err(Trap::MemoryOutOfBounds);
                    };
                    data[d].fill(v);
                }
                Instr::TableInit { table, elem } => {
                    let n = pop!() as u32;
                    let src = pop!() as u32;
                    let dst = pop!() as u32;
                    let i = &store.instances[inst as usize];
                    let (t, e) = (i.tables[table as usize], i.elems[elem as usize]);
                    if let Err(t) = store.table_init(t, e, dst, src, n) {
                        break Err(t);
                    }
                }
                Instr::ElemDrop(e) => {
                    let e = store.instances[inst as usize].elems[e as usize];
                    store.elems[e as usize] = Vec::new();
                }
                Instr::TableCopy { dst: td, src: ts } => {
                    let n = pop!() as u32;
                    let src = pop!() as u32;
                    let dst = pop!() as u32;
                    let i = &store.instances[inst as usize];
                    let (td, ts) = (
                        i.tables[td as usize] as usize,
                        i.tables[ts as usize] as usize,
                    );
                    let (Some(s), Some(d)) = (
                        range(src, n, store.tables[ts].elems.len()),
                        range(dst, n, store.tables[td].elems.len()),
                    ) else {
                        break Err(Trap::TableOutOfBounds);
                    };
                    if td == ts {
                        store.tables[td].elems.copy_within(s, d.start);
                    } else {
                        let tmp: Vec<u64> = store.tables[ts].elems[s].to_vec();
                        store.tables[td].elems[d].copy_from_slice(&tmp);
                    }
                }
                Instr::TableGrow(t) => {
                    let n = pop!() as u32 as u64;
                    let init = top!();
                    let limit = store.config.max_table_elems;
                    let table = &mut store.tables
                        [store.instances[inst as usize].tables[t as usize] as usize];
                    let old = table.elems.len() as u64;
                    let max = table.ty.limits.max.unwrap_or(u32::MAX as u64).min(limit);
                    top!() = match old.checked_add(n).filter(|&new| new <= max) {
                        Some(new) if table.elems.try_reserve_exact(n as usize).is_ok() => {
                            table.elems.resize(new as usize, init);
                            old
                        }
                        _ => u32::MAX as u64,
                    };
                }
                Instr::TableSize(t) => {
                    push!(
                        store.tables[store.instances[inst as usize].tables[t as usize] as usize]
                            .elems
                            .len() as u64
                    )
                }
                Instr::TableFill(t) => {
                    let n = pop!() as u32;
                    let v = pop!();
                    let dst = pop!() as u32;
                    let table = &mut store.tables
                        [store.instances[inst as usize].tables[t as usize] as usize];
                    let Some(d) = range(dst, n, table.elems.len()) else {
                        break Err(Trap::TableOutOfBounds);
                    };
                    table.elems[d].fill(v);
                }
                Instr::RefNull => push!(0),
                Instr::RefIsNull => top!() = (top!() == 0) as u64,
                Instr::RefFunc(i) => {
                    push!(store.instances[inst as usize].funcs[i as usize] as u64 + 1)
                }
            }
        };
        if result.is_err() {
            pc -= 1;
        }
        self.sp = sp;
        if !matches!(result, Ok(Outcome::Finished)) {
            self.frames.push(Frame {
                func,
                pc: pc as u32,
                fp: fp as u32,
                instance: inst,
            });
        }
        result
    }
}

#[inline(always)]
fn i32_(x: u64) -> i32 {
    x as u32 as i32
}
#[inline(always)]
fn u32_(x: u64) -> u32 {
    x as u32
}
#[inline(always)]
fn i64_(x: u64) -> i64 {
    x as i64
}
#[inline(always)]
fn u64_(x: u64) -> u64 {
    x
}
#[inline(always)]
fn f32_(x: u64) -> f32 {
    f32::from_bits(x as u32)
}
#[inline(always)]
fn f64_(x: u64) -> f64 {
    f64::from_bits(x)
}

/// Encoding of a typed result back into a stack slot.
trait IntoRaw {
    fn raw(self) -> u64;
}
impl IntoRaw for bool {
    #[inline(always)]
    fn raw(self) -> u64 {
        self as u64
    }
}
impl IntoRaw for i32 {
    #[inline(always)]
    fn raw(self) -> u64 {
        self as u32 as u64
    }
}
impl IntoRaw for u32 {
    #[inline(always)]
    fn raw(self) -> u64 {
        self as u64
    }
}
impl IntoRaw for i64 {
    #[inline(always)]
    fn raw(self) -> u64 {
        self as u64
    }
}
impl IntoRaw for u64 {
    #[inline(always)]
    fn raw(self) -> u64 {
        self
    }
}
impl IntoRaw for f32 {
    #[inline(always)]
    fn raw(self) -> u64 {
        self.to_bits() as u64
    }
}
impl IntoRaw for f64 {
    #[inline(always)]
    fn raw(self) -> u64 {
        self.to_bits()
    }
}
