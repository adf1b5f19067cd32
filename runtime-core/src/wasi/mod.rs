//! WASI preview 1 (`wasi_snapshot_preview1`) for command modules: args, environ, clocks, random, stdio,
//! preopened directories (paths resolved beneath them, see [`fd`]), `proc_exit`, `sched_yield` and clock
//! waits in `poll_oneoff`. Functions we do not implement answer `ENOSYS`; nothing a guest passes can
//! panic the host, and the guest holds at most `max_open_files` descriptors.

use std::prelude::rust_2024::*;
use std::{format, vec};

mod calls;
pub mod errno;
pub mod fd;
pub mod mem;

use std::cell::RefCell;
use std::io::{Read, Write};
use std::path::Path;

use cap_std::ambient_authority;
use cap_std::fs::Dir;
use std::rc::Rc;
use std::time::Instant;

use crate::error::{Error, Trap};
use crate::module::{ExternType, Import, Module};
use crate::store::{Extern, HostFn, Linker, Store};
use crate::value::{Val, ValType};

use fd::Fd;
use mem::GuestMem;

/// The WASI import module name.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// The state a WASI program sees: arguments, environment and open descriptors.
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<String>,
    pub(crate) fds: Vec<Option<Fd>>,
    pub(crate) max_open_files: usize,
    pub(crate) start: Instant,
}

/// Descriptors a guest may hold open when nobody says otherwise (stdio and preopens included).
pub const DEFAULT_MAX_OPEN_FILES: u64 = 1024;

impl WasiCtx {
    /// A context with the given argv (argv\[0\] is the program name) and `KEY=VALUE` environment,
    /// wired to the host's stdio.
    pub fn new(args: Vec<String>, env: Vec<String>) -> Self {
        Self::with_stdio(
            args,
            env,
            Box::new(std::io::stdin()),
            Box::new(std::io::stdout()),
            Box::new(std::io::stderr()),
        )
    }

    /// A context with explicit stdio streams (tests capture output this way).
    pub fn with_stdio(
        args: Vec<String>,
        env: Vec<String>,
        stdin: Box<dyn Read>,
        stdout: Box<dyn Write>,
        stderr: Box<dyn Write>,
    ) -> Self {
        WasiCtx {
            args,
            env,
            fds: vec![
                Some(Fd::Stdin(stdin)),
                Some(Fd::Out(stdout)),
                Some(Fd::Out(stderr)),
            ],
            max_open_files: DEFAULT_MAX_OPEN_FILES as usize,
            start: Instant::now(),
        }
    }

    /// Preopens a host directory, visible to the guest as `guest` (fd 3 for the first one). The guest
    /// reaches what lies beneath it and nothing else.
    pub fn preopen(&mut self, host: &Path, guest: &str) -> std::io::Result<()> {
        if !host.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                format!("{} is not a directory", host.display()),
            ));
        }
        let dir = Dir::open_ambient_dir(host, ambient_authority())?;
        self.fds.push(Some(Fd::Dir {
            dir,
            preopen: Some(guest.to_string()),
        }));
        Ok(())
    }

    /// Bounds the descriptors the guest may hold open (the `max_open_files` limit); past it,
    /// opening answers `EMFILE`.
    pub fn limit_open_files(&mut self, max: u64) {
        self.max_open_files = usize::try_from(max).unwrap_or(usize::MAX);
    }

    /// Puts `fd` in the lowest free slot, unless the guest already holds `max_open_files`.
    pub(crate) fn insert(&mut self, fd: Fd) -> Result<u32, errno::Errno> {
        if self.fds.iter().flatten().count() >= self.max_open_files {
            return Err(errno::MFILE);
        }
        let slot = match self.fds.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                self.fds.push(None);
                self.fds.len() - 1
            }
        };
        self.fds[slot] = Some(fd);
        u32::try_from(slot).map_err(|_| errno::MFILE)
    }

    /// Flushes stdout and stderr.
    pub fn flush(&mut self) {
        self.fds.iter_mut().flatten().for_each(Fd::flush);
    }

    pub(crate) fn fd(&mut self, fd: i32) -> Result<&mut Fd, errno::Errno> {
        self.fds
            .get_mut(usize::try_from(fd).map_err(|_| errno::BADF)?)
            .and_then(Option::as_mut)
            .ok_or(errno::BADF)
    }
}

