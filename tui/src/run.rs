//! `wrt-dbg run`: load, link with WASI, and run a module's `_start` or an `--invoke`d export.

use std::cell::RefCell;
use std::io::Write;
use std::process::ExitCode;
use std::rc::Rc;

use runtime_core::wasi::{self, WasiCtx};
use runtime_core::{Error, Extern, Linker, Module, Store, Thread, Trap, Val, ValType};

use crate::exit::{self, EXIT_TRAP};
use crate::output;
use crate::program::{ProgramArgs, WasiArgs};

/// Arguments of `wrt-dbg run`.
#[derive(clap::Args)]
#[command(mut_arg("args", |a| a.help(
    "Arguments for the program (after `--`), or for the invoked export"
)))]
pub struct RunArgs {
    /// Call this export instead of `_start`, with numeric arguments, and print its results.
    #[arg(long, value_name = "NAME")]
    invoke: Option<String>,
    #[command(flatten)]
    program: ProgramArgs,
}

/// Runs the subcommand and maps its outcome to our exit status.
pub fn main(args: RunArgs) -> ExitCode {
    exit::code(run(&args))
}

fn run(args: &RunArgs) -> Result<u8, String> {
    let path = &args.program.module;
    let limits = args.program.limits.resolve()?.limits;
    let module = Rc::new(crate::module::admit(path, &limits)?.module);
    let name = args.program.name_or("module");
    let argv = if args.invoke.is_some() {
        vec![name]
    } else {
        args.program.argv(name)
    };
    let program = Program::new(argv, &args.program.wasi);
    let (mut store, inst, ctx) = match program.instantiate(&module, &limits, WasiCtx::new) {
        Ok(x) => x,
        Err(Instantiation::Trap(Trap::Exit(code), _)) => return Ok(code as u8),
        Err(Instantiation::Trap(t, at)) => return Ok(report_trap(&t, Some(&at.0), &at.1)),
        Err(Instantiation::Failed(e)) => return Err(format!("{}: {e}", path.display())),
    };
    let (export, call_args) = match &args.invoke {
        Some(name) => (name.as_str(), Vec::new()),
        None => ("_start", Vec::new()),
    };
    let Some(Extern::Func(f)) = store.instance(inst).export(export) else {
        return Err(format!(
            "{}: no exported function `{export}`",
            path.display()
        ));
    };
    let call_args = if args.invoke.is_some() {
        parse_args(
            store.func_type(f).map_or(&[][..], |ty| &ty.params),
            &args.program.args,
        )?
    } else {
        call_args
    };
    let mut thread = Thread::new(&store, f, &call_args).map_err(|e| e.to_string())?;
    let outcome = thread.run(&mut store);
    ctx.borrow_mut().flush();
    match outcome {
        Ok(_) => {
            if args.invoke.is_some() {
                let mut out = std::io::stdout().lock();
                let written = thread
                    .results(&store)
                    .iter()
                    .try_for_each(|v| writeln!(out, "{v}"))
                    .and_then(|()| out.flush());
                if let Err(e) = written {
                    return Ok(output::status(&e));
                }
            }
            Ok(0)
        }
        Err(Trap::Exit(code)) => Ok(code as u8),
        Err(t) => Ok(report_trap(&t, Some(&thread), &store)),
    }
}

/// A WASI program's arguments, environment and preopened directories (`HOST` or `HOST::GUEST`).
pub struct Program<'a> {
    /// argv, the program name first.
    pub argv: Vec<String>,
    /// `KEY=VALUE` pairs.
    pub env: &'a [String],
    /// `--dir` values.
    pub dirs: &'a [String],
}

/// Why instantiating failed.
pub enum Instantiation {
    /// The start function trapped; its thread and the store show where.
    Trap(Trap, Box<(Thread, Store)>),
    /// Linking, preopening or a segment failed: the module cannot be used.
    Failed(String),
}

impl<'a> Program<'a> {
    /// The program `argv` names, with the directories and environment of `wasi`.
    pub fn new(argv: Vec<String>, wasi: &'a WasiArgs) -> Self {
        Program {
            argv,
            env: &wasi.env,
            dirs: &wasi.dir,
        }
    }

