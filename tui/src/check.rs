//! `wrt-dbg check`: validate a module in one streaming pass and show its memory budget on a platform.

use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use runtime_core::admit::{Verdict, check_read};
use runtime_core::budget::Violation;
use runtime_core::limits::PlatformLimits;
use runtime_core::limits::config::Resolved;
use runtime_core::validate::ModuleRequirements;
use serde::Serialize;

use crate::exit;
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
    /// The JSON report documented in docs/json.md.
    Json,
}

/// The JSON report; its field names are a stable interface (docs/json.md documents them).
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

/// Runs the subcommand: 0 when the module fits, 1 when it breaks a limit or rule, 2 for unusable
/// input, a module `run` could not start among it (an unknown import, a segment out of bounds).
pub fn main(args: CheckArgs) -> ExitCode {
    let read = args.limits.resolve().and_then(|resolved| {
        let file = crate::module::open(&args.module)?;
        let verdict = check_read(BufReader::new(file), &resolved.limits)
            .map_err(|e| format!("{}: {e}", args.module.display()))?;
        Ok((resolved, verdict))
    });
    let (resolved, v) = match read {
        Ok(v) => v,
        Err(msg) => return exit::refused(msg),
    };
    let limits = &resolved.limits;
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
                fits: v.fits(),
                limits,
                discovery: resolved.discovery.as_ref().map(|d| DiscoveryReport {
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
        Format::Text => print_text(&mut out, &args.module, &resolved, &v, &parts),
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        return output::failed(&e);
    }
    if v.fits() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_DOES_NOT_FIT)
    }
}

fn print_text(
    out: &mut impl Write,
    module: &Path,
    resolved: &Resolved,
    v: &Verdict,
    parts: &[PartReport],
) -> io::Result<()> {
    let l = &resolved.limits;
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
    if let Some(d) = &resolved.discovery {
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
    if v.fits() {
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
