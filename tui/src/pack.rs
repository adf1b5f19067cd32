//! `wrt-dbg pack`: cut a module's linear memory to the bytes it uses, for a device whose RAM is
//! smaller than one 64 KiB page (see [`debugger::pack`]).

use std::path::PathBuf;
use std::process::ExitCode;

use runtime_core::limits::config::parse_size;

use crate::exit::EXIT_BAD_MODULE;

/// Arguments of `wrt-dbg pack`.
#[derive(clap::Args)]
pub struct PackArgs {
    /// The module to pack.
    module: PathBuf,
    /// Bytes of memory to give it (e.g. 8KiB); default: the bytes it uses.
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    memory: Option<u64>,
    /// Where to write the packed module.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// Leave the DWARF out (for a device; `attach --module` gives the debugger the full file).
    #[arg(long)]
    strip_debug: bool,
}

fn parse_memory(s: &str) -> Result<u64, String> {
    parse_size("memory", s).map_err(|e| e.to_string())
}

/// Runs `wrt-dbg pack`.
pub fn main(args: PackArgs) -> ExitCode {
    let packed = std::fs::read(&args.module)
        .map_err(|e| format!("{}: {e}", args.module.display()))
        .and_then(|bytes| {
            let options = debugger::pack::Options {
                memory: args.memory,
                strip_debug: args.strip_debug,
            };
            debugger::pack::pack(&bytes, options)
                .map_err(|e| format!("{}: {e}", args.module.display()))
        });
    let packed = match packed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_BAD_MODULE);
        }
    };
    if let Err(e) = std::fs::write(&args.output, &packed.bytes) {
        eprintln!("error: {}: {e}", args.output.display());
        return ExitCode::from(EXIT_BAD_MODULE);
    }
    println!(
        "{}: memory cut from {} to {} bytes in one-byte pages: the program never grows or \
         measures its memory and uses {} bytes ({}); accesses past them trap",
        args.output.display(),
        packed.declared,
        packed.size,
        packed.used,
        packed.basis.describe()
    );
    ExitCode::SUCCESS
}
