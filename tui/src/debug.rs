//! `wrt-dbg debug`: a debug session driven by gdb-style commands, from scripts (`--batch -x`) or
//! typed at a prompt, printed as text or as one JSON object per command.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use debugger::command::Serve;
use debugger::engine::{Engine, Event, LineEngine};
use debugger::request::{Request, Response};
use debugger::{Debugger, Program, Session};

use crate::exit;
use crate::output;
use crate::program::ProgramArgs;
use crate::signals::Signals;

/// How results are printed.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// As gdb prints them, each after its `(wrt-dbg) command` line.
    Text,
    /// One JSON object per command: `command`, `ok`, `output` and the command's own fields.
    Json,
}

/// How a session is driven: scripts, commands, the prompt and the output format.
#[derive(clap::Args)]
pub struct FrontArgs {
    /// Run the commands of the scripts and -ex options, then exit (no prompt).
    #[arg(long)]
    batch: bool,
    /// A line prompt instead of the full-screen interface (which a terminal gets by default).
    #[arg(long, conflicts_with = "batch")]
    cli: bool,
    /// A file of commands, one per line (`#` starts a comment).
    #[arg(short = 'x', long = "command", value_name = "SCRIPT")]
    scripts: Vec<PathBuf>,
    /// One command, run after the scripts.
    #[arg(long = "ex", value_name = "COMMAND")]
    commands: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// A directory to find source files in by name (like gdb's `directory`).
    #[arg(short = 'd', long = "source-dir", value_name = "DIR")]
    source_dirs: Vec<PathBuf>,
}

/// Arguments of `wrt-dbg debug`.
#[derive(clap::Args)]
#[command(mut_arg("module", |a| a.help("The module to debug")))]
pub struct DebugArgs {
    #[command(flatten)]
    front: FrontArgs,
    /// Where the program's stdout and stderr go (default: our stderr, apart from debugger output).
    #[arg(long, value_name = "FILE")]
    program_output: Option<PathBuf>,
    #[command(flatten)]
    program: ProgramArgs,
}

/// Runs the subcommand: 0 when every command succeeded, 1 when one failed, 2 when the session
/// could not open.
pub fn main(args: DebugArgs) -> ExitCode {
    let output: Box<dyn Write> = match &args.program_output {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(f),
            Err(e) => return exit::refused(format_args!("cannot create {}: {e}", path.display())),
        },
        None => Box::new(std::io::stderr()),
    };
    let module = &args.program.module;
    let label = std::fs::canonicalize(module).unwrap_or_else(|_| module.clone());
    drive(
        || opener(&args),
        &args.front,
        output,
        &label.display().to_string(),
        None,
    )
}

/// What opens the session on the engine's thread: the module read and checked here first.
fn opener(args: &DebugArgs) -> Result<Opener, String> {
    let program = &args.program;
    let limits = program.limits.resolve_for_debugging()?.limits;
    let bytes = crate::module::read(&program.module, &limits)?;
    let argv = program.argv(program.name_or("module"));
    let dirs = program.wasi.preopens();
    let env = program.wasi.env.clone();
    let module = program.module.display().to_string();
    Ok(Box::new(move || {
        let program = Program {
            args: argv,
            env,
            dirs,
            ..Program::default()
        };
        Session::open(bytes, &limits, program)
            .map_err(|e| debugger::Error::File(format!("{module}: {e}")))
    }))
}

/// Opens a session, on the engine's thread.
pub type Opener = Box<dyn FnOnce() -> Result<Session, debugger::Error> + Send>;

/// Connects to a remote target again, for a screen whose link dropped.
pub type Connector = Box<dyn Fn() -> Result<Opener, String>>;

/// The lines of the scripts, then the `--ex` commands.
fn script_lines(args: &FrontArgs) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    for script in &args.scripts {
        let text = debugger::input::read_text(script, debugger::input::MAX_SCRIPT_BYTES)
            .map_err(|e| format!("cannot read {}: {e}", script.display()))?;
        lines.extend(text.lines().map(str::to_string));
    }
    lines.extend(args.commands.iter().cloned());
    Ok(lines)
}

