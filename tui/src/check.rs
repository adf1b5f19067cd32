//! `wrt-dbg check`: validate a module in one streaming pass and show its memory budget on a platform.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use runtime_core::Error;
use runtime_core::budget::{MemoryBudget, Violation};
use runtime_core::limits::PlatformLimits;
use runtime_core::limits::config::Resolved;
use runtime_core::validate::{ModuleRequirements, validate_read};
use serde::Serialize;

use crate::EXIT_BAD_MODULE;
use crate::limits::LimitArgs;
use crate::output;

/// Exit status when the module breaks a limit or an ASIL rule.
pub const EXIT_DOES_NOT_FIT: u8 = 1;

/// Arguments of `wrt-dbg check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// The module or component to check.
    module: PathBuf,
    #[command(flatten)]
    limits: LimitArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// How `check` prints its report.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// A readable budget table.
    Text,
    /// The JSON report documented in README.md.
    Json,
}

/// The JSON report; its field names are a stable interface (README.md documents them).
#[derive(Serialize)]
struct Report<'a> {
    module: &'a Path,
    fits: bool,
    limits: &'a PlatformLimits,
    discovery: Option<DiscoveryReport<'a>>,
    requirements: Option<&'a ModuleRequirements>,
    budget: Vec<PartReport>,
    violations: &'a [Violation],
}

#[derive(Serialize)]
struct DiscoveryReport<'a> {
    total_memory: u64,
    source: &'a str,
    notes: &'a [String],
}

#[derive(Serialize)]
struct PartReport {
    name: &'static str,
    bytes: u64,
    limit_key: Option<&'static str>,
    limit: Option<u64>,
    /// Percent of `max_total_memory`.
    share: f64,
    ok: bool,
}

/// What a module needs on a platform and whether it fits: shared by `check` and `run`.
pub struct Verdict {
    /// The limits it was checked against.
    pub resolved: Resolved,
    /// What the module asks and its budget; `None` when the pass stopped early on a limit.
    pub measured: Option<(ModuleRequirements, MemoryBudget)>,
    /// What it breaks.
    pub violations: Vec<Violation>,
}

/// Reads a module to run or debug: streamed through the limit validator while its bytes are kept,
/// so unusable input (`/dev/zero`, a text file) is refused at its first bad byte, nothing past
/// `max_total_memory` is held, and a module that breaks a limit is refused naming each violation.
pub fn load(module: &Path, resolved: Resolved) -> Result<(Vec<u8>, Verdict), String> {
    let file = File::open(module).map_err(|e| format!("cannot read {}: {e}", module.display()))?;
    let max = resolved.limits.max_total_memory;
    let mut keep = Keep {
        inner: file,
        kept: Vec::new(),
        max,
    };
    let fit = verdict(module, &mut keep, resolved)?;
    if !fit.violations.is_empty() {
        let broken: Vec<String> = fit
            .violations
            .iter()
            .map(|v| format!("{} (found {}, allowed {})", v.rule, v.found, v.allowed))
            .collect();
        return Err(format!(
            "{}: does not fit the platform limits: {}",
            module.display(),
            broken.join("; ")
        ));
    }
    Ok((keep.kept, fit))
}

/// A reader that keeps what passes through it, up to `max` bytes.
struct Keep<R> {
    inner: R,
    kept: Vec<u8>,
    max: u64,
}

impl<R: Read> Read for Keep<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if (self.kept.len() + n) as u64 > self.max {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("larger than max_total_memory ({} bytes)", self.max),
            ));
        }
        self.kept.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// Resolves the limits and validates `module`, read from `input`, against them in one streaming
/// pass. A limit broken during the pass is a violation; anything else wrong is an error.
pub fn verdict(module: &Path, input: impl Read, resolved: Resolved) -> Result<Verdict, String> {
    let (measured, violations) = match validate_read(input, &resolved.limits) {
        Ok(req) => {
            let budget = MemoryBudget::new(&req, &resolved.limits);
            let violations = budget.violations(&req, &resolved.limits);
            (Some((req, budget)), violations)
        }
        Err(Error::ModuleLimit {
            limit,
            found,
            allowed,
            offset,
        }) => {
            let v = Violation {
                rule: limit.into(),
                found,
                allowed,
                offset: Some(offset),
            };
            (None, vec![v])
        }
        Err(e) => return Err(format!("{}: {e}", module.display())),
    };
    Ok(Verdict {
        resolved,
        measured,
        violations,
    })
}

