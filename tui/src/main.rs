//! `wrt-dbg`: run, check, debug and profile WebAssembly on the wrt interpreter.
#![forbid(unsafe_code)]

mod attach;
mod budget;
mod check;
mod debug;
mod exit;
mod limits;
mod module;
mod output;
mod pack;
mod profile;
mod program;
mod prompt;
mod run;
mod screen;
mod serve;
mod signals;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// The limit flags are those of `check`; a module that does not fit is refused with status 2 before
    /// it is instantiated, and at run time memory and tables cannot grow, nor calls nest, past them.
    Run(run::RunArgs),
    /// Validate a module or component in one streaming pass and show its memory budget on a platform.
    ///
    /// Limits come from the platform preset, then the --config file, then `WRT_*` environment
    /// variables (WRT_PLATFORM, WRT_MEMORY, WRT_ASIL, WRT_DEBUG_LEVEL, WRT_SAFETY_MODE, WRT_ and a limit key),
    /// then the flags. Exit status: 0 when it fits, 1 when a limit or ASIL rule is broken (all listed),
    /// 2 for unusable input (unreadable, malformed or invalid module, bad configuration).
    Check(check::CheckArgs),
    /// Debug a WASI command module with gdb-style commands, from scripts or a prompt.
    ///
    /// `--batch -x SCRIPT` runs the script's commands and exits; `--format json` prints one JSON
    /// object per command. The program's output goes to stderr (or `--program-output FILE`), apart
    /// from the debugger's. Limits default to the host's at debug level full, development mode; the
    /// limit flags are those of `run`. Exit status: 0 when every command succeeded, 1 when one
    /// failed, 2 when the session could not open (bad module, refused by the safety rules).
    Debug(debug::DebugArgs),
    /// Serve a WASI command module to a GDB remote-protocol client (LLDB with its Wasm plugin).
    ///
    /// The program stops at its first instruction and waits for a client on TCP (`--listen`, on
    /// 127.0.0.1 unless an address is given) or a serial line (`--serial PATH[@BAUD]`, 8N1). A client
    /// that disconnects leaves it waiting for the next (or ends the server, with `--once`). The
    /// limit flags are those of `debug`. Exit status: the program's, 134 after a trap, 2 when the
    /// module, the configuration or the transport is unusable.
    Serve(serve::ServeArgs),
    /// Debug a program that `wrt-dbg serve` runs elsewhere, over `tcp:HOST:PORT` or
    /// `serial:PATH[@BAUD]`, with the commands and output of `debug`.
    ///
    /// The program stands where the server stopped it; `run` (or `continue`) sets it going, and it
    /// cannot be started again once it has run. Profiling counts are the server's (`monitor
    /// profile`). Exit status: 0 when every command succeeded, 1 when one failed, 2 when the
    /// target cannot be reached.
    Attach(attach::AttachArgs),
    /// Run a WASI command module with the profiler on and report where its instructions and
    /// time went: per function or source line, self and total, calls and the call graph.
    ///
    /// Instruction and call counts are exact; time is sampled every `--interval` and shared out
    /// by the samples. `--format` writes a table (text), folded stacks, a flame graph (svg), or a
    /// file for speedscope, KCachegrind (callgrind) or the Firefox Profiler. The program's output
    /// goes to stderr (or `--program-output FILE`). Exit status: the program's (134 after a
    /// trap) once the profile is written; 2 when the module or the limits are unusable.
    Profile(profile::ProfileArgs),
    /// What debugging costs a device: for every debug level and safety mode, the budget's
    /// predicted debug overhead by part, the heap bytes the runtime really holds (counted by this
    /// binary's allocator), the run time against `run`, and whether it fits.
    ///
    /// The limits come as for `check`; the debug level and safety mode of each row override
    /// them. Exit status: 0 once every row is measured, 2 when the module or limits are unusable.
    Budget(budget::BudgetArgs),
    /// Cut a module's linear memory to the bytes it uses, for a device with less RAM than one
    /// 64 KiB page: the memory gets one-byte pages (the custom-page-sizes proposal).
    ///
    /// Refused, with the reason, when the module imports its memory, may grow or measure it
    /// (`memory.grow`, `memory.size`), or uses more than `--memory`. The rest of the module,
    /// DWARF included, is copied unchanged. Exit status: 0 when written, 2 when refused.
    Pack(pack::PackArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run::main(args),
        Command::Check(args) => check::main(args),
        Command::Debug(args) => debug::main(args),
        Command::Serve(args) => serve::main(args),
        Command::Attach(args) => attach::main(args),
        Command::Profile(args) => profile::main(args),
        Command::Budget(args) => budget::main(args),
        Command::Pack(args) => pack::main(args),
    }
}
