//! The variables pane: the selected frame's arguments and locals as a tree, expanded lazily
//! through the engine and kept expanded across steps; values changed since the last stop stand out.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::model::Model;
use super::pane::{Cursor, block};

/// The variables pane's cursor.
#[derive(Default)]
pub struct VariablesPane {
    /// The line under the cursor.
    pub cursor: Cursor,
}

impl VariablesPane {
    /// Expands or collapses the value under the cursor.
    pub fn toggle(&self, m: &mut Model) {
        let lines = m.var_lines();
        if let Some(at) = lines
            .get(self.cursor.at)
            .and_then(|l| l.var.children.clone())
        {
            m.toggle(&at);
        }
    }

    /// The expression of the value under the cursor, for a watch.
    pub fn expression(&self, m: &Model) -> Option<String> {
        let lines = m.var_lines();
        let line = lines.get(self.cursor.at)?;
        (line.depth == 0).then(|| line.var.name.clone())
    }

    /// What to show in the memory pane for the value under the cursor: a pointer's target, else
    /// the variable's address.
    pub fn address(&self, m: &Model) -> Option<String> {
        let lines = m.var_lines();
        let line = lines.get(self.cursor.at)?;
        if line.depth > 0 {
            return None;
        }
        let name = &line.var.name;
        Some(
            if line.var.ty.ends_with('*') || line.var.ty.starts_with('&') {
                name.clone()
            } else {
                format!("&{name}")
            },
        )
    }

    /// Draws the pane.
    pub fn draw(&mut self, m: &Model, f: &mut Frame, area: Rect, focused: bool) {
        let format = match m.format {
            debugger::value::Format::Hex => " (hex)",
            debugger::value::Format::Decimal => " (dec)",
            _ => "",
        };
        let block = block(format!(" Variables{format} "), focused);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let lines = m.var_lines();
        self.cursor.at = self.cursor.at.min(lines.len().saturating_sub(1));
        let top = self.cursor.scroll(inner.height as usize);
        let shown: Vec<Line> = lines
            .iter()
            .enumerate()
            .skip(top)
            .take(inner.height as usize)
            .map(|(i, l)| {
                let marker = match (&l.var.children, l.expanded) {
                    (None, _) => " ",
                    (Some(_), true) => "▾",
                    (Some(_), false) => "▸",
                };
                let mut value = Style::new();
                if l.changed {
                    value = value.fg(Color::Yellow).add_modifier(Modifier::BOLD);
                }
                let mut line = Line::from(vec![
                    Span::raw(format!("{}{marker} ", "  ".repeat(l.depth))),
                    Span::styled(l.var.name.clone(), Style::new().fg(Color::Cyan)),
                    Span::raw(" = "),
                    Span::styled(l.var.value.clone(), value),
                ]);
                if focused && i == self.cursor.at {
                    line = line.style(Style::new().add_modifier(Modifier::REVERSED));
                }
                line
            })
            .collect();
        f.render_widget(Paragraph::new(shown), inner);
    }
}