/// Runs the scripts and commands on a session an engine opens with `open` (called once the
/// signals are answered: opening a remote session may wait on its target), then the screen (at a
/// terminal) or the prompt unless in batch mode; the program's output goes to `output` as it
/// comes, and `label` names the program for the watch expressions kept between sessions. 0 when
/// every command succeeded, 1 when one failed, 2 when the session did not open or a script cannot
/// be read, 128 + the signal's number when Ctrl-C, SIGTERM or SIGHUP ended a batch session, and
/// [`output::EXIT_IO`] when the output could not be written.
pub fn drive(
    open: impl FnOnce() -> Result<Opener, String>,
    args: &FrontArgs,
    mut output: Box<dyn Write>,
    label: &str,
    connector: Option<Connector>,
) -> ExitCode {
    // Answered from before the session opens: opening a remote one may wait on its target.
    let signals = Signals::install();
    let mut engine = match open()
        .map_err(debugger::Error::File)
        .and_then(Engine::spawn)
    {
        Ok(engine) => engine,
        Err(e) => return exit::refused(e),
    };
    signals.interrupts(engine.interrupter());
    if let Ok(Response::Budget(b)) = engine.call(Request::Budget, &mut |_| {}) {
        for r in &b.refused_dwarf {
            eprintln!(
                "wrt-dbg: warning: DWARF section {} not loaded: {}",
                r.section, r.reason
            );
        }
        for d in &b.damaged_dwarf {
            eprintln!("wrt-dbg: warning: {}", debugger::print::damaged(d));
        }
    }
    for d in &args.source_dirs {
        let _ = engine.call(Request::Directory(d.clone()), &mut |_| {});
    }
    let lines = match script_lines(args) {
        Ok(lines) => lines,
        Err(e) => return exit::refused(e),
    };
    let terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if terminal && !args.batch && !args.cli {
        let mut model = crate::screen::Model::new(engine);
        if let Some(connect) = connector {
            let dirs = args.source_dirs.clone();
            model.reconnect = Some(Box::new(move || {
                let mut engine =
                    connect().and_then(|open| Engine::spawn(open).map_err(|e| e.to_string()))?;
                for d in &dirs {
                    let _ = engine.call(Request::Directory(d.clone()), &mut |_| {});
                }
                Ok(engine)
            }));
        }
        if let Some(file) = crate::screen::watch_file(label) {
            model.keep_watches(file);
        }
        // The scripts run before the screen opens, each command answered before the next (a run
        // given up to 10 s).
        for line in lines
            .iter()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            model.command(line);
            model.settle(std::time::Duration::from_secs(10));
        }
        return crate::screen::main(model, signals.flag());
    }
    // Function and file names, for the completion of a prompt at a terminal.
    let names = match std::io::stdin().is_terminal() && !args.batch {
        true => match engine.call(Request::Names, &mut |_| {}) {
            Ok(Response::Names(n)) => n.words(),
            _ => Vec::new(),
        },
        false => Vec::new(),
    };
    // Ctrl-C stops the running program as in gdb; in batch mode it (or SIGTERM, SIGHUP) also
    // ends the script there, the output so far written and the program killed.
    let on_event = move |e: Event| {
        if let Event::Output { bytes, .. } = e {
            let _ = output.write_all(&bytes);
            let _ = output.flush();
        }
    };
    let mut debugger = Debugger::new(LineEngine { engine, on_event });
    let mut failed = false;
    let mut out = std::io::stdout().lock();
    // Runs one line and writes its reply (after the line itself when `echo`, as a transcript
    // shows it); false once the user quit.
    let mut run = |line: &str, out: &mut dyn Write, echo: bool| -> io::Result<bool> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(true);
        }
        let reply = debugger.execute(line);
        failed |= !reply.ok;
        // Text from a module, a target or a script reaches the terminal escaped.
        let line = debugger::print::terminal_safe(line);
        let reply_text = debugger::print::terminal_safe(&reply.text);
        match args.format {
            OutputFormat::Json => writeln!(out, "{}", reply.json()),
            OutputFormat::Text if echo && reply_text.is_empty() => {
                writeln!(out, "(wrt-dbg) {line}")
            }
            OutputFormat::Text if echo => writeln!(out, "(wrt-dbg) {line}\n{reply_text}"),
            OutputFormat::Text if reply_text.is_empty() => Ok(()),
            OutputFormat::Text => writeln!(out, "{reply_text}"),
        }?;
        out.flush()?;
        Ok(!debugger.quit)
    };
    let interrupted = || args.batch && signals.seen();
    let mut session_ran = || -> io::Result<()> {
        for line in &lines {
            if interrupted() || !run(line, &mut out, true)? {
                return Ok(());
            }
        }
        if args.batch {
            return Ok(());
        }
        if std::io::stdin().is_terminal() {
            let history = crate::screen::config_dir().map(|d| d.join("history"));
            let mut prompt =
                crate::prompt::Prompt::new(names.clone(), history).map_err(io::Error::other)?;
            while let Some(line) = prompt.read() {
                // A Ctrl-C that stopped the last command is answered: the next is a first one.
                signals.clear();
                if !run(&line, &mut out, false)? {
                    break;
                }
            }
            return Ok(());
        }
        let mut input = std::io::stdin().lock().lines();
        loop {
            write!(out, "(wrt-dbg) ")?;
            out.flush()?;
            let Some(Ok(line)) = input.next() else {
                return Ok(());
            };
            if !run(&line, &mut out, true)? {
                return Ok(());
            }
        }
    };
    let written = session_ran();
    let _ = debugger.session.call(Request::Kill);
    if let Err(e) = written {
        return output::failed(&e);
    }
    if interrupted() {
        eprintln!("wrt-dbg: interrupted; the rest of the script was not run");
        return ExitCode::from(signals.status());
    }
    ExitCode::from(u8::from(failed))
}
