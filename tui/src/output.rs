//! What a subcommand does when its own output cannot be written: a reader that went away (`| head`)
//! ends it quietly, any other failure (a full disk) is reported and ends it with [`EXIT_IO`].

use std::io;
use std::process::ExitCode;

/// Exit status when the output could not be written (`EX_IOERR`).
pub const EXIT_IO: u8 = 74;
/// Exit status when the reader of the output went away, as a shell reports a `SIGPIPE` death.
pub const EXIT_PIPE: u8 = 141;

/// The exit status for a failed write of the output, reporting it unless the pipe was closed.
pub fn status(e: &io::Error) -> u8 {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return EXIT_PIPE;
    }
    eprintln!("wrt-dbg: cannot write output: {e}");
    EXIT_IO
}

/// [`status`] as the process's exit code.
pub fn failed(e: &io::Error) -> ExitCode {
    ExitCode::from(status(e))
}
