//! The chart: for each configuration, bars of the predicted and the measured heap bytes on one
//! scale, the platform's total marked where it falls on it, and the run time over `run`'s.

use std::io::{self, Write};

use super::Report;

/// Bar lengths are drawn out of this many pixels.
const WIDTH: f64 = 560.0;
/// Where the bars start, after the configuration's name.
const LEFT: f64 = 170.0;
/// Height of one configuration's pair of bars and its gap.
const ROW: f64 = 34.0;

/// Writes the chart as SVG.
pub fn write(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let top = 50.0;
    let height = top + ROW * r.rows.len() as f64 + 40.0;
    let total = LEFT + WIDTH + 110.0;
    let most = r
        .rows
        .iter()
        .map(|row| row.predicted_bytes.max(row.measured_bytes).unwrap_or(0))
        .max()
        .unwrap_or(1)
        .max(1) as f64
        * 1.1;
    let platform = r.rows.first().map_or(0, |row| row.platform_total) as f64;
    let x = |bytes: f64| LEFT + WIDTH * bytes / most;
    writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{height}" font-family="monospace" font-size="12">"#
    )?;
    writeln!(
        out,
        r#"<text x="10" y="20" font-size="14">{}: heap bytes predicted (blue) and measured (orange) on {} (ASIL {})</text>"#,
        escape(&r.module),
        escape(&r.platform),
        escape(&r.asil)
    )?;
    for (i, row) in r.rows.iter().enumerate() {
        let y = top + ROW * i as f64;
        let colour = if row.fits { "black" } else { "firebrick" };
        writeln!(
            out,
            r#"<text x="10" y="{}" fill="{colour}">{} {}</text>"#,
            y + 16.0,
            row.debug_level,
            row.safety_mode
        )?;
        for (j, (bytes, fill)) in [
            (row.predicted_bytes.unwrap_or(0), "steelblue"),
            (row.measured_bytes.unwrap_or(0), "darkorange"),
        ]
        .into_iter()
        .enumerate()
        {
            writeln!(
                out,
                r#"<rect x="{LEFT}" y="{}" width="{:.1}" height="12" fill="{fill}"><title>{bytes} bytes</title></rect>"#,
                y + 13.0 * j as f64,
                x(bytes as f64) - LEFT
            )?;
        }
        let time = row
            .time_ratio
            .map_or_else(String::new, |t| format!("{t:.2}x run"));
        let error = row
            .error_percent
            .map_or_else(|| "does not load".into(), |e| format!("{e:+.1}%"));
        writeln!(
            out,
            r#"<text x="{}" y="{}">{error} {time}</text>"#,
            LEFT + WIDTH + 8.0,
            y + 16.0,
        )?;
    }
    let bottom = top + ROW * r.rows.len() as f64;
    if platform <= most {
        writeln!(
            out,
            r#"<line x1="{0:.1}" y1="{top}" x2="{0:.1}" y2="{bottom}" stroke="firebrick" stroke-dasharray="4"/>"#,
            x(platform)
        )?;
    }
    writeln!(
        out,
        r#"<text x="{LEFT}" y="{}">scale: {:.0} KiB full width; platform total {:.0} KiB{}</text>"#,
        bottom + 24.0,
        most / 1024.0,
        platform / 1024.0,
        if platform <= most {
            " (dashed)"
        } else {
            ", off the scale"
        }
    )?;
    writeln!(out, "</svg>")
}

/// Text as SVG holds it.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
