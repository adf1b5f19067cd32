//! The status bar: running (for how long, and how many instructions) or stopped (with the
//! reason), where the selected frame stands, the link to a remote target and its round trip, the
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
        let secs = since.elapsed().as_secs_f64();
        return match m.executed() {
            0 => format!("running {secs:.1}s"),
            n => format!("running {secs:.1}s {} instr", count(n)),
        };
    }
    match m.stop.as_ref().map(|s| &s.reason) {
        None if m.frames.is_empty() => "not running".into(),
        None => "stopped".into(),
        Some(StopReason::Breakpoint { number, .. }) => format!("breakpoint {number}"),
        Some(StopReason::Watchpoint { number, .. }) => format!("watchpoint {number}"),
        Some(StopReason::WatchpointScope { number }) => format!("watchpoint {number} deleted"),
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

/// A count in thousands, millions or billions: `950`, `12.3k`, `4.1M`, `2.0G`.
fn count(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{:.1}k", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1}M", n as f64 / 1e6),
        _ => format!("{:.1}G", n as f64 / 1e9),
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
    let link = match (&m.link_lost, &m.link) {
        (Some(_), _) => Span::styled(
            " link lost: reconnect ",
            Style::new().bg(Color::Red).fg(Color::White),
        ),
        (None, Some(l)) if l.remote => Span::styled(
            match l.round_trip_us {
                Some(us) => format!(" link {:.1} ms ", us as f64 / 1000.0),
                None => " link ".into(),
            },
            Style::new().fg(Color::Cyan),
        ),
        _ => Span::raw(""),
    };
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
        link,
        Span::styled(message, Style::new().fg(Color::Red)),
        Span::styled(format!("  {keys}"), Style::new().fg(Color::DarkGray)),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_read_in_thousands_millions_billions() {
        assert_eq!(super::count(950), "950");
        assert_eq!(super::count(12_345), "12.3k");
        assert_eq!(super::count(4_100_000), "4.1M");
        assert_eq!(super::count(2_000_000_000), "2.0G");
    }
}
