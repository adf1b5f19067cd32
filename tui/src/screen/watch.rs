//! The watch pane: expressions evaluated at every stop, added with `w` from the variables pane or
//! `a` here (typed on the command line as `watch-expr`), kept per module for the next session.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::model::Model;
use super::pane::{Cursor, block};

/// The watch pane's cursor.
#[derive(Default)]
pub struct WatchPane {
    /// The expression under the cursor.
    pub cursor: Cursor,
}

impl WatchPane {
    /// Removes the expression under the cursor.
    pub fn delete(&self, m: &mut Model) {
        m.remove_watch(self.cursor.at);
    }

    /// Draws the pane.
    pub fn draw(&mut self, m: &Model, f: &mut Frame, area: Rect, focused: bool) {
        let block = block(format!(" Watch ({}) ", m.watches.len()), focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        self.cursor.at = self.cursor.at.min(m.watches.len().saturating_sub(1));
        let top = self.cursor.scroll(inner.height as usize);
        let lines: Vec<Line> = m
            .watches
            .iter()
            .enumerate()
            .skip(top)
            .take(inner.height as usize)
            .map(|(i, (expr, value))| {
                let value = match value {
                    Ok(v) => Span::raw(v.clone()),
                    Err(e) => Span::styled(format!("<{e}>"), Style::new().fg(Color::DarkGray)),
                };
                let mut line = Line::from(vec![
                    Span::styled(expr.clone(), Style::new().fg(Color::Cyan)),
                    Span::raw(" = "),
                    value,
                ]);
                if focused && i == self.cursor.at {
                    line = line.style(Style::new().add_modifier(Modifier::REVERSED));
                }
                line
            })
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
    }
}
