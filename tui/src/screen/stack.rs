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
                let head = format!("#{:<2} ", fr.level);
                let tail = format!("{inl}{at}");
                let text = fit(&head, &fr.function, &tail, inner.width as usize);
                Line::styled(text, style)
            })
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
    }
}

/// `head`, `name` and `tail` in `width` columns: a name too long loses its end to a `…`, so that
/// the location after it stays whole; what still does not fit is cut, marked with `…` too.
fn fit(head: &str, name: &str, tail: &str, width: usize) -> String {
    let count = |s: &str| s.chars().count();
    let whole = format!("{head}{name}{tail}");
    if count(&whole) <= width {
        return whole;
    }
    let room = width.saturating_sub(count(head) + count(tail));
    if room >= 2 {
        let name: String = name.chars().take(room - 1).collect();
        return format!("{head}{name}…{tail}");
    }
    let cut: String = whole.chars().take(width.saturating_sub(1)).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn a_long_frame_keeps_its_line_number_and_says_where_it_was_cut() {
        let tail = " sqlite3.c:78715";
        assert_eq!(fit("#0  ", "main", tail, 40), "#0  main sqlite3.c:78715");
        let cut = fit("#0  ", "sqlite3VdbeExec", tail, 26);
        assert_eq!(cut, "#0  sqlit… sqlite3.c:78715");
        assert_eq!(cut.chars().count(), 26);
        let narrow = fit("#0  ", "sqlite3VdbeExec", tail, 12);
        assert_eq!(narrow, "#0  sqlite3…");
        assert_eq!(fit("#0  ", "f", tail, 0), "…");
    }
}
