//! `wrt-dbg budget`: what debugging costs a device. For every debug level and safety mode, the
//! budget's prediction of the debug infrastructure by part and of the whole, the bytes the
//! runtime really holds in that configuration, the program's run time against `run`, and
//! whether the configuration fits the platform and its ASIL rules.

mod measure;
mod svg;
mod text;

use std::process::ExitCode;

use runtime_core::budget::{MemoryBudget, debug_parts};
use runtime_core::limits::{DebugLevel, SafetyDebugMode};
use serde::Serialize;

use crate::exit;
use crate::output;
use crate::program::ProgramArgs;
use crate::run::Program;

/// How the rows are written.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables: the rows, then the debug overhead by part.
    Text,
    /// One JSON object: the platform and the rows.
    Json,
    /// A chart of predicted and measured bytes per configuration, with the time ratios.
    Svg,
}

/// Arguments of `wrt-dbg budget`.
#[derive(clap::Args)]
#[command(mut_arg("module", |a| a.help("The module to budget")))]
pub struct BudgetArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Do not run the program (no time ratios).
    #[arg(long)]
    no_run: bool,
    #[command(flatten)]
    program: ProgramArgs,
}

/// One configuration's row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `none`, `line`, `profile` or `full`.
    pub debug_level: String,
    /// `production` or `development`.
    pub safety_mode: String,
    /// The predicted debug overhead by part (empty when the configuration allows no debugging).
    pub debug_parts: Vec<(String, u64)>,
    /// Their sum.
    pub debug_overhead: u64,
    /// The rest of the prediction: the runtime's structures, linear memory and stack.
    pub runtime_bytes: u64,
    /// Predicted heap bytes held once loaded, instantiated and set up: `runtime_bytes` and
    /// `debug_overhead` (none when the module does not load under these limits).
    pub predicted_bytes: Option<u64>,
    /// What the runtime really held, counted by the binary's allocator.
    pub measured_bytes: Option<u64>,
    /// (predicted - measured) / measured, in percent.
    pub error_percent: Option<f64>,
    /// The whole budget (with its safety reserve), against `platform_total`.
    pub budget_total: u64,
    /// The platform's `max_total_memory`.
    pub platform_total: u64,
    /// The program's run time in this configuration over its time under `run`.
    pub time_ratio: Option<f64>,
    /// Whether the configuration fits: no limit nor ASIL rule broken, and debugging allowed.
    pub fits: bool,
    /// Each limit or rule broken, and why a debug session is refused.
    pub violations: Vec<String>,
}

/// The report: what it budgets, and the rows.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The module file's name.
    pub module: String,
    /// The platform preset.
    pub platform: String,
    /// Its safety level.
    pub asil: String,
    /// The rows, by debug level, production first.
    pub rows: Vec<Row>,
}

/// Runs the subcommand: 0 when every row was measured (whether it fits or not), 2 when the
/// module or the limits are unusable.
pub fn main(args: BudgetArgs) -> ExitCode {
    let report = match report(&args) {
        Ok(r) => r,
        Err(e) => return exit::refused(format_args!("{}: {e}", args.program.module.display())),
    };
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Text => text::write(&report, &mut out),
        Format::Json => serde_json::to_writer_pretty(&mut out, &report)
            .map_err(std::io::Error::from)
            .and_then(|()| std::io::Write::write_all(&mut out, b"\n")),
        Format::Svg => svg::write(&report, &mut out),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => output::failed(&e),
    }
}

/// Every configuration, predicted and measured.
pub fn report(args: &BudgetArgs) -> Result<Report, String> {
    let limit_args = &args.program.limits;
    let base = limit_args.resolve()?.limits;
    let bytes = debugger::input::read(&args.program.module, base.max_total_memory)
        .map_err(|e| format!("cannot read it: {e}"))?;
    let name = args.program.name_or("module");
    let program = Program::new(args.program.argv(name.clone()), &args.program.wasi);
    // `run`: no debugging at all.
    let plain = limit_args
        .resolve_at(DebugLevel::None, SafetyDebugMode::Production)?
        .limits;
    let run = (!args.no_run)
        .then(|| measure::measure(&bytes, &plain, &program, true))
        .transpose()?
        .and_then(|m| m.time);
    let statements = debugger::translate::statements(&bytes)
        .map_err(|e| e.to_string())?
        .len() as u64;
    let mut rows = Vec::new();
    for level in [
        DebugLevel::None,
        DebugLevel::LineInfo,
        DebugLevel::BasicProfile,
        DebugLevel::FullDebug,
    ] {
        for mode in [SafetyDebugMode::Production, SafetyDebugMode::Development] {
            let limits = limit_args.resolve_at(level, mode)?.limits;
            let mut row = Row {
                debug_level: level.to_string(),
                safety_mode: mode.to_string(),
                debug_parts: Vec::new(),
                debug_overhead: 0,
                runtime_bytes: 0,
                predicted_bytes: None,
                measured_bytes: None,
                error_percent: None,
                budget_total: 0,
                platform_total: limits.max_total_memory,
                time_ratio: None,
                fits: false,
                violations: Vec::new(),
            };
            let mut req = match runtime_core::validate::validate_bytes(&bytes, &limits) {
                Ok(req) => req,
                Err(e @ runtime_core::Error::ModuleLimit { .. }) => {
                    // The module does not load under these limits: nothing to measure.
                    row.violations.push(e.to_string());
                    rows.push(row);
                    continue;
                }
                Err(e) => return Err(e.to_string()),
            };
            req.statements = statements;
            let budget = MemoryBudget::new(&req, &limits);
            row.debug_parts = debug_parts(&req, &limits)
                .iter()
                .map(|p| (p.name.to_string(), p.bytes))
                .collect();
            row.debug_overhead = budget.debug_overhead;
            row.runtime_bytes = budget.runtime_held(&req);
            row.budget_total = budget.total();
            let predicted = budget.held(&req);
            row.predicted_bytes = Some(predicted);
            let measured = measure::measure(&bytes, &limits, &program, run.is_some())?;
            row.measured_bytes = Some(measured.bytes);
            row.error_percent = Some(
                (predicted as f64 - measured.bytes as f64) / measured.bytes.max(1) as f64 * 100.0,
            );
            row.time_ratio = run
                .zip(measured.time)
                .map(|(run, t)| t.as_secs_f64() / run.as_secs_f64().max(1e-9));
            row.violations = budget
                .violations(&req, &limits)
                .iter()
                .map(|v| format!("{} (found {}, allowed {})", v.rule, v.found, v.allowed))
                .collect();
            if level > DebugLevel::None {
                row.violations.extend(runtime_core::debug::refusal(&limits));
            }
            row.fits = row.violations.is_empty();
            rows.push(row);
        }
    }
    Ok(Report {
        module: name,
        platform: base.platform.to_string(),
        asil: base.asil_level.to_string(),
        rows,
    })
}
