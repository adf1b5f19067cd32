//! The output pane: the program's stdout and (in red) stderr, in its own scrollback; the
//! program never writes over the screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use debugger::engine::Stream;

use super::model::Model;
use super::pane::block;

/// How far the output pane is scrolled back from its end.
#[derive(Default)]
pub struct OutputPane {
    /// Lines scrolled back from the last.
    pub back: usize,
}

impl OutputPane {
    /// Scrolls back (positive) or forward.
    pub fn scroll(&mut self, delta: isize, m: &Model) {
        self.back = (self.back as isize + delta).clamp(0, m.output.len() as isize) as usize;
    }

    /// Draws the pane.
    pub fn draw(&mut self, m: &Model, f: &mut Frame, area: Rect, focused: bool) {
        let block = block(" Output ".into(), focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let height = inner.height as usize;
        let end = m.output.len().saturating_sub(self.back);
        let lines: Vec<Line> = m
            .output
            .iter()
            .take(end)
            .skip(end.saturating_sub(height))
            .map(|(stream, text)| {
                let style = match stream {
                    Stream::Stdout => Style::new(),
                    Stream::Stderr => Style::new().fg(Color::Red),
                };
                Line::styled(text.trim_end_matches('\n').to_string(), style)
            })
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
    }
}
