//! The program that `run`, `serve`, `debug`, `profile` and `budget` run: its module, what WASI
//! gives it, the limits it runs under and its arguments, declared once for all five.

use std::path::PathBuf;

use crate::limits::LimitArgs;

/// What a WASI program gets besides its arguments: preopened directories and environment.
#[derive(clap::Args, Debug, Default)]
pub struct WasiArgs {
    /// Preopen a host directory for the program, as `HOST` or `HOST::GUEST`.
    #[arg(long, value_name = "DIR")]
    pub dir: Vec<String>,
    /// Set an environment variable for the program (`KEY=VALUE`).
    #[arg(long, value_name = "KEY=VALUE")]
    pub env: Vec<String>,
}

impl WasiArgs {
    /// The `--dir` preopens as host path and guest name (`HOST` alone names both).
    pub fn preopens(&self) -> Vec<(PathBuf, String)> {
        self.dir
            .iter()
            .map(|d| {
                let (host, guest) = d.split_once("::").unwrap_or((d, d));
                (PathBuf::from(host), guest.to_string())
            })
            .collect()
    }
}

/// The program to run: the module, its WASI directories and environment, its limits and the
/// arguments after `--`. A subcommand flattens it after its own flags, so that those come first
/// in its `--help`, and words the module's help its own way (`mut_arg("module", ..)`; that moves
/// the argument last, hence the positions given here).
#[derive(clap::Args)]
pub struct ProgramArgs {
    /// The module to run.
    #[arg(index = 1)]
    pub module: PathBuf,
    #[command(flatten)]
    pub wasi: WasiArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Arguments for the program (after `--`).
    #[arg(index = 2, last = true)]
    pub args: Vec<String>,
}

impl ProgramArgs {
    /// The module file's name, `fallback` for a path without one.
    pub fn name_or(&self, fallback: &str) -> String {
        self.module
            .file_name()
            .map_or_else(|| fallback.into(), |n| n.to_string_lossy().into_owned())
    }

    /// The program's argv: `name`, then the arguments after `--`.
    pub fn argv(&self, name: String) -> Vec<String> {
        std::iter::once(name).chain(self.args.clone()).collect()
    }
}
