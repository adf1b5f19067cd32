//! Layered limit configuration: built-in preset < TOML config file < environment (`WRT_*`) < CLI flags.
//!
//! Each layer is a [`Settings`]: the preset choice (platform, memory, ASIL, debug level, safety mode)
//! and overrides of single limits by key. Layers are merged with [`Settings::over`], then
//! [`Settings::resolve`] builds the preset and applies the overrides. Unknown keys and impossible
//! values are errors naming the key as the user wrote it.
//!
//! ```toml
//! platform = "qnx"          # or linux, zephyr, tock, macos, vxworks, baremetal, host
//! memory = "256MiB"         # or plain bytes
//! asil = "c"
//! safety_mode = "development"
//! [limits]
//! max_breakpoints = 20
//! ```

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::format;
use std::str::FromStr;
use std::string::{String, ToString};

use super::discover::{Discovery, discover};
use super::preset::for_platform;
use super::{AsilLevel, DebugLevel, GIB, KIB, MIB, PlatformId, PlatformLimits, SafetyDebugMode};
use crate::error::Error;

/// Where the limits come from: a named platform preset or discovery on this host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Discover the running host's memory and use its platform's preset.
    Host,
    /// A named platform.
    Preset(PlatformId),
}

impl FromStr for Target {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        if s.eq_ignore_ascii_case("host") {
            return Ok(Target::Host);
        }
        s.parse().map(Target::Preset).map_err(|e| match e {
            Error::Config { key, message } => Error::Config {
                key,
                message: format!("{message}, host"),
            },
            other => other,
        })
    }
}

/// One configuration layer: every field unset unless this layer says it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The platform preset, or `host`.
    pub platform: Option<Target>,
    /// Total memory in bytes.
    pub memory: Option<u64>,
    /// The ASIL level.
    pub asil: Option<AsilLevel>,
    /// The debug level.
    pub debug_level: Option<DebugLevel>,
    /// Production or development.
    pub safety_mode: Option<SafetyDebugMode>,
    /// Single limits set by [`PlatformLimits`] key.
    pub limits: BTreeMap<String, u64>,
}

/// The limits a configuration resolved to, with the host discovery when `host` was asked.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The checked limits.
    pub limits: PlatformLimits,
    /// What discovery found, for `platform = "host"`.
    pub discovery: Option<Discovery>,
}

/// Parses a size: plain bytes or a number with `KiB`, `MiB`, `GiB`, `TiB` (also `K`, `KB`, ... as
/// the same binary units). `key` names the setting in errors.
pub fn parse_size(key: &str, text: &str) -> Result<u64, Error> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let unit_bytes = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => KIB,
        "m" | "mb" | "mib" => MIB,
        "g" | "gb" | "gib" => GIB,
        "t" | "tb" | "tib" => 1024 * GIB,
        _ => return Err(config_error(key, format!("unknown size unit in `{t}`"))),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit_bytes))
        .ok_or_else(|| {
            config_error(
                key,
                format!("`{t}` is not a size such as 64KiB, 512MiB or 4096"),
            )
        })
}

fn config_error(key: &str, message: String) -> Error {
    Error::Config {
        key: key.to_string(),
        message,
    }
}

/// Re-labels a parse error with the key the user wrote.
fn at_key<T>(key: &str, r: Result<T, Error>) -> Result<T, Error> {
    r.map_err(|e| match e {
        Error::Config { message, .. } => config_error(key, message),
        other => other,
    })
}

