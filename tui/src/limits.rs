//! The limit flags every subcommand but `pack` takes, layered over the config file and `WRT_*`
//! environment.

use std::path::PathBuf;

use runtime_core::limits::config::{Resolved, Settings, Target, parse_size};
use runtime_core::limits::{AsilLevel, DebugLevel, SafetyDebugMode};

/// Platform limit flags; each overrides the config file and the environment.
#[derive(clap::Args, Debug, Default)]
pub struct LimitArgs {
    /// Platform preset: linux, qnx, zephyr, tock, macos, vxworks, baremetal, or host (discovered).
    #[arg(long, value_name = "PLATFORM", value_parser = parse_with::<Target>)]
    platform: Option<Target>,
    /// Total memory: plain bytes or with a unit (64KiB, 512MiB, 2GiB).
    #[arg(long, value_name = "SIZE", value_parser = |s: &str| parse_size("--memory", s).map_err(|e| e.to_string()))]
    memory: Option<u64>,
    /// Safety level: qm, a, b, c, d.
    #[arg(long, value_name = "LEVEL", value_parser = parse_with::<AsilLevel>)]
    asil: Option<AsilLevel>,
    /// Debug level: none, line, profile, full.
    #[arg(long, value_name = "LEVEL", value_parser = parse_with::<DebugLevel>)]
    debug_level: Option<DebugLevel>,
    /// Safety mode: production or development.
    #[arg(long, value_name = "MODE", value_parser = parse_with::<SafetyDebugMode>)]
    safety_mode: Option<SafetyDebugMode>,
    /// A TOML config file (keys: platform, memory, asil, debug_level, safety_mode, and a limits table).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

fn parse_with<T: std::str::FromStr<Err = runtime_core::Error>>(s: &str) -> Result<T, String> {
    s.parse().map_err(|e: runtime_core::Error| e.to_string())
}

impl LimitArgs {
    /// The limits: built-in preset < config file < `WRT_*` environment < these flags.
    pub fn resolve(&self) -> Result<Resolved, String> {
        self.resolve_over(Settings::default())
    }

    /// The limits for a debug session: like [`LimitArgs::resolve`], but debug level `full` and
    /// development mode unless something above the preset says otherwise. Limits that refuse debug
    /// access (level `none`, ASIL C/D in production) are an error before anything is read.
    pub fn resolve_for_debugging(&self) -> Result<Resolved, String> {
        let resolved = self.resolve_over(Settings {
            debug_level: Some(DebugLevel::FullDebug),
            safety_mode: Some(SafetyDebugMode::Development),
            ..Settings::default()
        })?;
        match runtime_core::debug::refusal(&resolved.limits) {
            Some(rule) => Err(format!("debug session refused: {rule}")),
            None => Ok(resolved),
        }
    }

    /// Like [`LimitArgs::resolve`], at debug level `level` in safety mode `mode` whatever the
    /// config file, the environment or the flags say of those two.
    pub fn resolve_at(&self, level: DebugLevel, mode: SafetyDebugMode) -> Result<Resolved, String> {
        LimitArgs {
            debug_level: Some(level),
            safety_mode: Some(mode),
            config: self.config.clone(),
            ..*self
        }
        .resolve()
    }

    /// Like [`LimitArgs::resolve`], with `defaults` under the config file.
    pub fn resolve_over(&self, defaults: Settings) -> Result<Resolved, String> {
        let file = match &self.config {
            Some(path) => {
                let text = debugger::input::read_text(path, debugger::input::MAX_CONFIG_BYTES)
                    .map_err(|e| format!("cannot read config {}: {e}", path.display()))?;
                Settings::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => Settings::default(),
        };
        let env =
            Settings::from_env(std::env::vars_os()).map_err(|e| format!("environment: {e}"))?;
        let cli = Settings {
            platform: self.platform,
            memory: self.memory,
            asil: self.asil,
            debug_level: self.debug_level,
            safety_mode: self.safety_mode,
            ..Settings::default()
        };
        defaults
            .over(file)
            .over(env)
            .over(cli)
            .resolve()
            .map_err(|e| e.to_string())
    }
}
