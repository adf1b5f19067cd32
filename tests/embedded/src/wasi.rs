//! The WASI preview 1 subset a freestanding program gets on the board: `fd_write` to UART1 (for
//! descriptors 1 and 2), `proc_exit`, and empty arguments and environment.

use alloc::rc::Rc;
use alloc::vec;

use runtime_core::{Caller, Extern, FuncType, HostFn, Linker, Store, Trap, Val, ValType};

use crate::uart::UART1;

const MODULE: &str = "wasi_snapshot_preview1";
const ERRNO_BADF: i32 = 8;
const ERRNO_FAULT: i32 = 21;

/// Defines the subset in `linker`.
pub fn define(store: &mut Store, linker: &mut Linker) {
    let i32s = |n: usize| vec![ValType::I32; n];
    let mut add = |name: &str, params: usize, results: usize, f: HostFn| {
        let func = store.add_host_func(FuncType::new(i32s(params), i32s(results)), f);
        linker.define(MODULE, name, Extern::Func(func));
    };
    add("fd_write", 4, 1, Rc::new(fd_write));
    add(
        "proc_exit",
        1,
        0,
        Rc::new(|_, args, _| Err(Trap::Exit(i32_arg(args, 0)))),
    );
    for name in ["args_sizes_get", "environ_sizes_get"] {
        add(name, 2, 1, Rc::new(sizes_get));
    }
    for name in ["args_get", "environ_get"] {
        add(name, 2, 1, Rc::new(|_, _, out| ok(out, 0)));
    }
}

fn i32_arg(args: &[Val], i: usize) -> i32 {
    match args.get(i) {
        Some(Val::I32(v)) => *v,
        _ => 0,
    }
}

fn ok(out: &mut [Val], errno: i32) -> Result<(), Trap> {
    out[0] = Val::I32(errno);
    Ok(())
}

/// Writes the bytes of little-endian `u32` `v` at `at`; false when outside memory.
fn store_u32(mem: &mut [u8], at: u32, v: u32) -> bool {
    let at = at as usize;
    match mem.get_mut(at..at.saturating_add(4)) {
        Some(dst) => {
            dst.copy_from_slice(&v.to_le_bytes());
            true
        }
        None => false,
    }
}

fn load_u32(mem: &[u8], at: u32) -> Option<u32> {
    let at = at as usize;
    let b = mem.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// No arguments, no environment: counts and sizes are zero.
fn sizes_get(caller: &mut Caller<'_>, args: &[Val], out: &mut [Val]) -> Result<(), Trap> {
    let Some(mem) = caller.memory() else {
        return ok(out, ERRNO_FAULT);
    };
    let fine =
        store_u32(mem, i32_arg(args, 0) as u32, 0) && store_u32(mem, i32_arg(args, 1) as u32, 0);
    ok(out, if fine { 0 } else { ERRNO_FAULT })
}

fn fd_write(caller: &mut Caller<'_>, args: &[Val], out: &mut [Val]) -> Result<(), Trap> {
    let (fd, iovs, count, written) = (
        i32_arg(args, 0),
        i32_arg(args, 1) as u32,
        i32_arg(args, 2) as u32,
        i32_arg(args, 3) as u32,
    );
    if fd != 1 && fd != 2 {
        return ok(out, ERRNO_BADF);
    }
    let Some(mem) = caller.memory() else {
        return ok(out, ERRNO_FAULT);
    };
    let mut total = 0u32;
    for i in 0..count {
        let at = iovs.wrapping_add(i.wrapping_mul(8));
        let (Some(base), Some(len)) = (load_u32(mem, at), load_u32(mem, at.wrapping_add(4))) else {
            return ok(out, ERRNO_FAULT);
        };
        let Some(bytes) = mem.get(base as usize..(base as usize).saturating_add(len as usize))
        else {
            return ok(out, ERRNO_FAULT);
        };
        UART1.write_all(bytes);
        total = total.wrapping_add(len);
    }
    let fine = store_u32(mem, written, total);
    ok(out, if fine { 0 } else { ERRNO_FAULT })
}
