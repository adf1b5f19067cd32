//! `wrt-dbg`: run, check, debug and profile WebAssembly on the wrt interpreter.

mod run;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit status when a module is malformed, invalid or cannot be linked.
pub const EXIT_BAD_MODULE: u8 = 2;
/// Exit status when the program traps.
pub const EXIT_TRAP: u8 = 134;

#[derive(Parser)]
#[command(
    name = "wrt-dbg",
    version,
    about = "Debugger and profiler for WebAssembly on a bounded interpreter"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a WASI command module (its `_start`), or call one export with `--invoke`.
    ///
    /// Exit status: the program's `proc_exit` code (0 when `_start` returns); 2 when the module is
    /// malformed, invalid or cannot be linked (the message names the problem and its byte offset);
    /// 134 when the program traps (one line on stderr names the trap, the function and the code offset).
    Run(run::RunArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run::main(args),
    }
}