/// Runs the subcommand: 0 when the module fits, 1 when it breaks a limit or rule, 2 for unusable
/// input.
pub fn main(args: CheckArgs) -> ExitCode {
    let read = args.limits.resolve().and_then(|resolved| {
        let file = File::open(&args.module)
            .map_err(|e| format!("cannot read {}: {e}", args.module.display()))?;
        verdict(&args.module, BufReader::new(file), resolved)
    });
    let v = match read {
        Ok(v) => v,
        Err(msg) => {
            eprintln!("wrt-dbg: {msg}");
            return ExitCode::from(EXIT_BAD_MODULE);
        }
    };
    let limits = &v.resolved.limits;
    let total = limits.max_total_memory.max(1) as f64;
    let parts: Vec<PartReport> = v
        .measured
        .iter()
        .flat_map(|(_, budget)| budget.parts(limits))
        .map(|p| PartReport {
            name: p.name,
            bytes: p.bytes,
            limit_key: p.limit_key,
            limit: p.limit,
            share: p.bytes as f64 * 100.0 / total,
            ok: p.limit.is_none_or(|l| p.bytes <= l),
        })
        .collect();
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Json => {
            let report = Report {
                module: &args.module,
                fits: v.violations.is_empty(),
                limits,
                discovery: v.resolved.discovery.as_ref().map(|d| DiscoveryReport {
                    total_memory: d.total_memory,
                    source: &d.source,
                    notes: &d.notes,
                }),
                requirements: v.measured.as_ref().map(|(req, _)| req),
                budget: parts,
                violations: &v.violations,
            };
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&report).expect("a serialisable report")
            )
        }
        Format::Text => print_text(&mut out, &args.module, &v, &parts),
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        return output::failed(&e);
    }
    if v.violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_DOES_NOT_FIT)
    }
}

fn print_text(
    out: &mut impl Write,
    module: &Path,
    v: &Verdict,
    parts: &[PartReport],
) -> io::Result<()> {
    let l = &v.resolved.limits;
    writeln!(out, "module    {}", module.display())?;
    writeln!(
        out,
        "platform  {} · {} · ASIL {} · debug {} · {}",
        l.platform,
        size(l.max_total_memory),
        l.asil_level.name().to_uppercase(),
        l.debug_level,
        l.safety_debug_mode
    )?;
    if let Some(d) = &v.resolved.discovery {
        writeln!(out, "memory    discovered from {}", d.source)?;
    }
    match &v.measured {
        Some((r, _)) => print_requirements(out, r)?,
        None => writeln!(
            out,
            "needs     unknown: the pass stopped at the first broken limit"
        )?,
    }
    if !parts.is_empty() {
        writeln!(
            out,
            "\n{:<20} {:>12} {:>12} {:>7}  verdict",
            "part", "bytes", "limit", "share"
        )?;
    }
    for p in parts {
        let limit = p.limit.map_or_else(|| "-".into(), size);
        let verdict = if p.ok { "ok" } else { "OVER" };
        writeln!(
            out,
            "{:<20} {:>12} {:>12} {:>6.1}%  {verdict}",
            p.name,
            size(p.bytes),
            limit,
            p.share
        )?;
    }
    writeln!(out)?;
    if v.violations.is_empty() {
        writeln!(out, "verdict: fits")?;
    } else {
        let n = v.violations.len();
        writeln!(
            out,
            "verdict: does not fit ({n} violation{})",
            if n == 1 { "" } else { "s" }
        )?;
        for x in &v.violations {
            let at = x
                .offset
                .map(|o| format!(" (pass stopped at byte offset {o:#x})"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {}: found {}, allowed {}{at}",
                x.rule, x.found, x.allowed
            )?;
        }
    }
    Ok(())
}

fn print_requirements(out: &mut impl Write, r: &ModuleRequirements) -> io::Result<()> {
    writeln!(
        out,
        "needs     {} bytes · {} functions · {} operators · {} code · {} data · {} debug sections ({}){}",
        r.binary_bytes,
        r.functions,
        r.operators,
        size(r.code_bytes),
        size(r.data_bytes),
        r.debug_sections,
        size(r.debug_bytes),
        if r.debug_skipped { ", skipped" } else { "" }
    )?;
    if r.components.components > 0 {
        let c = &r.components;
        writeln!(
            out,
            "          {} components · {} core modules · {} instances · {} types · nesting {}",
            c.components, c.core_modules, c.instances, c.types, c.max_nesting
        )?;
    }
    Ok(())
}

/// A byte count with a binary unit, exact where it divides.
fn size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            return if bytes.is_multiple_of(unit) {
                format!("{}{name}", bytes / unit)
            } else {
                format!("{:.1}{name}", bytes as f64 / unit as f64)
            };
        }
    }
    format!("{bytes}B")
}
