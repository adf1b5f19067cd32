//! What every pane shares: a bordered block titled with its name, highlighted when focused, and a
//! cursor that scrolls its list.

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, BorderType};

/// A pane's frame: its title, drawn brighter when it has the focus.
pub fn block(title: String, focused: bool) -> Block<'static> {
    let style = if focused {
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
    } else {
        Style::new().fg(Color::DarkGray)
    };
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(style)
        .title(title)
}

/// A cursor over `len` lines and the first line shown, kept so the cursor stays in view.
#[derive(Debug, Default, Clone, Copy)]
pub struct Cursor {
    /// The line the cursor is on.
    pub at: usize,
    /// The first line shown.
    pub top: usize,
}

impl Cursor {
    /// Moves by `delta` lines within `len`.
    pub fn move_by(&mut self, delta: isize, len: usize) {
        let last = len.saturating_sub(1) as isize;
        self.at = (self.at as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// Puts the cursor on `line`, centred when it was out of view in a pane `height` lines high.
    pub fn show(&mut self, line: usize, height: usize) {
        self.at = line;
        if line < self.top || line >= self.top + height {
            self.top = line.saturating_sub(height / 2);
        }
    }

    /// The first line to draw so the cursor is in view in a pane `height` lines high.
    pub fn scroll(&mut self, height: usize) -> usize {
        if self.at < self.top {
            self.top = self.at;
        } else if height > 0 && self.at >= self.top + height {
            self.top = self.at + 1 - height;
        }
        self.top
    }
}
