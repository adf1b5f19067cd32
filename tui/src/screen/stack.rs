//! The call stack pane: every frame, inlined ones marked; Enter selects one and every pane follows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use debugger::request::Request;

use super::model::Model;
use super::pane::{Cursor, block};

/// The stack pane's cursor.
#[derive(Default)]
pub struct StackPane {
    /// The frame under the cursor.
    pub cursor: Cursor,
}

impl StackPane {
    /// Selects the frame under the cursor.
    pub fn select(&self, m: &mut Model) {
        if self.cursor.at < m.frames.len() {
            m.request(Request::Frame(Some(self.cursor.at)));
        }
    }

    /// Draws the pane.
    pub fn draw(&mut self, m: &Model, f: &mut Frame, area: Rect, focused: bool) {
        let block = block(format!(" Stack ({}) ", m.frames.len()), focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if !focused {
            self.cursor.at = m.selected;
        }
        let top = self.cursor.scroll(inner.height as usize);
        let lines: Vec<Line> = m
            .frames
            .iter()
            .skip(top)
            .take(inner.height as usize)
            .map(|fr| {
                let at = match (&fr.file, fr.line) {
                    (Some(file), Some(l)) if l != 0 => {
                        format!(" {}:{l}", debugger::source::basename(file))
                    }
                    _ => String::new(),
                };
                let inl = if fr.inlined { " [inlined]" } else { "" };
                let mut style = Style::new();
                if fr.level == m.selected {
                    style = style.fg(Color::Yellow).add_modifier(Modifier::BOLD);
                }
                if focused && fr.level == self.cursor.at {
                    style = style.add_modifier(Modifier::REVERSED);
                }
                Line::styled(format!("#{:<2} {}{inl}{at}", fr.level, fr.function), style)
            })
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
    }
}
