//! The profile pane: the functions that ran the most instructions, refreshed at every stop
//! (`profile on` starts counting).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::model::Model;
use super::pane::block;

/// Draws the pane.
pub fn draw(m: &Model, f: &mut Frame, area: Rect, focused: bool) {
    let block = block(" Profile ".into(), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines: Vec<Line> = match &m.profile {
        None => vec![Line::raw("`profile on`, then run")],
        Some(Err(e)) => vec![Line::styled(e.clone(), Style::new().fg(Color::DarkGray))],
        Some(Ok(p)) if p.entries.is_empty() => {
            vec![Line::raw("Profiling: nothing counted yet; run the program")]
        }
        Some(Ok(p)) => {
            let total = p.total.max(1) as f64;
            p.entries
                .iter()
                .map(|e| {
                    Line::raw(format!(
                        "{:>5.1}% {:>10} {}",
                        e.instructions as f64 * 100.0 / total,
                        e.calls,
                        e.function
                    ))
                })
                .collect()
        }
    };
    f.render_widget(Paragraph::new(lines), inner);
}