    /// A store under `limits` with `module` instantiated and linked to WASI; `ctx` makes the
    /// context from argv and environment (choosing where stdio goes).
    pub fn instantiate(
        &self,
        module: &Rc<Module>,
        limits: &runtime_core::limits::PlatformLimits,
        ctx: impl FnOnce(Vec<String>, Vec<String>) -> WasiCtx,
    ) -> Result<(Store, u32, Rc<RefCell<WasiCtx>>), Instantiation> {
        let mut store = Store::new(limits.store_config());
        let mut linker = Linker::new();
        let mut wasi = ctx(self.argv.clone(), self.env.to_vec());
        wasi.limit_open_files(limits.max_open_files);
        for d in self.dirs {
            let (host, guest) = d.split_once("::").unwrap_or((d, d));
            wasi.preopen(host.as_ref(), guest)
                .map_err(|e| Instantiation::Failed(format!("--dir {d}: {e}")))?;
        }
        let wasi = Rc::new(RefCell::new(wasi));
        wasi::link(&mut store, &mut linker, module, wasi.clone())
            .map_err(|e| Instantiation::Failed(e.to_string()))?;
        let (instance, start) = match linker.instantiate_unstarted(&mut store, module.clone()) {
            Ok(unstarted) => unstarted,
            Err(Error::Trap(t)) => {
                return Err(Instantiation::Failed(format!(
                    "initialising an active data or element segment: {t}"
                )));
            }
            Err(e) => return Err(Instantiation::Failed(e.to_string())),
        };
        if let Some(start) = start {
            let mut thread = Thread::new(&store, start, &[])
                .map_err(|e| Instantiation::Failed(e.to_string()))?;
            if let Err(t) = thread.run(&mut store) {
                return Err(Instantiation::Trap(t, Box::new((thread, store))));
            }
        }
        Ok((store, instance, wasi))
    }
}

/// Prints the one-line trap report and returns the trap exit status.
fn report_trap(trap: &Trap, thread: Option<&Thread>, store: &Store) -> u8 {
    let site = thread.and_then(|t| t.frames().last()).and_then(|f| {
        let (inst, index) = store.func_origin(f.func)?;
        let module = &store.instance(inst).module;
        let offset = *store.func_body(f.func)?.offsets.get(f.pc as usize)?;
        let code_start = module.code_section().map_or(0, |r| r.start as u32);
        let name = module
            .func_name(index)
            .map_or_else(|| format!("func[{index}]"), |n| format!("`{n}`"));
        Some(format!(
            " in {name} at code offset {:#x} (module offset {offset:#x})",
            offset - code_start
        ))
    });
    eprintln!("wrt-dbg: trap: {trap}{}", site.unwrap_or_default());
    EXIT_TRAP
}

fn parse_args(types: &[ValType], args: &[String]) -> Result<Vec<Val>, String> {
    if types.len() != args.len() {
        return Err(format!(
            "the export takes {} argument(s), {} given",
            types.len(),
            args.len()
        ));
    }
    types
        .iter()
        .zip(args)
        .map(|(t, a)| {
            let bad = |_| format!("`{a}` is not a valid {t}");
            Ok(match t {
                ValType::I32 => Val::I32(
                    a.parse::<i32>()
                        .or_else(|_| a.parse::<u32>().map(|v| v as i32))
                        .map_err(bad)?,
                ),
                ValType::I64 => Val::I64(
                    a.parse::<i64>()
                        .or_else(|_| a.parse::<u64>().map(|v| v as i64))
                        .map_err(bad)?,
                ),
                ValType::F32 => Val::F32(
                    a.parse::<f32>()
                        .map_err(|_| format!("`{a}` is not a valid {t}"))?
                        .to_bits(),
                ),
                ValType::F64 => Val::F64(
                    a.parse::<f64>()
                        .map_err(|_| format!("`{a}` is not a valid {t}"))?
                        .to_bits(),
                ),
                _ => return Err(format!("cannot pass a {t} from the command line")),
            })
        })
        .collect()
}
