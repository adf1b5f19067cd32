//! The text report: a row per configuration, then the debug overhead by part.

use std::io::{self, Write};

use super::Report;

/// Writes the two tables.
pub fn write(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "Budget of {} on {} (ASIL {}): predicted and measured heap bytes, by debug level and mode",
        r.module, r.platform, r.asil
    )?;
    writeln!(
        out,
        "\n{:<8} {:<12} {:>12} {:>12} {:>12} {:>8} {:>12} {:>12} {:>6}  verdict",
        "level", "mode", "debug", "predicted", "measured", "error", "budget", "platform", "time"
    )?;
    for row in &r.rows {
        let time = row
            .time_ratio
            .map_or_else(|| "-".into(), |t| format!("{t:.2}x"));
        let verdict = match row.fits {
            true => "fits".into(),
            false => format!("refused: {}", row.violations.join("; ")),
        };
        let number = |n: Option<u64>| n.map_or_else(|| "-".into(), |n| n.to_string());
        let error = row
            .error_percent
            .map_or_else(|| "-".into(), |e| format!("{e:+.2}%"));
        writeln!(
            out,
            "{:<8} {:<12} {:>12} {:>12} {:>12} {error:>8} {:>12} {:>12} {time:>6}  {verdict}",
            row.debug_level,
            row.safety_mode,
            row.debug_overhead,
            number(row.predicted_bytes),
            number(row.measured_bytes),
            row.budget_total,
            row.platform_total,
        )?;
    }
    let Some(names) = r.rows.iter().find(|row| !row.debug_parts.is_empty()) else {
        return Ok(());
    };
    write!(
        out,
        "\nDebug overhead by part (bytes)\n{:<8} {:<12}",
        "level", "mode"
    )?;
    for (name, _) in &names.debug_parts {
        write!(out, " {:>16}", name)?;
    }
    writeln!(out)?;
    for row in r.rows.iter().filter(|row| !row.debug_parts.is_empty()) {
        write!(out, "{:<8} {:<12}", row.debug_level, row.safety_mode)?;
        for (_, bytes) in &row.debug_parts {
            write!(out, " {bytes:>16}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}
