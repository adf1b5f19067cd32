//! The budget pane: each bounded debug table's use against its capacity as a gauge; the module's
//! memory budget by part, each against its own limit and the total against the platform's; and
//! the platform, ASIL level, debug level and safety mode the session runs under.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph};

use super::model::Model;
use super::pane::block;

/// Draws the pane.
pub fn draw(m: &Model, f: &mut Frame, area: Rect, focused: bool) {
    let block = block(" Budget ".into(), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(b) = &m.budget else {
        return;
    };
    let header = match &m.limits {
        Some(l) => format!(
            "{} · ASIL {} · debug {} · {}",
            b.platform, l.asil_level, b.debug_level, l.safety_debug_mode
        ),
        None => format!("{} · debug {}", b.platform, b.debug_level),
    };
    let tables = b.tables.iter().map(|t| {
        (
            format!("{} {}/{}", t.table, t.used, t.capacity),
            t.used,
            t.capacity,
        )
    });
    let memory = b.memory.iter().map(|p| {
        let label = match p.allowed {
            Some(a) => format!("{} {} of {}", p.part, bytes(p.bytes), bytes(a)),
            None => format!("{} {}", p.part, bytes(p.bytes)),
        };
        (label, p.bytes, p.allowed.unwrap_or(0))
    });
    let mut lines = vec![Gauged::Text(header)];
    lines.extend(tables.map(Gauged::Gauge));
    if !b.memory.is_empty() {
        lines.push(Gauged::Text("memory budget:".into()));
        lines.extend(memory.map(Gauged::Gauge));
    }
    let areas = Layout::vertical(lines.iter().map(|_| Constraint::Length(1))).split(inner);
    for (line, area) in lines.into_iter().zip(areas.iter()) {
        match line {
            Gauged::Text(t) => f.render_widget(Paragraph::new(Line::raw(t)), *area),
            Gauged::Gauge((label, used, capacity)) => {
                f.render_widget(gauge(label, used, capacity), *area)
            }
        }
    }
}

/// A row of the pane: a line of text, or a gauge of used against capacity.
enum Gauged {
    Text(String),
    Gauge((String, u64, u64)),
}

/// A gauge of `used` against `capacity` (none when 0), red from 90% on.
fn gauge(label: String, used: u64, capacity: u64) -> Gauge<'static> {
    let ratio = if capacity == 0 {
        0.0
    } else {
        (used as f64 / capacity as f64).min(1.0)
    };
    let color = if ratio >= 0.9 {
        Color::Red
    } else {
        Color::Green
    };
    Gauge::default()
        .gauge_style(Style::new().fg(color))
        .ratio(ratio)
        .label(label)
}

/// Bytes in the largest unit that keeps them whole to a tenth: `512 B`, `64.0 KiB`, `8.0 MiB`.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    #[test]
    fn bytes_read_in_binary_units() {
        assert_eq!(super::bytes(512), "512 B");
        assert_eq!(super::bytes(65536), "64.0 KiB");
        assert_eq!(super::bytes(8 << 20), "8.0 MiB");
        assert_eq!(super::bytes(25_276_510_208), "23.5 GiB");
    }
}
