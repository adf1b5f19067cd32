//! `wrt-dbg profile`: run a program with the profiler on and write what it counted, as a table
//! or as a file a profiling tool opens (flame graphs, speedscope, KCachegrind, Firefox).

use std::cell::RefCell;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

use debugger::command::Serve;
use debugger::profile::format::{self, Ending, Format, Profiled};
use debugger::profile::{By, CallTree, ProfileOptions};
use debugger::report::StopReason;
use debugger::request::{Request, Response};
use debugger::{Program, Session, SharedOutput};

use crate::exit::{self, EXIT_TRAP};
use crate::output;
use crate::program::ProgramArgs;

/// Arguments of `wrt-dbg profile`.
#[derive(clap::Args)]
#[command(mut_arg("module", |a| a.help("The module to profile")))]
pub struct ProfileArgs {
    /// Count by function, or by source line (DWARF; inlined functions their own frames).
    #[arg(long, default_value = "function", value_parser = parse_by)]
    by: By,
    /// Output format: text, folded, svg, speedscope, callgrind or firefox.
    #[arg(long, default_value = "text", value_parser = parse_format)]
    format: Format,
    /// Write the profile to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Rows of the text table.
    #[arg(long, default_value = "20", value_name = "N")]
    top: usize,
    /// Time between samples (e.g. 1ms, 250us); 0 takes none.
    #[arg(long, default_value = "1ms", value_name = "DURATION", value_parser = parse_interval)]
    interval: Duration,
    /// Where the program's stdout and stderr go (default: our stderr, apart from the profile).
    #[arg(long, value_name = "FILE")]
    program_output: Option<PathBuf>,
    #[command(flatten)]
    program: ProgramArgs,
}

fn parse_by(s: &str) -> Result<By, String> {
    match s {
        "function" => Ok(By::Function),
        "line" => Ok(By::Line),
        _ => Err(format!("{s:?} is not function or line")),
    }
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::named(s).ok_or_else(|| {
        let names: Vec<&str> = Format::NAMES.iter().map(|(n, _)| *n).collect();
        format!("{s:?} is not one of {}", names.join(", "))
    })
}

fn parse_interval(s: &str) -> Result<Duration, String> {
    match s {
        "0" => Ok(Duration::ZERO),
        _ => humantime::parse_duration(s).map_err(|e| format!("{s:?}: {e} (try 1ms or 250us)")),
    }
}

/// Runs the subcommand: the program's exit status (134 after a trap) once the profile is
/// written, 2 when the module or the limits are unusable, 74 when the profile cannot be written.
pub fn main(args: ProfileArgs) -> ExitCode {
    let (tree, ending, argv) = match profile(&args) {
        Ok(x) => x,
        Err(e) => return exit::refused(e),
    };
    let module = args.program.name_or("module");
    let p = Profiled {
        module: &module,
        argv: &argv,
        tree: &tree,
        ending: &ending,
        interval: args.interval,
        top: args.top,
    };
    let written = match &args.output {
        Some(path) => std::fs::File::create(path)
            .and_then(|f| format::write(&p, args.format, &mut std::io::BufWriter::new(f))),
        None => format::write(&p, args.format, &mut std::io::stdout().lock()),
    };
    if let Err(e) = written {
        return output::failed(&e);
    }
    match ending {
        Ending::Exited(code) => ExitCode::from(code as u8),
        Ending::Trapped(t) => {
            eprintln!("wrt-dbg: the program trapped: {t}");
            ExitCode::from(EXIT_TRAP)
        }
        Ending::Running => ExitCode::SUCCESS,
    }
}

/// Runs the program to its end with the profiler on.
fn profile(args: &ProfileArgs) -> Result<(CallTree, Ending, Vec<String>), String> {
    let path = &args.program.module;
    let limits = args.program.limits.resolve_for_debugging()?.limits;
    let bytes = crate::module::read(path, &limits)?;
    let argv = args.program.argv(args.program.name_or("module"));
    let sink: Rc<RefCell<dyn Write>> = match &args.program_output {
        Some(path) => {
            Rc::new(RefCell::new(std::fs::File::create(path).map_err(|e| {
                format!("cannot create {}: {e}", path.display())
            })?))
        }
        None => Rc::new(RefCell::new(std::io::stderr())),
    };
    let program = Program {
        args: argv.clone(),
        env: args.program.wasi.env.clone(),
        dirs: args.program.wasi.preopens(),
        output: Some(SharedOutput(sink)),
        errors: None,
    };
    let at = |e: debugger::Error| format!("{}: {e}", path.display());
    let mut session = Session::open(bytes, &limits, program).map_err(at)?;
    let mut ask = |req: Request| session.call(req).map_err(at);
    ask(Request::StartProfile(ProfileOptions {
        lines: args.by == By::Line,
        interval: (!args.interval.is_zero()).then_some(args.interval),
    }))?;
    let mut run = Request::Run;
    let ending = loop {
        let ran = ask(std::mem::replace(
            &mut run,
            Request::Continue { ignore: None },
        ))?;
        if let Response::Stop(stop) = ran {
            match stop.reason {
                StopReason::Exited { code } => break Ending::Exited(code),
                StopReason::Trap { message, .. } => break Ending::Trapped(message),
                _ => continue,
            }
        }
    };
    let Response::CallTree(tree) = ask(Request::CallTree(args.by))? else {
        return Err(at(debugger::Error::Engine(
            "the session answered the call tree with something else".into(),
        )));
    };
    // The program's last output is written before the profile; one that exited is gone already.
    if !matches!(ending, Ending::Exited(_)) {
        ask(Request::Kill)?;
    }
    Ok((tree, ending, argv))
}