impl Settings {
    /// Parses a TOML config file's text.
    pub fn from_toml(text: &str) -> Result<Settings, Error> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            config_error("(file)", e.to_string().trim().to_string())
        })?;
        let mut s = Settings::default();
        for (key, value) in &table {
            let string = || {
                value
                    .as_str()
                    .ok_or_else(|| config_error(key, format!("expected a string, found {value}")))
            };
            match key.as_str() {
                "memory" => {
                    let bytes = match value {
                        toml::Value::Integer(n) => u64::try_from(*n)
                            .map_err(|_| config_error(key, format!("{n} is negative"))),
                        _ => parse_size(key, string()?),
                    };
                    s.memory = Some(bytes?);
                }
                "limits" => {
                    let limits = value
                        .as_table()
                        .ok_or_else(|| config_error(key, "expected a table".into()))?;
                    for (name, v) in limits {
                        let full = format!("limits.{name}");
                        let n = v
                            .as_integer()
                            .and_then(|n| u64::try_from(n).ok())
                            .ok_or_else(|| {
                                config_error(&full, format!("expected a count or bytes, found {v}"))
                            })?;
                        s.set_limit(&full, name, n)?;
                    }
                }
                _ => s.set_choice(key, key, string()?)?,
            }
        }
        Ok(s)
    }

    /// Reads the `WRT_*` variables of `vars` (as [`std::env::vars_os`] gives them): `WRT_PLATFORM`,
    /// `WRT_MEMORY`, `WRT_ASIL`, `WRT_DEBUG_LEVEL`, `WRT_SAFETY_MODE`, and `WRT_<LIMIT>` for any
    /// limit key (`WRT_MAX_BREAKPOINTS`); an unknown `WRT_MAX_…` is an error, other `WRT_`
    /// variables (`WRT_LLDB`) are not ours. Every other variable is skipped unread, whatever its
    /// bytes; a `WRT_` name that is not UTF-8, or one of ours whose value is not, is refused by name.
    pub fn from_env(
        vars: impl IntoIterator<Item = (OsString, OsString)>,
    ) -> Result<Settings, Error> {
        let mut s = Settings::default();
        for (var, value) in vars {
            if !var.as_encoded_bytes().starts_with(b"WRT_") {
                continue;
            }
            let shown: String = var.to_string_lossy().escape_debug().collect();
            let not_utf8 = |what: &str| config_error(&shown, format!("{what} is not UTF-8"));
            let var = var.into_string().map_err(|_| not_utf8("the name"))?;
            let key = var["WRT_".len()..].to_ascii_lowercase();
            let ours = matches!(
                key.as_str(),
                "memory" | "platform" | "asil" | "debug_level" | "safety_mode"
            ) || key.starts_with("max_")
                || PlatformLimits::KEYS.contains(&key.as_str());
            // Any other `WRT_` variable belongs to another tool and is left alone.
            if !ours {
                continue;
            }
            let value = value.into_string().map_err(|_| not_utf8("the value"))?;
            match key.as_str() {
                "memory" => s.memory = Some(parse_size(&shown, &value)?),
                "platform" | "asil" | "debug_level" | "safety_mode" => {
                    s.set_choice(&shown, &key, &value)?
                }
                _ => {
                    let n = parse_size(&shown, &value)?;
                    s.set_limit(&shown, &key, n)?;
                }
            }
        }
        Ok(s)
    }

    fn set_choice(&mut self, shown: &str, key: &str, value: &str) -> Result<(), Error> {
        match key {
            "platform" => self.platform = Some(at_key(shown, value.parse())?),
            "asil" => self.asil = Some(at_key(shown, value.parse())?),
            "debug_level" => self.debug_level = Some(at_key(shown, value.parse())?),
            "safety_mode" => self.safety_mode = Some(at_key(shown, value.parse())?),
            _ => return Err(config_error(shown, "unknown key".into())),
        }
        Ok(())
    }

    fn set_limit(&mut self, shown: &str, key: &str, value: u64) -> Result<(), Error> {
        if !PlatformLimits::KEYS.contains(&key) {
            return Err(config_error(shown, "unknown limit".into()));
        }
        self.limits.insert(key.to_string(), value);
        Ok(())
    }

    /// This layer with `higher` on top: what `higher` sets wins.
    pub fn over(mut self, higher: Settings) -> Settings {
        self.platform = higher.platform.or(self.platform);
        self.memory = higher.memory.or(self.memory);
        self.asil = higher.asil.or(self.asil);
        self.debug_level = higher.debug_level.or(self.debug_level);
        self.safety_mode = higher.safety_mode.or(self.safety_mode);
        self.limits.extend(higher.limits);
        self
    }

    /// Builds the preset these settings choose, applies the limit overrides and checks the result.
    /// Unset choices default to `host`, [`default_asil`], no debugging, production; memory to the
    /// discovered one for `host` and to [`default_memory`] for a named platform.
    pub fn resolve(&self) -> Result<Resolved, Error> {
        let (platform, discovery) = match self.platform.unwrap_or(Target::Host) {
            Target::Host => {
                let d = discover();
                let p = if cfg!(target_os = "macos") {
                    PlatformId::MacOs
                } else {
                    PlatformId::Linux
                };
                (p, Some(d))
            }
            Target::Preset(p) => (p, None),
        };
        let memory = self
            .memory
            .or(discovery.as_ref().map(|d| d.total_memory))
            .unwrap_or_else(|| default_memory(platform));
        if memory == 0 {
            return Err(config_error("memory", "must be above 0".into()));
        }
        let mut limits = for_platform(
            platform,
            memory,
            self.asil.unwrap_or(default_asil(platform)),
            self.debug_level.unwrap_or(DebugLevel::None),
            self.safety_mode.unwrap_or(SafetyDebugMode::Production),
        );
        if let Some(level) = self.debug_level {
            limits.debug_level = level;
        }
        if let Some(mode) = self.safety_mode {
            limits.safety_debug_mode = mode;
        }
        for (key, &value) in &self.limits {
            limits.set(key, value)?;
        }
        limits.check()?;
        Ok(Resolved { limits, discovery })
    }
}

