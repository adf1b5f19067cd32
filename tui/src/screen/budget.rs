//! The budget pane: each bounded debug table's use against its capacity as a gauge, and the
//! platform, ASIL level, debug level and safety mode the session runs under.

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
    let mut rows = vec![Constraint::Length(1)];
    rows.extend(b.tables.iter().map(|_| Constraint::Length(1)));
    rows.push(Constraint::Min(0));
    let areas = Layout::vertical(rows).split(inner);
    f.render_widget(Paragraph::new(Line::raw(header)), areas[0]);
    for (t, area) in b.tables.iter().zip(areas.iter().skip(1)) {
        let ratio = if t.capacity == 0 {
            0.0
        } else {
            (t.used as f64 / t.capacity as f64).min(1.0)
        };
        let color = if ratio >= 0.9 {
            Color::Red
        } else {
            Color::Green
        };
        let gauge = Gauge::default()
            .gauge_style(Style::new().fg(color))
            .ratio(ratio)
            .label(format!("{} {}/{}", t.table, t.used, t.capacity));
        f.render_widget(gauge, *area);
    }
}