/// How we serve one import of a module.
enum Provided {
    /// Our implementation.
    Ours(calls::Imp),
    /// A preview 1 function we do not implement, whose signature returns an errno: `ENOSYS`.
    NoSys,
}

/// What we serve import `imp` of `module` with, or the error linking it is: an import that is not
/// a `wasi_snapshot_preview1` function is unknown, and one of ours must have our signature.
fn provided(module: &Module, imp: &Import) -> Result<Provided, Error> {
    let unknown = || Error::UnknownImport {
        module: imp.module.clone(),
        name: imp.name.clone(),
    };
    let ExternType::Func(t) = imp.ty else {
        return Err(unknown());
    };
    if imp.module != MODULE {
        return Err(unknown());
    }
    let ty = module.type_at(t).ok_or_else(unknown)?;
    match calls::lookup(&imp.name) {
        Some((params, result, serve)) => {
            let results = &[ValType::I32][..usize::from(result)];
            if *ty.params != *params || *ty.results != *results {
                return Err(Error::IncompatibleImport {
                    module: imp.module.clone(),
                    name: imp.name.clone(),
                    reason: format!("expected parameters {params:?} and results {results:?}"),
                });
            }
            Ok(Provided::Ours(serve))
        }
        None if *ty.results == [ValType::I32] => Ok(Provided::NoSys),
        None => Err(unknown()),
    }
}

/// Whether `module` can start as a WASI command here: every import one we provide, every active
/// segment within the memory or table it initialises ([`Module::check_segments`]). Its error is
/// the one [`link`] and instantiation give, so `check` refuses what `run` cannot start.
pub fn startable(module: &Module) -> Result<(), Error> {
    for imp in module.imports() {
        provided(module, imp)?;
    }
    module.check_segments()
}

/// Defines, in `linker`, every `wasi_snapshot_preview1` function `module` imports: ours where we
/// implement it, an `ENOSYS` answer where we do not (if its signature returns an errno). A module
/// that cannot start ([`startable`]) is refused.
pub fn link(
    store: &mut Store,
    linker: &mut Linker,
    module: &Module,
    ctx: Rc<RefCell<WasiCtx>>,
) -> Result<(), Error> {
    startable(module)?;
    for imp in module.imports() {
        let ExternType::Func(t) = imp.ty else {
            continue;
        };
        let provided = provided(module, imp)?;
        let Some(ty) = module.type_at(t).cloned() else {
            continue;
        };
        let f: HostFn = match provided {
            Provided::Ours(serve) => {
                let ctx = ctx.clone();
                Rc::new(move |caller, args, rets| {
                    let call = match serve {
                        calls::Imp::Exit => {
                            return Err(Trap::Exit(match args[0] {
                                Val::I32(code) => code,
                                _ => 0,
                            }));
                        }
                        calls::Imp::Call(call) => call,
                    };
                    let errno = match caller.memory() {
                        Some(memory) => call(&mut ctx.borrow_mut(), &mut GuestMem(memory), args)
                            .err()
                            .unwrap_or(errno::SUCCESS),
                        None => errno::FAULT,
                    };
                    rets[0] = Val::I32(i32::from(errno));
                    Ok(())
                })
            }
            Provided::NoSys => Rc::new(|_, _, rets| {
                rets[0] = Val::I32(i32::from(errno::NOSYS));
                Ok(())
            }),
        };
        let addr = store.add_host_func(ty, f);
        linker.define(MODULE, &imp.name, Extern::Func(addr));
    }
    Ok(())
}