/// The ASIL a platform's preset assumes when none is given: ASIL-B on microcontrollers and bare
/// metal, QM elsewhere.
pub fn default_asil(platform: PlatformId) -> AsilLevel {
    match platform {
        PlatformId::Zephyr | PlatformId::Tock | PlatformId::BareMetal => AsilLevel::B,
        _ => AsilLevel::QM,
    }
}

/// The memory a named platform's preset assumes when none is given.
pub fn default_memory(platform: PlatformId) -> u64 {
    match platform {
        PlatformId::Linux => GIB,
        PlatformId::Qnx | PlatformId::VxWorks => 256 * MIB,
        PlatformId::Zephyr | PlatformId::Tock => 64 * KIB,
        PlatformId::MacOs => 8 * GIB,
        PlatformId::BareMetal => 32 * KIB,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    fn key_of(e: Error) -> String {
        match e {
            Error::Config { key, .. } => key,
            other => panic!("not a config error: {other}"),
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("m", "64KiB").unwrap(), 65536);
        assert_eq!(parse_size("m", "512MiB").unwrap(), 512 * MIB);
        assert_eq!(parse_size("m", "2GiB").unwrap(), 2 * GIB);
        assert_eq!(parse_size("m", "4096").unwrap(), 4096);
        assert_eq!(parse_size("m", "1 gb").unwrap(), GIB);
        for bad in [
            "",
            "KiB",
            "12 parsecs",
            "-1",
            "99999999999999999999",
            "16777216TiB",
        ] {
            assert_eq!(key_of(parse_size("m", bad).unwrap_err()), "m", "{bad}");
        }
    }

    #[test]
    fn precedence_preset_file_env_cli() {
        let file = Settings::from_toml(
            "platform = \"qnx\"\nmemory = \"64MiB\"\nasil = \"b\"\n[limits]\nmax_breakpoints = 7\nmax_source_files = 3\n",
        )
        .unwrap();
        let env = Settings::from_env(vec![
            ("WRT_ASIL".into(), "c".into()),
            ("WRT_MAX_BREAKPOINTS".into(), "9".into()),
            ("PATH".into(), "/bin".into()),
        ])
        .unwrap();
        let cli = Settings {
            memory: Some(128 * MIB),
            ..Settings::default()
        };
        let preset = Settings::default();
        let r = preset.over(file).over(env).over(cli).resolve().unwrap();
        let l = r.limits;
        assert_eq!(l.platform, PlatformId::Qnx);
        assert_eq!(l.max_total_memory, 128 * MIB);
        assert_eq!(l.asil_level, AsilLevel::C);
        assert_eq!(l.max_breakpoints, 9);
        assert_eq!(l.max_source_files, 3);
        assert!(r.discovery.is_none());
    }

    #[test]
    fn unknown_keys_are_named() {
        assert_eq!(
            key_of(Settings::from_toml("colour = \"red\"").unwrap_err()),
            "colour"
        );
        assert_eq!(
            key_of(Settings::from_toml("[limits]\nmax_unicorns = 1").unwrap_err()),
            "limits.max_unicorns"
        );
        assert_eq!(
            key_of(Settings::from_env(vec![("WRT_MAX_FLAVOUR".into(), "1".into())]).unwrap_err()),
            "WRT_MAX_FLAVOUR"
        );
        assert_eq!(
            key_of(Settings::from_toml("asil = \"e\"").unwrap_err()),
            "asil"
        );
        assert_eq!(
            key_of(Settings::from_toml("memory = -1").unwrap_err()),
            "memory"
        );
        assert_eq!(key_of(Settings::from_toml("asil = 3").unwrap_err()), "asil");
        assert_eq!(
            key_of(Settings::from_toml("[limits]\nmax_breakpoints = \"x\"").unwrap_err()),
            "limits.max_breakpoints"
        );
        assert_eq!(
            key_of(Settings::from_env(vec![("WRT_PLATFORM".into(), "amiga".into())]).unwrap_err()),
            "WRT_PLATFORM"
        );
        assert_eq!(
            key_of(Settings::from_toml("memory = [").unwrap_err()),
            "(file)"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_environment_is_read_as_bytes_and_only_ours() {
        use std::os::unix::ffi::OsStringExt;
        let bytes = |b: &[u8]| OsString::from_vec(b.to_vec());
        let skipped = Settings::from_env(vec![
            ("FOO".into(), bytes(b"\xff")),
            (bytes(b"\xff\xfe"), "1".into()),
            ("WRT_LLDB".into(), bytes(b"/usr/bin/\xff")),
            ("WRT_ASIL".into(), "b".into()),
        ])
        .unwrap();
        assert_eq!(skipped.asil, Some(AsilLevel::B));
        let refused = |var: OsString, value: OsString| {
            let e = Settings::from_env(vec![(var, value)]).unwrap_err();
            assert!(e.to_string().contains("is not UTF-8"), "{e}");
            key_of(e)
        };
        assert_eq!(refused("WRT_MEMORY".into(), bytes(b"1\xff")), "WRT_MEMORY");
        assert_eq!(
            refused("WRT_MAX_BREAKPOINTS".into(), bytes(b"\xff")),
            "WRT_MAX_BREAKPOINTS"
        );
        assert_eq!(
            refused(bytes(b"WRT_\xff\x1b"), "1".into()),
            "WRT_\u{fffd}\\u{1b}"
        );
    }

    #[test]
    fn impossible_values_are_named() {
        let over = |key: &str, v: u64| {
            let mut s = Settings {
                platform: Some(Target::Preset(PlatformId::Linux)),
                memory: Some(64 * MIB),
                ..Settings::default()
            };
            s.limits.insert(key.into(), v);
            key_of(s.resolve().unwrap_err())
        };
        assert_eq!(
            over("max_wasm_linear_memory", GIB),
            "max_wasm_linear_memory"
        );
        assert_eq!(
            over("safety_reserve_percentage", 101),
            "safety_reserve_percentage"
        );
        assert_eq!(over("max_stack_bytes", 65 * MIB), "max_stack_bytes");
        let zero = Settings {
            platform: Some(Target::Preset(PlatformId::Zephyr)),
            memory: Some(0),
            ..Settings::default()
        };
        assert_eq!(key_of(zero.resolve().unwrap_err()), "memory");
    }

    #[test]
    fn host_uses_discovery() {
        let r = Settings::default().resolve().unwrap();
        let d = r.discovery.expect("host discovery");
        assert_eq!(r.limits.max_total_memory, d.total_memory);
    }
}
