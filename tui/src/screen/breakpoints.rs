//! The breakpoints pane: each breakpoint and watchpoint with its hits and condition; Space
//! enables or disables, Delete deletes. The title shows the bounded table's use, and a refusal by
//! a full table is shown under the list with the limit's name, platform and level.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use debugger::report::BreakpointKind;
use debugger::request::Request;

use super::model::Model;
use super::pane::{Cursor, block};

/// The breakpoints pane's cursor.
#[derive(Default)]
pub struct BreakpointsPane {
    /// The line under the cursor.
    pub cursor: Cursor,
}

impl BreakpointsPane {
    /// Enables or disables the breakpoint under the cursor.
    pub fn toggle(&self, m: &mut Model) {
        if let Some(b) = m.breakpoints.get(self.cursor.at)
            && matches!(b.kind, BreakpointKind::Breakpoint { .. })
        {
            let req = Request::Enable {
                number: b.number,
                enabled: !b.enabled,
            };
            m.request(req);
        }
    }

    /// Deletes the breakpoint under the cursor.
    pub fn delete(&self, m: &mut Model) {
        if let Some(b) = m.breakpoints.get(self.cursor.at) {
            m.request(Request::Delete(Some(b.number)));
        }
    }

    /// Draws the pane.
    pub fn draw(&mut self, m: &Model, f: &mut Frame, area: Rect, focused: bool) {
        let usage = m
            .budget
            .as_ref()
            .and_then(|b| {
                b.tables
                    .iter()
                    .find(|t| t.limit == "max_source_breakpoints")
            })
            .map_or(String::new(), |t| format!(" {}/{}", t.used, t.capacity));
        let mut block = block(format!(" Breakpoints{usage} "), focused);
        if let Some(refusal) = &m.table_full {
            block = block.title_bottom(Line::styled(
                format!(" {refusal} "),
                Style::new().fg(Color::Red),
            ));
        }
        let inner = block.inner(area);
        f.render_widget(block, area);
        self.cursor.at = self.cursor.at.min(m.breakpoints.len().saturating_sub(1));
        let top = self.cursor.scroll(inner.height as usize);
        let lines: Vec<Line> = m
            .breakpoints
            .iter()
            .enumerate()
            .skip(top)
            .take(inner.height as usize)
            .map(|(i, b)| {
                let what = match &b.kind {
                    BreakpointKind::Breakpoint { location, .. } => location.clone(),
                    BreakpointKind::Watchpoint { expr, .. } => format!("watch {expr}"),
                };
                let cond = b
                    .condition
                    .as_ref()
                    .map_or(String::new(), |c| format!(" if {c}"));
                let mut style = Style::new();
                if !b.enabled {
                    style = style.fg(Color::DarkGray);
                }
                if focused && i == self.cursor.at {
                    style = style.add_modifier(Modifier::REVERSED);
                }
                let on = if b.enabled { "●" } else { "○" };
                Line::styled(
                    format!("{on} {} {what}{cond} ({} hits)", b.number, b.hits),
                    style,
                )
            })
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
    }
}
