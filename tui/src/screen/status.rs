//! The status bar: running or stopped (with the reason), where the selected frame stands, the
//! last message, and the keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use debugger::report::StopReason;

use super::model::Model;

/// What the program is doing, in a few words.
fn state(m: &Model) -> String {
    if let Some(since) = m.running {
        return format!("running {:.1}s", since.elapsed().as_secs_f64());
    }
    match m.stop.as_ref().map(|s| &s.reason) {
        None if m.frames.is_empty() => "not running".into(),
        None => "stopped".into(),
        Some(StopReason::Breakpoint { number, .. }) => format!("breakpoint {number}"),
        Some(StopReason::Watchpoint { number, .. }) => format!("watchpoint {number}"),
        Some(StopReason::Step) => "step".into(),
        Some(StopReason::Until) => "until".into(),
        Some(StopReason::Finish { .. }) => "finish".into(),
        Some(StopReason::Interrupt) => "interrupted".into(),
        Some(StopReason::Trap { message, .. }) => format!("trap: {message}"),
        Some(StopReason::Exited { code }) => format!("exited {code}"),
        Some(StopReason::Killed) => "killed".into(),
        Some(StopReason::Detached) => "detached".into(),
    }
}

/// Draws the bar; `keys` names the keys of the focused pane.
pub fn draw(m: &Model, f: &mut Frame, area: Rect, keys: &str) {
    let place = m
        .frames
        .get(m.selected)
        .map(|fr| match (&fr.file, fr.line) {
            (Some(file), Some(l)) => {
                format!("{} {}:{l}", fr.function, debugger::source::basename(file))
            }
            _ => fr.function.clone(),
        })
        .unwrap_or_default();
    let message = m.message.clone().unwrap_or_default();
    let line = Line::from(vec![
        Span::styled(
            format!(" {} ", state(m)),
            Style::new()
                .bg(if m.running.is_some() {
                    Color::Green
                } else {
                    Color::Blue
                })
                .fg(Color::White),
        ),
        Span::raw(format!(" {place} ")),
        Span::styled(message, Style::new().fg(Color::Red)),
        Span::styled(format!("  {keys}"), Style::new().fg(Color::DarkGray)),
    ]);
    f.render_widget(Paragraph::new(line), area);
}
