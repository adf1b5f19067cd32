//! The exit statuses subcommands share, and how one that cannot go on (a bad module,
//! configuration or transport) reports why and ends.

use std::fmt::Display;
use std::process::ExitCode;

/// Exit status when a module is malformed, invalid or cannot be linked.
pub const EXIT_BAD_MODULE: u8 = 2;
/// Exit status when the program traps.
pub const EXIT_TRAP: u8 = 134;
/// Exit status of `serve` when the client killed the program: a SIGKILL'd process's, never
/// success.
pub const EXIT_KILLED: u8 = 137;

/// Prints `wrt-dbg: MESSAGE` and gives [`EXIT_BAD_MODULE`].
pub fn refused(message: impl Display) -> ExitCode {
    eprintln!("wrt-dbg: {message}");
    ExitCode::from(EXIT_BAD_MODULE)
}

/// The status a subcommand ended with, or [`refused`] with the message it failed with.
pub fn code(outcome: Result<u8, String>) -> ExitCode {
    outcome.map_or_else(refused, ExitCode::from)
}
